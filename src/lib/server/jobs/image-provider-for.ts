// The image provider the configuration names, or null when image generation is off.
import { ConfigError, type Config } from '../config.ts';
import { createComfyUiProvider } from './comfyui-provider.ts';
import type { ImageProvider } from './image-provider.ts';
import { createOpenAiImagesProvider } from './openai-images-provider.ts';

export type ImageProviderConfig = Pick<
	Config,
	'IMAGE_PROVIDER' | 'COMFYUI_URL' | 'COMFYUI_WORKFLOW' | 'IMAGE_BASE_URL' | 'IMAGE_API_KEY' | 'IMAGE_MODEL' | 'IMAGE_TIMEOUT_SECONDS'
>;

/** Throws ConfigError when the ComfyUI workflow file is unusable (loadConfig already checked the URLs and key are there). */
export function imageProviderFor(config: ImageProviderConfig): ImageProvider | null {
	switch (config.IMAGE_PROVIDER) {
		case 'comfyui':
			return createComfyUiProvider({
				url: required(config.COMFYUI_URL, 'COMFYUI_URL'),
				workflowPath: config.COMFYUI_WORKFLOW,
				timeoutSeconds: config.IMAGE_TIMEOUT_SECONDS
			});
		case 'openai':
			return createOpenAiImagesProvider({
				baseURL: required(config.IMAGE_BASE_URL, 'IMAGE_BASE_URL'),
				apiKey: required(config.IMAGE_API_KEY, 'IMAGE_API_KEY'),
				model: config.IMAGE_MODEL,
				timeoutSeconds: config.IMAGE_TIMEOUT_SECONDS
			});
		case undefined:
			return null;
	}
}

function required(value: string | undefined, name: string): string {
	if (!value) throw new ConfigError([`${name}: required with this IMAGE_PROVIDER`]);
	return value;
}
