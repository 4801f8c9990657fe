// Request pipeline: request id, security headers, cross-site write refusal, session from cookie or
// bearer token (a session token or an API key), API rate limits, safe errors.
import type { Handle, HandleServerError, RequestEvent } from '@sveltejs/kit';
import { sequence } from '@sveltejs/kit/hooks';
import { sessionCookieName, validateSessionToken } from '$lib/server/auth/sessions';
import { identifyBearer } from '$lib/server/auth/bearer';
import { ANONYMOUS } from '$lib/server/access';
import * as apiKeys from '$lib/server/api-keys';
import { setSessionCookie, clearSessionCookie } from '$lib/server/http/session-cookie';
import { jsonError } from '$lib/server/http/api';
import { isSameOriginWrite } from '$lib/server/http/same-origin';
import { AppError } from '$lib/server/errors';
import { runtime, services } from '$lib/server/runtime';
import { metrics } from '$lib/server/metrics';
import { publishedPages } from '$lib/server/http/published-pages';
import { version } from '$app/environment';

const withRuntime: Handle = async ({ event, resolve }) => {
	event.locals.requestId = event.request.headers.get('x-request-id')?.slice(0, 64) || crypto.randomUUID();
	event.locals.db = runtime().db;
	event.locals.services = services();
	event.locals.user = null;
	event.locals.session = null;
	event.locals.actor = ANONYMOUS;
	event.locals.bearerProblem = null;
	return resolve(event);
};

/**
 * Refuses writes another origin could have made the browser send (before the session is even read,
 * so they change nothing): on /api every cookie-authenticated one; elsewhere (form actions) every
 * form post and every cookie-carrying write, as SvelteKit's own check did — which is off
 * (svelte.config.js), since it also refused multipart uploads from programs. A Bearer token is
 * never sent by a browser on its own, so programs using one are unaffected; so are webhooks, which
 * carry no cookie.
 */
const refuseCrossSiteWrites: Handle = async ({ event, resolve }) => {
	const { config } = runtime();
	const { request, url } = event;
	if (bearerToken(event) || isSameOriginWrite(request.method, request.headers, config.allowedOrigins)) return resolve(event);
	const byCookie = event.cookies.get(sessionCookieName(config.secureCookies)) !== undefined;
	if (url.pathname.startsWith('/api/')) {
		if (byCookie) return jsonError(new AppError('FORBIDDEN', 'Cross-site request refused'));
	} else if (byCookie || isFormContentType(request)) {
		// SvelteKit's own answer, word for word.
		const message = `Cross-site ${request.method} form submissions are forbidden`;
		return request.headers.get('accept') === 'application/json' ? Response.json({ message }, { status: 403 }) : new Response(message, { status: 403 });
	}
	return resolve(event);
};

function isFormContentType(request: Request): boolean {
	const type = request.headers.get('content-type')?.split(';', 1)[0].trim().toLowerCase() ?? '';
	return type === 'application/x-www-form-urlencoded' || type === 'multipart/form-data' || type === 'text/plain';
}

/** Who is asking: a bearer token of any kind (identifyBearer tells them apart), else the session cookie. */
const withSession: Handle = async ({ event, resolve }) => {
	const { config, db } = runtime();
	const bearer = bearerToken(event);
	if (bearer) {
		try {
			const identity = await identifyBearer(db, bearer, { sessionDays: config.SESSION_DAYS, ip: event.getClientAddress() });
			event.locals.actor = identity.actor;
			if (identity.kind === 'session') {
				event.locals.user = identity.session.user;
				event.locals.session = identity.session.session;
			}
		} catch (error) {
			if (!(error instanceof AppError)) throw error;
			// Routes open to anyone still answer; those that need someone say why the token was refused.
			event.locals.bearerProblem = error;
		}
		return resolve(event);
	}
	const cookieName = sessionCookieName(config.secureCookies);
	const token = event.cookies.get(cookieName);
	if (token) {
		const validated = await validateSessionToken(db, token, config.SESSION_DAYS);
		if (validated) {
			event.locals.user = validated.user;
			event.locals.session = validated.session;
			event.locals.actor = { kind: 'user', userId: validated.user.id };
			if (validated.extended) setSessionCookie(event.cookies, token, validated.session.expiresAt);
		} else {
			clearSessionCookie(event.cookies);
		}
	}
	return resolve(event);
};

/**
 * Counts every /api/v1 request of an API key (against the key's budget and its team's, by plan) or
 * of a person (their own budget), refusing with 429 and Retry-After once one is spent. Every answer
 * to such a caller says where it stands: RateLimit-Limit, -Remaining, -Reset (seconds) and
 * RateLimit-Policy (every budget counted), the IETF draft's header names.
 */
const limitApiRequests: Handle = async ({ event, resolve }) => {
	if (!event.url.pathname.startsWith('/api/v1/')) return resolve(event);
	const { config, db, apiRateLimits } = runtime();
	const budgets = await apiKeys.requestBudgets(db, config, event.locals.actor);
	if (!budgets) return resolve(event);
	const state = await apiRateLimits.consume(budgets);
	const response = state.refused ? jsonError(state.refused) : await resolve(event);
	response.headers.set('ratelimit-limit', String(state.limit));
	response.headers.set('ratelimit-remaining', String(state.remaining));
	response.headers.set('ratelimit-reset', String(state.resetSeconds));
	response.headers.set('ratelimit-policy', state.policy);
	return response;
};

const securityHeaders: Handle = async ({ event, resolve }) => {
	const started = performance.now();
	const response = await resolve(event);
	metrics().httpSeconds.observe(
		{ method: event.request.method, route: event.route.id ?? 'unmatched', status: String(response.status) },
		(performance.now() - started) / 1000
	);
	response.headers.set('x-request-id', event.locals.requestId);
	// Pages carrying secrets in their URL (/s/, /invite/) set a stricter policy of their own.
	if (!response.headers.has('referrer-policy')) response.headers.set('referrer-policy', 'strict-origin-when-cross-origin');
	response.headers.set('x-content-type-options', 'nosniff');
	response.headers.set('permissions-policy', 'camera=(), microphone=(), geolocation=()');
	if (!response.headers.has('x-frame-options')) response.headers.set('x-frame-options', 'DENY');
	return response;
};

/** Published pages (/p/…): their strict CSP, and revalidations answered before rendering. */
const publishedPageHeaders: Handle = publishedPages(version);

export const handle = sequence(withRuntime, securityHeaders, refuseCrossSiteWrites, withSession, limitApiRequests, publishedPageHeaders);

export const handleError: HandleServerError = ({ error, event, status, message }) => {
	if (status >= 500) {
		runtime().logger.error({ err: error, requestId: event.locals.requestId, route: event.route.id }, 'unhandled error');
		return { message: 'Something went wrong on our side. Try again in a moment.', requestId: event.locals.requestId };
	}
	return { message };
};

function bearerToken(event: RequestEvent): string | null {
	const header = event.request.headers.get('authorization');
	const match = header && /^Bearer\s+(\S+)$/i.exec(header);
	return match ? match[1] : null;
}
