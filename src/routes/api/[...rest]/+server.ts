import { AppError } from '$lib/server/errors';
import { jsonError } from '$lib/server/http/api';
import type { RequestHandler } from './$types';

/** Unknown API paths answer in the API's error shape rather than with an HTML page. */
export const fallback: RequestHandler = async ({ request, url }) => jsonError(new AppError('NOT_FOUND', `No API route ${request.method} ${url.pathname}.`));
