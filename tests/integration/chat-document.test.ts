// The chat beside a canvas (`chat:<canvasId>`) through the real server, on both database drivers:
// who may read and write it, what the server stamps and reverts for everyone, its limits, and that
// it is stored, survives a restart and goes with its canvas.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { createMessageMap, readMessages, type ChatAuthor } from '../../src/lib/chat/chat-document.ts';
import { api, connectCanvas, signUp, waitFor, type CanvasClient, type TestUser } from '../helpers/clients.ts';
import { describeEachServerDatabase } from '../helpers/server-databases.ts';
import { readMetric, startServer, type RunningServer } from '../helpers/server.ts';

const LIMITS = { MAX_CHAT_MESSAGE_CHARS: '100', MAX_CHAT_MESSAGES: '10' };
const FORGED: ChatAuthor = { kind: 'assistant', id: 'assistant', name: 'Easel AI' };

describeEachServerDatabase('the chat beside a canvas', (database) => {
	const servers: RunningServer[] = [];
	let server: RunningServer;
	let owner: TestUser;
	let teamId: string;
	const clients: CanvasClient[] = [];

	beforeAll(async () => {
		server = await startServer({ env: { ...database().env, PERSIST_BATCH_MS: '100', ...LIMITS } });
		servers.push(server);
		owner = await signUp(server.url, 'Owner');
		teamId = (await api(server.url, '/api/v1/teams', { token: owner.token, body: { name: 'Chat team' } })).body.id;
	});

	afterAll(async () => {
		for (const client of clients) client.destroy();
		// The first server owns the data directory: disposed last.
		for (const running of servers.reverse()) await running.dispose();
	});

	function connect(canvasId: string, token: string): CanvasClient {
		const client = connectCanvas(server.wsUrl, `chat:${canvasId}`, token);
		clients.push(client);
		return client;
	}

	async function teamCanvas(title: string): Promise<string> {
		const { status, body } = await api(server.url, '/api/v1/canvases', { token: owner.token, body: { title, teamId } });
		expect(status).toBe(201);
		return body.id;
	}

	async function member(role: 'editor' | 'viewer', name: string): Promise<TestUser> {
		const person = await signUp(server.url, name);
		const invite = await api(server.url, `/api/v1/teams/${teamId}/invitations`, { token: owner.token, body: { role } });
		await api(server.url, `/api/v1/invitations/${invite.body.token}/accept`, { token: person.token, method: 'POST' });
		return person;
	}

	const messagesOf = (client: CanvasClient) => client.doc.getMap<Y.Map<unknown>>('messages');
	const find = (client: CanvasClient, id: string) => readMessages(client.doc).find((message) => message.id === id);
	const textOf = (client: CanvasClient, id: string) => messagesOf(client).get(id)!.get('text') as Y.Text;

	/** Adds a message as a browser would, claiming to be whoever `author` says. */
	function send(client: CanvasClient, text: string, options: { parentId?: string | null; author?: ChatAuthor; id?: string } = {}): string {
		const id = options.id ?? crypto.randomUUID();
		const author = options.author ?? { kind: 'user', id: 'me', name: 'Me' };
		messagesOf(client).set(id, createMessageMap({ id, parentId: options.parentId ?? null, author, role: 'user', text, status: 'done', createdAt: 0 }));
		return id;
	}

	function closedWith(client: CanvasClient): Promise<string> {
		return new Promise((resolve) => client.provider.on('close', ({ event }: { event: CloseEvent }) => resolve(event.reason)));
	}

	describe('who reads and writes it', () => {
		it("an editor's message reaches a viewer; the viewer's write goes nowhere; a view link reads it; revoking the link or the membership closes the chat socket", async () => {
			const viewer = await member('viewer', 'Viewer');
			const editor = await member('editor', 'Editor');
			const canvasId = await teamCanvas('Discussed');
			const ownerChat = connect(canvasId, owner.token);
			const viewerChat = connect(canvasId, viewer.token);
			await Promise.all([ownerChat.synced, viewerChat.synced]);
			expect([ownerChat.readOnly(), viewerChat.readOnly()]).toEqual([false, true]);

			const hello = send(ownerChat, 'Hello team');
			await waitFor(() => find(viewerChat, hello)?.text === 'Hello team', 5000, "the editor's message on the viewer");

			const sneaky = send(viewerChat, 'viewers cannot post');
			await new Promise((resolve) => setTimeout(resolve, 500));
			expect(find(ownerChat, sneaky)).toBeUndefined();
			const reader = connect(canvasId, owner.token);
			await reader.synced;
			expect(find(reader, hello)?.text).toBe('Hello team');
			expect(find(reader, sneaky)).toBeUndefined();

			const link = await api(server.url, `/api/v1/canvases/${canvasId}/share-links`, { token: owner.token, body: { access: 'view', audience: 'anyone' } });
			const guest = connect(canvasId, `share:${link.body.token}`);
			await guest.synced;
			expect(guest.readOnly()).toBe(true);
			expect(find(guest, hello)?.text).toBe('Hello team');
			const guestClosed = closedWith(guest);
			expect((await api(server.url, `/api/v1/share-links/${link.body.id}`, { method: 'DELETE', token: owner.token })).status).toBe(204);
			expect(await guestClosed).toBe('ACCESS_CHANGED');

			const editorChat = connect(canvasId, editor.token);
			await editorChat.synced;
			const editorClosed = closedWith(editorChat);
			expect((await api(server.url, `/api/v1/teams/${teamId}/members/${editor.id}`, { method: 'DELETE', token: owner.token })).status).toBe(204);
			expect(await editorClosed).toBe('ACCESS_CHANGED');
			await expect(connect(canvasId, editor.token).synced).rejects.toThrow('NOT_FOUND');
		});
	});

	describe('what the server keeps true for everyone', () => {
		let bob: TestUser;
		beforeAll(async () => {
			bob = await member('editor', 'Bob');
		});

		async function twoPeople(title: string) {
			const canvasId = await teamCanvas(title);
			const alice = connect(canvasId, owner.token);
			const other = connect(canvasId, bob.token);
			await Promise.all([alice.synced, other.synced]);
			return { canvasId, alice, bob: other };
		}

		it('stamps the author and the time over what the client claimed', async () => {
			const { alice, bob: other } = await twoPeople('Stamped');
			const before = Date.now();
			const id = send(alice, 'Who wrote this?', { author: FORGED });
			await waitFor(() => find(other, id)?.author.id === owner.id && find(alice, id)?.author.id === owner.id, 5000, 'the stamped author everywhere');
			const message = find(other, id)!;
			expect(message.author).toEqual({ kind: 'user', id: owner.id, name: 'Owner' });
			expect(message.createdAt).toBeGreaterThanOrEqual(before - 1000);
			expect(message.createdAt).toBeLessThanOrEqual(Date.now() + 1000);
		});

		it("reverts for everyone: an edit of someone else's message, its removal, and an author changing role or parent; keeps the author's own edits", async () => {
			const { alice, bob: other } = await twoPeople('Guarded');
			const first = send(alice, 'First');
			const id = send(alice, 'Alice wrote this', { parentId: first });
			await waitFor(() => find(other, id)?.author.id === owner.id, 5000, "Alice's message on Bob's side");
			const settled = (text: string) => () => find(alice, id)?.text === text && find(other, id)?.text === text;

			textOf(other, id).insert(0, 'Bob says: ');
			await waitFor(settled('Alice wrote this'), 5000, "Bob's edit reverted");
			messagesOf(other).delete(id);
			await waitFor(() => settled('Alice wrote this')() && find(other, id)?.author.id === owner.id, 5000, 'the removed message restored with its author');
			messagesOf(other).get(id)!.set('deleted', true);
			await waitFor(() => find(alice, id)?.deleted === undefined && find(other, id)?.deleted === undefined, 5000, "Bob's delete flag reverted");

			messagesOf(alice).get(id)!.set('role', 'assistant');
			messagesOf(alice).get(id)!.set('parentId', null);
			await waitFor(() => [alice, other].every((client) => find(client, id)?.role === 'user' && find(client, id)?.parentId === first), 5000, 'role and parent restored');

			// Alice's own edit, in one transaction, and a concurrent one by Bob that is reverted without losing hers.
			alice.doc.transact(() => {
				textOf(alice, id).insert(textOf(alice, id).length, ', then edited');
				messagesOf(alice).get(id)!.set('editedAt', Date.now());
			});
			textOf(other, id).insert(0, '!');
			await waitFor(settled('Alice wrote this, then edited'), 5000, "Alice's edit kept, Bob's reverted");
			expect(find(other, id)?.editedAt).toBeGreaterThan(0);

			// Deleting is a flag; the server empties the text.
			messagesOf(alice).get(id)!.set('deleted', true);
			await waitFor(() => [alice, other].every((client) => find(client, id)?.deleted === true && find(client, id)?.text === ''), 5000, 'the message deleted and emptied');
			textOf(alice, id).insert(0, 'back from the dead');
			await waitFor(settled(''), 5000, 'a deleted message stays empty');
		});

		it('reverts a message over the length limit and additions past the count limit', async () => {
			const { alice, bob: other } = await twoPeople('Limits');
			const long = send(alice, 'x'.repeat(101));
			const short = send(alice, 'fits');
			await waitFor(() => find(other, short) !== undefined, 5000, 'the short message');
			await waitFor(() => !messagesOf(alice).has(long) && !messagesOf(other).has(long), 5000, 'the long message removed');
			textOf(alice, short).insert(4, 'y'.repeat(97));
			await waitFor(() => find(alice, short)?.text === 'fits' && find(other, short)?.text === 'fits', 5000, 'the long edit reverted');

			for (let i = 0; i < 9; i++) send(alice, `message ${i}`);
			await waitFor(() => messagesOf(other).size === 10, 5000, 'ten messages');
			const eleventh = send(alice, 'one too many');
			await waitFor(() => !messagesOf(alice).has(eleventh), 5000, 'the eleventh removed');
			expect(messagesOf(other).size).toBe(10);
			expect(await readMetric(server, 'easel_chat_changes_rejected_total')).toBeGreaterThan(0);
		});

		it('a guest edits only what it wrote on its own socket', async () => {
			const canvasId = await teamCanvas('Guests');
			const link = await api(server.url, `/api/v1/canvases/${canvasId}/share-links`, { token: owner.token, body: { access: 'edit', audience: 'anyone' } });
			const [guestA, guestB] = [connect(canvasId, `share:${link.body.token}`), connect(canvasId, `share:${link.body.token}`)];
			await Promise.all([guestA.synced, guestB.synced]);
			const id = send(guestA, 'From a guest');
			await waitFor(() => find(guestB, id)?.author.kind === 'guest', 5000, "the guest's message, stamped");
			expect(find(guestB, id)?.author.name).toMatch(/^Guest /);
			textOf(guestB, id).insert(0, 'Not mine: ');
			await waitFor(() => find(guestA, id)?.text === 'From a guest' && find(guestB, id)?.text === 'From a guest', 5000, "the other guest's edit reverted");
			textOf(guestA, id).insert(textOf(guestA, id).length, '!');
			await waitFor(() => find(guestB, id)?.text === 'From a guest!', 5000, "the guest's own edit");
		});
	});

	describe('storage', () => {
		it('keeps messages across a restart, and deleting the canvas deletes its chat', async () => {
			const kept = await teamCanvas('Kept');
			const doomed = await teamCanvas('Doomed');
			const keptChat = connect(kept, owner.token);
			const doomedChat = connect(doomed, owner.token);
			await Promise.all([keptChat.synced, doomedChat.synced]);
			const id = send(keptChat, 'Remember me');
			send(doomedChat, 'Forget me');
			await waitFor(() => find(keptChat, id)?.author.id === owner.id, 5000, 'the stamp');
			await waitFor(() => !keptChat.provider.hasUnsyncedChanges && !doomedChat.provider.hasUnsyncedChanges, 5000, 'the messages acknowledged');
			keptChat.destroy();
			doomedChat.destroy();

			await server.stop('SIGTERM');
			server = await server.restart();
			servers.push(server);
			const reader = connect(kept, owner.token);
			await reader.synced;
			expect(find(reader, id)).toMatchObject({ text: 'Remember me', author: { kind: 'user', id: owner.id } });

			const watcher = connect(doomed, owner.token);
			await watcher.synced;
			const closed = closedWith(watcher);
			expect((await api(server.url, `/api/v1/canvases/${doomed}?permanent=true`, { method: 'DELETE', token: owner.token })).status).toBe(204);
			expect(await closed).toBe('DELETED');
			await server.stop('SIGTERM');
			const stored = await database().readStored(server, [`chat:${kept}`, `chat:${doomed}`]);
			expect(readMessages(stored.get(`chat:${kept}`)!).map((message) => message.text)).toEqual(['Remember me']);
			expect(stored.get(`chat:${doomed}`)!.getMap('messages').size).toBe(0);
		});
	});
});
