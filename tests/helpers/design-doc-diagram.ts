// A three-box diagram written straight into a canvas's records (valid tldraw records: the server
// reverts invalid ones): Web app → API → PostgreSQL, with kinds, a technology and labelled arrows.
import { arrowBinding, arrowShape, geoShape, richText } from './tldraw-records.ts';

interface Records {
	set(key: string, value: unknown): unknown;
	doc: { transact(f: () => void): void } | null;
}

export const THREE_TIER = [
	{ id: 'shape:web', label: 'Web app', kind: 'client', x: 100 },
	{ id: 'shape:api', label: 'Orders API', kind: 'service', technology: 'Node.js', x: 400 },
	{ id: 'shape:db', label: 'Orders DB', kind: 'database', technology: 'PostgreSQL 17', x: 700 }
] as const;

export const THREE_TIER_ARROWS = [
	{ id: 'shape:web-api', from: 'shape:web', to: 'shape:api', label: 'HTTPS' },
	{ id: 'shape:api-db', from: 'shape:api', to: 'shape:db', label: 'SQL' }
] as const;

export function seedThreeTierDiagram(records: Records): void {
	records.doc!.transact(() => {
		THREE_TIER.forEach((node, index) => {
			const meta = { kind: node.kind, ...('technology' in node ? { technology: node.technology } : {}) };
			records.set(node.id, geoShape(node.id, { x: node.x, y: 200, index: `a${index + 2}`, meta }, { w: 180, h: 90, richText: richText(node.label) }));
		});
		THREE_TIER_ARROWS.forEach((arrow, index) => {
			records.set(arrow.id, arrowShape(arrow.id, { index: `a${index + 5}` }, { richText: richText(arrow.label) }));
			for (const [terminal, target] of [
				['start', arrow.from],
				['end', arrow.to]
			] as const) {
				const id = `binding:${arrow.id.slice('shape:'.length)}-${terminal}`;
				records.set(id, arrowBinding(id, arrow.id, target, terminal));
			}
		});
	});
}
