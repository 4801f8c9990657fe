// The contract of canvases: listing, creating, renaming, moving, importing and exporting them, their
// content, live state, thumbnail and images.
import { z } from 'zod';
import { createCanvasRequestSchema, moveCanvasRequestSchema, updateCanvasRequestSchema } from '../canvases.ts';
import { libraryQuerySchema, MAX_SEARCH_RESULTS } from '../library/index.ts';
import { ROLES } from '../db/schema.ts';
import { ACCEPTED_MIME_TYPES } from '../assets/accepted-types.ts';
import { MAX_THUMBNAIL_BYTES } from '../thumbnails.ts';
import { DOCUMENT_STATE_TYPE } from '../../document-state.ts';
import { isoDateTime, type ApiOperation } from './operation.ts';

export const canvasParams = z.object({ id: z.uuid().meta({ description: 'The canvas id.' }) });
const assetParams = z.object({ assetId: z.uuid().meta({ description: 'The asset id.' }) });

export const canvasSchema = z
	.object({
		id: z.uuid(),
		teamId: z.uuid(),
		title: z.string(),
		createdBy: z.uuid().nullable().meta({ description: 'Who made it; null once their account is deleted.' }),
		createdByName: z.string().nullable(),
		createdAt: isoDateTime(),
		updatedAt: isoDateTime(),
		folderId: z.uuid().nullable().meta({ description: "The team library's folder it is filed in; null at the top level." })
	})
	.meta({ id: 'Canvas', description: 'A titled tldraw document owned by one team.' });

const matchExcerptSchema = z
	.object({
		text: z.string().meta({ description: "A few words of the canvas's text around what matched (plain text, never markup)." }),
		highlights: z
			.array(z.object({ start: z.number().int(), end: z.number().int() }))
			.meta({ description: 'The matched words, as [start, end) offsets into `text` (UTF-16 code units, as JavaScript counts).' })
	})
	.meta({ id: 'MatchExcerpt' });

export const libraryCanvasSchema = canvasSchema
	.extend({
		starred: z.boolean().meta({ description: 'Whether the caller starred it (always false for an API key).' }),
		match: matchExcerptSchema.nullable().optional().meta({ description: "With `q`: where the canvas's text matched; null when only its title did." })
	})
	.meta({ id: 'LibraryCanvas', description: "A canvas as the caller's team library lists it." });

const canvasDetailSchema = canvasSchema
	.extend({
		role: z.enum(ROLES).nullable().meta({ description: "The caller's role in the canvas's team; null when only a share link admits them." }),
		canEdit: z.boolean()
	})
	.meta({ id: 'CanvasDetail' });

export const tldrawRecordSchema = z
	.looseObject({ id: z.string(), typeName: z.string() })
	.meta({ id: 'TldrawRecord', description: 'A tldraw record (shape, page, asset, binding…).' });

const canvasDocumentSchema = z
	.object({
		id: z.uuid(),
		title: z.string(),
		records: z.record(z.string(), tldrawRecordSchema).meta({ description: 'The tldraw records, keyed by id.' }),
		meta: z.record(z.string(), z.unknown())
	})
	.meta({ id: 'CanvasDocument' });

const canvasExportSchema = z
	.union([
		z
			.object({ tldrawFileFormatVersion: z.number(), schema: z.record(z.string(), z.unknown()), records: z.array(tldrawRecordSchema) })
			.meta({ description: '`format=tldr`: a .tldr file, pictures inlined.' }),
		z
			.object({ canvas: z.object({ id: z.uuid(), title: z.string() }), schema: z.record(z.string(), z.unknown()), records: z.array(tldrawRecordSchema) })
			.meta({ description: '`format=json`: the records for programs, picture URLs absolute.' })
	])
	.meta({ id: 'CanvasExport' });

export const uploadedAssetSchema = z
	.object({
		id: z.uuid(),
		src: z.string().meta({ description: "The asset record's `props.src`: `/api/v1/assets/<id>`." }),
		mimeType: z.enum(ACCEPTED_MIME_TYPES),
		bytes: z.number().int(),
		width: z.number().optional(),
		height: z.number().optional()
	})
	.meta({ id: 'Asset', description: 'An image stored for a canvas.' });

const importForm = z.object({
	file: z.string().meta({ format: 'binary', description: 'The .tldr file.' }),
	teamId: z.uuid().optional().meta({ description: "The team to import into; the caller's personal team when left out." }),
	title: z.string().optional().meta({ description: "The canvas's title; the file's name when left out." })
});

const uploadForm = z.object({ file: z.string().meta({ format: 'binary', description: 'The image (PNG, JPEG, GIF, WebP or SVG; its content decides).' }) });

const exportQuery = z.object({
	format: z.enum(['tldr', 'json']).default('tldr').meta({ description: '`tldr` (a file to download) or `json` (its records for programs).' })
});
const assetQuery = z.object({ share: z.string().optional().meta({ description: 'A share link token, for `<img>` which cannot send headers.' }) });

const listQuery = libraryQuerySchema.extend({ teamId: z.uuid().optional().meta({ description: "The team; the caller's personal team when left out." }) });

export const canvasOperations: ApiOperation[] = [
	{
		method: 'get',
		path: '/api/v1/canvases',
		operationId: 'listCanvases',
		tag: 'Canvases',
		summary: "List or search a team's canvases",
		description: `Never canvases in the trash. The caller's starred canvases come first in every sort; a search answers its best ${MAX_SEARCH_RESULTS} matches. A key limited to some canvases lists only those.`,
		auth: 'caller',
		query: listQuery,
		responses: {
			200: {
				description: 'The canvases, most recently edited first unless `sort` (or a search) says otherwise.',
				schema: z
					.object({
						canvases: z.array(libraryCanvasSchema),
						truncated: z.boolean().meta({ description: `A search that found more than the ${MAX_SEARCH_RESULTS} it answers.` })
					})
					.meta({ id: 'CanvasList' })
			}
		}
	},
	{
		method: 'post',
		path: '/api/v1/canvases',
		operationId: 'createCanvas',
		tag: 'Canvases',
		summary: 'Create a canvas',
		auth: 'caller',
		body: { type: 'json', schema: createCanvasRequestSchema() },
		responses: { 201: { description: 'The new canvas.', schema: canvasSchema } },
		errors: ['LIMIT_EXCEEDED']
	},
	{
		method: 'get',
		path: '/api/v1/canvases/{id}',
		operationId: 'getCanvas',
		tag: 'Canvases',
		summary: 'A canvas and what the caller may do with it',
		auth: 'caller',
		params: canvasParams,
		responses: { 200: { description: 'The canvas.', schema: canvasDetailSchema } }
	},
	{
		method: 'patch',
		path: '/api/v1/canvases/{id}',
		operationId: 'updateCanvas',
		tag: 'Canvases',
		summary: 'Rename a canvas, or file it in a folder',
		description: "A new `title`, a `folderId` (one of its team's folders; `null` takes it out of its folder), or both: if either is refused, neither is done.",
		auth: 'caller',
		params: canvasParams,
		body: { type: 'json', schema: updateCanvasRequestSchema() },
		responses: { 200: { description: 'The canvas as it is now.', schema: canvasSchema } }
	},
	{
		method: 'post',
		path: '/api/v1/canvases/{id}/duplicate',
		operationId: 'duplicateCanvas',
		tag: 'Canvases',
		summary: 'Duplicate a canvas',
		description: 'Copies the canvas as it is now, images included, into the same team.',
		auth: 'caller',
		params: canvasParams,
		responses: { 201: { description: 'The copy.', schema: canvasSchema } },
		errors: ['LIMIT_EXCEEDED']
	},
	{
		method: 'post',
		path: '/api/v1/canvases/{id}/move',
		operationId: 'moveCanvas',
		tag: 'Canvases',
		summary: 'Move a canvas to another team',
		description: 'The caller must administer both teams.',
		auth: 'person',
		params: canvasParams,
		body: { type: 'json', schema: moveCanvasRequestSchema },
		responses: { 200: { description: 'The moved canvas.', schema: canvasSchema } },
		errors: ['LIMIT_EXCEEDED']
	},
	{
		method: 'post',
		path: '/api/v1/canvases/import',
		operationId: 'importCanvas',
		tag: 'Canvases',
		summary: 'Import a .tldr file as a new canvas',
		auth: 'caller',
		body: { type: 'multipart', schema: importForm },
		responses: { 201: { description: 'The new canvas.', schema: canvasSchema } },
		errors: ['LIMIT_EXCEEDED', 'UNSUPPORTED_MEDIA_TYPE']
	},
	{
		method: 'get',
		path: '/api/v1/canvases/{id}/document',
		operationId: 'getCanvasDocument',
		tag: 'Canvases',
		summary: "A canvas's content as tldraw records",
		description: 'The records as collaborators currently see them.',
		auth: 'caller',
		params: canvasParams,
		responses: { 200: { description: 'The records.', schema: canvasDocumentSchema } }
	},
	{
		method: 'get',
		path: '/api/v1/canvases/{id}/export',
		operationId: 'exportCanvas',
		tag: 'Canvases',
		summary: 'Export a canvas',
		description: 'For whoever may open it (a share link in `Easel-Share-Token`). Exports are free on every plan.',
		auth: 'guest',
		params: canvasParams,
		query: exportQuery,
		responses: { 200: { description: 'The .tldr file (an attachment) or the records.', schema: canvasExportSchema } }
	},
	{
		method: 'get',
		path: '/api/v1/canvases/{id}/state',
		operationId: 'getCanvasState',
		tag: 'Canvases',
		summary: "A canvas's stored Yjs updates",
		description: 'For a client to apply before it connects its socket (format: length-prefixed Yjs updates).',
		auth: 'guest',
		params: canvasParams,
		responses: { 200: { description: 'The updates.', mediaTypes: [DOCUMENT_STATE_TYPE] } }
	},
	{
		method: 'get',
		path: '/api/v1/canvases/{id}/thumbnail',
		operationId: 'getCanvasThumbnail',
		tag: 'Canvases',
		summary: "A canvas's thumbnail",
		description: 'Revalidated by ETag; 404 while the canvas has none.',
		auth: 'guest',
		params: canvasParams,
		responses: {
			200: { description: 'The thumbnail.', mediaTypes: ['image/webp', 'image/png'] },
			304: { description: 'Unchanged since the ETag sent in `If-None-Match`.' }
		}
	},
	{
		method: 'put',
		path: '/api/v1/canvases/{id}/thumbnail',
		operationId: 'putCanvasThumbnail',
		tag: 'Canvases',
		summary: "Replace a canvas's thumbnail",
		description: `The body is a WebP or PNG the browser rendered, at most ${MAX_THUMBNAIL_BYTES / 1000} KB (editors).`,
		auth: 'guest',
		params: canvasParams,
		body: { type: 'binary', mediaTypes: ['image/webp', 'image/png'] },
		responses: { 204: { description: 'Saved.' } },
		errors: ['UNSUPPORTED_MEDIA_TYPE']
	},
	{
		method: 'delete',
		path: '/api/v1/canvases/{id}/thumbnail',
		operationId: 'deleteCanvasThumbnail',
		tag: 'Canvases',
		summary: "Remove a canvas's thumbnail",
		auth: 'guest',
		params: canvasParams,
		responses: { 204: { description: 'Removed; the dashboard shows the placeholder again.' } }
	},
	{
		method: 'post',
		path: '/api/v1/canvases/{id}/assets',
		operationId: 'uploadCanvasAsset',
		tag: 'Canvases',
		summary: 'Upload an image for a canvas',
		description: 'Editors and edit links; size and storage limits come from the plan.',
		auth: 'guest',
		params: canvasParams,
		body: { type: 'multipart', schema: uploadForm },
		responses: { 201: { description: 'The stored image.', schema: z.object({ asset: uploadedAssetSchema }) } },
		errors: ['LIMIT_EXCEEDED', 'UNSUPPORTED_MEDIA_TYPE']
	},
	{
		method: 'get',
		path: '/api/v1/assets/{assetId}',
		operationId: 'getAsset',
		tag: 'Canvases',
		summary: "An image's bytes",
		description: 'To whom its canvas admits, or anyone when a visible publication shows it.',
		auth: 'guest',
		params: assetParams,
		query: assetQuery,
		responses: {
			200: { description: 'The image.', mediaTypes: ACCEPTED_MIME_TYPES },
			304: { description: 'Unchanged since the ETag sent in `If-None-Match`.' }
		}
	}
];
