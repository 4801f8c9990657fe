// A refused sign-in as the page the browser lands on: the AppError's status and message, and, where
// there is one, the thing to do instead (single sign-on for SSO_REQUIRED).
import { error } from '@sveltejs/kit';
import { AppError } from '../errors.ts';
import { runtime } from '../runtime.ts';

/** Throws SvelteKit's error page for an AppError (anything else is rethrown: a 500 with a reference). */
export function refuseSignIn(failure: unknown): never {
	if (!(failure instanceof AppError)) throw failure;
	if (failure.cause !== undefined) runtime().logger.warn({ err: failure.cause, code: failure.code }, 'sign-in with a provider failed');
	const ssoUrl = failure.code === 'SSO_REQUIRED' ? failure.details?.ssoUrl : undefined;
	const action = typeof ssoUrl === 'string' ? { label: `Continue with ${runtime().config.OIDC_NAME}`, href: localPath(ssoUrl) } : undefined;
	error(failure.status, { message: failure.message, code: failure.code, ...(action ? { action } : {}) });
}

/** The path and query of one of our own URLs (details carry absolute ones for API clients). */
export function localPath(url: string): string {
	const parsed = new URL(url, 'http://easel.invalid');
	return `${parsed.pathname}${parsed.search}`;
}
