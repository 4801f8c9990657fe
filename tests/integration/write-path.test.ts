// The server-side write path: a writer's staged changes are validated like a client's before any of
// them commits, then applied as one transaction whose origin names the writer.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createCollaborationServer, type CollaborationServer } from '../../server/collab/index.ts';
import { AppError } from '../../src/lib/server/errors.ts';
import { loadConfig } from '../../src/lib/server/config.ts';
import { createLogger } from '../../src/lib/server/logger.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import { DOCUMENT_RECORD, PAGE_RECORD, geoShape } from '../helpers/tldraw-records.ts';

const writer = { origin: 'restore', actor: { kind: 'user', userId: '00000000-0000-4000-8000-000000000001' } } as const;

describeEachDatabase('the server-side write path', (database) => {
	let collaboration: CollaborationServer;
	beforeAll(() => {
		collaboration = createCollaborationServer({ db: database().db, config: loadConfig({ MAX_RECORD_BYTES: '4096' }), logger: createLogger('silent') });
	});
	afterAll(() => collaboration.shutdown());

	it('applies valid changes as one transaction stamped with the writer, and they are stored', async () => {
		const name = `canvas:${crypto.randomUUID()}`;
		const watcher = await collaboration.hocuspocus.openDirectConnection(name, { ip: 'test' });
		const origins: unknown[] = [];
		watcher.document!.on('update', (_update: Uint8Array, origin: unknown) => origins.push(origin));
		const result = await collaboration.transact(name, writer, (draft) => {
			draft.records.set(DOCUMENT_RECORD.id, DOCUMENT_RECORD);
			draft.records.set(PAGE_RECORD.id, PAGE_RECORD);
			draft.records.set('shape:box', geoShape('shape:box'));
			// Reads see what is staged.
			expect(draft.records.has('shape:box')).toBe(true);
			expect(draft.records.size).toBe(3);
		});
		expect(result).toEqual({ changed: 3 });
		expect(origins).toHaveLength(1);
		expect(origins[0]).toMatchObject({ source: 'local', context: { writer } });
		await watcher.disconnect();
		expect(Object.keys((await collaboration.readDocument(name)).records).sort()).toEqual(['document:document', 'page:page', 'shape:box']);
	});

	it('refuses the whole change when one staged record is invalid, naming it; nothing is written', async () => {
		const name = `canvas:${crypto.randomUUID()}`;
		await collaboration.transact(name, writer, (draft) => {
			draft.records.set(DOCUMENT_RECORD.id, DOCUMENT_RECORD);
			draft.records.set(PAGE_RECORD.id, PAGE_RECORD);
		});
		const refused = await collaboration
			.transact(name, writer, (draft) => {
				draft.records.set('shape:fine', geoShape('shape:fine'));
				draft.records.set('shape:lost', geoShape('shape:lost', { x: Number.NaN }));
				draft.records.set('user:me', { id: 'user:me', typeName: 'user', name: 'Me', color: '#f00', imageUrl: '', meta: {} });
				draft.records.delete(PAGE_RECORD.id);
			})
			.catch((error: unknown) => error);
		expect(refused).toBeInstanceOf(AppError);
		expect((refused as AppError).code).toBe('INVALID_INPUT');
		const problems = ((refused as AppError).details as { problems: { key: string }[] }).problems.map((problem) => problem.key);
		expect(problems).toEqual(expect.arrayContaining(['shape:lost', 'user:me']));
		expect(Object.keys((await collaboration.readDocument(name)).records).sort()).toEqual(['document:document', 'page:page']);
	});

	it('only writes documents of a kind it knows', async () => {
		await expect(collaboration.transact('notes:whatever', writer, () => {})).rejects.toMatchObject({ code: 'NOT_FOUND' });
	});
});
