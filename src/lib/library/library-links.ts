// The team library's addresses and excerpts, for the page (universal, pure): which filters go in
// the address, and a search excerpt cut into plain and matched pieces to render as text.

export interface LibraryAddress {
	q: string;
	/** '' for the default sort of the view (best match while searching, last edited otherwise). */
	sort: string;
	/** A folder id, or '' for all canvases. */
	folder: string;
}

/** `/teams/<id>` with the filters that differ from the defaults, so plain views keep plain addresses. */
export function libraryHref(teamId: string, address: LibraryAddress): string {
	const q = address.q.trim();
	const defaultSort = q ? 'relevance' : 'edited';
	const params = new URLSearchParams();
	if (q) params.set('q', q);
	if (address.sort && address.sort !== defaultSort && !(address.sort === 'relevance' && !q)) params.set('sort', address.sort);
	if (address.folder) params.set('folder', address.folder);
	const query = params.toString();
	return query ? `/teams/${teamId}?${query}` : `/teams/${teamId}`;
}

export interface ExcerptPiece {
	text: string;
	matched: boolean;
}

/** An excerpt's text in pieces, matched words marked; ranges that overlap or fall outside the text are ignored. */
export function excerptPieces(excerpt: { text: string; highlights: { start: number; end: number }[] }): ExcerptPiece[] {
	const pieces: ExcerptPiece[] = [];
	let at = 0;
	for (const { start, end } of [...excerpt.highlights].sort((a, b) => a.start - b.start)) {
		if (start < at || end <= start || end > excerpt.text.length) continue;
		if (start > at) pieces.push({ text: excerpt.text.slice(at, start), matched: false });
		pieces.push({ text: excerpt.text.slice(start, end), matched: true });
		at = end;
	}
	if (at < excerpt.text.length) pieces.push({ text: excerpt.text.slice(at), matched: false });
	return pieces;
}
