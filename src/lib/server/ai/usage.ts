// AI usage: one event per AI request (tokens, credits, model, member, latency, outcome), and the
// monthly report team admins read on the "AI usage" page and through the API.
import { and, asc, eq, gte, lt, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Database, Queryable } from '../db/index.ts';
import { aiUsageEvents, MODEL_TIERS, teams, users, type ModelTier } from '../db/schema.ts';
import { requireTeamRole, type Actor } from '../access.ts';
import * as billing from '../billing.ts';
import * as credits from '../credits.ts';
import { AppError, parseInput } from '../errors.ts';
import { MODEL_TIER_CATALOG } from '../plans.ts';

export const USAGE_OUTCOMES = ['succeeded', 'failed', 'cancelled'] as const;
export type UsageOutcome = (typeof USAGE_OUTCOMES)[number];

const count = z.number().int().nonnegative();
const usageEventSchema = z.object({
	teamId: z.uuid(),
	userId: z.uuid().nullable().default(null),
	canvasId: z.uuid().nullable().default(null),
	runId: z.uuid().nullable().default(null),
	feature: z.string().min(1).max(40).default('assistant'),
	provider: z.string().min(1).max(80),
	model: z.string().min(1).max(200),
	tier: z.enum(MODEL_TIERS),
	inputTokens: count.default(0),
	outputTokens: count.default(0),
	credits: count.default(0),
	ownKey: z.boolean().default(false),
	latencyMs: count.default(0),
	outcome: z.enum(USAGE_OUTCOMES),
	/** When it happened; now unless given (imports, tests). */
	createdAt: z.date().optional()
});

export type UsageEvent = z.input<typeof usageEventSchema>;

/** Writes one usage event; `credits` is what the team was charged (0 with its own key or on failure). */
export async function recordUsage(db: Queryable, event: UsageEvent): Promise<void> {
	const values = parseInput(usageEventSchema, event);
	await db.insert(aiUsageEvents).values({ ...values, createdAt: values.createdAt ?? new Date() });
}

/** `GET /api/v1/teams/{teamId}/ai-usage`: `?month=YYYY-MM` (UTC; default this month). */
export const usageQuerySchema = z.object({ month: z.string().optional() });

export interface UsageFigures {
	runs: number;
	/** Of `runs`, those the team's own provider key paid (they cost no Easel credits). */
	ownKeyRuns: number;
	failedRuns: number;
	inputTokens: number;
	outputTokens: number;
	credits: number;
}

export interface MemberUsage extends UsageFigures {
	/** null: guests on edit links and deleted accounts, together. */
	userId: string | null;
	name: string;
}

export interface TierUsage extends UsageFigures {
	tier: ModelTier;
	label: string;
	multiplier: number;
}

export interface DayUsage {
	/** YYYY-MM-DD (UTC). */
	date: string;
	runs: number;
	credits: number;
}

export interface UsageReport {
	/** YYYY-MM (UTC). */
	month: string;
	/** The months the switcher links to; null where there is nothing to see (before the team, after now). */
	previousMonth: string | null;
	nextMonth: string | null;
	totals: UsageFigures;
	/** Most credits first. */
	byMember: MemberUsage[];
	/** Every tier of the catalog, in its order. */
	byTier: TierUsage[];
	/** Every day of the month, zeros included. */
	byDay: DayUsage[];
	/** The team's credit balance now, after this period's grant. */
	balance: number;
	monthlyCredits: number;
}

const MONTH = /^(2\d{3})-(0[1-9]|1[0-2])$/;

/** The YYYY-MM of a date (UTC). */
export function monthOf(date: Date): string {
	return date.toISOString().slice(0, 7);
}

function monthStart(month: string, offset = 0): Date {
	const [, year, monthNumber] = MONTH.exec(month)!;
	return new Date(Date.UTC(Number(year), Number(monthNumber) - 1 + offset, 1));
}

const GUESTS_AND_DELETED = 'Guests and deleted accounts';

/**
 * A month's AI usage of a team, for its owners and admins (`team.usage`): NOT_FOUND for others
 * outside the team, FORBIDDEN for editors and viewers. `month` defaults to the current one.
 */
export async function usageReport(db: Database, actor: Actor, teamId: string, options: { month?: string } = {}, now = new Date()): Promise<UsageReport> {
	await requireTeamRole(db, actor, teamId, 'team.usage');
	const month = options.month ?? monthOf(now);
	if (!MONTH.test(month)) throw new AppError('INVALID_INPUT', 'month must be a month like 2026-12.', { field: 'month' });
	const from = monthStart(month);
	const to = monthStart(month, 1);
	const inMonth = and(eq(aiUsageEvents.teamId, teamId), gte(aiUsageEvents.createdAt, from), lt(aiUsageEvents.createdAt, to));

	const figures = {
		runs: sql<number>`count(*)`.mapWith(Number),
		ownKeyRuns: sql<number>`count(*) filter (where ${aiUsageEvents.ownKey})`.mapWith(Number),
		failedRuns: sql<number>`count(*) filter (where ${aiUsageEvents.outcome} <> 'succeeded')`.mapWith(Number),
		inputTokens: sql<number>`coalesce(sum(${aiUsageEvents.inputTokens}), 0)`.mapWith(Number),
		outputTokens: sql<number>`coalesce(sum(${aiUsageEvents.outputTokens}), 0)`.mapWith(Number),
		credits: sql<number>`coalesce(sum(${aiUsageEvents.credits}), 0)`.mapWith(Number)
	};
	const day = sql<string>`to_char(${aiUsageEvents.createdAt} at time zone 'UTC', 'YYYY-MM-DD')`;

	const [totals, members, tiers, days, team, balance, plan] = await Promise.all([
		db.select(figures).from(aiUsageEvents).where(inMonth),
		db
			.select({ userId: aiUsageEvents.userId, name: users.name, ...figures })
			.from(aiUsageEvents)
			.leftJoin(users, eq(users.id, aiUsageEvents.userId))
			.where(inMonth)
			.groupBy(aiUsageEvents.userId, users.name),
		db
			.select({ tier: aiUsageEvents.tier, ...figures })
			.from(aiUsageEvents)
			.where(inMonth)
			.groupBy(aiUsageEvents.tier),
		db.select({ date: day, runs: figures.runs, credits: figures.credits }).from(aiUsageEvents).where(inMonth).groupBy(day).orderBy(asc(day)),
		db.select({ createdAt: teams.createdAt }).from(teams).where(eq(teams.id, teamId)),
		credits.currentBalance(db, teamId, now),
		billing.teamPlan(db, teamId, now)
	]);

	const empty: UsageFigures = { runs: 0, ownKeyRuns: 0, failedRuns: 0, inputTokens: 0, outputTokens: 0, credits: 0 };
	const perDay = new Map(days.map((row) => [row.date, row]));
	const byDay: DayUsage[] = [];
	for (let date = from; date < to; date = new Date(date.getTime() + 86_400_000)) {
		const key = date.toISOString().slice(0, 10);
		byDay.push({ date: key, runs: perDay.get(key)?.runs ?? 0, credits: perDay.get(key)?.credits ?? 0 });
	}
	const perTier = new Map(tiers.map((row) => [row.tier, row]));
	const teamStart = team[0] ? monthOf(team[0].createdAt) : month;
	return {
		month,
		previousMonth: month > teamStart ? monthOf(monthStart(month, -1)) : null,
		nextMonth: month < monthOf(now) ? monthOf(to) : null,
		totals: totals[0] ?? empty,
		byMember: members
			.map(({ userId, name, ...rest }) => ({ userId, name: userId && name ? name : GUESTS_AND_DELETED, ...rest }))
			.sort((a, b) => b.credits - a.credits || b.runs - a.runs || a.name.localeCompare(b.name)),
		byTier: MODEL_TIERS.map((tier) => ({ ...empty, ...perTier.get(tier), tier, label: MODEL_TIER_CATALOG[tier].label, multiplier: MODEL_TIER_CATALOG[tier].multiplier })),
		byDay,
		balance,
		monthlyCredits: plan.limits.monthlyCredits
	};
}
