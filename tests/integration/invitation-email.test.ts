// Invitations by email go out over SMTP (nodemailer) to a local SMTP server that records them; they
// are for the invited address only, rate-limited per sender and per team, and quote what users typed.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SMTPServer } from 'smtp-server';
import { api, signUp, uniqueEmail, type TestUser } from '../helpers/clients.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';

const received: { to: string[]; body: string }[] = [];
let smtp: SMTPServer;
let server: RunningServer;
let owner: TestUser;

beforeAll(async () => {
	smtp = new SMTPServer({
		authOptional: true,
		disabledCommands: ['STARTTLS'],
		onData(stream, session, callback) {
			let body = '';
			stream.on('data', (chunk) => (body += chunk));
			stream.on('end', () => {
				received.push({ to: session.envelope.rcptTo.map((r) => r.address), body });
				callback();
			});
		}
	});
	await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
	const port = (smtp.server.address() as { port: number }).port;
	server = await startServer({
		env: { SMTP_URL: `smtp://127.0.0.1:${port}`, SMTP_FROM: 'Easel <easel@example.com>', INVITATION_EMAILS_PER_SENDER: '3', INVITATION_EMAILS_PER_TEAM: '5' }
	});
	owner = await signUp(server.url, 'Mailer');
});

afterAll(async () => {
	await server?.dispose();
	await new Promise<void>((resolve) => smtp.close(() => resolve()));
});

it('emails the invitation link to the invited address', async () => {
	const teamId = (await api(server.url, '/api/v1/teams', { token: owner.token, body: { name: 'Mail team <b>' } })).body.id;
	const invite = await api(server.url, `/api/v1/teams/${teamId}/invitations`, { token: owner.token, body: { role: 'editor', email: 'friend@example.com' } });
	expect(invite.status).toBe(201);
	expect(invite.headers.get('x-invitation-emailed')).toBe('true');
	// Only the invitation reaches the invited address (the owner's own verification email goes to the owner).
	const mails = mailsTo('friend@example.com');
	expect(mails).toHaveLength(1);
	expect(mails[0].to).toEqual(['friend@example.com']);
	const body = mails[0].body.replace(/=\r?\n/g, '');
	expect(body).toContain(`/invite/${invite.body.token}`);
	// The HTML part escapes what users typed; the plain-text part and subject keep it literal.
	expect(body).toContain('<strong>Mail team &lt;b&gt;</strong>');
	expect(body).not.toContain('<strong>Mail team <b></strong>');
});

/** Unfolds headers and decodes RFC 2047 words (nodemailer encodes non-ASCII subjects). */
function subjectOf(raw: string): string {
	const headers = raw.split(/\r?\n\r?\n/)[0].replace(/\r?\n[ \t]+/g, ' ');
	const line = /^Subject: (.*)$/im.exec(headers)?.[1] ?? '';
	return line
		.replace(/\?=\s+=\?/g, '?==?')
		.replace(/=\?utf-8\?([qb])\?([^?]*)\?=/gi, (_, encoding: string, text: string) =>
			encoding.toLowerCase() === 'b' ? Buffer.from(text, 'base64').toString('utf8') : decodeQuotedPrintable(text.replace(/_/g, ' '))
		);
}

function decodeQuotedPrintable(text: string): string {
	const bytes: number[] = [];
	const unfolded = text.replace(/=\r?\n/g, '');
	for (let i = 0; i < unfolded.length; i++) {
		const hex = unfolded[i] === '=' ? /^[0-9A-F]{2}$/i.exec(unfolded.slice(i + 1, i + 3)) : null;
		if (hex) {
			bytes.push(parseInt(hex[0], 16));
			i += 2;
		} else bytes.push(...Buffer.from(unfolded[i], 'utf8'));
	}
	return Buffer.from(bytes).toString('utf8');
}

const mailsTo = (address: string) => received.filter((mail) => mail.to.includes(address));

async function teamOf(user: TestUser, name: string): Promise<string> {
	const created = await api(server.url, '/api/v1/teams', { token: user.token, body: { name } });
	expect(created.status).toBe(201);
	return created.body.id;
}

it('an email invitation is accepted only by the account with that address (any letter case)', async () => {
	const teamId = await teamOf(owner, 'Bound team');
	const invited = uniqueEmail('friend');
	const invite = await api(server.url, `/api/v1/teams/${teamId}/invitations`, { token: owner.token, body: { role: 'editor', email: invited.toUpperCase() } });
	expect(invite.status).toBe(201);
	expect(mailsTo(invited)).toHaveLength(1);

	const stranger = await signUp(server.url, 'Stranger');
	const refused = await api(server.url, `/api/v1/invitations/${invite.body.token}/accept`, { method: 'POST', token: stranger.token });
	expect(refused.status).toBe(403);
	expect(refused.body.error).toMatchObject({ code: 'FORBIDDEN', message: 'This invitation was sent to f***@example.com; sign in with that address.' });
	// The invite page says the same to a signed-in stranger.
	const page = await fetch(`${server.url}/invite/${invite.body.token}`, {
		method: 'POST',
		body: new URLSearchParams({}),
		headers: { origin: server.url, accept: 'text/html', cookie: `easel_session=${stranger.token}` },
		redirect: 'manual'
	});
	expect(page.status).toBe(403);
	expect(await page.text()).toContain('This invitation was sent to f***@example.com; sign in with that address.');
	expect((await api(server.url, `/api/v1/teams/${teamId}/members`, { token: owner.token })).body.members).toHaveLength(1);

	// The refusals did not use the invitation up: its addressee still joins.
	const password = 'a long enough password';
	const friend = await api(server.url, '/api/v1/auth/signup', { body: { email: invited.replace(/^f/, 'F'), password } });
	expect(friend.status).toBe(201);
	const accepted = await api(server.url, `/api/v1/invitations/${invite.body.token}/accept`, { method: 'POST', token: friend.body.token });
	expect(accepted.status).toBe(200);
	expect(accepted.body).toMatchObject({ teamId, role: 'editor', joined: true });
});

it('invitation emails are limited per sender and per team; a refused one creates nothing and sends nothing', async () => {
	const alice = await signUp(server.url, 'Alice');
	const teamId = await teamOf(alice, 'Busy team');
	const invite = (user: TestUser, email: string) => api(server.url, `/api/v1/teams/${teamId}/invitations`, { token: user.token, body: { role: 'viewer', email } });
	for (let i = 0; i < 3; i++) {
		const sent = await invite(alice, uniqueEmail('target'));
		expect(sent.status).toBe(201);
		expect(sent.headers.get('x-invitation-emailed')).toBe('true');
	}
	const target = uniqueEmail('target');
	const refused = await invite(alice, target);
	expect(refused.status).toBe(429);
	expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
	expect(refused.body.error).toMatchObject({
		code: 'RATE_LIMITED',
		message: expect.stringMatching(/^Too many invitation emails sent by you\. Try again in \d+ minutes\.$/)
	});
	expect(mailsTo(target)).toHaveLength(0);
	const pending = (await api(server.url, `/api/v1/teams/${teamId}/invitations`, { token: alice.token })).body.invitations;
	expect(pending).toHaveLength(3);
	// Links to copy send no mail and stay available.
	expect((await api(server.url, `/api/v1/teams/${teamId}/invitations`, { token: alice.token, body: { role: 'viewer' } })).status).toBe(201);

	// Another admin of the same team shares the team's budget (5): two more, then no more.
	const link = await api(server.url, `/api/v1/teams/${teamId}/invitations`, { token: alice.token, body: { role: 'admin' } });
	const bob = await signUp(server.url, 'Bob');
	expect((await api(server.url, `/api/v1/invitations/${link.body.token}/accept`, { method: 'POST', token: bob.token })).status).toBe(200);
	expect((await invite(bob, uniqueEmail('target'))).status).toBe(201);
	expect((await invite(bob, uniqueEmail('target'))).status).toBe(201);
	const teamRefused = await invite(bob, uniqueEmail('target'));
	expect(teamRefused.status).toBe(429);
	expect(teamRefused.body.error.message).toMatch(/^Too many invitation emails sent for this team\./);
	// A sender's budget spans teams: a team of her own does not give Alice more.
	const alicesOther = await teamOf(alice, 'Another team');
	const elsewhere = await api(server.url, `/api/v1/teams/${alicesOther}/invitations`, { token: alice.token, body: { role: 'viewer', email: uniqueEmail('target') } });
	expect(elsewhere.status).toBe(429);
	expect(elsewhere.body.error.message).toMatch(/^Too many invitation emails sent by you\./);
});

it('quotes and shortens the team and inviter names in the subject and body, and says who the link is for', async () => {
	const sender = await api(server.url, '/api/v1/auth/signup', {
		body: { email: uniqueEmail('spammer'), password: 'a long enough password', name: 'Easel Security: visit evil.example to keep your account active today' }
	});
	const spamName = 'URGENT: your account is locked - visit evil.example';
	const created = await api(server.url, '/api/v1/teams', { token: sender.body.token, body: { name: spamName } });
	const target = uniqueEmail('victim');
	expect((await api(server.url, `/api/v1/teams/${created.body.id}/invitations`, { token: sender.body.token, body: { role: 'viewer', email: target } })).status).toBe(201);
	const [mail] = mailsTo(target);
	const subject = subjectOf(mail.body);
	expect(subject).toBe('Invitation to the team “URGENT: your account is locked - visit…” on Easel');
	const body = decodeQuotedPrintable(mail.body);
	expect(body).toContain(`join the team “${spamName}” on Easel as viewer.`);
	expect(body).toContain(`“Easel Security: visit evil.example to keep your account act…” (${sender.body.user.email}) invited you`);
	expect(body).toContain(`works only for the Easel account with this email address (${target})`);
	expect(body).toContain('If you did not expect this invitation, ignore this email.');
});
