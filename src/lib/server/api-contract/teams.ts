// The contract of teams: creating, renaming and deleting them, members, invitations and the audit log.
import { z } from 'zod';
import { changeRoleRequestSchema, teamNameRequestSchema, transferOwnershipRequestSchema } from '../teams.ts';
import { createInvitationSchema } from '../invitations.ts';
import { AUDIT_ACTOR_KINDS, ROLES } from '../db/schema.ts';
import { pageSchema } from '../paging.ts';
import { teamSummarySchema } from './accounts.ts';
import { isoDateTime, type ApiOperation } from './operation.ts';

export const teamParams = z.object({ teamId: z.uuid().meta({ description: 'The team id.' }) });
const memberParams = teamParams.extend({ userId: z.uuid().meta({ description: "The member's user id." }) });
const invitationParams = z.object({
	key: z.string().meta({ description: "The invitation's id (to revoke it) or its token (to accept it)." })
});

const teamDetailSchema = teamSummarySchema
	.extend({
		role: z.enum(ROLES).nullable().meta({ description: "The caller's role in the team; null for an API key (a key is not a member)." }),
		memberCount: z.number().int()
	})
	.meta({ id: 'TeamDetail' });

export const memberSchema = z
	.object({
		userId: z.uuid(),
		name: z.string(),
		email: z.string(),
		avatarColor: z.string().meta({ description: 'The colour of their avatar and cursor (CSS hex): the one they chose, or the one derived from their id.' }),
		role: z.enum(ROLES),
		joinedAt: isoDateTime().nullable(),
		lastActiveAt: isoDateTime().nullable()
	})
	.meta({ id: 'Member', description: 'A member of a team.' });

export const invitationSchema = z
	.object({
		id: z.uuid(),
		teamId: z.uuid(),
		role: z.enum(ROLES),
		email: z.string().nullable().meta({ description: 'Who it was emailed to; null for a link to hand out.' }),
		createdBy: z.uuid().nullable(),
		createdByName: z.string().nullable(),
		expiresAt: isoDateTime().nullable(),
		maxUses: z.number().int().nullable(),
		uses: z.number().int(),
		createdAt: isoDateTime().nullable(),
		token: z.string().optional().meta({ description: 'The secret, in the answer that creates it only.' }),
		url: z.string().optional().meta({ description: 'The link to give out, in the answer that creates it only.' })
	})
	.meta({ id: 'Invitation' });

export const auditEntrySchema = z
	.object({
		id: z.number().int(),
		action: z.string(),
		targetType: z.string(),
		targetId: z.string().nullable(),
		details: z.record(z.string(), z.unknown()).nullable(),
		ip: z.string().nullable(),
		createdAt: isoDateTime().nullable(),
		actorKind: z.enum(AUDIT_ACTOR_KINDS),
		actorId: z.uuid().nullable().meta({ description: 'The person, when the actor is one.' }),
		actorRef: z.string().nullable().meta({ description: "The API key's id, the assistant run's id or the system's reason." }),
		actorName: z.string().nullable(),
		targetName: z.string().nullable()
	})
	.meta({ id: 'AuditEntry' });

export const teamOperations: ApiOperation[] = [
	{
		method: 'get',
		path: '/api/v1/teams',
		operationId: 'listTeams',
		tag: 'Teams',
		summary: "The caller's teams",
		auth: 'person',
		responses: { 200: { description: 'Personal team first.', schema: z.object({ teams: z.array(teamSummarySchema) }).meta({ id: 'TeamList' }) } }
	},
	{
		method: 'post',
		path: '/api/v1/teams',
		operationId: 'createTeam',
		tag: 'Teams',
		summary: 'Create a team',
		description: 'The caller becomes its owner.',
		auth: 'person',
		body: { type: 'json', schema: teamNameRequestSchema },
		responses: { 201: { description: 'The team.', schema: teamSummarySchema } }
	},
	{
		method: 'get',
		path: '/api/v1/teams/{teamId}',
		operationId: 'getTeam',
		tag: 'Teams',
		summary: 'A team',
		auth: 'caller',
		params: teamParams,
		responses: { 200: { description: 'The team.', schema: teamDetailSchema } }
	},
	{
		method: 'patch',
		path: '/api/v1/teams/{teamId}',
		operationId: 'renameTeam',
		tag: 'Teams',
		summary: 'Rename a team',
		auth: 'person',
		params: teamParams,
		body: { type: 'json', schema: teamNameRequestSchema },
		responses: { 200: { description: 'The renamed team.', schema: teamDetailSchema } }
	},
	{
		method: 'get',
		path: '/api/v1/teams/{teamId}/members',
		operationId: 'listMembers',
		tag: 'Teams',
		summary: "A team's members",
		auth: 'person',
		params: teamParams,
		responses: { 200: { description: 'The members.', schema: z.object({ members: z.array(memberSchema) }).meta({ id: 'MemberList' }) } }
	},
	{
		method: 'patch',
		path: '/api/v1/teams/{teamId}/members/{userId}',
		operationId: 'changeMemberRole',
		tag: 'Teams',
		summary: "Change a member's role",
		description: "The member's open sockets are re-authorised with the new role at once.",
		auth: 'person',
		params: memberParams,
		body: { type: 'json', schema: changeRoleRequestSchema },
		responses: {
			200: { description: 'The role before and now.', schema: z.object({ userId: z.uuid(), previous: z.enum(ROLES), role: z.enum(ROLES) }) }
		},
		errors: ['LIMIT_EXCEEDED', 'CONFLICT']
	},
	{
		method: 'delete',
		path: '/api/v1/teams/{teamId}/members/{userId}',
		operationId: 'removeMember',
		tag: 'Teams',
		summary: 'Remove a member, or leave',
		description: "Your own id leaves the team; the member's open sockets on the team's canvases close.",
		auth: 'person',
		params: memberParams,
		responses: { 204: { description: 'Removed.' } },
		errors: ['CONFLICT']
	},
	{
		method: 'post',
		path: '/api/v1/teams/{teamId}/transfer-ownership',
		operationId: 'transferOwnership',
		tag: 'Teams',
		summary: 'Make a member an owner',
		description: 'The caller becomes an admin.',
		auth: 'person',
		params: teamParams,
		body: { type: 'json', schema: transferOwnershipRequestSchema },
		responses: { 200: { description: 'How many members the team has.', schema: z.object({ members: z.number().int() }) } },
		errors: ['CONFLICT']
	},
	{
		method: 'get',
		path: '/api/v1/teams/{teamId}/invitations',
		operationId: 'listInvitations',
		tag: 'Teams',
		summary: "A team's pending invitations",
		auth: 'person',
		params: teamParams,
		responses: {
			200: { description: 'The invitations (never their secrets).', schema: z.object({ invitations: z.array(invitationSchema) }).meta({ id: 'InvitationList' }) }
		}
	},
	{
		method: 'post',
		path: '/api/v1/teams/{teamId}/invitations',
		operationId: 'createInvitation',
		tag: 'Teams',
		summary: 'Invite someone',
		description: 'Emailed when it names an address and email is set up (`X-Invitation-Emailed` says whether); the `token` and `url` are shown once.',
		auth: 'person',
		params: teamParams,
		body: { type: 'json', schema: createInvitationSchema },
		responses: {
			201: {
				description: 'The invitation, with its token and url.',
				schema: invitationSchema,
				headers: { 'x-invitation-emailed': 'Whether the email went out: true or false.' }
			}
		},
		errors: ['LIMIT_EXCEEDED']
	},
	{
		method: 'delete',
		path: '/api/v1/invitations/{key}',
		operationId: 'revokeInvitation',
		tag: 'Teams',
		summary: 'Revoke an invitation',
		auth: 'person',
		params: invitationParams,
		responses: { 204: { description: 'Revoked.' } }
	},
	{
		method: 'post',
		path: '/api/v1/invitations/{key}/accept',
		operationId: 'acceptInvitation',
		tag: 'Teams',
		summary: 'Join the team of an invitation',
		auth: 'person',
		params: invitationParams,
		responses: {
			200: {
				description: 'The team joined and the role held there.',
				schema: z.object({ teamId: z.uuid(), role: z.enum(ROLES), joined: z.boolean(), roleChanged: z.boolean() }).meta({ id: 'AcceptedInvitation' })
			}
		},
		errors: ['GONE', 'LIMIT_EXCEEDED']
	},
	{
		method: 'get',
		path: '/api/v1/teams/{teamId}/audit-log',
		operationId: 'listAuditLog',
		tag: 'Teams',
		summary: "A team's activity log",
		description: 'Newest first; `limit` (≤ 200) and `before` (an id) page back. Admins and owners.',
		auth: 'caller',
		params: teamParams,
		query: pageSchema,
		responses: {
			200: {
				description: 'A page of entries; `next` is the `before` of the next page (null on the last).',
				schema: z.object({ entries: z.array(auditEntrySchema), next: z.number().int().nullable() }).meta({ id: 'AuditLogPage' })
			}
		}
	}
];
