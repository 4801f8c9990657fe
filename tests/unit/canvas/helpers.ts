// Shared fixtures for the canvas unit tests: tldraw stores without an editor, and Y.Docs wired together.
import { GeoShapeUtil, PageRecordType, createShapeId, createTLStore, defaultBindingUtils, defaultShapeUtils } from 'tldraw';
import type { IndexKey, TLGeoShape, TLStore } from 'tldraw';
import * as Y from 'yjs';

export const DEFAULT_PAGE_ID = PageRecordType.createId('page');

export function newStore(): TLStore {
	return createTLStore({ shapeUtils: defaultShapeUtils, bindingUtils: defaultBindingUtils });
}

/** A store as a mounted editor leaves it: tldraw's integrity check adds instance, page state, camera and pointer. */
export function newStoreLikeAnEditorsStore(): TLStore {
	const store = newStore();
	// mergeRemoteChanges runs the store's integrity check when it finishes, even with nothing to merge.
	store.mergeRemoteChanges(() => {});
	return store;
}

/** A valid rectangle on the default page. */
export function rectangle(name: string, x = 0, index = 'a1'): TLGeoShape {
	return {
		id: createShapeId(name),
		typeName: 'shape',
		type: 'geo',
		x,
		y: 0,
		rotation: 0,
		isLocked: false,
		opacity: 1,
		meta: {},
		parentId: DEFAULT_PAGE_ID,
		index: index as IndexKey,
		props: GeoShapeUtil.prototype.getDefaultProps()
	};
}

export const FROM_PEER = 'from-peer';

/** Relays every update between the docs, as a server would; returns how to stop relaying. */
export function relay(a: Y.Doc, b: Y.Doc): () => void {
	const toB = (update: Uint8Array, origin: unknown) => {
		if (origin !== FROM_PEER) Y.applyUpdate(b, update, FROM_PEER);
	};
	const toA = (update: Uint8Array, origin: unknown) => {
		if (origin !== FROM_PEER) Y.applyUpdate(a, update, FROM_PEER);
	};
	a.on('update', toB);
	b.on('update', toA);
	return () => {
		a.off('update', toB);
		b.off('update', toA);
	};
}

/** Counts the transactions this doc makes itself (everything but relayed updates). */
export function countOwnWrites(doc: Y.Doc): { readonly count: number } {
	const counter = { count: 0 };
	doc.on('update', (_update: Uint8Array, origin: unknown) => {
		if (origin !== FROM_PEER) counter.count += 1;
	});
	return counter;
}
