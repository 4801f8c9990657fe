// What the assistant's HTTP API answers (`/api/v1/canvases/:id/assistant/…`, `/api/v1/assistant/models`):
// universal types shared by the routes, the chat panel and the SDKs.
import type { RunChangeView } from './chat/chat-document.ts';

export type ModelTierId = 'fast' | 'balanced' | 'best';
export type RunStatusView = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

/** A file a design-document or code run made: text inline as `content`, binary at `url`. */
export interface RunFileView {
	name: string;
	mimeType: string;
	bytes: number;
	content?: string;
	url?: string;
	/** Code: the node it was made for, its path in the project and its language (shiki's id). */
	shapeId?: string;
	path?: string;
	language?: string;
	/** Code: set instead of content on a node whose code could not be made: why (it cost nothing). */
	error?: string;
}

export type RunKindView = 'assistant' | 'design_doc' | 'code';

export interface AssistantRunView {
	id: string;
	canvasId: string;
	/** An answer in the chat with canvas edits, a design document, or code per node. */
	kind: RunKindView;
	/** The answer message in the chat. */
	messageId: string;
	promptMessageId: string;
	tier: ModelTierId;
	status: RunStatusView;
	estimatedCredits: number;
	creditsCharged: number;
	usage: { inputTokens: number; outputTokens: number };
	changes: RunChangeView[];
	/** Design documents and code: what was made (so far, while it runs). */
	files: RunFileView[];
	error?: string;
	/** While queued: how many runs on this canvas go first (0 = next). */
	queuePosition?: number;
	ownKey: boolean;
	createdAt: string;
	finishedAt: string | null;
}

/** POST …/assistant/runs → 202. */
export interface StartedRun {
	run: { id: string; messageId: string; promptMessageId: string; tier: ModelTierId; estimatedCredits: number };
}

/** POST …/runs/:runId/reject and …/accept → 200. */
export interface ReviewResult {
	rejected?: string[];
	accepted?: string[];
	refused: { changeId: string; reason: string }[];
}

export interface ModelTierView {
	tier: ModelTierId;
	label: string;
	description: string;
	multiplier: number;
	/** Credits one request costs on this tier (0 when the team's own key pays). */
	credits: number;
	available: boolean;
	/** Why not: the plan doesn't include it (with the plan that does), or the server has no model for it. */
	unavailableReason?: 'plan' | 'not_configured';
	upgradeTo?: { id: string; name: string };
}

/** What the chat panel needs to offer the assistant on one canvas, for the person looking. */
export interface AssistantAvailability {
	/** Whether any provider (the server's or the team's own key) is set up. */
	configured: boolean;
	/** The one line that enables it, shown when it isn't. */
	enableHint: string;
	ownKey: boolean;
	/** Whether this person may start runs here at all, and whether those runs may edit. */
	canAsk: boolean;
	canEdit: boolean;
	/** Why not, when canAsk is false. */
	reason?: string;
	tiers: ModelTierView[];
	defaultTier: ModelTierId;
	balance: number;
	/** What files from the diagram cost before the tier's multiplier (0 everywhere when the team's own key pays). */
	prices: WorkPrices;
}

export interface WorkPrices {
	designDoc: { markdown: number; pdf: number; both: number };
	code: { node: number; bulkNode: number };
}
