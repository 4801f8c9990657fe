// The assistant routes' edge: who asks (a session, an API key, or a guest with a share link sent as
// `Easel-Share-Token`, as for the document state) and what a run request may contain.
import type { RequestEvent } from '@sveltejs/kit';
import { z } from 'zod';
import { MODEL_TIERS } from '../db/schema.ts';
import type { AssistantRunner, Requester } from '../ai/assistant-runner.ts';
import { runtime } from '../runtime.ts';
import { SHARE_TOKEN_HEADER } from '../../document-state.ts';

export function requesterOf(event: RequestEvent): Requester {
	if (event.locals.bearerProblem) throw event.locals.bearerProblem;
	const shareToken = event.request.headers.get(SHARE_TOKEN_HEADER)?.trim().slice(0, 200) || undefined;
	return { actor: event.locals.actor, shareToken, name: event.locals.user?.name };
}

export function assistant(): AssistantRunner {
	return runtime().assistant;
}

const finite = z.number().finite().min(-1e9).max(1e9);

export const startRunSchema = z
	.object({
		prompt: z.string({ error: 'prompt must be text' }).max(1_000_000).optional(),
		tier: z.enum(MODEL_TIERS, { error: `tier must be one of ${MODEL_TIERS.join(', ')}` }).optional(),
		parentMessageId: z.uuid({ error: 'parentMessageId must be a message id' }).nullable().optional(),
		retryMessageId: z.uuid({ error: 'retryMessageId must be a message id' }).optional(),
		/** Where the asker is looking: the page, their selection and viewport (page coordinates). */
		context: z
			.object({
				pageId: z.string().max(200).optional(),
				selectedShapeIds: z.array(z.string().max(200)).max(500).optional(),
				viewport: z.object({ x: finite, y: finite, w: finite.positive(), h: finite.positive() }).optional()
			})
			.strict()
			.optional()
	})
	.strict()
	.refine((body) => body.prompt !== undefined || body.retryMessageId !== undefined, { error: 'Send a prompt (or retryMessageId to retry an answer).' });

export const reviewSchema = z.object({ changeIds: z.array(z.string().min(1).max(100)).max(1000).optional() }).strict();
