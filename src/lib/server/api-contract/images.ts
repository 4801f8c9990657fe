// The contract of live sketch → image: asking for pictures of a sketch, following and cancelling the
// job, the playground's guest jobs, and whether this server makes images at all.
import { z } from 'zod';
import { IMAGE_JOB_STATES, MAX_VARIATIONS, imageRequestSchema } from '../../live-sketch.ts';
import { canvasParams } from './canvases.ts';
import { isoDateTime, type ApiOperation } from './operation.ts';

const imageJob = z
	.object({
		id: z.uuid(),
		state: z.enum(IMAGE_JOB_STATES).meta({ description: '`superseded`: a newer sketch of the same frame replaced it while it waited (nothing charged).' }),
		prompt: z.string(),
		variations: z.int().min(1).max(MAX_VARIATIONS),
		position: z.int().min(0).nullable().meta({ description: 'Jobs ahead of it while queued (0: next); null otherwise.' }),
		etaSeconds: z
			.number()
			.nullable()
			.meta({ description: 'Seconds until it is likely done, from how long recent jobs took; null with nothing to go by or no worker up.' }),
		progress: z.number().min(0).max(1).nullable().meta({ description: '0–1 while generating, when the provider reports it.' }),
		workers: z.int().min(0).meta({ description: 'Image workers up now; 0 means the image service is busy (nothing is generating).' }),
		assetId: z.uuid().nullable(),
		assetIds: z.array(z.uuid()),
		imageUrls: z.array(z.string()).meta({ description: 'Where each picture can be fetched: asset URLs for a canvas, the job’s own for a playground guest.' }),
		error: z.string().nullable(),
		creditsCharged: z.int().min(0),
		canvasId: z.uuid().nullable(),
		frameId: z.string().nullable(),
		createdAt: isoDateTime(),
		startedAt: isoDateTime().nullable(),
		finishedAt: isoDateTime().nullable()
	})
	.meta({ id: 'ImageJob' });

const imageJobResponse = z.object({ job: imageJob });
const jobParams = z.object({ id: z.uuid().meta({ description: 'The image job id.' }) });

export const imageOperations: ApiOperation[] = [
	{
		method: 'get',
		path: '/api/v1/images/service',
		operationId: 'getImageService',
		tag: 'Images',
		summary: 'Whether this server makes images, and how busy it is',
		auth: 'public',
		responses: {
			200: {
				description: 'The image service.',
				schema: z.object({ service: z.object({ configured: z.boolean(), workers: z.int().min(0), queued: z.int().min(0) }) })
			}
		}
	},
	{
		method: 'post',
		path: '/api/v1/canvases/{id}/images',
		operationId: 'createImageJob',
		tag: 'Images',
		summary: 'Turn a sketch into pictures',
		description:
			'Queues an image job: 1 credit per picture, reserved now and charged when it is made (failed, cancelled and superseded jobs cost nothing). With `frameId` (a sketch frame), its result frame shows the job and its pictures live, and a newer sketch of the frame supersedes this job while it waits. 503 `UNAVAILABLE` with `details.reason: imagesNotConfigured` when the server has no image provider.',
		auth: 'caller',
		params: canvasParams,
		body: { type: 'json', schema: imageRequestSchema },
		responses: { 202: { description: 'Queued.', schema: imageJobResponse } },
		errors: ['LIMIT_EXCEEDED', 'UNSUPPORTED_MEDIA_TYPE']
	},
	{
		method: 'get',
		path: '/api/v1/image-jobs/{id}',
		operationId: 'getImageJob',
		tag: 'Images',
		summary: 'An image job: state, place in the queue, progress, pictures',
		description: "Readers of the job's canvas may follow it; a playground guest follows their own (their cookie identifies them).",
		auth: 'caller',
		params: jobParams,
		responses: { 200: { description: 'The job.', schema: imageJobResponse } }
	},
	{
		method: 'post',
		path: '/api/v1/image-jobs/{id}/cancel',
		operationId: 'cancelImageJob',
		tag: 'Images',
		summary: 'Cancel an image job that has not finished',
		auth: 'caller',
		params: jobParams,
		responses: { 200: { description: 'Cancelled; its credits are back.', schema: imageJobResponse } },
		errors: ['CONFLICT']
	},
	{
		method: 'get',
		path: '/api/v1/image-jobs/{id}/images/{index}',
		operationId: 'getGuestImage',
		tag: 'Images',
		summary: "A playground guest's picture",
		description: 'For the guest (their cookie) who asked at /sketch; pictures of canvas jobs are assets (`/api/v1/assets/{assetId}`).',
		auth: 'public',
		params: jobParams.extend({
			index: z
				.string()
				.regex(/^[0-3]$/)
				.meta({ description: 'Which picture, from 0.' })
		}),
		responses: { 200: { description: 'The picture.', mediaTypes: ['image/png', 'image/jpeg', 'image/webp'] } }
	},
	{
		method: 'post',
		path: '/api/v1/sketch/images',
		operationId: 'createGuestImageJob',
		tag: 'Images',
		summary: 'The playground: pictures of a sketch without an account',
		description: `At most 20 pictures a day from one network address (then 429 with \`details.limit: guestImages\`). A cookie remembers the guest; their newer sketch supersedes their waiting one.`,
		auth: 'public',
		body: { type: 'json', schema: imageRequestSchema.omit({ frameId: true }) },
		responses: { 202: { description: 'Queued.', schema: imageJobResponse } },
		errors: ['UNSUPPORTED_MEDIA_TYPE']
	}
];
