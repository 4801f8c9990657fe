// The contract of a canvas's history: its versions, saving, renaming, deleting and restoring them.
import { z } from 'zod';
import { VERSION_KINDS } from '../db/schema.ts';
import { versionLabelRequestSchema } from '../history.ts';
import { canvasParams, tldrawRecordSchema } from './canvases.ts';
import { isoDateTime, type ApiOperation } from './operation.ts';

const versionParams = canvasParams.extend({ versionId: z.uuid().meta({ description: 'The version id.' }) });

export const versionSchema = z
	.object({
		id: z.uuid(),
		kind: z.enum(VERSION_KINDS).meta({ description: '`auto` saves, `named` ones, `restore` markers, `publish` and `assistant` (before AI) snapshots.' }),
		label: z.string().nullable(),
		createdAt: isoDateTime(),
		createdBy: z.uuid().nullable(),
		createdByName: z.string().nullable(),
		authorIds: z.array(z.uuid()).meta({ description: 'Who edited since the version before.' }),
		bytes: z.number().int(),
		locked: z.boolean().optional().meta({ description: 'In lists: older than the plan keeps (opening or restoring it needs an upgrade).' })
	})
	.meta({ id: 'Version', description: "A saved state of a canvas's document." });

export const historyOperations: ApiOperation[] = [
	{
		method: 'get',
		path: '/api/v1/canvases/{id}/versions',
		operationId: 'listVersions',
		tag: 'History',
		summary: "List a canvas's versions",
		description: 'Newest first; versions older than the plan keeps are listed with `locked: true`.',
		auth: 'caller',
		params: canvasParams,
		responses: {
			200: {
				description: 'The versions, and how many days of history the plan keeps (null: all).',
				schema: z.object({ versions: z.array(versionSchema), historyDays: z.number().nullable() }).meta({ id: 'VersionList' })
			}
		}
	},
	{
		method: 'post',
		path: '/api/v1/canvases/{id}/versions',
		operationId: 'saveVersion',
		tag: 'History',
		summary: 'Save the canvas as a named version',
		auth: 'caller',
		params: canvasParams,
		body: { type: 'json', schema: versionLabelRequestSchema },
		responses: { 201: { description: 'The version.', schema: versionSchema } },
		errors: ['LIMIT_EXCEEDED']
	},
	{
		method: 'get',
		path: '/api/v1/canvases/{id}/versions/{versionId}',
		operationId: 'getVersion',
		tag: 'History',
		summary: "A version's tldraw records",
		description: 'For preview; nothing changes.',
		auth: 'caller',
		params: versionParams,
		responses: {
			200: {
				description: 'The version and its records.',
				schema: versionSchema
					.extend({ records: z.record(z.string(), tldrawRecordSchema).meta({ description: 'The tldraw records, keyed by id.' }) })
					.meta({ id: 'VersionWithRecords' })
			}
		},
		errors: ['LIMIT_EXCEEDED']
	},
	{
		method: 'patch',
		path: '/api/v1/canvases/{id}/versions/{versionId}',
		operationId: 'renameVersion',
		tag: 'History',
		summary: 'Rename a named version',
		auth: 'person',
		params: versionParams,
		body: { type: 'json', schema: versionLabelRequestSchema },
		responses: { 200: { description: 'The renamed version.', schema: versionSchema } }
	},
	{
		method: 'delete',
		path: '/api/v1/canvases/{id}/versions/{versionId}',
		operationId: 'deleteVersion',
		tag: 'History',
		summary: 'Delete a named version',
		auth: 'person',
		params: versionParams,
		responses: { 204: { description: 'Deleted.' } }
	},
	{
		method: 'post',
		path: '/api/v1/canvases/{id}/versions/{versionId}/restore',
		operationId: 'restoreVersion',
		tag: 'History',
		summary: 'Restore a version',
		description: 'A forward change every collaborator sees; answers with the `restore` version it made.',
		auth: 'caller',
		params: versionParams,
		responses: { 201: { description: 'The `restore` version.', schema: versionSchema } },
		errors: ['LIMIT_EXCEEDED']
	}
];
