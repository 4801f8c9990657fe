// The session cookie: HttpOnly, SameSite=Lax, Secure with the __Host- prefix when served over https.
import type { Cookies } from '@sveltejs/kit';
import { sessionCookieName, type SessionOrigin } from '../auth/sessions.ts';
import type { SessionMethod } from '../db/schema.ts';
import { runtime } from '../runtime.ts';

export function setSessionCookie(cookies: Cookies, token: string, expiresAt: Date): void {
	const secure = runtime().config.secureCookies;
	cookies.set(sessionCookieName(secure), token, { httpOnly: true, sameSite: 'lax', secure, path: '/', expires: expiresAt });
}

export function clearSessionCookie(cookies: Cookies): void {
	const secure = runtime().config.secureCookies;
	cookies.delete(sessionCookieName(secure), { httpOnly: true, sameSite: 'lax', secure, path: '/' });
}

/** The device and address a session starts from, as the account's session list shows them. */
export function sessionOrigin(event: { request: Request; getClientAddress(): string }, method: SessionMethod = 'password'): SessionOrigin {
	return { method, userAgent: event.request.headers.get('user-agent'), ip: event.getClientAddress() };
}
