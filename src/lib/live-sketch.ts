// Live sketch → image, as the canvas, the browser and the server all see it: what a sketch frame and
// its result frame keep in `meta`, an image job's states, the API's request and answer, and the
// prompt suggestions. Universal (no server imports): the canvas island reads the same shapes the
// server writes.
import { z } from 'zod';

/** An image job's states, in the order a job goes through them (`superseded`: a newer sketch of its frame replaced it while it waited). */
export const IMAGE_JOB_STATES = ['queued', 'generating', 'done', 'failed', 'cancelled', 'superseded'] as const;
export type ImageJobState = (typeof IMAGE_JOB_STATES)[number];

/** States a job leaves no more. */
export const FINISHED_IMAGE_JOB_STATES: ReadonlySet<ImageJobState> = new Set(['done', 'failed', 'cancelled', 'superseded']);

/** At most this many images from one sketch ("Variations"). */
export const MAX_VARIATIONS = 4;
/** How strongly the model may depart from the sketch (0: keep it, 1: only the prompt); the default. */
export const DEFAULT_STRENGTH = 0.65;
export const MAX_PROMPT_LENGTH = 1_000;
/** The largest sketch PNG accepted, in bytes (a 1024 × 1024 frame of strokes is far smaller). */
export const MAX_SKETCH_BYTES = 4 * 1024 * 1024;
/** How long drawing must pause before the sketch is sent. */
export const SKETCH_PAUSE_MS = 500;
/** Sketch and result frames are made this size (the image models' native square). */
export const SKETCH_FRAME_SIZE = 512;
/** Images a guest (no account) may make a day from one network address at /sketch. */
export const GUEST_IMAGES_PER_DAY = 20;

/** What a job is doing, as the result frame shows it to everyone (written by the server only). */
export const resultFrameJobSchema = z.object({
	id: z.string(),
	state: z.enum(IMAGE_JOB_STATES),
	/** 0–1 while generating, when the provider reports progress. */
	progress: z.number().min(0).max(1).nullable().optional(),
	/** Why it failed (or, while it waits for a retry, why the last attempt did). */
	error: z.string().nullable().optional(),
	variations: z.number().int().min(1).max(MAX_VARIATIONS),
	/** Epoch ms of the last change. */
	updatedAt: z.number()
});
export type ResultFrameJob = z.infer<typeof resultFrameJobSchema>;

/** `meta.liveSketch` of a sketch frame (a tldraw frame people draw in). */
export const sketchFrameMetaSchema = z.object({
	role: z.literal('sketch'),
	resultFrameId: z.string(),
	prompt: z.string().max(MAX_PROMPT_LENGTH),
	strength: z.number().min(0).max(1)
});
export type SketchFrameMeta = z.infer<typeof sketchFrameMetaSchema>;

/** `meta.liveSketch` of a result frame (where the images appear). */
export const resultFrameMetaSchema = z.object({
	role: z.literal('result'),
	sketchFrameId: z.string(),
	job: resultFrameJobSchema.nullable().optional()
});
export type ResultFrameMeta = z.infer<typeof resultFrameMetaSchema>;

/** `meta.liveSketchImage` of an image shape the server put in a result frame. */
export const resultImageMetaSchema = z.object({
	jobId: z.string(),
	prompt: z.string(),
	/** Which of the job's variations, from 0. */
	index: z.number().int().min(0)
});
export type ResultImageMeta = z.infer<typeof resultImageMetaSchema>;

export function sketchFrameMeta(meta: unknown): SketchFrameMeta | null {
	const parsed = sketchFrameMetaSchema.safeParse((meta as { liveSketch?: unknown } | null)?.liveSketch);
	return parsed.success ? parsed.data : null;
}

export function resultFrameMeta(meta: unknown): ResultFrameMeta | null {
	const parsed = resultFrameMetaSchema.safeParse((meta as { liveSketch?: unknown } | null)?.liveSketch);
	return parsed.success ? parsed.data : null;
}

export function resultImageMeta(meta: unknown): ResultImageMeta | null {
	const parsed = resultImageMetaSchema.safeParse((meta as { liveSketchImage?: unknown } | null)?.liveSketchImage);
	return parsed.success ? parsed.data : null;
}

/** `POST /api/v1/canvases/:id/images` (and the guest playground's `POST /api/v1/sketch/images`). */
export const imageRequestSchema = z.object({
	prompt: z.string().trim().min(1, 'Say what the sketch should become.').max(MAX_PROMPT_LENGTH),
	/** The sketch: a PNG as base64 (a `data:image/png;base64,` prefix is fine), or the id of one of the canvas's assets. */
	sketch: z.union([z.string().min(1), z.object({ assetId: z.string().uuid() })]),
	/** The sketch frame (`shape:…`) the sketch came from: its result frame shows the job and its images, and a newer sketch of it supersedes this one while it waits. */
	frameId: z.string().startsWith('shape:').max(200).optional(),
	variations: z.number().int().min(1).max(MAX_VARIATIONS).default(1),
	strength: z.number().min(0).max(1).default(DEFAULT_STRENGTH)
});
export type ImageRequest = z.input<typeof imageRequestSchema>;

/** An image job as `GET /api/v1/image-jobs/:id` answers it. */
export interface ImageJobView {
	id: string;
	state: ImageJobState;
	prompt: string;
	variations: number;
	/** Jobs ahead of this one while it is queued (0: next); null otherwise. */
	position: number | null;
	/** Seconds until it is likely done, while queued or generating, when there is anything to go by. */
	etaSeconds: number | null;
	/** 0–1 while generating, when the provider reports it. */
	progress: number | null;
	/** Workers up now: 0 means nothing is generating images ("the image service is busy"). */
	workers: number;
	/** The images, when done (the first is `assetId`). */
	assetId: string | null;
	assetIds: string[];
	/** Where each image can be fetched (asset URLs on a canvas; the job's own URLs at /sketch). */
	imageUrls: string[];
	error: string | null;
	creditsCharged: number;
	canvasId: string | null;
	frameId: string | null;
	createdAt: string;
	startedAt: string | null;
	finishedAt: string | null;
}

/** What the sketch controls say when the server has no image provider (the API answers 503 IMAGES_NOT_CONFIGURED with it). */
export const IMAGES_NOT_CONFIGURED_MESSAGE =
	'Image generation is not set up on this server. The operator sets IMAGE_PROVIDER=comfyui with COMFYUI_URL, or IMAGE_PROVIDER=openai with IMAGE_BASE_URL and IMAGE_API_KEY (see the README).';

/** What the /sketch playground says instead (a guest cannot change the server's settings). */
export const GUEST_NOT_CONFIGURED_MESSAGE = 'Image generation is not available on this server yet, so sketches cannot be turned into pictures here. Try again later.';

/** A short library of prompts to start from. */
export const PROMPT_SUGGESTIONS: readonly { label: string; prompt: string }[] = [
	{ label: 'Watercolour', prompt: 'a soft watercolour painting, loose brush strokes, paper texture' },
	{ label: 'Product render', prompt: 'a clean 3D product render, studio lighting, white background' },
	{ label: 'Isometric', prompt: 'an isometric illustration, flat colours, crisp edges' },
	{ label: 'Architecture', prompt: 'an architectural concept sketch rendered as a photorealistic building at dusk' },
	{ label: 'UI mockup', prompt: 'a polished mobile app screen, modern UI, soft shadows' },
	{ label: 'Pixel art', prompt: 'pixel art, 16-bit video game style, vibrant palette' },
	{ label: 'Ink drawing', prompt: 'a detailed black ink drawing, cross-hatching, high contrast' },
	{ label: 'Claymation', prompt: 'a claymation character, handmade plasticine texture, warm light' }
];
