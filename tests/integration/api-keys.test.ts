// API keys in the domain, on both databases: who may create, list and revoke them; what creating
// accepts; that only a hash of the secret is stored; how a key is identified (revoked and expired
// keys refused saying so), its use recorded once a minute and a new address audited; the key as an
// actor of its own in the audit log; a key limited to some canvases; and the request budgets by plan.
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import * as accounts from '../../src/lib/server/accounts.ts';
import * as apiKeys from '../../src/lib/server/api-keys/index.ts';
import * as audit from '../../src/lib/server/audit.ts';
import * as billing from '../../src/lib/server/billing.ts';
import * as canvases from '../../src/lib/server/canvases.ts';
import * as teams from '../../src/lib/server/teams.ts';
import { identifyBearer } from '../../src/lib/server/auth/bearer.ts';
import { requireTeamRole, resolveCanvasAccess, type UserActor } from '../../src/lib/server/access.ts';
import { apiKeys as apiKeysTable, auditLog, memberships } from '../../src/lib/server/db/schema.ts';
import type { Database } from '../../src/lib/server/db/index.ts';
import { describeEachDatabase, uniqueEmail } from '../helpers/databases.ts';
import { recordingServices } from '../helpers/services.ts';
import { generateApiKeyToken, looksLikeApiKey } from '../../src/lib/server/api-keys/api-key-tokens.ts';

async function person(db: Database, name: string): Promise<UserActor & { personalTeamId: string; name: string }> {
	const created = await accounts.signUp(db, { email: uniqueEmail(name), password: 'password123', name });
	return { kind: 'user', userId: created.id, personalTeamId: created.personalTeamId, name };
}

const UNLIMITED = { API_KEY_REQUESTS_PER_MINUTE: 1200, API_USER_REQUESTS_PER_MINUTE: 1200, API_TEAM_REQUESTS_PER_MINUTE: undefined };

describeEachDatabase('API keys', (database) => {
	let owner: Awaited<ReturnType<typeof person>>;
	let admin: UserActor;
	let editor: UserActor;
	let teamId: string;
	let canvasX: string;
	let canvasY: string;
	let strangersCanvas: string;

	beforeAll(async () => {
		const { db } = database();
		owner = await person(db, 'Olga');
		admin = await person(db, 'Adam');
		editor = await person(db, 'Edna');
		teamId = (await teams.create(db, owner, 'Keys team')).id;
		await db.insert(memberships).values([
			{ teamId, userId: admin.userId, role: 'admin' },
			{ teamId, userId: editor.userId, role: 'editor' }
		]);
		canvasX = (await canvases.create(db, owner, { teamId, title: 'X' })).id;
		canvasY = (await canvases.create(db, owner, { teamId, title: 'Y' })).id;
		const stranger = await person(db, 'Stan');
		strangersCanvas = (await canvases.create(db, stranger, { teamId: stranger.personalTeamId, title: 'Theirs' })).id;
	});

	it('an admin creates a key: the secret is returned once, and only its SHA-256 is stored', async () => {
		const { db } = database();
		const { apiKey, token } = await apiKeys.create(
			db,
			admin,
			teamId,
			{ name: '  Nightly export ', scopes: ['canvases:read', 'canvases:read', 'audit:read'] },
			{ context: { ip: '192.0.2.1' } }
		);
		expect(token).toMatch(/^easel_[a-z2-7]{52}$/);
		expect(apiKey).toMatchObject({
			teamId,
			name: 'Nightly export',
			prefix: token.slice(0, 12),
			scopes: ['canvases:read', 'audit:read'],
			canvasIds: null,
			createdBy: { id: admin.userId, name: 'Adam' },
			expiresAt: null,
			lastUsedAt: null,
			lastUsedIp: null,
			revokedAt: null
		});
		// Nothing the database holds about the key contains its secret.
		const [{ json }] = await db
			.select({ json: sql<string>`row_to_json(${apiKeysTable})::text` })
			.from(apiKeysTable)
			.where(eq(apiKeysTable.id, apiKey.id));
		expect(json).toContain(apiKey.prefix);
		expect(json).not.toContain(token.slice(6));
		const [stored] = await db.select().from(apiKeysTable).where(eq(apiKeysTable.id, apiKey.id));
		expect(stored.tokenHash).toBe(createHash('sha256').update(token).digest('hex'));
		// Listing shows the prefix, never the secret.
		const listed = await apiKeys.listForTeam(db, owner, teamId);
		expect(listed.map((key) => key.id)).toContain(apiKey.id);
		expect(JSON.stringify(listed)).not.toContain(token.slice(6));
		expect(apiKeys.apiKeyJson(listed.find((key) => key.id === apiKey.id)!)).toMatchObject({ status: 'active', prefix: apiKey.prefix, createdBy: { name: 'Adam' } });

		const [entry] = await db.select().from(auditLog).where(eq(auditLog.targetId, apiKey.id));
		expect(entry).toMatchObject({
			action: 'api_key.create',
			actorKind: 'user',
			actorId: admin.userId,
			ip: '192.0.2.1',
			details: { name: 'Nightly export', prefix: apiKey.prefix }
		});
	});

	it('only admins and owners manage keys; editors are refused, strangers find no team', async () => {
		const { db } = database();
		const services = recordingServices(db);
		await expect(apiKeys.create(db, editor, teamId, { name: 'Mine', scopes: ['canvases:read'] })).rejects.toMatchObject({
			code: 'FORBIDDEN',
			message: "As an editor you may not manage the team's API keys."
		});
		await expect(apiKeys.listForTeam(db, editor, teamId)).rejects.toMatchObject({ code: 'FORBIDDEN' });
		const { apiKey } = await apiKeys.create(db, owner, teamId, { name: 'Shared', scopes: ['canvases:read'] });
		await expect(apiKeys.revoke(services, editor, apiKey.id)).rejects.toMatchObject({ code: 'FORBIDDEN' });
		const stranger = await person(db, 'Sly');
		await expect(apiKeys.listForTeam(db, stranger, teamId)).rejects.toMatchObject({ code: 'NOT_FOUND' });
		await expect(apiKeys.revoke(services, stranger, apiKey.id)).rejects.toMatchObject({ code: 'NOT_FOUND', message: 'API key was not found.' });
		await expect(apiKeys.revoke(services, owner, 'not-an-id')).rejects.toMatchObject({ code: 'NOT_FOUND' });
		expect(services.recorded.closed).toEqual([]);
	});

	it('validates name, scopes, expiry and canvases, naming what is wrong', async () => {
		const { db } = database();
		const refused = (input: Record<string, unknown>) =>
			apiKeys.create(db, owner, teamId, { name: 'Valid', scopes: ['canvases:read'], ...input } as apiKeys.CreateApiKeyInput);
		await expect(refused({ name: '   ' })).rejects.toMatchObject({ code: 'INVALID_INPUT', details: { field: 'name' } });
		await expect(refused({ name: 'x'.repeat(101) })).rejects.toMatchObject({ code: 'INVALID_INPUT', message: 'Name must be at most 100 characters.' });
		await expect(refused({ name: 'two\nlines' })).rejects.toMatchObject({ code: 'INVALID_INPUT', details: { field: 'name' } });
		await expect(refused({ scopes: [] })).rejects.toMatchObject({ code: 'INVALID_INPUT', message: 'Choose at least one scope.' });
		await expect(refused({ scopes: ['team:admin'] })).rejects.toMatchObject({
			code: 'INVALID_INPUT',
			message: expect.stringMatching(/^Each scope must be one of canvases:read, /)
		});
		await expect(refused({ expiresAt: new Date(Date.now() - 1000).toISOString() })).rejects.toMatchObject({
			code: 'INVALID_INPUT',
			message: 'expiresAt must be in the future.'
		});
		await expect(refused({ expiresAt: 'tomorrow' })).rejects.toMatchObject({ code: 'INVALID_INPUT', details: { field: 'expiresAt' } });
		await expect(refused({ canvasIds: [] })).rejects.toMatchObject({ code: 'INVALID_INPUT', details: { field: 'canvasIds' } });
		await expect(refused({ canvasIds: [canvasX, strangersCanvas] })).rejects.toMatchObject({
			code: 'INVALID_INPUT',
			message: `${strangersCanvas} is not a canvas of this team.`,
			details: { field: 'canvasIds.1' }
		});
		await expect(refused({ canvasIds: [crypto.randomUUID()] })).rejects.toMatchObject({ code: 'INVALID_INPUT', details: { field: 'canvasIds.0' } });
		await expect(refused({ extra: true })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
	});

	it('a team holds a bounded number of active keys; revoking one makes room', async () => {
		const { db } = database();
		const small = (await teams.create(db, owner, 'Small team')).id;
		const first = await apiKeys.create(db, owner, small, { name: 'One', scopes: ['team:read'] }, { maxActiveKeys: 2 });
		await apiKeys.create(db, owner, small, { name: 'Two', scopes: ['team:read'] }, { maxActiveKeys: 2 });
		await expect(apiKeys.create(db, owner, small, { name: 'Three', scopes: ['team:read'] }, { maxActiveKeys: 2 })).rejects.toMatchObject({
			code: 'CONFLICT',
			message: 'This team already has 2 active API keys, the most it may have. Revoke one it no longer needs first.'
		});
		await apiKeys.revoke(recordingServices(db), owner, first.apiKey.id);
		await expect(apiKeys.create(db, owner, small, { name: 'Three', scopes: ['team:read'] }, { maxActiveKeys: 2 })).resolves.toMatchObject({ apiKey: { name: 'Three' } });
	});

	it('identifies a key as an actor of its team; revoked and expired keys are refused saying so, and revoking closes its sockets', async () => {
		const { db } = database();
		const services = recordingServices(db);
		const { apiKey, token } = await apiKeys.create(db, owner, teamId, {
			name: 'Bot',
			scopes: ['canvases:write'],
			expiresAt: new Date(Date.now() + 3_600_000).toISOString()
		});
		await expect(identifyBearer(db, token, { sessionDays: 30 })).resolves.toMatchObject({
			kind: 'apiKey',
			name: 'Bot',
			actor: { kind: 'apiKey', keyId: apiKey.id, teamId, scopes: ['canvases:write'], canvasIds: null }
		});
		// Its expiry, an hour from now.
		await expect(apiKeys.identify(db, token, { now: new Date(Date.now() + 3_600_001) })).rejects.toMatchObject({
			code: 'UNAUTHENTICATED',
			message: `This API key expired at ${apiKey.expiresAt!.toISOString()}. Create a new one in the team's settings.`
		});
		for (const wrong of [`${token}a`, token.toUpperCase(), `easel_${'a'.repeat(52)}`]) {
			await expect(identifyBearer(db, wrong, { sessionDays: 30 })).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
		}

		const revoked = await apiKeys.revoke(services, admin, apiKey.id, { ip: '192.0.2.9' });
		expect(revoked.revokedAt).toBeInstanceOf(Date);
		expect(services.recorded.closed).toEqual([{ match: { apiKeyId: apiKey.id }, reason: 'ACCESS_REVOKED' }]);
		await expect(identifyBearer(db, token, { sessionDays: 30 })).rejects.toMatchObject({
			code: 'UNAUTHENTICATED',
			message: `This API key was revoked at ${revoked.revokedAt!.toISOString()}. Create a new one in the team's settings.`
		});
		// Revoking again changes nothing: the first revocation's time and one audit entry stand.
		expect((await apiKeys.revoke(services, owner, apiKey.id)).revokedAt).toEqual(revoked.revokedAt);
		const entries = await db.select().from(auditLog).where(eq(auditLog.targetId, apiKey.id));
		expect(entries.filter((entry) => entry.action === 'api_key.revoke')).toEqual([
			expect.objectContaining({ actorKind: 'user', actorId: admin.userId, ip: '192.0.2.9', details: { name: 'Bot', prefix: apiKey.prefix } })
		]);
		expect(apiKeys.apiKeyJson((await apiKeys.listForTeam(db, owner, teamId)).find((key) => key.id === apiKey.id)!).status).toBe('revoked');
	});

	it('records the last use at most once a minute, and audits the first use from each address as the key', async () => {
		const { db } = database();
		const { apiKey, token } = await apiKeys.create(db, owner, teamId, { name: 'Crawler', scopes: ['audit:read'] });
		const start = new Date();
		const at = (seconds: number) => new Date(start.getTime() + seconds * 1000);
		const lastUse = async () => {
			const [row] = await db.select({ at: apiKeysTable.lastUsedAt, ip: apiKeysTable.lastUsedIp }).from(apiKeysTable).where(eq(apiKeysTable.id, apiKey.id));
			return row;
		};
		await apiKeys.identify(db, token, { ip: '198.51.100.1', now: at(0) });
		expect(await lastUse()).toEqual({ at: at(0), ip: '198.51.100.1' });
		await apiKeys.identify(db, token, { ip: '198.51.100.1', now: at(30) });
		expect(await lastUse()).toEqual({ at: at(0), ip: '198.51.100.1' });
		await apiKeys.identify(db, token, { ip: '198.51.100.1', now: at(61) });
		expect(await lastUse()).toEqual({ at: at(61), ip: '198.51.100.1' });
		await apiKeys.identify(db, token, { ip: '198.51.100.2', now: at(62) });
		expect(await lastUse()).toEqual({ at: at(62), ip: '198.51.100.2' });
		await apiKeys.identify(db, token, { ip: '198.51.100.1', now: at(200) });

		const { actor } = await apiKeys.identify(db, token);
		const log = await audit.listForTeam(db, actor, teamId, { limit: 50 });
		const uses = log.filter((entry) => entry.targetId === apiKey.id && entry.action === 'api_key.use_new_address');
		expect(uses.map(({ ip, actorKind, actorId, actorRef, actorName, details }) => ({ ip, actorKind, actorId, actorRef, actorName, details }))).toEqual([
			{ ip: '198.51.100.2', actorKind: 'apiKey', actorId: null, actorRef: apiKey.id, actorName: 'Crawler', details: { ip: '198.51.100.2' } },
			{ ip: '198.51.100.1', actorKind: 'apiKey', actorId: null, actorRef: apiKey.id, actorName: 'Crawler', details: { ip: '198.51.100.1' } }
		]);
	});

	it('a key limited to some canvases reaches only those, and may not create canvases', async () => {
		const { db } = database();
		const { token } = await apiKeys.create(db, owner, teamId, { name: 'Only X', scopes: ['canvases:write'], canvasIds: [canvasX] });
		const { actor } = await apiKeys.identify(db, token);
		expect(actor.canvasIds).toEqual([canvasX]);
		await expect(resolveCanvasAccess(db, actor, canvasX)).resolves.toMatchObject({ canEdit: true });
		await expect(resolveCanvasAccess(db, actor, canvasY)).rejects.toMatchObject({ code: 'NOT_FOUND' });
		await expect(requireTeamRole(db, actor, teamId, 'canvas.create')).rejects.toMatchObject({
			code: 'FORBIDDEN',
			message: 'This API key may not create canvases in this team: it is limited to some canvases.'
		});
		// A key of the whole team may.
		const whole = await apiKeys.identify(db, (await apiKeys.create(db, owner, teamId, { name: 'All', scopes: ['canvases:write'] })).token);
		await expect(requireTeamRole(db, whole.actor, teamId, 'canvas.create')).resolves.toBeNull();
	});

	it('the audit log names a key by its name, and keeps a key of another team out', async () => {
		const { db } = database();
		const { apiKey, token } = await apiKeys.create(db, owner, teamId, { name: 'Auditor', scopes: ['audit:read'] });
		const { actor } = await apiKeys.identify(db, token);
		await audit.record(db, { teamId, actor, action: 'share_link.revoke', targetType: 'share_link', targetId: crypto.randomUUID() });
		const [latest] = await audit.listForTeam(db, owner, teamId, { limit: 1 });
		expect(latest).toMatchObject({ actorKind: 'apiKey', actorId: null, actorRef: apiKey.id, actorName: 'Auditor' });
		await expect(audit.listForTeam(db, actor, owner.personalTeamId)).rejects.toMatchObject({ code: 'NOT_FOUND' });
	});

	it('budgets requests per key and per team by plan, and per person', async () => {
		const { db } = database();
		const planned = (await teams.create(db, owner, 'Planned')).id;
		const { actor } = await apiKeys.identify(db, (await apiKeys.create(db, owner, planned, { name: 'Budgeted', scopes: ['team:read'] })).token);
		expect(await apiKeys.requestBudgets(db, UNLIMITED, actor)).toEqual([
			{ kind: 'key', subject: actor.keyId, limit: 1200 },
			{ kind: 'team', subject: planned, limit: 1200, planName: 'Free', upgradeName: 'Pro' }
		]);
		expect(await apiKeys.requestBudgets(db, UNLIMITED, owner)).toEqual([{ kind: 'person', subject: owner.userId, limit: 1200 }]);
		expect(await apiKeys.requestBudgets(db, UNLIMITED, { kind: 'anonymous' })).toBeNull();
		// The operator's one number for every team replaces the plan's.
		expect((await apiKeys.requestBudgets(db, { ...UNLIMITED, API_TEAM_REQUESTS_PER_MINUTE: 50 }, actor))?.[1]).toEqual({ kind: 'team', subject: planned, limit: 50 });

		// Plans are read at most every 30 s per team: a team on Pro from the start has Pro's budget.
		const pro = (await teams.create(db, owner, 'Pro team')).id;
		await billing.setPlan(db, pro, 'pro', null);
		const proKey = await apiKeys.identify(db, (await apiKeys.create(db, owner, pro, { name: 'Pro key', scopes: ['team:read'] })).token);
		expect((await apiKeys.requestBudgets(db, UNLIMITED, proKey.actor))?.[1]).toEqual({ kind: 'team', subject: pro, limit: 6000, planName: 'Pro', upgradeName: 'Team' });
		const teamPlan = (await teams.create(db, owner, 'Team plan')).id;
		await billing.setPlan(db, teamPlan, 'team', 5);
		const teamKey = await apiKeys.identify(db, (await apiKeys.create(db, owner, teamPlan, { name: 'Team key', scopes: ['team:read'] })).token);
		expect((await apiKeys.requestBudgets(db, UNLIMITED, teamKey.actor))?.[1]).toEqual({ kind: 'team', subject: teamPlan, limit: 30000, planName: 'Team' });
	});
});

describe('API key tokens', () => {
	it('are easel_ and 52 base32 characters, different every time', () => {
		const tokens = new Set(Array.from({ length: 100 }, generateApiKeyToken));
		expect(tokens.size).toBe(100);
		for (const token of tokens) expect(looksLikeApiKey(token)).toBe(true);
		expect(looksLikeApiKey('easel_short')).toBe(false);
	});
});
