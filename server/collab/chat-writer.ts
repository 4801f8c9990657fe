// A server-side writer on a canvas's chat (the assistant streaming its answer): a direct connection
// kept open on `chat:<canvasId>`, so the document stays loaded while the run lasts, and every call
// is one transaction stamped with the writer that each reader receives live. The chat validator
// trusts these transactions (their origin is local), so the bounds a client meets are kept here.
import type { Hocuspocus } from '@hocuspocus/server';
import * as Y from 'yjs';
import { MESSAGE_KEYS, createMessageMap, messagesMap, readMessages, type ChatAuthor } from '../../src/lib/chat/chat-document.ts';
import { documentName } from '../../src/lib/document-names.ts';
import { resolveCanvasAccess } from '../../src/lib/server/access.ts';
import type { Queryable } from '../../src/lib/server/db/index.ts';
import { AppError } from '../../src/lib/server/errors.ts';
import type { ChatWriter, DocumentWriter, ServerMessage, ServerMessageUpdate } from '../../src/lib/server/runtime.ts';
import type { ConnectionContext } from './context.ts';

/** Longest text the server writes into one message: an answer far beyond any model's output, still a bound. */
export const MAX_SERVER_MESSAGE_CHARS = 200_000;

/** The fields `update` may write (ServerMessageUpdate's keys); anything else a caller passes is ignored. */
const UPDATABLE_KEYS = [
	MESSAGE_KEYS.status,
	MESSAGE_KEYS.creditsCharged,
	MESSAGE_KEYS.usage,
	MESSAGE_KEYS.changes,
	MESSAGE_KEYS.error,
	MESSAGE_KEYS.queuePosition
] as const;

export interface ChatWriterBounds {
	maxMessages: number;
	maxMessageChars?: number;
	/** Whether the document reached its size limit (then nothing may grow it). */
	isFull(documentName: string): boolean;
	/** Whether the document was deleted (with its canvas) while the writer was open. */
	isDiscarded(documentName: string): boolean;
}

/**
 * Opens a writer on the chat of `canvasId`. NOT_FOUND when the canvas is gone or the writer's actor
 * may not see it (a run of another team, or on behalf of someone who left): a chat is never
 * written, and so never stored, without a canvas someone may read.
 */
export async function openChatWriter(
	hocuspocus: Hocuspocus<ConnectionContext>,
	db: Queryable,
	canvasId: string,
	writer: DocumentWriter,
	bounds: ChatWriterBounds
): Promise<ChatWriter> {
	await resolveCanvasAccess(db, writer.actor, canvasId);
	const name = documentName('chat', canvasId);
	const maxChars = bounds.maxMessageChars ?? MAX_SERVER_MESSAGE_CHARS;
	let connection: Awaited<ReturnType<typeof hocuspocus.openDirectConnection>> | null = await hocuspocus.openDirectConnection(name, { ip: 'server', writer });

	/** The live document, while the writer is open and the chat still exists. */
	const live = (): Y.Doc => {
		const document = connection?.document;
		if (!document) throw new AppError('NOT_FOUND', 'This chat writer is closed.');
		if (bounds.isDiscarded(name)) throw new AppError('NOT_FOUND', 'The canvas of this chat was deleted.');
		return document;
	};
	const messageOf = (messageId: string): Y.Map<unknown> => {
		const message = messagesMap(live()).get(messageId);
		if (!(message instanceof Y.Map)) throw new AppError('NOT_FOUND', `The chat has no message ${messageId}.`);
		return message;
	};
	const refuseGrowth = () => {
		if (bounds.isFull(name)) throw new AppError('LIMIT_EXCEEDED', 'This chat has reached its size limit.');
	};

	return {
		messages: () => readMessages(live()),
		async addMessage(message: ServerMessage) {
			const messages = messagesMap(live());
			if (messages.has(message.id)) throw new AppError('CONFLICT', `The chat already has a message ${message.id}.`);
			if (messages.size >= bounds.maxMessages) throw new AppError('LIMIT_EXCEEDED', `The chat already holds the most messages allowed (${bounds.maxMessages}).`);
			if (message.text.length > maxChars) throw new AppError('LIMIT_EXCEEDED', `A message may hold at most ${maxChars} characters.`);
			refuseGrowth();
			await connection!.transact(() => {
				const map = createMessageMap({ ...message, createdAt: Date.now() });
				if (message.runId !== undefined) map.set(MESSAGE_KEYS.runId, message.runId);
				if (message.tier !== undefined) map.set(MESSAGE_KEYS.tier, message.tier);
				if (message.work !== undefined) map.set(MESSAGE_KEYS.work, message.work);
				messages.set(message.id, map);
			});
		},
		async appendText(messageId, text) {
			const content = messageOf(messageId).get(MESSAGE_KEYS.text);
			if (!(content instanceof Y.Text)) throw new AppError('INVALID_INPUT', `Message ${messageId} has no text to append to.`);
			if (text.length === 0) return;
			if (content.length + text.length > maxChars) throw new AppError('LIMIT_EXCEEDED', `A message may hold at most ${maxChars} characters.`);
			refuseGrowth();
			await connection!.transact(() => content.insert(content.length, text));
		},
		async update(messageId, fields: ServerMessageUpdate) {
			const message = messageOf(messageId);
			await connection!.transact(() => {
				for (const key of UPDATABLE_KEYS) {
					const value = fields[key];
					if (value === undefined) continue;
					if (value === null) message.delete(key);
					else message.set(key, value);
				}
			});
		},
		async renameAuthor(authorId, name) {
			const messages = messagesMap(live());
			const written = [...messages.values()].filter((message): message is Y.Map<unknown> => {
				const author = message instanceof Y.Map ? (message.get(MESSAGE_KEYS.author) as ChatAuthor | undefined) : undefined;
				return author?.kind === 'user' && author.id === authorId && author.name !== name;
			});
			if (written.length === 0) return 0;
			await connection!.transact(() => {
				for (const message of written) message.set(MESSAGE_KEYS.author, { ...(message.get(MESSAGE_KEYS.author) as ChatAuthor), name });
			});
			return written.length;
		},
		async close() {
			const closing = connection;
			connection = null;
			await closing?.disconnect();
		}
	};
}
