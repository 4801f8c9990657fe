// `PATCH /api/v1/canvases/{id}`: renaming and filing a canvas in one request, all or nothing.
import type { TeamActor } from '../access.ts';
import * as canvases from '../canvases.ts';
import type { Database } from '../db/index.ts';
import { parseInput } from '../errors.ts';
import { fileCanvas } from './folders.ts';

/** Renames the canvas and/or files it (`folderId`; null takes it out of its folder); when either is refused, neither happens. */
export async function updateCanvas(
	db: Database,
	actor: TeamActor,
	canvasId: string,
	input: { title?: string; folderId?: string | null },
	options: { maxTitleLength?: number } = {}
): Promise<canvases.CanvasSummary> {
	const { title, folderId } = parseInput(canvases.updateCanvasRequestSchema(options.maxTitleLength), input);
	return db.transaction(async (tx) => {
		if (title !== undefined) await canvases.rename(tx, actor, canvasId, title, options);
		if (folderId !== undefined) await fileCanvas(tx, actor, canvasId, folderId);
		return canvases.get(tx, actor, canvasId);
	});
}
