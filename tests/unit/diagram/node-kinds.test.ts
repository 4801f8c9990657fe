// Node kinds: the words a model uses map to a kind, and every kind draws as a valid, distinct tldraw box.
import { describe, expect, it } from 'vitest';
import { NODE_KINDS, NODE_STYLES, normalizeKind } from '../../../src/lib/diagram/node-kinds.ts';
import { nodeShape } from '../../../src/lib/server/ai/shape-records.ts';
import { getIndicesAbove } from '@tldraw/utils';
import { MemoryCanvas } from '../../helpers/canvas-draft.ts';

describe('normalizeKind', () => {
	it.each([
		['database', 'database'],
		['Databases', 'database'],
		['PostgreSQL 17', 'database'],
		['Redis', 'cache'],
		['Kafka topic', 'queue'],
		['Load balancer', 'gateway'],
		['Amazon S3 bucket', 'storage'],
		['Web App', 'client'],
		['Lambda', 'function'],
		['actor', 'user'],
		['something else', 'other'],
		[undefined, 'other']
	])('%s → %s', (word, kind) => {
		expect(normalizeKind(word)).toBe(kind);
	});
});

describe('NODE_STYLES', () => {
	it('draws every kind as a box the canvas accepts, each kind looking different', () => {
		const canvas = MemoryCanvas.seeded();
		const indexes = getIndicesAbove(null, NODE_KINDS.length);
		canvas.transact((draft) => {
			NODE_KINDS.forEach((kind, position) => {
				const shape = nodeShape({
					id: `shape:${kind}`,
					pageId: 'page:page',
					index: indexes[position],
					box: { x: position * 200, y: 0, w: 180, h: 80 },
					label: kind,
					kind,
					runId: 'run'
				});
				draft.records.set(shape.id, shape);
			});
		});
		expect(canvas.commits).toBe(1);
		const looks = NODE_KINDS.map((kind) => JSON.stringify([NODE_STYLES[kind].geo, NODE_STYLES[kind].color]));
		expect(new Set(looks).size).toBe(NODE_KINDS.length);
	});
});
