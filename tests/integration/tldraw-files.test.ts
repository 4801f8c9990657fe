// .tldr files: a canvas exported without a browser (pictures inlined, readable by tldraw itself) and a
// file imported as a new canvas (older schemas migrated, inline pictures moved into the asset store,
// every bad file refused with a message naming the problem, leaving no canvas and no asset behind);
// in the domain on both databases and through the real server.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { count, eq } from 'drizzle-orm';
import { createHash } from 'node:crypto';
import { parseTldrawJsonFile } from 'tldraw';
import * as accounts from '../../src/lib/server/accounts.ts';
import * as canvases from '../../src/lib/server/canvases.ts';
import type { Database } from '../../src/lib/server/db/index.ts';
import { assetBlobs, assets, auditLog, canvases as canvasRows, memberships } from '../../src/lib/server/db/schema.ts';
import { loadStoredDocument } from '../../src/lib/server/documents/document-store.ts';
import { tldrawSchema } from '../../src/lib/server/canvas-records.ts';
import { importTldrawFile, type ImportLimits } from '../../src/lib/server/tldraw-files/index.ts';
import { assetIdOfSrc } from '../../src/lib/asset-urls.ts';
import { documentName } from '../../src/lib/document-names.ts';
import * as Y from 'yjs';
import { describeEachDatabase, uniqueEmail } from '../helpers/databases.ts';
import { describeEachServerDatabase } from '../helpers/server-databases.ts';
import { recordingServices, type RecordingServices } from '../helpers/services.ts';
import { DOCUMENT_RECORD, geoShape, PAGE_RECORD, richText } from '../helpers/tldraw-records.ts';
import { api, connectCanvas, signUp, type CanvasClient, type TestUser } from '../helpers/clients.ts';
import { png } from '../helpers/images.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';

const LIMITS: ImportLimits = { maxDocumentBytes: 32 * 1024 * 1024, maxRecordBytes: 2 * 1024 * 1024, maxRecords: 100_000, maxTitleLength: 200 };

const label = (id: string, text: string, overrides: Record<string, unknown> = {}) => geoShape(id, overrides, { richText: richText(text) });

const imageAsset = (id: string, src: string | null, mimeType = 'image/png') => ({
	id,
	typeName: 'asset',
	type: 'image',
	props: { name: 'picture.png', src, w: 4, h: 3, mimeType, isAnimated: false },
	meta: {}
});

const imageShape = (id: string, assetId: string) => ({
	id,
	typeName: 'shape',
	type: 'image',
	x: 10,
	y: 20,
	rotation: 0,
	index: 'a5',
	parentId: 'page:page',
	isLocked: false,
	opacity: 1,
	meta: {},
	props: { w: 4, h: 3, playing: true, url: '', assetId, crop: null, flipX: false, flipY: false, altText: '' }
});

/** A .tldr file as tldraw's serializeTldrawJson writes it (plus the per-tab records it includes). */
function tldrFile(records: unknown[], options: { schema?: unknown; version?: number } = {}): Uint8Array {
	const camera = { id: 'camera:page:page', typeName: 'camera', x: 0, y: 0, z: 1, meta: {} };
	return new TextEncoder().encode(
		JSON.stringify({
			tldrawFileFormatVersion: options.version ?? 1,
			schema: options.schema ?? tldrawSchema.serialize(),
			records: [DOCUMENT_RECORD, PAGE_RECORD, camera, ...records]
		})
	);
}

const dataUrl = (bytes: Uint8Array, mimeType: string) => `data:${mimeType};base64,${Buffer.from(bytes).toString('base64')}`;
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

const SCRIPTED_SVG =
	'<svg xmlns="http://www.w3.org/2000/svg" width="4" height="3"><script>alert(document.cookie)</script><rect width="4" height="3" fill="red" onclick="alert(1)"/></svg>';

/** An older tldraw's geo shape: plain `text`, no flips (geo schema 9), as the history tests write one. */
function olderSchemaFile(): Uint8Array {
	const current = tldrawSchema.serialize();
	const { richText: _richText, flipX: _flipX, flipY: _flipY, ...olderProps } = geoShape('shape:old').props;
	return tldrFile([{ ...geoShape('shape:old'), props: { ...olderProps, text: 'Legacy label' } }], {
		schema: { ...current, sequences: { ...current.sequences, 'com.tldraw.shape.geo': 9 } }
	});
}

async function person(db: Database, name: string) {
	const user = await accounts.signUp(db, { email: uniqueEmail(name.toLowerCase()), password: 'a long enough password', name });
	return { ...user, actor: { kind: 'user' as const, userId: user.id }, teamId: user.personalTeamId };
}

async function storedRecords(db: Database, canvasId: string) {
	const stored = await loadStoredDocument(db, documentName('canvas', canvasId));
	const doc = new Y.Doc();
	if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot);
	for (const update of stored.updates) Y.applyUpdate(doc, update);
	return {
		records: doc.getMap('records').toJSON() as Record<string, { props?: Record<string, unknown>; meta?: Record<string, unknown> }>,
		meta: doc.getMap('meta').toJSON()
	};
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
	return new Uint8Array(await new Response(stream).arrayBuffer());
}

describeEachDatabase('importing a .tldr file', (database) => {
	/** What an import leaves in the team: canvases, asset rows, stored blobs. */
	async function leftovers(db: Database, services: RecordingServices, teamId: string) {
		const [{ value: canvasCount }] = await db.select({ value: count() }).from(canvasRows).where(eq(canvasRows.teamId, teamId));
		const assetRows = await db.select({ id: assets.id }).from(assets).innerJoin(canvasRows, eq(canvasRows.id, assets.canvasId)).where(eq(canvasRows.teamId, teamId));
		const blobs: string[] = [];
		for await (const key of services.blobs.list('blobs/')) blobs.push(key);
		return { canvases: canvasCount, assets: assetRows.length, blobs: blobs.length };
	}

	it('makes a canvas of the records, titled after the file, with its inline PNG moved into the asset store, and audits it', async () => {
		const { db } = database();
		const owner = await person(db, 'Owner');
		const services = recordingServices(db);
		const picture = png(4, 3, { rgba: [200, 10, 10, 255] });
		const bytes = tldrFile([label('shape:a', 'API gateway'), imageAsset('asset:pic', dataUrl(picture, 'image/png')), imageShape('shape:img', 'asset:pic')]);
		const canvas = await importTldrawFile(services, owner.actor, { teamId: owner.teamId, bytes, fileName: 'System design.tldr' }, LIMITS, { ip: '203.0.113.5' });
		expect(canvas).toMatchObject({ teamId: owner.teamId, title: 'System design', createdBy: owner.id });

		const { records, meta } = await storedRecords(db, canvas.id);
		// The tab's camera stays behind; the canvas's records come over with their ids.
		expect(Object.keys(records).sort()).toEqual(['asset:pic', 'document:document', 'page:page', 'shape:a', 'shape:img']);
		expect(JSON.stringify(records['shape:a'].props?.richText)).toContain('API gateway');
		expect(meta.schema).toEqual(tldrawSchema.serialize());
		const assetId = assetIdOfSrc(records['asset:pic'].props?.src);
		expect(assetId).not.toBeNull();
		const [row] = await db.select().from(assets).where(eq(assets.id, assetId!));
		expect(row).toMatchObject({
			canvasId: canvas.id,
			mimeType: 'image/png',
			bytes: picture.byteLength,
			width: 4,
			height: 3,
			sha256: sha256(picture),
			uploadedBy: owner.id
		});
		const blob = await services.blobs.get(`blobs/${sha256(picture)}`);
		expect(await readAll(blob!.body)).toEqual(picture);

		const [entry] = await db.select().from(auditLog).where(eq(auditLog.action, 'canvas.import'));
		expect(entry).toMatchObject({ teamId: owner.teamId, actorId: owner.id, targetId: canvas.id, ip: '203.0.113.5', details: { title: 'System design', images: 1 } });
	});

	it('migrates a file an older tldraw wrote', async () => {
		const { db } = database();
		const owner = await person(db, 'Owner');
		const canvas = await importTldrawFile(recordingServices(db), owner.actor, { teamId: owner.teamId, bytes: olderSchemaFile(), title: 'Old diagram' }, LIMITS);
		const { records } = await storedRecords(db, canvas.id);
		expect(records['shape:old'].props).toMatchObject({ flipX: false, flipY: false });
		expect(records['shape:old'].props).not.toHaveProperty('text');
		expect(JSON.stringify(records['shape:old'].props?.richText)).toContain('Legacy label');
	});

	it('stores an inline SVG sanitised: no script, no event handler', async () => {
		const { db } = database();
		const owner = await person(db, 'Owner');
		const services = recordingServices(db);
		const svg = new TextEncoder().encode(SCRIPTED_SVG);
		const bytes = tldrFile([imageAsset('asset:svg', `data:image/svg+xml,${encodeURIComponent(SCRIPTED_SVG)}`, 'image/svg+xml'), imageShape('shape:svg', 'asset:svg')]);
		const canvas = await importTldrawFile(services, owner.actor, { teamId: owner.teamId, bytes }, LIMITS);
		expect(canvas.title).toBe('Imported canvas');
		const { records } = await storedRecords(db, canvas.id);
		const [row] = await db
			.select()
			.from(assets)
			.where(eq(assets.id, assetIdOfSrc(records['asset:svg'].props?.src)!));
		expect(row.mimeType).toBe('image/svg+xml');
		const stored = new TextDecoder().decode(await readAll((await services.blobs.get(`blobs/${row.sha256}`))!.body));
		expect(stored).toContain('<rect');
		expect(stored).not.toMatch(/script|onclick|alert/i);
		expect(row.sha256).not.toBe(sha256(svg));
	});

	it('keeps an image from another site (or another canvas) as an empty placeholder, remembering the URL', async () => {
		const { db } = database();
		const owner = await person(db, 'Owner');
		const foreign = `/api/v1/assets/${crypto.randomUUID()}`;
		const bytes = tldrFile([
			imageAsset('asset:remote', 'https://images.example.com/cat.png'),
			imageShape('shape:remote', 'asset:remote'),
			imageAsset('asset:foreign', foreign),
			imageShape('shape:foreign', 'asset:foreign')
		]);
		const canvas = await importTldrawFile(recordingServices(db), owner.actor, { teamId: owner.teamId, bytes }, LIMITS);
		const { records } = await storedRecords(db, canvas.id);
		expect(records['asset:remote'].props?.src).toBeNull();
		expect(records['asset:remote'].meta).toEqual({ importedFrom: 'https://images.example.com/cat.png' });
		expect(records['asset:foreign'].props?.src).toBeNull();
		expect(records['shape:remote']).toBeDefined();
		expect(await db.select().from(assets).where(eq(assets.canvasId, canvas.id))).toEqual([]);
	});

	it.each([
		['not JSON', () => new TextEncoder().encode('PK\u0003\u0004 a zip, say'), 400, /^This is not a tldraw file \(\.tldr\)\.$/],
		[
			'JSON that is no tldraw file',
			() => new TextEncoder().encode(JSON.stringify({ type: 'excalidraw', elements: [] })),
			400,
			/^This is not a tldraw file \(\.tldr\)\.$/
		],
		['a tldraw 1 file', () => new TextEncoder().encode(JSON.stringify({ document: { version: 15.5, pages: {} } })), 400, /made with tldraw 1/],
		['a newer file format', () => tldrFile([], { version: 2 }), 400, /newer version of tldraw.*file format 2; this Easel reads format 1/],
		[
			'a newer record version',
			() => tldrFile([], { schema: { schemaVersion: 2, sequences: { ...tldrawSchema.serialize().sequences, 'com.tldraw.shape.geo': 99 } } }),
			400,
			/newer version of tldraw.*com\.tldraw\.shape\.geo version 99/
		],
		['an unknown record type', () => tldrFile([{ id: 'widget:1', typeName: 'widget' }]), 400, /newer version of tldraw.*record widget:1 is of record type “widget”/],
		['an unknown shape type', () => tldrFile([{ ...geoShape('shape:card'), type: 'card' }]), 400, /newer version of tldraw.*record shape:card is a “card” shape/],
		['an invalid record', () => tldrFile([label('shape:ok', 'fine'), { ...geoShape('shape:bad'), x: 'left' }]), 400, /record shape:bad is invalid: .*x: Expected number/],
		[
			'a shape on a page that is not there',
			() => tldrFile([label('shape:lost', 'x', { parentId: 'page:gone' })]),
			400,
			/record shape:lost is invalid: refers to page:gone/
		],
		[
			'a damaged inline PNG',
			() => tldrFile([imageAsset('asset:p', dataUrl(png(4, 3).slice(0, 30), 'image/png')), imageShape('shape:p', 'asset:p')]),
			415,
			/“picture\.png”.*cut off or damaged/
		],
		[
			'an inline image over the plan’s file size',
			() => tldrFile([imageAsset('asset:big', dataUrl(new Uint8Array(10_000_001), 'image/png')), imageShape('shape:big', 'asset:big')]),
			413,
			/“picture\.png” in this file is too large\. Files on the Free plan are at most 10 MB/
		]
	] as const)('refuses %s with a message naming the problem, leaving nothing behind', async (_name, file, status, message) => {
		const { db } = database();
		const owner = await person(db, 'Owner');
		const services = recordingServices(db);
		const refused = importTldrawFile(services, owner.actor, { teamId: owner.teamId, bytes: file() }, LIMITS);
		await expect(refused).rejects.toMatchObject({ status });
		await expect(refused).rejects.toThrow(message);
		expect(await leftovers(db, services, owner.teamId)).toEqual({ canvases: 0, assets: 0, blobs: 0 });
	});

	it('refuses a file larger than a canvas plus the plan’s file size with 413 naming the limit', async () => {
		const { db } = database();
		const owner = await person(db, 'Owner');
		const services = recordingServices(db);
		const bytes = new Uint8Array(64 * 1024 + 10_000_001);
		const refused = importTldrawFile(services, owner.actor, { teamId: owner.teamId, bytes }, { ...LIMITS, maxDocumentBytes: 64 * 1024 });
		await expect(refused).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE', details: { limit: 'importBytes', allowed: 64 * 1024 + 10_000_000 } });
		await expect(refused).rejects.toThrow(/on the Free plan a \.tldr file may be at most 10\.06 MB/);
		// A file whose records alone pass the stored-canvas limit is refused too.
		const many = tldrFile(Array.from({ length: 400 }, (_, index) => label(`shape:s${index}`, 'x'.repeat(200))));
		await expect(importTldrawFile(services, owner.actor, { teamId: owner.teamId, bytes: many }, { ...LIMITS, maxDocumentBytes: 64 * 1024 })).rejects.toMatchObject({
			code: 'PAYLOAD_TOO_LARGE',
			details: { limit: 'documentBytes' }
		});
		expect(await leftovers(db, services, owner.teamId)).toEqual({ canvases: 0, assets: 0, blobs: 0 });
	});

	it('asks what creating a canvas asks: 404 outside the team, 403 for a viewer, 402 at the canvas limit or with storage full', async () => {
		const { db } = database();
		const owner = await person(db, 'Owner');
		const other = await person(db, 'Other');
		const services = recordingServices(db);
		const file = () => tldrFile([imageAsset('asset:pic', dataUrl(png(4, 3), 'image/png')), imageShape('shape:img', 'asset:pic')]);
		await expect(importTldrawFile(services, other.actor, { teamId: owner.teamId, bytes: file() }, LIMITS)).rejects.toMatchObject({
			code: 'NOT_FOUND',
			message: 'Team was not found.'
		});
		await expect(importTldrawFile(services, other.actor, { teamId: 'not-a-team', bytes: file() }, LIMITS)).rejects.toMatchObject({ code: 'NOT_FOUND' });
		await db.insert(memberships).values({ teamId: owner.teamId, userId: other.id, role: 'viewer' });
		await expect(importTldrawFile(services, other.actor, { teamId: owner.teamId, bytes: file() }, LIMITS)).rejects.toMatchObject({ code: 'FORBIDDEN', status: 403 });
		expect(await leftovers(db, services, owner.teamId)).toEqual({ canvases: 0, assets: 0, blobs: 0 });

		// Storage: the team's images already take all but 10 bytes of Free's 1 GB.
		const photos = await canvases.create(db, owner.actor, { teamId: owner.teamId, title: 'Photos' });
		await db.insert(assetBlobs).values({ sha256: 'f'.repeat(64), storageKey: `blobs/${'f'.repeat(64)}`, mimeType: 'image/png', bytes: 999_999_990 });
		await db.insert(assets).values({ canvasId: photos.id, sha256: 'f'.repeat(64), mimeType: 'image/png', bytes: 999_999_990 });
		const full = importTldrawFile(services, owner.actor, { teamId: owner.teamId, bytes: file() }, LIMITS);
		await expect(full).rejects.toMatchObject({ code: 'LIMIT_EXCEEDED', status: 402, details: { limit: 'storage' } });
		expect(await leftovers(db, services, owner.teamId)).toEqual({ canvases: 1, assets: 1, blobs: 0 });

		// Canvases: Free holds 10.
		for (let index = 1; index < 10; index++) await canvases.create(db, owner.actor, { teamId: owner.teamId, title: `Canvas ${index}` });
		const noRoom = importTldrawFile(services, owner.actor, { teamId: owner.teamId, bytes: tldrFile([label('shape:a', 'x')]) }, LIMITS);
		await expect(noRoom).rejects.toMatchObject({ code: 'LIMIT_EXCEEDED', status: 402, details: { limit: 'canvases' } });
		expect(await leftovers(db, services, owner.teamId)).toEqual({ canvases: 10, assets: 1, blobs: 0 });
	});
});

describeEachServerDatabase('.tldr export and import over HTTP', (database) => {
	let server: RunningServer;
	let owner: TestUser, viewer: TestUser, outsider: TestUser;
	let teamId: string;
	let canvasId: string;
	let viewLink: string;
	let picture: Uint8Array;
	const clients: CanvasClient[] = [];

	const exportOf = (id: string, headers: Record<string, string> = {}, format = 'tldr') =>
		fetch(`${server.url}/api/v1/canvases/${id}/export?format=${format}`, { headers });
	const bearer = (user: TestUser) => ({ authorization: `Bearer ${user.token}` });

	async function importFile(user: TestUser | null, fields: Record<string, string | { bytes: Uint8Array; name: string }>) {
		const form = new FormData();
		for (const [name, value] of Object.entries(fields)) {
			if (typeof value === 'string') form.append(name, value);
			else form.append(name, new Blob([value.bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }), value.name);
		}
		const response = await fetch(`${server.url}/api/v1/canvases/import`, { method: 'POST', headers: user ? bearer(user) : {}, body: form });
		return { status: response.status, body: await response.json() };
	}

	beforeAll(async () => {
		server = await startServer({ env: database().env });
		[owner, viewer, outsider] = await Promise.all(['Owner', 'Viewer', 'Outsider'].map((name) => signUp(server.url, name)));
		teamId = (await api(server.url, '/api/v1/teams', { token: owner.token, body: { name: 'Studio' } })).body.id;
		const invitation = await api(server.url, `/api/v1/teams/${teamId}/invitations`, { token: owner.token, body: { role: 'viewer' } });
		await api(server.url, `/api/v1/invitations/${invitation.body.token}/accept`, { method: 'POST', token: viewer.token });
		canvasId = (await api(server.url, '/api/v1/canvases', { token: owner.token, body: { title: 'Checkout – “v2”', teamId } })).body.id;
		viewLink = (await api(server.url, `/api/v1/canvases/${canvasId}/share-links`, { token: owner.token, body: { access: 'view', audience: 'anyone' } })).body.token;

		picture = png(4, 3, { rgba: [10, 120, 200, 255] });
		const form = new FormData();
		form.append('file', new Blob([picture as Uint8Array<ArrayBuffer>], { type: 'image/png' }), 'logo.png');
		const uploaded = await fetch(`${server.url}/api/v1/canvases/${canvasId}/assets`, { method: 'POST', headers: bearer(owner), body: form });
		const assetId = ((await uploaded.json()) as { asset: { id: string } }).asset.id;

		// A collaborator draws two labelled boxes and places the uploaded picture.
		const client = connectCanvas(server.wsUrl, documentName('canvas', canvasId), owner.token);
		clients.push(client);
		await client.synced;
		client.doc.transact(() => {
			for (const record of [
				DOCUMENT_RECORD,
				PAGE_RECORD,
				label('shape:api', 'API'),
				label('shape:db', 'Postgres', { x: 400 }),
				imageAsset('asset:logo', `/api/v1/assets/${assetId}`),
				imageShape('shape:logo', 'asset:logo')
			])
				client.records.set(record.id, record);
		});
		// The export reads the live document: wait until the server holds the edit.
		for (let tries = 0; tries < 100; tries++) {
			const json = await (await exportOf(canvasId, bearer(owner), 'json')).json();
			if (json.records?.length === 6) break;
			await new Promise((resolve) => setTimeout(resolve, 50));
		}
	});
	afterAll(async () => {
		for (const client of clients) client.destroy();
		await server?.dispose();
	});

	it('exports a .tldr file tldraw itself opens, with the uploaded picture inlined, as an attachment named after the canvas', async () => {
		const response = await exportOf(canvasId, bearer(owner));
		expect(response.status).toBe(200);
		expect(response.headers.get('content-type')).toBe('application/json');
		expect(response.headers.get('content-disposition')).toBe(`attachment; filename="Checkout  v2.tldr"; filename*=UTF-8''${encodeURIComponent('Checkout – “v2”.tldr')}`);
		const text = await response.text();
		const file = JSON.parse(text);
		expect(file).toMatchObject({ tldrawFileFormatVersion: 1, schema: tldrawSchema.serialize() });
		const logo = file.records.find((record: { id: string }) => record.id === 'asset:logo');
		expect(logo.props.src).toBe(`data:image/png;base64,${Buffer.from(picture).toString('base64')}`);

		const parsed = parseTldrawJsonFile({ json: text, schema: tldrawSchema });
		expect(parsed.ok).toBe(true);
		if (parsed.ok) {
			const opened = parsed.value.getStoreSnapshot().store as Record<string, { props?: { richText?: unknown } }>;
			expect(JSON.stringify(opened['shape:db'].props?.richText)).toContain('Postgres');
		}
	});

	it('exports JSON for programs with the picture as an absolute URL; an unknown format is 400', async () => {
		const response = await exportOf(canvasId, bearer(owner), 'json');
		expect(response.status).toBe(200);
		const body = await response.json();
		expect(body.canvas).toEqual({ id: canvasId, title: 'Checkout – “v2”' });
		expect(body.schema).toEqual(tldrawSchema.serialize());
		const logo = body.records.find((record: { id: string }) => record.id === 'asset:logo');
		expect(logo.props.src).toMatch(new RegExp(`^http://localhost:\\d+/api/v1/assets/[0-9a-f-]{36}$`));
		const bad = await exportOf(canvasId, bearer(owner), 'png');
		expect(bad.status).toBe(400);
		expect((await bad.json()).error).toMatchObject({ code: 'INVALID_INPUT', details: { field: 'format' } });
	});

	it('lets whoever may open the canvas export it: members of any role, view links, bearer tokens; nobody else', async () => {
		expect((await exportOf(canvasId, bearer(viewer))).status).toBe(200);
		expect((await exportOf(canvasId, { 'easel-share-token': viewLink })).status).toBe(200);
		const outsiderAnswer = await exportOf(canvasId, bearer(outsider));
		expect(outsiderAnswer.status).toBe(404);
		expect((await outsiderAnswer.json()).error.code).toBe('NOT_FOUND');
		expect((await exportOf(canvasId)).status).toBe(401);
		expect((await exportOf(canvasId, { 'easel-share-token': 'not-a-link' })).status).toBe(404);
		expect((await exportOf(crypto.randomUUID(), bearer(owner))).status).toBe(404);
	});

	it('round-trips: the export imported is a new canvas with the same records and a new asset serving the same bytes', async () => {
		const exported = new Uint8Array(await (await exportOf(canvasId, bearer(owner))).arrayBuffer());
		const imported = await importFile(owner, { file: { bytes: exported, name: 'Checkout – “v2”.tldr' }, teamId });
		expect(imported.status).toBe(201);
		expect(imported.body).toMatchObject({ teamId, title: 'Checkout – “v2”', createdBy: owner.id });
		expect(imported.body.id).not.toBe(canvasId);

		const original = (await (await exportOf(canvasId, bearer(owner), 'json')).json()).records as { id: string; props: { src?: string } }[];
		const copy = (await (await exportOf(imported.body.id, bearer(owner), 'json')).json()).records as { id: string; props: { src?: string } }[];
		const byId = (records: typeof original) => Object.fromEntries(records.map((record) => [record.id, record]));
		// Only the picture's src changes: it points at the copy's own asset.
		const withoutSrc = (records: typeof original) =>
			byId(records.map((record) => (record.id === 'asset:logo' ? { ...record, props: { ...record.props, src: '' } } : record)));
		expect(withoutSrc(copy)).toEqual(withoutSrc(original));
		const originalSrc = byId(original)['asset:logo'].props.src!;
		const copySrc = byId(copy)['asset:logo'].props.src!;
		expect(copySrc).not.toBe(originalSrc);
		const served = await fetch(copySrc.replace(/^http:\/\/localhost:\d+/, server.url), { headers: bearer(owner) });
		expect(served.status).toBe(200);
		expect(new Uint8Array(await served.arrayBuffer())).toEqual(picture);
	});

	it('imports into the personal team by default, with a title given or the default one', async () => {
		const file = tldrFile([label('shape:a', 'Hello')]);
		const personal = await importFile(owner, { file: { bytes: file, name: 'notes.TLDR' } });
		expect(personal.status).toBe(201);
		expect(personal.body).toMatchObject({ teamId: owner.personalTeamId, title: 'notes' });
		const titled = await importFile(owner, { file: { bytes: file, name: 'x.tldr' }, title: '  Roadmap  ' });
		expect(titled.body.title).toBe('Roadmap');
		const unnamed = await importFile(owner, { file: { bytes: file, name: '.tldr' } });
		expect(unnamed.body.title).toBe('Imported canvas');
		const badTitle = await importFile(owner, { file: { bytes: file, name: 'x.tldr' }, title: 'a\u0000b' });
		expect(badTitle.status).toBe(400);
	});

	it('refuses bad requests with clear errors: signed out, no file, not multipart, a bad file, a bad or foreign team, a viewer', async () => {
		const file = tldrFile([label('shape:a', 'x')]);
		expect((await importFile(null, { file: { bytes: file, name: 'a.tldr' } })).status).toBe(401);
		const noFile = await importFile(owner, { teamId });
		expect(noFile.status).toBe(400);
		expect(noFile.body.error).toMatchObject({ code: 'INVALID_INPUT', details: { field: 'file' } });
		const json = await api(server.url, '/api/v1/canvases/import', { token: owner.token, body: { file: 'x' } });
		expect(json.status).toBe(400);
		expect(json.body.error.message).toMatch(/multipart\/form-data in a field named file/);
		const notTldraw = await importFile(owner, { file: { bytes: new TextEncoder().encode('{"hello":1}'), name: 'a.tldr' } });
		expect(notTldraw.status).toBe(400);
		expect(notTldraw.body.error.message).toBe('This is not a tldraw file (.tldr).');
		expect((await importFile(owner, { file: { bytes: file, name: 'a.tldr' }, teamId: 'not-a-team' })).status).toBe(404);
		expect((await importFile(outsider, { file: { bytes: file, name: 'a.tldr' }, teamId })).status).toBe(404);
		const asViewer = await importFile(viewer, { file: { bytes: file, name: 'a.tldr' }, teamId });
		expect(asViewer.status).toBe(403);
		expect(asViewer.body.error.code).toBe('FORBIDDEN');
	});
});
