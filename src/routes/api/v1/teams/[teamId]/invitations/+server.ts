import * as invitations from '$lib/server/invitations';
import { api, readJson, userActor } from '$lib/server/http/api';
import { invitationJson } from '$lib/server/http/json';
import { invitationEmailOptions } from '$lib/server/mailer';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = api(async (event) => {
	const { actor } = userActor(event);
	const pending = await invitations.listPending(event.locals.db, actor, event.params.teamId);
	return Response.json({ invitations: pending.map((invitation) => invitationJson(invitation)) });
});

/** `{ role, email?, expiresInDays?, maxUses? }` → the invitation with its `token` and `url` (shown once). */
export const POST: RequestHandler = api(async (event) => {
	const { actor, context } = userActor(event);
	const input = await readJson(event, invitations.createInvitationSchema);
	const { invitation, token, url, emailed } = await invitations.invite(event.locals.db, actor, event.params.teamId, input, {
		...invitationEmailOptions(event.locals.db),
		context
	});
	return Response.json(invitationJson(invitation, { token, url }), { status: 201, headers: { 'x-invitation-emailed': String(emailed) } });
});
