// Signing in with an OIDC provider, GitHub and Google against real local providers (oauth2-mock-server,
// a GitHub-protocol server), driven as a browser would: our /auth start → the provider's authorize →
// our callback, cookies kept per host, redirects followed by hand. Accounts link by verified email
// only; tampered, replayed and misaddressed answers are refused; team SSO refuses passwords (form and
// API) and GitHub for members on a verified domain. On both databases.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { inArray, sql } from 'drizzle-orm';
import type { Database } from '../../src/lib/server/db/index.ts';
import { users } from '../../src/lib/server/db/schema.ts';
import { sessionCookieName } from '../../src/lib/server/auth/sessions.ts';
import * as accountTokens from '../../src/lib/server/auth/account-tokens.ts';
import { CookieJar, navigate, pageText, visit, type Visit } from '../helpers/browser-flow.ts';
import { api, signUp, uniqueEmail, type TestUser } from '../helpers/clients.ts';
import { startGitHubTestServer, type GitHubTestServer, type GitHubTestUser } from '../helpers/github-test-server.ts';
import { startOidcProvider, type OidcTestProvider } from '../helpers/oidc-provider.ts';
import { changeServerDatabase, describeEachServerDatabase } from '../helpers/server-databases.ts';
import { freePort, startServer, type RunningServer } from '../helpers/server.ts';

const SSO_DOMAIN = 'sso-acme.test';
let githubIds = 1000;
let subjects = 0;

describeEachServerDatabase('signing in with providers', (database) => {
	let oidc: OidcTestProvider;
	let google: OidcTestProvider;
	let github: GitHubTestServer;
	let server: RunningServer;
	/** Password accounts whose addresses the test marks verified (email verification is another part's). */
	const verified: Record<'linkTarget' | 'linker' | 'otherLinker' | 'ssoOwner' | 'ssoMember' | 'invitee', TestUser> = {} as never;
	let deletedSubject: string;

	beforeAll(async () => {
		oidc = await startOidcProvider();
		google = await startOidcProvider({ clientId: 'google-test-client', clientSecret: 'google-test-secret' });
		github = await startGitHubTestServer();
		const port = await freePort();
		server = await startServer({
			port,
			env: { ...database().env, PUBLIC_ORIGIN: `http://127.0.0.1:${port}`, OIDC_NAME: 'Acme SSO', ...oidc.env, ...google.googleEnv, ...github.env }
		});
		verified.linkTarget = await signUpAs('Linda', uniqueEmail('linda'));
		verified.linker = await signUpAs('Lin', uniqueEmail('lin'));
		verified.otherLinker = await signUpAs('Otto', uniqueEmail('otto'));
		verified.ssoOwner = await signUpAs('Olga', uniqueEmail('olga').replace(/@.*/, `@${SSO_DOMAIN}`));
		verified.ssoMember = await signUpAs('Max', uniqueEmail('max').replace(/@.*/, `@${SSO_DOMAIN}`));
		verified.invitee = await signUpAs('Ines', uniqueEmail('ines'));
		// An account made through the provider, then deleted.
		deletedSubject = `deleted-${Date.now()}`;
		const deletedEmail = uniqueEmail('gone');
		oidc.signInAs({ sub: deletedSubject, email: deletedEmail, email_verified: true, name: 'Gone' });
		expect(landing(await signIn('oidc', new CookieJar()))).toBe('/teams');
		await changeDatabase(async (db) => {
			await db
				.update(users)
				.set({ emailVerifiedAt: new Date() })
				.where(
					inArray(
						users.email,
						Object.values(verified).map((user) => user.email)
					)
				);
			await db
				.update(users)
				.set({ deletedAt: new Date() })
				.where(sql`${users.email} = ${deletedEmail}`);
		});
	});

	afterAll(async () => {
		await server?.dispose();
		await Promise.all([oidc?.close(), google?.close(), github?.close()]);
	});

	async function signUpAs(name: string, email: string): Promise<TestUser> {
		const password = 'a long enough password';
		const { status, body } = await api(server.url, '/api/v1/auth/signup', { body: { email, password, name } });
		if (status !== 201) throw new Error(`sign-up failed: ${status} ${JSON.stringify(body)}`);
		return { id: body.user.id, email, password, token: body.token, personalTeamId: body.personalTeamId };
	}

	/** Writes to the suite's database (on PGlite the server restarts for it). */
	async function changeDatabase(change: (db: Database) => Promise<void>): Promise<void> {
		server = await changeServerDatabase(database(), server, change);
	}

	/** From our start route through the provider and back, as far as the browser goes. */
	function signIn(provider: 'oidc' | 'github' | 'google', jar: CookieJar, query = 'next=/teams'): Promise<Visit[]> {
		return navigate(jar, `${server.url}/auth/${provider}?${query}`);
	}

	/** Up to the provider's redirect to our callback, which is not followed: the callback URL. */
	async function untilCallback(provider: 'oidc' | 'github' | 'google', jar: CookieJar, query = 'next=/teams'): Promise<string> {
		const visits = await navigate(jar, `${server.url}/auth/${provider}?${query}`, { stopBefore: (url) => url.pathname === `/auth/${provider}/callback` });
		const callback = visits.at(-1)!.location!;
		expect(new URL(callback).pathname).toBe(`/auth/${provider}/callback`);
		return callback;
	}

	/** Where the browser ended up on our server (a path), when it ended on a page that is not a refusal. */
	function landing(visits: Visit[]): string {
		const last = visits.at(-1)!;
		if (last.status !== 200) throw new Error(`ended on ${last.status} ${last.url}: ${pageText(last.body).slice(0, 300)}`);
		return new URL(last.url).pathname;
	}

	/** The refusal page the browser ended on: its status and what it says. */
	function refusal(visits: Visit[]): { status: number; text: string } {
		const last = visits.at(-1)!;
		return { status: last.status, text: pageText(last.body) };
	}

	/** Who the browser is signed in as (null when it is not). */
	async function me(jar: CookieJar): Promise<{ id: string; email: string; name: string; teams: { id: string; personal: boolean }[] } | null> {
		const response = await fetch(`${server.url}/api/v1/me`, { headers: { cookie: jar.header(server.url) } });
		if (response.status === 401) return null;
		const body = await response.json();
		return { ...body.user, teams: body.teams };
	}

	function signedInAs(user: TestUser): CookieJar {
		const jar = new CookieJar();
		jar.set(server.url, sessionCookieName(false), user.token);
		return jar;
	}

	function githubUser(email: string, verifiedEmail = true): GitHubTestUser {
		return { id: githubIds++, login: `octo${githubIds}`, name: null, emails: [{ email, primary: true, verified: verifiedEmail }] };
	}

	it('a new person signs in with OIDC: an account with a verified address and a personal team, named from the profile', async () => {
		const email = uniqueEmail('newcomer');
		oidc.signInAs({ sub: `sub-${++subjects}`, email, email_verified: true, name: 'Nadia Newcomer' });
		const jar = new CookieJar();
		expect(landing(await signIn('oidc', jar))).toBe('/teams');
		const person = await me(jar);
		expect(person).toMatchObject({ email, name: 'Nadia Newcomer' });
		expect(person!.teams).toEqual([expect.objectContaining({ personal: true, name: "Nadia Newcomer's team", role: 'owner' })]);
		// The address counts as verified: its domain is one this person may verify for a team.
		const sso = await api(server.url, `/api/v1/teams/${person!.teams[0].id}/sso`, { headers: { cookie: jar.header(server.url) } });
		expect(sso.body.ownerEmail).toMatchObject({ address: email, verified: true });
		// What Easel asked for: the code flow with PKCE S256, a nonce and state.
		const asked = oidc.authorizations.at(-1)!;
		expect(asked.get('response_type')).toBe('code');
		expect(asked.get('code_challenge_method')).toBe('S256');
		expect(asked.get('nonce')).toBeTruthy();
		expect(asked.get('scope')).toBe('openid email profile');
		// Its session cookie is the usual HttpOnly one; the attempt's cookie is gone.
		expect(jar.get(server.url, 'easel_signin_oidc')).toBeUndefined();
	});

	it('a returning person signs in by subject, even when the provider now gives another address', async () => {
		const subject = `sub-${++subjects}`;
		oidc.signInAs({ sub: subject, email: uniqueEmail('first'), email_verified: true, name: 'Ret Urner' });
		const first = new CookieJar();
		landing(await signIn('oidc', first));
		const account = await me(first);
		oidc.signInAs({ sub: subject, email: uniqueEmail('changed'), email_verified: false, name: 'Ret Urner' });
		const again = new CookieJar();
		expect(landing(await signIn('oidc', again))).toBe('/teams');
		expect((await me(again))!.id).toBe(account!.id);
	});

	it('links by verified email to an existing verified account, and the password still works', async () => {
		const target = verified.linkTarget;
		oidc.signInAs({ sub: `sub-${++subjects}`, email: target.email.toUpperCase(), email_verified: true, name: 'Someone Else' });
		const jar = new CookieJar();
		expect(landing(await signIn('oidc', jar))).toBe('/teams');
		expect(await me(jar)).toMatchObject({ id: target.id, email: target.email });
		const password = await api(server.url, '/api/v1/auth/login', { body: { email: target.email, password: target.password } });
		expect(password.status).toBe(200);
	});

	it('refuses to link to an account whose address is not verified, with a page saying what to do', async () => {
		const unverified = await signUp(server.url, 'Unverified');
		oidc.signInAs({ sub: `sub-${++subjects}`, email: unverified.email, email_verified: true });
		const jar = new CookieJar();
		const page = refusal(await signIn('oidc', jar));
		expect(page.status).toBe(403);
		expect(page.text).toContain(
			'An Easel account with this email exists but its address is not verified. Sign in with your password and link Acme SSO from your account settings.'
		);
		expect(await me(jar)).toBeNull();
		// Nothing was linked: the same provider account is still refused.
		expect(refusal(await signIn('oidc', new CookieJar())).status).toBe(403);
	});

	it('refuses to create an account for an address the provider does not vouch for', async () => {
		oidc.signInAs({ sub: `sub-${++subjects}`, email: uniqueEmail('unvouched'), email_verified: false });
		const page = refusal(await signIn('oidc', new CookieJar()));
		expect(page.status).toBe(403);
		expect(page.text).toContain('Acme SSO did not confirm an email address for this account');
		oidc.signInAs({ sub: `sub-${++subjects}` });
		expect(refusal(await signIn('oidc', new CookieJar())).status).toBe(403);
	});

	it('never signs in to a deleted account', async () => {
		oidc.signInAs({ sub: deletedSubject, email: uniqueEmail('gone-again'), email_verified: true });
		const jar = new CookieJar();
		const page = refusal(await signIn('oidc', jar));
		expect(page.status).toBe(403);
		expect(page.text).toContain('was deleted');
		expect(await me(jar)).toBeNull();
	});

	it('refuses an answer whose state is not the one this browser started with', async () => {
		oidc.signInAs({ sub: `sub-${++subjects}`, email: uniqueEmail('state'), email_verified: true });
		const jar = new CookieJar();
		const callback = new URL(await untilCallback('oidc', jar));
		callback.searchParams.set('state', 'forged-state-value');
		const page = await visit(jar, callback.href);
		expect(page.status).toBe(400);
		expect(pageText(page.body)).toContain('does not belong to the sign-in you started in this browser');
		expect(await me(jar)).toBeNull();
	});

	it("refuses someone else's answer in a browser that started no sign-in (login CSRF)", async () => {
		oidc.signInAs({ sub: `sub-${++subjects}`, email: uniqueEmail('attacker'), email_verified: true });
		const callback = await untilCallback('oidc', new CookieJar());
		const victim = new CookieJar();
		const page = await visit(victim, callback);
		expect(page.status).toBe(400);
		expect(pageText(page.body)).toContain('expired or was started in another browser');
		expect(await me(victim)).toBeNull();
	});

	it('refuses an id_token minted with another nonce', async () => {
		oidc.signInAs({ sub: `sub-${++subjects}`, email: uniqueEmail('nonce'), email_verified: true });
		oidc.tamperNextIdToken((payload) => (payload.nonce = 'a-nonce-from-another-sign-in'));
		const jar = new CookieJar();
		const page = refusal(await signIn('oidc', jar));
		expect(page.status).toBe(401);
		expect(page.text).toContain('The answer from Acme SSO could not be verified');
		expect(await me(jar)).toBeNull();
	});

	it('refuses a code redeemed before (a replayed callback)', async () => {
		oidc.signInAs({ sub: `sub-${++subjects}`, email: uniqueEmail('replay'), email_verified: true });
		const jar = new CookieJar();
		const callback = await untilCallback('oidc', jar);
		// Another browser holding a copy of the same attempt's cookie replays the callback after the first used it.
		const thief = jar.clone();
		expect((await visit(jar, callback)).status).toBe(303);
		const replay = await visit(thief, callback);
		expect(replay.status).toBe(401);
		expect(await me(thief)).toBeNull();
	});

	it.each([
		['another issuer', (payload: Record<string, unknown>) => (payload.iss = 'https://evil.example')],
		['another audience', (payload: Record<string, unknown>) => (payload.aud = 'some-other-client')],
		['an expired token', (payload: Record<string, unknown>) => (payload.exp = Math.floor(Date.now() / 1000) - 3600)]
	])('refuses an id_token with %s', async (_, tamper) => {
		oidc.signInAs({ sub: `sub-${++subjects}`, email: uniqueEmail('claims'), email_verified: true });
		oidc.tamperNextIdToken(tamper);
		const jar = new CookieJar();
		expect(refusal(await signIn('oidc', jar)).status).toBe(401);
		expect(await me(jar)).toBeNull();
	});

	it('refuses an id_token whose claims were changed after it was signed (the signature is checked against the JWKS)', async () => {
		const victim = verified.linkTarget.email;
		oidc.signInAs({ sub: `sub-${++subjects}`, email: uniqueEmail('forger'), email_verified: true });
		oidc.forgeNextIdToken((payload) => (payload.email = victim));
		const jar = new CookieJar();
		expect(refusal(await signIn('oidc', jar)).status).toBe(401);
		expect(await me(jar)).toBeNull();
	});

	it('GitHub: a new account from the verified primary address; an unverified primary address is refused', async () => {
		const email = uniqueEmail('octo');
		github.signInAs({ ...githubUser(email), name: 'Mona Lisa' });
		const jar = new CookieJar();
		expect(landing(await signIn('github', jar))).toBe('/teams');
		expect(await me(jar)).toMatchObject({ email, name: 'Mona Lisa' });

		github.signInAs(githubUser(uniqueEmail('unverified-octo'), false));
		const refused = new CookieJar();
		const page = refusal(await signIn('github', refused));
		expect(page.status).toBe(403);
		expect(page.text).toContain('GitHub did not confirm an email address for this account');
		expect(page.text).toContain('your primary address must be a verified one');
		expect(await me(refused)).toBeNull();
	});

	it("GitHub: a profile name that is not a valid user name falls back to the address's name", async () => {
		const email = uniqueEmail('odd');
		github.signInAs({ ...githubUser(email), name: 'Evil\u202Ename' });
		const jar = new CookieJar();
		landing(await signIn('github', jar));
		expect((await me(jar))!.name).toBe(email.split('@')[0]);
	});

	it('links GitHub from a signed-in account (another address is fine), then signs in with it', async () => {
		const linker = verified.linker;
		const githubAccount = githubUser(uniqueEmail('linker-at-github'));
		github.signInAs(githubAccount);
		expect(landing(await signIn('github', signedInAs(linker), 'intent=link&next=/teams'))).toBe('/teams');
		const later = new CookieJar();
		expect(landing(await signIn('github', later))).toBe('/teams');
		expect((await me(later))!.id).toBe(linker.id);
	});

	it('refuses linking for an unverified account, and linking a GitHub account that is linked to someone else', async () => {
		const unverified = await signUp(server.url, 'Unlinked');
		github.signInAs(githubUser(uniqueEmail('u-at-github')));
		const page = refusal(await signIn('github', signedInAs(unverified), 'intent=link'));
		expect(page.status).toBe(403);
		expect(page.text).toContain('Unverified accounts cannot be linked to providers');

		const taken = githubUser(uniqueEmail('taken-at-github'));
		github.signInAs(taken);
		landing(await signIn('github', signedInAs(verified.linkTarget), 'intent=link&next=/teams'));
		github.signInAs(taken);
		const elsewhere = refusal(await signIn('github', signedInAs(verified.otherLinker), 'intent=link'));
		expect(elsewhere.status).toBe(409);
		expect(elsewhere.text).toContain('This GitHub account is already linked to another Easel account');
	});

	it('linking needs a signed-in person: a signed-out browser is sent to sign in first', async () => {
		const start = await visit(new CookieJar(), `${server.url}/auth/github?intent=link`);
		expect(start.status).toBe(303);
		expect(new URL(start.location!).pathname).toBe('/login');
	});

	it('Google: a new account from the id_token, its nonce checked', async () => {
		const email = uniqueEmail('gmail-like');
		google.signInAs({ sub: `google-${++subjects}`, email, email_verified: true, name: 'Gee Oogle' });
		const jar = new CookieJar();
		expect(landing(await signIn('google', jar))).toBe('/teams');
		expect(await me(jar)).toMatchObject({ email, name: 'Gee Oogle' });
		expect(google.authorizations.at(-1)!.get('code_challenge_method')).toBe('S256');

		google.signInAs({ sub: `google-${++subjects}`, email: uniqueEmail('g-nonce'), email_verified: true });
		google.tamperNextIdToken((payload) => (payload.nonce = 'another'));
		expect(refusal(await signIn('google', new CookieJar())).status).toBe(401);
	});

	it('a provider that is not configured is not found', async () => {
		const page = await visit(new CookieJar(), `${server.url}/auth/gitlab`);
		expect(page.status).toBe(404);
		expect(pageText(page.body)).toContain('This way of signing in is not set up on this server.');
	});

	it('the sign-in and sign-up pages offer every configured provider', async () => {
		for (const path of ['/login', '/signup?next=/teams']) {
			const text = pageText(await (await fetch(`${server.url}${path}`)).text());
			expect(text).toContain('Continue with Acme SSO');
			expect(text).toContain('Continue with GitHub');
			expect(text).toContain('Continue with Google');
		}
	});

	describeTeamSso();

	function describeTeamSso() {
		let teamId: string;

		it('an owner claims their own domain: verified at once; public mail services are refused', async () => {
			const owner = verified.ssoOwner;
			teamId = (await api(server.url, '/api/v1/teams', { token: owner.token, body: { name: 'Acme' } })).body.id;
			const webmail = await api(server.url, `/api/v1/teams/${teamId}/sso`, { method: 'PUT', token: owner.token, body: { required: false, domains: ['gmail.com'] } });
			expect(webmail.status).toBe(400);
			expect(webmail.body.error.message).toContain('Public email services');
			const saved = await api(server.url, `/api/v1/teams/${teamId}/sso`, { method: 'PUT', token: owner.token, body: { required: true, domains: [SSO_DOMAIN] } });
			expect(saved.status).toBe(200);
			expect(saved.body).toMatchObject({ available: true, required: true, domains: [{ domain: SSO_DOMAIN, verifiedByName: 'Olga' }] });
			expect(saved.body.domains[0].verifiedAt).toBeTruthy();
		});

		it("a domain not on the owner's own verified address waits, and cannot make SSO required", async () => {
			const owner = verified.ssoOwner;
			const other = (await api(server.url, '/api/v1/teams', { token: owner.token, body: { name: 'Other corp' } })).body.id;
			const pending = await api(server.url, `/api/v1/teams/${other}/sso`, { method: 'PUT', token: owner.token, body: { required: false, domains: ['other-corp.test'] } });
			expect(pending.body.domains).toEqual([expect.objectContaining({ domain: 'other-corp.test', verifiedAt: null })]);
			const required = await api(server.url, `/api/v1/teams/${other}/sso`, { method: 'PUT', token: owner.token, body: { required: true, domains: ['other-corp.test'] } });
			expect(required.status).toBe(409);
			expect(required.body.error.message).toContain('Verify at least one domain first');
			// An owner whose address is on the domain but not verified cannot verify it either.
			const unverified = await signUpAs('Ulla', uniqueEmail('ulla').replace(/@.*/, '@unverified-corp.test'));
			const theirs = (await api(server.url, '/api/v1/teams', { token: unverified.token, body: { name: 'Unverified corp' } })).body.id;
			const own = await api(server.url, `/api/v1/teams/${theirs}/sso`, {
				method: 'PUT',
				token: unverified.token,
				body: { required: false, domains: ['unverified-corp.test'] }
			});
			expect(own.body.domains[0].verifiedAt).toBeNull();
			// Only owners see or change it.
			const member = await api(server.url, `/api/v1/teams/${teamId}/sso`, { token: verified.linker.token });
			expect(member.status).toBe(404);
		});

		it('an unverified person cannot accept an invitation into a team that requires SSO; a verified one can', async () => {
			const owner = verified.ssoOwner;
			const invitation = await api(server.url, `/api/v1/teams/${teamId}/invitations`, { token: owner.token, body: { role: 'editor', maxUses: 5 } });
			const unverified = await signUp(server.url, 'Newbie');
			const refused = await api(server.url, `/api/v1/invitations/${invitation.body.token}/accept`, { method: 'POST', token: unverified.token });
			expect(refused.status).toBe(403);
			expect(refused.body.error.message).toContain('your email address is not verified yet');
			const accepted = await api(server.url, `/api/v1/invitations/${invitation.body.token}/accept`, { method: 'POST', token: verified.ssoMember.token });
			expect(accepted.status).toBe(200);
			// The refused attempt did not use up a place.
			const pending = await api(server.url, `/api/v1/teams/${teamId}/invitations`, { token: owner.token });
			expect(pending.body.invitations[0].uses).toBe(1);
		});

		it('a member on the domain: the right password is refused with SSO_REQUIRED (API) and sent to SSO (form); a wrong one says nothing more', async () => {
			const member = verified.ssoMember;
			const byApi = await api(server.url, '/api/v1/auth/login', { body: { email: member.email, password: member.password } });
			expect(byApi.status).toBe(403);
			expect(byApi.body.error.code).toBe('SSO_REQUIRED');
			expect(byApi.body.error.message).toContain(`Acme requires single sign-on for @${SSO_DOMAIN} addresses`);
			expect(byApi.body.error.details.ssoUrl).toBe(`${server.url}/auth/oidc?login_hint=${encodeURIComponent(member.email)}`);

			const wrong = await api(server.url, '/api/v1/auth/login', { body: { email: member.email, password: 'not the password' } });
			expect(wrong.status).toBe(401);
			expect(wrong.body.error.message).toBe('Email or password is incorrect.');

			const form = await fetch(`${server.url}/login?next=/teams`, {
				method: 'POST',
				headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html', origin: server.url },
				body: new URLSearchParams({ email: member.email, password: member.password }),
				redirect: 'manual'
			});
			expect(form.status).toBe(303);
			const location = new URL(form.headers.get('location')!, server.url);
			expect(location.pathname).toBe('/auth/oidc');
			expect(location.searchParams.get('login_hint')).toBe(member.email);
			expect(location.searchParams.get('next')).toBe('/teams');
			expect(form.headers.getSetCookie().some((cookie) => cookie.startsWith(`${sessionCookieName(false)}=`))).toBe(false);
		});

		it('a member on the domain signs in with OIDC (linked by the verified address), the hint passed on', async () => {
			const member = verified.ssoMember;
			oidc.signInAs({ sub: `acme-${++subjects}`, email: member.email, email_verified: true, name: 'Max' });
			const jar = new CookieJar();
			expect(landing(await navigate(jar, `${server.url}/auth/oidc?login_hint=${encodeURIComponent(member.email)}&next=/teams`))).toBe('/teams');
			expect((await me(jar))!.id).toBe(member.id);
			expect(oidc.authorizations.at(-1)!.get('login_hint')).toBe(member.email);
		});

		it('a member on the domain is refused with GitHub too, and offered single sign-on', async () => {
			const member = verified.ssoMember;
			github.signInAs(githubUser(uniqueEmail('max-at-github')));
			// Linked while signed in (their session from before SSO was required still works).
			landing(await signIn('github', signedInAs(member), 'intent=link&next=/teams'));
			const jar = new CookieJar();
			const visits = await signIn('github', jar);
			const page = refusal(visits);
			expect(page.status).toBe(403);
			expect(page.text).toContain('Single sign-on required');
			expect(page.text).toContain('you cannot sign in with GitHub');
			expect(visits.at(-1)!.body).toContain(`href="/auth/oidc?login_hint=${encodeURIComponent(member.email)}"`);
			expect(await me(jar)).toBeNull();
		});

		it('people who are not members, and members off the domain, sign in with a password as before', async () => {
			const outsider = await signUpAs('Oscar', uniqueEmail('oscar').replace(/@.*/, `@${SSO_DOMAIN}`));
			expect((await api(server.url, '/api/v1/auth/login', { body: { email: outsider.email, password: outsider.password } })).status).toBe(200);
			const offDomain = verified.invitee;
			const invitation = await api(server.url, `/api/v1/teams/${teamId}/invitations`, { token: verified.ssoOwner.token, body: { role: 'viewer' } });
			expect((await api(server.url, `/api/v1/invitations/${invitation.body.token}/accept`, { method: 'POST', token: offDomain.token })).status).toBe(200);
			expect((await api(server.url, '/api/v1/auth/login', { body: { email: offDomain.email, password: offDomain.password } })).status).toBe(200);
		});

		it('a member on the domain who resets their password is sent to SSO, not signed in', async () => {
			const member = verified.ssoMember;
			let token = '';
			await changeDatabase(async (db) => {
				({ token } = await accountTokens.issue(db, { userId: member.id, purpose: 'password_reset', email: member.email, lifetimeMs: 60 * 60_000, supersedes: 'all' }));
			});
			const reset = await fetch(`${server.url}/reset-password/${token}`, {
				method: 'POST',
				headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html', origin: server.url },
				body: new URLSearchParams({ password: member.password, confirmPassword: member.password }),
				redirect: 'manual'
			});
			expect(reset.status).toBe(303);
			expect(new URL(reset.headers.get('location')!, server.url).pathname).toBe('/auth/oidc');
			expect(reset.headers.getSetCookie().some((cookie) => cookie.startsWith(`${sessionCookieName(false)}=`))).toBe(false);
		});

		it('the last verified domain cannot be given up while SSO is required; turning it off lets passwords in again', async () => {
			const owner = verified.ssoOwner;
			const removal = await api(server.url, `/api/v1/teams/${teamId}/sso`, { method: 'PUT', token: owner.token, body: { required: true, domains: [] } });
			expect(removal.status).toBe(409);
			const off = await api(server.url, `/api/v1/teams/${teamId}/sso`, { method: 'PUT', token: owner.token, body: { required: false, domains: [SSO_DOMAIN] } });
			expect(off.body.required).toBe(false);
			const member = verified.ssoMember;
			expect((await api(server.url, '/api/v1/auth/login', { body: { email: member.email, password: member.password } })).status).toBe(200);
		});
	}
});
