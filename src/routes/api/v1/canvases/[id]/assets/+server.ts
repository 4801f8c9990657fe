import * as assets from '$lib/server/assets/assets';
import { fileTooLarge, MULTIPART_OVERHEAD_BYTES } from '$lib/server/assets/upload-limits';
import { api } from '$lib/server/http/api';
import { assetRequester, readUploadedFile } from '$lib/server/http/uploads';
import type { RequestHandler } from './$types';

/**
 * Uploads an image (multipart/form-data, field `file`) for the canvas → 201 `{ asset }`. Who may
 * (editors, edit links) and how large is asked before the body is read.
 */
export const POST: RequestHandler = api(async (event) => {
	const { actor, shareToken } = assetRequester(event);
	const { fileBytes, plan } = await assets.uploadLimit(event.locals.db, actor, event.params.id, { shareToken });
	const file = await readUploadedFile(event.request, fileBytes + MULTIPART_OVERHEAD_BYTES, () => fileTooLarge(plan));
	const asset = await assets.uploadAsset(event.locals.services, actor, event.params.id, file, { shareToken });
	return Response.json({ asset }, { status: 201 });
});
