// Document names: built and parsed in one place, every kind, nothing else accepted.
import { describe, expect, it } from 'vitest';
import { DOCUMENT_KINDS, DOCUMENT_NAME_PATTERN, documentName, documentNamePrefix, documentNamesOf, parseDocumentName } from '../../src/lib/document-names.ts';

const id = '0f8b6a2e-3c4d-4e5f-8a9b-0c1d2e3f4a5b';

describe('document names', () => {
	it('are `<kind>:<canvas id>` and parse back to the same kind and id', () => {
		expect(documentName('canvas', id)).toBe(`canvas:${id}`);
		expect(documentName('chat', id)).toBe(`chat:${id}`);
		for (const kind of DOCUMENT_KINDS) {
			expect(documentName(kind, id).startsWith(documentNamePrefix(kind))).toBe(true);
			expect(parseDocumentName(documentName(kind, id))).toEqual({ kind, canvasId: id });
		}
	});

	it('of one canvas cover every kind, once each', () => {
		const names = documentNamesOf(id);
		expect(names).toEqual([`canvas:${id}`, `chat:${id}`]);
		expect(names.map((name) => parseDocumentName(name)?.kind)).toEqual([...DOCUMENT_KINDS]);
	});

	it('refuse anything but a known kind and a lowercase uuid', () => {
		const bad = [
			'',
			'canvas:',
			`canvas${id}`,
			`canvas::${id}`,
			`asset:${id}`,
			`Canvas:${id}`,
			`canvas:${id.toUpperCase()}`,
			`canvas:${id}x`,
			` canvas:${id}`,
			`canvas:${id}\n`,
			`canvas:../${id}`,
			`canvas:${id}:chat`,
			'canvas:not-a-uuid',
			`chat:canvas:${id}`
		];
		for (const name of bad) expect(parseDocumentName(name), name).toBeNull();
	});

	it('share one pattern with SQL, anchored at both ends', () => {
		expect(DOCUMENT_NAME_PATTERN.startsWith('^')).toBe(true);
		expect(DOCUMENT_NAME_PATTERN.endsWith('$')).toBe(true);
		expect(new RegExp(DOCUMENT_NAME_PATTERN).test(`chat:${id}`)).toBe(true);
	});
});
