// Which API key scope each /api/v1 operation needs, as the documented contract: the OpenAPI document
// and /docs/api state it, and tests/integration/api-key-scopes.test.ts holds every route to it. It
// enforces nothing itself: the domain does, through the scopes' actions (access.ts).
import type { ApiKeyScope } from '../access.ts';

/** A scope; 'people' where no key may (a person of the team must); 'public' where no credentials are needed. */
export type RouteScope = ApiKeyScope | 'people' | 'public';

/** `'<METHOD> <path with {params}>'` → what a key needs to call it. */
export const API_ROUTE_SCOPES = {
	'POST /api/v1/admin/publications/{id}/hide': 'people',
	'POST /api/v1/admin/publications/{id}/restore': 'people',
	'DELETE /api/v1/api-keys/{id}': 'people',
	'GET /api/v1/assets/{assetId}': 'canvases:read',
	'GET /api/v1/assistant/models': 'team:read',
	'POST /api/v1/auth/login': 'public',
	'POST /api/v1/auth/logout': 'people',
	'POST /api/v1/auth/signup': 'public',
	'GET /api/v1/canvases': 'canvases:read',
	'POST /api/v1/canvases': 'canvases:write',
	'GET /api/v1/canvases/{id}': 'canvases:read',
	'PATCH /api/v1/canvases/{id}': 'canvases:write',
	'DELETE /api/v1/canvases/{id}': 'canvases:write',
	'POST /api/v1/canvases/{id}/assets': 'canvases:write',
	'POST /api/v1/canvases/{id}/assistant/runs': 'assistant:run',
	'GET /api/v1/canvases/{id}/assistant/runs/{runId}': 'canvases:read',
	'POST /api/v1/canvases/{id}/assistant/runs/{runId}/accept': 'canvases:write',
	'POST /api/v1/canvases/{id}/assistant/runs/{runId}/cancel': 'canvases:write',
	'GET /api/v1/canvases/{id}/assistant/runs/{runId}/files/{name}': 'canvases:read',
	'POST /api/v1/canvases/{id}/assistant/runs/{runId}/pdf': 'canvases:read',
	'POST /api/v1/canvases/{id}/assistant/runs/{runId}/reject': 'canvases:write',
	'POST /api/v1/canvases/{id}/code': 'assistant:run',
	'POST /api/v1/canvases/{id}/conversations': 'conversations:write',
	'GET /api/v1/canvases/{id}/conversations': 'canvases:read',
	'POST /api/v1/canvases/{id}/design-doc': 'assistant:run',
	'GET /api/v1/canvases/{id}/document': 'canvases:read',
	'POST /api/v1/canvases/{id}/duplicate': 'canvases:write',
	'GET /api/v1/canvases/{id}/export': 'canvases:read',
	'POST /api/v1/canvases/{id}/move': 'people',
	'GET /api/v1/canvases/{id}/publication': 'canvases:read',
	'POST /api/v1/canvases/{id}/publication': 'canvases:write',
	'DELETE /api/v1/canvases/{id}/publication': 'canvases:write',
	'PUT /api/v1/canvases/{id}/publication/preview': 'canvases:write',
	'GET /api/v1/canvases/{id}/share-links': 'people',
	'POST /api/v1/canvases/{id}/share-links': 'people',
	'GET /api/v1/canvases/{id}/state': 'canvases:read',
	'GET /api/v1/canvases/{id}/thumbnail': 'canvases:read',
	'PUT /api/v1/canvases/{id}/thumbnail': 'canvases:write',
	'DELETE /api/v1/canvases/{id}/thumbnail': 'canvases:write',
	'GET /api/v1/canvases/{id}/versions': 'canvases:read',
	'POST /api/v1/canvases/{id}/versions': 'canvases:write',
	'GET /api/v1/canvases/{id}/versions/{versionId}': 'canvases:read',
	'PATCH /api/v1/canvases/{id}/versions/{versionId}': 'people',
	'DELETE /api/v1/canvases/{id}/versions/{versionId}': 'people',
	'POST /api/v1/canvases/{id}/versions/{versionId}/restore': 'canvases:write',
	'POST /api/v1/canvases/import': 'canvases:write',
	'GET /api/v1/conversations/{conversationId}': 'canvases:read',
	'POST /api/v1/conversations/{conversationId}/messages': 'conversations:write',
	'POST /api/v1/conversations/{conversationId}/messages/{messageId}/complete': 'conversations:write',
	'POST /api/v1/conversations/{conversationId}/messages/{messageId}/stream': 'conversations:write',
	'GET /api/v1/gallery': 'public',
	'DELETE /api/v1/invitations/{key}': 'people',
	'POST /api/v1/invitations/{key}/accept': 'people',
	'GET /api/v1/me': 'people',
	'GET /api/v1/openapi.json': 'public',
	'POST /api/v1/publications/{id}/remix': 'people',
	'POST /api/v1/publications/{id}/reports': 'public',
	'DELETE /api/v1/share-links/{id}': 'people',
	'GET /api/v1/teams': 'people',
	'POST /api/v1/teams': 'people',
	'GET /api/v1/teams/{teamId}': 'team:read',
	'PATCH /api/v1/teams/{teamId}': 'people',
	'DELETE /api/v1/teams/{teamId}': 'people',
	'GET /api/v1/teams/{teamId}/ai-settings': 'people',
	'PUT /api/v1/teams/{teamId}/ai-settings': 'people',
	'POST /api/v1/teams/{teamId}/ai-settings/test': 'people',
	'GET /api/v1/teams/{teamId}/ai-usage': 'people',
	'GET /api/v1/teams/{teamId}/api-keys': 'people',
	'POST /api/v1/teams/{teamId}/api-keys': 'people',
	'GET /api/v1/teams/{teamId}/audit-log': 'audit:read',
	'GET /api/v1/teams/{teamId}/billing': 'people',
	'POST /api/v1/teams/{teamId}/billing/checkout': 'people',
	'POST /api/v1/teams/{teamId}/billing/portal': 'people',
	'GET /api/v1/teams/{teamId}/credits': 'people',
	'GET /api/v1/teams/{teamId}/invitations': 'people',
	'POST /api/v1/teams/{teamId}/invitations': 'people',
	'GET /api/v1/teams/{teamId}/members': 'people',
	'PATCH /api/v1/teams/{teamId}/members/{userId}': 'people',
	'DELETE /api/v1/teams/{teamId}/members/{userId}': 'people',
	'POST /api/v1/teams/{teamId}/transfer-ownership': 'people'
} as const satisfies Record<string, RouteScope>;

export type ApiRoute = keyof typeof API_ROUTE_SCOPES;

/** The scope `method path` needs (path with {params}, as the OpenAPI document writes it); undefined for an unknown route. */
export function routeScope(method: string, path: string): RouteScope | undefined {
	return (API_ROUTE_SCOPES as Record<string, RouteScope>)[`${method.toUpperCase()} ${path}`];
}
