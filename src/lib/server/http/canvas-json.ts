// The JSON shape of a canvas in /api/v1.
import type { CanvasSummary } from '../canvases.ts';
import type { LibraryCanvas } from '../library/index.ts';

export function canvasJson(canvas: CanvasSummary) {
	return {
		id: canvas.id,
		teamId: canvas.teamId,
		title: canvas.title,
		createdBy: canvas.createdBy,
		createdByName: canvas.createdByName,
		createdAt: canvas.createdAt.toISOString(),
		updatedAt: canvas.updatedAt.toISOString(),
		folderId: canvas.folderId
	};
}

/** A canvas as the library lists it: with the caller's star and, while searching, where it matched. */
export function libraryCanvasJson(canvas: LibraryCanvas, searching: boolean) {
	return { ...canvasJson(canvas), starred: canvas.starred, ...(searching ? { match: canvas.match } : {}) };
}
