// The chat beside a canvas as a Yjs document (`chat:<canvasId>`): one top-level Y.Map `messages`
// of message id → Y.Map of fields, the text a Y.Text so an answer can stream into it. Universal:
// the browser panel, the server's validator and the assistant read and write it through this module.
import * as Y from 'yjs';

/** The chat document's only top-level type. */
export const CHAT_MESSAGES = 'messages';

export const MESSAGE_STATUSES = ['streaming', 'done', 'failed', 'cancelled'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];
export const AUTHOR_KINDS = ['user', 'guest', 'assistant'] as const;
export type AuthorKind = (typeof AUTHOR_KINDS)[number];
export type MessageRole = 'user' | 'assistant';
export type RunChangeState = 'pending' | 'accepted' | 'rejected';
/** What an assistant message's run made besides its text: a design document or code from the diagram. */
export const WORK_KINDS = ['design_doc', 'code'] as const;
export type WorkKind = (typeof WORK_KINDS)[number];

/** Who wrote a message: stamped by the server from the connection (or the run), never the client's word. */
export interface ChatAuthor {
	kind: AuthorKind;
	/** Account id, the guest's generated id, or `assistant`. */
	id: string;
	name: string;
}

/** One canvas change of an assistant run, as its message lists it for review. */
export interface RunChangeView {
	id: string;
	kind: 'created' | 'updated' | 'deleted';
	recordIds: string[];
	summary: string;
	state: RunChangeState;
}

/** The keys of a message's Y.Map. `text` holds a Y.Text; every other value is plain JSON. */
export const MESSAGE_KEYS = {
	id: 'id',
	parentId: 'parentId',
	author: 'author',
	role: 'role',
	createdAt: 'createdAt',
	text: 'text',
	status: 'status',
	/** When its author last edited the text (ms since the epoch). */
	editedAt: 'editedAt',
	/** Set (true) when its author deleted it: the text is emptied, the place in the tree stays. */
	deleted: 'deleted',
	/** Assistant messages only, written by the server: */
	runId: 'runId',
	tier: 'tier',
	/** Set on the answer of a design-document or code run (its files are the run's, fetched by runId). */
	work: 'work',
	creditsCharged: 'creditsCharged',
	usage: 'usage',
	changes: 'changes',
	error: 'error',
	/** While the run waits for another run on the canvas: how many go first (absent once it runs). */
	queuePosition: 'queuePosition'
} as const;

/** Keys a person may change on their own message after sending it (the text's content too). */
export const AUTHOR_EDITABLE_KEYS: ReadonlySet<string> = new Set([MESSAGE_KEYS.editedAt, MESSAGE_KEYS.deleted]);

/** A message as plain data, as the panel renders it. */
export interface ChatMessage {
	id: string;
	parentId: string | null;
	author: ChatAuthor;
	role: MessageRole;
	createdAt: number;
	text: string;
	status: MessageStatus;
	editedAt?: number;
	deleted?: boolean;
	runId?: string;
	tier?: string;
	work?: WorkKind;
	creditsCharged?: number;
	usage?: { inputTokens: number; outputTokens: number };
	changes?: RunChangeView[];
	error?: string;
	queuePosition?: number;
}

export function messagesMap(document: Y.Doc): Y.Map<Y.Map<unknown>> {
	return document.getMap<Y.Map<unknown>>(CHAT_MESSAGES);
}

/** A message's Y.Map as plain data; null when it lacks what every message has. */
export function readMessage(message: Y.Map<unknown>): ChatMessage | null {
	const id = message.get(MESSAGE_KEYS.id);
	const text = message.get(MESSAGE_KEYS.text);
	const author = message.get(MESSAGE_KEYS.author) as ChatAuthor | undefined;
	if (typeof id !== 'string' || !(text instanceof Y.Text) || !author || typeof author !== 'object') return null;
	const parentId = message.get(MESSAGE_KEYS.parentId);
	const read: ChatMessage = {
		id,
		parentId: typeof parentId === 'string' ? parentId : null,
		author,
		role: message.get(MESSAGE_KEYS.role) === 'assistant' ? 'assistant' : 'user',
		createdAt: Number(message.get(MESSAGE_KEYS.createdAt) ?? 0),
		text: text.toString(),
		status: (message.get(MESSAGE_KEYS.status) as MessageStatus | undefined) ?? 'done'
	};
	for (const key of ['editedAt', 'deleted', 'runId', 'tier', 'work', 'creditsCharged', 'usage', 'changes', 'error', 'queuePosition'] as const) {
		const value = message.get(MESSAGE_KEYS[key]);
		if (value !== undefined && value !== null) (read as unknown as Record<string, unknown>)[key] = value;
	}
	return read;
}

/** Every readable message of a chat document. */
export function readMessages(document: Y.Doc): ChatMessage[] {
	const messages: ChatMessage[] = [];
	for (const message of messagesMap(document).values()) {
		if (!(message instanceof Y.Map)) continue;
		const read = readMessage(message);
		if (read) messages.push(read);
	}
	return messages;
}

/**
 * Builds a message's Y.Map (to `set` into `messages` in a transaction). Clients fill in the author
 * they believe they are; the server stamps the real one and the time.
 */
export function createMessageMap(fields: {
	id: string;
	parentId: string | null;
	author: ChatAuthor;
	role: MessageRole;
	text: string;
	status: MessageStatus;
	createdAt?: number;
}): Y.Map<unknown> {
	const message = new Y.Map<unknown>();
	message.set(MESSAGE_KEYS.id, fields.id);
	message.set(MESSAGE_KEYS.parentId, fields.parentId);
	message.set(MESSAGE_KEYS.author, { ...fields.author });
	message.set(MESSAGE_KEYS.role, fields.role);
	message.set(MESSAGE_KEYS.createdAt, fields.createdAt ?? Date.now());
	message.set(MESSAGE_KEYS.status, fields.status);
	message.set(MESSAGE_KEYS.text, new Y.Text(fields.text));
	return message;
}

/** A message id: random, unguessable, the same shape everywhere. */
export function newMessageId(): string {
	return crypto.randomUUID();
}

/** One message in the thread a reader sees, with where it sits among its siblings. */
export interface ThreadEntry {
	message: ChatMessage;
	/** Ids of every message with the same parent, oldest first (this one among them). */
	siblingIds: string[];
	/** This message's place among them, from 0. */
	index: number;
}

/**
 * The thread a reader sees: from the first message on, at every fork the sibling they chose
 * (`choices`: parent id, or '' for the top level → chosen child id), else the newest one.
 * Which branch is shown is each reader's own choice, never written to the document.
 */
export function visibleThread(messages: readonly ChatMessage[], choices: ReadonlyMap<string, string> = new Map()): ThreadEntry[] {
	const children = new Map<string, ChatMessage[]>();
	const ids = new Set(messages.map((message) => message.id));
	for (const message of messages) {
		// A message whose parent is missing hangs off the top level rather than disappearing.
		const parent = message.parentId && ids.has(message.parentId) ? message.parentId : '';
		let siblings = children.get(parent);
		if (!siblings) children.set(parent, (siblings = []));
		siblings.push(message);
	}
	for (const siblings of children.values()) siblings.sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
	const thread: ThreadEntry[] = [];
	const seen = new Set<string>();
	let parent = '';
	for (;;) {
		const siblings = children.get(parent);
		if (!siblings?.length) break;
		const chosenId = choices.get(parent);
		const index = Math.max(0, chosenId ? siblings.findIndex((message) => message.id === chosenId) : siblings.length - 1);
		const chosen = siblings[index === -1 ? siblings.length - 1 : index];
		if (seen.has(chosen.id)) break;
		seen.add(chosen.id);
		thread.push({ message: chosen, siblingIds: siblings.map((message) => message.id), index: siblings.indexOf(chosen) });
		parent = chosen.id;
	}
	return thread;
}
