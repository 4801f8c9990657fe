// `npm run admin -- <command>`: operator commands for a self-hosted Easel (no Stripe).
//   set-plan <team id or exact name> <free|pro|team> [--seats N]
//   make-admin <email>     an instance administrator (moderates the public gallery at /admin/moderation)
//   remove-admin <email>
//   reset-link <email>     prints a password-reset link (for a server that sends no email)
//   verify-email <email>   marks the address verified
import { eq } from 'drizzle-orm';
import { ConfigError, loadConfig } from '../src/lib/server/config.ts';
import { openDatabase } from '../src/lib/server/db/index.ts';
import { PLAN_IDS, teams, type PlanId } from '../src/lib/server/db/schema.ts';
import * as billing from '../src/lib/server/billing.ts';
import * as moderation from '../src/lib/server/moderation.ts';
import { AppError } from '../src/lib/server/errors.ts';
import { isUuid } from '../src/lib/server/access.ts';
import * as passwordReset from '../src/lib/server/auth/password-reset.ts';
import * as emailVerification from '../src/lib/server/auth/email-verification.ts';
import { MIGRATIONS_FOLDER } from './bootstrap.ts';

const USAGE = [
	'usage: npm run admin -- set-plan <team id or name> <free|pro|team> [--seats N]',
	'       npm run admin -- make-admin <email>      (may moderate the public gallery)',
	'       npm run admin -- remove-admin <email>',
	'       npm run admin -- reset-link <email>      (prints a password-reset link valid for an hour)',
	'       npm run admin -- verify-email <email>    (marks the address verified)'
].join('\n');

function fail(message: string): never {
	console.error(message);
	process.exit(1);
}

function configured() {
	try {
		return loadConfig();
	} catch (error) {
		fail(error instanceof ConfigError ? error.message : String(error));
	}
}

async function openConfigured() {
	const config = configured();
	return openDatabase({ url: config.DATABASE_URL, dataDir: `${config.DATA_DIR.replace(/\/$/, '')}/pg`, migrationsFolder: MIGRATIONS_FOLDER }).catch((error: Error) =>
		fail(error.message)
	);
}

/** make-admin / remove-admin <email>: instance administrators moderate the public gallery. */
async function setAdmin(email: string | undefined, isAdmin: boolean, extra: string[]): Promise<void> {
	if (!email || extra.length > 0) fail(USAGE);
	const database = await openConfigured();
	let user;
	try {
		user = await moderation.setInstanceAdmin(database.db, email, isAdmin);
	} catch (error) {
		await database.close();
		fail(error instanceof AppError ? error.message : String(error));
	}
	await database.close();
	console.log(
		isAdmin
			? `${user.name} <${user.email}> is now an instance administrator: they moderate the gallery at /admin/moderation.`
			: `${user.name} <${user.email}> is no longer an instance administrator.`
	);
}

/** Runs one operator action on the database; an AppError (unknown email…) is printed and exits 1. */
async function withDatabase<T>(action: (db: Awaited<ReturnType<typeof openConfigured>>['db']) => Promise<T>): Promise<T> {
	const database = await openConfigured();
	let result: T;
	try {
		result = await action(database.db);
	} catch (error) {
		await database.close();
		fail(error instanceof AppError ? error.message : String(error));
	}
	await database.close();
	return result;
}

/** reset-link <email>: a password-reset link to hand over (older unused ones stop working). */
async function printResetLink(email: string | undefined, extra: string[]): Promise<void> {
	if (!email || extra.length > 0) fail(USAGE);
	const { publicOrigin } = configured();
	const link = await withDatabase((db) => passwordReset.operatorResetLink(db, email, publicOrigin));
	console.log(`Password-reset link for ${link.email} (works once, until ${link.expiresAt.toISOString()}):`);
	console.log(link.url);
}

/** verify-email <email>: the operator vouches for the address. */
async function verifyEmail(email: string | undefined, extra: string[]): Promise<void> {
	if (!email || extra.length > 0) fail(USAGE);
	const result = await withDatabase((db) => emailVerification.markVerifiedByOperator(db, email));
	console.log(result.alreadyVerified ? `${result.email} was already verified.` : `${result.email} is now verified.`);
}

async function main(args: string[]): Promise<void> {
	const [command, team, plan, ...rest] = args;
	const extra = [plan, ...rest].filter((arg) => arg !== undefined);
	if (command === 'reset-link') return printResetLink(team, extra);
	if (command === 'verify-email') return verifyEmail(team, extra);
	if (command === 'make-admin' || command === 'remove-admin')
		return setAdmin(
			team,
			command === 'make-admin',
			[plan, ...rest].filter((arg) => arg !== undefined)
		);
	if (command !== 'set-plan' || !team || !plan) fail(USAGE);
	if (!(PLAN_IDS as readonly string[]).includes(plan)) fail(`Unknown plan "${plan}": use one of ${PLAN_IDS.join(', ')}.`);
	const seatsFlag = rest.indexOf('--seats');
	const seats = seatsFlag >= 0 ? Number(rest[seatsFlag + 1]) : null;
	if (seats !== null && (!Number.isInteger(seats) || seats < 1)) fail('--seats must be a whole number of at least 1.');

	const database = await openConfigured();
	try {
		const matches = await database.db
			.select({ id: teams.id, name: teams.name })
			.from(teams)
			.where(isUuid(team) ? eq(teams.id, team) : eq(teams.name, team));
		if (matches.length === 0) fail(`No team "${team}".`);
		if (matches.length > 1) fail(`Several teams are called "${team}": use the team id (${matches.map((m) => m.id).join(', ')}).`);
		await billing.setPlan(database.db, matches[0].id, plan as PlanId, seats);
		const { limits } = await billing.teamPlan(database.db, matches[0].id);
		console.log(
			`${matches[0].name} is now on ${plan}: ${limits.seats} seats, ${limits.canvases ?? 'unlimited'} canvases, ${limits.historyDays ?? 'unlimited'} days of history, ${limits.monthlyCredits} AI credits a month.`
		);
	} finally {
		await database.close();
	}
}

await main(process.argv.slice(2));
