// The emails about an account itself: a password-reset link, an address-verification link (after
// sign-up, or for a new address) and the notice to the old address after a change. Plain text + HTML;
// every link starts with PUBLIC_ORIGIN, never the Host a request came with.
import { escapeHtml, sendEmail, type OutgoingEmail } from '../mailer.ts';
import { runtime, type Runtime } from '../runtime.ts';

export type { OutgoingEmail };

/** Sends an email; false when it could not be sent. Null where the server sends no email (no SMTP_URL). */
export type SendEmail = (email: OutgoingEmail) => Promise<boolean>;

/** The budgets of account emails (per recipient, per client address, per person); each `consume` throws RATE_LIMITED once spent. */
export type AccountEmailThrottles = Runtime['accountEmailThrottles'];

/** What the password-reset and email-verification modules need to mail links. */
export interface AccountEmailOptions {
	/** The origin links start with (config.publicOrigin). */
	publicOrigin: string;
	sendEmail: SendEmail | null;
	throttles: AccountEmailThrottles;
}

/** The options from the running server's configuration. */
export function accountEmailOptions(): AccountEmailOptions {
	const { config, accountEmailThrottles } = runtime();
	return { publicOrigin: config.publicOrigin, sendEmail: config.SMTP_URL ? sendEmail : null, throttles: accountEmailThrottles };
}

export function resetPasswordUrl(publicOrigin: string, token: string): string {
	return `${publicOrigin}/reset-password/${token}`;
}

export function verifyEmailUrl(publicOrigin: string, token: string): string {
	return `${publicOrigin}/verify-email/${token}`;
}

const when = (date: Date) => date.toUTCString();

function email(to: string, subject: string, paragraphs: { text: string; html: string }[]): OutgoingEmail {
	return { to, subject, text: paragraphs.map((p) => p.text).join('\n\n'), html: paragraphs.map((p) => `<p>${p.html}</p>`).join('') };
}

/** Plain words: the same text in both parts, escaped in the HTML one. */
const words = (text: string) => ({ text, html: escapeHtml(text) });
const link = (label: string, url: string) => ({ text: `${label}: ${url}`, html: `<a href="${escapeHtml(url)}">${escapeHtml(label)}</a>` });

export function passwordResetEmail(to: string, url: string, expiresAt: Date): OutgoingEmail {
	return email(to, 'Reset your Easel password', [
		words(`Someone asked to reset the password of the Easel account for ${to}. If it was you, choose a new password:`),
		link('Choose a new password', url),
		words(`The link works once and expires on ${when(expiresAt)}. Choosing a new password signs the account out everywhere.`),
		words('If you did not ask for this, ignore this email: your password stays as it is.')
	]);
}

export function verificationEmail(to: string, url: string, expiresAt: Date): OutgoingEmail {
	return email(to, 'Verify your email address for Easel', [
		words(`Confirm that ${to} is your address on Easel:`),
		link('Verify email address', url),
		words(`The link works once and expires on ${when(expiresAt)}.`),
		words('If you did not create an Easel account, ignore this email.')
	]);
}

export function emailChangeEmail(to: string, currentEmail: string, url: string, expiresAt: Date): OutgoingEmail {
	return email(to, 'Confirm your new email address for Easel', [
		words(`The Easel account of ${currentEmail} asked to use ${to} as its email address from now on. If it was you, confirm:`),
		link('Confirm new email address', url),
		words(`Until you confirm, the account keeps ${currentEmail}. The link works once and expires on ${when(expiresAt)}.`),
		words('If you did not ask for this, ignore this email: nothing changes.')
	]);
}

export function emailChangedNotice(to: string, newEmail: string, changedAt: Date, publicOrigin: string): OutgoingEmail {
	return email(to, 'Your Easel email address was changed', [
		words(`On ${when(changedAt)} the email address of your Easel account was changed from ${to} to ${newEmail}.`),
		words(`Signing in, password resets and notices now use ${newEmail}; this address no longer reaches the account.`),
		words(`If you did not make this change, tell the people who run Easel at ${publicOrigin} at once.`)
	]);
}
