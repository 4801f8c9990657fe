// The team library through the real server, on both databases: full-text search over titles and the
// text written on canvases (kept current by the collaboration server, backfilled at start), ranking,
// excerpts, sort, stars per person, folders and filing, what the trash and other teams hide, bad
// input, and what API keys may list and change.
import { eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createMessageMap } from '../../src/lib/chat/chat-document.ts';
import { documentName } from '../../src/lib/document-names.ts';
import type { Database } from '../../src/lib/server/db/index.ts';
import { canvases as canvasRows, teams } from '../../src/lib/server/db/schema.ts';
import { api, connectCanvas, createCanvas, signUp, waitFor, type ApiBody, type TestUser } from '../helpers/clients.ts';
import { messageCard, toolCall } from '../helpers/message-cards.ts';
import { changeServerDatabase, describeEachServerDatabase } from '../helpers/server-databases.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { frameShape, geoShape, richText, seedCanvas, textShape } from '../helpers/tldraw-records.ts';

/** The store is debounced (5 s after the last edit, 30 s at most): poll until this deadline, never sleep. */
const STORED_WITHIN_MS = 40_000;

interface ListedCanvas {
	id: string;
	title: string;
	starred: boolean;
	folderId: string | null;
	match?: { text: string; highlights: { start: number; end: number }[] } | null;
}

describeEachServerDatabase('the team library', (database) => {
	let server: RunningServer;
	let owner: TestUser;
	let member: TestUser;
	let outsider: TestUser;
	/** A team owner and member share, the member as an editor unless a test changes it. */
	let teamId: string;

	const call = (path: string, options: Parameters<typeof api>[2] = {}) => api(server.url, path, options);
	const list = async (user: { token: string }, query: Record<string, string>, team = teamId): Promise<ListedCanvas[]> => {
		const answer = await call(`/api/v1/canvases?${new URLSearchParams({ teamId: team, ...query })}`, { token: user.token });
		expect(answer.status, JSON.stringify(answer.body)).toBe(200);
		return answer.body.canvases;
	};
	const titles = (found: ListedCanvas[]) => found.map((canvas) => canvas.title);
	const newCanvas = async (title: string, team = teamId, by = owner) => {
		const made = await call('/api/v1/canvases', { token: by.token, body: { title, teamId: team } });
		expect(made.status, JSON.stringify(made.body)).toBe(201);
		return made.body.id as string;
	};
	const newTeam = async (name: string, by = owner) => (await call('/api/v1/teams', { token: by.token, body: { name } })).body.id as string;
	/** Writes shapes to a canvas over the socket, as a browser would, and leaves (the last one leaving stores it at once). */
	const writeShapes = async (canvasId: string, shapes: { id: string }[], by = owner) => {
		const client = connectCanvas(server.wsUrl, documentName('canvas', canvasId), by.token);
		await client.synced;
		seedCanvas(client.records);
		client.doc.transact(() => {
			for (const shape of shapes) client.records.set(shape.id, shape);
		});
		await waitFor(() => !client.provider.hasUnsyncedChanges, 10_000, 'the server to acknowledge the shapes');
		client.destroy();
	};
	const waitUntilFound = (user: { token: string }, q: string, canvasId: string) =>
		waitFor(async () => (await list(user, { q })).some((canvas) => canvas.id === canvasId), STORED_WITHIN_MS, `a search for “${q}” to find the canvas`);
	const highlighted = (canvas: ListedCanvas | undefined) => canvas?.match?.highlights.map(({ start, end }) => canvas.match!.text.slice(start, end)) ?? [];
	/** Runs `change` on the database the server uses (on PGlite the server restarts for it). */
	const changeDatabase = async (change: (db: Database) => Promise<void>) => {
		server = await changeServerDatabase(database(), server, change);
	};

	beforeAll(async () => {
		server = await startServer({ env: database().env });
		[owner, member, outsider] = await Promise.all([signUp(server.url, 'Olive'), signUp(server.url, 'Milo'), signUp(server.url, 'Otto')]);
		teamId = await newTeam('Library team');
		const invitation = await call(`/api/v1/teams/${teamId}/invitations`, { token: owner.token, body: { role: 'editor' } });
		expect((await call(`/api/v1/invitations/${invitation.body.token}/accept`, { method: 'POST', token: member.token })).status).toBe(200);
	}, 60_000);
	afterAll(async () => {
		await server?.dispose();
	});

	it('finds a word written on a canvas over the socket once the collaboration server has stored it, with the excerpt around it', async () => {
		const canvasId = await newCanvas('Socket notes');
		const client = connectCanvas(server.wsUrl, documentName('canvas', canvasId), member.token);
		await client.synced;
		seedCanvas(client.records);
		client.records.set('shape:note', textShape('shape:note', 'Remember the quokkaflux capacitor before launch'));
		expect(await list(owner, { q: 'quokkaflux' })).toEqual([]);
		// The member stays connected: this is the debounced store, not the one on leaving.
		await waitUntilFound(owner, 'quokkaflux', canvasId);
		const [found] = await list(owner, { q: 'quokkaflux' });
		expect(found).toMatchObject({ id: canvasId, title: 'Socket notes', starred: false, folderId: null });
		expect(found.match?.text).toContain('Remember the quokkaflux capacitor');
		expect(highlighted(found)).toEqual(['quokkaflux']);
		// As it is typed: the last word matches as a prefix.
		expect(titles(await list(owner, { q: 'quokkaf' }))).toEqual(['Socket notes']);
		expect(titles(await list(owner, { q: 'remember quok' }))).toEqual(['Socket notes']);
		// A later edit replaces the text it is found by.
		client.records.set('shape:note', textShape('shape:note', 'Now it is about the wombatron'));
		await waitUntilFound(owner, 'wombatron', canvasId);
		expect(await list(owner, { q: 'quokkaflux' })).toEqual([]);
		client.destroy();
		// Without a search there is no excerpt.
		expect((await list(owner, {})).find((canvas) => canvas.id === canvasId)).not.toHaveProperty('match');
	}, 90_000);

	it('indexes labels, frame names and message cards (text, tool calls, results), never the chat beside the canvas', async () => {
		const canvasId = await newCanvas('Many shapes');
		// A chat message first: it is stored when its client leaves, before the canvas is written.
		const chat = connectCanvas(server.wsUrl, documentName('chat', canvasId), owner.token);
		await chat.synced;
		const messageId = crypto.randomUUID();
		chat.doc.getMap('messages').set(
			messageId,
			createMessageMap({
				id: messageId,
				parentId: null,
				author: { kind: 'user', id: owner.id, name: 'Olive' },
				role: 'user',
				text: 'chatted about the okapiary',
				status: 'done'
			})
		);
		await waitFor(() => !chat.provider.hasUnsyncedChanges, 10_000, 'the chat message to be acknowledged');
		chat.destroy();
		await writeShapes(canvasId, [
			geoShape('shape:box', {}, { richText: richText('Box says pangolinite') }),
			frameShape('shape:frame', { index: 'a2' }, { name: 'Frame named axolotlium' }),
			messageCard(
				'shape:card',
				{ text: 'The model answered narwhalese', toolCalls: [toolCall('call_1', 'lookup_capybarium', { city: 'Oslo' }, 'ocelotine result')] },
				{ index: 'a3' }
			)
		]);
		await waitUntilFound(owner, 'pangolinite', canvasId);
		for (const word of ['axolotlium', 'narwhalese', 'lookup_capybarium', 'ocelotine']) expect(titles(await list(owner, { q: word })), word).toEqual(['Many shapes']);
		expect(await list(owner, { q: 'okapiary' })).toEqual([]);
	}, 60_000);

	it('ranks a title match above a text match, and the title match shows no excerpt', async () => {
		const inTitle = await newCanvas('Zephyrine rollout');
		const inText = await newCanvas('Quarterly plan');
		await writeShapes(inText, [textShape('shape:z', 'zephyrine is mentioned here, zephyrine again, and zephyrine once more')]);
		await waitUntilFound(owner, 'zephyrine', inText);
		const found = await list(owner, { q: 'zephyrine' });
		expect(found.map((canvas) => canvas.id)).toEqual([inTitle, inText]);
		expect(found[0].match).toBeNull();
		expect(highlighted(found[1])).toEqual(['zephyrine', 'zephyrine', 'zephyrine']);
		// The same search sorted by title is not ranked.
		expect(titles(await list(owner, { q: 'zephyrine', sort: 'title' }))).toEqual(['Quarterly plan', 'Zephyrine rollout']);
		// A copy is found by the same text at once, without being opened.
		const copy = await call(`/api/v1/canvases/${inText}/duplicate`, { method: 'POST', token: owner.token });
		expect((await list(owner, { q: 'zephyrine', sort: 'title' })).map((canvas) => canvas.id)).toEqual([inText, copy.body.id, inTitle]);
	}, 60_000);

	it('finds a renamed canvas by its new title at once, and no longer by the old one', async () => {
		const canvasId = await newCanvas('Gibbonade draft');
		expect(titles(await list(owner, { q: 'gibbonade' }))).toEqual(['Gibbonade draft']);
		expect((await call(`/api/v1/canvases/${canvasId}`, { method: 'PATCH', token: owner.token, body: { title: 'Marmosetry roadmap' } })).status).toBe(200);
		expect(titles(await list(owner, { q: 'marmosetry' }))).toEqual(['Marmosetry roadmap']);
		expect(await list(owner, { q: 'gibbonade' })).toEqual([]);
	});

	it("finds nothing in another team's canvases, and another team's library is not found", async () => {
		const outsiderCanvas = await createCanvas(server.url, outsider, 'Quokkaflux rival plans');
		expect((await list(owner, { q: 'rival' })).map((canvas) => canvas.id)).not.toContain(outsiderCanvas);
		expect(titles(await list(outsider, { q: 'rival' }, outsider.personalTeamId))).toEqual(['Quokkaflux rival plans']);
		const foreign = await call(`/api/v1/canvases?teamId=${outsider.personalTeamId}&q=rival`, { token: owner.token });
		expect(foreign.status).toBe(404);
		expect(foreign.body.error.code).toBe('NOT_FOUND');
	});

	it('sorts by last edited (the default), newest and title A→Z', async () => {
		const sortTeam = await newTeam('Sorting');
		const banana = await newCanvas('banana', sortTeam);
		const apple = await newCanvas('Apple', sortTeam);
		const cherry = await newCanvas('cherry', sortTeam);
		expect(titles(await list(owner, { sort: 'title' }, sortTeam))).toEqual(['Apple', 'banana', 'cherry']);
		expect((await list(owner, { sort: 'created' }, sortTeam)).map((canvas) => canvas.id)).toEqual([cherry, apple, banana]);
		await call(`/api/v1/canvases/${banana}`, { method: 'PATCH', token: owner.token, body: { title: 'banana split' } });
		expect((await list(owner, {}, sortTeam)).map((canvas) => canvas.id)).toEqual([banana, cherry, apple]);
		expect((await list(owner, { sort: 'edited' }, sortTeam)).map((canvas) => canvas.id)).toEqual([banana, cherry, apple]);
		// Relevance without a search is the default order.
		expect((await list(owner, { sort: 'relevance' }, sortTeam)).map((canvas) => canvas.id)).toEqual([banana, cherry, apple]);
	});

	it("stars are each person's own: starred canvases come first for the one who starred them, in every sort", async () => {
		const starTeam = await newTeam('Stars');
		const invitation = await call(`/api/v1/teams/${starTeam}/invitations`, { token: owner.token, body: { role: 'viewer' } });
		await call(`/api/v1/invitations/${invitation.body.token}/accept`, { method: 'POST', token: member.token });
		const alpha = await newCanvas('Alpha', starTeam);
		const omega = await newCanvas('Omega', starTeam);
		expect((await call(`/api/v1/canvases/${omega}/star`, { method: 'PUT', token: owner.token })).status).toBe(204);
		expect((await call(`/api/v1/canvases/${omega}/star`, { method: 'PUT', token: owner.token })).status).toBe(204);
		// A viewer may star too: it is their own list.
		expect((await call(`/api/v1/canvases/${alpha}/star`, { method: 'PUT', token: member.token })).status).toBe(204);

		const mine = await list(owner, { sort: 'title' }, starTeam);
		expect(mine.map(({ title, starred }) => [title, starred])).toEqual([
			['Omega', true],
			['Alpha', false]
		]);
		expect(titles(await list(owner, { sort: 'created' }, starTeam))).toEqual(['Omega', 'Alpha']);
		const theirs = await list(member, { sort: 'title' }, starTeam);
		expect(theirs.map(({ title, starred }) => [title, starred])).toEqual([
			['Alpha', true],
			['Omega', false]
		]);
		expect(titles(await list(owner, { starred: 'true' }, starTeam))).toEqual(['Omega']);

		expect((await call(`/api/v1/canvases/${omega}/star`, { method: 'DELETE', token: owner.token })).status).toBe(204);
		expect((await call(`/api/v1/canvases/${omega}/star`, { method: 'DELETE', token: owner.token })).status).toBe(204);
		expect(await list(owner, { starred: 'true' }, starTeam)).toEqual([]);
		// Nobody stars what they cannot open.
		expect((await call(`/api/v1/canvases/${omega}/star`, { method: 'PUT', token: outsider.token })).status).toBe(404);
	});

	it('folders: create, a clear 409 for a name taken in any letter case, rename, file, filter, and delete keeps the canvases', async () => {
		const folderTeam = await newTeam('Folders');
		const created = await call(`/api/v1/teams/${folderTeam}/folders`, { token: owner.token, body: { name: '  Design reviews ' } });
		expect(created.status, JSON.stringify(created.body)).toBe(201);
		expect(created.body).toMatchObject({ name: 'Design reviews', teamId: folderTeam, canvasCount: 0 });
		const folderId = created.body.id as string;
		const taken = await call(`/api/v1/teams/${folderTeam}/folders`, { token: owner.token, body: { name: 'DESIGN REVIEWS' } });
		expect(taken.status).toBe(409);
		expect(taken.body.error).toMatchObject({ code: 'CONFLICT', message: 'This team already has a folder called “DESIGN REVIEWS”. Choose another name.' });
		const other = (await call(`/api/v1/teams/${folderTeam}/folders`, { token: owner.token, body: { name: 'Archive' } })).body.id as string;
		// The same name in another team is fine.
		expect((await call(`/api/v1/teams/${teamId}/folders`, { token: owner.token, body: { name: 'Design reviews' } })).status).toBe(201);

		const renamed = await call(`/api/v1/folders/${folderId}`, { method: 'PATCH', token: owner.token, body: { name: 'Reviews' } });
		expect(renamed.body).toMatchObject({ id: folderId, name: 'Reviews' });
		expect((await call(`/api/v1/folders/${other}`, { method: 'PATCH', token: owner.token, body: { name: 'reviews' } })).status).toBe(409);

		const filed = await newCanvas('Filed one', folderTeam);
		const loose = await newCanvas('Loose one', folderTeam);
		const patched = await call(`/api/v1/canvases/${filed}`, { method: 'PATCH', token: owner.token, body: { folderId } });
		expect(patched.status, JSON.stringify(patched.body)).toBe(200);
		expect(patched.body).toMatchObject({ id: filed, title: 'Filed one', folderId });
		// A copy sits beside its original, in its folder.
		const copy = await call(`/api/v1/canvases/${filed}/duplicate`, { method: 'POST', token: owner.token });
		expect(copy.body).toMatchObject({ title: 'Filed one (copy)', folderId });
		await call(`/api/v1/canvases/${copy.body.id}`, { method: 'DELETE', token: owner.token });
		// Title and folder in one request.
		const both = await call(`/api/v1/canvases/${loose}`, { method: 'PATCH', token: owner.token, body: { title: 'Loose two', folderId: other } });
		expect(both.body).toMatchObject({ title: 'Loose two', folderId: other });
		expect((await call(`/api/v1/canvases/${loose}`, { method: 'PATCH', token: owner.token, body: { folderId: null } })).body.folderId).toBeNull();

		expect(titles(await list(owner, { folderId }, folderTeam))).toEqual(['Filed one']);
		expect(titles(await list(owner, { folderId: 'none' }, folderTeam))).toEqual(['Loose two']);
		expect(titles(await list(owner, { sort: 'title' }, folderTeam))).toEqual(['Filed one', 'Loose two']);
		const folders = (await call(`/api/v1/teams/${folderTeam}/folders`, { token: owner.token })).body.folders;
		expect(folders.map(({ name, canvasCount }: ApiBody) => [name, canvasCount])).toEqual([
			['Archive', 0],
			['Reviews', 1]
		]);

		expect((await call(`/api/v1/folders/${folderId}`, { method: 'DELETE', token: owner.token })).status).toBe(204);
		const after = await list(owner, { sort: 'title' }, folderTeam);
		expect(after.map(({ title, folderId: inFolder }) => [title, inFolder])).toEqual([
			['Filed one', null],
			['Loose two', null]
		]);
		expect((await call(`/api/v1/folders/${folderId}`, { method: 'DELETE', token: owner.token })).status).toBe(404);
		// A deleted folder in a filter is named as the problem.
		const stale = await call(`/api/v1/canvases?teamId=${folderTeam}&folderId=${folderId}`, { token: owner.token });
		expect(stale.status).toBe(400);
		expect(stale.body.error).toMatchObject({ code: 'INVALID_INPUT', details: { field: 'folderId' } });
	});

	it("refuses filing a canvas in another team's folder, changing nothing, even for someone who owns both", async () => {
		const first = await newTeam('First');
		const second = await newTeam('Second');
		const canvasId = await newCanvas('Stays put', first);
		const foreignFolder = (await call(`/api/v1/teams/${second}/folders`, { token: owner.token, body: { name: 'Elsewhere' } })).body.id;
		const refused = await call(`/api/v1/canvases/${canvasId}`, { method: 'PATCH', token: owner.token, body: { title: 'Renamed too', folderId: foreignFolder } });
		expect(refused.status).toBe(400);
		expect(refused.body.error).toMatchObject({
			code: 'INVALID_INPUT',
			message: 'folderId is not a folder of this team: it may have been deleted.',
			details: { field: 'folderId' }
		});
		// Neither the title nor the folder changed.
		expect((await call(`/api/v1/canvases/${canvasId}`, { token: owner.token })).body).toMatchObject({ title: 'Stays put', folderId: null });
		// Moving a filed canvas to another team takes it out of its folder.
		const home = (await call(`/api/v1/teams/${first}/folders`, { token: owner.token, body: { name: 'Home' } })).body.id;
		await call(`/api/v1/canvases/${canvasId}`, { method: 'PATCH', token: owner.token, body: { folderId: home } });
		const moved = await call(`/api/v1/canvases/${canvasId}/move`, { token: owner.token, body: { teamId: second } });
		expect(moved.body).toMatchObject({ teamId: second, folderId: null });
	});

	it('viewers see folders but cannot manage them or file canvases', async () => {
		const viewTeam = await newTeam('Viewing');
		const invitation = await call(`/api/v1/teams/${viewTeam}/invitations`, { token: owner.token, body: { role: 'viewer' } });
		await call(`/api/v1/invitations/${invitation.body.token}/accept`, { method: 'POST', token: member.token });
		const folderId = (await call(`/api/v1/teams/${viewTeam}/folders`, { token: owner.token, body: { name: 'Shared' } })).body.id;
		const canvasId = await newCanvas('Look only', viewTeam);
		expect((await call(`/api/v1/teams/${viewTeam}/folders`, { token: member.token })).body.folders.map((folder: ApiBody) => folder.name)).toEqual(['Shared']);
		const refusals = [
			await call(`/api/v1/teams/${viewTeam}/folders`, { token: member.token, body: { name: 'Mine' } }),
			await call(`/api/v1/folders/${folderId}`, { method: 'PATCH', token: member.token, body: { name: 'Renamed' } }),
			await call(`/api/v1/folders/${folderId}`, { method: 'DELETE', token: member.token }),
			await call(`/api/v1/canvases/${canvasId}`, { method: 'PATCH', token: member.token, body: { folderId } })
		];
		for (const refusal of refusals) {
			expect(refusal.status).toBe(403);
			expect(refusal.body.error.message).toBe('As a viewer you may not manage folders.');
		}
		// Someone outside the team hears the folder does not exist.
		expect((await call(`/api/v1/folders/${folderId}`, { method: 'PATCH', token: outsider.token, body: { name: 'Taken' } })).status).toBe(404);
	});

	it('answers bad input with a 400 that names what is wrong', async () => {
		const canvasId = await newCanvas('Input checks');
		const cases: [string, Parameters<typeof api>[2], string][] = [
			[`/api/v1/canvases?teamId=${teamId}&sort=popular`, {}, 'sort must be edited, created, title or relevance.'],
			[`/api/v1/canvases?teamId=${teamId}&folderId=misc`, {}, 'folderId must be a folder id, or none for the canvases in no folder.'],
			[`/api/v1/canvases?teamId=${teamId}&folderId=${crypto.randomUUID()}`, {}, 'folderId is not a folder of this team: it may have been deleted.'],
			[`/api/v1/canvases?teamId=${teamId}&starred=yes`, {}, 'starred must be true or false.'],
			[`/api/v1/canvases?teamId=${teamId}&q=${'x'.repeat(201)}`, {}, 'A search is at most 200 characters.'],
			[`/api/v1/canvases/${canvasId}`, { method: 'PATCH', body: {} }, 'Send a new title, a folderId, or both.'],
			[`/api/v1/canvases/${canvasId}`, { method: 'PATCH', body: { folderId: 'archive' } }, 'folderId must be a folder id, or null to take the canvas out of its folder.'],
			[`/api/v1/teams/${teamId}/folders`, { body: { name: '   ' } }, 'Folder name must not be empty.'],
			[`/api/v1/teams/${teamId}/folders`, { body: { name: 'x'.repeat(81) } }, 'Folder name must be at most 80 characters.'],
			[
				`/api/v1/teams/${teamId}/folders`,
				{ body: { name: 'Line\nbreak' } },
				'Folder name must not contain control, formatting or invisible characters (line breaks, direction overrides, zero-width spaces).'
			]
		];
		for (const [path, options, message] of cases) {
			const answer = await call(path, { token: owner.token, ...options });
			expect(answer.status, path).toBe(400);
			expect(answer.body.error, path).toMatchObject({ code: 'INVALID_INPUT', message });
		}
		// Punctuation alone is a search for nothing, not an error.
		expect(await list(owner, { q: '!!! ???' })).toEqual([]);
		expect((await call(`/api/v1/canvases/${canvasId}`, { token: owner.token })).body.title).toBe('Input checks');
	});

	it('API keys list and search with canvases:read, file with canvases:write, see only the canvases they are limited to, and have no stars', async () => {
		const keyTeam = owner.personalTeamId;
		const seen = await newCanvas('Key visible ferretology', keyTeam);
		const hidden = await newCanvas('Key hidden ferretology', keyTeam);
		const folderId = (await call(`/api/v1/teams/${keyTeam}/folders`, { token: owner.token, body: { name: 'Keyed' } })).body.id;
		await call(`/api/v1/canvases/${seen}`, { method: 'PATCH', token: owner.token, body: { folderId } });
		await call(`/api/v1/canvases/${hidden}`, { method: 'PATCH', token: owner.token, body: { folderId } });
		await call(`/api/v1/canvases/${seen}/star`, { method: 'PUT', token: owner.token });
		const key = async (scopes: string[], canvasIds?: string[]) =>
			(await call(`/api/v1/teams/${keyTeam}/api-keys`, { token: owner.token, body: { name: scopes.join('+'), scopes, ...(canvasIds ? { canvasIds } : {}) } })).body
				.token as string;
		const reader = await key(['canvases:read']);
		const teamOnly = await key(['team:read']);
		const limited = await key(['canvases:read', 'canvases:write'], [seen]);

		const read = await list({ token: reader }, { q: 'ferretology', sort: 'title' }, keyTeam);
		expect(read.map(({ title, starred }) => [title, starred])).toEqual([
			['Key hidden ferretology', false],
			['Key visible ferretology', false]
		]);
		expect(await list({ token: reader }, { starred: 'true' }, keyTeam)).toEqual([]);
		const refused = await call(`/api/v1/canvases?teamId=${keyTeam}&q=ferretology`, { token: teamOnly });
		expect(refused.status).toBe(403);
		expect(refused.body.error.message).toContain('“canvases:read”');
		const cannotWrite = await call(`/api/v1/teams/${keyTeam}/folders`, { token: reader, body: { name: 'From a key' } });
		expect(cannotWrite.status).toBe(403);
		expect(cannotWrite.body.error.message).toBe('This API key may not manage folders: it needs the “canvases:write” scope.');
		expect((await call(`/api/v1/canvases/${seen}/star`, { method: 'PUT', token: reader })).status).toBe(403);

		expect(titles(await list({ token: limited }, { q: 'ferretology' }, keyTeam))).toEqual(['Key visible ferretology']);
		expect((await call(`/api/v1/teams/${keyTeam}/folders`, { token: limited })).body.folders).toEqual([expect.objectContaining({ name: 'Keyed', canvasCount: 1 })]);
		expect((await call(`/api/v1/canvases/${seen}`, { method: 'PATCH', token: limited, body: { folderId: null } })).body.folderId).toBeNull();
		expect((await call(`/api/v1/canvases/${hidden}`, { method: 'PATCH', token: limited, body: { folderId: null } })).status).toBe(404);
		const made = await call(`/api/v1/teams/${keyTeam}/folders`, { token: limited, body: { name: 'Made by a key' } });
		expect(made.status).toBe(201);
	});

	it('hides canvases in the trash and canvases of a team in the trash; backfills canvases never indexed when it starts', async () => {
		const trashed = await newCanvas('Trashed dugongery');
		const kept = await newCanvas('Kept notes');
		await writeShapes(kept, [textShape('shape:k', 'the tapirology chapter')]);
		await waitUntilFound(owner, 'tapirology', kept);
		const trashTeam = await newTeam('Doomed team');
		await newCanvas('Team trash dugongery', trashTeam);
		expect(titles(await list(owner, { q: 'dugongery' }))).toEqual(['Trashed dugongery']);

		await changeDatabase(async (db) => {
			await db.update(canvasRows).set({ deletedAt: new Date() }).where(eq(canvasRows.id, trashed));
			// As canvases from before library search were: text never taken from their documents.
			await db
				.update(canvasRows)
				.set({ searchText: '', searchIndexedAt: null })
				.where(inArray(canvasRows.id, [kept]));
			await db.update(teams).set({ deletedAt: new Date() }).where(eq(teams.id, trashTeam));
		});
		// The backfill runs when the server starts (on PGlite it just has).
		if (database().driver === 'postgres') {
			await server.stop();
			server = await server.restart();
		}

		expect(await list(owner, { q: 'dugongery' })).toEqual([]);
		expect((await list(owner, {})).map((canvas) => canvas.id)).not.toContain(trashed);
		const inTrashedTeam = await call(`/api/v1/canvases?teamId=${trashTeam}&q=dugongery`, { token: owner.token });
		expect(inTrashedTeam.status === 404 || inTrashedTeam.body.canvases.length === 0, JSON.stringify(inTrashedTeam.body)).toBe(true);
		await waitUntilFound(owner, 'tapirology', kept);
		expect(server.output()).not.toContain('library search backfill failed');
	}, 120_000);
});
