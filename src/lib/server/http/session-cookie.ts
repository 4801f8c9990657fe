// The session cookie: HttpOnly, SameSite=Lax, Secure with the __Host- prefix when served over https.
import type { Cookies } from '@sveltejs/kit';
import { sessionCookieName } from '../auth/sessions.ts';
import { runtime } from '../runtime.ts';

export function setSessionCookie(cookies: Cookies, token: string, expiresAt: Date): void {
	const secure = runtime().config.secureCookies;
	cookies.set(sessionCookieName(secure), token, { httpOnly: true, sameSite: 'lax', secure, path: '/', expires: expiresAt });
}

export function clearSessionCookie(cookies: Cookies): void {
	const secure = runtime().config.secureCookies;
	cookies.delete(sessionCookieName(secure), { httpOnly: true, sameSite: 'lax', secure, path: '/' });
}
