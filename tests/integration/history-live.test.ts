// Restoring a version through the real server: both live clients converge on the restored content,
// and the restore itself can be undone by restoring the version before it.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { api, connectCanvas, createCanvas, signUp, waitFor, type CanvasClient, type TestUser } from '../helpers/clients.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { DOCUMENT_RECORD, PAGE_RECORD, seedCanvas, testShape } from '../helpers/tldraw-records.ts';

let server: RunningServer;
let owner: TestUser;
const clients: CanvasClient[] = [];

beforeAll(async () => {
	server = await startServer();
	owner = await signUp(server.url, 'Historian');
});
afterAll(async () => {
	for (const client of clients) client.destroy();
	await server?.dispose();
});

const sorted = (records: Record<string, unknown>) => JSON.stringify(Object.entries(records).sort(([a], [b]) => a.localeCompare(b)));

it('captures an automatic version when the last editor leaves, saves named ones, and restores live', async () => {
	const canvasId = await createCanvas(server.url, owner, 'Timeline');
	const first = connectCanvas(server.wsUrl, `canvas:${canvasId}`, owner.token);
	clients.push(first);
	await first.synced;
	seedCanvas(first.records);
	first.records.set('shape:a', testShape('shape:a', { text: 'v1' }));
	await waitFor(() => !first.provider.hasUnsyncedChanges);
	first.destroy();
	await waitFor(
		async () => (await api(server.url, `/api/v1/canvases/${canvasId}/versions`, { token: owner.token })).body.versions.length === 1,
		10_000,
		'an automatic version'
	);
	const [auto] = (await api(server.url, `/api/v1/canvases/${canvasId}/versions`, { token: owner.token })).body.versions;
	expect(auto).toMatchObject({ kind: 'auto', authorIds: [owner.id], locked: false });

	const alice = connectCanvas(server.wsUrl, `canvas:${canvasId}`, owner.token);
	const bob = connectCanvas(server.wsUrl, `canvas:${canvasId}`, owner.token);
	clients.push(alice, bob);
	await Promise.all([alice.synced, bob.synced]);
	const named = await api(server.url, `/api/v1/canvases/${canvasId}/versions`, { token: owner.token, body: { label: 'Only A' } });
	expect(named.status).toBe(201);
	alice.records.set('shape:a', testShape('shape:a', { text: 'v2' }));
	alice.records.set('shape:b', testShape('shape:b', { text: 'new' }));
	await waitFor(() => bob.records.has('shape:b'));
	const beforeRestore = alice.records.toJSON();

	const preview = await api(server.url, `/api/v1/canvases/${canvasId}/versions/${named.body.id}`, { token: owner.token });
	const onlyA = { [DOCUMENT_RECORD.id]: DOCUMENT_RECORD, [PAGE_RECORD.id]: PAGE_RECORD, 'shape:a': testShape('shape:a', { text: 'v1' }) };
	expect(preview.body.records).toEqual(onlyA);
	expect(alice.records.has('shape:b')).toBe(true); // previewing changes nothing

	const restored = await api(server.url, `/api/v1/canvases/${canvasId}/versions/${named.body.id}/restore`, { method: 'POST', token: owner.token });
	expect(restored.status).toBe(201);
	expect(restored.body).toMatchObject({ kind: 'restore', label: 'Restored “Only A”' });
	await waitFor(() => !alice.records.has('shape:b') && !bob.records.has('shape:b'), 5000, 'both clients to see the restore');
	expect(sorted(alice.records.toJSON())).toBe(sorted(onlyA));
	expect(sorted(bob.records.toJSON())).toBe(sorted(alice.records.toJSON()));

	// Undo the restore by restoring the state it replaced.
	const versions = (await api(server.url, `/api/v1/canvases/${canvasId}/versions`, { token: owner.token })).body.versions;
	expect(versions.map((v: { kind: string; label: string | null }) => [v.kind, v.label])).toEqual([
		['restore', 'Restored “Only A”'],
		['auto', 'Before restore'],
		['named', 'Only A'],
		['auto', null]
	]);
	await api(server.url, `/api/v1/canvases/${canvasId}/versions/${versions[1].id}/restore`, { method: 'POST', token: owner.token });
	await waitFor(() => alice.records.has('shape:b') && bob.records.has('shape:b'), 5000, 'the undo to reach both');
	expect(sorted(alice.records.toJSON())).toBe(sorted(beforeRestore));
	expect(sorted(bob.records.toJSON())).toBe(sorted(beforeRestore));
});

it("answers 404 for versions of other teams' canvases and validates labels", async () => {
	const canvasId = await createCanvas(server.url, owner, 'Private history');
	const stranger = await signUp(server.url, 'Stranger');
	expect((await api(server.url, `/api/v1/canvases/${canvasId}/versions`, { token: stranger.token })).status).toBe(404);
	expect((await api(server.url, `/api/v1/canvases/${canvasId}/versions`, { token: stranger.token, body: { label: 'x' } })).status).toBe(404);
	const blank = await api(server.url, `/api/v1/canvases/${canvasId}/versions`, { token: owner.token, body: { label: ' ' } });
	expect(blank.status).toBe(400);
	expect(blank.body.error.message).toBe('Give the version a name.');
});
