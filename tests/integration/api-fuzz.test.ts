// Every /api/v1 route, every input it has — path params, query params, JSON body fields — fed
// hostile values as a signed-in owner: whatever comes in, the answer is never 5xx (a 4xx that
// names the problem, or a success). The routes are read from src/routes/api/v1, so a new route
// without an entry in BODIES fails here. Fixed cases plus seeded combinations: a failure prints
// TEST_SEED=<n>, which replays it.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachServerDatabase } from '../helpers/server-databases.ts';
import { api, createCanvas, signUp, type TestUser } from '../helpers/clients.ts';
import { startFakeStripe, STRIPE_TEST_ENV, type FakeStripe } from '../helpers/fake-stripe.ts';
import { png } from '../helpers/images.ts';
import { seededRandom, testSeed } from '../helpers/random.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';

/** Seeds kept as regressions: add any seed that ever failed here, with a note. */
const PINNED_SEEDS: number[] = [];
const SEEDS = [...PINNED_SEEDS, testSeed()];
const COMBINATIONS_PER_ROUTE = 12;

const API_ROOT = fileURLToPath(new URL('../../src/routes/api/v1', import.meta.url));
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

interface Route {
	method: (typeof METHODS)[number];
	/** e.g. /api/v1/canvases/[id]/versions */
	template: string;
	params: string[];
	query: string[];
	readsBody: boolean;
}

function listRoutes(dir = API_ROOT): Route[] {
	const routes: Route[] = [];
	for (const entry of readdirSync(dir)) {
		const path = join(dir, entry);
		if (statSync(path).isDirectory()) routes.push(...listRoutes(path));
		else if (entry === '+server.ts') {
			const source = readFileSync(path, 'utf8');
			const template = `/api/v1/${relative(API_ROOT, dir).split(sep).join('/')}`.replace(/\/$/, '');
			const params = [...template.matchAll(/\[(\w+)\]/g)].map((match) => match[1]);
			const query = [...new Set([...source.matchAll(/searchParams\.get\('(\w+)'\)/g)].map((match) => match[1]))];
			for (const method of METHODS) {
				const handler = new RegExp(`export const ${method}\\b[^]*?(?=export const|$)`).exec(source)?.[0];
				if (handler) routes.push({ method, template, params, query, readsBody: /readJson\(/.test(handler) });
			}
		}
	}
	return routes;
}

/** A valid body per route that reads one; each case replaces fields of it with hostile values. */
const BODIES: Record<string, Record<string, unknown>> = {
	'POST /api/v1/auth/login': { email: 'fuzz@example.com', password: 'a long enough password' },
	'POST /api/v1/auth/signup': { email: 'fuzz-signup@example.com', password: 'a long enough password', name: 'Fuzz' },
	'POST /api/v1/auth/password-reset': { email: 'fuzz-reset@example.com' },
	'POST /api/v1/auth/password-reset/[token]': { password: 'a long enough password' },
	'POST /api/v1/me/email': { email: 'fuzz-new-address@example.com', password: 'a long enough password' },
	'PATCH /api/v1/me': { name: 'Fuzzed', avatarColor: null },
	// Never the fuzzing user's own address: the account must outlive the run.
	'DELETE /api/v1/me': { confirmEmail: 'not-the-address@example.com', password: 'a long enough password' },
	'POST /api/v1/me/password': { currentPassword: 'not the password', newPassword: 'a long enough password' },
	'POST /api/v1/teams/[teamId]/folders': { name: 'Fuzzed folder' },
	'PATCH /api/v1/folders/[id]': { name: 'Fuzzed folder' },
	'PUT /api/v1/teams/[teamId]/sso': { required: false, domains: ['example.com'] },
	'POST /api/v1/canvases': { title: 'Fuzzed', teamId: '<teamId>' },
	'PATCH /api/v1/canvases/[id]': { title: 'Fuzzed' },
	'POST /api/v1/canvases/[id]/move': { teamId: '<teamId>' },
	'POST /api/v1/canvases/[id]/share-links': { access: 'view', audience: 'anyone', expiresAt: '2099-01-01T00:00:00Z' },
	'POST /api/v1/canvases/[id]/versions': { label: 'Fuzzed' },
	'POST /api/v1/canvases/[id]/publication': { title: 'Fuzzed', description: 'Fuzzed', tags: ['fuzz'] },
	'POST /api/v1/publications/[id]/reports': { reason: 'Fuzzed' },
	'POST /api/v1/publications/[id]/remix': { teamId: '<teamId>' },
	'POST /api/v1/admin/publications/[id]/hide': { reason: 'Fuzzed' },
	'PATCH /api/v1/canvases/[id]/versions/[versionId]': { label: 'Fuzzed' },
	'POST /api/v1/teams': { name: 'Fuzzed team' },
	'PATCH /api/v1/teams/[teamId]': { name: 'Fuzzed team' },
	'DELETE /api/v1/teams/[teamId]': { confirmName: 'not the name' },
	'POST /api/v1/teams/[teamId]/billing/checkout': { plan: 'pro', seats: 2 },
	'POST /api/v1/teams/[teamId]/invitations': { role: 'editor', email: 'invitee@example.com', expiresInDays: 7, maxUses: 3 },
	'PATCH /api/v1/teams/[teamId]/members/[userId]': { role: 'editor' },
	'POST /api/v1/teams/[teamId]/api-keys': { name: 'Fuzzed key', scopes: ['canvases:read'], expiresAt: '2099-01-01T00:00:00Z', canvasIds: ['<id>'] },
	'POST /api/v1/teams/[teamId]/transfer-ownership': { userId: '<userId>' },
	'POST /api/v1/canvases/[id]/assistant/runs': { prompt: 'Fuzzed', tier: 'fast', parentMessageId: null },
	'POST /api/v1/canvases/[id]/assistant/runs/[runId]/reject': { changeIds: ['fuzzed'] },
	'POST /api/v1/canvases/[id]/assistant/runs/[runId]/accept': { changeIds: ['fuzzed'] },
	'POST /api/v1/canvases/[id]/design-doc': { format: 'markdown', tier: 'fast', parentMessageId: null },
	'POST /api/v1/canvases/[id]/assistant/runs/[runId]/pdf': { markdown: '# Fuzzed' },
	'POST /api/v1/canvases/[id]/code': { shapeIds: ['shape:fuzzed'], tier: 'fast', language: 'python-fastapi' },
	// A private address: refused before any connection is made (the fuzz must not wait on a network).
	'PUT /api/v1/teams/[teamId]/ai-settings': {
		provider: 'openai-compatible',
		baseUrl: 'http://127.0.0.1:9/v1',
		models: { fast: 'fuzz-model' },
		apiKey: 'fuzz-key',
		allowGuestAi: false
	},
	'POST /api/v1/teams/[teamId]/ai-settings/test': { provider: 'openai-compatible', baseUrl: 'http://127.0.0.1:9/v1', models: { fast: 'fuzz-model' }, apiKey: 'fuzz-key' }
};

const LONG = 'x'.repeat(20_000);
const HOSTILE_VALUES: unknown[] = [
	'not-a-uuid',
	'',
	' ',
	'0',
	'-1',
	'1.5',
	'1e308',
	'NaN',
	'Infinity',
	'\u0000',
	'a\u0000b',
	'\uD800',
	'x\uDC00y',
	'end\uD83D',
	'%00',
	'../../etc/passwd',
	'<script>alert(1)</script>',
	"'; drop table users; --",
	LONG,
	'9'.repeat(400),
	'00000000-0000-0000-0000-000000000000',
	0,
	-1,
	1.5,
	1e308,
	-1e308,
	2 ** 53 + 1,
	true,
	null,
	[],
	['a'],
	{},
	{ nested: 'object' }
];
/**
 * Path segments as they arrive on the wire (already percent-encoded, some of it invalid UTF-8). No
 * `..`: the client resolves it away, turning the case into a valid request to another route.
 */
const HOSTILE_SEGMENTS = [
	'not-a-uuid',
	'0',
	'-1',
	'1.5',
	'1e308',
	'%00',
	'a%00b',
	'%ED%A0%80',
	'%C0%AF',
	'%',
	'%25',
	'%E3%80%82',
	encodeURIComponent(LONG.slice(0, 3000)),
	'00000000-0000-0000-0000-000000000000',
	'%20'
];
const HOSTILE_QUERY = [
	'not-a-uuid',
	'',
	'0',
	'-1',
	'1.5',
	'1e308',
	'-1e308',
	'99999999999999999999',
	'NaN',
	'Infinity',
	'0x10',
	'%00',
	'%ED%A0%80',
	'a&limit=1.5',
	encodeURIComponent(LONG.slice(0, 3000))
];
const HOSTILE_BODIES = ['[]', '"text"', 'null', '1', '{"__proto__":{"polluted":true}}', '{', '\u0000', JSON.stringify({ [LONG]: 1 })];

interface Case {
	route: Route;
	path: string;
	body?: string;
}

let fake: FakeStripe;
let server: RunningServer;
let owner: TestUser;
const valid: Record<string, string> = {};

function validParam(route: Route, name: string): string {
	if (name === 'key') return route.template.endsWith('/accept') ? valid.invitationToken : valid.invitationId;
	if (route.template.startsWith('/api/v1/share-links/')) return valid.shareLinkId;
	if (route.template.startsWith('/api/v1/api-keys/')) return valid.apiKeyId;
	return valid[name];
}

function pathFor(route: Route, replaced: Record<string, string> = {}, query = ''): string {
	return route.template.replace(/\[(\w+)\]/g, (_, name: string) => replaced[name] ?? validParam(route, name)) + query;
}

function bodyWith(route: Route, fields: Record<string, unknown>): string {
	const base = Object.fromEntries(
		Object.entries(BODIES[`${route.method} ${route.template}`] ?? {}).map(([key, value]) => [
			key,
			typeof value === 'string' && /^<\w+>$/.test(value) ? valid[value.slice(1, -1)] : value
		])
	);
	return JSON.stringify({ ...base, ...fields });
}

function casesFor(route: Route, random: () => number): Case[] {
	const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)];
	const cases: Case[] = [];
	const fields = Object.keys(BODIES[`${route.method} ${route.template}`] ?? {});
	const validBody = route.readsBody ? bodyWith(route, {}) : undefined;
	for (const param of route.params) for (const segment of HOSTILE_SEGMENTS) cases.push({ route, path: pathFor(route, { [param]: segment }), body: validBody });
	for (const key of route.query) for (const value of HOSTILE_QUERY) cases.push({ route, path: pathFor(route, {}, `?${key}=${value}`) });
	if (route.readsBody) {
		for (const field of fields) for (const value of HOSTILE_VALUES) cases.push({ route, path: pathFor(route), body: bodyWith(route, { [field]: value }) });
		for (const value of HOSTILE_VALUES) cases.push({ route, path: pathFor(route), body: bodyWith(route, { unexpected: value }) });
		for (const body of HOSTILE_BODIES) cases.push({ route, path: pathFor(route), body });
	}
	// Seeded combinations: several inputs hostile at once (always at least one, so no valid request
	// slips through and, say, transfers the team away mid-run).
	const inputs = [
		...route.params.map((name) => ['param', name]),
		...route.query.map((name) => ['query', name]),
		...(route.readsBody ? fields.map((name) => ['field', name]) : [])
	];
	for (let i = 0; i < COMBINATIONS_PER_ROUTE && inputs.length; i++) {
		const chosen = inputs.filter(() => random() < 0.5);
		if (!chosen.length) chosen.push(pick(inputs));
		const of = (kind: string) => chosen.filter(([k]) => k === kind).map(([, name]) => name);
		const params = Object.fromEntries(of('param').map((param) => [param, pick(HOSTILE_SEGMENTS)]));
		const query = of('query').length
			? `?${of('query')
					.map((key) => `${key}=${pick(HOSTILE_QUERY)}`)
					.join('&')}`
			: '';
		const body = route.readsBody ? bodyWith(route, Object.fromEntries(of('field').map((field) => [field, pick(HOSTILE_VALUES)]))) : undefined;
		cases.push({ route, path: pathFor(route, params, query), body });
	}
	return cases;
}

const routes = listRoutes();

it('knows every /api/v1 route and the body of each that reads one', () => {
	expect(routes.length).toBeGreaterThan(25);
	const missing = routes.filter((route) => route.readsBody && !BODIES[`${route.method} ${route.template}`]).map((route) => `${route.method} ${route.template}`);
	expect(missing).toEqual([]);
});

describeEachServerDatabase('every /api/v1 route under hostile input', (database) => {
	beforeAll(async () => {
		fake = await startFakeStripe();
		// The assistant is configured against a closed port: runs start and fail at once, as with a provider that is down.
		const ai = { AI_PROVIDER: 'openai-compatible', AI_BASE_URL: 'http://127.0.0.1:9/v1', AI_MODEL_FAST: 'fuzz-model', AI_TIMEOUT_SECONDS: '5' };
		server = await startServer({ env: { ...database().env, ...STRIPE_TEST_ENV, STRIPE_API_BASE: fake.url, ...ai } });
		owner = await signUp(server.url, 'FuzzOwner');
		const member = await signUp(server.url, 'FuzzMember');
		const team = await api(server.url, '/api/v1/teams', { token: owner.token, body: { name: 'Fuzz team' } });
		valid.teamId = team.body.id;
		const invite = async () => (await api(server.url, `/api/v1/teams/${valid.teamId}/invitations`, { token: owner.token, body: { role: 'editor' } })).body;
		await api(server.url, `/api/v1/invitations/${(await invite()).token}/accept`, { method: 'POST', token: member.token });
		valid.userId = member.id;
		const invitation = await invite();
		valid.invitationId = invitation.id;
		valid.invitationToken = invitation.token;
		valid.id = await createCanvas(server.url, owner, 'Fuzz target');
		valid.versionId = (await api(server.url, `/api/v1/canvases/${valid.id}/versions`, { token: owner.token, body: { label: 'v1' } })).body.id;
		// Signing out is fuzzed with a session of its own, so the owner's stays valid.
		valid.throwawaySession = (await api(server.url, '/api/v1/auth/login', { body: { email: owner.email, password: owner.password } })).body.token;
		valid.shareLinkId = (await api(server.url, `/api/v1/canvases/${valid.id}/share-links`, { token: owner.token, body: { access: 'view', audience: 'anyone' } })).body.id;
		valid.runId = (await api(server.url, `/api/v1/canvases/${valid.id}/assistant/runs`, { token: owner.token, body: { prompt: 'Fuzz' } })).body.run.id;
		valid.apiKeyId = (
			await api(server.url, `/api/v1/teams/${valid.teamId}/api-keys`, { token: owner.token, body: { name: 'Fuzz', scopes: ['team:read'] } })
		).body.apiKey.id;
		const image = new FormData();
		image.append('file', new Blob([png(2, 2)], { type: 'image/png' }), 'fuzz.png');
		const uploaded = await fetch(`${server.url}/api/v1/canvases/${valid.id}/assets`, {
			method: 'POST',
			headers: { authorization: `Bearer ${owner.token}` },
			body: image
		});
		valid.assetId = ((await uploaded.json()) as { asset: { id: string } }).asset.id;
	});
	afterAll(async () => {
		await server?.dispose();
		await fake?.close();
	});

	it.each([
		['a member id that is not a uuid', 'PATCH', '/api/v1/teams/<teamId>/members/not-a-uuid', { role: 'viewer' }],
		['a member id that is not a uuid (removal)', 'DELETE', '/api/v1/teams/<teamId>/members/not-a-uuid', undefined],
		...['audit-log', 'credits'].flatMap((list) =>
			['limit=1.5', 'before=1.5', 'before=1e308', 'limit=0', 'limit=201', 'before=-1'].map(
				(query) => [`${query} on ${list}`, 'GET', `/api/v1/teams/<teamId>/${list}?${query}`, undefined] as const
			)
		),
		['a NUL in a sign-up name', 'POST', '/api/v1/auth/signup', { email: 'nul-name@example.com', password: 'a long enough password', name: 'a\u0000b' }],
		['a NUL in a version label', 'POST', '/api/v1/canvases/<id>/versions', { label: 'v\u0000' }],
		['a lone surrogate in a team name', 'POST', '/api/v1/teams', { name: 'team \uD800' }],
		['a lone surrogate in a canvas title', 'PATCH', '/api/v1/canvases/<id>', { title: '\uDC00 title' }]
	] as const)('answers 400 INVALID_INPUT to %s', async (_name, method, template, body) => {
		const path = template.replace(/<(\w+)>/g, (_, name: string) => valid[name]);
		const response = await api(server.url, path, { method, token: owner.token, body });
		expect(response.status).toBe(400);
		expect(response.body.error.code).toBe('INVALID_INPUT');
	});

	it('still pages through the audit log with valid numbers', async () => {
		const first = await api(server.url, `/api/v1/teams/${valid.teamId}/audit-log?limit=1`, { token: owner.token });
		expect(first.status).toBe(200);
		expect(first.body.entries).toHaveLength(1);
		const older = await api(server.url, `/api/v1/teams/${valid.teamId}/audit-log?limit=200&before=${first.body.next}`, { token: owner.token });
		expect(older.status).toBe(200);
		expect(older.body.entries.every((entry: { id: number }) => entry.id < first.body.next)).toBe(true);
	});

	for (const seed of SEEDS) {
		it(`answers no hostile input with a 5xx (${PINNED_SEEDS.includes(seed) ? 'pinned' : 'fresh'} seed ${seed})`, { timeout: 600_000 }, async () => {
			const random = seededRandom(seed);
			// Writes that end things run last (deletions, the team's own, then sign-out), so the rest meet
			// live objects (a fuzzed rename may have made a hostile value the team's confirmName).
			const endsThings = (route: Route) =>
				route.template.endsWith('/logout') ? 3 : route.method === 'DELETE' ? (route.template === '/api/v1/teams/[teamId]' ? 2 : 1) : 0;
			const ordered = [...routes].sort((a, b) => endsThings(a) - endsThings(b));
			const failures: string[] = [];
			for (const route of ordered) {
				for (const testCase of casesFor(route, random)) {
					const response = await fetch(`${server.url}${testCase.path}`, {
						method: route.method,
						headers: {
							authorization: `Bearer ${route.template.endsWith('/logout') ? valid.throwawaySession : owner.token}`,
							...(testCase.body === undefined ? {} : { 'content-type': 'application/json' })
						},
						body: testCase.body
					});
					const text = await response.text();
					if (response.status >= 500)
						failures.push(`${response.status} ${route.method} ${testCase.path.slice(0, 200)} ${testCase.body?.slice(0, 200) ?? ''} → ${text.slice(0, 200)}`);
				}
			}
			if (failures.length) console.error(`[api fuzz] ${failures.length} 5xx answers on ${database().driver} with TEST_SEED=${seed}:\n${failures.join('\n')}`);
			expect(failures, `TEST_SEED=${seed}`).toEqual([]);
		});
	}
});
