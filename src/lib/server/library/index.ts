// The team library: listing and searching canvases, stars, folders and filing.
export * from './list-library.ts';
export * from './stars.ts';
export * from './folders.ts';
export * from './update-canvas.ts';
