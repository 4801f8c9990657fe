// Pure helpers of the chat panel: who is typing, what is unread, which branch is shown, whether a
// message asks the assistant. No Svelte, no Yjs documents: unit-tested on their own.
import type { ChatMessage, ThreadEntry } from './chat-document.ts';

/** Someone else writing in the chat right now (from awareness, identity stamped by the server). */
export interface Typist {
	clientId: number;
	id: string;
	name: string;
	color: string;
}

/** Everyone but this client (and this person's other tabs) whose awareness says they are typing. */
export function typistsOf(awareness: { clientID: number; getStates(): Map<number, Record<string, unknown>> }, myId: string): Typist[] {
	const typists: Typist[] = [];
	for (const [clientId, state] of awareness.getStates()) {
		if (clientId === awareness.clientID || !state?.typing) continue;
		const user = state.user as { id?: unknown; name?: unknown; color?: unknown } | undefined;
		if (!user || typeof user.id !== 'string' || typeof user.name !== 'string' || user.id === myId) continue;
		if (typists.some((typist) => typist.id === user.id)) continue;
		typists.push({ clientId, id: user.id, name: user.name, color: typeof user.color === 'string' ? user.color : '#868e96' });
	}
	return typists;
}

/** "Ada is typing…", "Ada and Bo are typing…", "Ada and 2 others are typing…"; '' when nobody is. */
export function typingLine(typists: readonly Pick<Typist, 'name'>[]): string {
	if (typists.length === 0) return '';
	if (typists.length === 1) return `${typists[0].name} is typing…`;
	if (typists.length === 2) return `${typists[0].name} and ${typists[1].name} are typing…`;
	return `${typists[0].name} and ${typists.length - 1} others are typing…`;
}

/** Messages by others newer than what this reader last saw (deleted ones don't count). */
export function unreadCount(messages: readonly ChatMessage[], lastReadAt: number, isMine: (message: ChatMessage) => boolean): number {
	return messages.filter((message) => message.createdAt > lastReadAt && !message.deleted && !isMine(message)).length;
}

/** The newest time among messages (what "read up to" moves to when the panel shows them). */
export function newestMessageAt(messages: readonly ChatMessage[]): number {
	return messages.reduce((newest, message) => Math.max(newest, message.createdAt), 0);
}

/** A message typed to the assistant (`@ai …`): the prompt without the address, else null. */
export function assistantPromptOf(text: string): string | null {
	const match = /^\s*@ai\b[\s,:]*([\s\S]*)$/i.exec(text);
	if (!match) return null;
	return match[1].trim() || null;
}

/** The reader's branch choices after stepping `delta` siblings from a thread entry (wrapping is not allowed). */
export function chooseSibling(choices: ReadonlyMap<string, string>, entry: ThreadEntry, delta: number): Map<string, string> {
	const next = new Map(choices);
	const index = Math.min(entry.siblingIds.length - 1, Math.max(0, entry.index + delta));
	next.set(entry.message.parentId ?? '', entry.siblingIds[index]);
	return next;
}

/** Choices that show a given message (e.g. the sibling just created by an edit). */
export function showMessage(choices: ReadonlyMap<string, string>, message: Pick<ChatMessage, 'id' | 'parentId'>): Map<string, string> {
	return new Map(choices).set(message.parentId ?? '', message.id);
}

const TIME = new Intl.DateTimeFormat('en', { hour: 'numeric', minute: '2-digit' });
const DAY_TIME = new Intl.DateTimeFormat('en', { month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' });

/** "3:04 PM" today, "Mar 2, 3:04 PM" before. */
export function messageTime(createdAt: number, now = Date.now()): string {
	const date = new Date(createdAt);
	return new Date(now).toDateString() === date.toDateString() ? TIME.format(date) : DAY_TIME.format(date);
}

/** "1.2k" for token counts in a footer. */
export function compactNumber(value: number): string {
	return value >= 10_000 ? `${Math.round(value / 1000)}k` : value >= 1000 ? `${(value / 1000).toFixed(1)}k` : String(value);
}
