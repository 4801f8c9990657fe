// Text from outside: NUL and unpaired surrogates are refused, everything else (emoji included) kept.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { isStorableText, storableText } from '../../src/lib/server/text.ts';

describe('isStorableText', () => {
	it.each(['', 'plain', 'Ünïcødé', '日本語', '👩🏽‍💻 emoji pairs', 'tab\tand\nnewline'])('accepts %j', (value) => {
		expect(isStorableText(value)).toBe(true);
	});
	it.each(['\u0000', 'a\u0000b', '\uD800', 'x\uDC00y', 'end\uD83D', '\uDE00\uD83D'])('refuses %j', (value) => {
		expect(isStorableText(value)).toBe(false);
	});
	it('combines with other string rules and names the field', () => {
		const name = storableText(z.string().trim().min(1), 'Name');
		expect(name.parse('  ok  ')).toBe('ok');
		expect(name.safeParse('a\u0000').error?.issues[0].message).toBe('Name must not contain NUL characters or unpaired surrogates.');
		expect(name.safeParse(' ').success).toBe(false);
	});
});
