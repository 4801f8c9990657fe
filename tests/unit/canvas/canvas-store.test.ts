// openCanvas end to end at the store level: tldraw stores on two "tabs" through a real Hocuspocus server.
import { Server } from '@hocuspocus/server';
import type { Extension } from '@hocuspocus/server';
import type { TLShapeId } from 'tldraw';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openCanvas } from '../../../src/lib/canvas/canvas-store.ts';
import type { OpenCanvas, OpenCanvasOptions } from '../../../src/lib/canvas/canvas-store.ts';
import { RECORDS_MAP } from '../../../src/lib/canvas/yjs-binding.ts';
import { DEFAULT_PAGE_ID, rectangle } from './helpers.ts';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
	while (cleanups.length) await cleanups.pop()!();
});

async function startServer(extension: Extension = {}): Promise<string> {
	const server = new Server({ port: 0, quiet: true, stopOnSignals: false, extensions: [extension] });
	await server.listen();
	cleanups.push(() => server.destroy());
	return `ws://127.0.0.1:${server.address.port}`;
}

function openTab(url: string, options: Partial<OpenCanvasOptions> = {}): OpenCanvas & { isReady(): boolean } {
	let ready = false;
	const canvas = openCanvas({
		canvasId: 'c1',
		user: { id: 'u1', name: 'Ada', color: '#e03131' },
		readOnly: false,
		url,
		onReady: () => (ready = true),
		...options
	});
	cleanups.push(() => canvas.close());
	return { ...canvas, isReady: () => ready };
}

describe('openCanvas', () => {
	it('seeds a new canvas once, and a second tab loads it and sees shapes live', async () => {
		const url = await startServer();
		const first = openTab(url);
		await vi.waitFor(() => expect(first.isReady()).toBe(true));
		expect(first.store.get(DEFAULT_PAGE_ID)).toBeDefined();

		const second = openTab(url);
		await vi.waitFor(() => expect(second.isReady()).toBe(true));
		expect(second.store.get(DEFAULT_PAGE_ID)).toEqual(first.store.get(DEFAULT_PAGE_ID));

		first.store.put([rectangle('live', 30)]);
		await vi.waitFor(() => expect(second.store.get(rectangle('live').id)).toEqual(first.store.get(rectangle('live').id)));
		second.store.update(rectangle('live').id as TLShapeId, (shape) => ({ ...shape, x: 90 }));
		await vi.waitFor(() => expect(first.store.get(rectangle('live').id as TLShapeId)?.x).toBe(90));
	});

	it('turns read-only when the server says so, and then never writes', async () => {
		let connections = 0;
		const url = await startServer({
			async onAuthenticate({ connectionConfig }) {
				connections += 1;
				connectionConfig.readOnly = connections > 1;
			}
		});
		const editor = openTab(url);
		await vi.waitFor(() => expect(editor.isReady()).toBe(true));
		editor.store.put([rectangle('by-editor')]);

		// The page believed this user could edit; the server disagrees.
		const viewer = openTab(url, { readOnly: false });
		await vi.waitFor(() => expect(viewer.store.get(rectangle('by-editor').id)).toBeDefined());
		expect(viewer.store.props.collaboration?.mode?.get()).toBe('readonly');

		const viewerWrites: unknown[] = [];
		viewer.session.doc.on('update', (_update: Uint8Array, origin: unknown) => {
			if (origin !== viewer.session.provider) viewerWrites.push(origin);
		});
		viewer.store.put([rectangle('by-viewer')]);
		editor.store.put([rectangle('after')]);
		await vi.waitFor(() => expect(viewer.store.get(rectangle('after').id)).toBeDefined());
		expect(viewerWrites).toEqual([]);
		expect(viewer.session.doc.getMap(RECORDS_MAP).has(rectangle('by-viewer').id)).toBe(false);
		expect(editor.store.get(rectangle('by-viewer').id)).toBeUndefined();
	});

	it('a read-only viewer of an empty canvas does not seed it', async () => {
		const url = await startServer();
		const viewer = openTab(url, { readOnly: true });
		await vi.waitFor(() => expect(viewer.session.status).toBe('connected'));
		await vi.waitFor(() => expect(viewer.isReady()).toBe(true));
		const editor = openTab(url);
		await vi.waitFor(() => expect(editor.isReady()).toBe(true));
		// The editor found the canvas empty and seeded it itself.
		expect(editor.session.doc.getMap(RECORDS_MAP).size).toBe(2);
		expect(viewer.session.doc.getMap(RECORDS_MAP).size).toBe(2);
	});
});
