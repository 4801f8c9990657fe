// Every /api/v1 operation, in one list: the OpenAPI document, its tests and /docs/api read it.
import { accountOperations } from './accounts.ts';
import { apiKeyOperations } from './api-keys.ts';
import { assistantOperations } from './assistant.ts';
import { billingOperations } from './billing.ts';
import { canvasOperations } from './canvases.ts';
import { conversationOperations } from './conversations.ts';
import { historyOperations } from './history.ts';
import type { ApiOperation, HttpMethod } from './operation.ts';
import { sharingOperations } from './sharing.ts';
import { teamOperations } from './teams.ts';

export * from './operation.ts';
export { buildOpenApiDocument, OPENAPI_TAGS } from './document.ts';

export const API_OPERATIONS: readonly ApiOperation[] = [
	...accountOperations,
	...canvasOperations,
	...historyOperations,
	...sharingOperations,
	...conversationOperations,
	...assistantOperations,
	...teamOperations,
	...apiKeyOperations,
	...billingOperations
];

/**
 * The API key scope an operation needs ('canvases:read', …), 'people' where no key may call it, or
 * 'public'; undefined until it is wired to the keys' route-scope table.
 */
export function operationScope(method: HttpMethod, path: string): string | undefined {
	void method;
	void path;
	return undefined;
}
