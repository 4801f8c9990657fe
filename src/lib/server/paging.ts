// Paging of newest-first lists (`?limit=` and `?before=<id>`): whole numbers within range, or
// INVALID_INPUT; the same rule for API query strings, pages and direct callers.
import { z } from 'zod';
import { parseInput } from './errors.ts';

export const MAX_PAGE_SIZE = 200;

const wholeNumber = (name: string, min: number, max: number) =>
	z.coerce
		.number({ error: `${name} must be a number.` })
		.int({ error: `${name} must be a whole number.` })
		.min(min, { error: `${name} must be at least ${min}.` })
		.max(max, { error: `${name} must be at most ${max}.` });

/** Accepts numbers or their decimal text (query strings). */
export const pageSchema = z.object({
	limit: wholeNumber('limit', 1, MAX_PAGE_SIZE).default(50),
	/** An id (bigint identity); ids past Number.MAX_SAFE_INTEGER cannot be told apart as JS numbers. */
	before: wholeNumber('before', 1, Number.MAX_SAFE_INTEGER).optional()
});

export type Page = z.infer<typeof pageSchema>;

export function parsePage(page: { limit?: number | string; before?: number | string } = {}): Page {
	return parseInput(pageSchema, page);
}
