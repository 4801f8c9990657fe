// The HTTP edge of published pages (/p/<slug>): a strict Content-Security-Policy (no sockets: the page
// and its viewer only read over HTTP), and revalidation answered without rendering the page.
import type { Handle } from '@sveltejs/kit';
import * as publications from '../publications.ts';

/** How long caches may keep a published page or its parts: an unpublish is seen everywhere within a minute. */
export const PUBLISHED_PAGE_CACHE = { 'cache-control': 'public, max-age=60', vary: 'Cookie' } as const;

const PAGE_PATH = /^\/p\/([^/]+)\/?$/;

/** The app's CSP narrowed for published pages: connect-src without ws:/wss:, no framing, forms only to us. */
export function publishedPagePolicy(policy: string): string {
	const directives = new Map<string, string>();
	for (const part of policy.split(';')) {
		const [name, ...values] = part.trim().split(/\s+/);
		if (name) directives.set(name.toLowerCase(), values.join(' '));
	}
	directives.set('connect-src', "'self'");
	directives.set('frame-ancestors', "'none'");
	directives.set('form-action', "'self'");
	return [...directives].map(([name, values]) => (values ? `${name} ${values}` : name)).join('; ');
}

function matchesTag(ifNoneMatch: string, tag: string): boolean {
	const bare = (value: string) => value.trim().replace(/^W\//, '');
	return ifNoneMatch.split(',').some((candidate) => candidate.trim() === '*' || bare(candidate) === bare(tag));
}

/**
 * For /p/…: a signed-out visitor's revalidation (If-None-Match) of an unchanged page gets 304 before
 * anything renders (the 304 carries no CSP, so the cached page keeps the one matching its nonces);
 * every page response gets the published pages' CSP.
 */
export function publishedPages(build: string): Handle {
	return async ({ event, resolve }) => {
		if (!event.url.pathname.startsWith('/p/')) return resolve(event);
		const page = PAGE_PATH.exec(event.url.pathname);
		const ifNoneMatch = event.request.headers.get('if-none-match');
		if (page && ifNoneMatch && !event.locals.user && (event.request.method === 'GET' || event.request.method === 'HEAD')) {
			const found = await publications.findPublicPage(event.locals.db, page[1]);
			const tag = found && publications.pageTag(found, build);
			if (tag && matchesTag(ifNoneMatch, tag)) return new Response(null, { status: 304, headers: { ...PUBLISHED_PAGE_CACHE, etag: tag } });
		}
		const response = await resolve(event);
		const policy = response.headers.get('content-security-policy');
		if (policy) response.headers.set('content-security-policy', publishedPagePolicy(policy));
		return response;
	};
}
