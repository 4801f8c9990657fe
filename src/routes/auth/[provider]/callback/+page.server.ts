// Where the provider sends the browser back: the attempt this browser started is checked against the
// answer, the identity verified, then the person signed in (a linked, linked-now or new account) or
// the provider linked to the signed-in account. Refusals are a page saying what to do.
import { error, redirect } from '@sveltejs/kit';
import { configuredProvider, providerLabel, verifiedIdentity } from '$lib/server/auth/identity-providers';
import { linkProvider, signInWithProvider } from '$lib/server/auth/oauth-sign-in';
import { startSession } from '$lib/server/auth/sessions';
import { ssoSetupOf } from '$lib/server/auth/team-sso';
import { takeProviderFlow } from '$lib/server/http/provider-flow-cookie';
import { sessionOrigin, setSessionCookie } from '$lib/server/http/session-cookie';
import { refuseSignIn } from '$lib/server/http/sign-in-refusal';
import { runtime } from '$lib/server/runtime';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const { params, url, cookies, locals } = event;
	const { config, logger } = runtime();
	let next: string;
	try {
		const provider = configuredProvider(config, params.provider);
		const label = providerLabel(config, provider);
		const flow = takeProviderFlow(cookies, provider);
		if (!flow) {
			error(400, {
				message: `This sign-in with ${label} expired or was started in another browser, so it cannot finish here. Start again.`,
				code: 'INVALID_INPUT',
				action: { label: `Continue with ${label}`, href: `/auth/${provider}` }
			});
		}
		next = flow.next;
		const identity = await verifiedIdentity(config, provider, url, flow);
		if (flow.intent === 'link') {
			if (locals.user?.id !== flow.userId)
				error(401, { message: 'You were signed out while linking. Sign in again, then link the account from your settings.', code: 'UNAUTHENTICATED' });
			await linkProvider(locals.db, flow.userId, identity, { provider, label });
			logger.info({ provider, userId: flow.userId }, 'linked a sign-in provider');
		} else {
			const signedIn = await signInWithProvider(locals.db, identity, { provider, label, sso: ssoSetupOf(config) });
			const { token, session } = await startSession(locals.db, signedIn.user.id, config.SESSION_DAYS, sessionOrigin(event, provider));
			setSessionCookie(cookies, token, session.expiresAt);
			logger.info({ provider, userId: signedIn.user.id, outcome: signedIn.outcome }, 'signed in with a provider');
		}
	} catch (failure) {
		refuseSignIn(failure);
	}
	redirect(303, next);
};
