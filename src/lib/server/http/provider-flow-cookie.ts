// One sign-in attempt with a provider, between our start route and its callback: state, PKCE
// verifier, nonce, where to land and whether it links a provider to the signed-in account. It lives
// in a short-lived HttpOnly SameSite=Lax cookie (sent on the provider's top-level redirect back) and
// is read once: the callback clears it whatever happens.
import type { Cookies } from '@sveltejs/kit';
import { z } from 'zod';
import type { IdentityProvider, ProviderChecks } from '../auth/identity-providers.ts';
import { runtime } from '../runtime.ts';

/** How long someone has at the provider before the attempt expires. */
const FLOW_MINUTES = 10;

export type ProviderFlow = ProviderChecks & {
	/** A safe local path (safeNextPath) to land on afterwards. */
	next: string;
} & ({ intent: 'sign-in' } | { intent: 'link'; /** Who started linking: the callback must be them. */ userId: string });

const flowSchema = z.intersection(
	z.object({ state: z.string().min(16), codeVerifier: z.string().min(43), nonce: z.string().min(16), next: z.string().startsWith('/') }),
	z.discriminatedUnion('intent', [z.object({ intent: z.literal('sign-in') }), z.object({ intent: z.literal('link'), userId: z.uuid() })])
);

function cookieName(provider: IdentityProvider, secure: boolean): string {
	return `${secure ? '__Host-' : ''}easel_signin_${provider}`;
}

function cookieOptions(secure: boolean) {
	return { httpOnly: true, sameSite: 'lax' as const, secure, path: '/' };
}

export function setProviderFlow(cookies: Cookies, provider: IdentityProvider, flow: ProviderFlow): void {
	const secure = runtime().config.secureCookies;
	cookies.set(cookieName(provider, secure), JSON.stringify(flow), { ...cookieOptions(secure), maxAge: FLOW_MINUTES * 60 });
}

/** The attempt this browser started with `provider`, or null (none, expired, or not ours); the cookie is cleared either way. */
export function takeProviderFlow(cookies: Cookies, provider: IdentityProvider): ProviderFlow | null {
	const secure = runtime().config.secureCookies;
	const name = cookieName(provider, secure);
	const raw = cookies.get(name);
	if (raw === undefined) return null;
	cookies.delete(name, cookieOptions(secure));
	try {
		const parsed = flowSchema.safeParse(JSON.parse(raw));
		return parsed.success ? parsed.data : null;
	} catch {
		return null;
	}
}
