import { error } from '@sveltejs/kit';
import { can } from '$lib/server/access';
import * as billing from '$lib/server/billing';
import * as canvases from '$lib/server/canvases';
import { AppError } from '$lib/server/errors';
import { actorOf, userOf } from '$lib/server/http/actor';
import { formAction } from '$lib/server/http/forms';
import { PLANS, upgradeFor } from '$lib/server/plans';
import * as publications from '$lib/server/publications';
import { publicationJson } from '$lib/server/http/publication-json';
import { remixOrigin } from '$lib/server/remix';
import { runtime } from '$lib/server/runtime';
import * as teams from '$lib/server/teams';
import * as thumbnails from '$lib/server/thumbnails';
import { avatarColorOf } from '$lib/user-color';
import * as trash from '$lib/server/trash';
import { z } from 'zod';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, params }) => {
	try {
		const user = userOf(locals);
		const canvas = await canvases.get(locals.db, actorOf(locals), params.canvasId);
		const [myTeams, { limits }, assistant, , canPublish, publication, remixedFrom] = await Promise.all([
			teams.listForUser(locals.db, user.id),
			billing.teamPlan(locals.db, canvas.teamId),
			runtime().assistant.availability({ actor: actorOf(locals), name: user.name }, canvas.access),
			teams.touchMembership(locals.db, canvas.teamId, user.id),
			publications.mayPublish(locals.db, actorOf(locals), canvas.id),
			publications.findPublication(locals.db, actorOf(locals), canvas.id),
			remixOrigin(locals.db, canvas.id)
		]);
		return {
			canvas: { id: canvas.id, title: canvas.title, teamId: canvas.teamId },
			role: canvas.access.role,
			canEdit: canvas.access.canEdit,
			canShare: can(canvas.access.role, 'canvas.share'),
			// Saving and restoring versions write the canvas, so a read-only (over-plan) one offers neither.
			history: {
				save: can(canvas.access.role, 'history.save') && canvas.access.canEdit,
				restore: can(canvas.access.role, 'history.restore') && canvas.access.canEdit,
				manage: can(canvas.access.role, 'history.manage'),
				billing: can(canvas.access.role, 'team.billing')
			},
			plan: { name: PLANS[limits.plan].name, historyDays: limits.historyDays, upgrade: upgradeFor(limits.plan)?.name ?? null },
			// A canvas beyond the plan's canvas limit (after a downgrade) is read-only until the team is back within it.
			planLimit:
				canvas.access.readOnlyReason === 'plan_limit'
					? { plan: PLANS[limits.plan].name, canvases: limits.canvases, upgrade: upgradeFor(limits.plan)?.name ?? null }
					: null,
			publishing: { canPublish, publication: publication && publicationJson(publication, runtime().config.publicOrigin) },
			teams: myTeams,
			remixedFrom,
			me: { id: user.id, name: user.name, color: avatarColorOf(user) },
			assistant,
			chat: { maxMessageChars: runtime().config.MAX_CHAT_MESSAGE_CHARS },
			licenseKey: runtime().config.TLDRAW_LICENSE_KEY ?? '',
			maxTitleLength: runtime().config.MAX_TITLE_LENGTH,
			// Files over the plan's per-file limit are refused in the browser before any upload.
			fileLimit: { bytes: limits.storage.fileBytes, plan: PLANS[limits.plan].name },
			thumbnail: thumbnails.thumbnailState(canvas)
		};
	} catch (caught) {
		if (caught instanceof AppError && caught.code === 'NOT_FOUND') await inTheTrash(locals, params.canvasId);
		if (caught instanceof AppError) error(caught.status, caught.message);
		throw caught;
	}
};

/** A member of its team opening a canvas in the trash hears so (who, when, where to restore it); anyone else gets the plain not-found. */
async function inTheTrash(locals: App.Locals, canvasId: string): Promise<void> {
	const notice = await trash.trashedCanvasNotice(locals.db, actorOf(locals), canvasId);
	if (!notice) return;
	error(404, {
		message: 'This canvas is in the trash.',
		trashed: {
			id: notice.id,
			title: notice.title,
			teamId: notice.teamId,
			deletedAt: notice.deletedAt.toISOString(),
			purgeAt: notice.purgeAt.toISOString(),
			deletedByName: notice.deletedBy?.name ?? null,
			canRestore: notice.canRestore
		}
	});
}

export const actions: Actions = {
	rename: formAction(
		(data) => z.object({ title: canvases.titleSchema(runtime().config.MAX_TITLE_LENGTH) }).parse(Object.fromEntries(data)),
		async ({ title }, { event, actor }) => {
			const canvas = await canvases.rename(event.locals.db, actor, event.params.canvasId, title, { maxTitleLength: runtime().config.MAX_TITLE_LENGTH });
			return { title: canvas.title };
		}
	)
};
