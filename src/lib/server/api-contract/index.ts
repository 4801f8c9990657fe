// Every /api/v1 operation, in one list: the OpenAPI document, its tests and /docs/api read it.
import { accountOperations } from './accounts.ts';
import { accountSettingsOperations } from './account-settings.ts';
import { accountEmailOperations } from './account-emails.ts';
import { apiKeyOperations } from './api-keys.ts';
import { assistantOperations } from './assistant.ts';
import { billingOperations } from './billing.ts';
import { canvasOperations } from './canvases.ts';
import { conversationOperations } from './conversations.ts';
import { historyOperations } from './history.ts';
import { imageOperations } from './images.ts';
import { libraryOperations } from './library.ts';
import type { ApiOperation } from './operation.ts';
import { sharingOperations } from './sharing.ts';
import { teamOperations } from './teams.ts';
import { teamSsoOperations } from './team-sso.ts';
import { trashOperations } from './trash.ts';

export * from './operation.ts';
export { buildOpenApiDocument, OPENAPI_TAGS } from './document.ts';
export { operationScope } from './scopes.ts';

export const API_OPERATIONS: readonly ApiOperation[] = [
	...accountOperations,
	...accountSettingsOperations,
	...accountEmailOperations,
	...canvasOperations,
	...libraryOperations,
	...historyOperations,
	...sharingOperations,
	...conversationOperations,
	...assistantOperations,
	...imageOperations,
	...teamOperations,
	...teamSsoOperations,
	...trashOperations,
	...apiKeyOperations,
	...billingOperations
];
