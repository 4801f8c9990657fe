// INVALID_INPUT for a conversation request that failed its schema, naming where the problem is
// (`messages.3.content.1.image_url: …`). Content may be text or one of many part types, so most
// failures are inside unions: the reported problem is the one deepest in the body (the option that
// matched furthest), not zod's "Invalid input" at the union.
import type { z } from 'zod';
import { AppError } from '../errors.ts';

type Issue = z.core.$ZodIssue;

export function conversationInputError(error: z.ZodError): AppError {
	const located = error.issues.map((issue) => deepest(issue, []));
	const first = located[0] ?? { path: [], message: 'Invalid input.' };
	const field = first.path.join('.');
	return new AppError('INVALID_INPUT', field ? `${field}: ${first.message}` : first.message, {
		...(field ? { field } : {}),
		issues: located.slice(0, 20).map((issue) => ({ path: issue.path.join('.'), message: issue.message }))
	});
}

function deepest(issue: Issue, prefix: PropertyKey[]): { path: PropertyKey[]; message: string } {
	const path = [...prefix, ...issue.path];
	if (issue.code === 'invalid_union' && issue.errors.length > 0) {
		let best: { path: PropertyKey[]; message: string } | null = null;
		for (const option of issue.errors) {
			for (const inner of option) {
				const found = deepest(inner, path);
				if (!best || found.path.length > best.path.length) best = found;
			}
		}
		// Only an option that got further than the union itself says more than the union's own message.
		if (best && best.path.length > path.length) return best;
	}
	return { path, message: issue.message };
}
