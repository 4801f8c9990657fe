// PostgreSQL full-text search as people type it, shared by the gallery and the team library: the
// 'simple' configuration (no stemming, any language, the same on PGlite) and a web-search query
// whose last word also matches as a prefix.
import { sql, type SQL, type SQLWrapper } from 'drizzle-orm';

/**
 * The text-search query for what someone typed: web-search syntax ("quoted phrases", -not, or),
 * and the last word also matches as a prefix while it is being typed (`canv` finds "canvas").
 */
export function searchQuery(q: string): SQL {
	const words = q.split(/\s+/);
	const last = words.at(-1) ?? '';
	const before = words.slice(0, -1);
	const inPhrase = (before.join(' ').match(/"/g)?.length ?? 0) % 2 === 1;
	const prefixable = /^[\p{L}\p{N}]+$/u.test(last) && last.toLowerCase() !== 'or' && before.at(-1)?.toLowerCase() !== 'or' && !inPhrase;
	if (!prefixable) return sql`websearch_to_tsquery('simple', ${q})`;
	return sql`(websearch_to_tsquery('simple', ${before.join(' ')}) && to_tsquery('simple', ${`${last}:*`}))`;
}

/** Where ts_headline marks a match: private-use characters, which never reach the page as markup. */
const MATCH_START = '\uE000';
const MATCH_END = '\uE001';

/** An excerpt of a document around what matched, with the matched words as ranges (UTF-16 offsets) of its plain text. */
export interface MatchExcerpt {
	text: string;
	highlights: { start: number; end: number }[];
}

/**
 * A short excerpt of `document` around the words `query` matched, marked for `parseExcerpt`.
 * Fragments are cut at word boundaries by PostgreSQL (ts_headline), never as HTML.
 */
export function excerptOf(document: SQLWrapper, query: SQL): SQL<string> {
	const options = `StartSel=${MATCH_START}, StopSel=${MATCH_END}, MaxWords=18, MinWords=6, ShortWord=2, MaxFragments=2, FragmentDelimiter=" … "`;
	return sql<string>`ts_headline('simple', ${document}, ${query}, ${options})`;
}

/** The plain text and highlight ranges of an excerpt `excerptOf` made; null when nothing in it matched (a title-only match). */
export function parseExcerpt(marked: string | null | undefined): MatchExcerpt | null {
	if (!marked) return null;
	let text = '';
	const highlights: MatchExcerpt['highlights'] = [];
	let start: number | null = null;
	for (const character of marked) {
		if (character === MATCH_START) start = text.length;
		else if (character === MATCH_END) {
			if (start !== null && text.length > start) highlights.push({ start, end: text.length });
			start = null;
		} else text += character === '\n' ? ' ' : character;
	}
	if (highlights.length === 0) return null;
	return { text: text.replace(/\s+$/, ''), highlights };
}

/** Text as it is stored for search: without the characters excerpts use as match markers. */
export function searchableText(text: string): string {
	return text.replace(/[\uE000\uE001]/g, '');
}
