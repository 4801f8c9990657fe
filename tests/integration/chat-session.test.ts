// The browser's ChatSession against the real collaboration server (its chat validation included):
// guests through share links send, edit as branches and delete their own messages, see who types,
// count unread messages, and a view link reads without writing.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import * as Y from 'yjs';
import { createCollaborationServer, type CollaborationServer } from '../../server/collab/index.ts';
import { createMessageMap, readMessages, visibleThread } from '../../src/lib/chat/chat-document.ts';
import { ChatSession } from '../../src/lib/chat/chat-session.svelte.ts';
import { COLLAB_PATH } from '../../src/lib/collab-protocol.ts';
import { guestIdentity } from '../../src/lib/guest-identity.ts';
import * as accounts from '../../src/lib/server/accounts.ts';
import { createSession, generateSessionToken } from '../../src/lib/server/auth/sessions.ts';
import * as canvases from '../../src/lib/server/canvases.ts';
import { loadConfig } from '../../src/lib/server/config.ts';
import { createLogger } from '../../src/lib/server/logger.ts';
import * as sharing from '../../src/lib/server/sharing.ts';
import { connectCanvas, waitFor, type CanvasClient } from '../helpers/clients.ts';
import { describeEachDatabase, uniqueEmail } from '../helpers/databases.ts';

describeEachDatabase('the chat panel’s session against the collaboration server', (database) => {
	let collaboration: CollaborationServer;
	let http: Server;
	let wsUrl: string;
	const closers: (() => void)[] = [];

	beforeAll(async () => {
		collaboration = createCollaborationServer({ db: database().db, config: loadConfig({ MAX_CHAT_MESSAGE_CHARS: '200' }), logger: createLogger('silent') });
		http = createServer((_request, response) => response.writeHead(404).end());
		http.on('upgrade', (request, socket, head) => {
			if (!collaboration.handleUpgrade(request, socket, head)) socket.destroy();
		});
		await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
		wsUrl = `ws://127.0.0.1:${(http.address() as AddressInfo).port}${COLLAB_PATH}`;
	});

	afterAll(async () => {
		for (const close of closers) close();
		await collaboration?.shutdown();
		await new Promise((resolve) => http?.close(resolve));
	});

	async function canvasWithLinks() {
		const { db } = database();
		const owner = await accounts.signUp(db, { email: uniqueEmail('owner'), password: 'a long enough password', name: 'Olga' });
		const sessionToken = generateSessionToken();
		await createSession(db, sessionToken, owner.id, 30);
		const actor = { kind: 'user' as const, userId: owner.id };
		const canvas = await canvases.create(db, actor, { teamId: owner.personalTeamId });
		const edit = await sharing.createLink(db, actor, canvas.id, { access: 'edit', audience: 'anyone' });
		const view = await sharing.createLink(db, actor, canvas.id, { access: 'view', audience: 'anyone' });
		return { owner, sessionToken, canvasId: canvas.id, editToken: edit.token, viewToken: view.token };
	}

	function guestSession(canvasId: string, shareToken: string, readOnly: boolean): ChatSession {
		const session = new ChatSession({ canvasId, me: { ...guestIdentity(crypto.randomUUID()), guest: true }, readOnly, shareToken, url: wsUrl });
		closers.push(() => session.destroy());
		return session;
	}

	function ownerClient(canvasId: string, sessionToken: string): CanvasClient {
		const client = connectCanvas(wsUrl, `chat:${canvasId}`, sessionToken);
		closers.push(() => client.destroy());
		return client;
	}

	it('a guest with an edit link sends, edits as a branch and deletes their own messages, which the server keeps', async () => {
		const { owner, sessionToken, canvasId, editToken } = await canvasWithLinks();
		const guest = guestSession(canvasId, editToken, false);
		const olga = ownerClient(canvasId, sessionToken);
		await olga.synced;
		await waitFor(() => guest.synced && guest.status === 'connected', 10_000, 'the guest’s chat synced');
		expect(guest.readOnly).toBe(false);

		const firstId = guest.send('  Hello from a guest  ', null)!;
		expect(firstId).toBeTruthy();
		const onServer = () => readMessages(olga.doc).find((message) => message.id === firstId);
		await waitFor(() => onServer()?.author.kind === 'guest', 5000, 'the guest’s message, stamped, at the owner');
		expect(onServer()).toMatchObject({ text: 'Hello from a guest', parentId: null, role: 'user', status: 'done' });
		// The server picked the guest's identity; the session still knows the message is its own.
		await waitFor(() => guest.messages.find((message) => message.id === firstId)?.author.id === onServer()?.author.id, 5000, 'the stamp back at the guest');
		expect(guest.isMine(guest.messages.find((message) => message.id === firstId)!)).toBe(true);

		// Olga answers: for the guest that is one unread message, and never their own.
		const answerId = crypto.randomUUID();
		olga.doc
			.getMap<Y.Map<unknown>>('messages')
			.set(
				answerId,
				createMessageMap({ id: answerId, parentId: firstId, author: { kind: 'user', id: owner.id, name: 'Olga' }, role: 'user', text: 'Welcome!', status: 'done' })
			);
		await waitFor(() => guest.messages.some((message) => message.id === answerId), 5000, 'Olga’s answer at the guest');
		const answer = guest.messages.find((message) => message.id === answerId)!;
		expect(guest.isMine(answer)).toBe(false);
		expect(guest.unread).toBe(1);
		guest.markAllRead();
		expect(guest.unread).toBe(0);
		expect(guest.remove(answerId)).toBe(false);
		expect(guest.edit(answerId, 'Rewritten')).toBeNull();

		// Editing makes a sibling of the original: two versions under the same parent, the new one shown.
		const editedId = guest.edit(firstId, 'Hello from a guest, edited')!;
		await waitFor(() => readMessages(olga.doc).some((message) => message.id === editedId && message.author.kind === 'guest'), 5000, 'the edit at the owner');
		const thread = visibleThread(readMessages(olga.doc));
		expect(thread[0]).toMatchObject({ message: { id: editedId, text: 'Hello from a guest, edited' }, siblingIds: [firstId, editedId], index: 1 });
		expect(onServer()?.text).toBe('Hello from a guest');

		// Deleting empties the text and keeps the place in the tree; the server accepts it (nothing is put back).
		expect(guest.remove(firstId)).toBe(true);
		await waitFor(() => onServer()?.deleted === true && onServer()?.text === '', 5000, 'the deletion at the owner');
		await new Promise((resolve) => setTimeout(resolve, 300));
		expect(guest.messages.find((message) => message.id === firstId)).toMatchObject({ deleted: true, text: '' });
		expect(readMessages(olga.doc).find((message) => message.id === answerId)?.parentId).toBe(firstId);

		// A message the server refuses (longer than the limit) comes back as a refusal the panel can show.
		expect(guest.refusedSend).toBe(false);
		const tooLongId = guest.send('x'.repeat(201), answerId)!;
		await waitFor(() => guest.refusedSend, 5000, 'the refusal of a message over the limit');
		expect(guest.messages.some((message) => message.id === tooLongId)).toBe(false);
		guest.send('Short again', answerId);
		expect(guest.refusedSend).toBe(false);
	});

	it('a view link reads the chat and sees who is typing, but cannot write', async () => {
		const { canvasId, editToken, viewToken } = await canvasWithLinks();
		const writer = guestSession(canvasId, editToken, false);
		const reader = guestSession(canvasId, viewToken, false);
		await waitFor(() => writer.synced && reader.synced, 10_000, 'both chats synced');
		// The page may believe otherwise; the server's grant decides.
		await waitFor(() => reader.readOnly, 5000, 'the read-only grant');
		expect(reader.canWrite).toBe(false);
		expect(reader.send('let me in', null)).toBeNull();

		writer.setTyping(true);
		await waitFor(() => reader.typists.length === 1, 5000, 'the typing indicator at the reader');
		expect(reader.typists[0].name).toMatch(/^Guest /);
		const id = writer.send('Typed and sent', null)!;
		await waitFor(() => reader.messages.some((message) => message.id === id) && reader.typists.length === 0, 5000, 'the message, and typing over');
		expect(reader.unread).toBe(1);

		// A viewer has nothing to type into, so never shows as typing.
		reader.setTyping(true);
		await new Promise((resolve) => setTimeout(resolve, 300));
		expect(writer.typists).toEqual([]);
	});
});
