// Failed queries never put their parameters in the logs: drizzle writes them into the error's
// message (`Failed query: … params: <email>,<argon2 hash>`) and the drivers attach them to the
// cause, so a failed sign-up used to log the email and the password hash.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { hashPassword } from '../../src/lib/server/auth/passwords.ts';
import { users } from '../../src/lib/server/db/schema.ts';
import { createLogger } from '../../src/lib/server/logger.ts';
import { api, uniqueEmail } from '../helpers/clients.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import { describeEachServerDatabase } from '../helpers/server-databases.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';

const PASSWORD = 'correct horse battery staple';

function expectNoSecrets(output: string, email: string): void {
	expect(output).not.toContain(email);
	expect(output).not.toContain('$argon2id$');
	expect(output).not.toContain(PASSWORD);
}

describeEachDatabase('a failed insert, logged', (database) => {
	it('keeps the query and the database error, drops the values', async () => {
		const { db } = database();
		const email = uniqueEmail('logged');
		const values = { email, name: 'Logged', passwordHash: await hashPassword(PASSWORD) };
		await db.insert(users).values(values);
		const failure = await db
			.insert(users)
			.values(values)
			.then(
				() => null,
				(error: unknown) => error
			);
		expect(failure).toBeInstanceOf(Error);
		expect(String((failure as Error).message)).toContain(email); // what drizzle itself puts in the message
		let output = '';
		const sink = new Writable({ write: (chunk, _encoding, done) => ((output += chunk), done()) });
		createLogger('info', sink).error({ err: failure }, 'api error');
		expectNoSecrets(output, email);
		const line = JSON.parse(output);
		expect(line.err.message).toContain('insert into "users"');
		expect(line.err.cause.code).toBe('23505'); // the unique violation survives, for whoever debugs it
	});
});

describeEachServerDatabase(
	'a failing sign-up, as the server logs it',
	(database) => {
		let server: RunningServer;
		beforeAll(async () => {
			server = await startServer({ env: database().env });
			// Every new user row now fails inside PostgreSQL, as a real outage or bug would.
			const db = await database().direct();
			const { sql } = await import('drizzle-orm');
			await db.execute(sql`alter table users add constraint refuse_new_users check (false) not valid`);
		});
		afterAll(() => server?.dispose());

		it('through the API: no email, no hash, no password in the output', async () => {
			const email = uniqueEmail('apisignup');
			const response = await api(server.url, '/api/v1/auth/signup', { body: { email, password: PASSWORD, name: 'Failing' } });
			expect(response.status).toBe(503);
			await expect.poll(() => server.output()).toContain('api error');
			expectNoSecrets(server.output(), email);
		});

		it('through the sign-up form: no email, no hash, no password in the output', async () => {
			const email = uniqueEmail('formsignup');
			const response = await fetch(`${server.url}/signup`, {
				method: 'POST',
				headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html', origin: server.url },
				body: new URLSearchParams({ email, password: PASSWORD, name: 'Failing' }),
				redirect: 'manual'
			});
			expect(response.status).toBe(500);
			await expect.poll(() => server.output()).toContain('unhandled error');
			expectNoSecrets(server.output(), email);
		});
	},
	{ drivers: ['postgres'] }
);
