// A small architecture diagram for code-per-node tests: an Orders API (FastAPI) with arrows to a
// PostgreSQL database and a Redis cache, as valid tldraw records with the kinds and technologies
// the assistant would have set in `meta`.
import { arrowBinding, arrowShape, geoShape, richText } from './tldraw-records.ts';

export const DIAGRAM_IDS = { api: 'shape:orders-api', db: 'shape:orders-db', cache: 'shape:orders-cache' } as const;

function box(id: string, label: string, x: number, y: number, meta: Record<string, unknown>) {
	return geoShape(id, { x, y, meta }, { w: 180, h: 90, richText: richText(label) });
}

function arrow(id: string, label: string, x: number, y: number) {
	return arrowShape(id, { x, y }, { end: { x: 200, y: 0 }, richText: richText(label) });
}

function binding(arrowId: string, toId: string, terminal: 'start' | 'end') {
	return arrowBinding(`binding:${arrowId.slice('shape:'.length)}-${terminal}`, arrowId, toId, terminal);
}

/** The records of the diagram (shapes, arrows, bindings) by id; the page must exist (seedCanvas). */
export function ordersDiagram(): Record<string, unknown> {
	const records: Record<string, unknown>[] = [
		box(DIAGRAM_IDS.api, 'Orders API', 100, 100, { kind: 'service', technology: 'FastAPI' }),
		box(DIAGRAM_IDS.db, 'Orders DB', 500, 0, { kind: 'database', technology: 'PostgreSQL' }),
		box(DIAGRAM_IDS.cache, 'Session cache', 500, 250, { kind: 'cache', technology: 'Redis' }),
		arrow('shape:api-to-db', 'reads/writes', 280, 120),
		binding('shape:api-to-db', DIAGRAM_IDS.api, 'start'),
		binding('shape:api-to-db', DIAGRAM_IDS.db, 'end'),
		arrow('shape:api-to-cache', 'caches sessions', 280, 170),
		binding('shape:api-to-cache', DIAGRAM_IDS.api, 'start'),
		binding('shape:api-to-cache', DIAGRAM_IDS.cache, 'end')
	];
	return Object.fromEntries(records.map((record) => [record.id as string, record]));
}

/** What a model might answer for each node: fenced files with paths and the imports that wire it. */
export const ORDERS_CODE = {
	api: [
		'Here is the service.',
		'```python path=main.py',
		'import os',
		'from fastapi import FastAPI',
		'from redis import Redis',
		'from sqlalchemy import create_engine',
		'',
		"engine = create_engine(os.environ['DATABASE_URL'])",
		"cache = Redis.from_url(os.environ['REDIS_URL'])",
		'app = FastAPI()',
		'```',
		'```text path=requirements.txt',
		'fastapi',
		'redis',
		'sqlalchemy',
		'```'
	].join('\n'),
	db: ['```python path=models.py', 'from sqlalchemy.orm import DeclarativeBase', '', 'class Base(DeclarativeBase):', '    pass', '```'].join('\n'),
	cache: ['```python', '# file: cache.py', 'from redis import Redis', '', 'def connect(url: str) -> Redis:', '    return Redis.from_url(url)', '```'].join('\n')
};
