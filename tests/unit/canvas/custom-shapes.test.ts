// The browser's shapes against the server's schema: every store the browser makes writes its schema to
// the canvas's `meta.schema` and the server validates every record with its own; the two must agree,
// or cards (or any future shape) would be refused, dropped or migrated wrongly on one side.
import { createTLStore, type TLRecord } from 'tldraw';
import { describe, expect, it } from 'vitest';
import { easelBindingUtils, easelShapeUtils } from '../../../src/lib/canvas/custom-shapes.ts';
import { readOnlyStore } from '../../../src/lib/canvas/read-only-view.ts';
import { KNOWN_BINDING_TYPES, KNOWN_SHAPE_TYPES, tldrawSchema } from '../../../src/lib/server/canvas-records.ts';
import { messageCard, toolCall } from '../../helpers/message-cards.ts';
import { DOCUMENT_RECORD, PAGE_RECORD } from '../../helpers/tldraw-records.ts';

function browserStore() {
	return createTLStore({ shapeUtils: easelShapeUtils, bindingUtils: easelBindingUtils });
}

describe('Easel shape utils', () => {
	it("serialize to exactly the server's tldraw schema", () => {
		expect(browserStore().schema.serialize()).toEqual(tldrawSchema.serialize());
	});

	it('cover every shape and binding type the server knows, and no other', () => {
		// tldraw adds its core `group` shape to every store itself.
		const shapeTypes = new Set([...easelShapeUtils.map((util) => util.type), 'group']);
		expect(shapeTypes).toEqual(new Set([...KNOWN_SHAPE_TYPES, 'group']));
		expect(new Set(easelBindingUtils.map((util) => util.type))).toEqual(KNOWN_BINDING_TYPES);
	});

	it('accept a card the server accepts, and refuse one it refuses', () => {
		const card = messageCard('shape:card', { text: '**Hello**', toolCalls: [toolCall('call_1', 'search', { q: 'x' })], inputTokens: 12, costUsd: 0.0004 });
		const store = browserStore();
		expect(() => tldrawSchema.validateRecord(null as never, card as TLRecord, 'createRecord', null)).not.toThrow();
		store.put([DOCUMENT_RECORD as TLRecord, PAGE_RECORD as TLRecord, card as TLRecord]);
		expect(store.get(card.id as TLRecord['id'])).toEqual(card);

		const bad = messageCard('shape:bad', { role: 'narrator' as never });
		expect(() => tldrawSchema.validateRecord(null as never, bad as TLRecord, 'createRecord', null)).toThrow();
		expect(() => store.put([bad as TLRecord])).toThrow();
	});

	it('keep cards in the read-only views (version previews, published canvases, exports)', () => {
		const card = messageCard('shape:card', { text: 'kept' });
		const store = readOnlyStore({ [DOCUMENT_RECORD.id]: DOCUMENT_RECORD, [PAGE_RECORD.id]: PAGE_RECORD, [card.id]: card });
		expect(store.get(card.id as TLRecord['id'])).toEqual(card);
	});
});
