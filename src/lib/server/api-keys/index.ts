// A team's API keys (`easel_…`): scoped, optionally limited to some canvases, expiring, revocable,
// hashed at rest; an actor of their own in the audit log. Imported as a namespace: `apiKeys.create`.
export { create, listForTeam, revoke, DEFAULT_MAX_ACTIVE_KEYS, type CreateOptions } from './manage-api-keys.ts';
export { identify, type IdentifiedApiKey, type IdentifyApiKeyOptions } from './identify-api-key.ts';
export { API_KEY_PREFIX, looksLikeApiKey } from './api-key-tokens.ts';
export { requestBudgets, type BudgetSettings } from './request-budgets.ts';
export * from './api-key-schemas.ts';
