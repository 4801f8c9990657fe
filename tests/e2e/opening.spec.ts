import type { Page, Response } from '@playwright/test';
import { api, connectCanvas, createCanvas, signUp, waitFor } from '../helpers/clients.ts';
import { geoShape, richText, seedCanvas } from '../helpers/tldraw-records.ts';
import { SCREENS, expect, shapeTypes, signInThroughUi, test, waitForCanvas } from './fixtures.ts';

const SHAPES = 400;

/** Bytes the page's sockets receive from now on. */
function countSocketBytes(page: Page): { bytes: number } {
	const received = { bytes: 0 };
	page.on('websocket', (socket) => socket.on('framereceived', ({ payload }) => (received.bytes += typeof payload === 'string' ? payload.length : payload.byteLength)));
	return received;
}

const isStateDownload = (response: Response) => /\/api\/v1\/canvases\/[^/]+\/state$/.test(new URL(response.url()).pathname);

test('a big canvas opens from its download, and its socket only carries the difference, for members and link guests', async ({ browser, server }) => {
	// A canvas drawn by a program, then left alone: stored as one snapshot, not loaded.
	const owner = await signUp(server.current.url, 'Owner');
	const canvasId = await createCanvas(server.current.url, owner, 'Architecture');
	const writer = connectCanvas(server.current.wsUrl, `canvas:${canvasId}`, owner.token);
	await writer.synced;
	seedCanvas(writer.records);
	writer.doc.transact(() => {
		for (let i = 0; i < SHAPES; i++) {
			const id = `shape:box${i}`;
			writer.records.set(id, geoShape(id, { x: (i % 20) * 140, y: Math.floor(i / 20) * 100 }, { richText: richText(`Service ${i}`) }));
		}
	});
	await waitFor(() => !writer.provider.hasUnsyncedChanges, 15_000, 'the drawing to be acknowledged');
	writer.destroy();
	const link = await api(server.current.url, `/api/v1/canvases/${canvasId}/share-links`, { token: owner.token, body: { access: 'view', audience: 'anyone' } });

	const member = await (await browser.newContext()).newPage();
	await signInThroughUi(member, owner.email);
	const memberSocket = countSocketBytes(member);
	const memberDownload = member.waitForResponse(isStateDownload);
	await member.goto(`/c/${canvasId}`);
	const download = await memberDownload;
	expect(download.status()).toBe(200);
	const stateBytes = (await download.body()).byteLength;
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
