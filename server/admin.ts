// `npm run admin -- <command>`: operator commands for a self-hosted Easel (no Stripe).
//   set-plan <team id or exact name> <free|pro|team> [--seats N]
import { eq } from 'drizzle-orm';
import { ConfigError, loadConfig } from '../src/lib/server/config.ts';
import { openDatabase } from '../src/lib/server/db/index.ts';
import { PLAN_IDS, teams, type PlanId } from '../src/lib/server/db/schema.ts';
import * as billing from '../src/lib/server/billing.ts';
import { isUuid } from '../src/lib/server/access.ts';
import { MIGRATIONS_FOLDER } from './bootstrap.ts';

const USAGE = 'usage: npm run admin -- set-plan <team id or name> <free|pro|team> [--seats N]';

function fail(message: string): never {
	console.error(message);
	process.exit(1);
}

async function main(args: string[]): Promise<void> {
	const [command, team, plan, ...rest] = args;
	if (command !== 'set-plan' || !team || !plan) fail(USAGE);
	if (!(PLAN_IDS as readonly string[]).includes(plan)) fail(`Unknown plan "${plan}": use one of ${PLAN_IDS.join(', ')}.`);
	const seatsFlag = rest.indexOf('--seats');
	const seats = seatsFlag >= 0 ? Number(rest[seatsFlag + 1]) : null;
	if (seats !== null && (!Number.isInteger(seats) || seats < 1)) fail('--seats must be a whole number of at least 1.');

	let config;
	try {
		config = loadConfig();
	} catch (error) {
		fail(error instanceof ConfigError ? error.message : String(error));
	}
	const database = await openDatabase({ url: config.DATABASE_URL, dataDir: `${config.DATA_DIR.replace(/\/$/, '')}/pg`, migrationsFolder: MIGRATIONS_FOLDER }).catch(
		(error: Error) => fail(error.message)
	);
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
