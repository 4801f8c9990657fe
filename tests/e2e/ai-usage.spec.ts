// The AI usage page: owners and admins find it in the team's tabs, a fresh Free team sees its 50
// monthly credits and the empty state, members without admin rights see no link and are refused; a
// server on PostgreSQL, seeded directly, shows a filled month (chart, table fallback, by member/tier).
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from '@playwright/test';
import { sql } from 'drizzle-orm';
import { recordUsage, type UsageEvent } from '../../src/lib/server/ai/usage.ts';
import { openDatabase } from '../../src/lib/server/db/index.ts';
import { createScratchPostgres, postgresReachable } from '../helpers/databases.ts';
import { startServer } from '../helpers/server.ts';
import { expect, sameOrigin, SCREENS, signUpThroughUi, test } from './fixtures.ts';

mkdirSync(SCREENS, { recursive: true });

async function myTeams(page: Page): Promise<{ id: string; name: string }[]> {
	const response = await page.request.get('/api/v1/me');
	return ((await response.json()) as { teams: { id: string; name: string }[] }).teams;
}

/** Signs a new person up in a fresh context and has them join `teamId` with `role` through an invitation the owner makes. */
async function member(browser: Browser, baseURL: string, owner: Page, teamId: string, name: string, role: 'editor' | 'admin') {
	const created = await owner.request.post(`/api/v1/teams/${teamId}/invitations`, { data: { role }, headers: sameOrigin(owner) });
	expect(created.status()).toBe(201);
	const { token } = (await created.json()) as { token: string };
	const context = await browser.newContext({ baseURL });
	const page = await context.newPage();
	await signUpThroughUi(page, name);
	const accepted = await page.request.post(`/api/v1/invitations/${token}/accept`, { headers: sameOrigin(page) });
	expect(accepted.status()).toBe(200);
	return { page, context, id: ((await (await page.request.get('/api/v1/me')).json()) as { user: { id: string } }).user.id };
}

test('a fresh Free team: the owner sees 50 credits and the empty state; an editor has no link and is refused', async ({ page, browser, baseURL }) => {
	await signUpThroughUi(page, 'Uma');
	const [team] = await myTeams(page);
	await page.goto(`/teams/${team.id}`);
	await page.getByRole('navigation', { name: 'Team' }).getByRole('link', { name: 'AI usage' }).click();
	await expect(page).toHaveURL(`/teams/${team.id}/ai-usage`);
	await expect(page.getByRole('heading', { name: 'AI usage', level: 1 })).toBeVisible();
	await expect(page.getByRole('link', { name: 'AI usage' })).toHaveAttribute('aria-current', 'page');
	await expect(page.getByTestId('usage-balance')).toHaveText('50');
	await expect(page.getByText('50 added every month; unused credits never expire.')).toBeVisible();
	await expect(page.getByTestId('usage-empty')).toContainText('No AI usage this month yet');
	await expect(page.getByTestId('usage-month')).toHaveText(new Intl.DateTimeFormat('en', { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date()));
	// Nothing before the team existed, nothing after this month.
	await expect(page.getByRole('link', { name: /Previous month|Next month/ })).toHaveCount(0);
	await page.screenshot({ path: `${SCREENS}/usage-empty.png`, fullPage: true });

	// The billing page shows the same monthly grant.
	await page.getByRole('link', { name: 'Billing' }).click();
	await expect(page.getByTestId('credit-balance')).toHaveText('50');
	await expect(page.getByRole('cell', { name: 'Monthly grant' })).toBeVisible();

	const editor = await member(browser, baseURL, page, team.id, 'Eddie', 'editor');
	await editor.page.goto(`/teams/${team.id}`);
	await expect(editor.page.getByRole('navigation', { name: 'Team' }).getByRole('link', { name: 'Members' })).toBeVisible();
	await expect(editor.page.getByRole('link', { name: 'AI usage' })).toHaveCount(0);
	const refused = await editor.page.goto(`/teams/${team.id}/ai-usage`);
	expect(refused?.status()).toBe(403);
	await expect(editor.page.getByText('As an editor you may not see AI usage.')).toBeVisible();
	await editor.context.close();
});

test('a month with usage: balance, credits by day as a chart and a table, by member and by tier', async ({ browser }) => {
	// Only without PostgreSQL, which CI requires (importing databases.ts fails there without it).
	test.skip(!postgresReachable, 'needs PostgreSQL to seed the server database directly');
	const scratch = await createScratchPostgres();
	const server = await startServer({ env: { DATABASE_URL: scratch.url } });
	const direct = await openDatabase({ url: scratch.url, maxConnections: 2 });
	try {
		const context = await browser.newContext({ baseURL: server.url });
		const page = await context.newPage();
		await signUpThroughUi(page, 'Olga');
		const [team] = await myTeams(page);
		const me = ((await (await page.request.get('/api/v1/me')).json()) as { user: { id: string } }).user.id;
		const ada = await member(browser, server.url, page, team.id, 'Ada', 'admin');
		const eddie = await member(browser, server.url, page, team.id, 'Eddie', 'editor');

		const now = new Date();
		const day = (date: number, hour = 10) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), date, hour));
		const event = (overrides: Partial<UsageEvent>): UsageEvent => ({
			teamId: team.id,
			provider: 'openai-compatible',
			model: 'gpt-fast',
			tier: 'fast',
			inputTokens: 1200,
			outputTokens: 300,
			credits: 1,
			latencyMs: 1400,
			outcome: 'succeeded',
			...overrides
		});
		const seeded: Partial<UsageEvent>[] = [
			...[1, 1, 2, 4, 4, 4, 7].map((date) => ({ userId: me, createdAt: day(date) })),
			{ userId: me, createdAt: day(2), tier: 'balanced', credits: 3, inputTokens: 5200, outputTokens: 900 },
			{ userId: ada.id, createdAt: day(3), tier: 'best', credits: 10, inputTokens: 14000, outputTokens: 2100 },
			{ userId: ada.id, createdAt: day(5), tier: 'balanced', credits: 3 },
			{ userId: ada.id, createdAt: day(6), ownKey: true, credits: 0, inputTokens: 3000, outputTokens: 500 },
			{ userId: eddie.id, createdAt: day(6), credits: 1 },
			{ userId: eddie.id, createdAt: day(8), outcome: 'failed', credits: 0, inputTokens: 800, outputTokens: 0 },
			{ userId: null, createdAt: day(9), credits: 1 }
		];
		for (const overrides of seeded) await recordUsage(direct.db, event(overrides));

		await page.goto(`/teams/${team.id}/ai-usage`);
		await expect(page.getByTestId('usage-balance')).toHaveText('50');
		await expect(page.getByTestId('usage-credits')).toHaveText('25');
		await expect(page.getByTestId('usage-runs')).toHaveText('14');
		await expect(page.getByText('1 run with your own key, 1 run failed or cancelled (free)')).toBeVisible();
		const chart = page.getByRole('img', { name: /^Credits used by day in / });
		await expect(chart).toBeVisible();
		await expect(chart.locator('rect')).toHaveCount(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 0)).getUTCDate() + 1); // + the own-key-only day's marker
		const members = page.getByTestId('usage-by-member');
		await expect(members.getByRole('row')).toHaveCount(1 + 4);
		await expect(members.getByRole('row').nth(1)).toContainText('Ada');
		await expect(members.getByRole('row').nth(1)).toContainText('13');
		await expect(members.getByRole('row', { name: /Guests and deleted accounts/ })).toBeVisible();
		await expect(page.getByTestId('usage-by-tier').getByRole('row', { name: /Best/ })).toContainText('10');
		await page.screenshot({ path: `${SCREENS}/usage-filled.png`, fullPage: true });

		await page.getByText('Show as a table').click();
		await expect(page.getByRole('table', { name: /Credits and runs by day/ }).getByRole('row', { name: /\b3\b.*\b1\b.*\b10\b/ })).toBeVisible();
		await page.setViewportSize({ width: 390, height: 900 });
		await page.screenshot({ path: `${SCREENS}/usage-filled-390.png`, fullPage: true });

		// The month switcher goes back, to an empty month, and forward again.
		await page.setViewportSize({ width: 1280, height: 800 });
		await direct.db.execute(sql`update teams set created_at = created_at - interval '40 days' where id = ${team.id}`);
		await page.reload();
		await page.getByRole('link', { name: /^Previous month/ }).click();
		await expect(page.getByTestId('usage-empty')).toContainText('No AI usage in');
		await page.getByRole('link', { name: /^Next month/ }).click();
		await expect(page.getByTestId('usage-credits')).toHaveText('25');
		await Promise.all([ada.context.close(), eddie.context.close(), context.close()]);
	} finally {
		await direct.close();
		await server.dispose();
		await scratch.drop();
	}
});
