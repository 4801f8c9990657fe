// The asset domain on both databases, called as routes call it: who may upload (editors and edit
// links) and read (whom the canvas admits, or anyone when a visible publication shows the asset),
// the bytes stored once per content, the plan's per-file limit and the team's storage quota, also
// against concurrent uploads.
import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import * as accounts from '../../src/lib/server/accounts.ts';
import * as assets from '../../src/lib/server/assets/assets.ts';
import * as billing from '../../src/lib/server/billing.ts';
import * as canvases from '../../src/lib/server/canvases.ts';
import * as invitations from '../../src/lib/server/invitations.ts';
import * as sharing from '../../src/lib/server/sharing.ts';
import * as teams from '../../src/lib/server/teams.ts';
import { ANONYMOUS, type Actor, type ApiKeyActor, type UserActor } from '../../src/lib/server/access.ts';
import { FileBlobStore, readBlob } from '../../src/lib/server/assets/blob-store.ts';
import type { Database } from '../../src/lib/server/db/index.ts';
import { assetBlobs, assets as assetRows, canvases as canvasRows, documentVersions, publicationAssets, publications } from '../../src/lib/server/db/schema.ts';
import { documentName } from '../../src/lib/document-names.ts';
import { AppError } from '../../src/lib/server/errors.ts';
import { describeEachDatabase, uniqueEmail } from '../helpers/databases.ts';
import { decode, png, text } from '../helpers/images.ts';
import { recordingServices, type RecordingServices } from '../helpers/services.ts';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A file store that counts its writes. */
class CountingStore extends FileBlobStore {
	puts: string[] = [];
	override async put(key: string, bytes: Uint8Array): Promise<void> {
		this.puts.push(key);
		await super.put(key, bytes);
	}
}

async function person(db: Database, name: string): Promise<UserActor & { personalTeamId: string }> {
	const user = await accounts.signUp(db, { email: uniqueEmail(name.toLowerCase()), password: 'password123', name });
	return { kind: 'user', userId: user.id, personalTeamId: user.personalTeamId };
}

async function refusal(promise: Promise<unknown>): Promise<AppError> {
	const outcome = await promise.then(
		() => null,
		(error: unknown) => error
	);
	if (!(outcome instanceof AppError)) throw new Error(`expected an AppError, got ${outcome === null ? 'success' : String(outcome)}`);
	return outcome;
}

const key = (teamId: string, scopes: ApiKeyActor['scopes']): ApiKeyActor => ({ kind: 'apiKey', keyId: `key-${scopes.join('-')}`, teamId, scopes });

describeEachDatabase('the asset store', (database) => {
	let db: Database;
	let store: CountingStore;
	let services: RecordingServices;
	let owner: UserActor & { personalTeamId: string };
	let editor: UserActor;
	let viewer: UserActor;
	let outsider: UserActor & { personalTeamId: string };
	let teamId: string;
	let canvasId: string;
	let otherCanvasId: string;
	let links: { view: string; edit: string; teamOnly: string; revoked: string; otherCanvas: string };

	beforeAll(async () => {
		db = database().db;
		store = new CountingStore(mkdtempSync(join(tmpdir(), 'easel-asset-store-')));
		services = recordingServices(db, { blobs: store });
		owner = await person(db, 'Owner');
		outsider = await person(db, 'Outsider');
		teamId = (await teams.create(db, owner, 'Studio')).id;
		const member = async (role: 'editor' | 'viewer') => {
			const joining = await person(db, role);
			const { token } = await invitations.create(db, owner, teamId, { role });
			await invitations.accept(services, joining, token);
			return joining;
		};
		editor = await member('editor');
		viewer = await member('viewer');
		canvasId = (await canvases.create(db, owner, { teamId, title: 'Moodboard' })).id;
		otherCanvasId = (await canvases.create(db, owner, { teamId, title: 'Elsewhere' })).id;
		const link = async (canvas: string, access: 'view' | 'edit', audience: 'anyone' | 'team') =>
			(await sharing.createLink(db, owner, canvas, { access, audience })).token;
		const revoked = await sharing.createLink(db, owner, canvasId, { access: 'edit', audience: 'anyone' });
		await sharing.revokeLink(services, owner, revoked.link.id);
		links = {
			view: await link(canvasId, 'view', 'anyone'),
			edit: await link(canvasId, 'edit', 'anyone'),
			teamOnly: await link(canvasId, 'view', 'team'),
			revoked: revoked.token,
			otherCanvas: await link(otherCanvasId, 'view', 'anyone')
		};
	});

	const upload = (actor: Actor, bytes: Uint8Array = png(3, 2), options: { canvas?: string; shareToken?: string; fileName?: string } = {}) =>
		assets.uploadAsset(services, actor, options.canvas ?? canvasId, { bytes, fileName: options.fileName }, { shareToken: options.shareToken });

	it('stores an editor’s image and answers its asset; the bytes are in the store under blobs/<sha-256>', async () => {
		const bytes = png(7, 5, { rgba: [1, 2, 3, 255] });
		const asset = await upload(editor, bytes, { fileName: 'folder/../mood.png' });
		expect(asset).toEqual({ id: expect.any(String), src: `/api/v1/assets/${asset.id}`, mimeType: 'image/png', bytes: bytes.byteLength, width: 7, height: 5 });
		const [row] = await db.select().from(assetRows).where(eq(assetRows.id, asset.id));
		expect(row).toMatchObject({ canvasId, mimeType: 'image/png', bytes: bytes.byteLength, width: 7, height: 5, fileName: 'mood.png', uploadedBy: editor.userId });
		const [blob] = await db.select().from(assetBlobs).where(eq(assetBlobs.sha256, row.sha256));
		expect(blob).toMatchObject({ storageKey: `blobs/${row.sha256}`, mimeType: 'image/png', bytes: bytes.byteLength });
		expect(await readBlob((await store.get(blob.storageKey))!)).toEqual(bytes);
	});

	it('stores the same picture once: a second upload adds a row, not a blob', async () => {
		const bytes = png(4, 4, { rgba: [9, 9, 9, 255] });
		const first = await upload(owner, bytes);
		const putsBefore = store.puts.length;
		const second = await upload(editor, bytes, { canvas: otherCanvasId });
		expect(second.id).not.toBe(first.id);
		expect(store.puts.length).toBe(putsBefore);
		const rows = await db.select({ sha256: assetRows.sha256 }).from(assetRows).where(eq(assetRows.id, second.id));
		expect((await db.select().from(assetBlobs).where(eq(assetBlobs.sha256, rows[0].sha256))).length).toBe(1);
	});

	it('lets an edit link’s guest (and an API key that may write) upload; nobody is recorded as uploader', async () => {
		const byGuest = await upload(ANONYMOUS, png(2, 3), { shareToken: links.edit });
		const byKey = await upload(key(teamId, ['canvases:write']), png(3, 3));
		const rows = await db.select({ id: assetRows.id, uploadedBy: assetRows.uploadedBy }).from(assetRows);
		expect(rows.filter((row) => row.id === byGuest.id || row.id === byKey.id).map((row) => row.uploadedBy)).toEqual([null, null]);
	});

	it.each([
		['a viewer', () => viewer, undefined, 'FORBIDDEN', 'As a viewer you may not edit this canvas.'],
		['a view link', () => ANONYMOUS, () => links.view, 'FORBIDDEN', 'This link only lets you view the canvas.'],
		[
			'an API key that may only read',
			() => key(teamId, ['canvases:read']),
			undefined,
			'FORBIDDEN',
			'This API key may not edit this canvas: it needs the “canvases:write” scope.'
		],
		['an outsider', () => outsider, undefined, 'NOT_FOUND', 'Canvas was not found.'],
		['another team’s API key', () => key(outsider.personalTeamId, ['canvases:write']), undefined, 'NOT_FOUND', 'Canvas was not found.'],
		['a revoked edit link', () => ANONYMOUS, () => links.revoked, 'GONE', undefined],
		['nobody at all', () => ANONYMOUS, undefined, 'UNAUTHENTICATED', undefined]
	] as const)('refuses an upload by %s and stores nothing', async (_name, actor, token, code, message) => {
		const bytes = png(11, 13, { rgba: [77, 77, 77, 255] });
		const rowsBefore = (await db.select({ id: assetRows.id }).from(assetRows)).length;
		const putsBefore = store.puts.length;
		const error = await refusal(upload(actor(), bytes, { shareToken: token?.() }));
		expect(error.code).toBe(code);
		if (message) expect(error.message).toBe(message);
		expect((await db.select({ id: assetRows.id }).from(assetRows)).length).toBe(rowsBefore);
		expect(store.puts.length).toBe(putsBefore);
	});

	it('refuses a file that is not an image (by content, whatever its name) with 415 and stores nothing', async () => {
		const putsBefore = store.puts.length;
		const error = await refusal(upload(editor, text('<html><script>alert(1)</script></html>'), { fileName: 'cat.png' }));
		expect(error).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE', status: 415 });
		expect(store.puts.length).toBe(putsBefore);
	});

	it('stores an SVG sanitised', async () => {
		const asset = await upload(
			editor,
			text('<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4" onload="alert(1)"><script>alert(2)</script><rect width="4" height="4"/></svg>')
		);
		expect(asset).toMatchObject({ mimeType: 'image/svg+xml', width: 4, height: 4 });
		const opened = await assets.openAsset(services, editor, asset.id);
		const stored = decode(new Uint8Array(await new Response(await opened.body()).arrayBuffer()));
		expect(stored).toContain('<rect');
		expect(stored).not.toMatch(/alert|script|onload/);
		expect(opened.bytes).toBe(new TextEncoder().encode(stored).byteLength);
	});

	it('refuses a file over the Free plan’s 10 MB before looking at it, naming the limit and the upgrade', async () => {
		const error = await refusal(upload(editor, new Uint8Array(10_000_001)));
		expect(error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', status: 413, details: { limit: 'fileBytes', allowed: 10_000_000, plan: 'free' } });
		expect(error.message).toBe('Files on the Free plan are at most 10 MB; Pro allows 100 MB.');
		expect(await assets.uploadLimit(db, editor, canvasId)).toEqual({ fileBytes: 10_000_000, plan: 'free' });
	});

	describe('reading', () => {
		let assetId: string;
		let unlisted: string;
		let publicationId: string;

		beforeAll(async () => {
			assetId = (await upload(owner, png(6, 6, { rgba: [5, 6, 7, 255] }), { fileName: 'shown.png' })).id;
			unlisted = (await upload(owner, png(6, 7, { rgba: [5, 6, 7, 255] }))).id;
			const [version] = await db
				.insert(documentVersions)
				.values({ document: documentName('canvas', canvasId), state: new Uint8Array([0]), bytes: 1, kind: 'publish' })
				.returning({ id: documentVersions.id });
			const [publication] = await db
				.insert(publications)
				.values({ canvasId, slug: `moodboard-${canvasId.slice(0, 8)}`, versionId: version.id, title: 'Moodboard', authorName: 'Owner' })
				.returning({ id: publications.id });
			publicationId = publication.id;
			await db.insert(publicationAssets).values({ publicationId, assetId });
		});

		const read = async (actor: Actor, id: string, shareToken?: string) => {
			const opened = await assets.openAsset(services, actor, id, { shareToken });
			return { publicOnly: opened.publicOnly, bytes: new Uint8Array(await new Response(await opened.body()).arrayBuffer()) };
		};

		it.each<[string, () => Actor, (() => string) | undefined]>([
			['the owner', () => owner, undefined],
			['an editor', () => editor, undefined],
			['a viewer', () => viewer, undefined],
			['a view link', () => ANONYMOUS, () => links.view],
			['an edit link', () => ANONYMOUS, () => links.edit],
			['a team-only link, with a team session', () => viewer, () => links.teamOnly],
			['an API key that may read canvases', () => key(teamId, ['canvases:read']), undefined]
		])('lets %s read an asset of the canvas (not "public only")', async (_name, actor, token) => {
			const { publicOnly, bytes } = await read(actor(), unlisted, token?.());
			expect(publicOnly).toBe(false);
			expect(bytes).toEqual(png(6, 7, { rgba: [5, 6, 7, 255] }));
		});

		it.each<[string, () => Actor, (() => string) | undefined, string]>([
			['an outsider', () => outsider, undefined, 'NOT_FOUND'],
			['nobody', () => ANONYMOUS, undefined, 'NOT_FOUND'],
			['a link to another canvas', () => ANONYMOUS, () => links.otherCanvas, 'NOT_FOUND'],
			['a token that is no link', () => ANONYMOUS, () => 'not-a-real-token', 'NOT_FOUND'],
			['a revoked link', () => ANONYMOUS, () => links.revoked, 'GONE'],
			['a team-only link without a session', () => ANONYMOUS, () => links.teamOnly, 'UNAUTHENTICATED'],
			['a team-only link in an outsider’s hands', () => outsider, () => links.teamOnly, 'NOT_FOUND'],
			['an API key of the team that may not read canvases', () => key(teamId, ['team:read']), undefined, 'NOT_FOUND'],
			['another team’s API key', () => key(outsider.personalTeamId, ['canvases:read']), undefined, 'NOT_FOUND']
		])('refuses %s an asset no publication shows', async (_name, actor, token, code) => {
			expect((await refusal(read(actor(), unlisted, token?.()))).code).toBe(code);
		});

		it('lets anyone read an asset a visible publication lists, marked as public only; members still read it privately', async () => {
			expect(await read(ANONYMOUS, assetId)).toMatchObject({ publicOnly: true });
			expect(await read(outsider, assetId)).toMatchObject({ publicOnly: true });
			expect(await read(viewer, assetId)).toMatchObject({ publicOnly: false });
			// A bad link does not stand in the way of a public asset.
			expect(await read(ANONYMOUS, assetId, links.revoked)).toMatchObject({ publicOnly: true });
		});

		it('stops admitting the public once the publication is hidden, and admits it again when restored', async () => {
			await db.update(publications).set({ moderation: 'hidden', moderationReason: 'Spam' }).where(eq(publications.id, publicationId));
			expect((await refusal(read(ANONYMOUS, assetId))).code).toBe('NOT_FOUND');
			expect((await read(editor, assetId)).publicOnly).toBe(false);
			await db.update(publications).set({ moderation: 'visible', moderationReason: null }).where(eq(publications.id, publicationId));
			expect((await read(ANONYMOUS, assetId)).publicOnly).toBe(true);
		});

		it('answers NOT_FOUND for ids that are no asset, or no id at all', async () => {
			for (const id of ['00000000-0000-0000-0000-000000000000', crypto.randomUUID(), 'not-a-uuid', '', '../../etc/passwd']) {
				expect((await refusal(read(owner, id))).code).toBe('NOT_FOUND');
			}
		});

		it('answers NOT_FOUND when the store has lost the bytes (and says so in the log)', async () => {
			const lost = await upload(owner, png(9, 1, { rgba: [1, 1, 1, 1] }));
			const [row] = await db.select({ sha256: assetRows.sha256 }).from(assetRows).where(eq(assetRows.id, lost.id));
			await store.delete(`blobs/${row.sha256}`);
			const opened = await assets.openAsset(services, owner, lost.id);
			expect((await refusal(opened.body())).code).toBe('NOT_FOUND');
		});
	});

	it('counts the team’s storage over its canvases’ assets, and forgets a deleted canvas’s', async () => {
		const team = (await teams.create(db, owner, 'Counted')).id;
		const first = (await canvases.create(db, owner, { teamId: team, title: 'One' })).id;
		const second = (await canvases.create(db, owner, { teamId: team, title: 'Two' })).id;
		expect(await assets.teamStorageUsed(db, team)).toBe(0);
		const a = await upload(owner, png(20, 20), { canvas: first });
		const b = await upload(owner, png(21, 20), { canvas: second });
		expect(await assets.teamStorageUsed(db, team)).toBe(a.bytes + b.bytes);
		await db.delete(canvasRows).where(eq(canvasRows.id, second));
		expect(await assets.teamStorageUsed(db, team)).toBe(a.bytes);
		expect(await assets.teamStorageUsed(db, 'not-a-team')).toBe(0);
	});

	/** A team whose storage is `free` bytes short of its plan's quota (rows that stand for files already there). */
	async function nearlyFullTeam(free: number, plan: 'free' | 'pro' = 'free') {
		const team = (await teams.create(db, owner, `Full ${free}`)).id;
		if (plan !== 'free') await billing.setPlan(db, team, plan, null);
		const canvas = (await canvases.create(db, owner, { teamId: team, title: 'Full' })).id;
		const quota = plan === 'free' ? 1_000_000_000 : 10_000_000_000;
		const sha256 = `filler${team.replace(/-/g, '')}`;
		await db.insert(assetBlobs).values({ sha256, storageKey: `blobs/${sha256}`, mimeType: 'image/png', bytes: quota - free });
		await db.insert(assetRows).values({ canvasId: canvas, sha256, mimeType: 'image/png', bytes: quota - free });
		return { team, canvas, quota };
	}

	it('refuses an upload that would pass the team’s storage quota, naming used and allowed, and stores no row', async () => {
		const bytes = png(30, 30, { padding: 2000 });
		const { team, canvas } = await nearlyFullTeam(bytes.byteLength - 1);
		const error = await refusal(upload(owner, bytes, { canvas }));
		expect(error).toMatchObject({
			code: 'LIMIT_EXCEEDED',
			status: 402,
			details: { limit: 'storage', allowed: 1_000_000_000, used: 1_000_000_000 - bytes.byteLength + 1, plan: 'free' }
		});
		expect(error.message).toMatch(
			/^This team's images take 999.9 MB of the Free plan's 1 GB, and this file needs 2\.\d+ KB\. Upgrade to Pro for 10 GB, or delete images you no longer need\.$/
		);
		expect((await db.select().from(assetRows).innerJoin(canvasRows, eq(canvasRows.id, assetRows.canvasId)).where(eq(canvasRows.teamId, team))).length).toBe(1);
		// One byte less fits exactly.
		const fits = await nearlyFullTeam(bytes.byteLength);
		await expect(upload(owner, bytes, { canvas: fits.canvas })).resolves.toMatchObject({ bytes: bytes.byteLength });
		expect(await assets.teamStorageUsed(db, fits.team)).toBe(fits.quota);
	});

	it('lets concurrent uploads into a nearly full team fill it, never pass it', async () => {
		const files = Array.from({ length: 6 }, (_, index) => png(10 + index, 10, { padding: 1000 }));
		const size = Math.max(...files.map((file) => file.byteLength));
		const { team, canvas, quota } = await nearlyFullTeam(size * 2 + 10);
		const results = await Promise.allSettled(files.map((file) => upload(owner, file, { canvas })));
		const refused = results.filter((result) => result.status === 'rejected').map((result) => (result as PromiseRejectedResult).reason);
		expect(results.length - refused.length).toBe(2);
		expect(refused.every((reason) => reason instanceof AppError && reason.code === 'LIMIT_EXCEEDED')).toBe(true);
		expect(await assets.teamStorageUsed(db, team)).toBeLessThanOrEqual(quota);
	});

	it('takes larger files and more storage on Pro', async () => {
		const { canvas } = await nearlyFullTeam(50_000, 'pro');
		expect(await assets.uploadLimit(db, owner, canvas)).toEqual({ fileBytes: 100_000_000, plan: 'pro' });
		await expect(upload(owner, png(40, 40, { padding: 20_000 }), { canvas })).resolves.toMatchObject({ mimeType: 'image/png' });
	});
});
