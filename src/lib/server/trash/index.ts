// The trash: canvases and teams their people deleted wait here TRASH_RETENTION_DAYS, restorable,
// before the purge deletes them for good. Import as a namespace: `trash.moveCanvasToTrash`, ….
export { TRASH_RETENTION_DAYS, purgeAtOf } from './retention.ts';
export {
	deleteCanvasQuerySchema,
	moveCanvasToTrash,
	listTrash,
	trashedCanvasNotice,
	restoreCanvas,
	deleteCanvasForever,
	type TrashedCanvas,
	type TrashedCanvasRef
} from './canvas-trash.ts';
export { deleteTeamRequestSchema, trashTeam, listDeletedTeams, restoreTeam, type DeletedTeam } from './team-trash.ts';
export { purgeTrash } from './purge-trash.ts';
