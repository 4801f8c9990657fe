import { z } from 'zod';
import { can, ROLE_RANK } from '$lib/server/access';
import * as invitations from '$lib/server/invitations';
import * as teams from '$lib/server/teams';
import { actorOf } from '$lib/server/http/actor';
import { invalidInput } from '$lib/server/http/api';
import { formAction } from '$lib/server/http/forms';
import { invitationEmailOptions } from '$lib/server/mailer';
import { runtime } from '$lib/server/runtime';
import { avatarColorOf } from '$lib/user-color';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, parent }) => {
	const { team } = await parent();
	const actor = actorOf(locals);
	const [members, actions, pending] = await Promise.all([
		teams.listMembers(locals.db, actor, team.id),
		teams.memberActions(locals.db, actor, team.id),
		can(team.role, 'team.invite') ? invitations.listPending(locals.db, actor, team.id) : Promise.resolve([])
	]);
	return {
		me: actor.userId,
		members: members.map((member) => ({
			userId: member.userId,
			name: member.name,
			email: member.email,
			avatarColor: avatarColorOf({ id: member.userId, avatarColor: member.avatarColor }),
			role: member.role,
			self: member.userId === actor.userId,
			joinedAt: member.joinedAt.toISOString(),
			lastActiveAt: member.lastActiveAt?.toISOString() ?? null,
			// What the row offers is what the mutations allow (teams.memberActions).
			roleChoices: actions[member.userId]?.canChangeRoleTo ?? [],
			canRemove: actions[member.userId]?.canRemove ?? false,
			canMakeOwner: actions[member.userId]?.canTransferOwnership ?? false
		})),
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

/** The form's fields as `invitations.invite` input, validated with the domain's own schema. */
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
	changeRole: formAction(memberSchema.extend({ role: teams.roleSchema }), async ({ userId, role }, { event, actor, services, context }) => {
		const result = await teams.changeRole(services, actor, event.params.teamId, userId, role, context);
		return { roleChanged: { userId, ...result } };
	}),
	removeMember: formAction(memberSchema, async ({ userId }, { event, data, actor, services, context }) => {
		await teams.removeMember(services, actor, event.params.teamId, userId, context);
		// The name only echoes the form, for the confirmation message.
		return { removed: { userId, name: String(data.get('name') ?? '').slice(0, 80) } };
	}),
	transferOwnership: formAction(memberSchema, async ({ userId }, { event, actor, services, context }) => {
		await teams.transferOwnership(services, actor, event.params.teamId, userId, context);
		return { transferred: userId };
	}),
	invite: formAction(invitationInput, async (input, { event, actor, context }) => {
		const { invitation, url, emailed } = await invitations.invite(event.locals.db, actor, event.params.teamId, input, {
			...invitationEmailOptions(event.locals.db),
			context
		});
		return { invited: { id: invitation.id, url, email: invitation.email, role: invitation.role, emailed } };
	}),
	revokeInvitation: formAction(z.object({ invitationId: z.string().min(1) }), async ({ invitationId }, { event, actor, context }) => {
		await invitations.revoke(event.locals.db, actor, invitationId, context);
		return { revokedInvitation: invitationId };
	})
};
