// The JSON shape of a library folder in /api/v1.
import type { Folder } from '../library/index.ts';

export function folderJson(folder: Folder) {
	return { id: folder.id, teamId: folder.teamId, name: folder.name, canvasCount: folder.canvasCount, createdAt: folder.createdAt.toISOString() };
}
