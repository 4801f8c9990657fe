// Same-origin proof for cookie-authenticated writes: SameSite=Lax cookies still ride along with
// requests from other ports of our host and from sibling subdomains (same *site*), and SvelteKit's
// own CSRF check only covers form content types, so body-less API POSTs need this one.

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Whether a browser request may act with the session cookie it carries: safe methods always; unsafe
 * ones only with an Origin we serve or `Sec-Fetch-Site: same-origin`. Browsers send Origin on every
 * non-GET fetch and form post, so our own pages pass; no other page can forge either header.
 */
export function isSameOriginWrite(method: string, headers: Headers, allowedOrigins: readonly string[]): boolean {
	if (!UNSAFE_METHODS.has(method.toUpperCase())) return true;
	const origin = headers.get('origin');
	if (origin !== null) return allowedOrigins.includes(origin);
	return headers.get('sec-fetch-site') === 'same-origin';
}
