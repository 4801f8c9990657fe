// The team settings page's AI section: an admin brings their own key, tests the connection against a
// local OpenAI-protocol server (ok, then a refused key), and lets edit-link guests use AI; members
// who are not admins do not see the section.
import { mkdirSync } from 'node:fs';
import type { Page } from '@playwright/test';
import type { AiTestServer } from '../helpers/ai-test-server.ts';
import { startOpenAiTestServer } from '../helpers/openai-test-server.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { expect, sameOrigin, signUpThroughUi, test as base } from './fixtures.ts';

/** Screens reviewers look at (not committed). */
const SCREENS = process.env.EASEL_SCREENS ?? '/work/screens';
mkdirSync(SCREENS, { recursive: true });

const TEAM_KEY = 'sk-team-e2e-key-ABCD';

/** The provider runs in-process; the built app reaches it through AI_BASE_URL (the operator's) or a team's base URL. */
const test = base.extend<Record<never, never>, { provider: AiTestServer; server: { current: RunningServer } }>({
	provider: [
		async ({}, use) => {
			const provider = await startOpenAiTestServer({ apiKey: TEAM_KEY, defaultReply: { kind: 'text', text: 'OK' } });
			await use(provider);
			await provider.close();
		},
		{ scope: 'worker' }
	],
	server: [
		async ({ provider }, use) => {
			const holder = {
				current: await startServer({
					env: { AI_PROVIDER: 'openai-compatible', AI_BASE_URL: provider.baseURL, AI_MODEL_FAST: 'server-fast', AI_ALLOW_PRIVATE_TEAM_URLS: 'true' }
				})
			};
			await use(holder);
			await holder.current.dispose();
		},
		{ scope: 'worker' }
	]
});

async function personalTeamId(page: Page): Promise<string> {
	const body = (await (await page.request.get('/api/v1/me')).json()) as { teams: { id: string }[] };
	return body.teams[0].id;
}

test('an admin brings their own key, tests the connection, and lets guests use AI', async ({ page, provider, browser, baseURL }) => {
	await signUpThroughUi(page, 'Ada');
	const teamId = await personalTeamId(page);
	await page.goto(`/teams/${teamId}/settings`);
	const section = page.getByRole('region', { name: 'AI' });
	await expect(section.getByTestId('ai-status')).toHaveText("Runs use the server's provider (openai-compatible) and the team's credits.");

	await section.getByLabel('Provider').selectOption('openai-compatible');
	await section.getByLabel('Base URL').fill(provider.baseURL);
	await section.getByLabel('Fast').fill('team-fast');
	await section.getByLabel('Balanced').fill('team-balanced');
	await section.getByLabel(/API key/).fill(TEAM_KEY);
	await section.getByRole('button', { name: 'Save AI settings' }).click();
	await expect(section.getByRole('status')).toHaveText('AI settings saved.');
	await expect(section.getByTestId('ai-status')).toHaveText("The team's own provider is in use: assistant runs cost no Easel credits.");
	const keyField = section.getByLabel(/API key/);
	await expect(keyField).toHaveValue('');
	await expect(keyField).toHaveAttribute('placeholder', 'Saved key ••••ABCD (leave blank to keep it)');
	expect(await page.content()).not.toContain(TEAM_KEY);
	await page.screenshot({ path: `${SCREENS}/providers-filled.png`, fullPage: true });

	await section.getByRole('button', { name: 'Test connection' }).click();
	await expect(section.getByTestId('ai-test-result')).toHaveText(/^Connected: team-fast answered in \d+ ms\.$/);
	expect(provider.generations().at(-1)).toMatchObject({ apiKey: TEAM_KEY, model: 'team-fast' });
	await page.screenshot({ path: `${SCREENS}/providers-test-ok.png`, fullPage: true });

	await keyField.fill('sk-typo-0000');
	await section.getByRole('button', { name: 'Test connection' }).click();
	await expect(section.getByTestId('ai-test-result')).toHaveText('Connection failed: The provider refused the key (HTTP 401). Check the API key.');
	await expect(keyField).toHaveValue('sk-typo-0000'); // kept for fixing, never echoed by the server
	await page.screenshot({ path: `${SCREENS}/providers-test-failed.png`, fullPage: true });

	const guests = section.getByLabel("Let edit-link guests use AI (uses the team's credits)");
	await expect(guests).not.toBeChecked();
	await guests.check();
	await expect(section.getByText('Edit-link guests may now use AI.')).toBeVisible();
	await page.reload();
	await expect(page.getByRole('region', { name: 'AI' }).getByLabel("Let edit-link guests use AI (uses the team's credits)")).toBeChecked();

	// An editor of the same team sees no AI section.
	const invite = await page.request.post(`/api/v1/teams/${teamId}/invitations`, { data: { role: 'editor' }, headers: sameOrigin(page) });
	const { token } = (await invite.json()) as { token: string };
	const editorContext = await browser.newContext({ baseURL });
	const editor = await editorContext.newPage();
	await signUpThroughUi(editor, 'Eve');
	expect((await editor.request.post(`/api/v1/invitations/${token}/accept`, { headers: sameOrigin(editor) })).status()).toBe(200);
	await editor.goto(`/teams/${teamId}/settings`);
	await expect(editor.getByRole('heading', { name: 'Team name' })).toBeVisible();
	await expect(editor.getByRole('region', { name: 'AI' })).toHaveCount(0);
	await editorContext.close();
});

test('a narrow screen stacks the tier fields', async ({ page }) => {
	await page.setViewportSize({ width: 390, height: 844 });
	await signUpThroughUi(page, 'Nora');
	await page.goto(`/teams/${await personalTeamId(page)}/settings`);
	const section = page.getByRole('region', { name: 'AI' });
	await section.getByLabel('Provider').selectOption('anthropic');
	await expect(section.getByLabel('Fast')).toHaveAttribute('placeholder', 'claude-haiku-4-5');
	await page.screenshot({ path: `${SCREENS}/providers-narrow.png`, fullPage: true });
});
