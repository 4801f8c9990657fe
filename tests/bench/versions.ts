// Benchmark: version history on a 5,000-shape canvas — stored bytes per version, capture time and
// restore time (through the real collaboration server's validated write path, on embedded PGlite).
import { performance } from 'node:perf_hooks';
import * as Y from 'yjs';
import { loadConfig } from '../../src/lib/server/config.ts';
import { openDatabase } from '../../src/lib/server/db/index.ts';
import { systemActor } from '../../src/lib/server/access.ts';
import { recordsDiff } from '../../src/lib/server/canvas-records.ts';
import * as history from '../../src/lib/server/history.ts';
import { createLogger } from '../../src/lib/server/logger.ts';
import { createCollaborationServer } from '../../server/collab/index.ts';
import { MIGRATIONS_FOLDER } from '../../server/bootstrap.ts';
import { documentName } from '../../src/lib/document-names.ts';

const SHAPES = 5000;

function shape(i: number, text: string) {
	return {
		id: `shape:${i}`,
		typeName: 'shape',
		type: 'geo',
		x: (i % 100) * 120,
		y: Math.floor(i / 100) * 90,
		rotation: 0,
		index: `a1${i.toString(36)}V`,
		parentId: 'page:page',
		isLocked: false,
		opacity: 1,
		meta: {},
		props: {
			geo: 'rectangle',
			flipX: false,
			flipY: false,
			w: 100,
			h: 60,
			color: 'black',
			fill: 'none',
			dash: 'draw',
			size: 'm',
			font: 'draw',
			align: 'middle',
			verticalAlign: 'middle',
			growY: 0,
			url: '',
			scale: 1,
			labelColor: 'black',
			richText: { type: 'doc', content: [{ type: 'paragraph', content: [{ type: 'text', text }] }] }
		}
	};
}

const database = await openDatabase({ dataDir: 'memory://', migrationsFolder: MIGRATIONS_FOLDER });
const collaboration = createCollaborationServer({ db: database.db, config: loadConfig({}), logger: createLogger('silent') });
const name = documentName('canvas', crypto.randomUUID());

// The canvas as it was (version A) and as it is now (every shape moved and relabelled).
const connection = await collaboration.hocuspocus.openDirectConnection(name, { ip: 'bench' });
await connection.transact((doc) => {
	doc.getMap('records').set('document:document', { id: 'document:document', typeName: 'document', gridSize: 10, name: '', meta: {} });
	doc.getMap('records').set('page:page', { id: 'page:page', typeName: 'page', name: 'Page 1', index: 'a1', meta: {} });
	for (let i = 0; i < SHAPES; i++) doc.getMap('records').set(`shape:${i}`, shape(i, `Service ${i}`));
});
const before = await collaboration.readDocumentState(name);
let started = performance.now();
const version = await history.capture(database.db, { document: name, state: before, kind: 'named', label: 'A' });
const captureMs = performance.now() - started;
await connection.transact((doc) => {
	for (let i = 0; i < SHAPES; i++) doc.getMap('records').set(`shape:${i}`, { ...shape(i, `Renamed ${i}`), x: i });
});

// Read the version back as the restore does (history.getRecords adds only the access check).
const stored = history.decompressState((await database.db.query.documentVersions.findFirst({ where: (v, { eq }) => eq(v.id, version.id) }))!.state);
const doc = new Y.Doc();
Y.applyUpdate(doc, stored);
const versionRecords = doc.getMap('records').toJSON();

started = performance.now();
await collaboration.transact(name, { origin: 'restore', actor: systemActor('benchmark') }, (draft) => {
	const { set, remove } = recordsDiff(draft.records.toJSON(), versionRecords);
	for (const key of remove) draft.records.delete(key);
	for (const [key, value] of set) draft.records.set(key, value);
});
const restoreMs = performance.now() - started;

const after = new Y.Doc();
Y.applyUpdate(after, await collaboration.readDocumentState(name));
const restoredOk = JSON.stringify(after.getMap('records').get('shape:42')) === JSON.stringify(versionRecords['shape:42']);

console.log(`\nVersion history, ${SHAPES} shapes (${new Date().toISOString().slice(0, 10)}, node ${process.version})\n`);
console.log('| figure | value |');
console.log('| --- | --- |');
console.log(`| Yjs state of the canvas | ${(before.byteLength / 1024).toFixed(0)} KiB |`);
console.log(`| stored bytes per version (brotli) | ${(version.bytes / 1024).toFixed(0)} KiB (${((version.bytes / before.byteLength) * 100).toFixed(0)} %) |`);
console.log(`| capture (compress + insert) | ${captureMs.toFixed(0)} ms |`);
console.log(`| restore (diff applied as one forward change) | ${restoreMs.toFixed(0)} ms |`);
console.log(`| restored content matches the version | ${restoredOk ? 'yes' : 'NO'} |`);

await collaboration.persistence.flush();
await connection.disconnect();
await collaboration.shutdown();
await database.close();
if (!restoredOk) process.exit(1);
