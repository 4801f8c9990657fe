// The chat beside a canvas, between people (no assistant configured): live messages, typing, unread
// badge, edits as branches, read-only viewers, hostile text, and the panel on a phone.
import type { Page } from '@playwright/test';
import { expect, SCREENS, signUpThroughUi, test, waitForCanvas } from './fixtures.ts';

const SHOTS = process.env.CHAT_SCREENS ?? SCREENS;

/** Creates a share link for anyone in the open Share dialog and returns its path (`/s/<token>`). */
async function createShareLink(page: Page, access: 'Can view' | 'Can edit'): Promise<string> {
	const dialog = page.getByRole('dialog', { name: /^Share/ });
	await dialog.getByRole('radio', { name: access }).check();
	await dialog.getByRole('radio', { name: 'Anyone with the link' }).check();
	const shown = dialog.getByLabel('Share link');
	const previous = (await shown.count()) > 0 ? await shown.inputValue() : null;
	await dialog.getByRole('button', { name: 'Create link' }).click();
	await expect.poll(() => shown.inputValue()).not.toBe(previous);
	return new URL(await shown.inputValue()).pathname;
}

function chatPanel(page: Page) {
	return page.getByTestId('chat-panel');
}

async function openChat(page: Page) {
	await page.getByRole('button', { name: /^Chat/ }).click();
	await expect(chatPanel(page)).toBeVisible();
}

/** Types into the composer (Shift+Enter for new lines) and sends with Enter. */
async function sendMessage(page: Page, text: string) {
	const composer = chatPanel(page).getByRole('textbox', { name: 'Message' });
	await composer.click();
	const lines = text.split('\n');
	for (const [index, line] of lines.entries()) {
		if (index > 0) await composer.press('Shift+Enter');
		await composer.pressSequentially(line, { delay: 2 });
	}
	await composer.press('Enter');
	await expect(composer).toHaveValue('');
}

function messages(page: Page) {
	return chatPanel(page).getByTestId('chat-message');
}

test('two people chat live beside a canvas: typing, unread badge, code, hostile text, edits as branches, a read-only guest, and a phone', async ({ browser }) => {
	const adaContext = await browser.newContext();
	const ada = await adaContext.newPage();
	await signUpThroughUi(ada, 'Ada');
	await ada.getByLabel('New canvas title').fill('Cache design');
	await ada.getByRole('button', { name: 'New canvas' }).click();
	await waitForCanvas(ada);

	// An empty chat, and no assistant on this server: the panel says how to turn it on.
	await openChat(ada);
	await expect(chatPanel(ada).getByText('No messages yet…')).toBeVisible();
	const setup = chatPanel(ada).getByTestId('assistant-not-configured');
	await expect(setup).toContainText('AI is not set up on this server');
	await expect(setup).toContainText('AI_PROVIDER=');
	await expect(chatPanel(ada).getByRole('button', { name: /Ask AI/ })).toHaveCount(0);
	await ada.screenshot({ path: `${SHOTS}/chat-empty.png` });

	await ada.getByRole('button', { name: 'Share', exact: true }).click();
	const editPath = await createShareLink(ada, 'Can edit');
	const viewPath = await createShareLink(ada, 'Can view');
	await ada.keyboard.press('Escape');
	await expect(ada.getByRole('dialog', { name: /^Share/ })).toBeHidden();

	// Bo, another account, joins through the edit link; his chat is closed.
	const boContext = await browser.newContext();
	const bo = await boContext.newPage();
	await signUpThroughUi(bo, 'Bo');
	await bo.goto(editPath);
	await waitForCanvas(bo);
	await expect(chatPanel(bo)).toHaveCount(0);

	// Ada writes; Bo's closed chat counts it.
	await sendMessage(ada, 'Hello Bo, shall we put **Redis** in front of the API?');
	await expect(messages(ada)).toHaveCount(1);
	await expect(bo.getByTestId('chat-unread')).toHaveText('1');
	await sendMessage(ada, 'See https://redis.io/docs for the eviction policies');
	await expect(bo.getByTestId('chat-unread')).toHaveText('2');
	await expect(ada.getByTestId('chat-unread')).toHaveCount(0);

	// Opening it shows the messages and clears the badge.
	await openChat(bo);
	await expect(messages(bo)).toHaveCount(2);
	await expect(messages(bo).first()).toContainText('Ada');
	await expect(messages(bo).first().locator('strong')).toHaveText('Redis');
	await expect(messages(bo).nth(1).getByRole('link', { name: 'https://redis.io/docs' })).toHaveAttribute('rel', 'noopener noreferrer');
	await expect(bo.getByTestId('chat-unread')).toHaveCount(0);

	// Bo types: Ada sees it, and it goes once he sends.
	const boComposer = chatPanel(bo).getByRole('textbox', { name: 'Message' });
	await boComposer.pressSequentially('Yes, with a', { delay: 5 });
	await expect(chatPanel(ada).getByTestId('typing-indicator')).toHaveText('Bo is typing…');
	await ada.screenshot({ path: `${SHOTS}/chat-typing.png` });
	await boComposer.fill('');
	await sendMessage(
		bo,
		'Yes, with a short TTL:\n```ts\nconst cache = new Redis({ ttlSeconds: 60 });\nexport async function get(key: string) {\n  return cache.get(key);\n}\n```'
	);
	await expect(messages(ada)).toHaveCount(3);
	await expect(chatPanel(ada).getByTestId('typing-indicator')).toHaveText('');
	// The code block is highlighted once the highlighter has loaded.
	await expect(messages(ada).nth(2).locator('pre.shiki')).toBeVisible();
	await expect(messages(ada).nth(2).locator('pre')).toContainText('const cache = new Redis({ ttlSeconds: 60 });');

	// Hostile text is shown as the text that was typed.
	const hostile = '<img src=x onerror="window.__pwned=1"> <script>window.__pwned=2</script> [x](javascript:window.__pwned=3)';
	await sendMessage(bo, hostile);
	await expect(messages(ada)).toHaveCount(4);
	await expect(messages(ada).nth(3)).toContainText('<img src=x onerror="window.__pwned=1">');
	await expect(messages(ada).nth(3)).toContainText('<script>window.__pwned=2</script>');
	await expect(messages(ada).nth(3).locator('img, script')).toHaveCount(0);
	await messages(ada).nth(3).getByText('x', { exact: true }).click();
	expect(await ada.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
	expect(await bo.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();

	// Ada edits her first message: a new version beside the original (2/2), and the thread below it starts afresh.
	const first = messages(ada).first();
	await first.hover();
	await first.getByRole('button', { name: 'Edit' }).click();
	await first.getByRole('textbox', { name: 'Edit message' }).fill('Hello Bo, shall we put **Redis** or Memcached in front of the API?');
	await first.getByRole('button', { name: 'Save as new version' }).click();
	await expect(messages(ada)).toHaveCount(1);
	await expect(messages(ada).first()).toContainText('or Memcached');
	await expect(messages(ada).first().getByTestId('branch-position')).toHaveText('2/2');
	await expect(messages(bo)).toHaveCount(1);
	await expect(messages(bo).first().getByTestId('branch-position')).toHaveText('2/2');

	// Switching back is each reader's own choice: Ada sees the original and its replies, Bo stays on the new one.
	await messages(ada).first().getByRole('button', { name: 'Previous version' }).click();
	await expect(messages(ada).first().getByTestId('branch-position')).toHaveText('1/2');
	await expect(messages(ada)).toHaveCount(4);
	await expect(messages(ada).nth(2).locator('pre.shiki')).toBeVisible();
	await expect(messages(bo)).toHaveCount(1);
	await ada.screenshot({ path: `${SHOTS}/chat-conversation.png` });
	await messages(ada).first().getByRole('button', { name: 'Next version' }).click();
	await expect(messages(ada).first().getByTestId('branch-position')).toHaveText('2/2');
	await expect(messages(ada)).toHaveCount(1);

	// Bo deletes one of his own messages (on the original branch); he can't edit or delete Ada's.
	await messages(bo).first().getByRole('button', { name: 'Previous version' }).click();
	await expect(messages(bo)).toHaveCount(4);
	await expect(messages(bo).first().getByRole('button', { name: 'Edit' })).toHaveCount(0);
	await messages(bo).nth(3).hover();
	await messages(bo).nth(3).getByRole('button', { name: 'Delete' }).click();
	await expect(messages(bo).nth(3)).toContainText('Message deleted');
	await messages(ada).first().getByRole('button', { name: 'Previous version' }).click();
	await expect(messages(ada).nth(3)).toContainText('Message deleted');
	await expect(messages(ada).nth(3)).not.toContainText('onerror');

	// A signed-out guest with a view link reads the chat but cannot write in it.
	const guestContext = await browser.newContext();
	const guest = await guestContext.newPage();
	await guest.goto(viewPath);
	await waitForCanvas(guest);
	await openChat(guest);
	await expect(messages(guest)).toHaveCount(1);
	await expect(messages(guest).first()).toContainText('or Memcached');
	await expect(chatPanel(guest).getByTestId('chat-read-only')).toContainText('You can read this chat, but not write in it');
	await expect(chatPanel(guest).getByRole('textbox', { name: 'Message' })).toHaveCount(0);
	await expect(chatPanel(guest).getByRole('button', { name: 'Edit' })).toHaveCount(0);
	await guest.screenshot({ path: `${SHOTS}/chat-view-only.png` });

	// On a phone both panels are reachable from the header (History behind More); each covers the canvas, one at a time.
	await ada.setViewportSize({ width: 390, height: 844 });
	await expect(chatPanel(ada)).toBeVisible();
	await ada.screenshot({ path: `${SHOTS}/chat-narrow.png` });
	await expect(ada.getByRole('button', { name: 'History', exact: true })).toBeHidden();
	await ada.getByLabel('More actions').click();
	await ada.screenshot({ path: `${SHOTS}/canvas-more-menu-narrow.png` });
	await ada.getByRole('menuitem', { name: 'History' }).click();
	await expect(ada.getByTestId('history-panel')).toBeVisible();
	await expect(chatPanel(ada)).toHaveCount(0);
	await ada.getByRole('button', { name: /^Chat/ }).click();
	await expect(chatPanel(ada)).toBeVisible();
	await expect(ada.getByTestId('history-panel')).toHaveCount(0);
	await sendMessage(ada, 'Written on a phone');
	await expect(messages(bo).last()).toContainText('Written on a phone');
	await chatPanel(ada).getByRole('button', { name: 'Close chat' }).click();
	await expect(chatPanel(ada)).toHaveCount(0);
	await expect(ada.locator('.tl-canvas')).toBeVisible();

	await Promise.all([adaContext.close(), boContext.close(), guestContext.close()]);
});
