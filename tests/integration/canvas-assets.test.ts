// A canvas's images through duplicate and move: a copy gets asset rows of its own (the same stored
// bytes) that count against the team's storage, a moved canvas takes its assets along, and either
// is refused with a clear 402 when the team's storage would overflow, changing nothing.
import { eq } from 'drizzle-orm';
import { beforeAll, expect, it } from 'vitest';
import * as Y from 'yjs';
import * as accounts from '../../src/lib/server/accounts.ts';
import { teamStorageUsed } from '../../src/lib/server/assets/storage-quota.ts';
import * as canvases from '../../src/lib/server/canvases.ts';
import { assets, canvases as canvasTable } from '../../src/lib/server/db/schema.ts';
import type { Database } from '../../src/lib/server/db/index.ts';
import { loadStoredDocument, writeNewDocument } from '../../src/lib/server/documents/document-store.ts';
import * as teams from '../../src/lib/server/teams.ts';
import { assetIdOfSrc } from '../../src/lib/asset-urls.ts';
import { documentName } from '../../src/lib/document-names.ts';
import { describeEachDatabase, uniqueEmail } from '../helpers/databases.ts';
import { recordingServices, type RecordingServices } from '../helpers/services.ts';
import { imageAsset, imageShape, storeTestAsset, tinyPng } from '../helpers/stored-assets.ts';
import { DOCUMENT_RECORD, PAGE_RECORD } from '../helpers/tldraw-records.ts';

const GB = 1_000_000_000;

async function recordsOf(db: Database, canvasId: string): Promise<Record<string, { props?: { src?: string } }>> {
	const stored = await loadStoredDocument(db, documentName('canvas', canvasId));
	const doc = new Y.Doc();
	if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot);
	for (const update of stored.updates) Y.applyUpdate(doc, update);
	const records = doc.getMap('records').toJSON();
	doc.destroy();
	return records;
}

describeEachDatabase('a canvas’s images through duplicate and move', (database) => {
	let services: RecordingServices;
	beforeAll(() => {
		const { db } = database();
		services = recordingServices(db, {
			readDocumentState: async (name) => {
				const stored = await loadStoredDocument(db, name);
				const doc = new Y.Doc();
				if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot);
				for (const update of stored.updates) Y.applyUpdate(doc, update);
				return Y.encodeStateAsUpdate(doc);
			}
		});
	});

	/** A user whose personal-team canvas shows two images (one legacy inline), 300 kB of uploaded bytes. */
	async function canvasWithImages() {
		const { db } = database();
		const user = await accounts.signUp(db, { email: uniqueEmail('copies'), password: 'a long enough password', name: 'Cleo' });
		const actor = { kind: 'user' as const, userId: user.id };
		const canvas = await canvases.create(db, actor, { teamId: user.personalTeamId, title: 'Moodboard' });
		const photo = await storeTestAsset(db, services.blobs, canvas.id, tinyPng(30), 'image/png', { recordedBytes: 300_000 });
		const doc = new Y.Doc();
		const records = doc.getMap('records');
		records.set(DOCUMENT_RECORD.id, DOCUMENT_RECORD);
		records.set(PAGE_RECORD.id, PAGE_RECORD);
		records.set('asset:photo', imageAsset('asset:photo', photo.src));
		records.set('shape:photo', imageShape('shape:photo', 'asset:photo'));
		records.set('asset:inline', imageAsset('asset:inline', 'data:image/png;base64,iVBORw0KGgo='));
		records.set('shape:inline', imageShape('shape:inline', 'asset:inline', { index: 'a3' }));
		await writeNewDocument(db, documentName('canvas', canvas.id), Y.encodeStateAsUpdate(doc), Y.encodeStateVector(doc));
		doc.destroy();
		return { user, actor, canvas, photo };
	}

	/** Fills `teamId`'s storage until only `free` bytes are left (a row standing for a large upload). */
	async function fillStorage(teamId: string, free: number, allowed = 1 * GB) {
		const { db } = database();
		const owner = (await db.select({ createdBy: canvasTable.createdBy }).from(canvasTable).where(eq(canvasTable.teamId, teamId)))[0]?.createdBy;
		const [filler] = await db
			.insert(canvasTable)
			.values({ teamId, title: 'Big files', createdBy: owner ?? null })
			.returning({ id: canvasTable.id });
		const used = await teamStorageUsed(db, teamId);
		await storeTestAsset(db, services.blobs, filler.id, tinyPng(31), 'image/png', { recordedBytes: allowed - used - free });
	}

	it('gives a duplicate asset rows of its own for the same bytes, and its records point at them', async () => {
		const { db } = database();
		const { actor, canvas, photo } = await canvasWithImages();
		const before = await teamStorageUsed(db, (await canvases.get(db, actor, canvas.id)).teamId);
		const copy = await canvases.duplicate(services, actor, canvas.id);
		const records = await recordsOf(db, copy.id);
		const copiedId = assetIdOfSrc(records['asset:photo'].props?.src);
		expect(copiedId).not.toBeNull();
		expect(copiedId).not.toBe(photo.id);
		const [copied] = await db.select().from(assets).where(eq(assets.id, copiedId!));
		expect(copied).toMatchObject({ canvasId: copy.id, sha256: photo.sha256, bytes: 300_000, uploadedBy: actor.userId });
		// The inline image and the shapes are copied as they are; the source is untouched.
		expect(records['asset:inline'].props?.src).toBe('data:image/png;base64,iVBORw0KGgo=');
		expect(records['shape:photo']).toBeDefined();
		expect((await recordsOf(db, canvas.id))['asset:photo'].props?.src).toBe(photo.src);
		// Copies count against the team's storage, though the bytes are stored once.
		expect(await teamStorageUsed(db, copy.teamId)).toBe(before + 300_000);
	});

	it('refuses a duplicate that would pass the team’s storage with 402 naming it, and creates nothing', async () => {
		const { db } = database();
		const { user, actor, canvas } = await canvasWithImages();
		await fillStorage(user.personalTeamId, 100_000);
		const canvasesBefore = (await canvases.listForTeam(db, actor, user.personalTeamId)).length;
		const assetsBefore = (await db.select({ id: assets.id }).from(assets)).length;
		const refused = await canvases.duplicate(services, actor, canvas.id).catch((error: unknown) => error);
		expect(refused).toMatchObject({
			code: 'LIMIT_EXCEEDED',
			status: 402,
			message: expect.stringMatching(/The Free plan includes 1 GB of storage per team; this team uses .* and this needs 300 kB more\. Upgrade to Pro/),
			details: { limit: 'storage', allowed: 1 * GB, needed: 300_000, plan: 'free' }
		});
		expect((await canvases.listForTeam(db, actor, user.personalTeamId)).length).toBe(canvasesBefore);
		expect((await db.select({ id: assets.id }).from(assets)).length).toBe(assetsBefore);
	});

	it('moves a canvas with its assets to a team with room, and refuses a team without', async () => {
		const { db } = database();
		const { actor, canvas, photo } = await canvasWithImages();
		const roomy = await teams.create(db, actor, 'Roomy');
		const full = await teams.create(db, actor, 'Full');
		await fillStorage(full.id, 299_999);

		const refused = await canvases.move(services, actor, canvas.id, full.id).catch((error: unknown) => error);
		expect(refused).toMatchObject({ code: 'LIMIT_EXCEEDED', details: { limit: 'storage', needed: 300_000 } });
		expect((await canvases.get(db, actor, canvas.id)).teamId).not.toBe(full.id);

		const moved = await canvases.move(services, actor, canvas.id, roomy.id);
		expect(moved.teamId).toBe(roomy.id);
		const [row] = await db.select().from(assets).where(eq(assets.id, photo.id));
		expect(row.canvasId).toBe(canvas.id);
		expect(await teamStorageUsed(db, roomy.id)).toBe(300_000);
		expect((await recordsOf(db, canvas.id))['asset:photo'].props?.src).toBe(photo.src);
	});

	it('duplicates a canvas without uploaded images whatever the storage left', async () => {
		const { db } = database();
		const user = await accounts.signUp(db, { email: uniqueEmail('plain'), password: 'a long enough password', name: 'Pia' });
		const actor = { kind: 'user' as const, userId: user.id };
		const canvas = await canvases.create(db, actor, { teamId: user.personalTeamId });
		await fillStorage(user.personalTeamId, 0);
		await expect(canvases.duplicate(services, actor, canvas.id)).resolves.toMatchObject({ title: expect.stringMatching(/\(copy\)$/) });
	});
});
