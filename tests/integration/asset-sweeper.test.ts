// The asset sweeper collects stored files nothing can show any more, and nothing else: an asset row
// outlives its team's history window only while the live canvas, a kept version or a publication
// uses it; a blob goes when no row points at it; deleting a canvas or a team leaves nothing behind.
import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import * as accounts from '../../src/lib/server/accounts.ts';
import { sweepAssets } from '../../src/lib/server/assets/asset-sweeper.ts';
import { readBlob } from '../../src/lib/server/assets/blob-store.ts';
import * as billing from '../../src/lib/server/billing.ts';
import * as canvases from '../../src/lib/server/canvases.ts';
import type { Database } from '../../src/lib/server/db/index.ts';
import { assetBlobs, assets, publicationAssets, publications } from '../../src/lib/server/db/schema.ts';
import { loadStoredDocument, writeNewDocument } from '../../src/lib/server/documents/document-store.ts';
import * as history from '../../src/lib/server/history.ts';
import * as teams from '../../src/lib/server/teams.ts';
import * as trash from '../../src/lib/server/trash/index.ts';
import { documentName } from '../../src/lib/document-names.ts';
import { describeEachDatabase, uniqueEmail } from '../helpers/databases.ts';
import { recordingServices, type RecordingServices } from '../helpers/services.ts';
import { imageAsset, imageShape, storeTestAsset, tinyPng } from '../helpers/stored-assets.ts';
import { DOCUMENT_RECORD, PAGE_RECORD } from '../helpers/tldraw-records.ts';

const DAY_MS = 86_400_000;
/** Past the free plan's window: 7 days of history and 7 days of grace. */
const LATER = () => new Date(Date.now() + 20 * DAY_MS);

/** A canvas state holding the page and an image for each src. */
function stateWith(...srcs: string[]): Uint8Array {
	const doc = new Y.Doc();
	const records = doc.getMap('records');
	records.set(DOCUMENT_RECORD.id, DOCUMENT_RECORD);
	records.set(PAGE_RECORD.id, PAGE_RECORD);
	srcs.forEach((src, index) => {
		records.set(`asset:${index}`, imageAsset(`asset:${index}`, src));
		records.set(`shape:${index}`, imageShape(`shape:${index}`, `asset:${index}`));
	});
	const state = Y.encodeStateAsUpdate(doc);
	doc.destroy();
	return state;
}

/** The stored state of a document, as the collaboration server reads one that is not loaded. */
async function storedState(db: Database, name: string): Promise<Uint8Array> {
	const stored = await loadStoredDocument(db, name);
	const doc = new Y.Doc();
	if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot);
	for (const update of stored.updates) Y.applyUpdate(doc, update);
	const state = Y.encodeStateAsUpdate(doc);
	doc.destroy();
	return state;
}

describeEachDatabase('the asset sweeper', (database) => {
	let services: RecordingServices;
	beforeAll(() => {
		const { db } = database();
		services = recordingServices(db, { readDocumentState: (name) => storedState(db, name) });
	});

	async function owner() {
		const user = await accounts.signUp(database().db, { email: uniqueEmail('sweep'), password: 'a long enough password', name: 'Sam' });
		return { ...user, actor: { kind: 'user' as const, userId: user.id } };
	}

	/** A canvas of `teamId` whose live document shows `srcs`. */
	async function canvasShowing(user: Awaited<ReturnType<typeof owner>>, teamId = user.personalTeamId) {
		const canvas = await canvases.create(database().db, user.actor, { teamId });
		return { id: canvas.id, show: (...srcs: string[]) => writeNewDocument(database().db, documentName('canvas', canvas.id), stateWith(...srcs), new Uint8Array()) };
	}

	const assetRow = async (id: string) => (await database().db.select().from(assets).where(eq(assets.id, id)))[0];
	const blobRow = async (sha256: string) => (await database().db.select().from(assetBlobs).where(eq(assetBlobs.sha256, sha256)))[0];
	const storedBytes = async (key: string) => {
		const blob = await services.blobs.get(key);
		return blob ? readBlob(blob) : null;
	};

	it('collects an old asset nothing uses, with its blob; keeps a young one', async () => {
		const user = await owner();
		const canvas = await canvasShowing(user);
		await canvas.show();
		const asset = await storeTestAsset(database().db, services.blobs, canvas.id, tinyPng(10));
		// Within the window (and the blob's own grace): nothing goes.
		expect(await sweepAssets(services, new Date(Date.now() + DAY_MS))).toMatchObject({ assets: 0 });
		expect(await assetRow(asset.id)).toBeDefined();

		const result = await sweepAssets(services, LATER());
		expect(result.assets).toBeGreaterThanOrEqual(1);
		expect(await assetRow(asset.id)).toBeUndefined();
		expect(await blobRow(asset.sha256)).toBeUndefined();
		expect(await storedBytes(asset.storageKey)).toBeNull();
	});

	it('keeps an old asset the live canvas shows', async () => {
		const user = await owner();
		const canvas = await canvasShowing(user);
		const asset = await storeTestAsset(database().db, services.blobs, canvas.id, tinyPng(11));
		await canvas.show(asset.src);
		await sweepAssets(services, LATER());
		expect(await assetRow(asset.id)).toBeDefined();
		expect(await storedBytes(asset.storageKey)).toEqual(tinyPng(11));
	});

	it('keeps an asset only an old version shows until that version expires', async () => {
		const user = await owner();
		const canvas = await canvasShowing(user);
		const asset = await storeTestAsset(database().db, services.blobs, canvas.id, tinyPng(12));
		await history.capture(database().db, { document: documentName('canvas', canvas.id), state: stateWith(asset.src), kind: 'auto' });
		await canvas.show();
		const later = LATER();
		await sweepAssets(services, later);
		expect(await assetRow(asset.id)).toBeDefined();
		// Past the free plan's 7 days and the grace period, pruning deletes the version; then the asset goes.
		expect(await history.prune(database().db, later)).toBeGreaterThanOrEqual(1);
		await sweepAssets(services, later);
		expect(await assetRow(asset.id)).toBeUndefined();
		expect(await storedBytes(asset.storageKey)).toBeNull();
	});

	it('on unlimited history, keeps an asset any version shows, however old', async () => {
		const user = await owner();
		const team = await teams.create(database().db, user.actor, 'Forever');
		await billing.setPlan(database().db, team.id, 'team', 3);
		const canvas = await canvasShowing(user, team.id);
		const [kept, unused] = [
			await storeTestAsset(database().db, services.blobs, canvas.id, tinyPng(13)),
			await storeTestAsset(database().db, services.blobs, canvas.id, tinyPng(14))
		];
		await history.capture(database().db, { document: documentName('canvas', canvas.id), state: stateWith(kept.src), kind: 'auto' });
		await canvas.show();
		await sweepAssets(services, new Date(Date.now() + 1000 * DAY_MS));
		expect(await assetRow(kept.id)).toBeDefined();
		expect(await assetRow(unused.id)).toBeUndefined();
	});

	it('keeps what a publication shows', async () => {
		const user = await owner();
		const canvas = await canvasShowing(user);
		const asset = await storeTestAsset(database().db, services.blobs, canvas.id, tinyPng(15));
		const version = await history.capture(database().db, { document: documentName('canvas', canvas.id), state: stateWith(asset.src), kind: 'publish' });
		const [publication] = await database()
			.db.insert(publications)
			.values({ canvasId: canvas.id, slug: `kept-${crypto.randomUUID()}`, versionId: version.id, title: 'Kept', authorName: 'Sam' })
			.returning({ id: publications.id });
		await database().db.insert(publicationAssets).values({ publicationId: publication.id, assetId: asset.id });
		await canvas.show();
		const muchLater = new Date(Date.now() + 400 * DAY_MS);
		await history.prune(database().db, muchLater);
		await sweepAssets(services, muchLater);
		expect(await assetRow(asset.id)).toBeDefined();
		expect(await storedBytes(asset.storageKey)).toEqual(tinyPng(15));
	});

	it('collects the blob and thumbnail of a deleted canvas', async () => {
		const user = await owner();
		const canvas = await canvasShowing(user);
		const asset = await storeTestAsset(database().db, services.blobs, canvas.id, tinyPng(16));
		await canvas.show(asset.src);
		await services.blobs.put(`thumbnails/${canvas.id}`, tinyPng(17), 'image/png');
		await trash.deleteCanvasForever(services, user.actor, canvas.id);
		expect(await assetRow(asset.id)).toBeUndefined();
		const result = await sweepAssets(services, new Date(Date.now() + 2 * 60 * 60_000));
		expect(result.blobs).toBeGreaterThanOrEqual(1);
		expect(await blobRow(asset.sha256)).toBeUndefined();
		expect(await storedBytes(asset.storageKey)).toBeNull();
		expect(await storedBytes(`thumbnails/${canvas.id}`)).toBeNull();
	});

	it('keeps a blob shared by two canvases while either still uses it', async () => {
		const user = await owner();
		const [first, second] = [await canvasShowing(user), await canvasShowing(user)];
		const a = await storeTestAsset(database().db, services.blobs, first.id, tinyPng(18));
		const b = await storeTestAsset(database().db, services.blobs, second.id, tinyPng(18));
		expect(b.sha256).toBe(a.sha256);
		await first.show(a.src);
		await second.show(b.src);
		const soon = new Date(Date.now() + 2 * 60 * 60_000);
		await trash.deleteCanvasForever(services, user.actor, first.id);
		await sweepAssets(services, soon);
		expect(await blobRow(a.sha256)).toBeDefined();
		expect(await storedBytes(a.storageKey)).toEqual(tinyPng(18));
		await trash.deleteCanvasForever(services, user.actor, second.id);
		await sweepAssets(services, soon);
		expect(await blobRow(a.sha256)).toBeUndefined();
		expect(await storedBytes(a.storageKey)).toBeNull();
	});

	it('deletes a team with published canvases and images (to the trash, then purged); its blobs are collected next', async () => {
		const user = await owner();
		const team = await teams.create(database().db, user.actor, 'Going away');
		const canvas = await canvasShowing(user, team.id);
		const asset = await storeTestAsset(database().db, services.blobs, canvas.id, tinyPng(19));
		await canvas.show(asset.src);
		const version = await history.capture(database().db, { document: documentName('canvas', canvas.id), state: stateWith(asset.src), kind: 'publish' });
		const [publication] = await database()
			.db.insert(publications)
			.values({ canvasId: canvas.id, slug: `gone-${crypto.randomUUID()}`, versionId: version.id, title: 'Gone', authorName: 'Sam' })
			.returning({ id: publications.id });
		await database().db.insert(publicationAssets).values({ publicationId: publication.id, assetId: asset.id });
		await services.blobs.put(`previews/${publication.id}`, tinyPng(20), 'image/png');

		await trash.trashTeam(services, user.actor, team.id, 'Going away');
		// In the trash its images are kept (a restore brings them back); its publication is already gone.
		expect(await assetRow(asset.id)).toBeDefined();
		await trash.purgeTrash(services, new Date(Date.now() + (trash.TRASH_RETENTION_DAYS + 1) * DAY_MS));
		expect(await assetRow(asset.id)).toBeUndefined();
		expect((await database().db.select().from(publications).where(eq(publications.id, publication.id))).length).toBe(0);
		await sweepAssets(services, new Date(Date.now() + 2 * 60 * 60_000));
		expect(await storedBytes(asset.storageKey)).toBeNull();
		expect(await storedBytes(`previews/${publication.id}`)).toBeNull();
	});

	it('leaves a young blob alone (an upload may not have written its asset row yet)', async () => {
		const user = await owner();
		const canvas = await canvasShowing(user);
		const asset = await storeTestAsset(database().db, services.blobs, canvas.id, tinyPng(21));
		await database().db.delete(assets).where(eq(assets.id, asset.id));
		await sweepAssets(services);
		expect(await blobRow(asset.sha256)).toBeDefined();
		expect(await storedBytes(asset.storageKey)).toEqual(tinyPng(21));
	});

	describe('bytes without a row (an upload or import that failed half-way)', () => {
		it('are deleted only when still unclaimed a sweep later', async () => {
			const orphan = tinyPng(22);
			const sha256 = (await import('node:crypto')).createHash('sha256').update(orphan).digest('hex');
			await services.blobs.put(`blobs/${sha256}`, orphan, 'image/png');
			await sweepAssets(services);
			expect(await storedBytes(`blobs/${sha256}`)).toEqual(orphan);
			await sweepAssets(services);
			expect(await storedBytes(`blobs/${sha256}`)).toBeNull();
			expect(await blobRow(sha256)).toBeUndefined();
		});
	});
});
