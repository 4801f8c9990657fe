// The one rule for names people give things and show to others: user names, team names, canvas
// titles, version labels, guest names. They land in page titles, member lists, mail subjects and
// audit rows, so they must be one visible line: no control, format (bidi overrides, zero-width),
// line-separator, private-use or invisible filler characters.
import { z } from 'zod';

// Cc (controls, \r\n\t), Cf (format: U+202E, U+200B, U+FEFF, U+2066…), Zl/Zp (U+2028/9), Co (private
// use), Cs (lone surrogates), and the Hangul and braille fillers, which render as blanks.
const FORBIDDEN = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Co}\p{Cs}\u115f\u1160\u3164\uffa0\u2800]/u;
const JOINERS = new Set(['\u200c', '\u200d']);
// Pictographs, skin tones and VS16 (listed first: after a skin tone it would read as one combined character).
const PICTOGRAPH = /[\ufe0f\p{Extended_Pictographic}\u{1f3fb}-\u{1f3ff}]/u;
// Scripts that shape with ZWNJ/ZWJ (Persian, Indic, …). Latin, Greek and Cyrillic never need them,
// so there they could only hide a difference ("ad\u200cmin").
const JOINING_LETTER = /[\p{L}\p{M}]/u;
const NEVER_JOINED = /[\p{Script=Latin}\p{Script=Greek}\p{Script=Cyrillic}\p{Script=Common}]/u;

function joinerAllowed(before: string | undefined, after: string | undefined): boolean {
	if (!before || !after) return false;
	if (PICTOGRAPH.test(before) && PICTOGRAPH.test(after)) return true; // emoji sequences: 👩‍💻
	return JOINING_LETTER.test(before) && JOINING_LETTER.test(after) && !NEVER_JOINED.test(before) && !NEVER_JOINED.test(after);
}

/** The first character a display name may not contain, or null when it has none. */
export function forbiddenCharacter(value: string): string | null {
	const characters = Array.from(value);
	for (let index = 0; index < characters.length; index++) {
		const character = characters[index];
		if (!FORBIDDEN.test(character)) continue;
		if (JOINERS.has(character) && joinerAllowed(characters[index - 1], characters[index + 1])) continue;
		return character;
	}
	return null;
}

export interface DisplayNameRule {
	/** What the field is called in messages: "Name", "Team name", "Title". */
	label: string;
	maxLength: number;
	/** Message for an empty or blank value (default "<label> must not be empty."). */
	emptyMessage?: string;
	tooLongMessage?: string;
}

/**
 * Validates and normalises a display name: trimmed, NFC, one visible line, 1–maxLength characters.
 * The result is what gets stored.
 */
export function displayNameSchema(rule: DisplayNameRule) {
	return z
		.string({ error: `${rule.label} must be text.` })
		.trim()
		.transform((value) => value.normalize('NFC'))
		.pipe(
			z
				.string()
				.min(1, { error: rule.emptyMessage ?? `${rule.label} must not be empty.` })
				.max(rule.maxLength, { error: rule.tooLongMessage ?? `${rule.label} must be at most ${rule.maxLength} characters.` })
				.refine((value) => forbiddenCharacter(value) === null, {
					error: `${rule.label} must not contain control, formatting or invisible characters (line breaks, direction overrides, zero-width spaces).`
				})
		);
}

/**
 * A stored name made safe to show where it cannot be refused any more (mail subjects, logs): forbidden
 * characters dropped, whitespace runs collapsed, cut to `maxLength` with an ellipsis.
 */
export function displayNameForOutput(value: string, maxLength: number): string {
	const visible = Array.from(value.normalize('NFC').replace(/\s+/g, ' '))
		.filter((character, index, all) => !FORBIDDEN.test(character) || (JOINERS.has(character) && joinerAllowed(all[index - 1], all[index + 1])))
		.join('')
		.replace(/\s+/g, ' ')
		.trim();
	const characters = Array.from(visible);
	return characters.length <= maxLength
		? visible
		: `${characters
				.slice(0, maxLength - 1)
				.join('')
				.trimEnd()}…`;
}
