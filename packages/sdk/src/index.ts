// @easel/sdk: the typed Easel API client, live canvases over Yjs, and readers for the canvas records.
export { createEasel, type Easel, type EaselOptions, type TextSource } from './client.ts';
export { EaselError, retryingFetch, type RetryOptions } from './errors.ts';
export { collabUrl, connectLive, type LiveCanvas, type LiveOptions } from './live.ts';
export { findShapeByText, records, recordsMap, richText, shapes, shapeText, type CanvasRecord, type ShapeRecord } from './records.ts';
export type { paths } from './openapi.ts';
