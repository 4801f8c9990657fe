// The one display-name rule, as a table, and every field that is a display name uses it.
import { describe, expect, it } from 'vitest';
import { displayNameForOutput, displayNameSchema, forbiddenCharacter } from '../../src/lib/server/display-names.ts';
import { signUpSchema } from '../../src/lib/server/accounts.ts';
import { teamNameSchema } from '../../src/lib/server/teams.ts';
import { titleSchema } from '../../src/lib/server/canvases.ts';
import { versionLabelSchema } from '../../src/lib/server/history.ts';
import { guestIdentity } from '../../src/lib/guest-identity.ts';

const rule = displayNameSchema({ label: 'Name', maxLength: 20 });

// [what, input, stored value or null when refused]
const TABLE: [string, string, string | null][] = [
	['plain', 'Ada Lovelace', 'Ada Lovelace'],
	['trimmed', '  Ada  ', 'Ada'],
	['accents, normalised to NFC', 'Jose\u0301', 'José'],
	['CJK', '设计团队', '设计团队'],
	['Arabic', 'فريق التصميم', 'فريق التصميم'],
	['Persian with ZWNJ between letters', 'می\u200cخواهم', 'می\u200cخواهم'],
	['emoji ZWJ sequence', 'Dev 👩\u200d💻', 'Dev 👩\u200d💻'],
	['emoji with skin tone and ZWJ', '👨🏽\u200d🚀 crew', '👨🏽\u200d🚀 crew'],
	['symbols and punctuation', 'R&D <core> "A"', 'R&D <core> "A"'],
	['exactly the maximum', 'x'.repeat(20), 'x'.repeat(20)],
	['empty', '', null],
	['blank', '   \t ', null],
	['too long', 'x'.repeat(21), null],
	['CR LF', 'Ada\r\nBcc: evil', null],
	['line feed', 'Ada\nLovelace', null],
	['tab inside', 'Ada\tLovelace', null],
	['NUL', 'Ada\u0000', null],
	['DEL', 'Ada\u007f', null],
	['C1 control', 'Ada\u0085', null],
	['right-to-left override', 'invoice\u202Efdp.exe', null],
	['left-to-right isolate', '\u2066Ada\u2069', null],
	['zero-width space', 'ad\u200bmin', null],
	['zero-width non-joiner in Latin', 'ad\u200cmin', null],
	['zero-width joiner alone', '\u200d', null],
	['word joiner', 'Ada\u2060', null],
	['byte-order mark inside', 'A\ufeffda', null],
	['soft hyphen', 'Ad\u00ada', null],
	['line separator', 'Ada\u2028Lovelace', null],
	['paragraph separator', 'Ada\u2029Lovelace', null],
	['private use', 'Ada\ue000', null],
	['Hangul filler (looks blank)', '\u3164', null],
	['lone surrogate', 'Ada\ud800', null]
];

describe('display names', () => {
	for (const [what, input, expected] of TABLE) {
		it(`${expected === null ? 'refuses' : 'accepts'} ${what}`, () => {
			const parsed = rule.safeParse(input);
			if (expected === null) expect(parsed.success).toBe(false);
			else expect(parsed).toMatchObject({ success: true, data: expected });
		});
	}

	it('names the field and the problem', () => {
		const parsed = rule.safeParse('Ada\u202E');
		expect(parsed.error?.issues[0].message).toBe(
			'Name must not contain control, formatting or invisible characters (line breaks, direction overrides, zero-width spaces).'
		);
		expect(rule.safeParse('').error?.issues[0].message).toBe('Name must not be empty.');
		expect(rule.safeParse(42).error?.issues[0].message).toBe('Name must be text.');
	});

	it('every display name in the product follows the same rule', () => {
		const schemas = {
			'user name': (value: string) => signUpSchema.shape.name.safeParse(value),
			'team name': (value: string) => teamNameSchema.safeParse(value),
			'canvas title': (value: string) => titleSchema(200).safeParse(value),
			'version label': (value: string) => versionLabelSchema.safeParse(value)
		};
		for (const [field, parse] of Object.entries(schemas)) {
			for (const [what, input, expected] of TABLE) {
				if (what === 'too long' || what === 'exactly the maximum' || what === 'empty' || what === 'blank') continue;
				const parsed = parse(input);
				expect({ field, what, ok: parsed.success }).toEqual({ field, what, ok: expected !== null });
				if (expected !== null) expect(parsed.data).toBe(expected);
			}
		}
	});

	it('guest names (made by the server, never typed) pass the rule too', () => {
		for (const seed of ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']) expect(rule.safeParse(guestIdentity(seed).name).success).toBe(true);
	});

	it('forbiddenCharacter points at the offending character', () => {
		expect(forbiddenCharacter('ok')).toBeNull();
		expect(forbiddenCharacter('a\u202Eb')).toBe('\u202E');
	});

	it('makes stored names safe for output: drops forbidden characters, collapses space, shortens', () => {
		expect(displayNameForOutput('Join\r\nURGENT\u202E  now', 80)).toBe('Join URGENT now');
		expect(displayNameForOutput('a'.repeat(50), 10)).toBe(`${'a'.repeat(9)}…`);
		expect(displayNameForOutput('Dev 👩\u200d💻', 80)).toBe('Dev 👩\u200d💻');
	});
});
