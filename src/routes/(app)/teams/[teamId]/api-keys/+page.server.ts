import { error } from '@sveltejs/kit';
import { z } from 'zod';
import { can } from '$lib/server/access';
import * as apiKeys from '$lib/server/api-keys';
import * as canvases from '$lib/server/canvases';
import { AppError } from '$lib/server/errors';
import { actorOf } from '$lib/server/http/actor';
import { formAction } from '$lib/server/http/forms';
import { runtime } from '$lib/server/runtime';
import type { Actions, PageServerLoad } from './$types';

const DAY_MS = 86_400_000;

/** Admins and owners only: the team's keys, its canvases (to limit a key to some) and what each scope means. */
export const load: PageServerLoad = async ({ locals, parent }) => {
	const { team } = await parent();
	if (!can(team.role, 'team.api_keys')) error(403, 'Only admins and owners of the team manage its API keys.');
	const actor = actorOf(locals);
	const [keys, list] = await Promise.all([apiKeys.listForTeam(locals.db, actor, team.id), canvases.listForTeam(locals.db, actor, team.id)]);
	return {
		apiKeys: keys.map(apiKeys.apiKeyJson),
		canvases: list.map((canvas) => ({ id: canvas.id, title: canvas.title })),
		scopes: apiKeys.API_KEY_SCOPE_ORDER.map((name) => ({ name, description: apiKeys.API_KEY_SCOPE_DESCRIPTIONS[name] })),
		nameMaxLength: apiKeys.API_KEY_NAME_MAX_LENGTH
	};
};

/**
 * The form's fields as `apiKeys.create` input. The expiry is a date: the key works through that
 * whole day in the browser's time zone (`timezoneOffset`, set by the page's script; UTC without it).
 */
function createKeyInput(data: FormData): apiKeys.CreateApiKeyInput {
	const text = (name: string) => String(data.get(name) ?? '').trim();
	const some = text('reach') === 'some';
	const canvasIds = data.getAll('canvasIds').map(String);
	if (some && canvasIds.length === 0) throw new AppError('INVALID_INPUT', 'Choose at least one canvas, or let the key reach every canvas.', { field: 'canvasIds' });
	return {
		name: text('name'),
		scopes: data.getAll('scopes').map(String) as apiKeys.CreateApiKeyInput['scopes'],
		expiresAt: expiryFromDate(text('expiresOn'), Number(text('timezoneOffset') || '0')),
		canvasIds: some ? canvasIds : null
	};
}

function expiryFromDate(date: string, timezoneOffsetMinutes: number): string | null {
	if (!date) return null;
	const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
	const offset = Number.isFinite(timezoneOffsetMinutes) && Math.abs(timezoneOffsetMinutes) <= 14 * 60 ? timezoneOffsetMinutes : 0;
	// The last second of that day where the browser is: midnight after it, in UTC, plus the browser's
	// offset, less a second (so the list shows the date chosen).
	const end = match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) + DAY_MS + offset * 60_000 - 1000 : Number.NaN;
	if (!Number.isFinite(end)) throw new AppError('INVALID_INPUT', 'Choose the expiry as a date.', { field: 'expiresOn' });
	if (end <= Date.now()) throw new AppError('INVALID_INPUT', 'The expiry date must be today or later.', { field: 'expiresOn' });
	return new Date(end).toISOString();
}

export const actions: Actions = {
	create: formAction(createKeyInput, async (input, { event, actor, context }) => {
		const { apiKey, token } = await apiKeys.create(event.locals.db, actor, event.params.teamId, input, { context, maxActiveKeys: runtime().config.API_KEYS_PER_TEAM });
		return { created: { apiKey: apiKeys.apiKeyJson(apiKey), token } };
	}),
	revoke: formAction(z.object({ keyId: z.uuid({ error: 'Choose a key.' }) }), async ({ keyId }, { event, actor, context }) => {
		const revoked = await apiKeys.revoke(event.locals.services, actor, keyId, context);
		return { revoked: revoked.name };
	})
};
