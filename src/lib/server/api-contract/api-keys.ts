// The contract of a team's API keys.
import { z } from 'zod';
import { apiKeyListSchema, createApiKeyRequestSchema, createdApiKeySchema } from '../api-keys/api-key-schemas.ts';
import { teamParams } from './teams.ts';
import type { ApiOperation } from './operation.ts';

export const apiKeyOperations: ApiOperation[] = [
	{
		method: 'get',
		path: '/api/v1/teams/{teamId}/api-keys',
		operationId: 'listApiKeys',
		tag: 'API keys',
		summary: "A team's API keys",
		description: 'Newest first, revoked and expired ones included; never their secrets. Admins and owners.',
		auth: 'person',
		params: teamParams,
		responses: { 200: { description: 'The keys.', schema: apiKeyListSchema } }
	},
	{
		method: 'post',
		path: '/api/v1/teams/{teamId}/api-keys',
		operationId: 'createApiKey',
		tag: 'API keys',
		summary: 'Create an API key',
		description: 'The secret (`easel_…`) is in this answer only. Admins and owners.',
		auth: 'person',
		params: teamParams,
		body: { type: 'json', schema: createApiKeyRequestSchema },
		responses: { 201: { description: 'The key and its secret.', schema: createdApiKeySchema } },
		errors: ['LIMIT_EXCEEDED']
	},
	{
		method: 'delete',
		path: '/api/v1/api-keys/{id}',
		operationId: 'revokeApiKey',
		tag: 'API keys',
		summary: 'Revoke an API key',
		description: 'Requests with it are refused from now on and the sockets it opened are closed.',
		auth: 'person',
		params: z.object({ id: z.uuid().meta({ description: 'The key id.' }) }),
		responses: { 204: { description: 'Revoked.' } }
	}
];
