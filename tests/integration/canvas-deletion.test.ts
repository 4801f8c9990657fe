// Deleting a canvas or a team for good deletes everything the canvases owned: stored documents of
// every kind, their update logs and their version history. Nothing is left for pruning to find years
// later. (A canvas is deleted for good directly with ?permanent=true; a team goes to the trash first
// and is deleted for good by the purge: tests/integration/trash.test.ts covers the trash itself.)
import { afterAll, beforeAll, expect, it } from 'vitest';
import { count, inArray } from 'drizzle-orm';
import { api, connectCanvas, createCanvas, signUp, waitFor, type TestUser } from '../helpers/clients.ts';
import { describeEachServerDatabase, type ServerDatabase } from '../helpers/server-databases.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { seedCanvas, testShape } from '../helpers/tldraw-records.ts';
import { openDatabase, type Database } from '../../src/lib/server/db/index.ts';
import { documentUpdates, documentVersions, documents } from '../../src/lib/server/db/schema.ts';
import * as history from '../../src/lib/server/history.ts';
import * as trash from '../../src/lib/server/trash/index.ts';
import { recordingServices } from '../helpers/services.ts';
import { documentName, documentNamesOf } from '../../src/lib/document-names.ts';

const TEN_YEARS_MS = 10 * 366 * 86_400_000;
const PAST_THE_TRASH_MS = (trash.TRASH_RETENTION_DAYS + 1) * 86_400_000;

describeEachServerDatabase('deleting a canvas or a team removes its history', (database) => {
	let server: RunningServer;
	let owner: TestUser;

	beforeAll(async () => {
		server = await startServer({ env: database().env });
		owner = await signUp(server.url, 'Deleter');
	});
	afterAll(() => server?.dispose());

	/** Runs `read` on the server's database: directly on PostgreSQL; on PGlite it stops the server for good (one process per data directory). */
	async function onDatabase<T>(db: ServerDatabase, read: (db: Database) => Promise<T>): Promise<T> {
		if (db.driver === 'postgres') return read(await db.direct());
		await server.stop();
		const opened = await openDatabase({ dataDir: `${server.dataDir}/pg` });
		try {
			return await read(opened.db);
		} finally {
			await opened.close();
		}
	}

	async function rowsOf(db: Database, canvasIds: string[]) {
		const names = canvasIds.flatMap(documentNamesOf);
		const [[snapshots], [updates], [versions]] = await Promise.all([
			db.select({ n: count() }).from(documents).where(inArray(documents.name, names)),
			db.select({ n: count() }).from(documentUpdates).where(inArray(documentUpdates.document, names)),
			db.select({ n: count() }).from(documentVersions).where(inArray(documentVersions.document, names))
		]);
		return { documents: snapshots.n, updates: updates.n, versions: versions.n };
	}

	const versionsOf = async (canvasId: string) => (await api(server.url, `/api/v1/canvases/${canvasId}/versions`, { token: owner.token })).body.versions as unknown[];

	/** Edits the canvas and leaves (an automatic version), then saves a named version: two versions. */
	async function giveHistory(canvasId: string): Promise<void> {
		const client = connectCanvas(server.wsUrl, documentName('canvas', canvasId), owner.token);
		await client.synced;
		seedCanvas(client.records);
		client.records.set('shape:a', testShape('shape:a', { text: canvasId }));
		await waitFor(() => !client.provider.hasUnsyncedChanges);
		client.destroy();
		await waitFor(async () => (await versionsOf(canvasId)).length === 1, 10_000, 'an automatic version');
		const named = await api(server.url, `/api/v1/canvases/${canvasId}/versions`, { token: owner.token, body: { label: 'Milestone' } });
		expect(named.status).toBe(201);
		expect(await versionsOf(canvasId)).toHaveLength(2);
	}

	it('leaves no documents, updates or versions of deleted canvases, and pruning ten years later finds none', async () => {
		const kept = await createCanvas(server.url, owner, 'Kept');
		const deleted = await createCanvas(server.url, owner, 'Deleted alone');
		const team = await api(server.url, '/api/v1/teams', { token: owner.token, body: { name: 'Short-lived' } });
		expect(team.status).toBe(201);
		const teamCanvases: string[] = [];
		for (const title of ['Team one', 'Team two']) {
			const created = await api(server.url, '/api/v1/canvases', { token: owner.token, body: { teamId: team.body.id, title } });
			expect(created.status).toBe(201);
			teamCanvases.push(created.body.id);
		}
		for (const canvasId of [kept, deleted, ...teamCanvases]) await giveHistory(canvasId);

		expect((await api(server.url, `/api/v1/canvases/${deleted}?permanent=true`, { method: 'DELETE', token: owner.token })).status).toBe(204);
		// Someone is still editing a team canvas when the team goes: what leaving versions goes with the purge.
		const editor = connectCanvas(server.wsUrl, documentName('canvas', teamCanvases[0]), owner.token);
		await editor.synced;
		editor.records.set('shape:late', testShape('shape:late'));
		await waitFor(() => !editor.provider.hasUnsyncedChanges);
		const editorClosed = new Promise<void>((resolve) => editor.provider.on('close', () => resolve()));
		const teamDeletion = await api(server.url, `/api/v1/teams/${team.body.id}`, { method: 'DELETE', token: owner.token, body: { confirmName: 'Short-lived' } });
		expect(teamDeletion.status).toBe(200);
		await editorClosed;
		editor.destroy();
		await new Promise((resolve) => setTimeout(resolve, 500)); // what a version captured on leaving would take to land

		const gone = [deleted, ...teamCanvases];
		const { purged, left, keptRows, pruned, leftAfterPrune } = await onDatabase(database(), async (db) => {
			// The team waits in the trash; the purge deletes it for good once its time there is over.
			const purged = await trash.purgeTrash(recordingServices(db), new Date(Date.now() + PAST_THE_TRASH_MS));
			const left = await rowsOf(db, gone);
			const keptRows = await rowsOf(db, [kept]);
			// Ten years on, a free team's versions are all past retention: only the kept canvas's go.
			const pruned = await history.prune(db, new Date(Date.now() + TEN_YEARS_MS));
			return { purged, left, keptRows, pruned, leftAfterPrune: await rowsOf(db, gone) };
		});
		expect(purged.teams).toBe(1);
		expect(left).toEqual({ documents: 0, updates: 0, versions: 0 });
		expect(keptRows.versions).toBe(2);
		expect(keptRows.documents + keptRows.updates).toBeGreaterThan(0);
		expect(pruned).toBe(2);
		expect(leftAfterPrune).toEqual({ documents: 0, updates: 0, versions: 0 });
	});
});
