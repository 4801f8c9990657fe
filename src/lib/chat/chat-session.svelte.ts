// The chat beside one canvas in the browser: `chat:<canvasId>` on the tab's shared collaboration
// socket, as reactive state (Svelte 5 runes) plus the few writes a person makes to it.
import type { Awareness } from 'y-protocols/awareness';
import * as Y from 'yjs';
import { createCollabSession, type CollabSession, type CollabStatus } from '../canvas/collab-session.ts';
import { documentName } from '../document-names.ts';
import { newestMessageAt, typistsOf, unreadCount, type Typist } from './chat-view.ts';
import { MESSAGE_KEYS, createMessageMap, messagesMap, newMessageId, readMessages, type ChatAuthor, type ChatMessage } from './chat-document.ts';

/** Who is looking, as the page knows them; the server stamps the real author on what they send. */
export interface ChatMe {
	id: string;
	name: string;
	color: string;
	guest?: boolean;
}

export interface ChatSessionOptions {
	canvasId: string;
	me: ChatMe;
	/** What the page believes; the server's grant replaces it once the chat connects. */
	readOnly: boolean;
	shareToken?: string;
	/** Hocuspocus endpoint; default `ws(s)://<current host>/collab`. */
	url?: string;
}

/** localStorage key of "read up to" per canvas. */
const READ_KEY_PREFIX = 'easel-chat-read:';

function safeStorage(): Storage | null {
	try {
		return globalThis.localStorage ?? null;
	} catch {
		// Storage can be blocked (privacy settings): the badge then counts from this page load.
		return null;
	}
}

/** After this long without a keystroke, "is typing" goes away on its own. */
export const TYPING_IDLE_MS = 4_000;

export class ChatSession {
	messages: ChatMessage[] = $state([]);
	status: CollabStatus = $state('connecting');
	/** Whether the document holds the server's state (false until the first sync). */
	synced = $state(false);
	/** The server's grant once known, else the page's belief. */
	readOnly = $state(true);
	/** The server refused the chat: its error code ('FORBIDDEN', 'NOT_FOUND', …). The session stops. */
	refusal: string | null = $state(null);
	typists: Typist[] = $state([]);
	/** The reader's own branch choice at each fork (parent id, '' for the top → child id); never written to the document. */
	// eslint-disable-next-line svelte/prefer-svelte-reactivity -- reason: replaced whole (immutable updates) through $state.raw
	branchChoices: Map<string, string> = $state.raw(new Map());
	/** A message sent from this tab that the server took back (too long, the chat full, …); cleared by the next send. */
	refusedSend = $state(false);
	/** Newest message time this reader has seen (kept per canvas in this browser). */
	lastReadAt = $state(0);
	/** Messages by others since then, for the badge on the closed panel's toggle. */
	readonly unread = $derived(unreadCount(this.messages, this.lastReadAt, (message) => this.isMine(message)));

	readonly me: ChatMe;
	readonly #session: CollabSession;
	/** Messages sent from this tab: how a guest (whose id the server picks) recognises their own. */
	// eslint-disable-next-line svelte/prefer-svelte-reactivity -- reason: bookkeeping, never rendered; #reread publishes what it implies
	readonly #sentIds = new Set<string>();
	/** The author id the server stamped on a message this tab sent (differs from `me.id` for guests). */
	#stampedAuthorId: string | null = $state(null);
	#awareness: Awareness | null = null;
	#stopAwareness: (() => void) | null = null;
	#typingTimer: ReturnType<typeof setTimeout> | null = null;
	#rereadScheduled = false;
	#destroyed = false;

	readonly #readKey: string;
	/** The share link this chat was opened through: the assistant API needs it too (a guest has no session). */
	readonly shareToken: string | undefined;

	constructor(options: ChatSessionOptions) {
		this.me = options.me;
		this.shareToken = options.shareToken;
		this.readOnly = options.readOnly;
		this.#readKey = `${READ_KEY_PREFIX}${options.canvasId}`;
		this.lastReadAt = Number(safeStorage()?.getItem(this.#readKey)) || 0;
		this.#session = createCollabSession({
			documentName: documentName('chat', options.canvasId),
			shareToken: options.shareToken,
			url: options.url,
			// The chat is small and always comes whole over the socket; no stale copy to reconcile.
			stateUrl: null,
			persistLocally: false,
			onStatus: (status) => (this.status = status),
			onAuthenticated: (scope) => (this.readOnly = scope === 'readonly'),
			onSynced: () => {
				this.synced = true;
				this.#reread();
			},
			onRefused: (reason) => {
				this.refusal = reason;
				this.#bindAwareness(null);
			},
			onAwareness: (awareness) => this.#bindAwareness(awareness)
		});
		messagesMap(this.#session.doc).observeDeep(() => this.#scheduleReread());
	}

	/** Whether a message was written by the person looking. */
	isMine(message: ChatMessage): boolean {
		if (message.author.kind === 'assistant') return false;
		return message.author.id === this.me.id || message.author.id === this.#stampedAuthorId || this.#sentIds.has(message.id);
	}

	get canWrite(): boolean {
		return !this.readOnly && !this.refusal && !this.#destroyed;
	}

	/** Appends a message under `parentId` (null: the first of the chat); returns its id, or null when it can't. */
	send(text: string, parentId: string | null): string | null {
		const trimmed = text.trim();
		if (!trimmed || !this.canWrite) return null;
		const id = newMessageId();
		this.#sentIds.add(id);
		this.refusedSend = false;
		const map = createMessageMap({ id, parentId, author: this.#believedAuthor(), role: 'user', text: trimmed, status: 'done' });
		this.#session.doc.transact(() => messagesMap(this.#session.doc).set(id, map));
		this.setTyping(false);
		return id;
	}

	/**
	 * Edits one's own message the way branching chats do: a sibling with the same parent and the new
	 * text, so the original (and any answers to it) stays one `‹ 1/2 ›` away. Returns the new id.
	 */
	edit(messageId: string, text: string): string | null {
		const original = this.messages.find((message) => message.id === messageId);
		if (!original || !this.isMine(original) || original.deleted) return null;
		if (text.trim() === original.text.trim()) return null;
		return this.send(text, original.parentId);
	}

	/** Deletes one's own message: its text is emptied and it is marked deleted; its place in the tree stays. */
	remove(messageId: string): boolean {
		const message = messagesMap(this.#session.doc).get(messageId);
		const read = this.messages.find((candidate) => candidate.id === messageId);
		if (!message || !read || !this.isMine(read) || !this.canWrite) return false;
		this.#session.doc.transact(() => {
			const text = message.get(MESSAGE_KEYS.text);
			if (text instanceof Y.Text) text.delete(0, text.length);
			message.set(MESSAGE_KEYS.deleted, true);
			message.set(MESSAGE_KEYS.editedAt, Date.now());
		});
		return true;
	}

	/** Tells the others this person is typing; it lapses by itself after TYPING_IDLE_MS. */
	setTyping(typing: boolean): void {
		if (this.#typingTimer) clearTimeout(this.#typingTimer);
		this.#typingTimer = null;
		if (typing && !this.canWrite) return;
		const awareness = this.#awareness;
		if (!awareness) return;
		if (Boolean(awareness.getLocalState()?.typing) !== typing) awareness.setLocalStateField('typing', typing);
		if (typing) this.#typingTimer = setTimeout(() => this.setTyping(false), TYPING_IDLE_MS);
	}

	/** Everything shown so far counts as read (the panel is open). */
	markAllRead(): void {
		const newest = newestMessageAt(this.messages);
		if (newest <= this.lastReadAt) return;
		this.lastReadAt = newest;
		safeStorage()?.setItem(this.#readKey, String(newest));
	}

	/** Closes the chat's connection (the shared socket closes with its last document). */
	destroy(): void {
		if (this.#destroyed) return;
		this.#destroyed = true;
		if (this.#typingTimer) clearTimeout(this.#typingTimer);
		this.#bindAwareness(null);
		this.#session.destroy();
	}

	#believedAuthor(): ChatAuthor {
		return { kind: this.me.guest ? 'guest' : 'user', id: this.me.id, name: this.me.name };
	}

	// Streaming answers change their text many times a second: read the document once per frame at most.
	#scheduleReread(): void {
		if (this.#rereadScheduled) return;
		this.#rereadScheduled = true;
		const run = () => {
			this.#rereadScheduled = false;
			this.#reread();
		};
		if (typeof requestAnimationFrame === 'function') requestAnimationFrame(run);
		else queueMicrotask(run);
	}

	#reread(): void {
		if (this.#destroyed) return;
		const messages = readMessages(this.#session.doc);
		// Messages are never removed, only flagged deleted: one of ours that vanished was refused by the server.
		// eslint-disable-next-line svelte/prefer-svelte-reactivity -- reason: a local lookup, gone when this returns
		const present = new Set(messages.map((message) => message.id));
		for (const id of this.#sentIds) {
			if (present.has(id)) continue;
			this.#sentIds.delete(id);
			this.refusedSend = true;
		}
		if (!this.#stampedAuthorId) {
			const own = messages.find((message) => this.#sentIds.has(message.id));
			if (own) this.#stampedAuthorId = own.author.id;
		}
		this.messages = messages;
	}

	#bindAwareness(awareness: Awareness | null): void {
		this.#stopAwareness?.();
		this.#stopAwareness = null;
		this.#awareness = awareness;
		this.typists = [];
		if (!awareness) return;
		const onChange = () => (this.typists = typistsOf(awareness, this.me.id));
		awareness.on('change', onChange);
		this.#stopAwareness = () => awareness.off('change', onChange);
	}
}
