// The wire shapes of API keys: what `POST /api/v1/teams/:teamId/api-keys` accepts, what the key
// routes answer, and what each scope means in words (forms, the README and the OpenAPI document
// all read them from here).
import { z } from 'zod';
import { API_KEY_SCOPES, type ApiKeyScope } from '../access.ts';
import { displayNameSchema } from '../display-names.ts';

export const API_KEY_NAME_MAX_LENGTH = 100;
/** Most canvases one key may be limited to (a longer list is a sign the key should reach the team). */
export const API_KEY_MAX_CANVASES = 100;

/** What each scope lets a key do, in one line. */
export const API_KEY_SCOPE_DESCRIPTIONS: Record<ApiKeyScope, string> = {
	'canvases:read': 'List and open canvases: documents, exports, versions, thumbnails and images.',
	'canvases:write': 'Create, edit, rename, duplicate, import and delete canvases; save and restore versions; publish.',
	'conversations:write': 'Push LLM conversations onto canvases and stream their messages.',
	'assistant:run': "Start assistant, design-document and code runs on the team's AI credits.",
	'images:write': "Turn sketches into images (live sketch) on the team's credits, and follow or cancel those jobs.",
	'team:read': "Read the team's name and details.",
	'audit:read': "Read the team's activity log."
};

/** The scopes in the order forms and messages list them: canvases first, the team's own last. */
export const API_KEY_SCOPE_ORDER = Object.keys(API_KEY_SCOPE_DESCRIPTIONS) as ApiKeyScope[];

const scopeNames = API_KEY_SCOPE_ORDER.join(', ');

export const createApiKeyRequestSchema = z
	.object({
		name: displayNameSchema({ label: 'Name', maxLength: API_KEY_NAME_MAX_LENGTH, emptyMessage: 'Give the key a name, e.g. what uses it.' }).meta({
			description: 'What the key is for, as lists and the activity log show it (1–100 characters).'
		}),
		scopes: z
			.array(z.enum(API_KEY_SCOPE_ORDER, { error: `Each scope must be one of ${scopeNames}.` }), { error: `scopes must be a list of scope names (${scopeNames}).` })
			.min(1, { error: 'Choose at least one scope.' })
			.meta({ description: `What the key may do: ${scopeNames}.` }),
		expiresAt: z.iso
			.datetime({ offset: true, error: 'expiresAt must be an ISO date-time, e.g. 2030-01-31T12:00:00Z.' })
			.nullable()
			.optional()
			.refine((value) => !value || new Date(value).getTime() > Date.now(), { error: 'expiresAt must be in the future.' })
			.meta({ description: 'When the key stops working; never when left out or null.' }),
		canvasIds: z
			.array(z.uuid({ error: 'canvasIds must be canvas ids (UUIDs).' }), { error: 'canvasIds must be a list of canvas ids.' })
			.min(1, { error: 'canvasIds must name at least one canvas; leave it out for a key that reaches every canvas of the team.' })
			.max(API_KEY_MAX_CANVASES, { error: `A key may be limited to at most ${API_KEY_MAX_CANVASES} canvases.` })
			.nullable()
			.optional()
			.meta({ description: 'Limits the key to these canvases of the team (it may then not create canvases); every canvas when left out or null.' })
	})
	.strict()
	.meta({ id: 'CreateApiKeyRequest' });

export type CreateApiKeyInput = z.input<typeof createApiKeyRequestSchema>;

const isoDateTime = z.iso.datetime();

export const apiKeySchema = z
	.object({
		id: z.uuid(),
		name: z.string(),
		prefix: z.string().meta({ description: 'The start of the key (`easel_` and six characters of its secret), to recognise it.' }),
		scopes: z.array(z.enum(API_KEY_SCOPE_ORDER)),
		canvasIds: z.array(z.uuid()).nullable().meta({ description: 'The canvases the key is limited to; null when it reaches every canvas of the team.' }),
		createdBy: z.object({ id: z.uuid(), name: z.string() }).nullable().meta({ description: 'The admin who created it; null once their account is deleted.' }),
		createdAt: isoDateTime,
		expiresAt: isoDateTime.nullable(),
		lastUsedAt: isoDateTime.nullable().meta({ description: 'Last use, to within a minute.' }),
		lastUsedIp: z.string().nullable().meta({ description: 'The network address of the last use.' }),
		revokedAt: isoDateTime.nullable(),
		status: z.enum(['active', 'expired', 'revoked'])
	})
	.meta({ id: 'ApiKey' });

export const createdApiKeySchema = z
	.object({
		apiKey: apiKeySchema,
		token: z.string().meta({ description: 'The secret (`easel_…`). It is in this answer only: Easel keeps just its SHA-256.' })
	})
	.meta({ id: 'CreatedApiKey' });

export const apiKeyListSchema = z
	.object({ apiKeys: z.array(apiKeySchema).meta({ description: 'Newest first, revoked and expired keys included (their `status` says so).' }) })
	.meta({ id: 'ApiKeyList' });

export type ApiKeyJson = z.infer<typeof apiKeySchema>;
export type CreatedApiKeyJson = z.infer<typeof createdApiKeySchema>;
export type ApiKeyListJson = z.infer<typeof apiKeyListSchema>;

/** A key as the domain returns it. */
export interface ApiKey {
	id: string;
	teamId: string;
	name: string;
	prefix: string;
	/** As stored; a scope this version does not know grants nothing and is not shown. */
	scopes: string[];
	canvasIds: string[] | null;
	createdBy: { id: string; name: string } | null;
	createdAt: Date;
	expiresAt: Date | null;
	lastUsedAt: Date | null;
	lastUsedIp: string | null;
	revokedAt: Date | null;
}

export type ApiKeyStatus = ApiKeyJson['status'];

export function apiKeyStatus(key: Pick<ApiKey, 'expiresAt' | 'revokedAt'>, now = Date.now()): ApiKeyStatus {
	if (key.revokedAt) return 'revoked';
	if (key.expiresAt && key.expiresAt.getTime() <= now) return 'expired';
	return 'active';
}

export function apiKeyJson(key: ApiKey): ApiKeyJson {
	return {
		id: key.id,
		name: key.name,
		prefix: key.prefix,
		scopes: key.scopes.filter((scope): scope is ApiKeyScope => Object.hasOwn(API_KEY_SCOPES, scope)),
		canvasIds: key.canvasIds,
		createdBy: key.createdBy,
		createdAt: key.createdAt.toISOString(),
		expiresAt: key.expiresAt?.toISOString() ?? null,
		lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
		lastUsedIp: key.lastUsedIp,
		revokedAt: key.revokedAt?.toISOString() ?? null,
		status: apiKeyStatus(key)
	};
}
