// The upload edge: the caller (a session, an API key, or a guest whose share link comes in
// `Easel-Share-Token`) and the one file of a multipart/form-data body, read only up to the plan's
// limit.
import type { RequestEvent } from '@sveltejs/kit';
import type { Actor } from '../access.ts';
import { AppError } from '../errors.ts';
import { SHARE_TOKEN_HEADER } from '../../document-state.ts';
import { readBody } from './api.ts';

/**
 * Who is asking, and the share token they sent: the header, else `tokenFromQuery` (`?share=`, for
 * <img>, which cannot send headers).
 */
export function assetRequester(event: RequestEvent, tokenFromQuery?: string | null): { actor: Actor; shareToken?: string } {
	if (event.locals.bearerProblem) throw event.locals.bearerProblem;
	const fromHeader = event.request.headers.get(SHARE_TOKEN_HEADER)?.trim();
	const shareToken = (fromHeader || tokenFromQuery?.trim())?.slice(0, 200) || undefined;
	return { actor: event.locals.actor, shareToken };
}

const FORM_ADVICE = 'Send the image as multipart/form-data with one field named file.';

/**
 * The file of a `multipart/form-data` body with a field `file`: INVALID_INPUT for anything else,
 * `tooLarge()` as soon as the body passes `limitBytes` (file plus multipart envelope).
 */
export async function readUploadedFile(request: Request, limitBytes: number, tooLarge: () => AppError): Promise<{ bytes: Uint8Array; fileName?: string }> {
	return fileOf(await readMultipartForm(request, limitBytes, tooLarge, FORM_ADVICE), FORM_ADVICE);
}

/**
 * A `multipart/form-data` body, read only up to `limitBytes` (`tooLarge()` past it, the rest drained
 * so the client hears why); INVALID_INPUT with `advice` for any other body.
 */
export async function readMultipartForm(request: Request, limitBytes: number, tooLarge: () => AppError, advice: string): Promise<FormData> {
	const contentType = request.headers.get('content-type') ?? '';
	if (!/^multipart\/form-data\s*;/i.test(contentType)) throw new AppError('INVALID_INPUT', advice);
	const body = await readBody(request, limitBytes, tooLarge, { drain: true });
	try {
		return await new Response(body, { headers: { 'content-type': contentType } }).formData();
	} catch {
		throw new AppError('INVALID_INPUT', `The multipart body could not be read. ${advice}`);
	}
}

/** The one file in the form's field `file`; INVALID_INPUT with `advice` when there is none or more than one. */
export async function fileOf(form: FormData, advice: string): Promise<{ bytes: Uint8Array; fileName?: string }> {
	const files = form.getAll('file');
	if (files.length !== 1 || typeof files[0] === 'string') throw new AppError('INVALID_INPUT', advice, { field: 'file' });
	const file = files[0];
	return { bytes: new Uint8Array(await file.arrayBuffer()), fileName: file.name || undefined };
}

/** A text field of the form: undefined when absent, INVALID_INPUT when it is a file or given twice. */
export function textField(form: FormData, name: string): string | undefined {
	const values = form.getAll(name);
	if (values.length === 0) return undefined;
	if (values.length > 1 || typeof values[0] !== 'string') throw new AppError('INVALID_INPUT', `${name} must be one text field.`, { field: name });
	return values[0];
}
