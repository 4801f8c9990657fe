// Who an API key speaks for (bearer.ts asks, for HTTP and the collaboration socket alike), and the
// bookkeeping of its use: when and from where it was last used, and an audit entry the first time
// it is used from an address — cheaply, at most once a minute per key and address.
import { and, eq, isNull, lt, ne, or } from 'drizzle-orm';
import type { Queryable } from '../db/index.ts';
import { apiKeyAddresses, apiKeys } from '../db/schema.ts';
import type { ApiKeyActor, ApiKeyScope } from '../access.ts';
import * as audit from '../audit.ts';
import { AppError } from '../errors.ts';
import { hashApiKey, looksLikeApiKey } from './api-key-tokens.ts';

/** How long a recorded use stands before the same key and address are written again. */
const USE_RECORD_INTERVAL_MS = 60_000;
/** Uses remembered in memory (key and address); the oldest go first past this. */
const REMEMBERED_USES = 10_000;

// Per process, so a busy key costs one write a minute, not one per request. Each instance (and each
// copy of this module) keeps its own: at worst a few writes a minute more.
const recentUses = new Map<string, number>();

export interface IdentifiedApiKey {
	actor: ApiKeyActor;
	/** What the team called the key (shown to collaborators when it opens a canvas). */
	name: string;
	/** When it stops working (a socket it opened is closed then); null when never. */
	expiresAt: Date | null;
}

export interface IdentifyApiKeyOptions {
	/** The client's address: recorded as the last use, and audited when the key was never used from it. */
	ip?: string | null;
	now?: Date;
}

/**
 * The key `token` is, as an actor of its team. UNAUTHENTICATED saying why when it is not a key Easel
 * issued, or was revoked, or has expired.
 */
export async function identify(db: Queryable, token: string, options: IdentifyApiKeyOptions = {}): Promise<IdentifiedApiKey> {
	if (!looksLikeApiKey(token)) {
		throw new AppError('UNAUTHENTICATED', 'That is not an Easel API key: keys are easel_ followed by 52 letters and digits. Check it was copied whole.');
	}
	const now = options.now ?? new Date();
	const [key] = await db
		.select({
			id: apiKeys.id,
			teamId: apiKeys.teamId,
			name: apiKeys.name,
			scopes: apiKeys.scopes,
			canvasIds: apiKeys.canvasIds,
			expiresAt: apiKeys.expiresAt,
			revokedAt: apiKeys.revokedAt
		})
		.from(apiKeys)
		.where(eq(apiKeys.tokenHash, hashApiKey(token)));
	if (!key) throw new AppError('UNAUTHENTICATED', "This API key does not exist (it may belong to a deleted team). Create one in the team's settings.");
	if (key.revokedAt) {
		throw new AppError('UNAUTHENTICATED', `This API key was revoked at ${key.revokedAt.toISOString()}. Create a new one in the team's settings.`, { reason: 'revoked' });
	}
	if (key.expiresAt && key.expiresAt.getTime() <= now.getTime()) {
		throw new AppError('UNAUTHENTICATED', `This API key expired at ${key.expiresAt.toISOString()}. Create a new one in the team's settings.`, { reason: 'expired' });
	}
	const actor: ApiKeyActor = {
		kind: 'apiKey',
		keyId: key.id,
		teamId: key.teamId,
		// Stored scopes this version does not know grant nothing (teamStanding ignores them).
		scopes: key.scopes as ApiKeyScope[],
		canvasIds: key.canvasIds
	};
	if (options.ip) await recordUse(db, actor, options.ip, now);
	return { actor, name: key.name, expiresAt: key.expiresAt };
}

/** Notes the use (last used at and from), auditing an address the key was never used from; skipped when done within the minute. */
async function recordUse(db: Queryable, actor: ApiKeyActor, ip: string, now: Date): Promise<void> {
	const memo = `${actor.keyId}|${ip}`;
	const recorded = recentUses.get(memo);
	if (recorded !== undefined && now.getTime() - recorded < USE_RECORD_INTERVAL_MS) return;
	await db.transaction(async (tx) => {
		const [firstFromHere] = await tx.insert(apiKeyAddresses).values({ keyId: actor.keyId, ip }).onConflictDoNothing().returning({ ip: apiKeyAddresses.ip });
		if (firstFromHere) {
			await audit.record(tx, { teamId: actor.teamId, actor, action: 'api_key.use_new_address', targetType: 'api_key', targetId: actor.keyId, details: { ip }, ip });
		}
		// Another instance may have written it within the minute; the condition keeps this a no-op then.
		await tx
			.update(apiKeys)
			.set({ lastUsedAt: now, lastUsedIp: ip })
			.where(
				and(
					eq(apiKeys.id, actor.keyId),
					or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, new Date(now.getTime() - USE_RECORD_INTERVAL_MS)), ne(apiKeys.lastUsedIp, ip), isNull(apiKeys.lastUsedIp))
				)
			);
	});
	recentUses.delete(memo);
	recentUses.set(memo, now.getTime());
	if (recentUses.size > REMEMBERED_USES) {
		for (const oldest of recentUses.keys()) {
			recentUses.delete(oldest);
			if (recentUses.size <= REMEMBERED_USES * 0.9) break;
		}
	}
}
