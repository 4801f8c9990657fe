// Text from outside (forms, JSON bodies, URLs): refuses what PostgreSQL cannot store faithfully —
// NUL (text columns reject it) and unpaired UTF-16 surrogates (jsonb rejects their escapes; text
// columns would silently turn them into U+FFFD). Other rules (lengths, display names) build on it.
import { z } from 'zod';

/** No NUL character and no lone surrogate. */
export function isStorableText(value: string): boolean {
	return !value.includes('\u0000') && value.isWellFormed();
}

/** `schema` (a string schema with its own rules), refusing text that `isStorableText` refuses. */
export function storableText<T extends z.ZodString>(schema: T, what: string): T {
	return schema.refine(isStorableText, { error: `${what} must not contain NUL characters or unpaired surrogates.` });
}
