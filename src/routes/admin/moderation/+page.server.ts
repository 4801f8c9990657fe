import { error } from '@sveltejs/kit';
import { z } from 'zod';
import { AppError } from '$lib/server/errors';
import { actorOrAnonymous } from '$lib/server/http/actor';
import { formAction } from '$lib/server/http/forms';
import * as moderation from '$lib/server/moderation';
import type { Actions, PageServerLoad } from './$types';

/** The moderation queue, for instance administrators only: anyone else (signed in or not) gets 404, as if there were no such page. */
export const load: PageServerLoad = async ({ locals, setHeaders }) => {
	setHeaders({ 'cache-control': 'private, no-store' });
	try {
		const items = await moderation.queue(locals.db, actorOrAnonymous(locals));
		return {
			items: items.map((item) => ({
				...item,
				publishedAt: item.publishedAt.toISOString(),
				moderatedAt: item.moderatedAt?.toISOString() ?? null,
				lastReportedAt: item.lastReportedAt?.toISOString() ?? null,
				reasons: item.reasons.map((entry) => ({ reason: entry.reason, createdAt: entry.createdAt.toISOString() }))
			})),
			hideReasonMax: moderation.HIDE_REASON_MAX
		};
	} catch (caught) {
		if (caught instanceof AppError) error(caught.status, caught.message);
		throw caught;
	}
};

const target = z.object({ publicationId: z.string({ error: 'Which publication?' }) });

export const actions: Actions = {
	hide: formAction(target.extend({ reason: z.string().optional() }), async ({ publicationId, reason }, { event, actor }) => {
		await moderation.hide(event.locals.db, actor, publicationId, reason ?? '');
		return { done: 'hidden', publicationId };
	}),
	restore: formAction(target, async ({ publicationId }, { event, actor }) => {
		await moderation.restore(event.locals.db, actor, publicationId);
		return { done: 'restored', publicationId };
	}),
	dismiss: formAction(target, async ({ publicationId }, { event, actor }) => {
		await moderation.dismissReports(event.locals.db, actor, publicationId);
		return { done: 'dismissed', publicationId };
	})
};
