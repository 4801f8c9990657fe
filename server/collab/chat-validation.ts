// Server-side validation of what clients write into a canvas's chat (`chat:<canvasId>`): the rules
// are chat-messages.ts (a person adds plain user messages and edits or deletes only their own); this
// extension applies them after every client transaction and reverts what they refuse, like
// RecordValidation does for canvas records: a refused new message is removed, a refused change to a
// message puts back its last accepted state (kept here as a shadow, since Yjs events don't carry a
// nested Y.Text's previous content). Accepted new messages get the author and time stamped by the
// server. Server-side writers (the assistant through chat-writer.ts, another instance through
// Redis) are trusted; their transactions only move the shadow along.
import type { afterLoadDocumentPayload, Connection, Extension } from '@hocuspocus/server';
import * as Y from 'yjs';
import { CONNECTION_CLOSES } from '../../src/lib/collab-protocol.ts';
import { CHAT_MESSAGES, MESSAGE_KEYS } from '../../src/lib/chat/chat-document.ts';
import {
	isPlainText,
	readMessageState,
	sameValue,
	stampedAuthor,
	validateChatChanges,
	type ChatLimits,
	type ChatRefusal,
	type MessageChange,
	type MessageState
} from '../../src/lib/server/chat-messages.ts';
import { parseDocumentName } from '../../src/lib/document-names.ts';
import type { Logger } from '../../src/lib/server/logger.ts';
import type { ConnectionContext } from './context.ts';
import { DOCUMENT_KIND_RULES } from './document-kinds.ts';
import { REVERT_LOOP, RevertLoops } from './revert-loops.ts';
import { fromClient, guardTopLevelTypes } from './unknown-types.ts';

/** A message as last accepted: its Y.Map and Y.Text (to notice them being replaced) and its state. */
interface ShadowMessage {
	map: Y.Map<unknown>;
	text: unknown;
	state: MessageState;
}

export class ChatValidation implements Extension {
	private readonly limits: ChatLimits;
	private readonly logger: Logger;
	private readonly onRejected: (count: number) => void;
	private readonly onRevertLoop: () => void;
	private readonly loops = new RevertLoops();
	private readonly now: () => number;

	constructor(options: ChatLimits & { logger: Logger; onRejected?: (count: number) => void; onRevertLoop?: () => void; now?: () => number }) {
		this.limits = { maxMessageChars: options.maxMessageChars, maxMessages: options.maxMessages };
		this.logger = options.logger;
		this.onRejected = options.onRejected ?? (() => {});
		this.onRevertLoop = options.onRevertLoop ?? (() => {});
		this.now = options.now ?? Date.now;
	}

	async afterLoadDocument({ document, documentName }: afterLoadDocumentPayload): Promise<void> {
		if (parseDocumentName(documentName)?.kind !== 'chat') return;
		guardTopLevelTypes(document, documentName, DOCUMENT_KIND_RULES.chat!.topLevelTypes, this, this.logger);
		const messages = document.getMap<unknown>(CHAT_MESSAGES);
		const shadow = new Map<string, ShadowMessage>();
		for (const key of messages.keys()) remember(shadow, messages, key);
		messages.observeDeep((events, transaction) => {
			const touched = touchedKeys(events, messages);
			if (fromClient(transaction)) this.review(document, messages, shadow, touched, transaction, documentName);
			else for (const key of touched) remember(shadow, messages, key);
		});
	}

	/** Validates what a client transaction did to `touched` messages; reverts the refused, stamps the new. */
	private review(
		document: Y.Doc,
		messages: Y.Map<unknown>,
		shadow: Map<string, ShadowMessage>,
		touched: Set<string>,
		transaction: Y.Transaction,
		documentName: string
	): void {
		const connection = (transaction.origin as { connection?: Connection }).connection;
		const user = (connection?.context as ConnectionContext | undefined)?.user;
		const changes = new Map<string, MessageChange>();
		for (const key of touched) {
			const before = shadow.get(key);
			const value = messages.get(key);
			const replaced = before !== undefined && value instanceof Y.Map && (value !== before.map || value.get(MESSAGE_KEYS.text) !== before.text);
			changes.set(key, { before: before?.state ?? null, after: messages.has(key) ? readMessageState(value) : undefined, replaced });
		}
		const verdicts = validateChatChanges(changes, {
			editor: user ? { kind: user.guest ? 'guest' : 'user', id: user.id } : null,
			messageIds: { has: (id) => messages.get(id) instanceof Y.Map },
			messageCount: messages.size,
			limits: this.limits
		});
		for (const key of touched) if (!verdicts.refused.has(key)) remember(shadow, messages, key);
		if (verdicts.refused.size === 0 && verdicts.added.length === 0 && verdicts.toEmpty.length === 0) return;
		// One server transaction right behind the client's: everyone receives both together.
		document.transact(() => {
			for (const [key, refusal] of verdicts.refused) {
				if (refusal.action === 'remove') messages.delete(key);
				else restore(messages, key, shadow.get(key)!);
			}
			for (const key of verdicts.added) {
				const message = messages.get(key) as Y.Map<unknown>;
				message.set(MESSAGE_KEYS.author, stampedAuthor(user!));
				message.set(MESSAGE_KEYS.createdAt, this.now());
			}
			for (const key of verdicts.toEmpty) {
				const text = (messages.get(key) as Y.Map<unknown>).get(MESSAGE_KEYS.text) as Y.Text;
				text.delete(0, text.length);
			}
		}, this);
		if (verdicts.refused.size > 0) this.reportRefusals(verdicts.refused, documentName, connection, user?.id);
	}

	private reportRefusals(refused: Map<string, ChatRefusal>, documentName: string, connection: Connection | undefined, userId: string | undefined): void {
		this.onRejected(refused.size);
		const details = { documentName, userId, refused: [...refused].slice(0, 5).map(([key, { problem }]) => ({ key: key.slice(0, 80), problem })) };
		if (connection && this.loops.isLooping(connection)) {
			this.onRevertLoop();
			this.logger.error(
				details,
				`closed a connection that rewrote reverted chat messages ${REVERT_LOOP.transactions} times in ${REVERT_LOOP.windowMs / 1000} s: its client writes what the server refuses (a bug in that client)`
			);
			connection.close(CONNECTION_CLOSES.REVERT_LOOP);
			return;
		}
		this.logger.warn(details, `reverted ${refused.size} refused chat message change(s) from a client`);
	}
}

/** Keys of `messages` that the events changed, directly or inside the message. */
function touchedKeys(events: Y.YEvent<Y.AbstractType<unknown>>[], messages: Y.Map<unknown>): Set<string> {
	const touched = new Set<string>();
	for (const event of events) {
		if (event.target === messages) for (const key of (event as Y.YMapEvent<unknown>).keysChanged) touched.add(key);
		else {
			const [key] = event.path;
			if (typeof key === 'string') touched.add(key);
		}
	}
	return touched;
}

/** Takes a message's current state as accepted (or forgets a key that no longer holds a message). */
function remember(shadow: Map<string, ShadowMessage>, messages: Y.Map<unknown>, key: string): void {
	const map = messages.get(key);
	const state = readMessageState(map);
	if (!(map instanceof Y.Map) || !state) {
		shadow.delete(key);
		return;
	}
	shadow.set(key, { map, text: map.get(MESSAGE_KEYS.text), state });
}

/** Puts a message back as last accepted: in place when its Y.Map is still there, else as a new Y.Map. */
function restore(messages: Y.Map<unknown>, key: string, accepted: ShadowMessage): void {
	const { fields, text } = accepted.state;
	const live = messages.get(key);
	if (live !== accepted.map) {
		const message = new Y.Map<unknown>();
		for (const [field, value] of Object.entries(fields)) message.set(field, value);
		message.set(MESSAGE_KEYS.text, new Y.Text(text ?? ''));
		messages.set(key, message);
		return;
	}
	for (const field of [...accepted.map.keys()]) if (field !== MESSAGE_KEYS.text && !(field in fields)) accepted.map.delete(field);
	for (const [field, value] of Object.entries(fields)) if (!sameValue(accepted.map.get(field), value)) accepted.map.set(field, value);
	if (text === null) return;
	const liveText = accepted.map.get(MESSAGE_KEYS.text);
	if (liveText === accepted.text && liveText instanceof Y.Text && isPlainText(liveText)) rewriteText(liveText, text);
	else accepted.map.set(MESSAGE_KEYS.text, new Y.Text(text));
}

/**
 * Makes `text` read `target` by replacing only the part between their common prefix and suffix, so
 * a concurrent edit by the author elsewhere in the text survives the revert of someone else's.
 */
function rewriteText(text: Y.Text, target: string): void {
	const current = text.toString();
	if (current === target) return;
	const shorter = Math.min(current.length, target.length);
	let prefix = 0;
	while (prefix < shorter && current.charCodeAt(prefix) === target.charCodeAt(prefix)) prefix++;
	// Never split a surrogate pair: Yjs would replace the halves with U+FFFD.
	if (prefix > 0 && isHighSurrogate(current.charCodeAt(prefix - 1))) prefix--;
	let suffix = 0;
	while (suffix < shorter - prefix && current.charCodeAt(current.length - 1 - suffix) === target.charCodeAt(target.length - 1 - suffix)) suffix++;
	if (suffix > 0 && isLowSurrogate(current.charCodeAt(current.length - suffix))) suffix--;
	text.delete(prefix, current.length - prefix - suffix);
	text.insert(prefix, target.slice(prefix, target.length - suffix));
}

const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;
const isLowSurrogate = (code: number) => code >= 0xdc00 && code <= 0xdfff;
