// Audit-log rows in plain language: "Ana changed Bo's role from editor to viewer".
import { withArticle } from '$lib/components/format';

export interface ActivityEntry {
	id: number;
	action: string;
	targetType: string;
	targetId: string | null;
	details: Record<string, unknown> | null;
	ip: string | null;
	createdAt: string;
	actorId: string | null;
	/** A person, an API key, the assistant or Easel itself. */
	actorKind?: string;
	actorName: string | null;
	/** The named user the entry is about, even after they left. */
	targetName?: string | null;
}

/** Names the log refers to by id: users (current members), canvases and teams the reader can see. */
export interface ActivityNames {
	users: Record<string, string>;
	canvases: Record<string, string>;
	teams: Record<string, string>;
	teamId: string;
}

export interface ActivityText {
	actor: string;
	/** What the actor did, to follow their name. */
	did: string;
}

const an = (role: unknown) => withArticle(String(role));
const quoted = (text: unknown) => `“${String(text)}”`;

export function describe(entry: ActivityEntry, names: ActivityNames): ActivityText {
	const details = entry.details ?? {};
	// A key's name alone could read as a person's.
	const actor = entry.actorKind === 'apiKey' ? `API key ${quoted(entry.actorName ?? 'unnamed')}` : (entry.actorName ?? 'Someone');
	const self = entry.targetId !== null && entry.targetId === entry.actorId;
	const target = entry.targetId ? (names.users[entry.targetId] ?? entry.targetName ?? 'a former member') : 'someone';
	/** A canvas by its current name, else the title the entry kept (`fallback`, or details.canvasTitle). */
	const canvas = (id: unknown, fallback: unknown = entry.details?.canvasTitle) =>
		typeof id === 'string' && names.canvases[id] ? quoted(names.canvases[id]) : typeof fallback === 'string' ? quoted(fallback) : 'a canvas';
	const team = (id: unknown) => (typeof id === 'string' && names.teams[id] ? names.teams[id] : 'another team');

	switch (entry.action) {
		case 'team.create':
			return { actor, did: `created the team${details.name ? ` ${quoted(details.name)}` : ''}` };
		case 'team.rename':
			return { actor, did: `renamed the team to ${quoted(details.name)}` };
		case 'team.delete':
			return { actor, did: 'deleted the team' };
		case 'team.trash':
			return { actor, did: 'moved the team to the trash' };
		case 'team.restore':
			return { actor, did: 'restored the team from the trash' };
		case 'member.join':
			return { actor, did: `joined as ${an(details.role)}${details.invitationId ? ' through an invitation' : ''}` };
		case 'member.leave':
			return { actor, did: 'left the team' };
		case 'member.role_change':
			return self
				? { actor, did: `changed their own role from ${details.from} to ${details.to}` }
				: { actor, did: `changed ${target}'s role from ${details.from} to ${details.to}` };
		case 'member.remove':
			return { actor, did: `removed ${target}${details.role ? ` (${details.role})` : ''} from the team` };
		case 'team.transfer_ownership':
			return { actor, did: `made ${target} an owner and became an admin` };
		case 'invitation.create': {
			const uses = details.maxUses === null || details.maxUses === undefined ? 'no use limit' : details.maxUses === 1 ? 'single use' : `up to ${details.maxUses} uses`;
			return details.email
				? { actor, did: `invited ${details.email} as ${an(details.role)}` }
				: { actor, did: `created an invitation link to join as ${an(details.role)} (${uses})` };
		}
		case 'invitation.revoke':
			return { actor, did: 'revoked an invitation' };
		case 'share_link.create': {
			const title = details.canvasTitle ? quoted(details.canvasTitle) : canvas(details.canvasId);
			const who = details.audience === 'team' ? 'signed-in team members' : 'anyone';
			const verb = details.access === 'edit' ? 'edit' : 'view';
			return {
				actor,
				did: `shared ${title}: ${who} with the link can ${verb}${details.expiresAt ? ` until ${new Date(String(details.expiresAt)).toLocaleDateString('en', { month: 'short', day: 'numeric', year: 'numeric' })}` : ''}`
			};
		}
		case 'share_link.revoke':
			return { actor, did: `revoked a share link to ${canvas(details.canvasId)}` };
		case 'canvas.create':
			return details.duplicateOf
				? { actor, did: `duplicated ${canvas(details.duplicateOf, details.sourceTitle)} as ${canvas(entry.targetId, details.title)}` }
				: { actor, did: `created ${canvas(entry.targetId, details.title)}` };
		case 'canvas.delete':
			return details.purged
				? { actor, did: `deleted ${quoted(details.title)} for good after its time in the trash` }
				: { actor, did: `deleted the canvas ${quoted(details.title)} for good` };
		case 'canvas.trash':
			return { actor, did: `moved ${quoted(details.title)} to the trash` };
		case 'canvas.restore':
			return { actor, did: `restored ${canvas(entry.targetId, details.title)} from the trash` };
		case 'canvas.move':
			return details.from === names.teamId
				? { actor, did: `moved ${quoted(details.title)} to ${team(details.to)}` }
				: { actor, did: `moved ${quoted(details.title)} here from ${team(details.from)}` };
		case 'canvas.remix':
			return {
				actor,
				did: `remixed ${quoted(details.publicationTitle)} from the gallery into a new canvas${details.title !== details.publicationTitle ? ` ${quoted(details.title)}` : ''}`
			};
		case 'canvas.import':
			return {
				actor,
				did: `imported ${typeof entry.targetId === 'string' && names.canvases[entry.targetId] ? canvas(entry.targetId) : quoted(details.title)} from a tldraw file${details.fileName ? ` (${details.fileName})` : ''}`
			};
		case 'ai_settings.update':
			return { actor, did: describeAiSettingsChange(details) };
		case 'publication.publish':
			return {
				actor,
				did: `${details.republished ? 'republished' : 'published'} ${canvas(entry.targetId)} to the gallery${details.title ? ` as ${quoted(details.title)}` : ''}`
			};
		case 'publication.unpublish':
			return { actor, did: `unpublished ${canvas(entry.targetId)} from the gallery` };
		case 'publication.hide':
			return { actor: 'A moderator', did: `hid the published ${canvas(entry.targetId)}${details.reason ? `: ${quoted(details.reason)}` : ''}` };
		case 'publication.restore':
			return { actor: 'A moderator', did: `made the published ${canvas(entry.targetId)} public again` };
		case 'api_key.create': {
			const scopes = Array.isArray(details.scopes) ? details.scopes.join(', ') : '';
			const canvases = Array.isArray(details.canvasIds)
				? ` for ${details.canvasIds.length === 1 ? canvas(details.canvasIds[0]) : `${details.canvasIds.length} canvases`}`
				: '';
			return { actor, did: `created the API key ${quoted(details.name)}${scopes ? ` (${scopes})` : ''}${canvases}` };
		}
		case 'api_key.revoke':
			return { actor, did: `revoked the API key ${quoted(details.name)}` };
		case 'api_key.use_new_address':
			// The entry's own address is shown beside it.
			return { actor, did: 'was used from a new address' };
		case 'team.publish_role':
			return { actor, did: details.to === 'admin' ? 'let only admins and owners publish canvases' : 'let editors, admins and owners publish canvases' };
		case 'sso.domain_add':
			return { actor, did: `added the domain @${details.domain}${details.verified ? ' (verified)' : ''} for single sign-on` };
		case 'sso.domain_verify':
			return { actor, did: `verified the domain @${details.domain}` };
		case 'sso.domain_remove':
			return { actor, did: `removed the domain @${details.domain}` };
		case 'sso.required':
			return { actor, did: details.required ? 'required single sign-on for the verified domains' : 'stopped requiring single sign-on' };
		default:
			return { actor, did: entry.action.replace(/[._]/g, ' ') };
	}
}

/** "changed the team's AI settings (provider anthropic, new key)"; the key itself is never in the log. */
function describeAiSettingsChange(details: Record<string, unknown>): string {
	if (details.cleared === true) return "removed the team's own AI provider (the server's is used again)";
	const parts: string[] = [];
	if (typeof details.provider === 'string') parts.push(`provider ${details.provider}`);
	if (details.key === 'set') parts.push('new key');
	if (details.key === 'cleared') parts.push('key removed');
	if (typeof details.allowGuestAi === 'boolean') parts.push(details.allowGuestAi ? 'edit-link guests may use AI' : 'edit-link guests may not use AI');
	return `changed the team's AI settings${parts.length ? ` (${parts.join(', ')})` : ''}`;
}
