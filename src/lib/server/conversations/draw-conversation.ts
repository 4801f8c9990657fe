// Makes a canvas show a conversation as the database holds it: a frame titled with the
// conversation, a card per message (ids derived from the message's, so every writer and every
// retry draws the same records), an arrow bound from each parent's card to its child's, and an
// asset record per stored image. Idempotent: drawing again adds what is missing (a push whose
// drawing failed, a card someone deleted), updates what changed and lays the tree out again.
//
// Layout memory: a card's `meta.layout` is where layout last put it. A card whose position differs
// from it (or that left the frame) was moved by a person: it stays, and the tree works around it.
// The frame is placed in free space once; after that it stays where people put it and only grows.
import { eq } from 'drizzle-orm';
import { documentName } from '../../document-names.ts';
import { conversationFrameShapeId, MESSAGE_CARD_TYPE, messageCardShapeId, type MessageCardProps } from '../../conversations/message-card.ts';
import { readCanvasGraph } from '../../diagram/canvas-graph.ts';
import { pageToParentSpace, ShapeGeometry, type ShapeRecord } from '../../diagram/shape-geometry.ts';
import type { CanvasDraft, CollaborationControl, DocumentWriter, MapDraft } from '../collaboration-control.ts';
import type { Queryable } from '../db/index.ts';
import { conversations } from '../db/schema.ts';
import { tldrawSchema } from '../canvas-records.ts';
import { freePosition, type Box } from '../ai/diagram-layout.ts';
import { arrowRecords, indexesAbove, placeArrows, type ShapeJson } from '../ai/shape-records.ts';
import { occupiedBoxes } from '../ai/tool-session.ts';
import { assetSrc } from '../../asset-urls.ts';
import { layoutConversationTree, makeRoomForPinned } from './conversation-layout.ts';
import { estimateCardHeight, imageAssetRecordId, messageCardProps, toolResultsByMessage } from './message-cards.ts';
import { contentOf, messagesOf, type MessageRow } from './message-rows.ts';

/** Room between the frame's edge and the cards in it. */
export const FRAME_PADDING = 40;
const DEFAULT_PAGE_ID = 'page:page';
const DOCUMENT_ID = 'document:document';

/** The arrow (and its bindings) from a message's parent's card to its card. */
export function messageLinkIds(messageId: string): { arrow: string; start: string; end: string } {
	return { arrow: `shape:message-link-${messageId}`, start: `binding:message-link-${messageId}-start`, end: `binding:message-link-${messageId}-end` };
}

interface PlannedCard {
	row: MessageRow;
	id: string;
	props: MessageCardProps;
	/** Where layout puts it, in the frame's coordinates. */
	box: Box;
}

/** Draws conversation `conversationId` onto its canvas as the database holds it now. Resolves once the change is applied. */
export async function drawConversation(deps: { db: Queryable; collaboration: CollaborationControl }, conversationId: string, writer: DocumentWriter): Promise<void> {
	const [conversation] = await deps.db.select().from(conversations).where(eq(conversations.id, conversationId));
	if (!conversation) return; // deleted meanwhile, with its canvas
	const rows = await messagesOf(deps.db, conversationId);
	const name = documentName('canvas', conversation.canvasId);
	const { records } = await deps.collaboration.readDocument(name);
	const frameId = conversationFrameShapeId(conversationId);
	const existingFrame = shapeIn(records, frameId, 'frame');
	const pageId = existingFrame ? pageOfShape(records, frameId) : firstPageId(records);

	const results = toolResultsByMessage(rows);
	const cards = rows.map((row) => {
		const id = messageCardShapeId(row.id);
		const props = withStreamedText(messageCardProps(row, results.get(row.id)), shapeIn(records, id, MESSAGE_CARD_TYPE), row);
		return { row, id, props };
	});
	const laidOut = await layoutConversationTree(
		cards.map((card) => ({ id: card.id, parentId: card.row.parentId ? messageCardShapeId(card.row.parentId) : null, w: card.props.w, h: card.props.h }))
	);
	const frameOrigin = existingFrame ? { x: existingFrame.x, y: existingFrame.y } : null;
	// Cards people placed, as boxes in the frame's coordinates: the laid-out ones keep clear of them.
	const pinned = new Map<string, Box>();
	const geometry = shapeGeometry(records);
	for (const card of cards) {
		const shape = shapeIn(records, card.id, MESSAGE_CARD_TYPE);
		if (!shape || !isPlacedByHand(shape, frameId)) continue;
		if (shape.parentId === frameId) pinned.set(card.id, { x: shape.x, y: shape.y, w: card.props.w, h: card.props.h });
		else if (frameOrigin) {
			const page = geometry.pageBounds(card.id);
			pinned.set(card.id, { x: page.x - frameOrigin.x, y: page.y - frameOrigin.y, w: page.w, h: page.h });
		}
	}
	const unpinned = new Map([...laidOut].filter(([id]) => !pinned.has(id)).map(([id, box]) => [id, { ...box, x: box.x + FRAME_PADDING, y: box.y + FRAME_PADDING }]));
	const placed = makeRoomForPinned(unpinned, [...pinned.values()]);
	const planned: PlannedCard[] = cards.map((card) => ({
		...card,
		box: placed.get(card.id) ?? pinned.get(card.id) ?? { x: FRAME_PADDING, y: FRAME_PADDING, w: card.props.w, h: card.props.h }
	}));

	const inFrame = [...placed.values(), ...[...pinned].filter(([id]) => shapeIn(records, id, MESSAGE_CARD_TYPE)?.parentId === frameId).map(([, box]) => box)];
	const needed = {
		w: Math.max(0, ...inFrame.map((box) => box.x + box.w)) + FRAME_PADDING,
		h: Math.max(0, ...inFrame.map((box) => box.y + box.h)) + FRAME_PADDING
	};
	const origin = frameOrigin ?? freePosition(needed, occupiedBoxes(readCanvasGraph(records, pageId)));
	const title = conversation.title || conversation.externalId || 'Conversation';

	await deps.collaboration.transact(name, writer, (draft) => {
		seedCanvas(draft, pageId);
		const frame = writeFrame(draft.records, { frameId, pageId, origin, needed, title, conversationId });
		writeImageAssets(draft.records, rows);
		const fresh = planned.filter((card) => !draft.records.has(card.id));
		const indexes = indexesAbove(draft.records, frameId, fresh.length);
		for (const card of planned) {
			const index = draft.records.has(card.id) ? undefined : indexes[fresh.indexOf(card)];
			writeCard(draft.records, card, { frameId, conversationId, index });
		}
		writeLinks(draft, planned, { frame, pageId, conversationId });
	});
}

/** Text a stream put on the card beyond what this read of the database holds stays (text only grows while streaming). */
function withStreamedText(props: MessageCardProps, shape: ShapeJson | undefined, row: MessageRow): MessageCardProps {
	const current = shape?.props as MessageCardProps | undefined;
	if (row.status !== 'streaming' || current?.status !== 'streaming' || typeof current.text !== 'string' || current.text.length <= props.text.length) return props;
	const grown = { ...props, text: current.text };
	return { ...grown, h: estimateCardHeight(grown) };
}

/** Whether a person moved the card: it left the frame, or it is not where layout last put it. */
function isPlacedByHand(shape: ShapeJson, frameId: string): boolean {
	if (shape.parentId !== frameId) return true;
	const layout = (shape.meta as { layout?: { x?: unknown; y?: unknown } } | undefined)?.layout;
	if (!layout || typeof layout.x !== 'number' || typeof layout.y !== 'number') return false;
	return Math.abs(layout.x - shape.x) > 0.5 || Math.abs(layout.y - shape.y) > 0.5;
}

/** A canvas nobody opened yet has no page: the document and first page a browser would create, with the schema they follow. */
function seedCanvas(draft: CanvasDraft, pageId: string): void {
	if (draft.records.has(pageId)) return;
	if (!draft.records.has(DOCUMENT_ID)) draft.records.set(DOCUMENT_ID, { id: DOCUMENT_ID, typeName: 'document', gridSize: 10, name: '', meta: {} });
	draft.records.set(pageId, { id: pageId, typeName: 'page', name: 'Page 1', index: 'a1', meta: {} });
	if (!draft.meta.has('schema')) draft.meta.set('schema', tldrawSchema.serialize());
}

/** Creates the frame, or grows it to hold the cards (people may have made it bigger; it never shrinks). Answers it as written. */
function writeFrame(
	records: MapDraft,
	options: { frameId: string; pageId: string; origin: { x: number; y: number }; needed: { w: number; h: number }; title: string; conversationId: string }
): ShapeJson {
	const current = records.get(options.frameId) as ShapeJson | undefined;
	if (current?.type === 'frame') {
		const w = Math.max(Number(current.props.w) || 0, options.needed.w);
		const h = Math.max(Number(current.props.h) || 0, options.needed.h);
		const frame = { ...current, props: { ...current.props, w, h } };
		records.set(options.frameId, frame);
		return frame;
	}
	const frame: ShapeJson = {
		id: options.frameId,
		typeName: 'shape',
		type: 'frame',
		x: options.origin.x,
		y: options.origin.y,
		rotation: 0,
		index: indexesAbove(records, options.pageId, 1)[0],
		parentId: options.pageId,
		isLocked: false,
		opacity: 1,
		meta: { conversationId: options.conversationId },
		props: { w: options.needed.w, h: options.needed.h, name: options.title.slice(0, 200), color: 'black' }
	};
	records.set(options.frameId, frame);
	return frame;
}

/** An image asset record for every stored picture (the card points at it; copies and publications follow it). */
function writeImageAssets(records: MapDraft, rows: MessageRow[]): void {
	for (const row of rows) {
		for (const part of contentOf(row).parts) {
			if (part.type !== 'image' || 'url' in part.image) continue;
			const id = imageAssetRecordId(part.image.assetId);
			if (records.has(id)) continue;
			records.set(id, {
				id,
				typeName: 'asset',
				type: 'image',
				props: {
					w: part.image.width ?? 0,
					h: part.image.height ?? 0,
					name: 'image',
					isAnimated: part.image.mediaType === 'image/gif',
					mimeType: part.image.mediaType,
					src: assetSrc(part.image.assetId),
					...(part.image.bytes > 0 ? { fileSize: part.image.bytes } : {})
				},
				meta: {}
			});
		}
	}
}

/** Writes a card: its content always; its place where layout put it, unless a person placed it. */
function writeCard(records: MapDraft, card: PlannedCard, options: { frameId: string; conversationId: string; index: string | undefined }): void {
	const current = records.get(card.id) as ShapeJson | undefined;
	const props = withStreamedText(card.props, current, card.row);
	const byHand = current !== undefined && isPlacedByHand(current, options.frameId);
	const place = byHand ? { x: current.x, y: current.y, parentId: current.parentId } : { x: card.box.x, y: card.box.y, parentId: options.frameId };
	const meta = { ...(current?.meta ?? {}), conversationId: options.conversationId, messageId: card.row.id, ...(byHand ? {} : { layout: { x: place.x, y: place.y } }) };
	records.set(card.id, {
		rotation: 0,
		isLocked: false,
		opacity: 1,
		...(current ?? {}),
		id: card.id,
		typeName: 'shape',
		type: MESSAGE_CARD_TYPE,
		index: current?.index ?? options.index,
		...place,
		meta,
		props
	});
}

/**
 * The arrow from each parent's card to its child's, bound at both ends. New ones are placed as
 * tldraw would (the cards' common parent, just above them); existing ones keep their place and
 * bindings (a person may have re-pointed or detached one) and get the new geometry when still
 * bound to both cards, so the records read right without a browser redrawing them.
 */
function writeLinks(draft: CanvasDraft, cards: PlannedCard[], options: { frame: ShapeJson; pageId: string; conversationId: string }): void {
	const records = draft.records;
	const shapes = new Map<string, ShapeRecord>();
	const collect = (id: string) => {
		for (
			let shape = records.get(id) as ShapeRecord | undefined, hops = 0;
			shape && !shapes.has(shape.id) && hops < 64;
			shape = records.get(shape.parentId) as ShapeRecord | undefined, hops++
		)
			shapes.set(shape.id, shape);
	};
	for (const card of cards) collect(card.id);
	const geometry = new ShapeGeometry(shapes);
	const boxOf = (id: string): Box => geometry.pageBounds(id);
	const spaceOf = (parentId: string) => pageToParentSpace(Object.fromEntries(shapes), parentId);
	const byMessage = new Set(cards.map((card) => card.row.id));
	const links = cards.filter((card) => card.row.parentId && byMessage.has(card.row.parentId));
	const fresh = links.filter((card) => !records.has(messageLinkIds(card.row.id).arrow));
	const placements = placeArrows(
		records,
		options.pageId,
		fresh.map((card) => ({ from: messageCardShapeId(card.row.parentId!), to: card.id }))
	);
	for (const card of links) {
		const ids = messageLinkIds(card.row.id);
		const fromId = messageCardShapeId(card.row.parentId!);
		const current = records.get(ids.arrow) as ShapeJson | undefined;
		const meta = { conversationId: options.conversationId, messageId: card.row.id };
		if (!current) {
			const placement = placements[fresh.indexOf(card)];
			const { arrow, bindings } = arrowRecords({
				placement,
				from: { id: fromId, box: boxOf(fromId) },
				to: { id: card.id, box: boxOf(card.id) },
				meta,
				ids,
				toParentSpace: spaceOf(placement.parentId)
			});
			records.set(arrow.id, { ...arrow, props: { ...arrow.props, color: 'grey' } });
			for (const binding of bindings) records.set(binding.id, binding);
			continue;
		}
		const start = records.get(ids.start) as { toId?: string } | undefined;
		const end = records.get(ids.end) as { toId?: string } | undefined;
		if (start?.toId !== fromId || end?.toId !== card.id) continue;
		const { arrow } = arrowRecords({
			placement: { parentId: current.parentId, index: current.index },
			from: { id: fromId, box: boxOf(fromId) },
			to: { id: card.id, box: boxOf(card.id) },
			meta,
			ids,
			toParentSpace: spaceOf(current.parentId)
		});
		records.set(ids.arrow, { ...current, x: arrow.x, y: arrow.y, props: { ...current.props, start: arrow.props.start, end: arrow.props.end } });
	}
}

function shapeIn(records: Record<string, unknown>, id: string, type: string): ShapeJson | undefined {
	const record = records[id] as ShapeJson | undefined;
	return record?.typeName === 'shape' && record.type === type ? record : undefined;
}

function shapeGeometry(records: Record<string, unknown>): ShapeGeometry {
	const shapes = new Map<string, ShapeRecord>();
	for (const [id, record] of Object.entries(records)) if ((record as { typeName?: unknown })?.typeName === 'shape') shapes.set(id, record as ShapeRecord);
	return new ShapeGeometry(shapes);
}

function pageOfShape(records: Record<string, unknown>, id: string): string {
	return shapeGeometry(records).pageOf(id) ?? firstPageId(records);
}

/** The canvas's first page by index, or the id a browser gives the first page of an empty canvas. */
function firstPageId(records: Record<string, unknown>): string {
	const pages = Object.values(records)
		.filter((record): record is { id: string; typeName: 'page'; index: string } => (record as { typeName?: unknown })?.typeName === 'page')
		.sort((a, b) => (a.index < b.index ? -1 : a.index > b.index ? 1 : a.id < b.id ? -1 : 1));
	return pages[0]?.id ?? DEFAULT_PAGE_ID;
}
