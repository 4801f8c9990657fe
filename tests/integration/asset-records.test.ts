// Asset records on a canvas point only at the canvas's own stored assets (or hold a legacy inline
// image, or nothing yet): what a client writes otherwise is reverted for every client, what a
// server-side writer stages otherwise is refused before it commits. Against the real collaboration
// server on both databases; assets are stored as the upload route would store them.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createCollaborationServer, type CollaborationServer } from '../../server/collab/index.ts';
import { COLLAB_PATH } from '../../src/lib/collab-protocol.ts';
import * as accounts from '../../src/lib/server/accounts.ts';
import { createSession, generateSessionToken } from '../../src/lib/server/auth/sessions.ts';
import * as canvases from '../../src/lib/server/canvases.ts';
import { loadConfig } from '../../src/lib/server/config.ts';
import * as history from '../../src/lib/server/history.ts';
import { createLogger } from '../../src/lib/server/logger.ts';
import { servicesOf } from '../../src/lib/server/runtime.ts';
import type { Services } from '../../src/lib/server/services.ts';
import { FileBlobStore } from '../../src/lib/server/assets/blob-store.ts';
import { connectCanvas, waitFor, type CanvasClient } from '../helpers/clients.ts';
import { describeEachDatabase, uniqueEmail } from '../helpers/databases.ts';
import { imageAsset, imageShape, storeTestAsset, tinyPng } from '../helpers/stored-assets.ts';
import { DOCUMENT_RECORD, PAGE_RECORD, geoShape } from '../helpers/tldraw-records.ts';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Long enough for a lookup that would revert to have done so. */
const SETTLE_MS = 600;

describeEachDatabase('asset records on a canvas', (database) => {
	let collaboration: CollaborationServer;
	let services: Services;
	let http: Server;
	let wsUrl: string;
	const clients: CanvasClient[] = [];

	beforeAll(async () => {
		collaboration = createCollaborationServer({ db: database().db, config: loadConfig({}), logger: createLogger('silent') });
		services = servicesOf({
			db: database().db,
			collaboration,
			stripe: null,
			logger: createLogger('silent'),
			blobs: new FileBlobStore(mkdtempSync(join(tmpdir(), 'easel-asset-records-')))
		});
		http = createServer((_request, response) => response.writeHead(404).end());
		http.on('upgrade', (request, socket, head) => {
			if (!collaboration.handleUpgrade(request, socket, head)) socket.destroy();
		});
		await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
		wsUrl = `ws://127.0.0.1:${(http.address() as AddressInfo).port}${COLLAB_PATH}`;
	});

	afterAll(async () => {
		for (const client of clients) client.destroy();
		await collaboration?.shutdown();
		await new Promise((resolve) => http?.close(resolve));
	});

	/** A canvas with an image of its own, another canvas with one, and two clients on the first. */
	async function canvasWithTwoClients() {
		const { db } = database();
		const owner = await accounts.signUp(db, { email: uniqueEmail('assets'), password: 'a long enough password', name: 'Ada' });
		const actor = { kind: 'user' as const, userId: owner.id };
		const sessionToken = generateSessionToken();
		await createSession(db, sessionToken, owner.id, 30);
		const canvas = await canvases.create(db, actor, { teamId: owner.personalTeamId });
		const other = await canvases.create(db, actor, { teamId: owner.personalTeamId });
		const own = await storeTestAsset(db, services.blobs, canvas.id, tinyPng(1));
		const foreign = await storeTestAsset(db, services.blobs, other.id, tinyPng(2));
		const [writer, bystander] = [0, 1].map(() => {
			const client = connectCanvas(wsUrl, `canvas:${canvas.id}`, sessionToken);
			clients.push(client);
			return client;
		});
		await Promise.all([writer.synced, bystander.synced]);
		writer.doc.transact(() => {
			writer.records.set(DOCUMENT_RECORD.id, DOCUMENT_RECORD);
			writer.records.set(PAGE_RECORD.id, PAGE_RECORD);
		});
		await waitFor(() => bystander.records.has(PAGE_RECORD.id), 5000, 'the page at the bystander');
		return { canvasId: canvas.id, otherCanvasId: other.id, actor, own, foreign, writer, bystander };
	}

	/** Writes an image (asset and shape) with `src`. */
	function writeImage(client: CanvasClient, src: string | null, name = 'picture') {
		client.doc.transact(() => {
			client.records.set(`asset:${name}`, imageAsset(`asset:${name}`, src));
			client.records.set(`shape:${name}`, imageShape(`shape:${name}`, `asset:${name}`));
		});
	}

	/** Waits until `asset:<name>` is gone from the writer (the revert came back) and from the bystander, then checks what the server holds. */
	async function expectReverted(writer: CanvasClient, bystander: CanvasClient, canvasId: string, name = 'picture') {
		await waitFor(() => !writer.records.has(`asset:${name}`), 5000, 'the revert at the writer');
		// A marker written after the revert reaches the bystander behind it.
		writer.records.set('shape:marker', geoShape('shape:marker', { x: Math.random() * 1000 }));
		await waitFor(() => bystander.records.has('shape:marker'), 5000, 'the marker at the bystander');
		expect(bystander.records.has(`asset:${name}`)).toBe(false);
		expect((await collaboration.readDocument(`canvas:${canvasId}`)).records[`asset:${name}`]).toBeUndefined();
	}

	it('accepts an asset of the canvas itself, and a second client sees it', async () => {
		const { canvasId, own, writer, bystander } = await canvasWithTwoClients();
		writeImage(writer, own.src);
		await waitFor(() => bystander.records.has('asset:picture'), 5000, 'the image at the bystander');
		await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
		expect((writer.records.get('asset:picture') as { props: { src: string } }).props.src).toBe(own.src);
		expect((bystander.records.get('asset:picture') as { props: { src: string } }).props.src).toBe(own.src);
		expect((await collaboration.readDocument(`canvas:${canvasId}`)).records['asset:picture']).toMatchObject({ props: { src: own.src } });
	});

	it('accepts an asset uploaded after the canvas was opened (looked up, not known at load), as tldraw sets it after uploading', async () => {
		const { canvasId, writer, bystander } = await canvasWithTwoClients();
		// tldraw creates the record first and fills in src once the upload answers.
		writeImage(writer, null);
		await waitFor(() => bystander.records.has('asset:picture'), 5000, 'the placeholder at the bystander');
		const fresh = await storeTestAsset(database().db, services.blobs, canvasId, tinyPng(3));
		writer.records.set('asset:picture', imageAsset('asset:picture', fresh.src));
		await waitFor(() => (bystander.records.get('asset:picture') as { props: { src: string } }).props.src === fresh.src, 5000, 'the src at the bystander');
		await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
		expect((writer.records.get('asset:picture') as { props: { src: string } }).props.src).toBe(fresh.src);
	});

	it('reverts an asset of another canvas, for both clients', async () => {
		const { canvasId, foreign, writer, bystander } = await canvasWithTwoClients();
		writeImage(writer, foreign.src);
		await expectReverted(writer, bystander, canvasId);
		// The shape showing it stays (it is the person's shape); it shows a missing image.
		expect(bystander.records.has('shape:picture')).toBe(true);
	});

	it('reverts an asset id that exists nowhere', async () => {
		const { canvasId, writer, bystander } = await canvasWithTwoClients();
		writeImage(writer, `/api/v1/assets/${crypto.randomUUID()}`);
		await expectReverted(writer, bystander, canvasId);
	});

	it('puts back the previous src when an existing image is pointed at another canvas’s asset', async () => {
		const { canvasId, own, foreign, writer, bystander } = await canvasWithTwoClients();
		writeImage(writer, own.src);
		await waitFor(() => bystander.records.has('asset:picture'), 5000, 'the image at the bystander');
		writer.records.set('asset:picture', imageAsset('asset:picture', foreign.src));
		await waitFor(() => (writer.records.get('asset:picture') as { props: { src: string } }).props.src === own.src, 5000, 'the previous src back at the writer');
		await waitFor(() => (bystander.records.get('asset:picture') as { props: { src: string } }).props.src === own.src, 5000, 'the previous src at the bystander');
		expect((await collaboration.readDocument(`canvas:${canvasId}`)).records['asset:picture']).toMatchObject({ props: { src: own.src } });
	});

	it.each([
		['an http URL elsewhere', 'http://tracker.example/pixel.png'],
		['an https URL elsewhere', 'https://cdn.example/cat.png'],
		['our asset path on another host', 'https://evil.example/api/v1/assets/00000000-0000-4000-8000-000000000000'],
		['a tldraw asset: reference', 'asset:somewhere'],
		['a data: URL that is not an image', 'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==']
	])('reverts a src that is %s at once', async (_what, src) => {
		const { canvasId, writer, bystander } = await canvasWithTwoClients();
		writeImage(writer, src);
		await expectReverted(writer, bystander, canvasId);
	});

	it('accepts a legacy inline data: image (old clients still inline them)', async () => {
		const { canvasId, writer, bystander } = await canvasWithTwoClients();
		const inline = `data:image/png;base64,${Buffer.from(tinyPng()).toString('base64')}`;
		writeImage(writer, inline);
		await waitFor(() => bystander.records.has('asset:picture'), 5000, 'the inline image at the bystander');
		await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
		expect((await collaboration.readDocument(`canvas:${canvasId}`)).records['asset:picture']).toMatchObject({ props: { src: inline } });
	});

	it('refuses a server-side writer’s asset record that points at another canvas’s asset, before anything commits; accepts its own', async () => {
		const { canvasId, actor, own, foreign, bystander } = await canvasWithTwoClients();
		const name = `canvas:${canvasId}`;
		const writer = { origin: 'import' as const, actor };
		const refused = await collaboration
			.transact(name, writer, (draft) => {
				draft.records.set('shape:alongside', geoShape('shape:alongside'));
				draft.records.set('asset:picture', imageAsset('asset:picture', foreign.src));
			})
			.catch((error: unknown) => error);
		expect(refused).toMatchObject({
			code: 'INVALID_INPUT',
			details: { problems: [{ key: 'asset:picture', problem: expect.stringMatching(/not a file of this canvas/) }] }
		});
		const missing = await collaboration
			.transact(name, writer, (draft) => draft.records.set('asset:picture', imageAsset('asset:picture', `/api/v1/assets/${crypto.randomUUID()}`)))
			.catch((error: unknown) => error);
		expect(missing).toMatchObject({ code: 'INVALID_INPUT' });
		const elsewhere = await collaboration
			.transact(name, writer, (draft) => draft.records.set('asset:picture', imageAsset('asset:picture', 'https://cdn.example/cat.png')))
			.catch((error: unknown) => error);
		expect(elsewhere).toMatchObject({ code: 'INVALID_INPUT' });
		const stored = (await collaboration.readDocument(name)).records;
		expect(stored['shape:alongside']).toBeUndefined();
		expect(stored['asset:picture']).toBeUndefined();

		// Its own asset, uploaded after the document loaded, goes through (looked up first).
		const fresh = await storeTestAsset(database().db, services.blobs, canvasId, tinyPng(4));
		await expect(
			collaboration.transact(name, writer, (draft) => {
				draft.records.set('asset:picture', imageAsset('asset:picture', fresh.src));
				draft.records.set('asset:known', imageAsset('asset:known', own.src));
			})
		).resolves.toEqual({ changed: 2 });
		await waitFor(() => bystander.records.has('asset:picture') && bystander.records.has('asset:known'), 5000, 'the written images at the bystander');
	});

	it('restores a version that shows an image of the canvas', async () => {
		const { canvasId, actor, own, writer, bystander } = await canvasWithTwoClients();
		writeImage(writer, own.src);
		await waitFor(() => bystander.records.has('asset:picture'), 5000, 'the image at the bystander');
		await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
		const version = await history.saveNamed(services, actor, canvasId, 'With the picture');
		writer.doc.transact(() => {
			writer.records.delete('shape:picture');
			writer.records.delete('asset:picture');
		});
		await waitFor(() => !bystander.records.has('asset:picture'), 5000, 'the deletion at the bystander');
		await history.restore(services, actor, canvasId, version.id);
		await waitFor(() => bystander.records.has('asset:picture') && bystander.records.has('shape:picture'), 5000, 'the restored image');
		expect((writer.records.get('asset:picture') as { props: { src: string } }).props.src).toBe(own.src);
	});
});
