// Access on the socket, through the real server: read-only connections cannot write, and revoking a
// link, removing a member or changing a role takes effect on open sockets at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import { api, connectCanvas, createCanvas, signUp, waitFor, type CanvasClient, type TestUser } from '../helpers/clients.ts';
import { seedCanvas, testShape } from '../helpers/tldraw-records.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';

let server: RunningServer;
let owner: TestUser;
let teamId: string;
const clients: CanvasClient[] = [];

function connect(canvasId: string, token: string) {
	const client = connectCanvas(server.wsUrl, `canvas:${canvasId}`, token);
	clients.push(client);
	return client;
}

/** Signs a new user up and brings them into the team with `role` through an invitation. */
async function member(role: 'admin' | 'editor' | 'viewer', name: string = role): Promise<TestUser> {
	const person = await signUp(server.url, name);
	const invite = await api(server.url, `/api/v1/teams/${teamId}/invitations`, { token: owner.token, body: { role } });
	expect(invite.status).toBe(201);
	const accepted = await api(server.url, `/api/v1/invitations/${invite.body.token}/accept`, { token: person.token, method: 'POST' });
	expect(accepted.body).toMatchObject({ teamId, role, joined: true });
	return person;
}

function closedWith(client: CanvasClient): Promise<string> {
	return new Promise((resolve) => client.provider.on('close', ({ event }: { event: CloseEvent }) => resolve(event.reason)));
}

beforeAll(async () => {
	server = await startServer();
	owner = await signUp(server.url, 'Owner');
	const team = await api(server.url, '/api/v1/teams', { token: owner.token, body: { name: 'Socket team' } });
	teamId = team.body.id;
});

afterAll(async () => {
	for (const client of clients) client.destroy();
	await server?.dispose();
});

async function teamCanvas(title: string): Promise<string> {
	const { body } = await api(server.url, '/api/v1/canvases', { token: owner.token, body: { title, teamId } });
	return body.id;
}

describe('read-only connections', () => {
	it("a viewer's raw sync-step-2 and update messages change nothing", async () => {
		const viewer = await member('viewer');
		const canvasId = await teamCanvas('Guarded');
		const writer = connect(canvasId, owner.token);
		await writer.synced;
		seedCanvas(writer.records);
		writer.records.set('shape:original', testShape('shape:original', { text: 'keep me' }));
		await waitFor(() => !writer.provider.hasUnsyncedChanges);

		// A hostile client: authenticates as the viewer, then pushes document changes in every form.
		const evil = new Y.Doc();
		// Valid records, so only the read-only rule (not record validation) can keep them out.
		evil.getMap('records').set('shape:evil', testShape('shape:evil', { text: 'injected' }));
		evil.getMap('records').set('shape:original', testShape('shape:original', { text: 'overwritten' }));
		const update = Y.encodeStateAsUpdate(evil);
		const documentName = `canvas:${canvasId}`;
		const socket = new WebSocket(server.wsUrl);
		await new Promise((resolve) => socket.once('open', resolve));
		const received: Buffer[] = [];
		socket.on('message', (data) => received.push(Buffer.from(data as Buffer)));
		socket.send(
			message(documentName, (e) => {
				encoding.writeVarUint(e, 2);
				encoding.writeVarUint(e, 0);
				encoding.writeVarString(e, viewer.token);
				encoding.writeVarString(e, '4.8.0');
			})
		);
		await waitFor(() => received.length > 0, 5000, 'auth answer');
		for (const syncType of [1, 2]) {
			socket.send(
				message(documentName, (e) => {
					encoding.writeVarUint(e, 0);
					encoding.writeVarUint(e, syncType);
					encoding.writeVarUint8Array(e, update);
				})
			);
		}
		await new Promise((resolve) => setTimeout(resolve, 500));
		socket.close();

		const reader = connect(canvasId, owner.token);
		await reader.synced;
		expect(reader.records.has('shape:evil')).toBe(false);
		expect(reader.records.get('shape:original')).toEqual(testShape('shape:original', { text: 'keep me' }));
		expect(writer.records.has('shape:evil')).toBe(false);
	});

	it('a viewer connects read-only through the official provider', async () => {
		const viewer = await member('viewer', 'Viewer2');
		const canvasId = await teamCanvas('Viewable');
		const client = connect(canvasId, viewer.token);
		await client.synced;
		expect(client.readOnly()).toBe(true);
	});
});

describe('share links on the socket', () => {
	it('view links are read-only, edit links can write, and a link opens only its own canvas', async () => {
		const canvasId = await teamCanvas('Shared');
		const otherId = await teamCanvas('Not shared');
		const view = await api(server.url, `/api/v1/canvases/${canvasId}/share-links`, { token: owner.token, body: { access: 'view', audience: 'anyone' } });
		const edit = await api(server.url, `/api/v1/canvases/${canvasId}/share-links`, { token: owner.token, body: { access: 'edit', audience: 'anyone' } });
		expect(view.body.url).toBe(`http://localhost:${server.port}/s/${view.body.token}`);

		const viewer = connect(canvasId, `share:${view.body.token}`);
		await viewer.synced;
		expect(viewer.readOnly()).toBe(true);
		const editor = connect(canvasId, `share:${edit.body.token}`);
		await editor.synced;
		expect(editor.readOnly()).toBe(false);
		seedCanvas(editor.records);
		editor.records.set('shape:guest', testShape('shape:guest', { by: 'guest' }));
		await waitFor(() => viewer.records.has('shape:guest'), 5000, 'the guest edit to arrive');

		await expect(connect(otherId, `share:${edit.body.token}`).synced).rejects.toThrow('NOT_FOUND');
		const team = await api(server.url, `/api/v1/canvases/${canvasId}/share-links`, { token: owner.token, body: { access: 'edit', audience: 'team' } });
		await expect(connect(canvasId, `share:${team.body.token}`).synced).rejects.toThrow('UNAUTHENTICATED');
	});

	it('revoking a link disconnects its sockets within 2 seconds, and the link stops working', async () => {
		const canvasId = await teamCanvas('Revocable');
		const link = await api(server.url, `/api/v1/canvases/${canvasId}/share-links`, { token: owner.token, body: { access: 'edit', audience: 'anyone' } });
		const guest = connect(canvasId, `share:${link.body.token}`);
		await guest.synced;
		seedCanvas(guest.records);
		await waitFor(() => !guest.provider.hasUnsyncedChanges, 5000, 'the page to be stored');
		const closed = closedWith(guest);
		const started = Date.now();
		expect((await api(server.url, `/api/v1/share-links/${link.body.id}`, { method: 'DELETE', token: owner.token })).status).toBe(204);
		expect(await closed).toBe('ACCESS_CHANGED');
		expect(Date.now() - started).toBeLessThan(2000);
		guest.records.set('shape:after-revoke', testShape('shape:after-revoke', { sneaky: true }));
		await expect(connect(canvasId, `share:${link.body.token}`).synced).rejects.toThrow('GONE');
		const reader = connect(canvasId, owner.token);
		await reader.synced;
		await new Promise((resolve) => setTimeout(resolve, 300));
		expect(reader.records.has('shape:after-revoke')).toBe(false);
	});
});

describe('membership changes on open sockets', () => {
	it('removing a member disconnects them within 2 seconds and they cannot come back', async () => {
		const editor = await member('editor', 'Leaver');
		const canvasId = await teamCanvas('Members only');
		const client = connect(canvasId, editor.token);
		await client.synced;
		const closed = closedWith(client);
		const started = Date.now();
		expect((await api(server.url, `/api/v1/teams/${teamId}/members/${editor.id}`, { method: 'DELETE', token: owner.token })).status).toBe(204);
		expect(await closed).toBe('ACCESS_CHANGED');
		expect(Date.now() - started).toBeLessThan(2000);
		await expect(connect(canvasId, editor.token).synced).rejects.toThrow('NOT_FOUND');
	});

	it('demoting an editor to viewer re-authorises their socket as read-only', async () => {
		const editor = await member('editor', 'Demoted');
		const canvasId = await teamCanvas('Demotion');
		const client = connect(canvasId, editor.token);
		await client.synced;
		expect(client.readOnly()).toBe(false);
		const closed = closedWith(client);
		const changed = await api(server.url, `/api/v1/teams/${teamId}/members/${editor.id}`, { method: 'PATCH', token: owner.token, body: { role: 'viewer' } });
		expect(changed.body).toMatchObject({ previous: 'editor', role: 'viewer' });
		expect(await closed).toBe('ACCESS_CHANGED');
		const again = connect(canvasId, editor.token);
		await again.synced;
		expect(again.readOnly()).toBe(true);
	});

	it('a canvas of another team is refused on the socket, even for a member of this one', async () => {
		const stranger = await signUp(server.url, 'Stranger');
		const theirs = await createCanvas(server.url, stranger, 'Theirs');
		await expect(connect(theirs, owner.token).synced).rejects.toThrow('NOT_FOUND');
	});
});

function message(documentName: string, write: (encoder: encoding.Encoder) => void): Uint8Array {
	const encoder = encoding.createEncoder();
	encoding.writeVarString(encoder, documentName);
	write(encoder);
	return encoding.toUint8Array(encoder);
}
