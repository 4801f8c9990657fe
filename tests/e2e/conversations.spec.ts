// A program pushes an LLM conversation onto a canvas through the API and streams an answer delta by
// delta while an editor (signed in, desktop) and a viewer (a view link, on a phone) watch it grow;
// the viewer expands a tool call, the program posts a retry, and the editor switches to it with the
// card's ‹ › control. Then the cards in the places a canvas goes: dark mode, a version preview, the
// published page (and its server-rendered picture), and a PNG export.
import { readFile, writeFile } from 'node:fs/promises';
import type { Browser, Page } from '@playwright/test';
import { api, type ApiBody } from '../helpers/clients.ts';
import { REMOTE_IMAGE, anthropicConversation } from '../helpers/conversations.ts';
import { decodePng, type Picture } from '../helpers/png.ts';
import { PASSWORD, SCREENS, expect, sameOrigin, signUpThroughUi, test, waitForCanvas } from './fixtures.ts';

const PHONE = { width: 390, height: 844 };
const ANSWER_LINES = Array.from({ length: 24 }, (_, i) => `${i + 1}. Layer **${i + 1}**: a light jacket is plenty while the sun is out.`);
const ANSWER = `It is 21 °C and sunny in Paris.\n\n${ANSWER_LINES.join('\n')}\n\nHave a *lovely* day!`;
/** The answer cut into deltas as a model streams it: a few words at a time. */
const DELTAS = ANSWER.match(/\S+\s*/g)!;
const HALF = Math.floor(DELTAS.length / 2);
/** The card's accent colours in the light theme (message-card.css), as an export draws them. */
const ASSISTANT_ACCENT: [number, number, number] = [23, 130, 112];
const TOOL_ACCENT: [number, number, number] = [213, 92, 11];

/** The program's side: the JSON API with a session token, as an SDK would call it. */
class Program {
	private readonly baseUrl: string;
	private readonly token: string;

	constructor(baseUrl: string, token: string) {
		this.baseUrl = baseUrl;
		this.token = token;
	}

	static async logIn(baseUrl: string, email: string): Promise<Program> {
		const { status, body } = await api(baseUrl, '/api/v1/auth/login', { body: { email, password: PASSWORD } });
		expect(status).toBe(200);
		return new Program(baseUrl, body.token);
	}

	async call(path: string, body?: unknown, expected = [200, 201]): Promise<ApiBody> {
		const response = await api(this.baseUrl, path, { token: this.token, body });
		expect(expected, `${path} answered ${response.status}: ${JSON.stringify(response.body)}`).toContain(response.status);
		return response.body;
	}
}

/** The card of a message on a page's live canvas (not a copy an export or a thumbnail is drawing). */
function card(page: Page, messageId: string) {
	return page.locator(`.tl-canvas .easel-card[data-message-id="${messageId}"]`);
}

/** Moves a watcher's camera to a message's card (at 100 %), as they would by panning to it. */
async function lookAt(page: Page, messageId: string, editorName: '__easelEditor' = '__easelEditor'): Promise<void> {
	await page.evaluate(
		({ messageId, editorName }) => {
			const editor = window[editorName]!;
			const shape = editor.getCurrentPageShapes().find((candidate) => (candidate.props as { messageId?: string }).messageId === messageId)!;
			const bounds = editor.getShapePageBounds(shape)!;
			editor.setCamera({ ...editor.getCamera(), z: 1 }, { immediate: true });
			editor.centerOnPoint(bounds.center, { immediate: true });
		},
		{ messageId, editorName }
	);
}

async function selectedMessageIds(page: Page): Promise<string[]> {
	return page.evaluate(() => {
		const editor = window.__easelEditor!;
		return editor.getSelectedShapes().map((shape) => (shape.props as { messageId?: string }).messageId ?? shape.id);
	});
}

/** Whether a message's card lies wholly inside the page's viewport. */
async function inView(page: Page, messageId: string): Promise<boolean> {
	return page.evaluate((messageId) => {
		const editor = window.__easelEditor!;
		const shape = editor.getCurrentPageShapes().find((candidate) => (candidate.props as { messageId?: string }).messageId === messageId);
		return !!shape && editor.getViewportPageBounds().contains(editor.getShapePageBounds(shape)!);
	}, messageId);
}

/** Pixels of a picture within a few steps of a colour. */
function pixelsNear(picture: Picture, [r, g, b]: [number, number, number]): number {
	let count = 0;
	for (let index = 0; index < picture.rgba.length; index += 4) {
		if (Math.abs(picture.rgba[index] - r) + Math.abs(picture.rgba[index + 1] - g) + Math.abs(picture.rgba[index + 2] - b) < 30) count++;
	}
	return count;
}

async function newPage(browser: Browser, viewport?: { width: number; height: number }): Promise<Page> {
	const context = await browser.newContext(viewport ? { viewport, hasTouch: viewport.width < 500 } : {});
	return context.newPage();
}

test('a program streams a conversation while an editor and a viewer watch; the viewer opens a tool call, the editor switches to the retry', async ({
	browser,
	baseURL
}) => {
	test.setTimeout(180_000);
	const ada = await newPage(browser);
	const { email } = await signUpThroughUi(ada, 'Ada');
	const program = await Program.logIn(baseURL, email);
	const canvas = await program.call('/api/v1/canvases', { title: 'Weather agent' });
	const link = await program.call(`/api/v1/canvases/${canvas.id}/share-links`, { access: 'view', audience: 'anyone' });

	await ada.goto(`/c/${canvas.id}`);
	await waitForCanvas(ada);
	const bo = await newPage(browser, PHONE);
	await bo.goto(new URL(link.url).pathname);
	await waitForCanvas(bo);

	// The program pushes what happened so far, in OpenAI's format: a system prompt, the question, a tool call and its result.
	const ingested = await program.call(`/api/v1/canvases/${canvas.id}/conversations`, {
		externalId: 'weather-run-1',
		title: 'What to wear',
		messages: [
			{ role: 'system', content: 'You are a weather assistant. Answer in short lists.' },
			{ role: 'user', content: 'What should I wear in Paris today?', name: 'ada' },
			{
				role: 'assistant',
				content: null,
				tool_calls: [{ id: 'call_paris', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris","unit":"celsius"}' } }]
			},
			{ role: 'tool', tool_call_id: 'call_paris', content: '{"temp":21,"sky":"sunny"}' }
		]
	});
	const conversationId: string = ingested.conversation.id;
	const [systemId, questionId, callerId, resultId] = ingested.conversation.messageIds as string[];
	for (const page of [ada, bo]) {
		await expect(card(page, systemId)).toContainText('You are a weather assistant');
		await expect(card(page, questionId)).toContainText('What should I wear in Paris today?');
		await expect(card(page, callerId).locator('.easel-tool-call')).toContainText('get_weather');
		await expect(card(page, resultId)).toContainText('Result of get_weather');
	}
	await ada.evaluate(() => void window.__easelEditor!.zoomToFit({ animation: { duration: 0 } }));
	await ada.screenshot({ path: `${SCREENS}/conversation-pushed.png` });

	// The answer streams in: both watchers see it grow, then end.
	const answer = await program.call(`/api/v1/conversations/${conversationId}/messages`, { role: 'assistant', model: 'gpt-4o-mini', status: 'streaming' });
	const answerId: string = answer.message.id;
	for (const page of [ada, bo]) {
		await expect(card(page, answerId)).toHaveAttribute('data-status', 'streaming');
		await lookAt(page, answerId);
	}
	for (const delta of DELTAS.slice(0, HALF)) await program.call(`/api/v1/conversations/${conversationId}/messages/${answerId}/stream`, { delta });
	// The last line so far as it reads (a list item's number is drawn by the list, its ** markup as bold).
	const partial = DELTAS.slice(0, HALF)
		.join('')
		.trim()
		.split('\n')
		.at(-1)!
		.replace(/^\d+\. /, '')
		.replace(/\*/g, '')
		.trim();
	for (const page of [ada, bo]) {
		await expect(card(page, answerId).locator('.easel-card-text')).toContainText(partial);
		await expect(card(page, answerId).locator('.easel-card-streaming')).toBeVisible();
		await expect(card(page, answerId)).not.toContainText('Have a lovely day!');
	}
	await ada.screenshot({ path: `${SCREENS}/conversation-streaming.png` });
	await bo.screenshot({ path: `${SCREENS}/conversation-streaming-390.png` });
	for (const delta of DELTAS.slice(HALF)) await program.call(`/api/v1/conversations/${conversationId}/messages/${answerId}/stream`, { delta });
	await program.call(`/api/v1/conversations/${conversationId}/messages/${answerId}/complete`, {
		usage: { prompt_tokens: 1234, completion_tokens: 312 },
		latencyMs: 2480,
		costUsd: 0.0021
	});
	for (const page of [ada, bo]) {
		await expect(card(page, answerId)).toHaveAttribute('data-status', 'complete');
		await expect(card(page, answerId)).toContainText('Have a lovely day!');
		await expect(card(page, answerId).locator('.easel-card-foot')).toHaveText('1,234 in · 312 out · 2.48 s · $0.0021');
		await expect(card(page, answerId).locator('.easel-card-streaming')).toHaveCount(0);
	}
	// The long answer scrolls inside its card: text people can reach, not cut off.
	const overflow = await card(ada, answerId)
		.locator('.easel-card-body')
		.evaluate((body) => ({ scrollHeight: body.scrollHeight, clientHeight: body.clientHeight }));
	expect(overflow.scrollHeight).toBeGreaterThan(overflow.clientHeight);
	await ada.screenshot({ path: `${SCREENS}/conversation-long-answer.png` });

	// The viewer, read-only, expands the tool call: its arguments (indented JSON) and result; only they see it open.
	await lookAt(bo, callerId);
	const toolCall = card(bo, callerId).locator('.easel-tool-call');
	await toolCall.getByRole('button', { name: /get_weather/ }).click();
	await expect(toolCall.getByRole('button', { name: /get_weather/ })).toHaveAttribute('aria-expanded', 'true');
	await expect(toolCall.locator('.easel-tool-call-json').first()).toHaveText('{\n  "city": "Paris",\n  "unit": "celsius"\n}');
	await expect(toolCall.locator('.easel-tool-call-json').nth(1)).toHaveText('{\n  "temp": 21,\n  "sky": "sunny"\n}');
	await expect(card(ada, callerId).locator('.easel-tool-call-details')).toHaveCount(0);
	// Opening it selected the card (so it scrolls under a finger or the wheel) and brought the call to the top of the card.
	await expect.poll(() => selectedMessageIds(bo)).toEqual([callerId]);
	await expect
		.poll(() =>
			card(bo, callerId)
				.locator('.easel-card-body')
				.evaluate((body) => body.scrollTop)
		)
		.toBeGreaterThan(0);
	await bo.screenshot({ path: `${SCREENS}/conversation-tool-call-390.png` });
	expect(await bo.evaluate(() => window.__easelEditor!.getInstanceState().isReadonly)).toBe(true);

	// On a phone the long answer is read in the reader: the whole message, full width; Esc closes it.
	await lookAt(bo, answerId);
	await card(bo, answerId).getByRole('button', { name: 'Open message' }).click();
	const reader = bo.getByRole('dialog', { name: 'Assistant' });
	await expect(reader).toContainText('Have a lovely day!');
	await expect(reader.locator('.easel-card-foot')).toHaveText('1,234 in · 312 out · 2.48 s · $0.0021');
	await bo.screenshot({ path: `${SCREENS}/conversation-reader-390.png` });
	await bo.keyboard.press('Escape');
	await expect(reader).toHaveCount(0);
	await expect.poll(() => selectedMessageIds(bo)).toEqual([callerId]);

	// The program retries the answer with another model: a sibling marked as a retry.
	const retry = await program.call(`/api/v1/conversations/${conversationId}/messages`, {
		role: 'assistant',
		retryOf: answerId,
		model: 'gpt-4o',
		content: 'Sunny and 21 °C: a T-shirt and sunglasses.'
	});
	const retryId: string = retry.message.id;
	await expect(card(ada, retryId)).toContainText('Retry 1 of 1');
	await expect(card(ada, answerId)).toContainText('Original · 1 retry');

	// The editor switches to it with ‹ ›: their camera goes there and selects it; the viewer's stays where it was.
	await lookAt(ada, answerId);
	const boCamera = await bo.evaluate(() => ({ ...window.__easelEditor!.getCamera() }));
	await card(ada, answerId).getByRole('button', { name: 'Next attempt' }).click();
	await expect.poll(() => selectedMessageIds(ada)).toEqual([retryId]);
	await expect.poll(() => inView(ada, retryId)).toBe(true);
	await expect(card(ada, retryId).getByRole('button', { name: 'Next attempt' })).toBeDisabled();
	await ada.screenshot({ path: `${SCREENS}/conversation-retry-switched.png` });
	await card(ada, retryId).getByRole('button', { name: 'Previous attempt' }).click();
	await expect.poll(() => selectedMessageIds(ada)).toEqual([answerId]);
	expect(await bo.evaluate(() => ({ ...window.__easelEditor!.getCamera() }))).toEqual(boCamera);
	expect(await selectedMessageIds(bo)).toEqual([callerId]);

	// The same cards on a dark canvas.
	await ada.evaluate(() => void window.__easelEditor!.user.updateUserPreferences({ colorScheme: 'dark' }));
	await ada.evaluate(() => void window.__easelEditor!.zoomToFit({ animation: { duration: 0 } }));
	await expect(ada.locator('.tl-container.tl-theme__dark')).toBeVisible();
	await ada.screenshot({ path: `${SCREENS}/conversation-dark.png` });
	await lookAt(ada, callerId);
	await ada.screenshot({ path: `${SCREENS}/conversation-dark-100.png` });
	await lookAt(ada, answerId);
	await card(ada, answerId).getByRole('button', { name: 'Open message' }).click();
	await expect(ada.getByRole('dialog', { name: 'Assistant' })).toContainText('Layer 24');
	await ada.screenshot({ path: `${SCREENS}/conversation-reader-dark.png` });
	await ada.getByRole('dialog', { name: 'Assistant' }).getByRole('button', { name: 'Close' }).click();
	await expect(ada.getByRole('dialog', { name: 'Assistant' })).toHaveCount(0);
	await bo.evaluate(() => void window.__easelEditor!.zoomToFit({ animation: { duration: 0 } }));
	await bo.screenshot({ path: `${SCREENS}/conversation-390.png` });
});

test('cards in a version preview, on the published page and its picture, and in a PNG export', async ({ browser, baseURL }) => {
	test.setTimeout(180_000);
	const page = await newPage(browser);
	const { email } = await signUpThroughUi(page, 'Cy');
	const program = await Program.logIn(baseURL, email);
	const canvas = await program.call('/api/v1/canvases', { title: 'Support bot' });
	const { conversation } = await program.call(`/api/v1/canvases/${canvas.id}/conversations`, {
		title: 'Refund question',
		messages: [
			{ role: 'user', content: 'Can I get a refund for order 1042?' },
			{
				role: 'assistant',
				content: 'Let me look the order up.',
				tool_calls: [{ id: 'call_order', type: 'function', function: { name: 'find_order', arguments: '{"id":1042}' } }]
			},
			{ role: 'tool', tool_call_id: 'call_order', content: '{"status":"delivered","days":3}' },
			{ role: 'assistant', content: 'Yes: it was delivered **3 days ago**, within the 30-day window.' }
		]
	});
	const [questionId, , , replyId] = conversation.messageIds as string[];
	await page.goto(`/c/${canvas.id}`);
	await waitForCanvas(page);
	await expect(card(page, replyId)).toContainText('within the 30-day window');

	// A PNG export of the page holds the cards, drawn with their colours.
	await page.getByRole('button', { name: 'Export' }).click();
	const dialog = page.getByRole('dialog', { name: 'Export “Support bot”' });
	await dialog.locator('label.format', { hasText: 'PNG' }).click();
	const download = page.waitForEvent('download');
	await dialog.getByRole('button', { name: 'Export PNG' }).click();
	const png = await readFile(await (await download).path());
	await writeFile(`${SCREENS}/conversation-export.png`, png);
	const exported = decodePng(png);
	expect(pixelsNear(exported, ASSISTANT_ACCENT)).toBeGreaterThan(200);
	expect(pixelsNear(exported, TOOL_ACCENT)).toBeGreaterThan(100);
	await page.keyboard.press('Escape');

	// A named version, previewed from History: the cards as they were.
	await program.call(`/api/v1/canvases/${canvas.id}/versions`, { label: 'Refund answered' });
	await page.getByRole('button', { name: 'History' }).click();
	const panel = page.getByTestId('history-panel');
	await panel.getByRole('button', { name: /Refund answered/ }).click();
	await expect
		.poll(() => page.evaluate(() => window.__easelPreviewEditor?.getCurrentPageShapes().filter((shape) => shape.type === 'conversation-message').length ?? 0))
		.toBe(4);
	await expect(page.getByTestId('version-preview').locator(`.easel-card[data-message-id="${questionId}"]`)).toBeVisible();
	await page.screenshot({ path: `${SCREENS}/conversation-version-preview.png` });

	// Published: the visitor's read-only viewer shows the cards, and the page's picture (drawn on the server) shows them too.
	const published = await page.request.post(`/api/v1/canvases/${canvas.id}/publication`, { data: { title: 'Support bot', tags: ['llm'] }, headers: sameOrigin(page) });
	expect(published.status()).toBe(201);
	const { slug } = (await published.json()).publication;
	const visitor = await newPage(browser);
	await visitor.goto(`/p/${slug}`);
	await expect(visitor.getByTestId('published-viewer')).toHaveAttribute('data-state', 'ready');
	await expect(visitor.locator(`.easel-card[data-message-id="${replyId}"]`)).toContainText('within the 30-day window');
	await visitor.screenshot({ path: `${SCREENS}/conversation-published.png`, fullPage: true });
	// Published through the API, no browser uploads a picture: the server draws one itself after a while (render-canvas.ts).
	let picture: Buffer | null = null;
	await expect
		.poll(
			async () => {
				const preview = await visitor.request.get(`/p/${slug}/preview`);
				if (preview.headers()['content-type'] !== 'image/png') return 0;
				picture = await preview.body();
				return pixelsNear(decodePng(picture), ASSISTANT_ACCENT);
			},
			{ timeout: 45_000, intervals: [2000] }
		)
		.toBeGreaterThan(20);
	await writeFile(`${SCREENS}/conversation-published-preview.png`, picture!);
});

test("an Anthropic conversation with pictures and tool_result blocks, as a view link's guest sees it", async ({ browser, baseURL }) => {
	const owner = await newPage(browser);
	const { email } = await signUpThroughUi(owner, 'Di');
	const program = await Program.logIn(baseURL, email);
	const canvas = await program.call('/api/v1/canvases', { title: 'Travel agent' });
	const { conversation } = await program.call(`/api/v1/canvases/${canvas.id}/conversations`, { title: 'Train to Lyon', ...anthropicConversation() });
	// The top-level system prompt is a message of its own (systemMessageId); messageIds follow `messages`.
	const [pictureId, callerId, resultsId] = conversation.messageIds as string[];
	await program.call(`/api/v1/conversations/${conversation.id}/messages`, {
		role: 'user',
		content: [
			{ type: 'text', text: 'And this one?' },
			{ type: 'image_url', image_url: { url: REMOTE_IMAGE } }
		]
	});
	const link = await program.call(`/api/v1/canvases/${canvas.id}/share-links`, { access: 'view', audience: 'anyone' });

	// A guest: stored pictures reach them through the link's token, never a remote address.
	const guest = await newPage(browser);
	const requested: string[] = [];
	guest.on('request', (request) => requested.push(request.url()));
	await guest.goto(new URL(link.url).pathname);
	await waitForCanvas(guest);
	await expect.poll(() => guest.evaluate(() => !!window.__easelEditor)).toBe(true);
	await guest.evaluate(() => void window.__easelEditor!.zoomToFit({ animation: { duration: 0 } }));
	const picture = card(guest, pictureId).locator('img.easel-card-image');
	await expect.poll(() => picture.evaluate((image) => (image as HTMLImageElement).naturalWidth)).toBe(3);
	await expect(guest.locator('.tl-canvas .easel-card-image-link')).toHaveText('Image 1 at images.example.com');
	expect(requested.filter((url) => url.includes('images.example.com'))).toEqual([]);

	// The tool_result block answers the tool_use: shown as the result of that call, and on the call itself.
	const answered = card(guest, resultsId).locator('.easel-tool-call');
	await expect(answered).toContainText('↩ search_trains');
	await expect(answered.locator('.easel-tool-call-args')).toHaveText('08:04 TGV 6601');
	await answered.getByRole('button', { name: /search_trains/ }).click();
	await expect(answered.locator('.easel-tool-call-json')).toHaveText('08:04 TGV 6601');
	await expect(card(guest, callerId).locator('.easel-tool-call-state')).toHaveText('Result');
	await lookAt(guest, callerId);
	await guest.screenshot({ path: `${SCREENS}/conversation-anthropic-guest.png` });
});
