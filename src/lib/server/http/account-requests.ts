// The account routes' edge (the JSON API and the /account page alike): which person and session
// ask, how their password checks are throttled, and what the instance offers for sign-in.
import type { RequestEvent } from '@sveltejs/kit';
import type { PasswordCheck, ProviderSettings, SessionHolder } from '../account-settings/index.ts';
import { runtime } from '../runtime.ts';
import { requireUser } from './api.ts';

/** The signed-in person and the session their request came with (UNAUTHENTICATED, or FORBIDDEN for an API key, otherwise). */
export function sessionHolder(event: RequestEvent): SessionHolder {
	const user = requireUser(event);
	return { userId: user.id, sessionId: event.locals.session!.id };
}

/** Proving the current password counts against the sign-in throttle, per client address and account. */
export function passwordCheck(event: RequestEvent): PasswordCheck {
	return { throttle: runtime().loginThrottle, ip: event.getClientAddress() };
}

export function providerSettings(): ProviderSettings {
	const { config } = runtime();
	return { identityProviders: config.identityProviders, oidcName: config.OIDC_NAME };
}

/** Where a browser starts linking a provider (the provider sign-in flow), and comes back to. */
export function providerLinkUrl(provider: string): string {
	return `/auth/${provider}?intent=link&next=/account`;
}
