import { error, fail } from '@sveltejs/kit';
import { version } from '$app/environment';
import { can } from '$lib/server/access';
import { AppError } from '$lib/server/errors';
import { actorOrAnonymous } from '$lib/server/http/actor';
import { PUBLISHED_PAGE_CACHE } from '$lib/server/http/published-pages';
import * as moderation from '$lib/server/moderation';
import { publicationViews } from '$lib/server/publication-views';
import * as publications from '$lib/server/publications';
import { runtime } from '$lib/server/runtime';
import * as teams from '$lib/server/teams';
import type { Actions, PageServerLoad } from './$types';

const GONE = 'This canvas is not published here: it may have been unpublished, or the address is wrong.';

/**
 * A published canvas: its publication's own fields only (never the live canvas, chat, members or
 * links). Signed-out visitors all get the same page, cacheable for a minute; signed-in ones get their
 * teams to remix into, privately.
 */
export const load: PageServerLoad = async ({ locals, params, request, setHeaders, getClientAddress }) => {
	const page = await publications.findPublicPage(locals.db, params.slug);
	if (!page) error(404, GONE);
	if (request.method === 'GET') {
		publicationViews(locals.db, runtime().logger).record(page.id, { address: getClientAddress(), userAgent: request.headers.get('user-agent') ?? '' });
		setHeaders(locals.user ? { 'cache-control': 'private, no-cache', vary: 'Cookie' } : { ...PUBLISHED_PAGE_CACHE, etag: publications.pageTag(page, version) });
	}
	const origin = runtime().config.publicOrigin;
	const url = publications.publicationUrl(origin, page.slug);
	const remixTeams = locals.user
		? (await teams.listForUser(locals.db, locals.user.id)).filter((team) => can(team.role, 'canvas.create')).map(({ id, name, personal }) => ({ id, name, personal }))
		: [];
	return {
		publication: {
			id: page.id,
			slug: page.slug,
			title: page.title,
			description: page.description,
			tags: page.tags,
			authorName: page.authorName,
			teamName: page.teamName,
			publishedAt: page.publishedAt.toISOString(),
			viewCount: page.viewCount,
			remixCount: page.remixCount
		},
		url,
		previewUrl: `${url}/preview`,
		remixTeams,
		reportMaxLength: moderation.REPORT_REASON_MAX,
		licenseKey: runtime().config.TLDRAW_LICENSE_KEY ?? ''
	};
};

export const actions: Actions = {
	/** The page's report form (works without JavaScript); the API's POST /api/v1/publications/:id/reports does the same. */
	report: async (event) => {
		const data = await event.request.formData();
		const reason = data.get('reason');
		try {
			const page = await publications.findPublicPage(event.locals.db, event.params.slug);
			if (!page) throw new AppError('NOT_FOUND', GONE);
			await moderation.report(event.locals.db, actorOrAnonymous(event.locals), page.id, typeof reason === 'string' ? reason : '', {
				throttle: runtime().publicationReportThrottle,
				address: event.getClientAddress()
			});
			return { reported: true };
		} catch (caught) {
			if (!(caught instanceof AppError)) throw caught;
			const retryAfter = caught.details?.retryAfterSeconds;
			if (typeof retryAfter === 'number') event.setHeaders({ 'retry-after': String(retryAfter) });
			return fail(caught.status, { reportError: caught.message, reason: typeof reason === 'string' ? reason : '' });
		}
	}
};
