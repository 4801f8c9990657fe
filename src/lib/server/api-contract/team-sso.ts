// The contract of team single sign-on: a team's claimed email domains and whether members with
// addresses on the verified ones must sign in through the OIDC provider.
import { z } from 'zod';
import { saveSsoSettingsSchema } from '../auth/team-sso.ts';
import { teamParams } from './teams.ts';
import { isoDateTime, type ApiOperation } from './operation.ts';

const ssoSettingsSchema = z
	.object({
		available: z.boolean().meta({ description: 'Whether single sign-on is set up on this server (OIDC); without it nothing is required of anyone.' }),
		providerName: z.string().meta({ description: 'What the sign-in page calls the OIDC provider.' }),
		required: z.boolean().meta({ description: 'Members with an address on a verified domain must sign in with single sign-on.' }),
		domains: z.array(
			z.object({
				domain: z.string(),
				verifiedAt: isoDateTime().nullable().meta({ description: 'null until an owner whose own verified address is on the domain has confirmed it.' }),
				verifiedByName: z.string().nullable()
			})
		),
		ownerEmail: z
			.object({ address: z.string(), domain: z.string(), verified: z.boolean() })
			.meta({ description: "The caller's own address: a domain is verified when it is on it and verified." })
	})
	.meta({ id: 'TeamSsoSettings' });

export const teamSsoOperations: ApiOperation[] = [
	{
		method: 'get',
		path: '/api/v1/teams/{teamId}/sso',
		operationId: 'getTeamSso',
		tag: 'Teams',
		summary: "A team's single sign-on settings",
		description: 'Owners only.',
		auth: 'person',
		params: teamParams,
		responses: { 200: { description: 'The settings.', schema: ssoSettingsSchema } }
	},
	{
		method: 'put',
		path: '/api/v1/teams/{teamId}/sso',
		operationId: 'saveTeamSso',
		tag: 'Teams',
		summary: "Replace a team's single sign-on settings",
		description:
			"Owners only. Domains not listed are given up; new ones are claimed, and verified at once when the caller's own verified address is on them (waiting ones likewise). Public email services (gmail.com, outlook.com…) are refused. `required` needs single sign-on set up on the server and at least one verified domain. One change: a refusal changes nothing.",
		auth: 'person',
		params: teamParams,
		body: { type: 'json', schema: saveSsoSettingsSchema },
		responses: { 200: { description: 'The settings now.', schema: ssoSettingsSchema } },
		errors: ['CONFLICT']
	}
];
