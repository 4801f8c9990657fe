import { redirect } from '@sveltejs/kit';
import { z } from 'zod';
import { can } from '$lib/server/access';
import * as canvases from '$lib/server/canvases';
import * as trash from '$lib/server/trash';
import * as library from '$lib/server/library';
import { actorOf } from '$lib/server/http/actor';
import { formAction } from '$lib/server/http/forms';
import { runtime } from '$lib/server/runtime';
import { THUMBNAILS_DEPENDENCY } from '$lib/canvas/canvas-thumbnails';
import type { Actions, PageServerLoad } from './$types';

/**
 * The library's filters from the address (`?q=&sort=&folder=`): a value that is not valid (an old
 * link, a hand-edited address) is dropped with a notice rather than failing the page.
 */
function filtersOf(url: URL): { filters: library.LibraryFilters; problem: string | null } {
	const raw = { q: url.searchParams.get('q') ?? undefined, sort: url.searchParams.get('sort') || undefined, folderId: url.searchParams.get('folder') || undefined };
	const filters: library.LibraryFilters = {};
	let problem: string | null = null;
	for (const key of ['q', 'sort', 'folderId'] as const) {
		const parsed = library.libraryFiltersSchema.shape[key].safeParse(raw[key]);
		if (parsed.success) Object.assign(filters, { [key]: parsed.data });
		else problem = parsed.error.issues[0]?.message ?? 'Part of this address is not valid.';
	}
	return { filters, problem };
}

export const load: PageServerLoad = async ({ locals, parent, depends, url }) => {
	// A canvas page invalidates this after uploading a thumbnail on its way out, so the new picture shows.
	depends(THUMBNAILS_DEPENDENCY);
	const { team, teams } = await parent();
	const actor = actorOf(locals);
	let { filters, problem } = filtersOf(url);
	const folders = await library.listFolders(locals.db, actor, team.id);
	if (filters.folderId && filters.folderId !== library.NO_FOLDER && !folders.some((folder) => folder.id === filters.folderId)) {
		problem = 'That folder no longer exists (someone deleted it): here are all the canvases.';
		filters = { ...filters, folderId: undefined };
	}
	const [found, counts] = await Promise.all([library.listLibrary(locals.db, actor, team.id, filters), library.countLibrary(locals.db, actor, team.id)]);
	return {
		canCreate: can(team.role, 'canvas.create'),
		canEdit: can(team.role, 'canvas.rename'),
		canDuplicate: can(team.role, 'canvas.duplicate'),
		canManageFolders: can(team.role, 'folder.manage'),
		// "Move to team…" lists the other teams the user administers (moving needs admin on both sides).
		moveTargets: can(team.role, 'canvas.move')
			? teams.filter((other) => other.id !== team.id && can(other.role, 'canvas.move')).map(({ id, name }) => ({ id, name }))
			: [],
		filters: { q: filters.q ?? '', sort: filters.sort ?? '', folderId: filters.folderId ?? '' },
		sort: found.sort,
		truncated: found.truncated,
		problem,
		counts,
		folders: folders.map(({ id, name, canvasCount }) => ({ id, name, canvasCount })),
		canvases: found.canvases.map((canvas) => ({
			...canvas,
			createdAt: canvas.createdAt.toISOString(),
			updatedAt: canvas.updatedAt.toISOString(),
			thumbnailUpdatedAt: canvas.thumbnailUpdatedAt?.getTime() ?? null
		})),
		maxTitleLength: runtime().config.MAX_TITLE_LENGTH,
		folderNameMax: library.FOLDER_NAME_MAX,
		// Exports from a card draw the canvas with tldraw in the browser.
		licenseKey: runtime().config.TLDRAW_LICENSE_KEY ?? ''
	};
};

const idSchema = z.object({ canvasId: z.string() });
const folderIdSchema = z.object({ folderId: z.string() });
const maxTitleLength = () => runtime().config.MAX_TITLE_LENGTH;

export const actions: Actions = {
	create: formAction(
		(data) => z.object({ title: canvases.optionalTitleSchema(maxTitleLength()) }).parse(Object.fromEntries(data)),
		async ({ title }, { event, actor }) => {
			const created = await canvases.create(
				event.locals.db,
				actor,
				{ teamId: event.params.teamId, title },
				{ maxTitleLength: maxTitleLength(), ip: event.getClientAddress() }
			);
			redirect(303, `/c/${created.id}`);
		}
	),
	rename: formAction(
		(data) => idSchema.extend({ title: canvases.titleSchema(maxTitleLength()) }).parse(Object.fromEntries(data)),
		async ({ canvasId, title }, { event, actor }) => {
			await canvases.rename(event.locals.db, actor, canvasId, title, { maxTitleLength: maxTitleLength() });
			return { renamed: canvasId };
		}
	),
	/** Moves the canvas to the team's trash (restorable for 30 days); `restore` is the notice's Undo. */
	delete: formAction(idSchema, async ({ canvasId }, { event, actor, services }) => {
		const trashed = await trash.moveCanvasToTrash(services, actor, canvasId, { ip: event.getClientAddress() });
		return { deleted: canvasId, trashed: { id: trashed.id, title: trashed.title } };
	}),
	restore: formAction(idSchema, async ({ canvasId }, { actor, services, context }) => {
		const restored = await trash.restoreCanvas(services, actor, canvasId, context);
		return { restored: { id: restored.id, title: restored.title } };
	}),
	duplicate: formAction(idSchema, async ({ canvasId }, { event, actor, services }) => {
		const copy = await canvases.duplicate(services, actor, canvasId, { maxTitleLength: maxTitleLength(), ip: event.getClientAddress() });
		return { duplicated: { id: copy.id, title: copy.title } };
	}),
	move: formAction(
		idSchema.extend({ teamId: z.string({ error: 'Choose a team.' }).min(1, { error: 'Choose a team.' }) }),
		async ({ canvasId, teamId }, { actor, services, context }) => {
			const moved = await canvases.move(services, actor, canvasId, teamId, context);
			return { moved: { id: moved.id, title: moved.title, teamId: moved.teamId } };
		}
	),
	star: formAction(idSchema.extend({ starred: z.enum(['true', 'false']) }), async ({ canvasId, starred }, { event, actor }) => {
		if (starred === 'true') await library.star(event.locals.db, actor, canvasId);
		else await library.unstar(event.locals.db, actor, canvasId);
		return { starred: { canvasId, starred: starred === 'true' } };
	}),
	file: formAction(idSchema.extend({ folderId: z.string() }), async ({ canvasId, folderId }, { event, actor }) => {
		await library.fileCanvas(event.locals.db, actor, canvasId, folderId || null);
		return { filed: { canvasId, folderId: folderId || null } };
	}),
	createFolder: formAction(z.object({ name: z.string({ error: 'Give the folder a name.' }) }), async ({ name }, { event, actor }) => {
		const folder = await library.createFolder(event.locals.db, actor, event.params.teamId, name);
		return { folderCreated: { id: folder.id, name: folder.name } };
	}),
	renameFolder: formAction(folderIdSchema.extend({ name: z.string({ error: 'Give the folder a name.' }) }), async ({ folderId, name }, { event, actor }) => {
		const folder = await library.renameFolder(event.locals.db, actor, folderId, name);
		return { folderRenamed: { id: folder.id, name: folder.name } };
	}),
	deleteFolder: formAction(folderIdSchema, async ({ folderId }, { event, actor }) => {
		const deleted = await library.deleteFolder(event.locals.db, actor, folderId);
		return { folderDeleted: deleted };
	})
};
