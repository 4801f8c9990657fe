import { redirect } from '@sveltejs/kit';
import { z } from 'zod';
import { can } from '$lib/server/access';
import * as teamAiSettings from '$lib/server/ai/team-ai-settings';
import * as teamSso from '$lib/server/auth/team-sso';
import type { Role } from '$lib/server/db/schema';
import * as teams from '$lib/server/teams';
import * as trash from '$lib/server/trash';
import * as publications from '$lib/server/publications';
import { actorOf } from '$lib/server/http/actor';
import { formAction } from '$lib/server/http/forms';
import { runtime } from '$lib/server/runtime';
import type { Actions, PageServerLoad } from './$types';

/** Admins see the team's AI settings; the server's provider is named so the page can say what is used otherwise. */
export const load: PageServerLoad = async ({ locals, params, parent }) => {
	const { team } = await parent();
	// Admins and owners decide who may publish the team's canvases to the gallery.
	const publishing = can(team.role, 'team.publishing') ? { publishRole: await publications.publishRole(locals.db, params.teamId) } : null;
	const sso = await ssoSettings(locals, params.teamId, team.role);
	if (!can(team.role, 'team.ai')) return { ai: null, publishing, sso };
	const settings = await teamAiSettings.getAiSettings(locals.db, actorOf(locals), params.teamId);
	return { ai: { settings, serverProvider: runtime().config.AI_PROVIDER ?? null }, publishing, sso };
};

/** Owners see the team's single sign-on section, when the server has an OIDC provider. */
async function ssoSettings(locals: App.Locals, teamId: string, role: Role) {
	const setup = teamSso.ssoSetupOf(runtime().config);
	if (!setup.available || !can(role, 'team.sso')) return null;
	const settings = await teamSso.getSettings(locals.db, setup, actorOf(locals), teamId);
	return { ...settings, domains: settings.domains.map((entry) => ({ ...entry, verifiedAt: entry.verifiedAt?.toISOString() ?? null })) };
}

/** The AI form's fields as the domain's input: blank provider = the server's; checkboxes are present when ticked. */
function aiSettingsInput(data: FormData) {
	const text = (name: string) => {
		const value = data.get(name);
		return typeof value === 'string' ? value : '';
	};
	return {
		provider: text('provider') || null,
		baseUrl: text('baseUrl'),
		models: { fast: text('modelFast'), balanced: text('modelBalanced'), best: text('modelBest') },
		apiKey: text('apiKey')
	};
}

export const actions: Actions = {
	rename: formAction(z.object({ name: teams.teamNameSchema }), async ({ name }, { event, actor, context }) => {
		await teams.rename(event.locals.db, actor, event.params.teamId, name, context);
		return { renamed: name };
	}),
	/** Moves the team and its canvases to the trash (the owner types the name to confirm); open canvases close. */
	delete: formAction(z.object({ confirmName: z.string({ error: 'Type the team name to confirm.' }) }), async ({ confirmName }, { event, actor, services, context }) => {
		await trash.trashTeam(services, actor, event.params.teamId, confirmName, context);
		redirect(303, '/teams#deleted-teams');
	}),
	/** The caller leaves the team (also used from the members page). */
	leave: formAction(z.object({}), async (_, { event, actor, services, context }) => {
		await teams.removeMember(services, actor, event.params.teamId, actor.userId, context);
		redirect(303, '/');
	}),
	/** Saves the team's own AI provider (a blank key keeps the saved one). */
	saveAi: formAction(
		(data) => ({ ...aiSettingsInput(data), clearKey: data.get('clearKey') === 'on' }),
		async (input, { event, actor, context }) => {
			await teamAiSettings.saveAiSettings(event.locals.db, runtime().config, actor, event.params.teamId, input, context);
			return { aiSaved: true };
		},
		{ secretFields: ['apiKey'] }
	),
	/** Tries the settings as filled in (saved or not) with one real request. */
	testAi: formAction(
		aiSettingsInput,
		async (input, { event, actor }) => {
			const aiTest = await teamAiSettings.testConnection(event.locals.db, runtime().config, actor, event.params.teamId, { ...input, apiKey: input.apiKey || undefined });
			return { aiTest };
		},
		{ secretFields: ['apiKey'] }
	),
	/** Who may publish the team's canvases: editors and above, or admins and owners only. */
	publishing: formAction(
		(data) => data.get('publishRole'),
		async (role, { event, actor, context }) => {
			const publishRole = await publications.setPublishRole(event.locals.db, actor, event.params.teamId, role, context);
			return { publishRoleSaved: publishRole };
		}
	),
	/** Team SSO: claims a domain (verified at once when the owner's own verified address is on it). */
	ssoAddDomain: formAction(
		(data) => data.get('domain'),
		async (domain, { event, actor, context }) => {
			const added = await teamSso.addDomain(event.locals.db, teamSso.ssoSetupOf(runtime().config), actor, event.params.teamId, domain, context);
			return { ssoDomainAdded: added.domain, ssoDomainVerified: added.verifiedAt !== null };
		}
	),
	ssoVerifyDomain: formAction(
		(data) => data.get('domain'),
		async (domain, { event, actor, context }) => {
			const verified = await teamSso.verifyDomain(event.locals.db, teamSso.ssoSetupOf(runtime().config), actor, event.params.teamId, domain, context);
			return { ssoDomainVerified: verified.domain };
		}
	),
	ssoRemoveDomain: formAction(
		(data) => data.get('domain'),
		async (domain, { event, actor, context }) => {
			await teamSso.removeDomain(event.locals.db, actor, event.params.teamId, domain, context);
			return { ssoDomainRemoved: String(domain) };
		}
	),
	/** Requires single sign-on for members with addresses on the verified domains, or stops requiring it. */
	ssoRequired: formAction(
		(data) => data.get('required') === 'on',
		async (required, { event, actor, context }) => {
			await teamSso.setRequired(event.locals.db, teamSso.ssoSetupOf(runtime().config), actor, event.params.teamId, required, context);
			return { ssoRequiredSaved: required };
		}
	),
	/** Lets (or stops) edit-link guests use the assistant on the team's credits. */
	guestAi: formAction(
		(data) => data.get('allowGuestAi') === 'on',
		async (allow, { event, actor, context }) => {
			await teamAiSettings.setAllowGuestAi(event.locals.db, actor, event.params.teamId, allow, context);
			return { guestAiSaved: allow };
		}
	)
};
