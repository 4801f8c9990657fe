// Random, tldraw-shaped edits of a canvas document (its `records` Y.Map), driven by a seeded PRNG:
// shapes created, moved, restyled and deleted, arrows bound to them, in transactions like the
// editor's own (one per user action).
import * as Y from 'yjs';

const PAGE_ID = 'page:page';
const COLORS = ['black', 'blue', 'green', 'red', 'orange', 'violet'] as const;
const GEOS = ['rectangle', 'ellipse', 'diamond', 'cloud', 'star'] as const;

/** The records every canvas starts with (what the browser seeds into an empty document). */
export function seedRecords(records: Y.Map<unknown>): void {
	records.doc!.transact(() => {
		records.set('document:document', { gridSize: 10, name: '', meta: {}, id: 'document:document', typeName: 'document' });
		records.set(PAGE_ID, { meta: {}, id: PAGE_ID, name: 'Page 1', index: 'a1', typeName: 'page' });
	});
}

function richText(text: string) {
	return { type: 'doc', content: [text ? { type: 'paragraph', content: [{ type: 'text', text }] } : { type: 'paragraph' }] };
}

function geoShape(id: string, random: () => number, label: string) {
	return {
		x: Math.round(random() * 2000),
		y: Math.round(random() * 2000),
		rotation: 0,
		isLocked: false,
		opacity: 1,
		meta: {},
		id,
		type: 'geo',
		parentId: PAGE_ID,
		index: `a${Math.floor(random() * 1e6).toString(36)}V`, // a fractional index key (never ends in 0)
		typeName: 'shape',
		props: {
			w: 40 + Math.round(random() * 200),
			h: 40 + Math.round(random() * 200),
			geo: pick(random, GEOS),
			dash: 'draw',
			growY: 0,
			url: '',
			scale: 1,
			flipX: false,
			flipY: false,
			color: pick(random, COLORS),
			labelColor: 'black',
			fill: 'none',
			size: 'm',
			font: 'draw',
			align: 'middle',
			verticalAlign: 'middle',
			richText: richText(label)
		}
	};
}

function arrowShape(id: string, random: () => number) {
	return {
		...geoShape(id, random, ''),
		type: 'arrow',
		props: {
			kind: 'arc',
			elbowMidPoint: 0.5,
			dash: 'draw',
			size: 'm',
			fill: 'none',
			color: pick(random, COLORS),
			labelColor: 'black',
			bend: 0,
			start: { x: 0, y: 0 },
			end: { x: 100 + Math.round(random() * 300), y: Math.round(random() * 300) },
			arrowheadStart: 'none',
			arrowheadEnd: 'arrow',
			richText: richText(''),
			labelPosition: 0.5,
			font: 'draw',
			scale: 1
		}
	};
}

function arrowBinding(id: string, arrowId: string, targetId: string, terminal: 'start' | 'end') {
	return {
		meta: {},
		id,
		type: 'arrow',
		fromId: arrowId,
		toId: targetId,
		props: { isPrecise: false, isExact: false, normalizedAnchor: { x: 0.5, y: 0.5 }, snap: 'none', terminal },
		typeName: 'binding'
	};
}

function pick<T>(random: () => number, values: readonly T[]): T {
	return values[Math.floor(random() * values.length)];
}

/** Record ids of one kind present in the map, sorted so that choices replay from the seed. */
function idsOf(records: Y.Map<unknown>, prefix: string): string[] {
	return [...records.keys()].filter((id) => id.startsWith(prefix)).sort();
}

/**
 * Makes one random user action on `records`, in one transaction: create a shape, create an arrow
 * bound to two shapes, move or restyle a shape (the whole record is replaced, as the tldraw binding
 * does), or delete a shape with the bindings that point at it. `author` keeps new ids unique.
 */
export function randomEdit(records: Y.Map<unknown>, random: () => number, author: string, serial: number, origin?: unknown): void {
	const shapes = idsOf(records, 'shape:');
	const roll = random();
	records.doc!.transact(() => {
		if (shapes.length < 4 || roll < 0.3) {
			const id = `shape:${author}-${serial}`;
			records.set(id, geoShape(id, random, `${author} ${serial}`));
		} else if (roll < 0.4) {
			const arrowId = `shape:${author}-${serial}-arrow`;
			records.set(arrowId, arrowShape(arrowId, random));
			records.set(`binding:${author}-${serial}-start`, arrowBinding(`binding:${author}-${serial}-start`, arrowId, pick(random, shapes), 'start'));
			records.set(`binding:${author}-${serial}-end`, arrowBinding(`binding:${author}-${serial}-end`, arrowId, pick(random, shapes), 'end'));
		} else if (roll < 0.85) {
			const id = pick(random, shapes);
			const current = records.get(id) as ReturnType<typeof geoShape>;
			const moved = { ...current, x: current.x + Math.round(random() * 40 - 20), y: current.y + Math.round(random() * 40 - 20) };
			if (random() < 0.3) moved.props = { ...current.props, color: pick(random, COLORS) };
			records.set(id, moved);
		} else {
			const id = pick(random, shapes);
			records.delete(id);
			for (const bindingId of idsOf(records, 'binding:')) {
				const binding = records.get(bindingId) as { fromId: string; toId: string };
				if (binding.fromId === id || binding.toId === id) records.delete(bindingId);
			}
		}
	}, origin);
}
