// JSON shapes of teams, members, invitations, share links and audit rows in /api/v1.
import type { AuditRow } from '../audit.ts';
import type { Invitation } from '../invitations.ts';
import type { ShareLink } from '../sharing.ts';
import type { Member } from '../teams.ts';
import { avatarColorOf } from '../../user-color.ts';

const iso = (date: Date | null) => (date ? date.toISOString() : null);

export function memberJson(member: Member) {
	return {
		...member,
		avatarColor: avatarColorOf({ id: member.userId, avatarColor: member.avatarColor }),
		joinedAt: iso(member.joinedAt),
		lastActiveAt: iso(member.lastActiveAt)
	};
}

export function invitationJson(invitation: Invitation, extra: { token?: string; url?: string } = {}) {
	return { ...invitation, expiresAt: iso(invitation.expiresAt), createdAt: iso(invitation.createdAt), ...extra };
}

export function shareLinkJson(link: ShareLink, extra: { token?: string; url?: string } = {}) {
	return { ...link, expiresAt: iso(link.expiresAt), lastUsedAt: iso(link.lastUsedAt), createdAt: iso(link.createdAt), ...extra };
}

export function auditJson(row: AuditRow) {
	return { ...row, createdAt: iso(row.createdAt) };
}

export function versionJson(version: import('../history.ts').Version & { locked?: boolean }) {
	return { ...version, createdAt: iso(version.createdAt) };
}
