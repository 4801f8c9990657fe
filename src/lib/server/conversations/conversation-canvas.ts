// The canvas side of conversations on this instance: draws queued one at a time per conversation
// (a draw that has not started yet also serves every request that asks meanwhile, since it reads
// the database when it starts), streamed text written to each card coalesced to at most one write
// per STREAM_WRITE_INTERVAL_MS, and the tree laid out again while a card grows, at most once per
// RELAYOUT_INTERVAL_MS. The database holds the text in order; a card's text only ever grows to
// what the database held at some moment, so writes from several instances interleave safely.
import { eq } from 'drizzle-orm';
import { documentName } from '../../document-names.ts';
import { MESSAGE_CARD_TYPE, messageCardShapeId, type MessageCardProps } from '../../conversations/message-card.ts';
import type { CollaborationControl, DocumentWriter } from '../collaboration-control.ts';
import type { Queryable } from '../db/index.ts';
import { conversationMessages } from '../db/schema.ts';
import type { Logger } from '../logger.ts';
import type { ShapeJson } from '../ai/shape-records.ts';
import { drawConversation } from './draw-conversation.ts';
import { estimateCardHeight } from './message-cards.ts';

/** At most this often a streaming card's text is written (≤ 10 updates a second reach every viewer). */
export const STREAM_WRITE_INTERVAL_MS = 100;
/** At most this often a conversation is laid out again while one of its cards grows. */
export const RELAYOUT_INTERVAL_MS = 1000;

type Deps = { db: Queryable; collaboration: CollaborationControl; logger: Logger };

interface DrawQueue {
	running: Promise<void> | null;
	/** A draw not started yet: whoever asks now is served by it. */
	waiting: Promise<void> | null;
}

interface StreamingCard {
	conversationId: string;
	canvasId: string;
	writer: DocumentWriter;
	timer: ReturnType<typeof setTimeout> | null;
	running: Promise<void> | null;
	lastWriteAt: number;
	dirty: boolean;
}

interface State {
	draws: Map<string, DrawQueue>;
	cards: Map<string, StreamingCard>;
	relayouts: Map<string, ReturnType<typeof setTimeout>>;
}

// One state per collaboration server (tests may run several in one process).
const states = new WeakMap<CollaborationControl, State>();

function stateOf(collaboration: CollaborationControl): State {
	let state = states.get(collaboration);
	if (!state) states.set(collaboration, (state = { draws: new Map(), cards: new Map(), relayouts: new Map() }));
	return state;
}

/** Draws the conversation as the database holds it once this call was made; resolves when the canvas shows it. */
export function draw(deps: Deps, conversationId: string, writer: DocumentWriter): Promise<void> {
	const { draws } = stateOf(deps.collaboration);
	const queue = draws.get(conversationId) ?? { running: null, waiting: null };
	draws.set(conversationId, queue);
	if (queue.waiting) return queue.waiting;
	const waiting = (queue.running ?? Promise.resolve())
		.catch(() => undefined)
		.then(() => {
			queue.waiting = null;
			const running = drawConversation(deps, conversationId, writer);
			queue.running = running;
			return running.finally(() => {
				if (queue.running === running) queue.running = null;
				if (!queue.running && !queue.waiting) draws.delete(conversationId);
			});
		});
	queue.waiting = waiting;
	return waiting;
}

/** Text was appended to a streaming message in the database: its card follows, coalesced. */
export function streamed(deps: Deps, message: { id: string; conversationId: string; canvasId: string }, writer: DocumentWriter): void {
	const { cards } = stateOf(deps.collaboration);
	const card = cards.get(message.id) ?? { ...message, writer, timer: null, running: null, lastWriteAt: 0, dirty: false };
	cards.set(message.id, card);
	card.writer = writer;
	card.dirty = true;
	schedule(deps, message.id, card);
}

/** Waits for the card's pending stream write, and stops further ones (the message completed: its final draw follows). */
export async function settle(deps: Deps, messageId: string): Promise<void> {
	const { cards } = stateOf(deps.collaboration);
	const card = cards.get(messageId);
	if (!card) return;
	if (card.timer) clearTimeout(card.timer);
	card.timer = null;
	card.dirty = false;
	await card.running?.catch(() => undefined);
	if (cards.get(messageId) === card && !card.dirty) cards.delete(messageId);
}

function schedule(deps: Deps, messageId: string, card: StreamingCard): void {
	if (card.timer || card.running) return;
	const wait = Math.max(0, card.lastWriteAt + STREAM_WRITE_INTERVAL_MS - Date.now());
	card.timer = setTimeout(() => {
		card.timer = null;
		card.dirty = false;
		card.lastWriteAt = Date.now();
		card.running = writeStreamedText(deps, messageId, card)
			.catch((error: unknown) => deps.logger.warn({ err: error, messageId }, 'could not write streamed text to its card'))
			.finally(() => {
				card.running = null;
				const { cards } = stateOf(deps.collaboration);
				if (card.dirty) schedule(deps, messageId, card);
				else if (cards.get(messageId) === card) cards.delete(messageId);
			});
	}, wait);
	card.timer.unref?.();
}

/** Puts the message's text as the database holds it now on its card, if that is longer than what the card shows. */
async function writeStreamedText(deps: Deps, messageId: string, card: StreamingCard): Promise<void> {
	const [row] = await deps.db.select({ text: conversationMessages.text }).from(conversationMessages).where(eq(conversationMessages.id, messageId));
	if (!row) return;
	const id = messageCardShapeId(messageId);
	let grew = false;
	await deps.collaboration.transact(documentName('canvas', card.canvasId), card.writer, (draft) => {
		const shape = draft.records.get(id) as ShapeJson | undefined;
		// No card yet: the message's draw (which failed, or is under way) puts the text there.
		if (!shape || shape.typeName !== 'shape' || shape.type !== MESSAGE_CARD_TYPE) return;
		const props = shape.props as unknown as MessageCardProps;
		if (props.status === 'complete' || typeof props.text !== 'string' || row.text.length <= props.text.length) return;
		const h = estimateCardHeight({ ...props, text: row.text });
		grew = h !== props.h;
		draft.records.set(id, { ...shape, props: { ...props, text: row.text, h } });
	});
	if (grew) relayoutSoon(deps, card.conversationId, card.writer);
}

function relayoutSoon(deps: Deps, conversationId: string, writer: DocumentWriter): void {
	const { relayouts } = stateOf(deps.collaboration);
	if (relayouts.has(conversationId)) return;
	const timer = setTimeout(() => {
		relayouts.delete(conversationId);
		draw(deps, conversationId, writer).catch((error: unknown) => deps.logger.warn({ err: error, conversationId }, 'could not lay a conversation out again'));
	}, RELAYOUT_INTERVAL_MS);
	timer.unref?.();
	relayouts.set(conversationId, timer);
}
