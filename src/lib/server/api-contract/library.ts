// The contract of the team library beyond listing canvases: stars and folders.
import { z } from 'zod';
import { folderRequestSchema } from '../library/index.ts';
import { canvasParams } from './canvases.ts';
import { teamParams } from './teams.ts';
import { isoDateTime, type ApiOperation } from './operation.ts';

const folderParams = z.object({ id: z.uuid().meta({ description: 'The folder id.' }) });

export const folderSchema = z
	.object({
		id: z.uuid(),
		teamId: z.uuid(),
		name: z.string(),
		canvasCount: z.number().int().meta({ description: 'The canvases filed in it that the caller may list (none in the trash).' }),
		createdAt: isoDateTime()
	})
	.meta({ id: 'Folder', description: "A folder of a team's library; a canvas is filed in at most one." });

export const libraryOperations: ApiOperation[] = [
	{
		method: 'put',
		path: '/api/v1/canvases/{id}/star',
		operationId: 'starCanvas',
		tag: 'Library',
		summary: 'Star a canvas',
		description: "Starred canvases come first in the caller's library. Stars are a person's own: an API key has none.",
		auth: 'person',
		params: canvasParams,
		responses: { 204: { description: 'Starred (starring again changes nothing).' } }
	},
	{
		method: 'delete',
		path: '/api/v1/canvases/{id}/star',
		operationId: 'unstarCanvas',
		tag: 'Library',
		summary: 'Take the star off a canvas',
		auth: 'person',
		params: canvasParams,
		responses: { 204: { description: 'Not starred (whether it was or not).' } }
	},
	{
		method: 'get',
		path: '/api/v1/teams/{teamId}/folders',
		operationId: 'listFolders',
		tag: 'Library',
		summary: "A team's folders",
		auth: 'caller',
		params: teamParams,
		responses: { 200: { description: 'The folders, by name.', schema: z.object({ folders: z.array(folderSchema) }).meta({ id: 'FolderList' }) } }
	},
	{
		method: 'post',
		path: '/api/v1/teams/{teamId}/folders',
		operationId: 'createFolder',
		tag: 'Library',
		summary: 'Create a folder',
		description: 'Editors and above. Names are unique in the team whatever their letter case.',
		auth: 'caller',
		params: teamParams,
		body: { type: 'json', schema: folderRequestSchema },
		responses: { 201: { description: 'The new folder.', schema: folderSchema } },
		errors: ['CONFLICT']
	},
	{
		method: 'patch',
		path: '/api/v1/folders/{id}',
		operationId: 'renameFolder',
		tag: 'Library',
		summary: 'Rename a folder',
		auth: 'caller',
		params: folderParams,
		body: { type: 'json', schema: folderRequestSchema },
		responses: { 200: { description: 'The renamed folder.', schema: folderSchema } },
		errors: ['CONFLICT']
	},
	{
		method: 'delete',
		path: '/api/v1/folders/{id}',
		operationId: 'deleteFolder',
		tag: 'Library',
		summary: 'Delete a folder',
		description: 'Its canvases go back to the top level of the library; none is deleted.',
		auth: 'caller',
		params: folderParams,
		responses: { 204: { description: 'Deleted.' } }
	}
];
