// POST { markdown }: the PDF of a finished design document as edited in the panel (free), with its diagram.
import type { RequestHandler } from './$types';
import { editedDesignDocPdf, editedDesignDocRequestSchema } from '$lib/server/ai/design-doc.ts';
import { api, readJson, uuidParam } from '$lib/server/http/api.ts';
import { requesterOf } from '$lib/server/http/assistant-requests.ts';
import { attachmentNamed } from '$lib/server/http/content-disposition.ts';
import { runtime } from '$lib/server/runtime.ts';

export const POST: RequestHandler = api(async (event) => {
	const { markdown } = await readJson(event, editedDesignDocRequestSchema);
	const { db, blobs } = runtime();
	const pdf = await editedDesignDocPdf({ db, blobs }, requesterOf(event), uuidParam(event, 'id'), uuidParam(event, 'runId'), markdown);
	return new Response(pdf.bytes as Uint8Array<ArrayBuffer>, {
		headers: {
			'content-type': 'application/pdf',
			'content-length': String(pdf.bytes.byteLength),
			'content-disposition': attachmentNamed(pdf.name),
			'cache-control': 'private, no-store',
			'x-content-type-options': 'nosniff'
		}
	});
});
