// Server-side pictures of a canvas: the Chromium renderer driving the built server's render page
// (/render/canvas) in headless system Chromium, as the server itself does. Pixels are read back from
// the PNGs; a local HTTP server stands in for "the outside" that canvas content must never reach.
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTLSchema } from '@tldraw/tlschema';
import { ChromiumCanvasRenderer, type AssetLoader } from '../../src/lib/server/rendering/chromium-renderer.ts';
import { isCanvasRenderError, type CanvasRenderError, type RenderedImage } from '../../src/lib/server/rendering/canvas-renderer.ts';
import { renderRecordsToPreview } from '../../src/lib/server/rendering/previews.ts';
import { storedAssetLoader } from '../../src/lib/server/rendering/stored-assets.ts';
import { FileBlobStore, type BlobStore } from '../../src/lib/server/assets/blob-store.ts';
import { assetBlobs, assets } from '../../src/lib/server/db/schema.ts';
import * as accounts from '../../src/lib/server/accounts.ts';
import * as canvases from '../../src/lib/server/canvases.ts';
import { assetSrc } from '../../src/lib/asset-urls.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { describeEachDatabase, uniqueEmail } from '../helpers/databases.ts';
import { DOCUMENT_RECORD, PAGE_RECORD, geoShape, richText } from '../helpers/tldraw-records.ts';
import { countPixels, decodePng, distinctColours, solidPng } from '../helpers/png.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const schema = createTLSchema();

function arrowShape(id: string, x: number, y: number, length: number) {
	return {
		id,
		typeName: 'shape',
		type: 'arrow',
		x,
		y,
		rotation: 0,
		index: 'a3',
		parentId: PAGE_RECORD.id,
		isLocked: false,
		opacity: 1,
		meta: {},
		props: {
			kind: 'arc',
			labelColor: 'black',
			color: 'red',
			fill: 'none',
			dash: 'solid',
			size: 'l',
			arrowheadStart: 'none',
			arrowheadEnd: 'arrow',
			font: 'draw',
			start: { x: 0, y: 0 },
			end: { x: length, y: 0 },
			bend: 0,
			richText: richText(''),
			labelPosition: 0.5,
			scale: 1,
			elbowMidPoint: 0.5
		}
	};
}

function imageAsset(id: string, src: string, size = 40) {
	return { id, typeName: 'asset', type: 'image', meta: {}, props: { w: size, h: size, name: 'picture.png', isAnimated: false, mimeType: 'image/png', src } };
}

function imageShape(id: string, assetId: string, x: number, size = 160) {
	return {
		id,
		typeName: 'shape',
		type: 'image',
		x,
		y: 0,
		rotation: 0,
		index: 'a4',
		parentId: PAGE_RECORD.id,
		isLocked: false,
		opacity: 1,
		meta: {},
		props: { w: size, h: size, playing: true, url: '', assetId, crop: null, flipX: false, flipY: false, altText: '' }
	};
}

/** A canvas as stored: every record valid for tldraw (the test fails loudly on a bad fixture, not a blank picture). */
function canvasOf(...records: { id: string; typeName: string; [key: string]: unknown }[]): Record<string, unknown> {
	const all = [DOCUMENT_RECORD, PAGE_RECORD, ...records];
	for (const record of all) (schema.types as Record<string, { validate(r: unknown): unknown }>)[record.typeName].validate(record);
	return Object.fromEntries(all.map((record) => [record.id, record]));
}

const BOX_AND_ARROW = canvasOf(
	geoShape('shape:box', { x: 0, y: 0 }, { w: 320, h: 160, fill: 'solid', color: 'blue', richText: richText('Quarterly roadmap') }),
	arrowShape('shape:arrow', 340, 80, 220)
);

/** Pixels of a colour like tldraw's red (#e03131) / blue (#4465e9) strokes and our red test image. */
const RED: [number, number, number] = [224, 49, 49];
const PURE_RED: [number, number, number] = [255, 0, 0];

/** The Chromium processes this test process started (and their children), with their memory. */
function chromiumMemoryMb(): { processes: number; rssMb: number; pssMb: number; ussMb: number } {
	const parents = new Map<number, number>();
	const names = new Map<number, string>();
	for (const entry of readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
			const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
			const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
			parents.set(Number(entry), ppid);
			names.set(Number(entry), name);
		} catch {
			// gone meanwhile
		}
	}
	const isDescendant = (pid: number): boolean => {
		for (let current = parents.get(pid); current !== undefined && current > 1; current = parents.get(current)) if (current === process.pid) return true;
		return false;
	};
	let rss = 0;
	let pss = 0;
	let uss = 0;
	let processes = 0;
	for (const [pid, name] of names) {
		if (!/chrom/i.test(name) || !isDescendant(pid)) continue;
		try {
			const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
			rss += Number(/^Rss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
			pss += Number(/^Pss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
			uss += Number(/^Private_Clean:\s+(\d+)/m.exec(rollup)?.[1] ?? 0) + Number(/^Private_Dirty:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
			processes++;
		} catch {
			// gone meanwhile
		}
	}
	return { processes, rssMb: Math.round(rss / 1024), pssMb: Math.round(pss / 1024), ussMb: Math.round(uss / 1024) };
}

function chromiumPids(): number[] {
	const pids: number[] = [];
	for (const entry of readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
			const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
			if (ppid === process.pid && /chrom/i.test(stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')))) pids.push(Number(entry));
		} catch {
			// gone meanwhile
		}
	}
	return pids;
}

async function timed(label: string, work: () => Promise<RenderedImage>): Promise<RenderedImage> {
	const started = performance.now();
	const image = await work();
	console.log(`[render] ${label}: ${Math.round(performance.now() - started)} ms (${image.mimeType} ${image.width}×${image.height}, ${image.bytes.byteLength} bytes)`);
	return image;
}

let server: RunningServer;
let outside: Server;
let outsideRequests: string[] = [];
let outsidePort = 0;
/** What the shared renderer's asset loader does now (each test sets its own). */
let loadAsset: AssetLoader = async () => null;
let renderer: ChromiumCanvasRenderer;
const renderers: ChromiumCanvasRenderer[] = [];

function newRenderer(options: Partial<ConstructorParameters<typeof ChromiumCanvasRenderer>[0]> = {}): ChromiumCanvasRenderer {
	const created = new ChromiumCanvasRenderer({
		executablePath: CHROMIUM,
		origin: `http://localhost:${server.port}`,
		loadAsset: (id, canvasId) => loadAsset(id, canvasId),
		...options
	});
	renderers.push(created);
	return created;
}

/** The same server on a machine without Chromium (started alongside, to keep the file short). */
let withoutChromium: Promise<RunningServer>;

beforeAll(async () => {
	withoutChromium = startServer({ env: { CHROMIUM_PATH: '', LOG_LEVEL: 'info' } });
	server = await startServer({ env: { LOG_LEVEL: 'info' } });
	outside = createServer((request, response) => {
		outsideRequests.push(request.url ?? '');
		response.writeHead(200, { 'content-type': 'image/png' }).end(solidPng(8, 8, [0, 255, 0, 255]));
	});
	await new Promise<void>((resolve) => outside.listen(0, '127.0.0.1', resolve));
	outsidePort = (outside.address() as { port: number }).port;
	renderer = newRenderer();
});

afterAll(async () => {
	await Promise.all(renderers.map((each) => each.close()));
	await new Promise((resolve) => outside?.close(resolve));
	await Promise.all([server?.dispose(), withoutChromium?.then((started) => started.dispose())]);
});

describe('server-side rendering of a canvas in headless Chromium', () => {
	it('says at start that it can render, and the server starts without Chromium too', async () => {
		expect(server.output()).toMatch(/server rendering of canvases is available/);
		const without = await withoutChromium;
		expect((await fetch(`${without.url}/healthz`)).status).toBe(200);
		expect(without.output()).toMatch(/server rendering of canvases is off/);
	});

	it("serves its render page to anyone, as a tool: the app's CSP, never indexed, never cached", async () => {
		const response = await fetch(`${server.url}/render/canvas`);
		expect(response.status).toBe(200);
		expect(response.headers.get('content-security-policy')).toMatch(/default-src 'self'.*script-src 'self' 'nonce-/);
		expect(response.headers.get('x-robots-tag')).toBe('noindex, nofollow');
		expect(response.headers.get('cache-control')).toBe('no-store');
		expect(await response.text()).toContain('<meta name="robots" content="noindex, nofollow"');
	});

	it('draws a box with its text and an arrow: a PNG of sensible size with real pixels, an SVG carrying the text', async () => {
		const cold = await timed('first render (starts Chromium, loads the page)', () => renderer.render(BOX_AND_ARROW, { format: 'png', maxWidth: 800 }));
		expect(cold.mimeType).toBe('image/png');
		// 320 + 20 + 220 wide (plus the export's padding), never over maxWidth.
		expect(cold.width).toBeGreaterThan(500);
		expect(cold.width).toBeLessThanOrEqual(800);
		expect(cold.height).toBeGreaterThan(150);
		expect(cold.height).toBeLessThan(300);
		const picture = decodePng(cold.bytes);
		expect([picture.width, picture.height]).toEqual([cold.width, cold.height]);
		expect(distinctColours(picture)).toBeGreaterThan(20);
		expect(countPixels(picture, RED)).toBeGreaterThan(200); // the red arrow
		// The label is drawn (dark text pixels inside the box), not lost as resvg or sharp lose it.
		expect(countPixels(picture, [29, 29, 29], 40)).toBeGreaterThan(100);

		const narrow = await timed('warm render, PNG at most 200 px wide', () => renderer.render(BOX_AND_ARROW, { format: 'png', maxWidth: 200 }));
		expect(narrow.width).toBe(200);
		expect(narrow.height).toBeLessThan(cold.height);

		const svg = await timed('warm render, SVG', () => renderer.render(BOX_AND_ARROW, { format: 'svg' }));
		expect(svg.mimeType).toBe('image/svg+xml');
		const text = new TextDecoder().decode(svg.bytes);
		expect(text).toMatch(/^<svg/);
		expect(text).toContain('Quarterly roadmap');
		expect(text).toContain('@font-face'); // fonts inlined: the SVG draws the same anywhere
		for (let i = 0; i < 3; i++) await timed(`warm render ${i + 1}`, () => renderer.render(BOX_AND_ARROW, { format: 'png', maxWidth: 800 }));
		const memory = chromiumMemoryMb();
		console.log(`[render] Chromium while open: ${memory.processes} processes, private ${memory.ussMb} MB, PSS ${memory.pssMb} MB, RSS summed ${memory.rssMb} MB`);
	});

	it('fits the canvas into a fixed frame on its background (an Open Graph preview)', async () => {
		const preview = (await timed('1200×630 preview', async () => (await renderRecordsToPreview(BOX_AND_ARROW, { renderer }))!))!;
		expect([preview.mimeType, preview.width, preview.height]).toEqual(['image/png', 1200, 630]);
		const picture = decodePng(preview.bytes);
		// The corners are the canvas's background, the middle holds the drawing.
		const corner = Array.from(picture.rgba.subarray(0, 3));
		expect(corner.every((channel) => channel > 240)).toBe(true);
		expect(countPixels(picture, RED)).toBeGreaterThan(500);
		// No preview where there is nothing to draw or nothing to draw with: the caller keeps its placeholder.
		expect(await renderRecordsToPreview(canvasOf(), { renderer })).toBeNull();
		expect(await renderRecordsToPreview(BOX_AND_ARROW, { renderer: null })).toBeNull();
	});

	it("draws an image asset from the blob store, and only the canvas's own", async () => {
		const assetId = randomUUID();
		const requested: { id: string; canvasId: string | undefined }[] = [];
		const png = solidPng(40, 40, [255, 0, 0, 255]);
		loadAsset = async (id, canvasId) => {
			requested.push({ id, canvasId });
			return id === assetId && canvasId === 'canvas-a' ? { bytes: png, mimeType: 'image/png' } : null;
		};
		const records = canvasOf(imageAsset('asset:picture', assetSrc(assetId)), imageShape('shape:picture', 'asset:picture', 0));
		const drawn = decodePng((await timed('canvas with an image', () => renderer.render(records, { format: 'png', canvasId: 'canvas-a' }))).bytes);
		expect(countPixels(drawn, PURE_RED, 8)).toBeGreaterThan(150 * 150 * 0.9);
		expect(requested).toContainEqual({ id: assetId, canvasId: 'canvas-a' });

		// Another canvas's render asks for the same asset and is refused: the image is left out.
		const elsewhere = decodePng((await renderer.render({ ...records, 'shape:box': geoShape('shape:box', { x: 200 }) }, { format: 'png', canvasId: 'canvas-b' })).bytes);
		expect(countPixels(elsewhere, PURE_RED, 8)).toBe(0);
	});

	it('makes no request out of the machine for a canvas pointing at other addresses', async () => {
		outsideRequests = [];
		const blockedBefore = renderer.stats().blockedRequests;
		const spy = (host: string, path: string) => `http://${host}:${outsidePort}/${path}`;
		const records = canvasOf(
			imageAsset('asset:remote', spy('127.0.0.1', 'image.png')),
			imageShape('shape:remote', 'asset:remote', 0),
			imageAsset('asset:local-name', spy('localhost', 'by-name.png')),
			imageShape('shape:local-name', 'asset:local-name', 200),
			{
				id: 'asset:bookmark',
				typeName: 'asset',
				type: 'bookmark',
				meta: {},
				props: { src: spy('127.0.0.1', 'page'), title: 'A page', description: 'x', image: spy('127.0.0.1', 'preview.png'), favicon: spy('localhost', 'favicon.ico') }
			},
			{
				id: 'shape:bookmark',
				typeName: 'shape',
				type: 'bookmark',
				x: 0,
				y: 300,
				rotation: 0,
				index: 'a5',
				parentId: PAGE_RECORD.id,
				isLocked: false,
				opacity: 1,
				meta: {},
				props: { w: 300, h: 320, assetId: 'asset:bookmark', url: spy('127.0.0.1', 'page') }
			},
			geoShape('shape:linked', { x: 400, y: 0 }, { url: spy('127.0.0.1', 'link'), richText: richText('Linked') })
		);
		const image = await timed('canvas pointing elsewhere', () => renderer.render(records, { format: 'png' }));
		expect(image.width).toBeGreaterThan(300);
		const svg = new TextDecoder().decode((await renderer.render(records, { format: 'svg' })).bytes);
		expect(svg).toContain('Linked');
		// Give any straggling request time to arrive.
		await new Promise((resolve) => setTimeout(resolve, 300));
		expect(outsideRequests).toEqual([]);
		// The page's CSP already refuses most of these; whatever got past it the route handler refused.
		expect(renderer.stats().blockedRequests).toBeGreaterThanOrEqual(blockedBefore);
	});

	it('says a canvas with nothing on it is empty rather than drawing a blank picture', async () => {
		const error = await renderer.render(canvasOf(), { format: 'png' }).catch((caught: unknown) => caught);
		expect(isCanvasRenderError(error) && error.reason).toBe('empty');
	});

	it('runs one render at a time: concurrent ones wait their turn, too many are refused', async () => {
		const before = renderer.stats().renders;
		const started = performance.now();
		const results = await Promise.all(Array.from({ length: 4 }, (_, i) => renderer.render(BOX_AND_ARROW, { format: 'png', maxWidth: 100 + i * 100 })));
		console.log(`[render] 4 concurrent renders: ${Math.round(performance.now() - started)} ms in all`);
		expect(results.map((result) => result.width)).toEqual([100, 200, 300, 400]);
		expect(renderer.stats()).toMatchObject({ renders: before + 4, maxConcurrent: 1, pending: 0 });

		// One running and 8 waiting (the default bound): the 10th and later are refused at once.
		const outcomes = await Promise.allSettled(Array.from({ length: 11 }, () => renderer.render(BOX_AND_ARROW, { format: 'png', maxWidth: 100 })));
		expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(9);
		const refused = outcomes.filter((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
		expect(refused.map((outcome) => (outcome.reason as CanvasRenderError).reason)).toEqual(['busy', 'busy']);
		expect(renderer.stats().maxConcurrent).toBe(1);
	});

	it('closes Chromium when idle and starts it again for the next render, also after a crash', async () => {
		const othersBrowsers = new Set(chromiumPids());
		const idle = newRenderer({ idleMs: 300 });
		await idle.render(BOX_AND_ARROW, { format: 'png' });
		expect(idle.stats()).toMatchObject({ launches: 1, browserOpen: true });
		const deadline = Date.now() + 10_000;
		while (idle.stats().browserOpen && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
		expect(idle.stats().browserOpen).toBe(false);
		await timed('render after the idle close (starts Chromium again)', () => idle.render(BOX_AND_ARROW, { format: 'png' }));
		expect(idle.stats().launches).toBe(2);

		// Kill this renderer's Chromium (the one started last): the next render starts a new one.
		const crashing = chromiumPids().filter((pid) => !othersBrowsers.has(pid));
		expect(crashing).toHaveLength(1);
		process.kill(crashing[0], 'SIGKILL');
		const gone = Date.now() + 10_000;
		while (idle.stats().browserOpen && Date.now() < gone) await new Promise((resolve) => setTimeout(resolve, 50));
		await timed('render after Chromium was killed', () => idle.render(BOX_AND_ARROW, { format: 'png' }));
		expect(idle.stats().launches).toBe(3);
		await idle.close();
	});

	it('gives up on a render that takes too long, and renders again afterwards', async () => {
		const hasty = newRenderer({ renderTimeoutMs: 1 });
		const error = await hasty.render(BOX_AND_ARROW, { format: 'png' }).catch((caught: unknown) => caught);
		expect((error as CanvasRenderError).reason).toBe('timeout');
		const image = await renderer.render(BOX_AND_ARROW, { format: 'png' });
		expect(image.width).toBeGreaterThan(500);
		await hasty.close();
	});

	it('refuses renders once closed', async () => {
		const closing = newRenderer();
		await closing.close();
		const error = await closing.render(BOX_AND_ARROW, { format: 'png' }).catch((caught: unknown) => caught);
		expect((error as CanvasRenderError).reason).toBe('closed');
	});
});

describeEachDatabase("the renderer reads a canvas's stored assets", (database) => {
	let folder: string;
	beforeAll(() => {
		folder = mkdtempSync(join(tmpdir(), 'easel-render-blobs-'));
	});
	afterAll(() => rmSync(folder, { recursive: true, force: true }));

	it('serves the bytes of an asset of the canvas, nothing for another canvas or an unknown id', async () => {
		const { db } = database();
		const blobs: BlobStore = new FileBlobStore(folder);
		const owner = await accounts.signUp(db, { email: uniqueEmail('renderer'), password: 'password123' });
		const actor = { kind: 'user' as const, userId: owner.id };
		const canvas = await canvases.create(db, actor, { teamId: owner.personalTeamId, title: 'With a picture' });
		const other = await canvases.create(db, actor, { teamId: owner.personalTeamId, title: 'Without' });
		const png = solidPng(40, 40, [255, 0, 0, 255]);
		const sha256 = createHash('sha256').update(png).digest('hex');
		await blobs.put(`blobs/${sha256}`, png, 'image/png');
		await db.insert(assetBlobs).values({ sha256, storageKey: `blobs/${sha256}`, mimeType: 'image/png', bytes: png.byteLength });
		const [asset] = await db.insert(assets).values({ canvasId: canvas.id, sha256, mimeType: 'image/png', bytes: png.byteLength, width: 40, height: 40 }).returning();

		const loader = storedAssetLoader(db, () => blobs);
		expect(await loader(asset.id, canvas.id)).toEqual({ bytes: png, mimeType: 'image/png' });
		expect(await loader(asset.id, other.id)).toBeNull();
		expect(await loader(randomUUID(), canvas.id)).toBeNull();

		loadAsset = loader;
		const records = canvasOf(imageAsset('asset:stored', assetSrc(asset.id)), imageShape('shape:stored', 'asset:stored', 0));
		const drawn = decodePng((await renderer.render(records, { format: 'png', canvasId: canvas.id })).bytes);
		expect(countPixels(drawn, PURE_RED, 8)).toBeGreaterThan(150 * 150 * 0.9);
	});
});
