// A local SMTP server that keeps every message it receives, parsed (smtp-server + mailparser), for
// tests of what Easel emails: start it on a free port, hand its `smtpUrl` to the server as SMTP_URL.
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface CaughtMail {
	/** Envelope recipients, lower-case. */
	to: string[];
	subject: string;
	text: string;
	html: string;
}

export interface MailFilter {
	to?: string;
	subject?: string | RegExp;
}

export interface MailCatcher {
	/** `smtp://127.0.0.1:<port>`, for SMTP_URL. */
	smtpUrl: string;
	/** Every message received, in order. */
	messages: CaughtMail[];
	/** The messages matching the filter, in order. */
	mailsTo(filter: MailFilter): CaughtMail[];
	/**
	 * The first matching message not returned by an earlier call; waits for it until the deadline,
	 * then fails listing what did arrive.
	 */
	waitForMail(filter: MailFilter, timeoutMs?: number): Promise<CaughtMail>;
	/** Resolves when, after `ms`, no matching message is there that waitForMail has not returned (for "no mail was sent"). */
	expectNoMail(filter: MailFilter, ms?: number): Promise<void>;
	close(): Promise<void>;
}

function matches(mail: CaughtMail, filter: MailFilter): boolean {
	if (filter.to && !mail.to.includes(filter.to.toLowerCase())) return false;
	if (filter.subject instanceof RegExp) return filter.subject.test(mail.subject);
	if (filter.subject !== undefined) return mail.subject === filter.subject;
	return true;
}

export async function startMailCatcher(): Promise<MailCatcher> {
	const messages: CaughtMail[] = [];
	const taken = new Set<CaughtMail>();
	const server = new SMTPServer({
		authOptional: true,
		disabledCommands: ['STARTTLS'],
		logger: false,
		onData(stream, session, callback) {
			simpleParser(stream)
				.then((parsed) => {
					messages.push({
						to: session.envelope.rcptTo.map((recipient) => recipient.address.toLowerCase()),
						subject: parsed.subject ?? '',
						text: parsed.text ?? '',
						html: typeof parsed.html === 'string' ? parsed.html : ''
					});
					callback();
				})
				.catch(callback);
		}
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const port = (server.server.address() as { port: number }).port;
	const mailsTo = (filter: MailFilter) => messages.filter((mail) => matches(mail, filter));
	return {
		smtpUrl: `smtp://127.0.0.1:${port}`,
		messages,
		mailsTo,
		async waitForMail(filter, timeoutMs = 15_000) {
			const deadline = Date.now() + timeoutMs;
			for (;;) {
				const found = messages.find((mail) => !taken.has(mail) && matches(mail, filter));
				if (found) {
					taken.add(found);
					return found;
				}
				if (Date.now() > deadline) {
					const seen = messages.map((mail) => `${mail.to.join(',')}: ${mail.subject}`).join('\n  ');
					throw new Error(
						`no mail matching ${JSON.stringify({ ...filter, subject: String(filter.subject ?? '') })} within ${timeoutMs} ms; received:\n  ${seen || '(none)'}`
					);
				}
				await new Promise((resolve) => setTimeout(resolve, 50));
			}
		},
		async expectNoMail(filter, ms = 1_500) {
			await new Promise((resolve) => setTimeout(resolve, ms));
			const arrived = mailsTo(filter).filter((mail) => !taken.has(mail));
			if (arrived.length > 0) throw new Error(`unexpected mail: ${arrived.map((mail) => `${mail.to.join(',')}: ${mail.subject}`).join('; ')}`);
		},
		close: () => new Promise<void>((resolve) => server.close(() => resolve()))
	};
}

/** The link in a mail's plain text that contains `path` (e.g. `/reset-password/`); fails when there is none. */
export function linkIn(mail: CaughtMail, path: string): string {
	const url = mail.text.match(/https?:\/\/\S+/g)?.find((candidate) => candidate.includes(path));
	if (!url) throw new Error(`no link with ${path} in the mail "${mail.subject}":\n${mail.text}`);
	return url;
}
