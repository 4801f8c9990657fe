// The member-actions rule as a table: actor role × member role × self, against what it offers.
import { describe, expect, it } from 'vitest';
import { memberActionsOf } from '../../src/lib/server/member-actions.ts';
import type { Role } from '../../src/lib/server/db/schema.ts';

const ALL: Role[] = ['owner', 'admin', 'editor', 'viewer'];
const NONE = { canChangeRoleTo: [], canRemove: false, canTransferOwnership: false };

const cases: [actor: Role, member: Role | 'self', expected: ReturnType<typeof memberActionsOf>][] = [
	['owner', 'self', { canChangeRoleTo: ALL, canRemove: false, canTransferOwnership: false }],
	['owner', 'owner', { canChangeRoleTo: ALL, canRemove: true, canTransferOwnership: false }],
	['owner', 'admin', { canChangeRoleTo: ALL, canRemove: true, canTransferOwnership: true }],
	['owner', 'viewer', { canChangeRoleTo: ALL, canRemove: true, canTransferOwnership: true }],
	['admin', 'self', { canChangeRoleTo: ['admin', 'editor', 'viewer'], canRemove: false, canTransferOwnership: false }],
	['admin', 'owner', NONE],
	['admin', 'admin', NONE],
	['admin', 'editor', { canChangeRoleTo: ['admin', 'editor', 'viewer'], canRemove: true, canTransferOwnership: false }],
	['admin', 'viewer', { canChangeRoleTo: ['admin', 'editor', 'viewer'], canRemove: true, canTransferOwnership: false }],
	['editor', 'self', NONE],
	['editor', 'viewer', NONE],
	['viewer', 'self', NONE],
	['viewer', 'editor', NONE]
];

describe('memberActionsOf', () => {
	it.each(cases)('%s acting on %s', (actorRole, member, expected) => {
		const actor = { userId: 'me', role: actorRole };
		const target = member === 'self' ? actor : { userId: 'them', role: member };
		expect(memberActionsOf(actor, target)).toEqual(expected);
	});
});
