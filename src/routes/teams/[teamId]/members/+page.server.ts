import { z } from 'zod';
import { can, ROLE_RANK, type Role } from '$lib/server/access';
import * as invitations from '$lib/server/invitations';
import * as teams from '$lib/server/teams';
import { AppError } from '$lib/server/errors';
import { invalidInput } from '$lib/server/http/api';
import { formFailure, formValues, parseForm } from '$lib/server/http/forms';
import { invitationEmailOptions } from '$lib/server/mailer';
import { runtime } from '$lib/server/runtime';
import { afterMembershipChange } from '$lib/server/http/membership-changes';
import type { Actions, PageServerLoad } from './$types';

const signInAgain = () => formFailure(new AppError('UNAUTHENTICATED', 'Sign in again.'), {});

const ROLES_HIGH_TO_LOW: Role[] = ['owner', 'admin', 'editor', 'viewer'];

export const load: PageServerLoad = async ({ locals, parent }) => {
	const { team } = await parent();
	const me = locals.user!.id;
	const actor = { kind: 'user' as const, userId: me };
	const [members, pending] = await Promise.all([
		teams.listMembers(locals.db, actor, team.id),
		can(team.role, 'team.invite') ? invitations.listPending(locals.db, actor, team.id) : Promise.resolve([])
	]);
	const manages = can(team.role, 'team.members');
	return {
		me,
		members: members.map((member) => {
			const self = member.userId === me;
			// What the UI offers mirrors teams.changeRole/removeMember; the server still decides.
			const changeable = manages && (team.role === 'owner' || self || ROLE_RANK[member.role] < ROLE_RANK.admin);
			const roleChoices = !changeable
				? []
				: team.role === 'owner'
					? ROLES_HIGH_TO_LOW
					: ROLES_HIGH_TO_LOW.filter((role) => ROLE_RANK[role] <= (self ? ROLE_RANK[member.role] : ROLE_RANK.admin));
			return {
				userId: member.userId,
				name: member.name,
				email: member.email,
				role: member.role,
				self,
				joinedAt: member.joinedAt.toISOString(),
				lastActiveAt: member.lastActiveAt?.toISOString() ?? null,
				roleChoices,
				canRemove: !self && manages && (team.role === 'owner' || ROLE_RANK[member.role] < ROLE_RANK[team.role]),
				canMakeOwner: !self && team.role === 'owner' && member.role !== 'owner'
			};
		}),
		invitations: pending.map((invitation) => ({
			id: invitation.id,
			role: invitation.role,
			email: invitation.email,
			createdByName: invitation.createdByName,
			expiresAt: invitation.expiresAt.toISOString(),
			createdAt: invitation.createdAt.toISOString(),
			maxUses: invitation.maxUses,
			uses: invitation.uses
		})),
		// Invitations may grant at most the inviter's own role, and never ownership.
		inviteRoles: (['admin', 'editor', 'viewer'] as const).filter((role) => ROLE_RANK[role] <= ROLE_RANK[team.role]),
		emailConfigured: Boolean(runtime().config.SMTP_URL)
	};
};

const memberSchema = z.object({ userId: z.uuid({ error: 'Choose a member.' }) });

/** The form's fields as `invitations.create` input, validated with the domain's own schema. */
function invitationInput(data: FormData) {
	const text = (name: string) => String(data.get(name) ?? '').trim();
	const uses = text('uses');
	const parsed = invitations.createInvitationSchema.safeParse({
		role: text('role'),
		email: text('email') || undefined,
		expiresInDays: Number(text('expiresInDays') || '7'),
		maxUses: uses === 'unlimited' ? null : uses === 'limited' ? Number(text('maxUses')) : 1
	});
	if (!parsed.success) throw invalidInput(parsed.error);
	return parsed.data;
}

export const actions: Actions = {
	changeRole: async ({ request, locals, params, getClientAddress }) => {
		if (!locals.user) return signInAgain();
		const data = await request.formData();
		try {
			const { userId, role } = parseForm(data, memberSchema.extend({ role: teams.roleSchema }));
			const result = await teams.changeRole(locals.db, { kind: 'user', userId: locals.user.id }, params.teamId, userId, role, { ip: getClientAddress() });
			await afterMembershipChange(params.teamId, [userId]);
			return { roleChanged: { userId, ...result } };
		} catch (error) {
			return formFailure(error, formValues(data));
		}
	},
	removeMember: async ({ request, locals, params, getClientAddress }) => {
		if (!locals.user) return signInAgain();
		const data = await request.formData();
		try {
			const { userId } = parseForm(data, memberSchema);
			await teams.removeMember(locals.db, { kind: 'user', userId: locals.user.id }, params.teamId, userId, { ip: getClientAddress() });
			await afterMembershipChange(params.teamId, [userId]);
			// The name only echoes the form, for the confirmation message.
			return { removed: { userId, name: String(data.get('name') ?? '').slice(0, 80) } };
		} catch (error) {
			return formFailure(error, formValues(data));
		}
	},
	transferOwnership: async ({ request, locals, params, getClientAddress }) => {
		if (!locals.user) return signInAgain();
		const data = await request.formData();
		try {
			const { userId } = parseForm(data, memberSchema);
			await teams.transferOwnership(locals.db, { kind: 'user', userId: locals.user.id }, params.teamId, userId, { ip: getClientAddress() });
			// Both roles changed: the new owner may have been a viewer, the old owner is now an admin.
			await afterMembershipChange(params.teamId, [locals.user.id, userId]);
			return { transferred: userId };
		} catch (error) {
			return formFailure(error, formValues(data));
		}
	},
	invite: async ({ request, locals, params, getClientAddress }) => {
		if (!locals.user) return signInAgain();
		const data = await request.formData();
		try {
			const input = invitationInput(data);
			const { invitation, url, emailed } = await invitations.invite(locals.db, { kind: 'user', userId: locals.user.id }, params.teamId, input, {
				...invitationEmailOptions(locals.db),
				context: { ip: getClientAddress() }
			});
			return { invited: { id: invitation.id, url, email: invitation.email, role: invitation.role, emailed } };
		} catch (error) {
			return formFailure(error, formValues(data));
		}
	},
	revokeInvitation: async ({ request, locals, getClientAddress }) => {
		if (!locals.user) return signInAgain();
		const data = await request.formData();
		try {
			const { invitationId } = parseForm(data, z.object({ invitationId: z.string().min(1) }));
			await invitations.revoke(locals.db, { kind: 'user', userId: locals.user.id }, invitationId, { ip: getClientAddress() });
			return { revokedInvitation: invitationId };
		} catch (error) {
			return formFailure(error, formValues(data));
		}
	}
};
