// Who may push, append to, stream into and read conversations, asked of the domain directly (on both
// databases, with a real collaboration server drawing the cards): API keys by their scopes and
// canvases (HTTP use of keys comes with the API keys route), the roles of a team, other teams.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCollaborationServer, type CollaborationServer } from '../../server/collab/index.ts';
import * as accounts from '../../src/lib/server/accounts.ts';
import * as canvases from '../../src/lib/server/canvases.ts';
import * as conversations from '../../src/lib/server/conversations/index.ts';
import type { ApiKeyActor, ApiKeyScope, UserActor } from '../../src/lib/server/access.ts';
import { FileBlobStore } from '../../src/lib/server/assets/blob-store.ts';
import { loadConfig } from '../../src/lib/server/config.ts';
import { memberships } from '../../src/lib/server/db/schema.ts';
import { createLogger } from '../../src/lib/server/logger.ts';
import type { Services } from '../../src/lib/server/services.ts';
import { documentName } from '../../src/lib/document-names.ts';
import { describeEachDatabase, uniqueEmail } from '../helpers/databases.ts';

describeEachDatabase('who may write conversations', (database) => {
	let collaboration: CollaborationServer;
	let services: Services;
	let owner: UserActor & { teamId: string };
	let canvasId: string;
	let otherCanvasId: string;
	const config = loadConfig({});
	const limits = conversations.conversationLimits(config);

	const key = (scopes: ApiKeyScope[], extra: Partial<ApiKeyActor> = {}): ApiKeyActor => ({
		kind: 'apiKey',
		keyId: crypto.randomUUID(),
		teamId: owner.teamId,
		scopes,
		...extra
	});
	const push = (actor: Parameters<typeof conversations.ingestConversation>[2], onCanvas = canvasId) =>
		conversations.ingestConversation(services, limits, actor, onCanvas, {
			messages: [
				{ role: 'user', content: 'Hello' },
				{ role: 'assistant', content: 'Hi' }
			]
		});

	beforeAll(async () => {
		const { db } = database();
		collaboration = createCollaborationServer({ db, config, logger: createLogger('silent') });
		services = { db, collaboration, stripe: null, logger: createLogger('silent'), blobs: new FileBlobStore(mkdtempSync(join(tmpdir(), 'easel-conversation-blobs-'))) };
		const created = await accounts.signUp(db, { email: uniqueEmail('owner'), password: 'password123', name: 'Owner' });
		owner = { kind: 'user', userId: created.id, teamId: created.personalTeamId };
		canvasId = (await canvases.create(db, owner, { teamId: owner.teamId, title: 'Agent runs' })).id;
		otherCanvasId = (await canvases.create(db, owner, { teamId: owner.teamId, title: 'Other' })).id;
	});
	afterAll(() => collaboration?.shutdown());

	it('lets a key with conversations:write push, append, stream and complete, drawing the cards as its own writer', async () => {
		const agent = key(['conversations:write']);
		const { conversation } = await push(agent);
		const streaming = await conversations.appendMessage(services, limits, agent, conversation.id, { role: 'assistant', status: 'streaming' });
		await conversations.streamDelta(services, limits, agent, conversation.id, streaming.id, 'Thinking…');
		const done = await conversations.completeMessage(services, agent, conversation.id, streaming.id, {});
		expect(done).toMatchObject({ status: 'complete', text: 'Thinking…', parentId: conversation.messageIds[1] });
		const { records } = await collaboration.readDocument(documentName('canvas', canvasId));
		expect(Object.keys(records).filter((id) => id.startsWith('shape:message-') && !id.startsWith('shape:message-link-'))).toHaveLength(3);
		// A key may read what it may see: conversations:write includes viewing the canvas.
		expect((await conversations.getConversation(database().db, agent, conversation.id)).messages).toHaveLength(3);
	});

	it('refuses keys without conversations:write (FORBIDDEN), keys of other canvases or teams (NOT_FOUND), and viewers', async () => {
		await expect(push(key(['canvases:read']))).rejects.toMatchObject({
			code: 'FORBIDDEN',
			message: 'This API key may not push conversations onto this canvas: it needs the “conversations:write” scope.'
		});
		await expect(push(key(['canvases:write']))).rejects.toMatchObject({ code: 'FORBIDDEN' });
		await expect(push(key(['conversations:write'], { canvasIds: [otherCanvasId] }))).rejects.toMatchObject({ code: 'NOT_FOUND' });
		await expect(push(key(['conversations:write'], { teamId: crypto.randomUUID() }))).rejects.toMatchObject({ code: 'NOT_FOUND' });
		expect((await push(key(['conversations:write'], { canvasIds: [otherCanvasId] }), otherCanvasId)).created).toBe(true);

		const { conversation } = await push(owner);
		const reader = key(['canvases:read']);
		await expect(conversations.appendMessage(services, limits, reader, conversation.id, { role: 'user', content: 'x' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
		expect((await conversations.getConversation(database().db, reader, conversation.id)).id).toBe(conversation.id);
		await expect(conversations.getConversation(database().db, key(['team:read']), conversation.id)).rejects.toMatchObject({ code: 'FORBIDDEN' });
		await expect(conversations.getConversation(database().db, key(['conversations:write'], { teamId: crypto.randomUUID() }), conversation.id)).rejects.toMatchObject({
			code: 'NOT_FOUND',
			message: 'Conversation was not found.'
		});

		const viewer = await accounts.signUp(database().db, { email: uniqueEmail('viewer'), password: 'password123', name: 'Viewer' });
		await database().db.insert(memberships).values({ teamId: owner.teamId, userId: viewer.id, role: 'viewer' });
		await expect(push({ kind: 'user', userId: viewer.id })).rejects.toMatchObject({
			code: 'FORBIDDEN',
			message: 'As a viewer you may not push conversations onto this canvas.'
		});
		await expect(push({ kind: 'anonymous' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
	});
});
