// Which API key scope each operation needs, for the document and /docs/api: read from the keys'
// route-scope table, the one place it is written.
import { routeScope, type RouteScope } from '../api-keys/route-scopes.ts';
import type { HttpMethod } from './operation.ts';

/** The API key scope an operation needs ('canvases:read', …), 'people' where no key may call it, or 'public'. */
export function operationScope(method: HttpMethod, path: string): RouteScope | undefined {
	return routeScope(method, path);
}
