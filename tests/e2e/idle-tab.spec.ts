// An open canvas that nobody touches writes nothing: tldraw keeps records the shared document does
// not hold (its user record, camera, pointer), and none of them may reach the server, or be
// rewritten whenever the server turns them away.
import { createCanvas, signUp } from '../helpers/clients.ts';
import { SCREENS, drawShape, expect, signInThroughUi, test, waitForCanvas } from './fixtures.ts';

async function counter(serverUrl: string, name: string): Promise<number> {
	const text = await (await fetch(`${serverUrl}/metrics`)).text();
	return Number(text.match(new RegExp(`^${name} (\\S+)$`, 'm'))?.[1] ?? Number.NaN);
}

test('two idle tabs on a canvas cause no document updates for 10 s, after drawing and writing a note', async ({ browser, server }) => {
	const owner = await signUp(server.current.url, 'Idler');
	const canvasId = await createCanvas(server.current.url, owner, 'Quiet canvas');
	const tabs = await Promise.all([1, 2].map(async () => (await browser.newContext({ viewport: { width: 1200, height: 800 } })).newPage()));
	for (const tab of tabs) {
		await signInThroughUi(tab, owner.email);
		await tab.goto(`/c/${canvasId}`);
		await waitForCanvas(tab);
	}
	// A rectangle, and a note with text: writing a note stamps its author (tldraw's attribution).
	await drawShape(tabs[0], 'r', { x: 400, y: 300 }, { x: 560, y: 400 });
	await tabs[0].mouse.click(800, 300);
	await tabs[0].keyboard.press('n');
	await tabs[0].mouse.click(800, 300);
	await tabs[0].keyboard.type('Cache in front of the API');
	await tabs[0].keyboard.press('Escape');
	await expect.poll(() => tabs[1].evaluate(() => window.__easelEditor?.getCurrentPageShapes().length)).toBe(2);
	await tabs[0].waitForTimeout(1500); // the last edits' acknowledgements

	const updatesBefore = await counter(server.current.url, 'easel_document_updates_total');
	const revertedBefore = await counter(server.current.url, 'easel_records_rejected_total');
	await tabs[0].waitForTimeout(10_000);
	expect(await counter(server.current.url, 'easel_document_updates_total')).toBe(updatesBefore);
	expect(await counter(server.current.url, 'easel_records_rejected_total')).toBe(revertedBefore);
	await tabs[1].screenshot({ path: `${SCREENS}/idle-tab-second-viewer.png` });
});
