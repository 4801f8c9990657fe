// Outgoing email (nodemailer over SMTP_URL). Without SMTP_URL nothing is sent and callers show links instead.
import { eq } from 'drizzle-orm';
import type { Queryable } from './db/index.ts';
import { teams, users } from './db/schema.ts';
import type { Invitation } from './invitations.ts';
import { runtime } from './runtime.ts';

type Transport = { sendMail(message: { from: string; to: string; subject: string; text: string; html: string }): Promise<unknown> };

const TRANSPORT_KEY = Symbol.for('easel.mailTransport');
type Holder = { [TRANSPORT_KEY]?: Promise<Transport> };

async function transport(smtpUrl: string): Promise<Transport> {
	const holder = globalThis as Holder;
	return (holder[TRANSPORT_KEY] ??= import('nodemailer').then((nodemailer) => nodemailer.createTransport(smtpUrl) as Transport));
}

/** Emails an invitation link; false when email is not configured or sending failed (the link is still shown). */
export async function sendInvitationEmail(db: Queryable, invitation: Invitation, url: string): Promise<boolean> {
	const { config, logger } = runtime();
	if (!config.SMTP_URL || !invitation.email) return false;
	const [team] = await db.select({ name: teams.name }).from(teams).where(eq(teams.id, invitation.teamId));
	const [inviter] = invitation.createdBy ? await db.select({ name: users.name }).from(users).where(eq(users.id, invitation.createdBy)) : [];
	const who = inviter?.name ?? 'Someone';
	const text = `${who} invited you to join ${team.name} on Easel as ${invitation.role}.\n\nJoin: ${url}\n\nThe link expires on ${invitation.expiresAt.toUTCString()}.`;
	const html = `<p>${escapeHtml(who)} invited you to join <strong>${escapeHtml(team.name)}</strong> on Easel as ${invitation.role}.</p><p><a href="${escapeHtml(url)}">Join ${escapeHtml(team.name)}</a></p><p>The link expires on ${invitation.expiresAt.toUTCString()}.</p>`;
	try {
		await (await transport(config.SMTP_URL)).sendMail({ from: config.SMTP_FROM, to: invitation.email, subject: `Join ${team.name} on Easel`, text, html });
		return true;
	} catch (error) {
		logger.warn({ err: error, invitationId: invitation.id }, 'invitation email failed');
		return false;
	}
}

function escapeHtml(value: string): string {
	return value.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char]!);
}
