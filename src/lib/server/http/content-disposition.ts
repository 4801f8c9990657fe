// Content-Disposition for files Easel serves under a name people gave them (RFC 6266): an ASCII
// `filename` every client reads safely, and the exact name in `filename*` (RFC 8187).

/** `kind; filename="<ascii stem>.<extension>"; filename*=UTF-8''<exact>`; a stem with nothing usable left becomes `fallback`. */
export function contentDisposition(kind: 'inline' | 'attachment', stem: string, extension: string, fallback: string): string {
	const exactStem = stem.trim() || fallback;
	const ascii =
		exactStem
			.normalize('NFKD')
			.replace(/[^\x20-\x7e]/g, '')
			.replace(/["\\/;%*?<>|:]/g, '_')
			.trim() || fallback;
	const exact = encodeURIComponent(`${exactStem}.${extension}`).replace(/['()*]/g, (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`);
	return `${kind}; filename="${ascii}.${extension}"; filename*=UTF-8''${exact}`;
}

/** An attachment named `fileName` as it is ("Orders.pdf"): its last extension kept as the extension. */
export function attachmentNamed(fileName: string, fallback = 'download'): string {
	const dot = fileName.lastIndexOf('.');
	return dot > 0
		? contentDisposition('attachment', fileName.slice(0, dot), fileName.slice(dot + 1), fallback)
		: contentDisposition('attachment', fileName, 'bin', fallback);
}
