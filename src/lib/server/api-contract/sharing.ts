// The contract of share links, publications, the public gallery and its moderation.
import { z } from 'zod';
import { createShareLinkSchema } from '../sharing.ts';
import { SHARE_ACCESS, SHARE_AUDIENCES } from '../db/schema.ts';
import { publishInputSchema, PREVIEW_MAX_BYTES } from '../publications.ts';
import { galleryQuerySchema } from '../gallery.ts';
import { moderationReasonRequestSchema } from '../moderation.ts';
import { remixRequestSchema } from '../remix.ts';
import { canvasParams, canvasSchema } from './canvases.ts';
import { isoDateTime, type ApiOperation } from './operation.ts';

const idParams = z.object({ id: z.uuid() });
const publicationParams = z.object({ id: z.uuid().meta({ description: 'The publication id.' }) });

export const shareLinkSchema = z
	.object({
		id: z.uuid(),
		canvasId: z.uuid(),
		access: z.enum(SHARE_ACCESS),
		audience: z.enum(SHARE_AUDIENCES).meta({ description: '`anyone` with the link, or `team` members only.' }),
		createdBy: z.uuid().nullable(),
		createdByName: z.string().nullable(),
		expiresAt: isoDateTime().nullable(),
		lastUsedAt: isoDateTime().nullable(),
		createdAt: isoDateTime(),
		token: z.string().optional().meta({ description: 'The secret, in the answer that creates the link only.' }),
		url: z.string().optional().meta({ description: 'The link to give out (`/s/<token>`), in the answer that creates it only.' })
	})
	.meta({ id: 'ShareLink', description: 'A link that opens one canvas for viewing or editing.' });

const publicationRefSchema = z
	.object({
		id: z.uuid(),
		slug: z.string(),
		url: z.string().meta({ description: 'The public page.' }),
		publishedAt: isoDateTime(),
		versionId: z.uuid().meta({ description: "The frozen version (kind `publish`) in the canvas's history." })
	})
	.meta({ id: 'PublicationRef' });

export const publicationSchema = publicationRefSchema
	.extend({
		title: z.string(),
		description: z.string(),
		tags: z.array(z.string()),
		authorName: z.string(),
		moderation: z.enum(['visible', 'hidden']),
		moderationReason: z.string().nullable(),
		viewCount: z.number().int(),
		remixCount: z.number().int(),
		hasPreview: z.boolean(),
		previewUrl: z.string()
	})
	.meta({ id: 'Publication', description: 'A canvas published to the public gallery, as its team sees it.' });

const galleryItemSchema = z
	.object({
		id: z.uuid(),
		slug: z.string(),
		url: z.string(),
		title: z.string(),
		description: z.string(),
		tags: z.array(z.string()),
		authorName: z.string(),
		publishedAt: isoDateTime(),
		viewCount: z.number().int(),
		remixCount: z.number().int(),
		previewUrl: z.string()
	})
	.meta({ id: 'GalleryItem' });

export const sharingOperations: ApiOperation[] = [
	{
		method: 'get',
		path: '/api/v1/canvases/{id}/share-links',
		operationId: 'listShareLinks',
		tag: 'Sharing',
		summary: "List a canvas's share links",
		auth: 'person',
		params: canvasParams,
		responses: { 200: { description: 'The links (never their secrets).', schema: z.object({ shareLinks: z.array(shareLinkSchema) }).meta({ id: 'ShareLinkList' }) } }
	},
	{
		method: 'post',
		path: '/api/v1/canvases/{id}/share-links',
		operationId: 'createShareLink',
		tag: 'Sharing',
		summary: 'Create a share link',
		description: 'The answer holds the link with its `token` and `url`, shown this once.',
		auth: 'person',
		params: canvasParams,
		body: { type: 'json', schema: createShareLinkSchema },
		responses: { 201: { description: 'The link, with its token and url.', schema: shareLinkSchema } }
	},
	{
		method: 'delete',
		path: '/api/v1/share-links/{id}',
		operationId: 'revokeShareLink',
		tag: 'Sharing',
		summary: 'Revoke a share link',
		description: 'Sockets opened through it are closed at once.',
		auth: 'person',
		params: idParams,
		responses: { 204: { description: 'Revoked.' } }
	},
	{
		method: 'get',
		path: '/api/v1/canvases/{id}/publication',
		operationId: 'getPublication',
		tag: 'Publishing',
		summary: "A canvas's publication",
		description: 'As its team sees it (moderation included); 404 when the canvas is not published.',
		auth: 'caller',
		params: canvasParams,
		responses: { 200: { description: 'The publication.', schema: z.object({ publication: publicationSchema }) } }
	},
	{
		method: 'post',
		path: '/api/v1/canvases/{id}/publication',
		operationId: 'publishCanvas',
		tag: 'Publishing',
		summary: 'Publish (or republish) a canvas',
		description: 'Publishes the canvas as it is now: 201 the first time, 200 when republished (same slug).',
		auth: 'caller',
		params: canvasParams,
		body: { type: 'json', schema: publishInputSchema },
		responses: {
			200: { description: 'Republished.', schema: z.object({ publication: publicationRefSchema }) },
			201: { description: 'Published.', schema: z.object({ publication: publicationRefSchema }) }
		},
		errors: ['LIMIT_EXCEEDED', 'CONFLICT']
	},
	{
		method: 'delete',
		path: '/api/v1/canvases/{id}/publication',
		operationId: 'unpublishCanvas',
		tag: 'Publishing',
		summary: 'Unpublish a canvas',
		description: "The page answers 404 from now on; the frozen version stays in the canvas's history.",
		auth: 'caller',
		params: canvasParams,
		responses: { 204: { description: 'Unpublished.' } }
	},
	{
		method: 'put',
		path: '/api/v1/canvases/{id}/publication/preview',
		operationId: 'putPublicationPreview',
		tag: 'Publishing',
		summary: "Set a publication's preview image",
		description: `The body is the image (PNG or WebP, at most ${PREVIEW_MAX_BYTES / 1024 / 1024} MB) as the browser rendered the published version.`,
		auth: 'caller',
		params: canvasParams,
		body: { type: 'binary', mediaTypes: ['image/png', 'image/webp'] },
		responses: {
			200: {
				description: 'What was stored.',
				schema: z.object({ preview: z.object({ mimeType: z.string(), width: z.number().int(), height: z.number().int() }) })
			}
		},
		errors: ['UNSUPPORTED_MEDIA_TYPE']
	},
	{
		method: 'get',
		path: '/api/v1/gallery',
		operationId: 'listGallery',
		tag: 'Publishing',
		summary: 'The public gallery',
		description: 'No account needed.',
		auth: 'public',
		query: galleryQuerySchema,
		responses: {
			200: {
				description: 'A page of publications.',
				schema: z
					.object({ items: z.array(galleryItemSchema), nextCursor: z.string().nullable().meta({ description: 'Pass as `cursor` for the next page; null on the last.' }) })
					.meta({ id: 'GalleryPage' })
			}
		}
	},
	{
		method: 'post',
		path: '/api/v1/publications/{id}/remix',
		operationId: 'remixPublication',
		tag: 'Publishing',
		summary: 'Copy a published canvas into one of your teams',
		auth: 'person',
		params: publicationParams,
		body: { type: 'json', schema: remixRequestSchema },
		responses: { 201: { description: 'The copy.', schema: z.object({ canvas: canvasSchema }) } },
		errors: ['LIMIT_EXCEEDED']
	},
	{
		method: 'post',
		path: '/api/v1/publications/{id}/reports',
		operationId: 'reportPublication',
		tag: 'Publishing',
		summary: "Report a publication to the instance's moderators",
		description: 'Anyone may, a few times an hour per address.',
		auth: 'public',
		params: publicationParams,
		body: { type: 'json', schema: moderationReasonRequestSchema },
		responses: { 201: { description: 'The report.', schema: z.object({ report: z.object({ id: z.uuid() }) }) } }
	},
	{
		method: 'post',
		path: '/api/v1/admin/publications/{id}/hide',
		operationId: 'hidePublication',
		tag: 'Moderation',
		summary: 'Hide a publication',
		description: 'Instance administrators only (404 for anyone else); its team is shown the reason.',
		auth: 'person',
		params: publicationParams,
		body: { type: 'json', schema: moderationReasonRequestSchema },
		responses: { 204: { description: 'Hidden.' } }
	},
	{
		method: 'post',
		path: '/api/v1/admin/publications/{id}/restore',
		operationId: 'restorePublication',
		tag: 'Moderation',
		summary: 'Make a hidden publication visible again',
		description: 'Instance administrators only (404 for anyone else).',
		auth: 'person',
		params: publicationParams,
		responses: { 204: { description: 'Visible again.' } }
	}
];
