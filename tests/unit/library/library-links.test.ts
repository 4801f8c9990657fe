import { describe, expect, it } from 'vitest';
import { excerptPieces, libraryHref } from '../../../src/lib/library/library-links.ts';

describe('libraryHref', () => {
	const team = 'team-1';
	it('keeps a plain view plain and puts only what differs from the defaults in the address', () => {
		expect(libraryHref(team, { q: '', sort: '', folder: '' })).toBe('/teams/team-1');
		expect(libraryHref(team, { q: '', sort: 'edited', folder: '' })).toBe('/teams/team-1');
		expect(libraryHref(team, { q: '  redis cache ', sort: '', folder: '' })).toBe('/teams/team-1?q=redis+cache');
		expect(libraryHref(team, { q: 'redis', sort: 'relevance', folder: '' })).toBe('/teams/team-1?q=redis');
		expect(libraryHref(team, { q: 'redis', sort: 'edited', folder: 'f1' })).toBe('/teams/team-1?q=redis&sort=edited&folder=f1');
		expect(libraryHref(team, { q: '', sort: 'title', folder: '' })).toBe('/teams/team-1?sort=title');
		// Best match means nothing without a search.
		expect(libraryHref(team, { q: '', sort: 'relevance', folder: '' })).toBe('/teams/team-1');
	});
	it('encodes what was typed', () => {
		expect(libraryHref(team, { q: 'a&b=c "d"', sort: '', folder: '' })).toBe('/teams/team-1?q=a%26b%3Dc+%22d%22');
	});
});

describe('excerptPieces', () => {
	it('cuts an excerpt into plain and matched pieces', () => {
		expect(excerptPieces({ text: 'put a redis cache in front', highlights: [{ start: 6, end: 11 }] })).toEqual([
			{ text: 'put a ', matched: false },
			{ text: 'redis', matched: true },
			{ text: ' cache in front', matched: false }
		]);
		expect(excerptPieces({ text: 'redis', highlights: [{ start: 0, end: 5 }] })).toEqual([{ text: 'redis', matched: true }]);
	});
	it('ignores ranges that overlap, are empty or fall outside the text', () => {
		expect(
			excerptPieces({
				text: 'abcdef',
				highlights: [
					{ start: 4, end: 9 },
					{ start: 1, end: 3 },
					{ start: 2, end: 4 },
					{ start: 5, end: 5 }
				]
			})
		).toEqual([
			{ text: 'a', matched: false },
			{ text: 'bc', matched: true },
			{ text: 'def', matched: false }
		]);
	});
});
