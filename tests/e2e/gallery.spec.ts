// The whole way of a picture through Easel: pasted into a canvas, seen by a second person, kept across
// a restart, on the dashboard, published, found in the public gallery by a word on the canvas, opened
// read-only signed out, remixed by someone else into their own team, and gone once unpublished.
import { drawShape, expect, SCREENS, sameOrigin, signInThroughUi, signOutThroughUi, signUpThroughUi, test, waitForCanvas } from './fixtures.ts';
import { bandedPng, drawnImageWidths, imageSources, pasteImage, writeText } from './canvas-content.ts';

const NARROW = { width: 390, height: 844 };
/** A word only this canvas holds, written in a text shape (not in its title, description or tags). */
const CANVAS_WORD = 'Quetzalmarsh';

test('paste an image, see it elsewhere and after a restart, publish, find it in the gallery, remix it, unpublish', async ({ browser, server }) => {
	test.setTimeout(120_000);
	const ownerContext = await browser.newContext({ permissions: ['clipboard-read', 'clipboard-write'] });
	const owner = await ownerContext.newPage();
	const { email } = await signUpThroughUi(owner, 'Imogen');
	await owner.getByLabel('New canvas title').fill('Bird sanctuary map');
	await owner.getByRole('button', { name: 'New canvas' }).click();
	await waitForCanvas(owner);
	const canvasId = new URL(owner.url()).pathname.split('/').at(-1)!;

	// Pasted, the picture goes to the asset store; the document only points at it.
	await pasteImage(owner, bandedPng());
	await expect.poll(() => imageSources(owner), { timeout: 15_000 }).toEqual([expect.stringMatching(/^\/api\/v1\/assets\/[0-9a-f-]{36}$/)]);
	const [src] = await imageSources(owner);
	await expect.poll(() => drawnImageWidths(owner.locator('.tl-canvas'))).toEqual([240]);
	const stored = await owner.request.get(src);
	expect(stored.status()).toBe(200);
	expect(stored.headers()['content-type']).toBe('image/png');
	expect(stored.headers()['etag']).toBeTruthy();
	await drawShape(owner, 'r', { x: 260, y: 560 }, { x: 420, y: 660 });
	await writeText(owner, `${CANVAS_WORD} wetlands`, { x: 700, y: 600 });
	await expect.poll(() => owner.evaluate(() => window.__easelEditor?.getCurrentPageShapes().length ?? 0)).toBe(3);
	await owner.screenshot({ path: `${SCREENS}/canvas-pasted-image.png` });

	// A second person, through a view link, sees the picture (fetched with the link, not a session).
	const link = await owner.request.post(`/api/v1/canvases/${canvasId}/share-links`, { headers: sameOrigin(owner), data: { access: 'view', audience: 'anyone' } });
	expect(link.status()).toBe(201);
	const guestContext = await browser.newContext();
	const guest = await guestContext.newPage();
	await guest.goto(new URL((await link.json()).url).pathname);
	await waitForCanvas(guest);
	await expect.poll(() => imageSources(guest)).toEqual([src]);
	await expect.poll(() => drawnImageWidths(guest.locator('.tl-canvas'))).toEqual([240]);
	expect((await guest.request.get(src)).status()).toBe(404); // the URL alone, without the link, shows nothing
	await guestContext.close();

	// The dashboard shows a picture of the canvas once its editor has left.
	await owner.getByRole('link', { name: 'Back to canvases' }).click();
	const tile = owner.getByTestId('canvas-tile').filter({ hasText: 'Bird sanctuary map' });
	await expect
		.poll(() => tile.locator('.thumb img').evaluateAll((images) => (images[0] as HTMLImageElement | undefined)?.naturalWidth ?? 0), { timeout: 20_000 })
		.toBeGreaterThan(0);

	// It survives a restart of the server.
	expect(await server.current.stop('SIGTERM')).toBe(0);
	server.current = await server.current.restart();
	await owner.goto(`/c/${canvasId}`);
	await waitForCanvas(owner);
	await expect.poll(() => imageSources(owner)).toEqual([src]);
	await expect.poll(() => drawnImageWidths(owner.locator('.tl-canvas'))).toEqual([240]);

	// Publish it.
	await owner.getByRole('button', { name: 'Publish', exact: true }).click();
	const dialog = owner.getByRole('dialog', { name: /^Publish(ed)? “Bird sanctuary map”$/ });
	await dialog.getByLabel(/^Description/).fill('Where the herons nest, and the paths around them.');
	await dialog.getByLabel(/^Tags/).fill('nature, maps');
	await dialog.getByRole('button', { name: 'Publish', exact: true }).click();
	const path = new URL(await dialog.getByLabel('Public link').inputValue()).pathname;
	await expect
		.poll(async () => (await (await owner.request.get(`/api/v1/canvases/${canvasId}/publication`)).json()).publication.hasPreview, { timeout: 30_000 })
		.toBe(true);
	await owner.keyboard.press('Escape');
	await owner.getByRole('link', { name: 'Back to canvases' }).click();
	await signOutThroughUi(owner);
	await expect(owner.getByRole('heading', { name: 'Sign in' })).toBeVisible();

	// Signed out: the gallery finds it by a word written on the canvas.
	await owner.goto('/gallery');
	await owner.getByLabel('Search the gallery').fill(CANVAS_WORD.toLowerCase());
	await owner.getByRole('button', { name: 'Search', exact: true }).click();
	await expect(owner).toHaveURL(/[?&]q=quetzalmarsh/);
	const cards = owner.getByTestId('gallery-card');
	await expect(cards).toHaveCount(1);
	await expect(cards.first()).toContainText('Bird sanctuary map');
	await expect(cards.first()).toContainText('by Imogen');
	await expect
		.poll(() =>
			cards
				.first()
				.locator('img')
				.evaluate((image) => (image as HTMLImageElement).naturalWidth)
		)
		.toBeGreaterThan(0);
	await owner.screenshot({ path: `${SCREENS}/gallery-search.png` });
	await owner.getByLabel('Search the gallery').fill('no such thing anywhere');
	await owner.getByRole('button', { name: 'Search', exact: true }).click();
	await expect(owner.getByTestId('gallery-empty')).toContainText('No canvases match “no such thing anywhere”');
	await owner.screenshot({ path: `${SCREENS}/gallery-no-match.png` });
	await owner.goto('/gallery');
	await owner.getByRole('link', { name: '#nature' }).click();
	await expect(cards.filter({ hasText: 'Bird sanctuary map' })).toHaveCount(1);
	await owner.screenshot({ path: `${SCREENS}/gallery.png`, fullPage: true });
	await owner.setViewportSize(NARROW);
	await owner.screenshot({ path: `${SCREENS}/gallery-narrow.png`, fullPage: true });
	await owner.setViewportSize({ width: 1280, height: 720 });

	// Open it: read-only, with its picture, served because the published copy uses it.
	await cards.filter({ hasText: 'Bird sanctuary map' }).click();
	await expect(owner).toHaveURL(new RegExp(`${path}$`));
	await expect(owner.getByRole('heading', { name: 'Bird sanctuary map' })).toBeVisible();
	await expect(owner.getByTestId('published-viewer')).toHaveAttribute('data-state', 'ready');
	await expect.poll(() => imageSources(owner, '__easelPublishedEditor')).toEqual([expect.stringContaining(src)]);
	await expect.poll(() => drawnImageWidths(owner.getByTestId('published-viewer'))).toEqual([240]);
	expect(await owner.evaluate(() => window.__easelPublishedEditor?.getInstanceState().isReadonly)).toBe(true);
	await owner.screenshot({ path: `${SCREENS}/published-page-image.png`, fullPage: true });
	await owner.setViewportSize(NARROW);
	await owner.reload();
	await expect(owner.getByTestId('published-viewer')).toHaveAttribute('data-state', 'ready');
	await expect.poll(() => drawnImageWidths(owner.getByTestId('published-viewer'))).toEqual([240]); // fitted to the phone
	await owner.screenshot({ path: `${SCREENS}/published-page-image-narrow.png`, fullPage: true });
	await ownerContext.close();

	// Someone else remixes it into their own team, in one click.
	const remixerContext = await browser.newContext();
	const remixer = await remixerContext.newPage();
	await signUpThroughUi(remixer, 'Rafael');
	await remixer.goto(path);
	await remixer.getByRole('button', { name: 'Remix', exact: true }).click();
	await expect(remixer).toHaveURL(/\/c\/[0-9a-f-]{36}$/);
	await waitForCanvas(remixer);
	const copyId = new URL(remixer.url()).pathname.split('/').at(-1)!;
	expect(copyId).not.toBe(canvasId);
	await expect(remixer.getByTestId('remixed-from')).toContainText('Remixed from Bird sanctuary map');
	// The copy holds its own asset: it outlives the original's publication.
	await expect.poll(() => imageSources(remixer)).toEqual([expect.stringMatching(/^\/api\/v1\/assets\/[0-9a-f-]{36}$/)]);
	const [copySrc] = await imageSources(remixer);
	expect(copySrc).not.toBe(src);
	await expect.poll(() => drawnImageWidths(remixer.locator('.tl-canvas'))).toEqual([240]);
	await remixer.screenshot({ path: `${SCREENS}/remixed-canvas.png` });
	await remixer.goto(path);
	await expect(remixer.getByText('Remixed 1 time')).toBeVisible();

	// Unpublished by its team, the page and its gallery card are gone at once; the remix keeps its picture.
	const teamContext = await browser.newContext();
	const team = await teamContext.newPage();
	await signInThroughUi(team, email);
	const unpublished = await team.request.delete(`/api/v1/canvases/${canvasId}/publication`, { headers: sameOrigin(team) });
	expect(unpublished.status()).toBe(204);
	await teamContext.close();
	expect((await remixer.reload())?.status()).toBe(404);
	await expect(remixer.getByTestId('publication-missing')).toContainText('This canvas is not published');
	await remixer.screenshot({ path: `${SCREENS}/published-page-gone.png` });
	await remixer.goto(`/gallery?q=${CANVAS_WORD}`);
	await expect(remixer.getByTestId('gallery-empty')).toBeVisible();
	expect((await remixer.request.get(src)).status()).toBe(404); // the original's picture is private again
	await remixer.goto(`/c/${copyId}`);
	await waitForCanvas(remixer);
	await expect.poll(() => drawnImageWidths(remixer.locator('.tl-canvas'))).toEqual([240]);
	await expect(remixer.getByTestId('remixed-from')).toContainText('Remixed from Bird sanctuary map');
	await expect(remixer.getByTestId('remixed-from').getByRole('link')).toHaveCount(0);
	await remixerContext.close();
});
