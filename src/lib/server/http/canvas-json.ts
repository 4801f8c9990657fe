// The JSON shape of a canvas in /api/v1.
import type { CanvasSummary } from '../canvases.ts';

export function canvasJson(canvas: CanvasSummary) {
	return {
		id: canvas.id,
		teamId: canvas.teamId,
		title: canvas.title,
		createdBy: canvas.createdBy,
		createdByName: canvas.createdByName,
		createdAt: canvas.createdAt.toISOString(),
		updatedAt: canvas.updatedAt.toISOString()
	};
}
