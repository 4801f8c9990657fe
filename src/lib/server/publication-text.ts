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

/**
 * The text of a canvas's shapes, one piece a line, for search: labels, notes, text and arrow labels
 * (rich text), frame names, pictures' alt text, and message cards' text, tool calls and results.
 */
export function canvasText(records: Record<string, unknown>): string {
	const lines: string[] = [];
	let length = 0;
	for (const record of Object.values(records)) {
		if (!record || typeof record !== 'object' || (record as { typeName?: unknown }).typeName !== 'shape') continue;
		for (const part of shapeTexts((record as { props?: Record<string, unknown> }).props ?? {})) {
			const line = part.trim();
			if (!line) continue;
			lines.push(line);
			length += line.length + 1;
		}
		if (length >= CANVAS_TEXT_MAX) break;
	}
	return lines.join('\n').slice(0, CANVAS_TEXT_MAX);
}

/** The pieces of text one shape's props hold (records come from clients: anything may be missing or of another type). */
function shapeTexts(props: Record<string, unknown>): string[] {
	const texts = [props.richText ? plainTextOf(props.richText) : '', textOf(props.text), textOf(props.name), textOf(props.altText)];
	// A message card's tool calls (name, arguments, result) and the tool results it carries.
	if (Array.isArray(props.toolCalls)) {
		for (const call of props.toolCalls as Record<string, unknown>[]) texts.push(textOf(call?.name), textOf(call?.arguments), textOf(call?.result));
	}
	if (Array.isArray(props.toolResults)) {
		for (const result of props.toolResults as Record<string, unknown>[]) texts.push(textOf(result?.content));
	}
	return texts;
}

function textOf(value: unknown): string {
	return typeof value === 'string' ? value : '';
}
