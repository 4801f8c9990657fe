// Outgoing email (nodemailer over SMTP_URL). Without SMTP_URL nothing is sent and callers show links instead.
import { eq } from 'drizzle-orm';
import type { Queryable } from './db/index.ts';
import { teams, users } from './db/schema.ts';
import type { Invitation } from './invitations.ts';
import { runtime } from './runtime.ts';
import { displayNameForOutput } from './display-names.ts';

type Transport = { sendMail(message: { from: string; to: string; subject: string; text: string; html: string }): Promise<unknown> };

const TRANSPORT_KEY = Symbol.for('easel.mailTransport');
type Holder = { [TRANSPORT_KEY]?: Promise<Transport> };

async function transport(smtpUrl: string): Promise<Transport> {
	const holder = globalThis as Holder;
	return (holder[TRANSPORT_KEY] ??= import('nodemailer').then((nodemailer) => nodemailer.createTransport(smtpUrl) as Transport));
}

// Team and user names are typed by whoever invites, so in mail they are quoted, cut short and
// stripped of anything invisible: a name cannot pose as our own words ("Join URGENT: … visit evil.example").
const SUBJECT_TEAM_NAME_LENGTH = 40;
const BODY_NAME_LENGTH = 60;

/** What `invitations.invite` needs to email invitations: the sender, or null without SMTP, and the budgets. */
export function invitationEmailOptions(db: Queryable) {
	const { config, invitationEmailThrottles } = runtime();
	return {
		publicOrigin: config.publicOrigin,
		sendEmail: config.SMTP_URL ? (invitation: Invitation, url: string) => sendInvitationEmail(db, invitation, url) : null,
		throttles: invitationEmailThrottles
	};
}

/** Emails an invitation link; false when email is not configured or sending failed (the link is still shown). */
export async function sendInvitationEmail(db: Queryable, invitation: Invitation, url: string): Promise<boolean> {
	const { config, logger } = runtime();
	if (!config.SMTP_URL || !invitation.email) return false;
	const [team] = await db.select({ name: teams.name }).from(teams).where(eq(teams.id, invitation.teamId));
	const [inviter] = invitation.createdBy ? await db.select({ name: users.name, email: users.email }).from(users).where(eq(users.id, invitation.createdBy)) : [];
	const who = inviter ? `“${displayNameForOutput(inviter.name, BODY_NAME_LENGTH)}” (${inviter.email})` : 'Someone';
	const teamName = displayNameForOutput(team.name, BODY_NAME_LENGTH);
	const expires = invitation.expiresAt.toUTCString();
	const subject = `Invitation to the team “${displayNameForOutput(team.name, SUBJECT_TEAM_NAME_LENGTH)}” on Easel`;
	const text = [
		`${who} invited you to join the team “${teamName}” on Easel as ${invitation.role}.`,
		`Join: ${url}`,
		`The link expires on ${expires} and works only for the Easel account with this email address (${invitation.email}).`,
		'If you did not expect this invitation, ignore this email.'
	].join('\n\n');
	const html = [
		`<p>${escapeHtml(who)} invited you to join the team “<strong>${escapeHtml(teamName)}</strong>” on Easel as ${invitation.role}.</p>`,
		`<p><a href="${escapeHtml(url)}">Open the invitation</a></p>`,
		`<p>The link expires on ${expires} and works only for the Easel account with this email address (${escapeHtml(invitation.email)}).</p>`,
		'<p>If you did not expect this invitation, ignore this email.</p>'
	].join('');
	try {
		await (await transport(config.SMTP_URL)).sendMail({ from: config.SMTP_FROM, to: invitation.email, subject, text, html });
		return true;
	} catch (error) {
		logger.warn({ err: error, invitationId: invitation.id }, 'invitation email failed');
		return false;
	}
}

/** An email of Easel's own (account links and notices), plain text and HTML. */
export interface OutgoingEmail {
	to: string;
	subject: string;
	text: string;
	html: string;
}

/** Sends one email over SMTP_URL; false when email is not configured or sending failed (logged). */
export async function sendEmail(email: OutgoingEmail): Promise<boolean> {
	const { config, logger } = runtime();
	if (!config.SMTP_URL) return false;
	try {
		await (await transport(config.SMTP_URL)).sendMail({ from: config.SMTP_FROM, ...email });
		return true;
	} catch (error) {
		logger.warn({ err: error, subject: email.subject }, 'email failed');
		return false;
	}
}

export function escapeHtml(value: string): string {
	return value.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char]!);
}
