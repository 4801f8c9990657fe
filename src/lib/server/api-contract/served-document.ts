// The OpenAPI document as served: built once per process, as JSON text with its ETag.
import { createHash } from 'node:crypto';
import { API_OPERATIONS } from './index.ts';
import { buildOpenApiDocument } from './document.ts';

let served: { json: string; etag: string } | undefined;

/** The document's JSON (pretty-printed, as `npm run openapi` writes it) and a strong ETag of it. */
export function servedOpenApiDocument(): { json: string; etag: string } {
	if (!served) {
		const json = `${JSON.stringify(buildOpenApiDocument(API_OPERATIONS), null, '\t')}\n`;
		served = { json, etag: `"${createHash('sha256').update(json).digest('base64url').slice(0, 32)}"` };
	}
	return served;
}
