// Playwright fixtures: a real production server per spec file, and helpers to sign up through the UI.
import { test as base, expect, type Page } from '@playwright/test';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { uniqueEmail } from '../helpers/unique.ts';

export const PASSWORD = 'a long enough password';

export const test = base.extend<{ baseURL: string }, { server: { current: RunningServer } }>({
	server: [
		async ({}, use) => {
			const holder = { current: await startServer() };
			await use(holder);
			await holder.current.dispose();
		},
		{ scope: 'worker' }
	],
	baseURL: async ({ server }, use) => use(server.current.url)
});

export { expect };

export async function signUpThroughUi(page: Page, name: string): Promise<{ email: string }> {
	const email = uniqueEmail(name.toLowerCase());
	await page.goto('/signup');
	await page.getByLabel('Name').fill(name);
	await page.getByLabel('Email').fill(email);
	await page.getByLabel('Password').fill(PASSWORD);
	await page.getByRole('button', { name: 'Create account' }).click();
	await expect(page.getByRole('heading', { name: 'Canvases' })).toBeVisible();
	return { email };
}

export async function signInThroughUi(page: Page, email: string): Promise<void> {
	await page.goto('/login');
	await page.getByLabel('Email').fill(email);
	await page.getByLabel('Password').fill(PASSWORD);
	await page.getByRole('button', { name: 'Sign in' }).click();
	await expect(page.getByRole('heading', { name: 'Canvases' })).toBeVisible();
}
