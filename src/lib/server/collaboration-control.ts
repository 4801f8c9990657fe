// What the HTTP side and the domain may ask of the collaboration server (CollaborationControl),
// and the types its questions carry: the server-side write path's writer and draft, openings, and
// which connections to close and why. Implemented by server/collab/index.ts.
import type { ConnectionCloseReason } from '../collab-protocol.ts';
import type { Actor } from './access.ts';
import type { ChatAuthor, ChatMessage, MessageStatus, RunChangeView, WorkKind } from '../chat/chat-document.ts';

/** What the HTTP side may ask of the collaboration server. */
export interface CollaborationControl {
	/** Closes every socket open on a document, telling clients why, and forgets unsaved changes. */
	discardDocument(documentName: string, reason: string): Promise<void>;
	/** The current content of a document as JSON (live state if loaded, stored state otherwise). */
	readDocument(documentName: string): Promise<{ records: Record<string, unknown>; meta: Record<string, unknown> }>;
	/** The current state of a document as one Yjs update (live if loaded, stored otherwise). */
	readDocumentState(documentName: string): Promise<Uint8Array>;
	/**
	 * What a client about to open a document applies before its socket connects: the stored updates,
	 * not decoded. Throws RATE_LIMITED when `clientAddress` opens too much. See `OpeningState`.
	 */
	openingState(documentName: string, clientAddress: string): Promise<OpeningState>;
	/**
	 * The one way server-side code changes a document: `change` stages its edits on a draft of the
	 * live canvas; they are validated like a client's and applied as one transaction, stamped with
	 * `writer`, that every collaborator receives live. INVALID_INPUT, and nothing written, when a
	 * staged record fails.
	 */
	transact(documentName: string, writer: DocumentWriter, change: (draft: CanvasDraft) => void): Promise<{ changed: number }>;
	/**
	 * Closes the document connections matching every given field, telling clients why:
	 * `ACCESS_CHANGED` makes them reconnect and be authorised afresh, anything else stops them.
	 */
	closeConnections(match: ConnectionMatch, reason: CloseReason): number;
	/**
	 * Opens a server-side writer on the chat of `canvasId` (the assistant streams its answers
	 * through it). Every change is one transaction stamped with `writer`; close it when done.
	 * NOT_FOUND when the canvas is gone or `writer.actor` may not see it. Calls refuse with
	 * LIMIT_EXCEEDED past MAX_CHAT_MESSAGES, 200,000 characters in one message or the document
	 * size limit, and with NOT_FOUND once closed or once the canvas was deleted.
	 */
	openChat(canvasId: string, writer: DocumentWriter): Promise<ChatWriter>;
	/**
	 * Shows a server-side peer (the assistant) among a canvas's collaborators: its avatar, name
	 * and cursor, or removes it with null. Lives while the document is loaded on this instance.
	 */
	setPeerPresence(canvasId: string, peerId: string, presence: PeerPresence | null): void;
}

/** A server-side peer's presence on a canvas. */
export interface PeerPresence {
	name: string;
	color: string;
	/** Where its cursor is, in page coordinates. */
	cursor: { x: number; y: number };
	pageId: string;
	selectedShapeIds?: string[];
}

/** The fields the server writes on a message it adds (the author is the writer's, stamped as given). */
export interface ServerMessage {
	id: string;
	parentId: string | null;
	author: ChatAuthor;
	role: 'user' | 'assistant';
	text: string;
	status: MessageStatus;
	runId?: string;
	tier?: string;
	/** A design-document or code run's answer: the panel offers its files. */
	work?: WorkKind;
}

/** What the server may change on a message it wrote (assistant answers). */
export interface ServerMessageUpdate {
	status?: MessageStatus;
	creditsCharged?: number;
	usage?: { inputTokens: number; outputTokens: number };
	changes?: RunChangeView[];
	error?: string | null;
	/** How many runs go first while this one waits; null once it runs. */
	queuePosition?: number | null;
}

export interface ChatWriter {
	/** The chat's messages now. */
	messages(): ChatMessage[];
	addMessage(message: ServerMessage): Promise<void>;
	/** Appends to a message's text (callers coalesce: one call is one update everyone receives). */
	appendText(messageId: string, text: string): Promise<void>;
	update(messageId: string, fields: ServerMessageUpdate): Promise<void>;
	/** Renames a person on every message they wrote (their account was deleted); answers how many changed. */
	renameAuthor(authorId: string, name: string): Promise<number>;
	close(): Promise<void>;
}

/** Who changes a document from the server, and as what. */
export interface DocumentWriter {
	/** `review`: a person rejecting an assistant run's changes (the inverse, as a forward change); `account`: a deleted account's name taken out. */
	origin: 'restore' | 'assistant' | 'review' | 'ingest' | 'import' | 'image' | 'account';
	actor: Actor;
}

/** One map of a document, with the writer's staged changes on top of what it holds. */
export interface MapDraft {
	get(key: string): unknown;
	has(key: string): boolean;
	readonly size: number;
	keys(): string[];
	toJSON(): Record<string, unknown>;
	set(key: string, value: unknown): void;
	delete(key: string): void;
}

/** A canvas as a server-side writer changes it: tldraw records by id, and the schema they follow. */
export interface CanvasDraft {
	records: MapDraft;
	meta: MapDraft;
}

export interface OpeningState {
	/** The stored snapshot (if any), then the log after it, oldest first. */
	updates: Uint8Array[];
	/** Starts loading the document for the socket that follows; call once the updates are on their way. */
	startLoading(): void;
}

export interface ConnectionMatch {
	canvasId?: string;
	teamId?: string;
	userId?: string;
	sessionId?: string;
	shareLinkId?: string;
	/** The connections an API key opened (the key's id). */
	apiKeyId?: string;
}

/** Why the server closed a document connection (the client shows or acts on it); a revert loop is the server's own call. */
export type CloseReason = Exclude<ConnectionCloseReason, 'REVERT_LOOP'>;
