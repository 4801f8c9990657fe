// @easel/sdk: Easel's API typed from its OpenAPI document, plus live canvases over Yjs.
export { createEasel, Easel, type EaselOptions, type Schemas, type ConversationInput, type ConversationMessageInput, type CompleteInput, type StartRunInput } from './client.ts';
export { EaselError } from './errors.ts';
export type { LiveCanvas, LiveCanvasOptions } from './live.ts';
export type { paths, components } from './openapi.ts';
