// Code per node in Chromium against the built server and a local OpenAI-protocol test server: a
// three-node diagram (an API on FastAPI with arrows to PostgreSQL and Redis), "Generate code for
// all nodes" from the canvas's context menu, the confirm step with a language per node and the
// price, files arriving in the code view highlighted, copy, the .zip, and reopening it from the
// chat answer without a second charge; narrow screens too.
import { mkdirSync, readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { unzipSync, strFromU8 } from 'fflate';
import type { AiTestServer } from '../helpers/ai-test-server.ts';
import { ordersDiagram } from '../helpers/code-diagrams.ts';
import { startOpenAiTestServer } from '../helpers/openai-test-server.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { expect, SCREENS, signUpThroughUi, test as base, waitForCanvas } from './fixtures.ts';

mkdirSync(SCREENS, { recursive: true });

const forNode = (label: string) => new RegExp(`<component>\\s*\\{\\s*"label": "${label}"`);

/** One file per node; the cache's answer streams slowly so the view can be seen while files arrive. */
const ANSWERS = {
	api: '```python path=main.py\nimport os\nfrom fastapi import FastAPI\nfrom redis import Redis\nfrom sqlalchemy import create_engine\n\napp = FastAPI()\nengine = create_engine(os.environ["DATABASE_URL"])\ncache = Redis.from_url(os.environ["REDIS_URL"])\n\n\n@app.get("/health")\ndef health() -> dict[str, str]:\n    return {"status": "ok"}\n```',
	db: '```python path=models.py\nfrom sqlalchemy import String\nfrom sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column\n\n\nclass Base(DeclarativeBase):\n    pass\n\n\nclass Order(Base):\n    __tablename__ = "orders"\n    id: Mapped[int] = mapped_column(primary_key=True)\n    status: Mapped[str] = mapped_column(String(20))\n```',
	cache: '```python path=cache.py\nfrom redis import Redis\n\n\ndef connect(url: str) -> Redis:\n    return Redis.from_url(url, decode_responses=True)\n```'
};

const test = base.extend<Record<never, never>, { provider: AiTestServer; server: { current: RunningServer } }>({
	provider: [
		async ({}, use) => {
			const provider = await startOpenAiTestServer({
				rules: [
					{ match: forNode('Orders API'), reply: { kind: 'text', text: ANSWERS.api } },
					{ match: forNode('Orders DB'), reply: { kind: 'text', text: ANSWERS.db } },
					{ match: forNode('Session cache'), reply: { kind: 'text', text: ANSWERS.cache, chunkSize: 4, delayMs: 120 } }
				]
			});
			await use(provider);
			await provider.close();
		},
		{ scope: 'worker' }
	],
	server: [
		async ({ provider }, use) => {
			const holder = {
				current: await startServer({
					env: { AI_PROVIDER: 'openai-compatible', AI_BASE_URL: provider.baseURL, AI_API_KEY: 'test-key', AI_MODEL_FAST: 'fast-model', AI_TIMEOUT_SECONDS: '30' }
				})
			};
			await use(holder);
			await holder.current.dispose();
		},
		{ scope: 'worker' }
	]
});

async function creditBalance(page: Page): Promise<number> {
	const me = (await (await page.request.get('/api/v1/me')).json()) as { teams: { id: string }[] };
	return ((await (await page.request.get(`/api/v1/teams/${me.teams[0].id}/credits`)).json()) as { balance: number }).balance;
}

test('generate code for a three-node diagram: confirm with the price, files arrive highlighted, copy, zip, reopen from the chat for free', async ({
	page,
	context,
	provider
}) => {
	await context.grantPermissions(['clipboard-read', 'clipboard-write']);
	await signUpThroughUi(page, 'Ada');
	await page.getByLabel('New canvas title').fill('Orders');
	await page.getByRole('button', { name: 'New canvas' }).click();
	await waitForCanvas(page);
	await page.evaluate((records) => {
		const editor = window.__easelEditor!;
		editor.store.put(Object.values(records) as Parameters<typeof editor.store.put>[0]);
		editor.zoomToFit();
	}, ordersDiagram());
	await expect.poll(() => page.evaluate(() => window.__easelEditor!.getCurrentPageShapes().length)).toBe(5);
	const before = await creditBalance(page);

	// The context menu on an empty spot offers code for all nodes.
	const canvas = page.locator('.tl-canvas');
	const box = (await canvas.boundingBox())!;
	await page.mouse.click(box.x + box.width * 0.45, box.y + box.height * 0.15, { button: 'right' });
	await page.getByRole('menuitem', { name: 'Generate code for all nodes' }).click();

	// The confirm step: each node with its default language/framework, the bulk price and the balance.
	const confirm = page.getByTestId('code-confirm');
	await expect(confirm.getByRole('heading', { name: 'Generate code for 3 nodes' })).toBeVisible();
	const targets = confirm.getByTestId('code-target');
	await expect(targets).toHaveCount(3);
	await expect(confirm.getByLabel(/Orders API/)).toHaveValue('python-fastapi');
	await expect(confirm.getByLabel(/Orders DB/)).toHaveValue('python-sqlalchemy');
	await expect(confirm.getByLabel(/Session cache/)).toHaveValue('python-client');
	await expect(confirm.getByTestId('code-cost')).toContainText('9 credits');
	await expect(confirm.getByTestId('code-cost')).toContainText(`3 nodes × 3 (bulk price) · balance ${before}`);
	await page.screenshot({ path: `${SCREENS}/code-confirm.png` });
	await confirm.getByTestId('code-start').click();

	// The code view: the API's and the database's files first, the cache still being written.
	const modal = page.getByTestId('code-modal');
	await expect(modal.getByTestId('code-file')).toHaveCount(2);
	await expect(modal.getByText('Writing…')).toBeVisible();
	await expect(modal.getByTestId('code-status')).toContainText('Generating…');
	await page.screenshot({ path: `${SCREENS}/code-arriving.png` });

	await expect(modal.getByTestId('code-status')).toContainText('Code for 3 nodes · 9 credits', { timeout: 30_000 });
	await expect(modal.getByTestId('code-file')).toHaveCount(3);
	await expect(modal.getByTestId('code-node').locator('h3')).toHaveText(['orders-api', 'orders-db', 'session-cache']);

	// Each file shows its imports, highlighted by shiki (coloured spans, not plain text).
	const view = modal.getByTestId('code-view');
	for (const [file, imports] of [
		['main.py', ['from fastapi import FastAPI', 'from redis import Redis', 'from sqlalchemy import create_engine']],
		['models.py', ['from sqlalchemy.orm import DeclarativeBase']],
		['cache.py', ['from redis import Redis']]
	] as const) {
		await modal.getByTestId('code-file').filter({ hasText: file }).click();
		await expect(modal.getByTestId('code-path')).toHaveText(new RegExp(`/${file.replace('.', '\\.')}$`));
		for (const line of imports) await expect(view).toContainText(line);
		await expect(view.locator('pre.shiki span[style*="color"]').first()).toBeVisible();
	}
	await page.screenshot({ path: `${SCREENS}/code-done.png` });

	// Copy puts the file's text on the clipboard.
	await modal.getByRole('button', { name: 'Copy' }).click();
	await expect(modal.getByRole('button', { name: 'Copied' })).toBeVisible();
	expect(await page.evaluate(() => navigator.clipboard.readText())).toContain('def connect(url: str) -> Redis:');

	// The zip holds the three files under their node folders.
	const [download] = await Promise.all([page.waitForEvent('download'), modal.getByTestId('code-zip').click()]);
	expect(download.suggestedFilename()).toBe('Orders-code.zip');
	const entries = unzipSync(new Uint8Array(readFileSync(await download.path())));
	expect(Object.keys(entries).sort()).toEqual(['orders-api/main.py', 'orders-db/models.py', 'session-cache/cache.py']);
	expect(strFromU8(entries['orders-api/main.py'])).toContain('from fastapi import FastAPI');

	expect(await creditBalance(page)).toBe(before - 9);
	const calls = provider.generations().length;

	// Closed and opened again from the chat answer: the stored files, no model call, no charge.
	await modal.getByRole('button', { name: 'Close' }).click();
	await expect(modal).toHaveCount(0);
	await page.getByRole('button', { name: /^Chat/ }).click();
	await page.getByTestId('open-work').click();
	await expect(page.getByTestId('code-modal').getByTestId('code-file')).toHaveCount(3);
	await expect(page.getByTestId('code-status')).toContainText('Code for 3 nodes · 9 credits');
	expect(provider.generations().length).toBe(calls);
	expect(await creditBalance(page)).toBe(before - 9);

	// Narrow: the file list sits above the code, both usable.
	await page.setViewportSize({ width: 390, height: 844 });
	await page.getByTestId('code-file').filter({ hasText: 'main.py' }).click();
	await expect(page.getByTestId('code-view')).toContainText('from fastapi import FastAPI');
	await page.screenshot({ path: `${SCREENS}/code-narrow.png` });

	// A phone has no right-click: the header's More menu asks for code for every box too.
	await page.getByTestId('code-modal').getByRole('button', { name: 'Close' }).click();
	await page.getByLabel('More actions').click();
	await page.getByRole('menuitem', { name: 'Generate code for all nodes' }).click();
	await expect(page.getByTestId('code-confirm').getByRole('heading', { name: 'Generate code for 3 nodes' })).toBeVisible();
	await page.getByTestId('code-confirm').getByRole('button', { name: 'Cancel' }).click();
	expect(provider.generations().length).toBe(calls);
});

test('a node whose model call fails says why, costs nothing, and Retry makes it for that node alone', async ({ page, provider }) => {
	await signUpThroughUi(page, 'Bo');
	await page.getByLabel('New canvas title').fill('Retry');
	await page.getByRole('button', { name: 'New canvas' }).click();
	await waitForCanvas(page);
	await page.evaluate((records) => {
		const editor = window.__easelEditor!;
		editor.store.put(Object.values(records) as Parameters<typeof editor.store.put>[0]);
		editor.zoomToFit();
		editor.setSelectedShapes(['shape:orders-cache'] as Parameters<typeof editor.setSelectedShapes>[0]);
	}, ordersDiagram());
	const before = await creditBalance(page);

	// Right-click the selected cache: code for that node alone, at the single-node price.
	const cache = (await page.locator('[data-shape-id="shape:orders-cache"]').boundingBox())!;
	await page.mouse.click(cache.x + cache.width / 2, cache.y + cache.height / 2, { button: 'right' });
	await page.getByRole('menuitem', { name: 'Generate code', exact: true }).click();
	const confirm = page.getByTestId('code-confirm');
	await expect(confirm.getByRole('heading', { name: 'Generate code for Session cache' })).toBeVisible();
	await expect(confirm.getByTestId('code-cost')).toContainText('5 credits');
	provider.enqueue({ kind: 'http-error', status: 400, message: 'context length exceeded' });
	await confirm.getByTestId('code-start').click();

	const modal = page.getByTestId('code-modal');
	await expect(modal.getByTestId('code-status')).toContainText('No code could be made');
	await expect(modal.getByTestId('code-node-error')).toContainText('The AI provider failed (400)');
	await page.screenshot({ path: `${SCREENS}/code-failed.png` });
	expect(await creditBalance(page)).toBe(before);

	await modal.getByTestId('code-retry').click();
	await expect(confirm.getByRole('heading', { name: 'Generate code for Session cache' })).toBeVisible();
	await confirm.getByTestId('code-start').click();
	await expect(page.getByTestId('code-status')).toContainText('Code for 1 node · 5 credits', { timeout: 30_000 });
	await expect(page.getByTestId('code-view')).toContainText('from redis import Redis');
	expect(await creditBalance(page)).toBe(before - 5);
});
