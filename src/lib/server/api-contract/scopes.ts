// Which API key scope each operation needs, for the document and /docs/api.
import type { HttpMethod } from './operation.ts';

/**
 * The API key scope an operation needs ('canvases:read', …), 'people' where no key may call it, or
 * 'public'; undefined until it is wired to the keys' route-scope table.
 */
export function operationScope(method: HttpMethod, path: string): string | undefined {
	void method;
	void path;
	return undefined;
}
