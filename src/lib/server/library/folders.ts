// Folders of a team's library: editors and above create, rename and delete them and file canvases
// in them (a canvas in at most one); everyone in the team sees them. Names are one visible line,
// unique in the team whatever their letter case. Deleting a folder never deletes a canvas.
import { and, asc, count, eq, inArray, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import { personId, requireCanvasPermission, requireTeamRole, type Actor, type TeamActor } from '../access.ts';
import type { Queryable } from '../db/index.ts';
import { canvases, folders } from '../db/schema.ts';
import { displayNameSchema } from '../display-names.ts';
import { AppError, parseInput } from '../errors.ts';
import { requireTeamFolder } from './list-library.ts';

export const FOLDER_NAME_MAX = 80;

export const folderNameSchema = displayNameSchema({ label: 'Folder name', maxLength: FOLDER_NAME_MAX });

/** `POST /api/v1/teams/{teamId}/folders` and `PATCH /api/v1/folders/{id}`: the folder's name. */
export const folderRequestSchema = z.object({ name: folderNameSchema }).strict();

export interface Folder {
	id: string;
	teamId: string;
	name: string;
	/** The canvases filed in it that the caller may list (none in the trash). */
	canvasCount: number;
	createdAt: Date;
}

/** The team's folders, by name, each with how many of its canvases the actor may list. */
export async function listFolders(db: Queryable, actor: Actor, teamId: string): Promise<Folder[]> {
	await requireTeamRole(db, actor, teamId, 'canvas.view');
	const visible = actor.kind === 'apiKey' && actor.canvasIds ? actor.canvasIds : null;
	const filed = and(
		eq(canvases.folderId, folders.id),
		isNull(canvases.deletedAt),
		visible ? (visible.length ? inArray(canvases.id, [...visible]) : sql`false`) : undefined
	);
	return db
		.select({ id: folders.id, teamId: folders.teamId, name: folders.name, canvasCount: count(canvases.id), createdAt: folders.createdAt })
		.from(folders)
		.leftJoin(canvases, filed)
		.where(eq(folders.teamId, teamId))
		.groupBy(folders.id)
		.orderBy(asc(sql`lower(${folders.name})`), asc(folders.id));
}

export async function createFolder(db: Queryable, actor: TeamActor, teamId: string, rawName: string): Promise<Folder> {
	await requireTeamRole(db, actor, teamId, 'folder.manage');
	const name = parseInput(folderNameSchema, rawName);
	const [row] = await uniqueName(name, () =>
		db
			.insert(folders)
			.values({ teamId, name, createdBy: personId(actor) })
			.returning({ id: folders.id, teamId: folders.teamId, name: folders.name, createdAt: folders.createdAt })
	);
	return { ...row, canvasCount: 0 };
}

export async function renameFolder(db: Queryable, actor: TeamActor, folderId: string, rawName: string): Promise<Folder> {
	const folder = await requireFolderPermission(db, actor, folderId, 'folder.manage');
	const name = parseInput(folderNameSchema, rawName);
	await uniqueName(name, () => db.update(folders).set({ name }).where(eq(folders.id, folderId)));
	const [renamed] = (await listFolders(db, actor, folder.teamId)).filter((candidate) => candidate.id === folderId);
	return renamed;
}

/** Deletes a folder; its canvases go back to the top level of the library. Answers its name and how many canvases went back. */
export async function deleteFolder(db: Queryable, actor: TeamActor, folderId: string): Promise<{ name: string; unfiled: number }> {
	const folder = await requireFolderPermission(db, actor, folderId, 'folder.manage');
	return db.transaction(async (tx) => {
		const unfiled = await tx.update(canvases).set({ folderId: null }).where(eq(canvases.folderId, folderId)).returning({ id: canvases.id });
		await tx.delete(folders).where(eq(folders.id, folderId));
		return { name: folder.name, unfiled: unfiled.length };
	});
}

/**
 * Files a canvas in one of its own team's folders, or (`folderId` null) takes it out of the one it
 * is in. A folder of another team, or one deleted meanwhile, is INVALID_INPUT and nothing changes.
 */
export async function fileCanvas(db: Queryable, actor: TeamActor, canvasId: string, folderId: string | null): Promise<void> {
	const { canvas } = await requireCanvasPermission(db, actor, canvasId, 'folder.manage');
	const target = parseInput(z.uuid({ error: 'folderId must be a folder id, or null to take the canvas out of its folder.' }).nullable(), folderId);
	if (target === null) {
		await db.update(canvases).set({ folderId: null }).where(eq(canvases.id, canvasId));
		return;
	}
	await requireTeamFolder(db, canvas.teamId, target);
	try {
		await db.update(canvases).set({ folderId: target }).where(eq(canvases.id, canvasId));
	} catch (error) {
		// The folder was deleted between the check and the update (the foreign key refuses it).
		if (isPostgresError(error, '23503')) throw new AppError('INVALID_INPUT', 'folderId is not a folder of this team: it may have been deleted.', { field: 'folderId' });
		throw error;
	}
}

/** The folder, when the actor may do `action` in its team; NOT_FOUND when they cannot even see the team. */
async function requireFolderPermission(
	db: Queryable,
	actor: TeamActor,
	folderId: string,
	action: 'folder.manage'
): Promise<{ id: string; teamId: string; name: string }> {
	const notFound = () => new AppError('NOT_FOUND', 'Folder was not found.');
	if (!z.uuid().safeParse(folderId).success) throw notFound();
	const [folder] = await db.select({ id: folders.id, teamId: folders.teamId, name: folders.name }).from(folders).where(eq(folders.id, folderId));
	if (!folder) throw notFound();
	try {
		await requireTeamRole(db, actor, folder.teamId, action);
	} catch (error) {
		if (error instanceof AppError && error.code === 'NOT_FOUND') throw notFound();
		throw error;
	}
	return folder;
}

/** Runs a write that may collide with the team's unique folder names, answering CONFLICT naming the name. */
async function uniqueName<T>(name: string, write: () => Promise<T>): Promise<T> {
	try {
		return await write();
	} catch (error) {
		if (isPostgresError(error, '23505')) throw new AppError('CONFLICT', `This team already has a folder called “${name}”. Choose another name.`, { field: 'name' });
		throw error;
	}
}

/** Whether `error` (or one of its causes: drizzle wraps the driver's) is PostgreSQL error `code`. */
function isPostgresError(error: unknown, code: string): boolean {
	for (let current: unknown = error, depth = 0; current && depth < 5; current = (current as { cause?: unknown }).cause, depth++) {
		if ((current as { code?: unknown }).code === code) return true;
	}
	return false;
}
