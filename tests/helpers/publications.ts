// Publications for tests and benchmarks, written as publishing writes them (a `publish` version holding
// the frozen Yjs state, the publications row with its canvas text and search vector), without the
// publish endpoint.
import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import * as Y from 'yjs';
import type { Queryable } from '../../src/lib/server/db/index.ts';
import { assets, documentVersions, publicationAssets, publications, type ModerationState } from '../../src/lib/server/db/schema.ts';
import { compressState } from '../../src/lib/server/history.ts';
import { publicationSearchVector } from '../../src/lib/server/gallery.ts';
import { tldrawSchema } from '../../src/lib/server/canvas-records.ts';
import { plainTextOf } from '../../src/lib/diagram/rich-text.ts';
import { assetIdsInRecords } from '../../src/lib/asset-urls.ts';
import { documentName } from '../../src/lib/document-names.ts';
import { DOCUMENT_RECORD, PAGE_RECORD } from './tldraw-records.ts';

export interface TestPublicationInput {
	canvasId: string;
	title: string;
	description?: string;
	tags?: string[];
	/** The frozen canvas's records (document and page are added when missing). */
	records?: { id: string }[];
	/** The frozen Yjs state as stored, instead of one made from `records` (e.g. written by an older tldraw). */
	state?: Uint8Array;
	authorId?: string | null;
	authorName?: string;
	slug?: string;
	publishedAt?: Date;
	viewCount?: number;
	remixCount?: number;
	moderation?: ModerationState;
}

export interface TestPublication {
	id: string;
	slug: string;
	versionId: string;
	canvasText: string;
}

/** A Yjs state holding `records` and the current tldraw schema, as a canvas stores it. */
export function canvasState(records: { id: string }[]): Uint8Array {
	const doc = new Y.Doc();
	doc.transact(() => {
		for (const record of records) doc.getMap('records').set(record.id, record);
		doc.getMap('meta').set('schema', tldrawSchema.serialize());
	});
	const state = Y.encodeStateAsUpdate(doc);
	doc.destroy();
	return state;
}

/** The plain text of the records' labels, one per line (what search sees of the canvas). */
export function textOfRecords(records: { id: string }[]): string {
	return records
		.map((record) => plainTextOf((record as { props?: { richText?: unknown } }).props?.richText))
		.filter(Boolean)
		.join('\n');
}

export async function insertTestPublication(db: Queryable, input: TestPublicationInput): Promise<TestPublication> {
	const given = input.records ?? [];
	const records = [...[DOCUMENT_RECORD, PAGE_RECORD].filter((base) => !given.some((record) => record.id === base.id)), ...given];
	const compressed = compressState(input.state ?? canvasState(records));
	const [version] = await db
		.insert(documentVersions)
		.values({
			document: documentName('canvas', input.canvasId),
			state: compressed,
			bytes: compressed.byteLength,
			kind: 'publish',
			label: 'Published',
			createdBy: input.authorId ?? null,
			authorIds: input.authorId ? [input.authorId] : []
		})
		.returning({ id: documentVersions.id });
	const fields = { title: input.title, description: input.description ?? '', tags: input.tags ?? [], canvasText: textOfRecords(records) };
	const slug = input.slug ?? `${slugOf(input.title)}-${randomBytes(4).toString('hex')}`;
	const [row] = await db
		.insert(publications)
		.values({
			canvasId: input.canvasId,
			slug,
			versionId: version.id,
			...fields,
			searchVector: publicationSearchVector(fields),
			authorId: input.authorId ?? null,
			authorName: input.authorName ?? 'Test Author',
			viewCount: input.viewCount ?? 0,
			remixCount: input.remixCount ?? 0,
			moderation: input.moderation ?? 'visible',
			...(input.publishedAt ? { publishedAt: input.publishedAt } : {})
		})
		.returning({ id: publications.id });
	const assetIds = assetIdsInRecords(records);
	for (const assetId of assetIds) {
		const [owned] = await db.select({ canvasId: assets.canvasId }).from(assets).where(eq(assets.id, assetId));
		if (owned?.canvasId === input.canvasId) await db.insert(publicationAssets).values({ publicationId: row.id, assetId });
	}
	return { id: row.id, slug, versionId: version.id, canvasText: fields.canvasText };
}

function slugOf(title: string): string {
	return (
		title
			.toLowerCase()
			.replace(/[^a-z0-9]+/g, '-')
			.replace(/^-|-$/g, '')
			.slice(0, 40) || 'canvas'
	);
}
