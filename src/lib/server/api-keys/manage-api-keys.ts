// Creating, listing and revoking a team's API keys: admins and owners only, and only in person (no
// scope lets a key manage keys). The secret is returned once by `create`; only its hash is kept.
import { and, count, desc, eq, gt, inArray, isNull, or } from 'drizzle-orm';
import { z } from 'zod';
import type { Database, Queryable } from '../db/index.ts';
import { apiKeys, canvases, users } from '../db/schema.ts';
import { requireTeamRole, type UserActor } from '../access.ts';
import * as audit from '../audit.ts';
import * as billing from '../billing.ts';
import { AppError, notFound, parseInput } from '../errors.ts';
import type { Services } from '../services.ts';
import type { ChangeContext } from '../teams.ts';
import { apiKeyPrefix, generateApiKeyToken, hashApiKey } from './api-key-tokens.ts';
import { createApiKeyRequestSchema, type ApiKey, type CreateApiKeyInput } from './api-key-schemas.ts';

/** Active (not revoked, not expired) keys a team may hold when nothing else is configured. */
export const DEFAULT_MAX_ACTIVE_KEYS = 100;

export interface CreateOptions {
	context?: ChangeContext;
	/** API_KEYS_PER_TEAM: past it, creating another is refused until one is revoked. */
	maxActiveKeys?: number;
}

const keyColumns = {
	id: apiKeys.id,
	teamId: apiKeys.teamId,
	name: apiKeys.name,
	prefix: apiKeys.prefix,
	scopes: apiKeys.scopes,
	canvasIds: apiKeys.canvasIds,
	createdById: apiKeys.createdBy,
	createdByName: users.name,
	createdAt: apiKeys.createdAt,
	expiresAt: apiKeys.expiresAt,
	lastUsedAt: apiKeys.lastUsedAt,
	lastUsedIp: apiKeys.lastUsedIp,
	revokedAt: apiKeys.revokedAt
};

type KeyRow = Awaited<ReturnType<typeof selectKeys>>[number];

function toApiKey({ createdById, createdByName, ...row }: KeyRow): ApiKey {
	return { ...row, createdBy: createdById && createdByName !== null ? { id: createdById, name: createdByName } : null };
}

function selectKeys(db: Queryable) {
	return db.select(keyColumns).from(apiKeys).leftJoin(users, eq(users.id, apiKeys.createdBy));
}

/**
 * Creates a key for `teamId`: its name, scopes, optional expiry and optional canvases (which must be
 * the team's; INVALID_INPUT names the first that is not). Returns the key and its secret, once.
 */
export async function create(
	db: Database,
	actor: UserActor,
	teamId: string,
	input: CreateApiKeyInput,
	options: CreateOptions = {}
): Promise<{ apiKey: ApiKey; token: string }> {
	await requireTeamRole(db, actor, teamId, 'team.api_keys');
	const parsed = parseInput(createApiKeyRequestSchema, input);
	const scopes = [...new Set(parsed.scopes)];
	const canvasIds = parsed.canvasIds ? [...new Set(parsed.canvasIds.map((id) => id.toLowerCase()))] : null;
	const maxActiveKeys = options.maxActiveKeys ?? DEFAULT_MAX_ACTIVE_KEYS;
	const token = generateApiKeyToken();
	const id = await db.transaction(async (tx) => {
		if (canvasIds) await assertTeamCanvases(tx, teamId, canvasIds);
		// Two admins creating keys at once both wait here, so neither passes the limit.
		await billing.lockTeamLimits(tx, teamId);
		const [{ active }] = await tx
			.select({ active: count() })
			.from(apiKeys)
			.where(and(eq(apiKeys.teamId, teamId), isNull(apiKeys.revokedAt), or(isNull(apiKeys.expiresAt), gt(apiKeys.expiresAt, new Date()))));
		if (active >= maxActiveKeys) {
			throw new AppError('CONFLICT', `This team already has ${maxActiveKeys} active API keys, the most it may have. Revoke one it no longer needs first.`);
		}
		const [row] = await tx
			.insert(apiKeys)
			.values({
				teamId,
				name: parsed.name,
				prefix: apiKeyPrefix(token),
				tokenHash: hashApiKey(token),
				scopes,
				canvasIds,
				createdBy: actor.userId,
				expiresAt: parsed.expiresAt ? new Date(parsed.expiresAt) : null
			})
			.returning({ id: apiKeys.id, prefix: apiKeys.prefix });
		await audit.record(tx, {
			teamId,
			actor,
			action: 'api_key.create',
			targetType: 'api_key',
			targetId: row.id,
			details: { name: parsed.name, prefix: row.prefix, scopes, canvasIds, expiresAt: parsed.expiresAt ?? null },
			ip: options.context?.ip
		});
		return row.id;
	});
	const [created] = await selectKeys(db).where(eq(apiKeys.id, id));
	return { apiKey: toApiKey(created), token };
}

/** INVALID_INPUT naming the first id that is not a canvas of the team (another team's canvas reads the same as none). */
async function assertTeamCanvases(db: Queryable, teamId: string, canvasIds: string[]): Promise<void> {
	const found = await db
		.select({ id: canvases.id })
		.from(canvases)
		.where(and(eq(canvases.teamId, teamId), inArray(canvases.id, canvasIds), isNull(canvases.deletedAt)));
	const known = new Set(found.map((row) => row.id));
	const index = canvasIds.findIndex((id) => !known.has(id));
	if (index >= 0) throw new AppError('INVALID_INPUT', `${canvasIds[index]} is not a canvas of this team.`, { field: `canvasIds.${index}` });
}

/** Every key of the team, newest first, revoked and expired ones included (so the list says what happened to them). */
export async function listForTeam(db: Queryable, actor: UserActor, teamId: string): Promise<ApiKey[]> {
	await requireTeamRole(db, actor, teamId, 'team.api_keys');
	const rows = await selectKeys(db).where(eq(apiKeys.teamId, teamId)).orderBy(desc(apiKeys.createdAt), desc(apiKeys.id));
	return rows.map(toApiKey);
}

/**
 * Revokes a key: from the commit on, HTTP requests with it are refused, and its open sockets are
 * closed (ACCESS_REVOKED; reconnecting is refused). Revoking a revoked key changes nothing.
 */
export async function revoke(services: Services, actor: UserActor, keyId: string, context: ChangeContext = {}): Promise<ApiKey> {
	const { db } = services;
	const [key] = z.uuid().safeParse(keyId).success ? await selectKeys(db).where(eq(apiKeys.id, keyId)) : [];
	if (!key) throw notFound('API key');
	await requireTeamRole(db, actor, key.teamId, 'team.api_keys').catch((error) => {
		throw error instanceof AppError && error.code === 'NOT_FOUND' ? notFound('API key') : error;
	});
	const revokedAt = await db.transaction(async (tx) => {
		const [revoked] = await tx
			.update(apiKeys)
			.set({ revokedAt: new Date() })
			.where(and(eq(apiKeys.id, keyId), isNull(apiKeys.revokedAt)))
			.returning({ revokedAt: apiKeys.revokedAt });
		if (!revoked) return key.revokedAt;
		await audit.record(tx, {
			teamId: key.teamId,
			actor,
			action: 'api_key.revoke',
			targetType: 'api_key',
			targetId: keyId,
			details: { name: key.name, prefix: key.prefix },
			ip: context.ip
		});
		return revoked.revokedAt;
	});
	services.collaboration.closeConnections({ apiKeyId: keyId }, 'ACCESS_REVOKED');
	return toApiKey({ ...key, revokedAt });
}
