// Guarantee 4 (DESIGN.md): a database outage loses nothing. Failed writes are retried, a document
// with unsaved changes is never unloaded, and a failed load never yields an empty document that
// could overwrite the stored one.
//
// The real server reaches PostgreSQL through a TCP proxy that the test cuts for several seconds
// (open connections reset, new ones refused) while clients keep editing, some clients leave, and a
// client opens a canvas that is not loaded; then only the document load fails (authentication
// works) while a client opens that canvas. PostgreSQL only: PGlite runs inside the server process.
//
// postgres.js under an outage: a query on a connection that is reset fails at once (ECONNRESET), as
// does one that needs a new connection while they are refused; nothing is retried by the driver.
// After a failed connection it waits before reconnecting, (0.5..1) × 3^n / 100 s for the n-th
// consecutive failure, at most 20 s, reset by the first success; the update log's own backoff
// (PERSIST_BATCH_MS doubling, at most 5 s) comes on top, so catching up takes up to a few seconds.
import { afterAll, beforeAll, expect, it } from 'vitest';
import * as Y from 'yjs';
import { loadStoredDocument } from '../../src/lib/server/documents/document-store.ts';
import { randomEdit, seedRecords } from '../helpers/canvas-edits.ts';
import { connectCanvas, createCanvas, signUp, waitFor, type CanvasClient } from '../helpers/clients.ts';
import { seededRandom, testSeed } from '../helpers/random.ts';
import { describeEachServerDatabase } from '../helpers/server-databases.ts';
import { readMetric, startServer, type RunningServer } from '../helpers/server.ts';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.ts';

const OUTAGE_MS = 4000;

interface Canvas {
	name: string;
	reference: Y.Doc;
	editors: { id: string; doc: Y.Doc; serial: number; connection: CanvasClient | undefined }[];
}

describeEachServerDatabase(
	'guarantee 4: a database outage loses nothing',
	(database) => {
		let proxy: TcpProxy;
		let server: RunningServer;

		beforeAll(async () => {
			const target = new URL(database().url!);
			proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
			server = await startServer({ env: { DATABASE_URL: proxy.proxiedUrl(database().url!), PERSIST_BATCH_MS: '100' } });
		});

		afterAll(async () => {
			proxy?.restore();
			await server?.dispose();
			await proxy?.close();
		});

		it(`survives a ${OUTAGE_MS / 1000} s outage while clients edit, leave and open an unloaded canvas`, async () => {
			const seed = testSeed();
			const random = seededRandom(seed);
			const user = await signUp(server.url, 'Outage');
			const metric = (name: string) => readMetric(server, name);
			const newCanvas = async (title: string, editorCount: number): Promise<Canvas> => {
				const name = `canvas:${await createCanvas(server.url, user, title)}`;
				const reference = new Y.Doc();
				const editors = Array.from({ length: editorCount }, (_, index) => {
					const doc = new Y.Doc();
					// What any client holds (made or received: the server writes too, reverting invalid records).
					doc.on('update', (update: Uint8Array) => Y.applyUpdate(reference, update));
					return { id: `${title}-${index}`, doc, serial: 0, connection: connectCanvas(server.wsUrl, name, user.token, doc) };
				});
				await Promise.all(editors.map((editor) => editor.connection!.synced));
				seedRecords(editors[0].doc.getMap('records'));
				return { name, reference, editors };
			};
			const leave = (canvas: Canvas) => {
				for (const editor of canvas.editors) {
					editor.connection?.destroy();
					editor.connection = undefined;
				}
			};
			const canvases: Canvas[] = [];
			const watchers: Promise<void>[] = [];
			let watching = true;
			let editing = false;

			try {
				// "cold": written before the outage and unloaded, so opening it during the outage needs a load.
				const cold = await newCanvas('cold', 1);
				canvases.push(cold);
				for (let i = 0; i < 30; i++) randomEdit(cold.editors[0].doc.getMap('records'), random, 'cold', i);
				await waitFor(() => !cold.editors[0].connection!.provider.hasUnsyncedChanges, 5000, 'the cold canvas to be acknowledged');
				leave(cold);
				await waitFor(async () => (await metric('easel_documents_loaded')) === 0, 10_000, 'the cold canvas to be stored and unloaded');
				const coldState = Y.encodeStateAsUpdate(cold.reference);

				// While the test runs, the stored cold canvas must always hold everything it had.
				const db = await database().direct();
				const overwrites: string[] = [];
				watchers.push(
					(async () => {
						while (watching) {
							const stored = await loadStoredDocument(db, cold.name);
							const doc = new Y.Doc();
							if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot);
							for (const update of stored.updates) Y.applyUpdate(doc, update);
							if (!Y.snapshotContainsUpdate(Y.snapshot(doc), coldState)) overwrites.push(`at ${new Date().toISOString()}: ${doc.getMap('records').size} records`);
							await sleep(50);
						}
					})()
				);

				// "busy" stays connected and edits through the outage; "leaving" edits, then its clients leave mid-outage.
				const busy = await newCanvas('busy', 3);
				const leaving = await newCanvas('leaving', 2);
				canvases.push(busy, leaving);
				editing = true;
				const editingLoop = (async () => {
					while (editing) {
						const active = [...busy.editors, ...leaving.editors].filter((editor) => editor.connection);
						const editor = active[Math.floor(random() * active.length)];
						if (editor) randomEdit(editor.doc.getMap('records'), random, editor.id, editor.serial++);
						await sleep(5 + Math.floor(random() * 20));
					}
				})();
				await sleep(500);
				const failuresBefore = await metric('easel_update_log_failures_total');

				proxy.cut();
				const cutAt = performance.now();
				const leavingBeforeCut = Y.encodeStateVector(leaving.reference);
				await sleep(700);
				// The leaving canvas's clients go away with edits the database does not have yet.
				await waitFor(() => leaving.editors.every((editor) => !editor.connection!.provider.hasUnsyncedChanges), 5000, 'the server to acknowledge');
				leave(leaving);
				expect(equalBytes(Y.encodeStateVector(leaving.reference), leavingBeforeCut), 'edits made on the leaving canvas during the outage').toBe(false);
				// A client opens the cold canvas: refused, never handed an empty document.
				const opener = connectCanvas(server.wsUrl, cold.name, user.token);
				await expect(opener.synced).rejects.toThrow('UNAVAILABLE');
				expect(opener.records.size).toBe(0);
				opener.destroy();
				await sleep(1000);
				expect(await metric('easel_documents_loaded'), 'busy and leaving stay loaded; cold is not loaded').toBe(2);
				expect(await metric('easel_documents_unsaved')).toBeGreaterThanOrEqual(1);
				await sleep(Math.max(0, OUTAGE_MS - (performance.now() - cutAt)));
				expect(await metric('easel_update_log_failures_total'), 'the outage made appends fail').toBeGreaterThan(failuresBefore);
				// The leaving canvas is still in memory: it has unsaved changes.
				expect(await metric('easel_documents_loaded')).toBe(2);

				proxy.restore();
				const restoredAt = performance.now();
				await sleep(500);
				editing = false;
				await editingLoop;

				await waitFor(
					async () => (await metric('easel_documents_unsaved')) === 0 && (await metric('easel_documents_loaded')) === 1,
					30_000,
					'the update log to catch up and the left canvas to unload'
				);
				const recoveredMs = performance.now() - restoredAt;
				console.log(
					`[guarantee 4] the update log caught up ${recoveredMs.toFixed(0)} ms after PostgreSQL came back (outage ${OUTAGE_MS} ms, ${proxy.refused} connections refused meanwhile)`
				);

				// The busy canvas's clients were connected all along and hold everything.
				await waitFor(
					() => busy.editors.every((editor) => equalBytes(Y.encodeStateVector(editor.doc), Y.encodeStateVector(busy.reference))),
					5000,
					'the busy clients to converge'
				);
				leave(busy);
				await waitFor(async () => (await metric('easel_documents_loaded')) === 0, 10_000, 'the busy canvas to unload');

				// A load that fails while everything else works (authentication passes): the client is
				// refused, nothing stays in memory, nothing is stored over the canvas.
				const logBefore = server.output().length;
				proxy.failWhenSent(/from "documents"/);
				const unlucky = connectCanvas(server.wsUrl, cold.name, user.token);
				await expect(unlucky.synced).rejects.toThrow('UNAVAILABLE');
				expect(unlucky.records.size).toBe(0);
				// stdout (the log) and stderr reach this process through separate pipes, in either order.
				await waitFor(
					() => server.output().slice(logBefore).includes('document load failed; connection refused'),
					5000,
					'the log to say the failed load refused it, not authentication'
				);
				unlucky.destroy();
				await sleep(500);
				expect(await metric('easel_documents_loaded')).toBe(0);
				proxy.failWhenSent(undefined);

				watching = false;
				await Promise.all(watchers);
				expect(overwrites, 'the stored cold canvas lost content during the outage').toEqual([]);

				const stored = await database().readStored(
					server,
					canvases.map((canvas) => canvas.name)
				);
				for (const canvas of canvases) {
					const doc = stored.get(canvas.name)!;
					expect(doc.getMap('records').toJSON(), `${canvas.editors[0].id}: stored`).toEqual(canvas.reference.getMap('records').toJSON());
					expect(equalBytes(Y.encodeStateVector(doc), Y.encodeStateVector(canvas.reference))).toBe(true);
				}
				// Later clients see all of it.
				for (const canvas of canvases) {
					const reader = connectCanvas(server.wsUrl, canvas.name, user.token);
					try {
						await reader.synced;
						expect(reader.records.toJSON(), `${canvas.editors[0].id}: a later client`).toEqual(canvas.reference.getMap('records').toJSON());
					} finally {
						reader.destroy();
					}
				}
			} catch (error) {
				console.error(`[guarantee 4] failed with TEST_SEED=${seed}`);
				throw error;
			} finally {
				watching = false;
				editing = false;
				proxy.restore();
				await Promise.allSettled(watchers);
				for (const canvas of canvases) leave(canvas);
			}
		});
	},
	{ drivers: ['postgres'] }
);

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
	return a.length === b.length && a.every((byte, index) => byte === b[index]);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
