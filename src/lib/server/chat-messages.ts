// What a person may change in the chat beside a canvas (`chat:<canvasId>`), as rules over each
// changed message's state before and after a client's transaction, without Yjs events or I/O: a
// client may add a plain user message and edit or delete (by flag) its own; the author and time are
// the server's to stamp; assistant messages and every other field belong to the server. The
// collaboration server's ChatValidation extension reads the states and reverts what is refused.
import * as Y from 'yjs';
import { AUTHOR_EDITABLE_KEYS, MESSAGE_KEYS, type ChatAuthor } from '../chat/chat-document.ts';

export interface ChatLimits {
	/** Longest text a person may write in one message (UTF-16 code units, as Y.Text counts). */
	maxMessageChars: number;
	/** Most messages one chat may hold, every branch counted. */
	maxMessages: number;
}

/** One message as the rules see it. */
export interface MessageState {
	/** Every key but `text` whose value is plain JSON. */
	fields: Record<string, unknown>;
	/** Keys (other than `text`) whose value is a nested Yjs type: never allowed. */
	nestedKeys: string[];
	/** The text, or null when `text` is missing or not a Y.Text of plain characters (no embeds or formatting). */
	text: string | null;
}

/** One key of `messages` that a transaction touched. */
export interface MessageChange {
	/** As last accepted; null when the key held no message. */
	before: MessageState | null;
	/** Now: undefined when the key was removed, null when it holds something other than a Y.Map. */
	after: MessageState | null | undefined;
	/** The key holds another Y.Map than before, or the message's `text` another Y.Text. */
	replaced: boolean;
}

/** Who made the client transaction, as the connection was authenticated. */
export interface ChatEditor {
	kind: 'user' | 'guest';
	id: string;
}

export interface ChatRefusal {
	/** `remove` a refused new message; `restore` a refused change to one that existed. */
	action: 'remove' | 'restore';
	problem: string;
}

export interface ChatVerdicts {
	/** Refused changes, by message id; the others are accepted. */
	refused: Map<string, ChatRefusal>;
	/** New messages accepted: the server stamps their author and time next. */
	added: string[];
	/** Messages just deleted (by flag) that still hold text: the server empties it. */
	toEmpty: string[];
}

/** The keys a new message carries (createMessageMap writes exactly these). */
const NEW_MESSAGE_KEYS: ReadonlySet<string> = new Set([
	MESSAGE_KEYS.id,
	MESSAGE_KEYS.parentId,
	MESSAGE_KEYS.author,
	MESSAGE_KEYS.role,
	MESSAGE_KEYS.createdAt,
	MESSAGE_KEYS.status,
	MESSAGE_KEYS.text
]);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A value of `messages` as the rules see it; null for anything but a Y.Map. */
export function readMessageState(value: unknown): MessageState | null {
	if (!(value instanceof Y.Map)) return null;
	const state: MessageState = { fields: {}, nestedKeys: [], text: null };
	for (const [key, field] of value.entries()) {
		if (key === MESSAGE_KEYS.text) state.text = field instanceof Y.Text && isPlainText(field) ? field.toString() : null;
		else if (field instanceof Y.AbstractType) state.nestedKeys.push(key);
		else state.fields[key] = field;
	}
	return state;
}

/** Whether a Y.Text holds only characters: no embeds (which could carry anything) and no formatting. */
export function isPlainText(text: Y.Text): boolean {
	for (let item = text._start; item; item = item.right) {
		if (!item.deleted && !(item.content instanceof Y.ContentString)) return false;
	}
	return true;
}

/** Equal as plain JSON; a nested Yjs type never equals anything (its JSON could mimic a plain value). */
export function sameValue(a: unknown, b: unknown): boolean {
	if (a instanceof Y.AbstractType || b instanceof Y.AbstractType) return a === b;
	return JSON.stringify(a) === JSON.stringify(b);
}

/** The author the server stamps on a message a client added. */
export function stampedAuthor(user: { id: string; name: string; guest: boolean }): ChatAuthor {
	return { kind: user.guest ? 'guest' : 'user', id: user.id, name: user.name };
}

/**
 * What to refuse among the messages one client transaction changed. `messageIds` answers for the
 * chat after the transaction (a reply's parent must be there); `messageCount` is its size then.
 * A refused change is refused whole: a message keeps all of its last accepted state.
 */
export function validateChatChanges(
	changes: ReadonlyMap<string, MessageChange>,
	context: { editor: ChatEditor | null; messageIds: { has(id: string): boolean }; messageCount: number; limits: ChatLimits }
): ChatVerdicts {
	const refused = new Map<string, ChatRefusal>();
	const toEmpty: string[] = [];
	const additions: string[] = [];
	for (const [id, change] of changes) {
		if (change.before === null) {
			if (change.after === undefined) continue;
			additions.push(id);
			const problem = newMessageProblem(id, change.after, context);
			if (problem) refused.set(id, { action: 'remove', problem });
			continue;
		}
		const problem = editProblem(change, context.editor, context.limits);
		if (problem) {
			refused.set(id, { action: 'restore', problem });
			continue;
		}
		if (change.after?.fields[MESSAGE_KEYS.deleted] === true && change.after.text !== '') toEmpty.push(id);
	}
	// A reply to a refused message would hang off nothing: refuse it too.
	for (let grew = true; grew;) {
		grew = false;
		for (const id of additions) {
			if (refused.has(id)) continue;
			const parentId = changes.get(id)!.after!.fields[MESSAGE_KEYS.parentId];
			if (typeof parentId === 'string' && refused.get(parentId)?.action === 'remove') {
				refused.set(id, { action: 'remove', problem: 'it replies to a message that was refused' });
				grew = true;
			}
		}
	}
	const accepted = additions.filter((id) => !refused.has(id));
	const removedAgain = additions.length - accepted.length;
	if (accepted.length > 0 && context.messageCount - removedAgain > context.limits.maxMessages) {
		for (const id of accepted) refused.set(id, { action: 'remove', problem: `the chat already holds the most messages allowed (${context.limits.maxMessages})` });
		return { refused, added: [], toEmpty };
	}
	return { refused, added: accepted, toEmpty };
}

function newMessageProblem(
	id: string,
	after: MessageState | null,
	context: { editor: ChatEditor | null; messageIds: { has(id: string): boolean }; limits: ChatLimits }
): string | null {
	if (!context.editor) return 'the connection has no identity';
	if (after === null) return 'a message is a Y.Map';
	if (!UUID.test(id)) return 'a message id is a lowercase uuid';
	const { fields } = after;
	if (fields[MESSAGE_KEYS.id] !== id) return 'its id does not match its key';
	if (after.nestedKeys.length > 0) return `${after.nestedKeys[0]} holds a nested type`;
	const unknown = Object.keys(fields).find((key) => !NEW_MESSAGE_KEYS.has(key));
	if (unknown !== undefined) return `a new message may not set ${JSON.stringify(unknown.slice(0, 40))}`;
	const parentId = fields[MESSAGE_KEYS.parentId];
	if (parentId !== null && (typeof parentId !== 'string' || parentId === id || !context.messageIds.has(parentId))) return 'its parent is not a message of this chat';
	if (fields[MESSAGE_KEYS.role] !== 'user') return 'a person writes messages with role user';
	if (fields[MESSAGE_KEYS.status] !== 'done') return 'a new message has status done';
	if (after.text === null) return 'its text is not plain text in a Y.Text';
	if (after.text.length > context.limits.maxMessageChars) return `its text is longer than ${context.limits.maxMessageChars} characters`;
	return null;
}

function editProblem(change: MessageChange, editor: ChatEditor | null, limits: ChatLimits): string | null {
	const before = change.before!;
	const after = change.after;
	if (after === undefined) return 'a message is deleted with its deleted flag, never removed';
	if (after === null || change.replaced) return 'a message is changed in place, never replaced';
	const author = before.fields[MESSAGE_KEYS.author] as Partial<ChatAuthor> | undefined;
	if (before.fields[MESSAGE_KEYS.role] === 'assistant' || author?.kind === 'assistant') return "the assistant's messages are written by the server only";
	if (!editor || author?.kind !== editor.kind || author.id !== editor.id) return 'only its author may change a message';
	if (before.fields[MESSAGE_KEYS.deleted] === true) return 'a deleted message stays deleted';
	if (after.nestedKeys.length > 0) return `${after.nestedKeys[0]} holds a nested type`;
	for (const key of new Set([...Object.keys(before.fields), ...Object.keys(after.fields)])) {
		if (sameValue(before.fields[key], after.fields[key])) continue;
		if (!AUTHOR_EDITABLE_KEYS.has(key)) return `its author may not change ${JSON.stringify(key.slice(0, 40))}`;
		if (!(key in after.fields)) return `${key} is never removed`;
		const value = after.fields[key];
		if (key === MESSAGE_KEYS.editedAt && !(typeof value === 'number' && Number.isFinite(value))) return 'editedAt is a time in ms';
		if (key === MESSAGE_KEYS.deleted && value !== true) return 'deleted is only ever set to true';
	}
	if (after.text === null) return 'its text is not plain text in a Y.Text';
	if (after.text !== before.text && after.fields[MESSAGE_KEYS.deleted] !== true && after.text.length > limits.maxMessageChars) {
		return `its text is longer than ${limits.maxMessageChars} characters`;
	}
	return null;
}
