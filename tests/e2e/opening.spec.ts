import type { Page, Response } from '@playwright/test';
import { api, connectCanvas, createCanvas, signUp, waitFor, type TestUser } from '../helpers/clients.ts';
import { geoShape, richText, seedCanvas } from '../helpers/tldraw-records.ts';
import { SCREENS, expect, shapeTypes, signInThroughUi, test, waitForCanvas } from './fixtures.ts';

const SHAPES = 400;

/** A canvas drawn by a program and left alone (stored as one snapshot, not loaded): `count` labelled boxes. */
async function drawnCanvas(server: { url: string; wsUrl: string }, owner: TestUser, title: string, count: number): Promise<string> {
	const canvasId = await createCanvas(server.url, owner, title);
	const writer = connectCanvas(server.wsUrl, `canvas:${canvasId}`, owner.token);
	await writer.synced;
	seedCanvas(writer.records);
	writer.doc.transact(() => {
		for (let i = 0; i < count; i++) {
			const id = `shape:box${i}`;
			writer.records.set(id, geoShape(id, { x: (i % 20) * 140, y: Math.floor(i / 20) * 100 }, { richText: richText(`Service ${i}`) }));
		}
	});
	await waitFor(() => !writer.provider.hasUnsyncedChanges, 15_000, 'the drawing to be acknowledged');
	writer.destroy();
	return canvasId;
}

/** Bytes the page's sockets receive from now on. */
function countSocketBytes(page: Page): { bytes: number } {
	const received = { bytes: 0 };
	page.on('websocket', (socket) => socket.on('framereceived', ({ payload }) => (received.bytes += typeof payload === 'string' ? payload.length : payload.byteLength)));
	return received;
}

const isStateDownload = (response: Response) => /\/api\/v1\/canvases\/[^/]+\/state$/.test(new URL(response.url()).pathname);

test('a big canvas opens from its download, and its socket only carries the difference, for members and link guests', async ({ browser, server }) => {
	const owner = await signUp(server.current.url, 'Owner');
	const canvasId = await drawnCanvas(server.current, owner, 'Architecture', SHAPES);
	const link = await api(server.current.url, `/api/v1/canvases/${canvasId}/share-links`, { token: owner.token, body: { access: 'view', audience: 'anyone' } });

	const member = await (await browser.newContext()).newPage();
	await signInThroughUi(member, owner.email);
	const memberSocket = countSocketBytes(member);
	const memberDownload = member.waitForResponse(isStateDownload);
	await member.goto(`/c/${canvasId}`);
	const download = await memberDownload;
	expect(download.status()).toBe(200);
	// The canvas's size as the server states it (the page reads the body as a stream, so DevTools keeps no copy).
	const stateBytes = Number((await download.allHeaders())['easel-state-bytes']);
	expect(stateBytes).toBeGreaterThan(100_000);
	await waitForCanvas(member);
	await expect.poll(async () => (await shapeTypes(member)).length).toBe(SHAPES);
	expect(memberSocket.bytes).toBeLessThan(stateBytes / 5);
	await member.screenshot({ path: `${SCREENS}/opening-member.png` });

	const guest = await (await browser.newContext()).newPage();
	const guestSocket = countSocketBytes(guest);
	const guestDownload = guest.waitForResponse(isStateDownload);
	await guest.goto(`/s/${link.body.token}`);
	expect((await guestDownload).status()).toBe(200);
	await waitForCanvas(guest);
	await expect.poll(async () => (await shapeTypes(guest)).length).toBe(SHAPES);
	expect(guestSocket.bytes).toBeLessThan(stateBytes / 5);
	await guest.screenshot({ path: `${SCREENS}/opening-guest.png` });
});

test('a big canvas shows how far its download has got on a slow connection', async ({ browser, server }) => {
	const owner = await signUp(server.current.url, 'Patient');
	const small = await drawnCanvas(server.current, owner, 'Small', 1);
	const big = await drawnCanvas(server.current, owner, 'Big', 3000);
	const page = await (await browser.newContext()).newPage();
	await signInThroughUi(page, owner.email);
	// Load the editor's code and assets once at full speed, then open the big canvas slowly.
	await page.goto(`/c/${small}`);
	await waitForCanvas(page);
	const network = await page.context().newCDPSession(page);
	await network.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: 20 * 1024, uploadThroughput: -1 });
	await page.goto(`/c/${big}`);
	const loading = page.getByRole('status').filter({ hasText: 'canvas…' });
	await expect(loading).toContainText(/Loading canvas… \d+ % of 1\.\d MB/, { timeout: 15_000 });
	await expect(page.getByRole('progressbar', { name: 'Canvas download' })).toBeVisible();
	await page.screenshot({ path: `${SCREENS}/opening-progress.png` });
	await network.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
	await waitForCanvas(page);
	await expect.poll(async () => (await shapeTypes(page)).length, { timeout: 15_000 }).toBe(3000);
	await expect(loading).toBeHidden();
});
