// Which member actions an actor has on each member of a team, from the two roles alone: the one
// rule the members page shows and teams.changeRole / removeMember / transferOwnership enforce.
import { can, ROLE_RANK, type Role } from './access.ts';
import { ROLES } from './db/schema.ts';

export interface MemberActions {
	/** Roles the actor may give this member, the current one included; empty when they may not change it. */
	canChangeRoleTo: Role[];
	/** May remove them from the team (never oneself: that is leaving). */
	canRemove: boolean;
	/** May hand them ownership (owners, to a member who is not an owner yet). */
	canTransferOwnership: boolean;
}

const ROLES_HIGH_TO_LOW = [...ROLES].sort((a, b) => ROLE_RANK[b] - ROLE_RANK[a]);

/**
 * Owners do anything to anyone (the last-owner rule is checked by the mutation, against the team).
 * Admins manage editors and viewers, may grant up to admin, and may step themselves down; nobody
 * else manages members. Only owners transfer ownership.
 */
export function memberActionsOf(actor: { userId: string; role: Role }, member: { userId: string; role: Role }): MemberActions {
	const self = actor.userId === member.userId;
	const owner = actor.role === 'owner';
	const manages = can(actor.role, 'team.members');
	const changeable = manages && (owner || self || ROLE_RANK[member.role] < ROLE_RANK.admin);
	const highest = owner ? ROLE_RANK.owner : self ? ROLE_RANK[member.role] : ROLE_RANK.admin;
	return {
		canChangeRoleTo: changeable ? ROLES_HIGH_TO_LOW.filter((role) => ROLE_RANK[role] <= highest) : [],
		canRemove: !self && manages && (owner || ROLE_RANK[member.role] < ROLE_RANK[actor.role]),
		canTransferOwnership: !self && owner && member.role !== 'owner'
	};
}
