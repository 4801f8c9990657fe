import { error, redirect } from '@sveltejs/kit';
import { can, resolveCanvasAccess } from '$lib/server/access';
import { actorOrAnonymous } from '$lib/server/http/actor';
import { AppError } from '$lib/server/errors';
import { runtime } from '$lib/server/runtime';
import * as sharing from '$lib/server/sharing';
import * as billing from '$lib/server/billing';
import * as thumbnails from '$lib/server/thumbnails';
import { PLANS } from '$lib/server/plans';
import { guestIdentity } from '$lib/guest-identity';
import { avatarColorOf } from '$lib/user-color';
import type { PageServerLoad } from './$types';

const UNKNOWN = 'Check that you copied all of it, or ask the person who shared it for a new one.';
const GONE = 'It has expired or was revoked. Ask the person who shared it for a new one.';

export const load: PageServerLoad = async ({ locals, params, setHeaders }) => {
	// The token is in the URL: never send it on to other sites.
	setHeaders({ 'referrer-policy': 'no-referrer', 'cache-control': 'private, no-store' });
	const target = await sharing.canvasForToken(locals.db, params.token);
	if (!target) error(404, UNKNOWN);
	const actor = actorOrAnonymous(locals);
	let access;
	try {
		access = await resolveCanvasAccess(locals.db, actor, target.canvasId, params.token);
	} catch (caught) {
		if (!(caught instanceof AppError)) throw caught;
		if (caught.code === 'UNAUTHENTICATED') return { signIn: true as const };
		// A signed-in user outside the team holding a team-only link.
		if (caught.code === 'NOT_FOUND') error(403, 'This link only opens the canvas for members of its team. Ask its owner to invite you, or for a link anyone can use.');
		if (caught.code === 'GONE') error(410, GONE);
		error(caught.status, caught.message);
	}
	// Members whose own role gives at least what the link gives get the full canvas page.
	if (access.role && (can(access.role, 'canvas.edit') || access.link?.access !== 'edit')) redirect(303, `/c/${access.canvas.id}`);
	const [assistant, { limits }, thumbnail] = await Promise.all([
		runtime().assistant.availability({ actor: actorOrAnonymous(locals), shareToken: params.token, name: locals.user?.name }, access),
		billing.teamPlan(locals.db, access.canvas.teamId),
		thumbnails.thumbnailStateOf(locals.db, access)
	]);
	return {
		signIn: false as const,
		canvas: { id: access.canvas.id, title: access.canvas.title },
		canEdit: access.canEdit,
		me: locals.user
			? { id: locals.user.id, name: locals.user.name, color: avatarColorOf(locals.user), guest: false }
			: { ...guestIdentity(crypto.randomUUID()), guest: true },
		assistant,
		chat: { maxMessageChars: runtime().config.MAX_CHAT_MESSAGE_CHARS },
		licenseKey: runtime().config.TLDRAW_LICENSE_KEY ?? '',
		fileLimit: { bytes: limits.storage.fileBytes, plan: PLANS[limits.plan].name },
		thumbnail
	};
};
