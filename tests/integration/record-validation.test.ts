// Clients that write invalid tldraw records into a canvas: the server reverts each bad change at
// once (previous value back, or the new record removed), other clients keep working, and what is
// stored is the valid canvas.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTLSchema } from '@tldraw/tlschema';
import { api, connectCanvas, createCanvas, signUp, waitFor, type CanvasClient } from '../helpers/clients.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { DOCUMENT_RECORD, PAGE_RECORD, geoShape, richText } from '../helpers/tldraw-records.ts';

let server: RunningServer;
const clients: CanvasClient[] = [];

beforeAll(async () => {
	server = await startServer({ env: { MAX_RECORD_BYTES: '8192', MAX_RECORDS_PER_CANVAS: '100' } });
});

afterAll(async () => {
	for (const client of clients) client.destroy();
	await server?.dispose();
});

/** A canvas with its document and page, and two connected clients (the writer and a bystander). */
async function canvasWithTwoClients() {
	// A user per canvas: the free plan's canvas limit would stop one user partway through.
	const owner = await signUp(server.url, 'Validator');
	const canvasId = await createCanvas(server.url, owner, 'Validated');
	const [writer, bystander] = [0, 1].map(() => {
		const client = connectCanvas(server.wsUrl, `canvas:${canvasId}`, owner.token);
		clients.push(client);
		return client;
	});
	await Promise.all([writer.synced, bystander.synced]);
	writer.doc.transact(() => {
		writer.records.set(DOCUMENT_RECORD.id, DOCUMENT_RECORD);
		writer.records.set(PAGE_RECORD.id, PAGE_RECORD);
		writer.records.set('shape:good', geoShape('shape:good'));
	});
	await waitFor(() => bystander.records.has('shape:good'), 5000, 'the valid shape to arrive');
	return { canvasId, owner, writer, bystander };
}

const { id: _omitProps, props: _props, ...shapeWithoutProps } = { ...geoShape('shape:bad'), id: 'shape:bad' };

const invalidRecords: [string, Record<string, unknown>][] = [
	['missing props', { ...shapeWithoutProps, id: 'shape:bad' }],
	['a NaN coordinate', geoShape('shape:bad', { x: Number.NaN })],
	['an unknown shape type', geoShape('shape:bad', { type: 'flamethrower' })],
	['an unknown record type', { id: 'shape:bad', typeName: 'spell', meta: {} }],
	['a per-session record', { id: 'shape:bad', typeName: 'camera', x: 0, y: 0, z: 1, meta: {} }],
	['a dangling parent', geoShape('shape:bad', { parentId: 'page:nowhere' })],
	['an oversized string', geoShape('shape:bad', {}, { richText: richText('x'.repeat(20_000)) })],
	['an id that does not match its key', geoShape('shape:other')],
	['an invalid style value', geoShape('shape:bad', {}, { color: 'octarine' })]
];

describe('invalid records from a client', () => {
	it.each(invalidRecords)('a new record with %s is removed again, and the bystander carries on', async (_what, record) => {
		const { writer, bystander } = await canvasWithTwoClients();
		writer.records.set('shape:bad', record);
		writer.records.set('shape:after', geoShape('shape:after', { x: 300 }));
		await waitFor(() => bystander.records.has('shape:after'), 5000, 'the next valid shape to arrive');
		await waitFor(() => !writer.records.has('shape:bad') && !bystander.records.has('shape:bad'), 5000, 'the bad record to be removed everywhere');
		// The bystander's document keeps working: later edits still flow both ways.
		bystander.records.set('shape:reply', geoShape('shape:reply', { y: 400 }));
		await waitFor(() => writer.records.has('shape:reply'), 5000, 'an edit from the bystander');
	});

	it('a bad change to an existing record puts the previous value back', async () => {
		const { writer, bystander } = await canvasWithTwoClients();
		writer.records.set('shape:good', geoShape('shape:good', { x: Number.POSITIVE_INFINITY }));
		await waitFor(() => (writer.records.get('shape:good') as { x: number }).x === 100, 5000, 'the previous value back on the writer');
		expect((bystander.records.get('shape:good') as { x: number }).x).toBe(100);
		writer.records.set('shape:good', geoShape('shape:good', { x: 250 }));
		await waitFor(() => (bystander.records.get('shape:good') as { x: number }).x === 250, 5000, 'a valid move afterwards');
	});

	it('children of a refused parent are refused with it; valid siblings in the same change stay', async () => {
		const { writer, bystander } = await canvasWithTwoClients();
		writer.doc.transact(() => {
			writer.records.set('page:bad', { id: 'page:bad', typeName: 'page', name: 42, index: 'a2', meta: {} });
			writer.records.set('shape:child', geoShape('shape:child', { parentId: 'page:bad' }));
			writer.records.set('shape:sibling', geoShape('shape:sibling', { x: 500 }));
		});
		await waitFor(() => bystander.records.has('shape:sibling'), 5000, 'the valid sibling');
		await waitFor(() => !bystander.records.has('page:bad') && !bystander.records.has('shape:child'), 5000, 'the page and its child to be removed');
	});

	it('refuses meta written by an unknown tldraw schema and unknown meta keys', async () => {
		const { writer, bystander } = await canvasWithTwoClients();
		const current = createTLSchema().serialize();
		writer.doc.getMap('meta').set('schema', current);
		await waitFor(() => bystander.doc.getMap('meta').has('schema'), 5000, 'the schema to arrive');
		const newer = { ...current, sequences: { ...current.sequences, 'com.tldraw.shape.geo': 999 } };
		writer.doc.getMap('meta').set('schema', newer);
		writer.doc.getMap('meta').set('backdoor', { admin: true });
		await waitFor(
			() => JSON.stringify(writer.doc.getMap('meta').get('schema')) === JSON.stringify(current) && !writer.doc.getMap('meta').has('backdoor'),
			5000,
			'the meta map to be restored'
		);
	});

	it('stops additions past the record limit, keeps edits to existing records', async () => {
		const { writer, bystander } = await canvasWithTwoClients();
		writer.doc.transact(() => {
			for (let i = 0; i < 90; i++) writer.records.set(`shape:n${i}`, geoShape(`shape:n${i}`, { x: i }));
		});
		await waitFor(() => bystander.records.size === 93, 5000, '93 records');
		writer.doc.transact(() => {
			for (let i = 90; i < 110; i++) writer.records.set(`shape:n${i}`, geoShape(`shape:n${i}`, { x: i }));
		});
		writer.records.set('shape:n0', geoShape('shape:n0', { x: 999 }));
		await waitFor(() => (bystander.records.get('shape:n0') as { x: number } | undefined)?.x === 999, 5000, 'the edit of an existing record');
		await waitFor(() => writer.records.size === 93 && bystander.records.size === 93, 5000, 'additions past the limit to be removed');
	});

	it('the stored canvas holds only valid records, and the rejections are counted in /metrics', async () => {
		const { canvasId, owner, writer } = await canvasWithTwoClients();
		writer.records.set('shape:bad', geoShape('shape:bad', { opacity: 'very' }));
		await waitFor(() => !writer.records.has('shape:bad'), 5000, 'the bad record to be removed');
		const document = await api(server.url, `/api/v1/canvases/${canvasId}/document`, { token: owner.token });
		expect(Object.keys(document.body.records).sort()).toEqual(['document:document', 'page:page', 'shape:good']);
		const metricsText = await (await fetch(`${server.url}/metrics`)).text();
		expect(Number(/^easel_records_rejected_total (\d+)/m.exec(metricsText)?.[1])).toBeGreaterThan(0);
	});
});

describe('a client that rewrites what the server reverts', () => {
	it('is disconnected with CONFLICT after a bounded number of rounds, loudly; the others keep editing', async () => {
		const { writer, bystander } = await canvasWithTwoClients();
		const metrics = async () => (await (await fetch(`${server.url}/metrics`)).text()).match(/^easel_revert_loops_total (\S+)$/m)?.[1];
		const loopsBefore = Number(await metrics());
		const userRecord = { id: 'user:me', typeName: 'user', name: 'Me', color: '#f00', imageUrl: '', meta: {} };
		// What tldraw 5.4 did with its user record: write it back whenever the server removed it.
		let writes = 0;
		writer.records.observe(() => {
			if (writer.records.has(userRecord.id) || writes >= 200) return;
			writes++;
			setTimeout(() => writer.records.set(userRecord.id, userRecord), 0);
		});
		const closed = new Promise<string>((resolve) => writer.provider.on('close', ({ event }: { event: CloseEvent }) => resolve(event.reason)));
		writes++;
		writer.records.set(userRecord.id, userRecord);
		expect(await Promise.race([closed, new Promise((resolve) => setTimeout(() => resolve('still open'), 10_000))])).toBe('CONFLICT');
		expect(writes).toBeLessThan(60);
		expect(Number(await metrics())).toBe(loopsBefore + 1);
		expect(server.output()).toMatch(/closed a connection that rewrote reverted records/);
		expect(bystander.records.has(userRecord.id)).toBe(false);
	});
});
