// What an image worker asks of an image model: turn a sketch (PNG) and a prompt into pictures.
// Implementations: ComfyUI (comfyui-provider.ts) and an OpenAI-compatible images API
// (openai-images-provider.ts); `imageProviderFor(config)` picks the configured one.
import { fileTypeFromBuffer } from 'file-type';

export interface ImageGenerationRequest {
	prompt: string;
	/** The sketch as PNG bytes. */
	sketch: Uint8Array;
	/** How many pictures (1–4). */
	variations: number;
	/** 0–1: how far the picture may depart from the sketch (ComfyUI's denoise). */
	strength: number;
	/** Aborted when the job is cancelled, expires or the worker stops. */
	signal: AbortSignal;
	/** Called with 0–1 as the provider reports progress (ComfyUI does; OpenAI does not). */
	onProgress?: (fraction: number) => void;
}

export interface GeneratedImage {
	bytes: Uint8Array;
	mimeType: 'image/png' | 'image/jpeg' | 'image/webp';
}

export interface ImageProvider {
	readonly name: 'comfyui' | 'openai';
	/** Where it is, for logs and /readyz (never a key). */
	readonly description: string;
	/** Exactly `request.variations` pictures; throws ImageProviderError. */
	generate(request: ImageGenerationRequest): Promise<GeneratedImage[]>;
	/** Resolves when the provider answers; rejects with the reason when it does not (worker /readyz). */
	ping(signal?: AbortSignal): Promise<void>;
}

/** A provider's refusal or failure. `transient`: worth retrying (unreachable, timeout, 429, 5xx); otherwise the job fails at once. */
export class ImageProviderError extends Error {
	readonly transient: boolean;

	constructor(message: string, options: { transient: boolean; cause?: unknown }) {
		super(message, { cause: options.cause });
		this.name = 'ImageProviderError';
		this.transient = options.transient;
	}
}

/** `bytes` as a GeneratedImage when their content is PNG, JPEG or WebP (never trusting a name or header); null otherwise. */
export async function generatedImageOf(bytes: Uint8Array): Promise<GeneratedImage | null> {
	const mime = (await fileTypeFromBuffer(bytes))?.mime;
	if (mime === 'image/png' || mime === 'image/apng') return { bytes, mimeType: 'image/png' };
	if (mime === 'image/jpeg' || mime === 'image/webp') return { bytes, mimeType: mime };
	return null;
}
