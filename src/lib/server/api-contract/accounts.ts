// The contract of signing up, in and out, and `GET /api/v1/me`.
import { z } from 'zod';
import { signInSchema, signUpSchema } from '../accounts.ts';
import { ROLES } from '../db/schema.ts';
import { accountSchema } from './account-settings.ts';
import { isoDateTime, type ApiOperation } from './operation.ts';

export const userSchema = z.object({ id: z.uuid(), email: z.string(), name: z.string() }).meta({ id: 'User', description: 'A person with an account.' });

export const teamSummarySchema = z
	.object({
		id: z.uuid(),
		name: z.string(),
		personal: z.boolean().meta({ description: "The member's own team, made with the account; it cannot be left or deleted." }),
		role: z.enum(ROLES).meta({ description: "The caller's role in the team." })
	})
	.meta({ id: 'Team', description: 'A team as one of its members sees it.' });

const sessionSchema = z
	.object({
		user: userSchema,
		token: z.string().meta({ description: 'The session token, for `Authorization: Bearer <token>`.' }),
		expiresAt: isoDateTime()
	})
	.meta({ id: 'Session' });

export const accountOperations: ApiOperation[] = [
	{
		method: 'post',
		path: '/api/v1/auth/signup',
		operationId: 'signUp',
		tag: 'Accounts',
		summary: 'Create an account',
		description: 'Creates an account (and its personal team) and returns a session token for `Authorization: Bearer`.',
		auth: 'public',
		body: { type: 'json', schema: signUpSchema },
		responses: {
			201: {
				description: 'The account, its personal team and a session token.',
				schema: sessionSchema.extend({ personalTeamId: z.uuid() }).meta({ id: 'SignUpResult' })
			}
		},
		errors: ['CONFLICT']
	},
	{
		method: 'post',
		path: '/api/v1/auth/login',
		operationId: 'signIn',
		tag: 'Accounts',
		summary: 'Sign in',
		description:
			"Exchanges email and password for a session token. Repeated failures are throttled per address and account. When the person's team requires single sign-on for their address, a right password answers 403 `SSO_REQUIRED` with the URL that starts it in `details.ssoUrl`.",
		auth: 'public',
		body: { type: 'json', schema: signInSchema },
		responses: { 200: { description: 'The person and a session token.', schema: sessionSchema } },
		errors: ['SSO_REQUIRED']
	},
	{
		method: 'post',
		path: '/api/v1/auth/logout',
		operationId: 'signOut',
		tag: 'Accounts',
		summary: 'Sign out',
		description: 'Ends the calling session and closes the sockets it opened.',
		auth: 'person',
		responses: { 204: { description: 'Signed out.' } }
	},
	{
		method: 'get',
		path: '/api/v1/me',
		operationId: 'getMe',
		tag: 'Accounts',
		summary: 'The signed-in person and their teams',
		auth: 'person',
		responses: {
			200: {
				description: 'The person (with their account settings), and their teams (personal team first).',
				schema: z.object({ user: accountSchema, teams: z.array(teamSummarySchema) }).meta({ id: 'Me' })
			}
		}
	},
	{
		method: 'get',
		path: '/api/v1/openapi.json',
		operationId: 'getOpenApiDocument',
		tag: 'Meta',
		summary: 'This OpenAPI 3.1 document',
		description: 'Generated from the zod schemas that validate the requests. Revalidate with `If-None-Match`.',
		auth: 'public',
		responses: {
			200: { description: 'The OpenAPI document.', schema: z.record(z.string(), z.unknown()) },
			304: { description: 'Unchanged since the ETag sent in `If-None-Match`.' }
		}
	}
];
