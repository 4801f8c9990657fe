// The .tldr file as tldraw 5 writes it (`serializeTldrawJson`: `{ tldrawFileFormatVersion, schema,
// records }`), for the server's import and export and the browser alike: its name, its format
// version, and what a refused file is told.

export const TLDRAW_FILE_EXTENSION = '.tldr';

/** The file format tldraw 5.4 writes and reads (its LATEST_TLDRAW_FILE_FORMAT_VERSION). */
export const TLDRAW_FILE_FORMAT_VERSION = 1;

export const NOT_A_TLDRAW_FILE = 'This is not a tldraw file (.tldr).';

/** The title a canvas imported without one gets when its file name gives none either. */
export const IMPORTED_CANVAS_TITLE = 'Imported canvas';

/** The refusal of a file from a newer tldraw; `what` names what this Easel does not know. */
export function madeWithNewerTldraw(what: string): string {
	return `This file was made with a newer version of tldraw than this Easel knows (${what}). Ask your administrator to update Easel, or save the file again from the tldraw version Easel uses.`;
}

/** A canvas title from a file name: without folders and the .tldr extension; null when nothing is left. */
export function titleFromFileName(fileName: string | null | undefined): string | null {
	if (!fileName) return null;
	const base = fileName.split(/[/\\]/).pop() ?? '';
	const stem = base.replace(/\.tldr$/i, '').trim();
	return stem || null;
}
