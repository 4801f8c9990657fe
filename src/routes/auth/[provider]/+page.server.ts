// Starts signing in (or, with intent=link, linking) with a provider: the attempt's secrets go into a
// short-lived cookie, the browser to the provider. `next` is where to land; `login_hint` an address
// the provider may pre-fill (single sign-on sends it).
import { redirect } from '@sveltejs/kit';
import { emailSchema } from '$lib/server/accounts';
import { authorizationUrl, configuredProvider, newChecks } from '$lib/server/auth/identity-providers';
import { setProviderFlow } from '$lib/server/http/provider-flow-cookie';
import { refuseSignIn } from '$lib/server/http/sign-in-refusal';
import { runtime } from '$lib/server/runtime';
import { safeNextPath } from '$lib/next-path';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ params, url, cookies, locals }) => {
	const { config } = runtime();
	const linking = url.searchParams.get('intent') === 'link';
	const next = safeNextPath(url.searchParams.get('next'), linking ? '/account' : '/');
	let location: URL;
	try {
		const provider = configuredProvider(config, params.provider);
		if (linking && !locals.user) redirect(303, `/login?next=${encodeURIComponent(`${url.pathname}${url.search}`)}`);
		// Already signed in: nothing to do unless linking.
		if (!linking && locals.user) redirect(303, next);
		const loginHint = emailSchema.safeParse(url.searchParams.get('login_hint') ?? undefined);
		const checks = newChecks();
		location = await authorizationUrl(config, provider, checks, { loginHint: loginHint.success ? loginHint.data : undefined });
		setProviderFlow(cookies, provider, linking ? { ...checks, next, intent: 'link', userId: locals.user!.id } : { ...checks, next, intent: 'sign-in' });
	} catch (failure) {
		refuseSignIn(failure);
	}
	redirect(302, location.href);
};
