// @easel/sdk: the typed Easel API client, live canvases over Yjs, and readers for the canvas records.
export {
	createEasel,
	type AppendMessageInput,
	type AssistantRun,
	type Canvas,
	type CanvasDetail,
	type CanvasDocument,
	type Conversation,
	type ConversationSummary,
	type Easel,
	type EaselOptions,
	type Folder,
	type LibraryCanvas,
	type ListCanvasesQuery,
	type Message,
	type PushConversationInput,
	type ReviewResult,
	type ShareLink,
	type StartedRun,
	type TextSource,
	type TrashedCanvas,
	type Version,
	type VersionWithRecords
} from './client.ts';
export { EaselError, retryingFetch, type RetryOptions } from './errors.ts';
export { collabUrl, connectLive, type LiveCanvas, type LiveOptions } from './live.ts';
export { findShapeByText, records, recordsMap, richText, shapes, shapeText, type CanvasRecord, type ShapeRecord } from './records.ts';
export type { components, operations, paths } from './openapi.ts';
