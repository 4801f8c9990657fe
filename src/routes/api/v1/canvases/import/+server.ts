import { AppError } from '$lib/server/errors';
import { api, caller } from '$lib/server/http/api';
import { canvasJson } from '$lib/server/http/canvas-json';
import { fileOf, readMultipartForm, textField } from '$lib/server/http/uploads';
import { runtime } from '$lib/server/runtime';
import * as teams from '$lib/server/teams';
import * as tldrawFiles from '$lib/server/tldraw-files';
import { formatBytes } from '$lib/format-bytes';
import type { RequestHandler } from './$types';

const FORM_ADVICE = 'Send the .tldr file as multipart/form-data in a field named file (optional fields: teamId, title).';

/** Imports a .tldr file (multipart/form-data: file, optional teamId and title) as a new canvas → 201, as POST /api/v1/canvases answers. */
export const POST: RequestHandler = api(async (event) => {
	const { actor, context } = caller(event);
	const { config } = runtime();
	const limit = tldrawFiles.largestImportRequestBytes(config.MAX_DOCUMENT_BYTES);
	const form = await readMultipartForm(
		event.request,
		limit,
		() => new AppError('PAYLOAD_TOO_LARGE', `A .tldr file to import may be at most ${formatBytes(limit)}.`, { limit: 'importBytes', allowed: limit }),
		FORM_ADVICE
	);
	const file = await fileOf(form, FORM_ADVICE);
	const teamId = textField(form, 'teamId')?.trim() || (await teams.defaultTeamId(event.locals.db, actor));
	const canvas = await tldrawFiles.importTldrawFile(
		event.locals.services,
		actor,
		{ teamId, title: textField(form, 'title'), bytes: file.bytes, fileName: file.fileName },
		{
			maxDocumentBytes: config.MAX_DOCUMENT_BYTES,
			maxRecordBytes: config.MAX_RECORD_BYTES,
			maxRecords: config.MAX_RECORDS_PER_CANVAS,
			maxTitleLength: config.MAX_TITLE_LENGTH
		},
		context
	);
	return Response.json(canvasJson(canvas), { status: 201 });
});
