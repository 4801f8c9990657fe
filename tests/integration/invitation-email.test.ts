// Invitations by email go out over SMTP (nodemailer) to a local SMTP server that records them.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SMTPServer } from 'smtp-server';
import { api, signUp, type TestUser } from '../helpers/clients.ts';
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
	server = await startServer({ env: { SMTP_URL: `smtp://127.0.0.1:${port}`, SMTP_FROM: 'Easel <easel@example.com>' } });
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
	expect(received).toHaveLength(1);
	expect(received[0].to).toEqual(['friend@example.com']);
	const body = received[0].body.replace(/=\r?\n/g, '');
	expect(body).toContain(`/invite/${invite.body.token}`);
	// The HTML part escapes what users typed; the plain-text part and subject keep it literal.
	expect(body).toContain('<strong>Mail team &lt;b&gt;</strong>');
	expect(body).not.toContain('<strong>Mail team <b></strong>');
});
