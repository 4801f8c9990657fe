// tldraw files (.tldr): a canvas exported as one, and one imported as a new canvas.
export { exportCanvas, tldrawFileStream, withAbsoluteAssetUrls, type CanvasExport } from './export-file.ts';
export { importTldrawFile, type ImportInput, type ImportLimits } from './import-file.ts';
export { importFileLimit, largestImportRequestBytes } from '../assets/upload-limits.ts';
export { readTldrawFile } from './read-file.ts';
