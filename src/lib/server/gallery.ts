// The public gallery: visible publications, searched with PostgreSQL full-text search (the same on
// PGlite), filtered by tag, sorted by newest / most viewed / most remixed, paged by an opaque keyset cursor.
import { and, asc, desc, eq, sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import { z } from 'zod';
import type { Queryable } from './db/index.ts';
import { publications } from './db/schema.ts';
import { AppError, parseInput } from './errors.ts';
import { searchQuery } from './text-search.ts';

export const GALLERY_SORTS = ['newest', 'views', 'remixes'] as const;
export type GallerySort = (typeof GALLERY_SORTS)[number];

export const DEFAULT_GALLERY_PAGE = 24;
export const MAX_GALLERY_PAGE = 60;
const MAX_QUERY_CHARS = 200;

/**
 * A publication's search vector, in SQL: title (weight A), tags (B), description (C) and the frozen
 * canvas's text (D), with the 'simple' configuration (no stemming, any language, identical on
 * PGlite). Each field is a value or a column; tags as values are joined with spaces, as
 * `array_to_string(tags, ' ')` does for the column. Every writer of `search_vector` uses this.
 */
export function publicationSearchVector(fields: {
	title: string | SQLWrapper;
	tags: readonly string[] | SQLWrapper;
	description: string | SQLWrapper;
	canvasText: string | SQLWrapper;
}): SQL {
	const text = (value: string | SQLWrapper) => sql`to_tsvector('simple', coalesce(${value}::text, ''))`;
	const tags = isSqlWrapper(fields.tags) ? sql`array_to_string(${fields.tags}, ' ')` : fields.tags.join(' ');
	return sql`(setweight(${text(fields.title)}, 'A') || setweight(${text(tags)}, 'B') || setweight(${text(fields.description)}, 'C') || setweight(${text(fields.canvasText)}, 'D'))`;
}

function isSqlWrapper(value: unknown): value is SQLWrapper {
	return typeof value === 'object' && value !== null && 'getSQL' in value;
}

export const galleryQuerySchema = z.object({
	q: z
		.string({ error: 'q must be text.' })
		.trim()
		.max(MAX_QUERY_CHARS, { error: `A search is at most ${MAX_QUERY_CHARS} characters.` })
		.optional()
		.transform((q) => q || undefined),
	tag: z
		.string({ error: 'tag must be text.' })
		.trim()
		.toLowerCase()
		.max(32, { error: 'A tag is at most 32 characters.' })
		.optional()
		.transform((tag) => tag || undefined),
	sort: z.enum(GALLERY_SORTS, { error: 'sort must be newest, views or remixes.' }).default('newest'),
	cursor: z.string({ error: 'cursor must be text.' }).max(200, { error: 'This cursor is not one the gallery gave out.' }).optional(),
	limit: z.coerce
		.number({ error: 'limit must be a number.' })
		.int({ error: 'limit must be a whole number.' })
		.min(1, { error: 'limit must be at least 1.' })
		.max(MAX_GALLERY_PAGE, { error: `limit must be at most ${MAX_GALLERY_PAGE}.` })
		.default(DEFAULT_GALLERY_PAGE)
});

export type GalleryQuery = z.input<typeof galleryQuerySchema>;

export interface GalleryItem {
	id: string;
	slug: string;
	url: string;
	title: string;
	description: string;
	tags: string[];
	authorName: string;
	publishedAt: Date;
	viewCount: number;
	remixCount: number;
	previewUrl: string;
}

export interface GalleryPage {
	items: GalleryItem[];
	/** Pass back as `cursor` for the next page; null on the last one. */
	nextCursor: string | null;
}

/** Where each sort orders by, newest/highest first, with the id breaking ties (the indexes are on (key, id)). */
const SORT_KEYS = {
	newest: {
		column: publications.publishedAt,
		key: sql<string>`to_char(${publications.publishedAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
		cast: sql`timestamptz`
	},
	views: { column: publications.viewCount, key: sql<string>`${publications.viewCount}::text`, cast: sql`bigint` },
	remixes: { column: publications.remixCount, key: sql<string>`${publications.remixCount}::text`, cast: sql`integer` }
} satisfies Record<GallerySort, { column: SQLWrapper; key: SQL<string>; cast: SQL }>;

const cursorSchema = z.object({ s: z.enum(GALLERY_SORTS), k: z.string().max(40), i: z.uuid() });
const TIMESTAMP_KEY = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const COUNT_KEY = /^\d{1,18}$/;

interface Cursor {
	sort: GallerySort;
	key: string;
	id: string;
}

function encodeCursor(cursor: Cursor): string {
	return Buffer.from(JSON.stringify({ s: cursor.sort, k: cursor.key, i: cursor.id })).toString('base64url');
}

function decodeCursor(raw: string, sort: GallerySort): Cursor {
	const invalid = () => new AppError('INVALID_INPUT', 'This cursor is not one the gallery gave out: start again from the first page.', { field: 'cursor' });
	if (!/^[A-Za-z0-9_-]+$/.test(raw)) throw invalid();
	let parsed: z.infer<typeof cursorSchema>;
	try {
		parsed = cursorSchema.parse(JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')));
	} catch {
		throw invalid();
	}
	if (!(parsed.s === 'newest' ? TIMESTAMP_KEY : COUNT_KEY).test(parsed.k)) throw invalid();
	if (parsed.s === 'newest' && Number.isNaN(Date.parse(parsed.k))) throw invalid();
	if (parsed.s !== sort) {
		throw new AppError('INVALID_INPUT', `This cursor pages the gallery sorted by ${parsed.s}, not ${sort}: start again from the first page.`, { field: 'cursor' });
	}
	return { sort: parsed.s, key: parsed.k, id: parsed.i };
}

/** One page of the public gallery: visible publications only, never hidden or unpublished ones. */
export async function listGallery(db: Queryable, query: GalleryQuery = {}, options: { origin?: string } = {}): Promise<GalleryPage> {
	const { sort, limit } = parseInput(galleryQuerySchema, query);
	const rows = await galleryPageQuery(db, query);
	const page = rows.slice(0, limit);
	const last = page.at(-1);
	const origin = options.origin ?? '';
	return {
		items: page.map(({ sortKey: _sortKey, ...row }) => ({
			...row,
			viewCount: Number(row.viewCount),
			url: `${origin}/p/${row.slug}`,
			previewUrl: `${origin}/p/${row.slug}/preview`
		})),
		nextCursor: rows.length > limit && last ? encodeCursor({ sort, key: last.sortKey, id: last.id }) : null
	};
}

/** The query `listGallery` runs (one row more than a page, to know whether another follows); the benchmark EXPLAINs it. */
export function galleryPageQuery(db: Queryable, query: GalleryQuery = {}) {
	const { q, tag, sort, cursor: rawCursor, limit } = parseInput(galleryQuerySchema, query);
	const cursor = rawCursor ? decodeCursor(rawCursor, sort) : null;
	const order = SORT_KEYS[sort];
	const conditions: SQL[] = [eq(publications.moderation, 'visible')];
	if (q) conditions.push(sql`${publications.searchVector} @@ ${searchQuery(q)}`);
	if (tag) conditions.push(sql`${publications.tags} @> array[${tag}]::text[]`);
	if (cursor) conditions.push(sql`(${order.column}, ${publications.id}) < (${cursor.key}::${order.cast}, ${cursor.id}::uuid)`);
	return db
		.select({
			id: publications.id,
			slug: publications.slug,
			title: publications.title,
			description: publications.description,
			tags: publications.tags,
			authorName: publications.authorName,
			publishedAt: publications.publishedAt,
			viewCount: publications.viewCount,
			remixCount: publications.remixCount,
			sortKey: order.key
		})
		.from(publications)
		.where(and(...conditions))
		.orderBy(desc(order.column), desc(publications.id))
		.limit(limit + 1);
}

/** The tags most used by visible publications, most used first (the gallery's filter bar). */
export async function popularTags(db: Queryable, limit = 12): Promise<{ tag: string; count: number }[]> {
	const count = parseInput(z.number().int().min(1).max(100), limit);
	const used = db
		.select({ tag: sql<string>`unnest(${publications.tags})`.as('tag') })
		.from(publications)
		.where(eq(publications.moderation, 'visible'))
		.as('used');
	const uses = sql<number>`count(*)::int`;
	return db.select({ tag: used.tag, count: uses }).from(used).groupBy(used.tag).orderBy(desc(uses), asc(used.tag)).limit(count);
}

/**
 * `popularTags` remembered for `ttlMs` per database: it reads every visible publication, and the
 * filter bar of a page that caches may keep for 30 s anyway needn't be newer than that.
 */
export function rememberedPopularTags(ttlMs: number, now: () => number = Date.now): (db: Queryable, limit: number) => Promise<{ tag: string; count: number }[]> {
	const remembered = new WeakMap<Queryable, Map<number, { at: number; tags: Promise<{ tag: string; count: number }[]> }>>();
	return (db, limit) => {
		const byLimit = remembered.get(db) ?? new Map();
		remembered.set(db, byLimit);
		const hit = byLimit.get(limit);
		if (hit && now() - hit.at < ttlMs) return hit.tags;
		const tags = popularTags(db, limit);
		byLimit.set(limit, { at: now(), tags });
		// A failed read is not remembered.
		tags.catch(() => byLimit.delete(limit));
		return tags;
	};
}
