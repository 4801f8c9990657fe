// A team's library as one person (or key) sees it: its live canvases, searched by title and the text
// on them (ranked, with the matching excerpt), filtered by folder or star, sorted, starred first.
import { and, asc, count, desc, eq, inArray, isNull, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { personId, requireTeamRole, type Actor } from '../access.ts';
import type { CanvasSummary } from '../canvases.ts';
import type { Queryable } from '../db/index.ts';
import { canvases, canvasStars, folders, teams, users } from '../db/schema.ts';
import { AppError, parseInput } from '../errors.ts';
import { excerptOf, parseExcerpt, searchQuery, type MatchExcerpt } from '../text-search.ts';

export const LIBRARY_SORTS = ['edited', 'created', 'title', 'relevance'] as const;
export type LibrarySort = (typeof LIBRARY_SORTS)[number];

/** The most characters a search may have. */
export const MAX_LIBRARY_QUERY_CHARS = 200;
/** A search answers its best matches only (each carries an excerpt PostgreSQL cuts from the canvas's text). */
export const MAX_SEARCH_RESULTS = 100;
/** `folderId` for the canvases filed in no folder. */
export const NO_FOLDER = 'none';

const FOLDER_FILTER_ERROR = `folderId must be a folder id, or ${NO_FOLDER} for the canvases in no folder.`;

/** What a library listing is narrowed and ordered by. */
export const libraryFiltersSchema = z.object({
	q: z
		.string({ error: 'q must be text.' })
		.trim()
		.max(MAX_LIBRARY_QUERY_CHARS, { error: `A search is at most ${MAX_LIBRARY_QUERY_CHARS} characters.` })
		.optional()
		.transform((q) => q || undefined)
		.meta({
			description: 'Words to find in titles and in the text on the canvases; the last word also matches as a prefix. Web-search syntax: "a phrase", -without, or.'
		}),
	sort: z.enum(LIBRARY_SORTS, { error: 'sort must be edited, created, title or relevance.' }).optional().meta({
		description:
			'Most recently edited first (the default), newest first, by title A→Z, or best match first (the default with q). Starred canvases come first in every sort.'
	}),
	folderId: z
		.string({ error: FOLDER_FILTER_ERROR })
		.refine((value) => value === NO_FOLDER || z.uuid().safeParse(value).success, { error: FOLDER_FILTER_ERROR })
		.optional()
		.meta({ description: `Only the canvases in this folder; \`${NO_FOLDER}\` for those in no folder.` }),
	starred: z.boolean({ error: 'starred must be true or false.' }).optional()
});

export type LibraryFilters = z.input<typeof libraryFiltersSchema>;

/** The same filters as a query string carries them (`GET /api/v1/canvases`, the team page). */
export const libraryQuerySchema = libraryFiltersSchema.extend({
	starred: z
		.enum(['true', 'false'], { error: 'starred must be true or false.' })
		.transform((value) => value === 'true')
		.optional()
		.meta({ description: '`true`: only the canvases the caller starred (an API key has starred none).' })
});

export interface LibraryCanvas extends CanvasSummary {
	/** Whether the person asking starred it (always false for an API key). */
	starred: boolean;
	/** With a search: where the canvas's text matched; null when only its title did. */
	match: MatchExcerpt | null;
}

export interface Library {
	canvases: LibraryCanvas[];
	/** The sort applied (relevance only while searching). */
	sort: LibrarySort;
	/** Whether a search stopped at MAX_SEARCH_RESULTS. */
	truncated: boolean;
}

/**
 * The canvases of team `teamId` the actor may list, never ones in the trash (nor any of a team in
 * the trash); a key limited to some canvases lists only those. Starred ones first, then by `sort`.
 * A `folderId` that is not one of the team's folders is INVALID_INPUT naming it.
 */
export async function listLibrary(db: Queryable, actor: Actor, teamId: string, filters: LibraryFilters = {}): Promise<Library> {
	const { q, sort: requested, folderId, starred } = parseInput(libraryFiltersSchema, filters);
	// Titles are canvas content: a key with only team or audit scopes does not list them.
	await requireTeamRole(db, actor, teamId, 'canvas.view');
	if (folderId && folderId !== NO_FOLDER) await requireTeamFolder(db, teamId, folderId);
	const sort: LibrarySort = requested === 'relevance' && !q ? 'edited' : (requested ?? (q ? 'relevance' : 'edited'));
	const person = personId(actor);
	const search = q ? searchQuery(q) : null;

	const conditions = listable(actor, teamId);
	if (folderId === NO_FOLDER) conditions.push(isNull(canvases.folderId));
	else if (folderId) conditions.push(eq(canvases.folderId, folderId));
	if (starred) {
		if (!person) return { canvases: [], sort, truncated: false };
		conditions.push(sql`${canvasStars.userId} is not null`);
	}
	if (search) conditions.push(sql`${canvases.searchVector} @@ ${search}`);

	const isStarred = person ? sql<boolean>`(${canvasStars.userId} is not null)` : sql<boolean>`false`;
	// Only a person has stars (and ORDER BY refuses a constant).
	const order: SQL[] = person ? [desc(isStarred)] : [];
	if (sort === 'relevance' && search) order.push(sql`ts_rank(${canvases.searchVector}, ${search}) desc`, desc(canvases.updatedAt));
	else if (sort === 'created') order.push(desc(canvases.createdAt));
	else if (sort === 'title') order.push(asc(sql`lower(${canvases.title})`), asc(canvases.title));
	else order.push(desc(canvases.updatedAt));
	order.push(asc(canvases.id));

	const base = db
		.select({
			id: canvases.id,
			teamId: canvases.teamId,
			title: canvases.title,
			createdAt: canvases.createdAt,
			updatedAt: canvases.updatedAt,
			createdBy: canvases.createdBy,
			createdByName: users.name,
			thumbnailUpdatedAt: canvases.thumbnailUpdatedAt,
			folderId: canvases.folderId,
			starred: isStarred,
			excerpt: search ? excerptOf(canvases.searchText, search) : sql<string | null>`null`
		})
		.from(canvases)
		.innerJoin(teams, eq(teams.id, canvases.teamId))
		.leftJoin(users, eq(users.id, canvases.createdBy))
		.leftJoin(canvasStars, and(eq(canvasStars.canvasId, canvases.id), person ? eq(canvasStars.userId, person) : sql`false`))
		.where(and(...conditions))
		.orderBy(...order);
	const rows = search ? await base.limit(MAX_SEARCH_RESULTS + 1) : await base;
	const truncated = search !== null && rows.length > MAX_SEARCH_RESULTS;
	return {
		canvases: rows.slice(0, search ? MAX_SEARCH_RESULTS : undefined).map(({ excerpt, starred: isStarredRow, ...canvas }) => ({
			...canvas,
			starred: Boolean(isStarredRow),
			match: parseExcerpt(excerpt)
		})),
		sort,
		truncated
	};
}

/** How many canvases the actor may list in the team's library, and how many of those are in no folder. */
export async function countLibrary(db: Queryable, actor: Actor, teamId: string): Promise<{ all: number; unfiled: number }> {
	await requireTeamRole(db, actor, teamId, 'canvas.view');
	const [row] = await db
		.select({ all: count(), unfiled: sql<number>`(count(*) filter (where ${canvases.folderId} is null))::int` })
		.from(canvases)
		.innerJoin(teams, eq(teams.id, canvases.teamId))
		.where(and(...listable(actor, teamId)));
	return { all: row?.all ?? 0, unfiled: row?.unfiled ?? 0 };
}

/**
 * What a library lists, as conditions on `canvases` joined with `teams`: the team's canvases out of
 * the trash, in a team out of the trash, and for a key limited to some canvases only those.
 */
function listable(actor: Actor, teamId: string): SQL[] {
	const conditions: SQL[] = [eq(canvases.teamId, teamId), isNull(canvases.deletedAt), isNull(teams.deletedAt)];
	if (actor.kind === 'apiKey' && actor.canvasIds) conditions.push(actor.canvasIds.length ? inArray(canvases.id, [...actor.canvasIds]) : sql`false`);
	return conditions;
}

/** A folder of `teamId` by id; INVALID_INPUT naming `field` otherwise (another team's, deleted, never made). */
export async function requireTeamFolder(db: Queryable, teamId: string, folderId: string, field = 'folderId'): Promise<{ id: string; name: string }> {
	const [folder] = await db
		.select({ id: folders.id, name: folders.name })
		.from(folders)
		.where(and(eq(folders.id, folderId), eq(folders.teamId, teamId)));
	if (!folder) throw new AppError('INVALID_INPUT', `${field} is not a folder of this team: it may have been deleted.`, { field });
	return folder;
}
