// The sign-in providers this server is configured with (OIDC, GitHub, Google): where to send someone
// to sign in, and — from the provider's answer at our callback — who they verifiably are.
import { generateCodeVerifier, generateState } from 'arctic';
import type { Config } from '../config.ts';
import { IDENTITY_PROVIDERS, type IdentityProvider } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import * as github from './identity-providers/github.ts';
import * as google from './identity-providers/google.ts';
import * as oidc from './identity-providers/oidc.ts';
import { tamperedCallback, type ProviderChecks, type ProviderContext, type VerifiedIdentity } from './identity-providers/provider-context.ts';

export type { IdentityProvider, ProviderChecks, VerifiedIdentity };

export function newChecks(): ProviderChecks {
	return { state: generateState(), codeVerifier: generateCodeVerifier(), nonce: generateState() };
}

export function isIdentityProvider(value: string): value is IdentityProvider {
	return (IDENTITY_PROVIDERS as readonly string[]).includes(value);
}

/** The configured provider `name` stands for, or NOT_FOUND (an unknown or unconfigured one looks the same). */
export function configuredProvider(config: Config, name: string): IdentityProvider {
	if (isIdentityProvider(name) && config.identityProviders.includes(name)) return name;
	throw new AppError('NOT_FOUND', 'This way of signing in is not set up on this server.');
}

/** What buttons and messages call a provider: GitHub, Google, or OIDC_NAME. */
export function providerLabel(config: Pick<Config, 'OIDC_NAME'>, provider: IdentityProvider): string {
	return provider === 'github' ? 'GitHub' : provider === 'google' ? 'Google' : config.OIDC_NAME;
}

/** The configured providers, in the order the sign-in page offers them, with their button labels. */
export function signInProviders(config: Config): { provider: IdentityProvider; label: string }[] {
	return config.identityProviders.map((provider) => ({ provider, label: providerLabel(config, provider) }));
}

/** The callback the provider sends people back to; register exactly this URL with the provider. */
export function callbackUrl(config: Pick<Config, 'publicOrigin'>, provider: IdentityProvider): string {
	return `${config.publicOrigin}/auth/${provider}/callback`;
}

function contextOf(config: Config, provider: IdentityProvider): ProviderContext {
	return { config, label: providerLabel(config, provider), redirectUri: callbackUrl(config, provider) };
}

/** Where to send the browser to sign in at `provider`; `loginHint` pre-fills the address where the provider supports it. */
export async function authorizationUrl(config: Config, provider: IdentityProvider, checks: ProviderChecks, options: { loginHint?: string } = {}): Promise<URL> {
	const context = contextOf(config, provider);
	try {
		switch (provider) {
			case 'oidc':
				return await oidc.authorizationUrl(context, checks, options);
			case 'github':
				return github.authorizationUrl(context, checks);
			case 'google':
				return google.authorizationUrl(context, checks, options);
		}
	} catch (error) {
		throw providerFailure(context.label, error);
	}
}

/**
 * Finishes a sign-in at our callback (`callbackUrl`: the full URL the provider redirected to, with
 * its query): checks state, redeems the code with the PKCE verifier, verifies the id_token (OIDC:
 * signature, issuer, audience, expiry, nonce) and returns who the provider says this is. Every
 * refusal is an AppError whose message a person can act on; its `cause` is the library's error.
 */
export async function verifiedIdentity(config: Config, provider: IdentityProvider, callback: URL, checks: ProviderChecks): Promise<VerifiedIdentity> {
	const context = contextOf(config, provider);
	// The state first: an answer meant for another browser's attempt is refused before anything else is read.
	if (callback.searchParams.get('state') !== checks.state) throw tamperedCallback(context.label);
	refuseProviderError(context.label, callback);
	try {
		switch (provider) {
			case 'oidc':
				return await oidc.verifiedIdentity(context, callback, checks);
			case 'github':
				return await github.verifiedIdentity(context, callback, checks);
			case 'google':
				return await google.verifiedIdentity(context, callback, checks);
		}
	} catch (error) {
		throw providerFailure(context.label, error);
	}
}

/** The provider said no (`?error=` at the callback): the person cancelled, or the provider refused. */
function refuseProviderError(label: string, callback: URL): void {
	const error = callback.searchParams.get('error');
	if (!error) return;
	if (error === 'access_denied') throw new AppError('FORBIDDEN', `Signing in with ${label} was cancelled. Nothing was changed; you can try again.`);
	const description = callback.searchParams.get('error_description')?.slice(0, 200);
	throw new AppError('FORBIDDEN', `${label} did not sign you in (${description || error}). Try again, or ask whoever runs ${label} for your organisation.`);
}

/** Any failure of the exchange as an AppError: ours pass through, a provider out of reach is UNAVAILABLE, anything else unverifiable. */
function providerFailure(label: string, error: unknown): AppError {
	if (error instanceof AppError) return error;
	const unreachable = isNetworkFailure(error);
	const failure = unreachable
		? new AppError('UNAVAILABLE', `${label} could not be reached. Try again in a moment.`)
		: new AppError('UNAUTHENTICATED', `The answer from ${label} could not be verified, so you were not signed in. Start again from the sign-in page.`);
	failure.cause = error;
	return failure;
}

function isNetworkFailure(error: unknown): boolean {
	for (let current = error as { name?: string; code?: string; cause?: unknown } | undefined; current; current = current.cause as typeof current) {
		if (current.name === 'ArcticFetchError' || current.name === 'TimeoutError' || current.code === 'ECONNREFUSED' || current.code === 'ENOTFOUND') return true;
		if (current.name === 'TypeError' && (current as Error).message === 'fetch failed') return true;
	}
	return false;
}
