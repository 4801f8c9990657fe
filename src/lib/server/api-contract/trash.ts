// The contract of the trash: deleting canvases and teams (into the trash, or a canvas for good),
// listing what is in it, restoring.
import { z } from 'zod';
import { TRASH_RETENTION_DAYS, deleteCanvasQuerySchema, deleteTeamRequestSchema } from '../trash/index.ts';
import { teamSummarySchema } from './accounts.ts';
import { canvasParams, canvasSchema } from './canvases.ts';
import { isoDateTime, type ApiOperation } from './operation.ts';
import { teamParams } from './teams.ts';

const purgeAt = () => isoDateTime().meta({ description: `When it is deleted for good unless restored first (${TRASH_RETENTION_DAYS} days after deletedAt).` });
const deletedBy = () =>
	z
		.object({ id: z.uuid(), name: z.string() })
		.nullable()
		.meta({ description: 'Who moved it to the trash; null when it was not a person (an API key) or their account is gone.' });

const trashedCanvasRefSchema = z.object({ id: z.uuid(), deletedAt: isoDateTime(), purgeAt: purgeAt() }).meta({ id: 'TrashedCanvasRef' });

export const trashedCanvasSchema = z
	.object({ id: z.uuid(), title: z.string(), deletedAt: isoDateTime(), deletedBy: deletedBy(), purgeAt: purgeAt() })
	.meta({ id: 'TrashedCanvas', description: "A canvas in its team's trash." });

export const deletedTeamSchema = z
	.object({ id: z.uuid(), name: z.string(), deletedAt: isoDateTime(), deletedBy: deletedBy(), purgeAt: purgeAt() })
	.meta({ id: 'DeletedTeam', description: 'A team in the trash, as its owners see it.' });

export const trashOperations: ApiOperation[] = [
	{
		method: 'delete',
		path: '/api/v1/canvases/{id}',
		operationId: 'deleteCanvas',
		tag: 'Canvases',
		summary: 'Move a canvas to the trash, or delete it for good',
		description: `Editors move it to its team's trash, where it is kept, restorable, for ${TRASH_RETENTION_DAYS} days: open sockets are closed, its share links are revoked (they stay revoked after a restore) and its publication is removed from the gallery. With \`permanent=true\` (admins and owners, a person: no API key) it is deleted for good at once, from the trash or not, with its history, chat and images.`,
		auth: 'caller',
		params: canvasParams,
		query: deleteCanvasQuerySchema,
		responses: {
			200: { description: 'In the trash.', schema: z.object({ canvas: trashedCanvasRefSchema }).meta({ id: 'CanvasTrashed' }) },
			204: { description: 'Deleted for good (`permanent=true`).' }
		}
	},
	{
		method: 'get',
		path: '/api/v1/teams/{teamId}/trash',
		operationId: 'listTrash',
		tag: 'Trash',
		summary: "A team's trash",
		description: 'For anyone who may see the team’s canvases.',
		auth: 'caller',
		params: teamParams,
		responses: { 200: { description: 'Most recently trashed first.', schema: z.object({ canvases: z.array(trashedCanvasSchema) }).meta({ id: 'TrashList' }) } }
	},
	{
		method: 'post',
		path: '/api/v1/canvases/{id}/restore',
		operationId: 'restoreCanvas',
		tag: 'Trash',
		summary: 'Restore a canvas from the trash',
		description:
			'Editors and above. It comes back with its content, history, chat and images; its share links stay revoked. Refused with LIMIT_EXCEEDED when the team is at its plan’s canvas limit. Restoring a canvas that is not in the trash changes nothing.',
		auth: 'caller',
		params: canvasParams,
		responses: { 200: { description: 'The canvas, back in the library.', schema: canvasSchema } },
		errors: ['LIMIT_EXCEEDED']
	},
	{
		method: 'delete',
		path: '/api/v1/teams/{teamId}',
		operationId: 'deleteTeam',
		tag: 'Teams',
		summary: 'Move a team to the trash',
		description: `Owners; needs its exact name. The team and its canvases disappear for its members at once (open sockets close, share links are revoked, publications removed); its owners may restore it for ${TRASH_RETENTION_DAYS} days, then it is deleted for good. Personal teams cannot be deleted.`,
		auth: 'person',
		params: teamParams,
		body: { type: 'json', schema: deleteTeamRequestSchema },
		responses: { 200: { description: 'In the trash.', schema: z.object({ team: deletedTeamSchema }).meta({ id: 'TeamTrashed' }) } },
		errors: ['CONFLICT']
	},
	{
		method: 'post',
		path: '/api/v1/teams/{teamId}/restore',
		operationId: 'restoreTeam',
		tag: 'Trash',
		summary: 'Restore a team from the trash',
		description:
			'Its owners. Members, canvases, keys and billing come back as they were; share links stay revoked. Restoring a team that is not in the trash changes nothing.',
		auth: 'person',
		params: teamParams,
		responses: { 200: { description: 'The team.', schema: teamSummarySchema } }
	},
	{
		method: 'get',
		path: '/api/v1/me/deleted-teams',
		operationId: 'listDeletedTeams',
		tag: 'Trash',
		summary: 'Teams in the trash the caller owns',
		auth: 'person',
		responses: { 200: { description: 'Most recently deleted first.', schema: z.object({ teams: z.array(deletedTeamSchema) }).meta({ id: 'DeletedTeamList' }) } }
	}
];
