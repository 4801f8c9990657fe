// safeNextPath: after sign-in only paths on our own origin are followed, whatever the encoding trick.
import { describe, expect, it } from 'vitest';
import { safeNextPath } from '../../src/lib/next-path.ts';

const LEAVES_OR_BREAKS: [string, string][] = [
	['tab between slashes', '/\t/evil.example'],
	['tab before the slashes', '\t//evil.example'],
	['newline between slashes', '/\n/evil.example'],
	['carriage return between slashes', '/\r/evil.example'],
	['CRLF between slashes', '/\r\n/evil.example'],
	['protocol-relative', '//evil.example'],
	['backslash after slash', '/\\evil.example'],
	['two backslashes', '\\\\evil.example'],
	['slash, tab, backslash', '/\t\\evil.example'],
	['dot segment collapsing to //', '/.//evil.example'],
	['encoded-dot segment collapsing to //', '/%2e//evil.example'],
	['triple slash', '///evil.example'],
	['absolute https', 'https://evil.example'],
	['absolute with user-info', 'https://ours@evil.example'],
	['scheme-relative with user-info', '//ours@evil.example/'],
	['javascript:', 'javascript:alert(1)'],
	['javascript: behind a tab', '\tjavascript:alert(1)'],
	['data:', 'data:text/html,<script>alert(1)</script>'],
	['ideographic full stop host', '。evil.example'],
	['full-width solidus', '／／evil.example'],
	['newline alone', '\n'],
	['carriage return alone', '\r'],
	['empty', ''],
	['very long', `/${'a'.repeat(10_000)}`]
];

describe('safeNextPath', () => {
	it.each(LEAVES_OR_BREAKS)('falls back for %s', (_name, next) => {
		expect(safeNextPath(next)).toBe('/');
		expect(safeNextPath(next, '/teams')).toBe('/teams');
	});

	it.each([
		['a plain path', '/teams/abc', '/teams/abc'],
		['a path with search and hash', '/c/1?x=1#y', '/c/1?x=1#y'],
		['encoded slashes stay a path', '/%2F%2Fevil.example', '/%2F%2Fevil.example'],
		['encoded backslashes stay a path', '/%5C%5Cevil.example', '/%5C%5Cevil.example'],
		['user-info lookalike is a path', '/@evil.example', '/@evil.example'],
		['a tab inside a path is dropped', '/te\tams', '/teams'],
		['a newline inside a path is dropped', '/te\nams', '/teams'],
		['dot segments are resolved', '/a/../../teams', '/teams'],
		['ideographic full stop is encoded', '/。evil', '/%E3%80%82evil'],
		['full-width solidus is encoded', '/／evil', '/%EF%BC%8Fevil'],
		['a NUL is encoded', '/a\u0000b', '/a%00b']
	])('keeps %s on our origin', (_name, next, expected) => {
		expect(safeNextPath(next)).toBe(expected);
	});

	it('never throws and always answers header-safe ASCII', () => {
		for (const next of [...LEAVES_OR_BREAKS.map(([, value]) => value), '/\uD800', '/\uDFFF?\uD800#\uD800', '/%', '/%E3%80%', '/\u2028\u2029']) {
			const path = safeNextPath(next);
			expect(path.startsWith('/') && !path.startsWith('//')).toBe(true);
			expect(path).toMatch(/^[\x21-\x7e]+$/);
		}
	});
});
