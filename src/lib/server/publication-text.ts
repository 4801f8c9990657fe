// What a publication says about itself: the validated title, description and tags a team gives it,
// its slug, and the plain text of the frozen canvas (for full-text search in the gallery).
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { displayNameSchema, forbiddenCharacter } from './display-names.ts';
import { plainTextOf } from '../diagram/rich-text.ts';

export const PUBLICATION_TITLE_MAX = 120;
export const PUBLICATION_DESCRIPTION_MAX = 2000;
export const PUBLICATION_TAGS_MAX = 10;
export const PUBLICATION_TAG_MAX = 32;
/** The most canvas text kept for search (a tsvector holds at most 1 MB). */
export const CANVAS_TEXT_MAX = 100_000;

const TAG = /^[\p{L}\p{N}-]+$/u;

const tagSchema = z
	.string({ error: 'Each tag must be text.' })
	.trim()
	.transform((tag) => tag.normalize('NFC').toLowerCase())
	.pipe(
		z
			.string()
			.min(1, { error: 'A tag must not be empty.' })
			.max(PUBLICATION_TAG_MAX, { error: `A tag is at most ${PUBLICATION_TAG_MAX} characters.` })
			.regex(TAG, { error: 'Tags are letters, digits and dashes only (no spaces).' })
	);

/** `{ title?, description?, tags? }` as publishing takes it; a blank title means the canvas's own title. */
export const publishInputSchema = z
	.object({
		title: z
			.string({ error: 'Title must be text.' })
			.trim()
			.optional()
			.transform((title) => title || undefined)
			.pipe(
				displayNameSchema({ label: 'Title', maxLength: PUBLICATION_TITLE_MAX, tooLongMessage: `A title is at most ${PUBLICATION_TITLE_MAX} characters.` }).optional()
			),
		description: z
			.string({ error: 'Description must be text.' })
			.transform((text) => text.replace(/\r\n?/g, '\n').normalize('NFC').trim())
			.pipe(
				z
					.string()
					.max(PUBLICATION_DESCRIPTION_MAX, { error: `A description is at most ${PUBLICATION_DESCRIPTION_MAX} characters.` })
					.refine((text) => text.split('\n').every((line) => forbiddenCharacter(line.replace(/\t/g, ' ')) === null), {
						error: 'The description must not contain control, formatting or invisible characters (direction overrides, zero-width spaces).'
					})
			)
			.optional(),
		tags: z
			.array(tagSchema, { error: 'Tags must be a list of words.' })
			.transform((tags) => [...new Set(tags)])
			.pipe(z.array(z.string()).max(PUBLICATION_TAGS_MAX, { error: `At most ${PUBLICATION_TAGS_MAX} tags.` }))
			.optional()
	})
	.strict();

export type PublishInput = z.input<typeof publishInputSchema>;

/** Tags as a person types them in one field ("infra, redis cache" → ['infra', 'redis', 'cache']). */
export function splitTags(text: string): string[] {
	return text
		.split(/[\s,#]+/)
		.map((tag) => tag.trim())
		.filter(Boolean);
}

/** A URL-safe slug from a title plus a short random suffix, so two canvases with one title don't collide: `redis-cache-k3x9q2`. */
export function slugFor(title: string): string {
	const words = title
		.normalize('NFKD')
		.replace(/\p{M}/gu, '')
		.toLowerCase()
		.replace(/[^a-z0-9]+/g, '-')
		.replace(/^-+|-+$/g, '')
		.slice(0, 60)
		.replace(/-+$/, '');
	return `${words || 'canvas'}-${randomSuffix()}`;
}

function randomSuffix(): string {
	const alphabet = 'abcdefghijkmnpqrstuvwxyz23456789';
	return Array.from(randomBytes(6), (byte) => alphabet[byte % alphabet.length]).join('');
}

/** The text of a canvas's shapes (labels, notes, text, frame names), one shape a line, for search. */
export function canvasText(records: Record<string, unknown>): string {
	const lines: string[] = [];
	let length = 0;
	for (const record of Object.values(records)) {
		if (!record || typeof record !== 'object' || (record as { typeName?: unknown }).typeName !== 'shape') continue;
		const props = (record as { props?: Record<string, unknown> }).props ?? {};
		const parts = [props.richText ? plainTextOf(props.richText) : '', typeof props.text === 'string' ? props.text : '', typeof props.name === 'string' ? props.name : '']
			.map((part) => part.trim())
			.filter(Boolean);
		for (const part of parts) {
			lines.push(part);
			length += part.length + 1;
		}
		if (length >= CANVAS_TEXT_MAX) break;
	}
	return lines.join('\n').slice(0, CANVAS_TEXT_MAX);
}
