// The contract of a person's own account settings: profile, password, sessions, linked providers,
// deleting the account. Every one is for the person themselves: an API key is refused.
import { z } from 'zod';
import { changePasswordSchema, deleteAccountSchema, updateProfileSchema } from '../account-settings/index.ts';
import { IDENTITY_PROVIDERS, SESSION_METHODS } from '../db/schema.ts';
import { isoDateTime, type ApiOperation } from './operation.ts';

export const accountSchema = z
	.object({
		id: z.uuid(),
		email: z.string(),
		name: z.string(),
		emailVerified: z.boolean().meta({ description: 'Whether the owner proved the address is theirs.' }),
		avatarColor: z.string().meta({ description: 'The colour of their avatar and cursor (CSS hex): the one they chose, or the one derived from their id.' }),
		avatarColorChosen: z.boolean().meta({ description: 'False while avatarColor is the default derived from the id.' }),
		hasPassword: z.boolean().meta({ description: 'False for an account made through a sign-in provider that has not set a password yet.' })
	})
	.meta({ id: 'Account', description: 'The signed-in person, as they see their own account.' });

const sessionParams = z.object({ id: z.string().meta({ description: "The session's id from `GET /api/v1/me/sessions`." }) });
const linkedAccountParams = z.object({ id: z.uuid().meta({ description: "The linked account's id from `GET /api/v1/me/providers`." }) });

const accountSessionSchema = z
	.object({
		id: z.string().meta({ description: 'An opaque id for this session (not its token, nor what the server stores).' }),
		current: z.boolean().meta({ description: 'The session this request came with.' }),
		method: z.enum(SESSION_METHODS).meta({ description: 'How it signed in: a password, a password reset, or a provider.' }),
		device: z.string().meta({ description: 'The browser and system it signed in from, e.g. "Chrome on macOS".' }),
		ip: z.string().nullable().meta({ description: 'The address it signed in from.' }),
		createdAt: isoDateTime(),
		lastActiveAt: isoDateTime().nullable(),
		expiresAt: isoDateTime()
	})
	.meta({ id: 'AccountSession' });

const providerLinkSchema = z
	.object({
		provider: z.enum(IDENTITY_PROVIDERS),
		name: z.string().meta({ description: '"GitHub", "Google", or what the operator calls the OIDC provider.' }),
		configured: z.boolean().meta({ description: 'Offered on this instance; a provider turned off since linking can still be unlinked.' }),
		linkUrl: z.string().nullable().meta({ description: 'Where a browser goes to link it (null when not configured).' }),
		accounts: z.array(
			z.object({
				id: z.uuid(),
				email: z.string().nullable().meta({ description: 'The address the provider vouched for when it was linked.' }),
				linkedAt: isoDateTime(),
				lastUsedAt: isoDateTime().nullable(),
				unlinkRefusal: z.string().nullable().meta({ description: 'Why unlinking is refused (the last way to sign in), or null.' })
			})
		)
	})
	.meta({ id: 'ProviderLink' });

export const accountSettingsOperations: ApiOperation[] = [
	{
		method: 'patch',
		path: '/api/v1/me',
		operationId: 'updateAccount',
		tag: 'Accounts',
		summary: 'Change your name or avatar colour',
		description: 'The name follows the rules of sign-up names; the avatar colour is one of the palette (any case), or null for the default derived from the id.',
		auth: 'person',
		body: { type: 'json', schema: updateProfileSchema },
		responses: { 200: { description: 'The account as it now is.', schema: z.object({ user: accountSchema }).meta({ id: 'AccountResult' }) } }
	},
	{
		method: 'delete',
		path: '/api/v1/me',
		operationId: 'deleteAccount',
		tag: 'Accounts',
		summary: 'Delete your account',
		description:
			'Type the account email in `confirmEmail`, and send the password when the account has one (without one, the session must be a sign-in from the last 15 minutes). ' +
			'Refused with 409 (`details.teams`) while you are the only owner of a team with other members. Deletes your memberships, sessions, linked providers, ' +
			'your personal team and the teams nobody else belongs to, with their canvases; what you made in other teams reads "Deleted user".',
		auth: 'person',
		body: { type: 'json', schema: deleteAccountSchema },
		responses: { 204: { description: 'Deleted; every session is signed out.' } },
		errors: ['CONFLICT']
	},
	{
		method: 'post',
		path: '/api/v1/me/password',
		operationId: 'changePassword',
		tag: 'Accounts',
		summary: 'Change or set your password',
		description:
			'With a password, `currentPassword` is required. An account made through a provider sets its first one without it, within 15 minutes of signing in. ' +
			'Every other session is signed out and its sockets closed; this one stays.',
		auth: 'person',
		body: { type: 'json', schema: changePasswordSchema },
		responses: { 204: { description: 'Changed.' } }
	},
	{
		method: 'get',
		path: '/api/v1/me/sessions',
		operationId: 'listAccountSessions',
		tag: 'Accounts',
		summary: 'Your signed-in sessions',
		auth: 'person',
		responses: {
			200: {
				description: 'The current session first, then by last activity.',
				schema: z.object({ sessions: z.array(accountSessionSchema) }).meta({ id: 'AccountSessionList' })
			}
		}
	},
	{
		method: 'delete',
		path: '/api/v1/me/sessions',
		operationId: 'endOtherSessions',
		tag: 'Accounts',
		summary: 'Sign out every other session',
		description: 'Ends every session but this one and closes their sockets at once.',
		auth: 'person',
		responses: { 204: { description: 'Signed out.' } }
	},
	{
		method: 'delete',
		path: '/api/v1/me/sessions/{id}',
		operationId: 'endSession',
		tag: 'Accounts',
		summary: 'Sign out one session',
		description: 'Ends the session (this one too, if named) and closes its sockets at once.',
		auth: 'person',
		params: sessionParams,
		responses: { 204: { description: 'Signed out.' } }
	},
	{
		method: 'get',
		path: '/api/v1/me/providers',
		operationId: 'listLinkedProviders',
		tag: 'Accounts',
		summary: 'Sign-in providers and your links to them',
		auth: 'person',
		responses: {
			200: {
				description: 'Each configured provider (and any linked one no longer configured), with the linked accounts.',
				schema: z
					.object({
						providers: z.array(providerLinkSchema),
						linkRefusal: z.string().nullable().meta({ description: 'Why linking is refused (an unverified email), or null.' })
					})
					.meta({ id: 'LinkedProviders' })
			}
		}
	},
	{
		method: 'delete',
		path: '/api/v1/me/providers/{id}',
		operationId: 'unlinkProvider',
		tag: 'Accounts',
		summary: 'Unlink a sign-in provider',
		description: 'Refused with 409 when it is the last way to sign in (no password and no other linked provider).',
		auth: 'person',
		params: linkedAccountParams,
		responses: { 204: { description: 'Unlinked.' } },
		errors: ['CONFLICT']
	}
];
