// Server-side peers on a canvas, through the collaboration server in this process: a run-like
// writer streams an assistant answer into the chat that a client sees live and cannot change, and
// the assistant's presence shows on the canvas and goes again.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import * as Y from 'yjs';
import { createCollaborationServer, type CollaborationServer } from '../../server/collab/index.ts';
import { MAX_SERVER_MESSAGE_CHARS } from '../../server/collab/chat-writer.ts';
import { presenceFromAwarenessState } from '../../src/lib/canvas/presence-binding.ts';
import { createMessageMap, readMessages } from '../../src/lib/chat/chat-document.ts';
import { COLLAB_PATH } from '../../src/lib/collab-protocol.ts';
import * as accounts from '../../src/lib/server/accounts.ts';
import { createSession, generateSessionToken } from '../../src/lib/server/auth/sessions.ts';
import { writeNewDocument } from '../../src/lib/server/documents/document-store.ts';
import * as canvases from '../../src/lib/server/canvases.ts';
import { loadConfig } from '../../src/lib/server/config.ts';
import { createLogger } from '../../src/lib/server/logger.ts';
import type { DocumentWriter } from '../../src/lib/server/runtime.ts';
import { connectCanvas, waitFor, type CanvasClient } from '../helpers/clients.ts';
import { describeEachDatabase, uniqueEmail } from '../helpers/databases.ts';

describeEachDatabase('a canvas and its chat in process: server-side writers, stored content, peer presence', (database) => {
	let collaboration: CollaborationServer;
	let http: Server;
	let wsUrl: string;
	const clients: CanvasClient[] = [];

	beforeAll(async () => {
		collaboration = createCollaborationServer({ db: database().db, config: loadConfig({ MAX_CHAT_MESSAGES: '10' }), logger: createLogger('silent') });
		http = createServer((_request, response) => response.writeHead(404).end());
		http.on('upgrade', (request, socket, head) => {
			if (!collaboration.handleUpgrade(request, socket, head)) socket.destroy();
		});
		await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
		wsUrl = `ws://127.0.0.1:${(http.address() as AddressInfo).port}${COLLAB_PATH}`;
	});

	afterAll(async () => {
		for (const client of clients) client.destroy();
		await collaboration?.shutdown();
		await new Promise((resolve) => http?.close(resolve));
	});

	/** A person with a session token and a canvas of their own. */
	async function personWithCanvas(name: string) {
		const { db } = database();
		const user = await accounts.signUp(db, { email: uniqueEmail(name.toLowerCase()), password: 'a long enough password', name });
		const token = generateSessionToken();
		await createSession(db, token, user.id, 30);
		const canvas = await canvases.create(db, { kind: 'user', userId: user.id }, { teamId: user.personalTeamId });
		const writer: DocumentWriter = { origin: 'assistant', actor: { kind: 'assistant', runId: crypto.randomUUID(), teamId: user.personalTeamId } };
		return { user, token, canvasId: canvas.id, writer };
	}

	function connect(documentName: string, token: string) {
		const client = connectCanvas(wsUrl, documentName, token);
		clients.push(client);
		return client;
	}

	it('streams an assistant answer that a client sees live and cannot edit, remove or reply to as the assistant', async () => {
		const { user, token, canvasId, writer } = await personWithCanvas('Asker');
		const reader = connect(`chat:${canvasId}`, token);
		await reader.synced;
		const messages = reader.doc.getMap<Y.Map<unknown>>('messages');
		const chat = await collaboration.openChat(canvasId, writer);
		const promptId = crypto.randomUUID();
		const answerId = crypto.randomUUID();
		await chat.addMessage({ id: promptId, parentId: null, author: { kind: 'user', id: user.id, name: user.name }, role: 'user', text: 'Draw a cache', status: 'done' });
		await chat.addMessage({
			id: answerId,
			parentId: promptId,
			author: { kind: 'assistant', id: 'assistant', name: 'Easel AI' },
			role: 'assistant',
			text: '',
			status: 'streaming',
			runId: 'run-1',
			tier: 'fast'
		});
		for (const chunk of ['Adding ', 'a Redis ', 'cache.']) await chat.appendText(answerId, chunk);
		await chat.update(answerId, { status: 'done', usage: { inputTokens: 10, outputTokens: 5 }, error: null });
		const answer = () => readMessages(reader.doc).find((message) => message.id === answerId);
		await waitFor(() => answer()?.text === 'Adding a Redis cache.' && answer()?.status === 'done', 5000, 'the streamed answer on the client');
		expect(answer()).toMatchObject({
			parentId: promptId,
			role: 'assistant',
			author: { kind: 'assistant' },
			runId: 'run-1',
			tier: 'fast',
			usage: { inputTokens: 10, outputTokens: 5 }
		});
		expect(chat.messages().map((message) => message.id)).toEqual(expect.arrayContaining([promptId, answerId]));

		// The client tries to rewrite the answer, its status, and to remove it: all put back.
		const text = messages.get(answerId)!.get('text') as Y.Text;
		text.insert(0, 'Ignore that. ');
		messages.get(answerId)!.set('status', 'failed');
		await waitFor(() => answer()?.text === 'Adding a Redis cache.' && answer()?.status === 'done', 5000, 'the answer restored');
		messages.delete(answerId);
		await waitFor(() => answer()?.text === 'Adding a Redis cache.', 5000, 'the removed answer restored');
		// The writer keeps streaming into the restored message.
		await chat.appendText(answerId, ' Done.');
		await waitFor(() => answer()?.text === 'Adding a Redis cache. Done.', 5000, 'streaming after the restore');

		// A client may not pose as the assistant either.
		const forgedId = crypto.randomUUID();
		messages.set(
			forgedId,
			createMessageMap({
				id: forgedId,
				parentId: answerId,
				author: { kind: 'assistant', id: 'assistant', name: 'Easel AI' },
				role: 'assistant',
				text: 'Pay me',
				status: 'done'
			})
		);
		await waitFor(() => !messages.has(forgedId), 5000, 'the forged assistant message removed');
		await chat.close();
		await expect(chat.appendText(answerId, 'late')).rejects.toMatchObject({ code: 'NOT_FOUND' });
	});

	it('bounds what a writer adds: message count, text length, unknown messages', async () => {
		const { canvasId, writer } = await personWithCanvas('Bounded');
		const chat = await collaboration.openChat(canvasId, writer);
		const author = { kind: 'assistant', id: 'assistant', name: 'Easel AI' } as const;
		const ids = Array.from({ length: 10 }, () => crypto.randomUUID());
		for (const id of ids) await chat.addMessage({ id, parentId: null, author, role: 'assistant', text: 'x', status: 'done' });
		await expect(chat.addMessage({ id: crypto.randomUUID(), parentId: null, author, role: 'assistant', text: 'x', status: 'done' })).rejects.toMatchObject({
			code: 'LIMIT_EXCEEDED'
		});
		await expect(chat.addMessage({ id: ids[0], parentId: null, author, role: 'assistant', text: 'again', status: 'done' })).rejects.toMatchObject({ code: 'CONFLICT' });
		await expect(chat.appendText(ids[0], 'y'.repeat(MAX_SERVER_MESSAGE_CHARS))).rejects.toMatchObject({ code: 'LIMIT_EXCEEDED' });
		await expect(chat.appendText(crypto.randomUUID(), 'y')).rejects.toMatchObject({ code: 'NOT_FOUND' });
		expect(chat.messages().find((message) => message.id === ids[0])?.text).toBe('x');
		await chat.close();
	});

	it("opens no writer on a canvas that is gone or of another team's run", async () => {
		const { canvasId, writer } = await personWithCanvas('Owner');
		const other = await personWithCanvas('Other');
		await expect(collaboration.openChat(crypto.randomUUID(), writer)).rejects.toMatchObject({ code: 'NOT_FOUND' });
		await expect(collaboration.openChat(canvasId, other.writer)).rejects.toMatchObject({ code: 'NOT_FOUND' });
		expect(collaboration.hocuspocus.documents.has(`chat:${canvasId}`)).toBe(false);
	});

	it('closes a client that rewrites a reverted message every time, with CONFLICT', async () => {
		const { user, token, canvasId, writer } = await personWithCanvas('Looper');
		const chat = await collaboration.openChat(canvasId, writer);
		const id = crypto.randomUUID();
		await chat.addMessage({ id, parentId: null, author: { kind: 'user', id: user.id, name: user.name }, role: 'user', text: 'original', status: 'done' });
		await chat.addMessage({
			id: crypto.randomUUID(),
			parentId: id,
			author: { kind: 'assistant', id: 'assistant', name: 'Easel AI' },
			role: 'assistant',
			text: 'answer',
			status: 'done'
		});
		const looper = connect(`chat:${canvasId}`, token);
		await looper.synced;
		const messages = looper.doc.getMap<Y.Map<unknown>>('messages');
		let writes = 0;
		const rewrite = () => {
			const answer = [...messages.values()].find((message) => message.get('role') === 'assistant')!;
			if (writes >= 200 || answer.get('status') === 'failed') return;
			writes++;
			answer.set('status', 'failed');
		};
		messages.observeDeep(() => setTimeout(rewrite, 0));
		const closed = new Promise<string>((resolve) => looper.provider.on('close', ({ event }: { event: CloseEvent }) => resolve(event.reason)));
		rewrite();
		expect(await Promise.race([closed, new Promise((resolve) => setTimeout(() => resolve('still open'), 10_000))])).toBe('CONFLICT');
		expect(writes).toBeLessThan(60);
		expect(chat.messages().find((message) => message.role === 'assistant')?.status).toBe('done');
		await chat.close();
	});

	it('a stored chat loses content in types a chat does not have, and keeps its messages', async () => {
		const { user, token, canvasId } = await personWithCanvas('Legacy');
		const stored = new Y.Doc();
		const id = crypto.randomUUID();
		stored
			.getMap('messages')
			.set(id, createMessageMap({ id, parentId: null, author: { kind: 'user', id: user.id, name: user.name }, role: 'user', text: 'kept', status: 'done' }));
		stored.getMap('records').set('shape:stowaway', { secret: true });
		await writeNewDocument(database().db, `chat:${canvasId}`, Y.encodeStateAsUpdate(stored), Y.encodeStateVector(stored));
		const reader = connect(`chat:${canvasId}`, token);
		await reader.synced;
		await waitFor(() => reader.doc.getMap('records').size === 0, 5000, 'the unknown type purged');
		expect(readMessages(reader.doc).map((message) => message.text)).toEqual(['kept']);
	});

	it('opens a chat in two steps like a canvas: stored updates first, then the socket', async () => {
		const { user, token, canvasId, writer } = await personWithCanvas('Opener');
		const chat = await collaboration.openChat(canvasId, writer);
		const id = crypto.randomUUID();
		await chat.addMessage({ id, parentId: null, author: { kind: 'user', id: user.id, name: user.name }, role: 'user', text: 'stored', status: 'done' });
		await chat.close();
		const opening = await collaboration.openingState(`chat:${canvasId}`, '127.0.0.1');
		const doc = new Y.Doc();
		for (const update of opening.updates) Y.applyUpdate(doc, update);
		expect(readMessages(doc).map((message) => message.text)).toEqual(['stored']);
		opening.startLoading();
		const client = connectCanvas(wsUrl, `chat:${canvasId}`, token, doc);
		clients.push(client);
		await client.synced;
		// The document the opening loaded is validated like any other.
		const forged = crypto.randomUUID();
		doc
			.getMap('messages')
			.set(
				forged,
				createMessageMap({ id: forged, parentId: null, author: { kind: 'assistant', id: 'assistant', name: 'Easel AI' }, role: 'assistant', text: 'x', status: 'done' })
			);
		await waitFor(() => !doc.getMap('messages').has(forged), 5000, 'the forged message removed');
	});

	it("shows the assistant's presence to a canvas client, moves it, and removes it", async () => {
		const { token, canvasId } = await personWithCanvas('Watcher');
		// Not loaded here yet: nothing happens, nothing fails.
		collaboration.setPeerPresence(canvasId, 'assistant', { name: 'Easel AI', color: '#7c3aed', cursor: { x: 1, y: 2 }, pageId: 'page:page' });
		const client = connect(`canvas:${canvasId}`, token);
		await client.synced;
		const assistant = () => {
			for (const [clientId, state] of client.provider.awareness!.getStates()) {
				if ((state.user as { id?: string } | undefined)?.id === 'assistant') return presenceFromAwarenessState(clientId, state);
			}
			return undefined;
		};
		expect(assistant()).toBeUndefined();
		collaboration.setPeerPresence(canvasId, 'assistant', {
			name: 'Easel AI',
			color: '#7c3aed',
			cursor: { x: 10, y: 20 },
			pageId: 'page:page',
			selectedShapeIds: ['shape:a']
		});
		await waitFor(() => assistant() !== undefined, 5000, "the assistant's presence");
		expect(assistant()).toMatchObject({ userName: 'Easel AI', color: '#7c3aed', cursor: { x: 10, y: 20 }, currentPageId: 'page:page', selectedShapeIds: ['shape:a'] });
		collaboration.setPeerPresence(canvasId, 'assistant', { name: 'Easel AI', color: '#7c3aed', cursor: { x: 300, y: 40 }, pageId: 'page:page' });
		await waitFor(() => assistant()?.cursor?.x === 300, 5000, 'the cursor to move');
		// A client that joins later sees it too.
		const late = connect(`canvas:${canvasId}`, token);
		await late.synced;
		await waitFor(
			() => [...late.provider.awareness!.getStates().values()].some((state) => (state.user as { id?: string })?.id === 'assistant'),
			5000,
			'presence for a late client'
		);
		collaboration.setPeerPresence(canvasId, 'assistant', null);
		await waitFor(() => assistant() === undefined, 5000, "the assistant's presence to go");
		await waitFor(
			() => ![...late.provider.awareness!.getStates().values()].some((state) => (state.user as { id?: string })?.id === 'assistant'),
			5000,
			'gone for the late client'
		);
	});
});
