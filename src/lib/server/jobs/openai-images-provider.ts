// An OpenAI-compatible images API as an image provider: the sketch and prompt go to
// `<base>/images/edits` (multipart, through the AI SDK), the pictures come back as base64.
import { createOpenAI } from '@ai-sdk/openai';
import { APICallError, generateImage } from 'ai';
import { generatedImageOf, ImageProviderError, type GeneratedImage, type ImageGenerationRequest, type ImageProvider } from './image-provider.ts';

export interface OpenAiImagesProviderOptions {
	/** The API's base URL, ending in /v1. */
	baseURL: string;
	apiKey: string;
	/** e.g. gpt-image-1. */
	model: string;
	/** Longest one request may take. */
	timeoutSeconds: number;
	/** How long ping waits for /models (default 5000). */
	pingTimeoutMs?: number;
}

export function createOpenAiImagesProvider(options: OpenAiImagesProviderOptions): ImageProvider {
	const baseURL = options.baseURL.replace(/\/+$/, '');
	const host = hostOf(baseURL);
	const model = createOpenAI({ baseURL, apiKey: options.apiKey }).image(options.model);
	const pingTimeoutMs = options.pingTimeoutMs ?? 5000;

	return {
		name: 'openai',
		description: `OpenAI-compatible images API at ${host} (model ${options.model})`,

		async generate(request: ImageGenerationRequest): Promise<GeneratedImage[]> {
			const deadline = AbortSignal.timeout(options.timeoutSeconds * 1000);
			let files;
			try {
				({ images: files } = await generateImage({
					model,
					prompt: { text: request.prompt, images: [request.sketch] },
					n: request.variations,
					// One request for all of them: the sketch is sent once and one answer is all or nothing.
					maxImagesPerCall: request.variations,
					// The job queue retries transient failures itself, with its own backoff.
					maxRetries: 0,
					abortSignal: AbortSignal.any([request.signal, deadline])
				}));
			} catch (error) {
				if (request.signal.aborted) throw new ImageProviderError('The image request was cancelled.', { transient: false, cause: request.signal.reason });
				if (deadline.aborted) throw new ImageProviderError(`The image API did not answer within ${options.timeoutSeconds} seconds.`, { transient: true, cause: error });
				throw imageApiError(error, host);
			}
			if (files.length < request.variations) {
				throw new ImageProviderError(`The image API returned ${files.length} of the ${request.variations} pictures asked for.`, { transient: false });
			}
			return Promise.all(
				files.slice(0, request.variations).map(async (file) => {
					const image = await generatedImageOf(file.uint8Array);
					if (!image) throw new ImageProviderError('The image API returned something that is not a PNG, JPEG or WebP picture.', { transient: false });
					return image;
				})
			);
		},

		async ping(signal?: AbortSignal): Promise<void> {
			const deadline = AbortSignal.timeout(pingTimeoutMs);
			let response: Response;
			try {
				response = await fetch(`${baseURL}/models`, {
					headers: { authorization: `Bearer ${options.apiKey}` },
					signal: signal ? AbortSignal.any([signal, deadline]) : deadline
				});
			} catch (error) {
				if (deadline.aborted) throw new ImageProviderError(`The image API at ${host} did not answer within ${pingTimeoutMs} ms.`, { transient: true, cause: error });
				if (signal?.aborted) throw error;
				throw new ImageProviderError(`Could not reach the image API at ${host} (${causeCode(error) ?? (error as Error).message}).`, { transient: true, cause: error });
			}
			await response.body?.cancel();
			if (response.ok) return;
			if (response.status === 401) throw new ImageProviderError(`The image API at ${host} is reachable but the image API key was refused (401).`, { transient: false });
			throw new ImageProviderError(`The image API at ${host} answered ${response.status} to GET /models.`, {
				transient: response.status >= 500 || response.status === 429
			});
		}
	};
}

/** The AI SDK's error as an ImageProviderError: 408, 429, 5xx and network failures are worth retrying, other refusals are not. */
function imageApiError(error: unknown, host: string): ImageProviderError {
	if (APICallError.isInstance(error)) {
		const status = error.statusCode;
		if (status === undefined)
			return new ImageProviderError(`Could not reach the image API at ${host} (${causeCode(error) ?? error.message}).`, { transient: true, cause: error });
		const said =
			error.message && !/^(Bad Request|Unauthorized|Forbidden|Not Found|Internal Server Error)$/i.test(error.message) ? `: ${error.message.slice(0, 300)}` : '.';
		if (status === 401) return new ImageProviderError('The image API key was refused (401).', { transient: false, cause: error });
		if (status === 429) return new ImageProviderError(`The image API is rate limiting requests (429)${said}`, { transient: true, cause: error });
		if (status === 408 || status >= 500) return new ImageProviderError(`The image API failed (${status})${said}`, { transient: true, cause: error });
		if (status === 403) return new ImageProviderError(`The image API refused the request (403)${said}`, { transient: false, cause: error });
		if (status === 404) return new ImageProviderError(`The image API does not know this model or endpoint (404)${said}`, { transient: false, cause: error });
		return new ImageProviderError(`The image API refused the request (${status})${said}`, { transient: false, cause: error });
	}
	const code = causeCode(error);
	if (code && NETWORK_FAILURES.test(code)) return new ImageProviderError(`Could not reach the image API at ${host} (${code}).`, { transient: true, cause: error });
	return new ImageProviderError(`The image API failed: ${(error as Error)?.message ?? String(error)}`, { transient: false, cause: error });
}

const NETWORK_FAILURES = /^(ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EPIPE|UND_ERR_\w+)$/;

function hostOf(url: string): string {
	try {
		return new URL(url).host;
	} catch {
		return url;
	}
}

function causeCode(error: unknown): string | undefined {
	for (let current = error, depth = 0; current && depth < 5; depth++) {
		const code = (current as { code?: unknown }).code;
		if (typeof code === 'string') return code;
		current = (current as { cause?: unknown }).cause;
	}
	return undefined;
}
