// API keys on every /api/v1 route, against the real server on both databases: the route table
// (src/lib/server/api-keys/route-scopes.ts) names every route the file system has, and each route
// holds to it — a key with just the scope it names gets past authorization, a key whose scopes do not
// grant it is refused naming the scope, people-only routes refuse every key, a key limited to other
// canvases does not reach a canvas, and a revoked key reaches nothing.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { API_KEY_SCOPES, API_KEY_SCOPE_NAMES, type ApiKeyScope } from '../../src/lib/server/access.ts';
import { API_ROUTE_SCOPES, type ApiRoute, type RouteScope } from '../../src/lib/server/api-keys/route-scopes.ts';
import { api, createCanvas, signUp, type TestUser } from '../helpers/clients.ts';
import { solidPng } from '../helpers/png.ts';
import { describeEachServerDatabase } from '../helpers/server-databases.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';

const ROUTES_DIR = fileURLToPath(new URL('../../src/routes/api/v1', import.meta.url));

/** Every `METHOD /api/v1/path/{param}` the route files export. */
function routesOnDisk(dir = ROUTES_DIR): string[] {
	const found: string[] = [];
	for (const entry of readdirSync(dir, { withFileTypes: true })) {
		const path = join(dir, entry.name);
		if (entry.isDirectory()) found.push(...routesOnDisk(path));
		else if (entry.name === '+server.ts') {
			const route = `/api/v1/${relative(ROUTES_DIR, dir)}`.replace(/\/$/, '').replace(/\[(\w+)\]/g, '{$1}');
			for (const [, method] of readFileSync(path, 'utf8').matchAll(/export (?:const|async function) (GET|POST|PUT|PATCH|DELETE)\b/g)) found.push(`${method} ${route}`);
		}
	}
	return found.sort();
}

it('the route-scope table names every /api/v1 route, and no route that does not exist', () => {
	expect(Object.keys(API_ROUTE_SCOPES).sort()).toEqual(routesOnDisk());
});

/** Scopes whose actions do not include everything `scope` grants: a key holding only these may not do what needs `scope`. */
function scopesNotGranting(scope: ApiKeyScope): ApiKeyScope[] {
	const needed = API_KEY_SCOPES[scope] as readonly string[];
	return API_KEY_SCOPE_NAMES.filter((other) => !needed.every((action) => (API_KEY_SCOPES[other] as readonly string[]).includes(action)));
}

/** A body that passes validation where a route reads one, so a request gets as far as the permission check. */
const BODIES: Partial<Record<ApiRoute, unknown>> = {
	'POST /api/v1/canvases': { title: 'Made by a key' },
	'PATCH /api/v1/canvases/{id}': { title: 'Renamed by a key' },
	'POST /api/v1/teams/{teamId}/folders': { name: 'Made by a key' },
	'PATCH /api/v1/folders/{id}': { name: 'Renamed by a key' },
	'POST /api/v1/canvases/{id}/assistant/runs': { prompt: 'Add a cache in front of the API' },
	'POST /api/v1/canvases/{id}/code': {},
	'POST /api/v1/canvases/{id}/design-doc': {},
	'POST /api/v1/canvases/{id}/conversations': { messages: [{ role: 'user', content: 'Hello' }] },
	'POST /api/v1/canvases/{id}/publication': { title: 'Published by a key' },
	'PUT /api/v1/canvases/{id}/publication/preview': {},
	'POST /api/v1/canvases/{id}/versions': { label: 'Saved by a key' },
	'PATCH /api/v1/canvases/{id}/versions/{versionId}': { label: 'Renamed' },
	'POST /api/v1/conversations/{conversationId}/messages': { role: 'assistant', content: 'Hi' },
	'POST /api/v1/conversations/{conversationId}/messages/{messageId}/stream': { delta: 'x' },
	'POST /api/v1/conversations/{conversationId}/messages/{messageId}/complete': {},
	'PATCH /api/v1/teams/{teamId}': { name: 'Renamed by a key' },
	'POST /api/v1/teams': { name: 'A key team' },
	'POST /api/v1/teams/{teamId}/api-keys': { name: 'Another', scopes: ['canvases:read'] },
	'POST /api/v1/teams/{teamId}/invitations': { role: 'viewer' },
	'POST /api/v1/canvases/{id}/share-links': { access: 'view', audience: 'anyone' },
	'POST /api/v1/canvases/{id}/move': { teamId: '00000000-0000-4000-8000-000000000000' },
	'POST /api/v1/canvases/{id}/assistant/runs/{runId}/pdf': { markdown: '# Notes' },
	'POST /api/v1/canvases/{id}/images': { prompt: 'A lighthouse', sketch: Buffer.from(solidPng(4, 4, [0, 0, 0, 255])).toString('base64') }
};

/**
 * Routes whose other id (a run, an asset, a file) is random here: a key may hear NOT_FOUND for it
 * before its scopes are weighed, which tells it nothing.
 */
const RANDOM_TARGET = /\{(runId|assetId|name)\}|\/image-jobs\//;

/** Routes that would end what later requests need; they are called on a canvas of their own. */
const DESTRUCTIVE = new Set<ApiRoute>(['DELETE /api/v1/canvases/{id}', 'DELETE /api/v1/folders/{id}']);

describeEachServerDatabase('API key scopes on every route', (database) => {
	let server: RunningServer;
	let owner: TestUser;
	let canvasId: string;
	let otherCanvasId: string;
	let folderId: string;
	let versionId: string;
	let conversationId: string;
	let messageId: string;
	const keys = new Map<string, string>();

	const makeKey = async (name: string, scopes: string[], canvasIds?: string[]) => {
		const made = await api(server.url, `/api/v1/teams/${owner.personalTeamId}/api-keys`, {
			token: owner.token,
			body: { name, scopes, ...(canvasIds ? { canvasIds } : {}) }
		});
		expect(made.status, JSON.stringify(made.body)).toBe(201);
		return { id: made.body.apiKey.id as string, token: made.body.token as string };
	};
	const keyWith = async (scopes: string[], canvasIds?: string[]) => {
		const name = `${[...scopes].sort().join('+') || 'none'}${canvasIds ? ' (limited)' : ''}`;
		if (!keys.has(name)) keys.set(name, (await makeKey(name.slice(0, 100), scopes, canvasIds)).token);
		return keys.get(name)!;
	};

	beforeAll(async () => {
		server = await startServer({ env: { ...database().env, API_KEY_REQUESTS_PER_MINUTE: '100000', API_TEAM_REQUESTS_PER_MINUTE: '100000', API_KEYS_PER_TEAM: '100' } });
		owner = await signUp(server.url, 'Scopes');
		canvasId = await createCanvas(server.url, owner, 'Keyed');
		otherCanvasId = await createCanvas(server.url, owner, 'Elsewhere');
		folderId = await createFolder('Filed');
		versionId = (await api(server.url, `/api/v1/canvases/${canvasId}/versions`, { token: owner.token, body: { label: 'First' } })).body.id;
		const pushed = await api(server.url, `/api/v1/canvases/${canvasId}/conversations`, { token: owner.token, body: { messages: [{ role: 'user', content: 'Hi' }] } });
		conversationId = pushed.body.conversation.id;
		messageId = pushed.body.conversation.messageIds[0];
	}, 60_000);
	afterAll(async () => {
		await server?.dispose();
	});

	const createFolder = async (name: string) => {
		const made = await api(server.url, `/api/v1/teams/${owner.personalTeamId}/folders`, { token: owner.token, body: { name } });
		expect(made.status, JSON.stringify(made.body)).toBe(201);
		return made.body.id as string;
	};
	/** What a destructive route is called on: a canvas, or a folder, of its own. */
	const freshTarget = async (route: ApiRoute, name: string) =>
		route.includes('/folders/') ? { folderId: await createFolder(`${name} ${crypto.randomUUID()}`) } : { canvasId: await createCanvas(server.url, owner, name) };

	/** The route with real ids where a permission check needs them (random ones elsewhere: answering 404 is fine). */
	const request = async (route: ApiRoute, token: string, ids: { canvasId?: string; folderId?: string } = {}) => {
		const [method, template] = route.split(' ');
		const path = template
			.replace(
				'{id}',
				route.includes('/publications/') || route.includes('/api-keys/') || route.includes('/share-links/')
					? crypto.randomUUID()
					: route.includes('/folders/')
						? (ids.folderId ?? folderId)
						: (ids.canvasId ?? canvasId)
			)
			.replace('{teamId}', owner.personalTeamId)
			.replace('{versionId}', versionId)
			.replace('{conversationId}', conversationId)
			.replace('{messageId}', messageId)
			.replace(/\{\w+\}/g, () => crypto.randomUUID());
		if (route === 'PUT /api/v1/canvases/{id}/thumbnail')
			return upload(path, method, token, { 'content-type': 'image/png' }, new Blob([solidPng(4, 3, [200, 80, 40, 255]) as Uint8Array<ArrayBuffer>]));
		if (route === 'POST /api/v1/canvases/import') {
			const form = new FormData();
			form.set('file', new Blob(['not a tldraw file'], { type: 'application/json' }), 'broken.tldr');
			return upload(path, method, token, {}, form);
		}
		return api(server.url, path, { method, token, body: BODIES[route] });
	};
	/** A request with a body that is not JSON (a picture, a form). */
	const upload = async (path: string, method: string, token: string, headers: Record<string, string>, body: BodyInit) => {
		const response = await fetch(`${server.url}${path}`, { method, headers: { authorization: `Bearer ${token}`, ...headers }, body });
		const text = await response.text();
		return { status: response.status, body: text.startsWith('{') ? JSON.parse(text) : text };
	};
	const scoped = Object.entries(API_ROUTE_SCOPES).filter((entry): entry is [ApiRoute, ApiKeyScope] => entry[1] !== 'people' && entry[1] !== 'public');
	const peopleOnly = Object.entries(API_ROUTE_SCOPES).filter(([, scope]) => scope === 'people') as [ApiRoute, RouteScope][];

	it('a key holding just the scope a route names gets past authorization, and one without it is refused naming the scope', async () => {
		const problems: string[] = [];
		for (const [route, scope] of scoped) {
			const ids = DESTRUCTIVE.has(route) ? await freshTarget(route, 'To delete') : {};
			const allowed = await request(route, await keyWith([scope]), ids);
			if (allowed.status === 401 || allowed.status === 403) problems.push(`${route} with ${scope}: ${allowed.status} ${JSON.stringify(allowed.body)}`);
			const without = scopesNotGranting(scope);
			if (without.length === 0) continue;
			// A fresh canvas where the allowed request may have deleted the first.
			const refused = await request(route, await keyWith(without), DESTRUCTIVE.has(route) ? await freshTarget(route, 'Kept') : ids);
			const namesScope = refused.status === 403 && String(refused.body?.error?.message).includes(`“${scope}”`);
			if (!namesScope && !(refused.status === 404 && RANDOM_TARGET.test(route))) {
				problems.push(`${route} without ${scope} (${without.join(', ')}): ${refused.status} ${JSON.stringify(refused.body)}`);
			}
		}
		expect(problems).toEqual([]);
	}, 120_000);

	it('people-only routes refuse a key that holds every scope', async () => {
		const every = await keyWith([...API_KEY_SCOPE_NAMES]);
		const problems: string[] = [];
		for (const [route] of peopleOnly) {
			const answer = await request(route, every);
			if (answer.status !== 403) problems.push(`${route}: ${answer.status} ${JSON.stringify(answer.body)}`);
		}
		expect(problems).toEqual([]);
	}, 60_000);

	it('a key limited to one canvas reaches no other', async () => {
		const limited = await keyWith([...API_KEY_SCOPE_NAMES], [otherCanvasId]);
		const problems: string[] = [];
		for (const [route] of scoped.filter(([route]) => route.includes('/canvases/{id}'))) {
			const answer = await request(route, limited);
			if (answer.status !== 404 && answer.status !== 403) problems.push(`${route}: ${answer.status} ${JSON.stringify(answer.body)}`);
		}
		expect(problems).toEqual([]);
		// And it does reach its own.
		expect((await api(server.url, `/api/v1/canvases/${otherCanvasId}`, { token: limited })).status).toBe(200);
	}, 60_000);

	it('what a key does is in the audit log as the key, not as the person who made it', async () => {
		const writer = await makeKey('Nightly importer', ['canvases:write']);
		const made = await api(server.url, '/api/v1/canvases', { token: writer.token, body: { title: 'Imported overnight' } });
		expect(made.status).toBe(201);
		expect(made.body).toMatchObject({ teamId: owner.personalTeamId, createdBy: null });
		const deleted = await api(server.url, `/api/v1/canvases/${made.body.id}`, { method: 'DELETE', token: writer.token });
		expect(deleted.status).toBe(200);
		// Deleting for good needs a person of the team (an admin): no key may.
		const forever = await api(server.url, `/api/v1/canvases/${made.body.id}?permanent=true`, { method: 'DELETE', token: writer.token });
		expect(forever.status).toBe(403);
		expect(forever.body.error.message).toMatch(/a person of the team has to do it/);
		const log = await api(server.url, `/api/v1/teams/${owner.personalTeamId}/audit-log`, { token: await keyWith(['audit:read']) });
		expect(log.status).toBe(200);
		const byKey = (log.body.entries as { action: string; actorKind: string; actorName: string; targetId: string }[]).filter((entry) => entry.targetId === made.body.id);
		expect(byKey.map(({ action, actorKind, actorName }) => ({ action, actorKind, actorName }))).toEqual([
			{ action: 'canvas.trash', actorKind: 'apiKey', actorName: 'Nightly importer' },
			{ action: 'canvas.create', actorKind: 'apiKey', actorName: 'Nightly importer' }
		]);
	});

	it('a revoked key reaches nothing', async () => {
		const doomed = await makeKey('Doomed', [...API_KEY_SCOPE_NAMES]);
		expect((await api(server.url, `/api/v1/canvases/${canvasId}`, { token: doomed.token })).status).toBe(200);
		expect((await api(server.url, `/api/v1/api-keys/${doomed.id}`, { method: 'DELETE', token: owner.token })).status).toBe(204);
		const problems: string[] = [];
		for (const [route] of [...scoped, ...peopleOnly]) {
			const answer = await request(route, doomed.token);
			if (answer.status !== 401) problems.push(`${route}: ${answer.status}`);
		}
		expect(problems).toEqual([]);
	}, 60_000);
});
