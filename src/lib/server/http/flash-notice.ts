// A one-time notice for the next page (after a redirect): "Password changed", "Email verified". A
// short-lived cookie holding only the notice's name; the app layout shows it once and clears it.
import type { Cookies } from '@sveltejs/kit';
import { runtime } from '../runtime.ts';

export const FLASH_NOTICES = {
	'password-changed': 'Password changed. Every other session of your account was signed out.',
	'email-verified': 'Your email address is verified.',
	'email-changed': 'Your email address is changed and verified.'
} as const;

export type FlashNotice = keyof typeof FLASH_NOTICES;

const COOKIE = 'easel_notice';

export function setFlashNotice(cookies: Cookies, notice: FlashNotice): void {
	cookies.set(COOKIE, notice, { httpOnly: true, sameSite: 'lax', secure: runtime().config.secureCookies, path: '/', maxAge: 60 });
}

/** The pending notice's words, clearing it; null when there is none. */
export function takeFlashNotice(cookies: Cookies): string | null {
	const notice = cookies.get(COOKIE);
	if (notice === undefined) return null;
	cookies.delete(COOKIE, { httpOnly: true, sameSite: 'lax', secure: runtime().config.secureCookies, path: '/' });
	return Object.hasOwn(FLASH_NOTICES, notice) ? FLASH_NOTICES[notice as FlashNotice] : null;
}
