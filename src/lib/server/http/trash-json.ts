// The JSON shapes of the trash in /api/v1: canvases in it, and deleted teams.
import type { DeletedTeam, TrashedCanvas, TrashedCanvasRef } from '../trash/index.ts';

export function trashedCanvasRefJson(canvas: TrashedCanvasRef) {
	return { id: canvas.id, deletedAt: canvas.deletedAt.toISOString(), purgeAt: canvas.purgeAt.toISOString() };
}

export function trashedCanvasJson(canvas: TrashedCanvas) {
	return { ...trashedCanvasRefJson(canvas), title: canvas.title, deletedBy: canvas.deletedBy };
}

export function deletedTeamJson(team: DeletedTeam) {
	return { id: team.id, name: team.name, deletedAt: team.deletedAt.toISOString(), deletedBy: team.deletedBy, purgeAt: team.purgeAt.toISOString() };
}
