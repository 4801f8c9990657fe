// Where to go after signing in or up: a path on our own origin, never another one.

/** A placeholder origin to resolve against: only its identity matters, it is never contacted. */
const OWN_ORIGIN = 'http://easel.invalid';
const MAX_NEXT_LENGTH = 2048;

/**
 * The normalised path + search + hash of `next` when it stays on our origin, else `fallback`.
 * `next` is resolved the way a browser resolves a Location header (the WHATWG URL parser drops
 * tabs and newlines and reads `\` as `/`), so `/\t/evil.example` is seen as `//evil.example` and
 * refused. The result is percent-encoded ASCII, safe to put in a header. Never throws.
 */
export function safeNextPath(next: string | null | undefined, fallback = '/'): string {
	if (typeof next !== 'string' || !next.startsWith('/') || next.length > MAX_NEXT_LENGTH) return fallback;
	let parsed: URL;
	try {
		parsed = new URL(next, OWN_ORIGIN);
	} catch {
		return fallback;
	}
	if (parsed.origin !== OWN_ORIGIN) return fallback;
	const path = `${parsed.pathname}${parsed.search}${parsed.hash}`;
	// Dot segments can collapse into a leading `//` (`/.//evil`), which a browser reads as another host.
	if (!path.startsWith('/') || path.startsWith('//')) return fallback;
	return path;
}
