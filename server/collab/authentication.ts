// onAuthenticate: resolves who is connecting to which document and what they may do there.
//
// Provider tokens: a session token or an API key (programs), `cookie` (browsers: the HttpOnly
// session cookie is used), or `share:<share-link token>` (a share link; the cookie still identifies
// a signed-in user).
import type { Extension, onAuthenticatePayload } from '@hocuspocus/server';
import type { Database } from '../../src/lib/server/db/index.ts';
import { ANONYMOUS, can, type Actor, type CanvasAccess } from '../../src/lib/server/access.ts';
import { validateSessionToken, type ValidatedSession } from '../../src/lib/server/auth/sessions.ts';
import { parseDocumentName } from '../../src/lib/document-names.ts';
import { identifyBearer } from '../../src/lib/server/auth/bearer.ts';
import { AppError } from '../../src/lib/server/errors.ts';
import * as sharing from '../../src/lib/server/sharing.ts';
import * as teams from '../../src/lib/server/teams.ts';
import { guestIdentity } from '../../src/lib/guest-identity.ts';
import { avatarColorOf, userColor } from '../../src/lib/user-color.ts';
import type { ConnectionContext } from './context.ts';
import { DOCUMENT_KIND_RULES } from './document-kinds.ts';
import { refusal } from './refusal.ts';
import { COOKIE_TOKEN, SHARE_TOKEN_PREFIX } from '../../src/lib/collab-protocol.ts';

export class Authentication implements Extension {
	priority = 1000;
	private readonly deps: { db: Database; sessionDays: number };

	constructor(deps: { db: Database; sessionDays: number }) {
		this.deps = deps;
	}

	async onAuthenticate(payload: onAuthenticatePayload<ConnectionContext>): Promise<Partial<ConnectionContext>> {
		const { documentName, token, context, connectionConfig } = payload;
		try {
			const address = parseDocumentName(documentName);
			const rules = address && DOCUMENT_KIND_RULES[address.kind];
			if (!address || !rules) throw new AppError('NOT_FOUND', 'Unknown document.');
			const { canvasId } = address;
			const shareToken = token?.startsWith(SHARE_TOKEN_PREFIX) ? token.slice(SHARE_TOKEN_PREFIX.length) : undefined;
			const bearer = token && token !== COOKIE_TOKEN && !shareToken ? token : undefined;
			const sessionToken = bearer ?? context.cookieSessionToken;
			// A provider token is a bearer token like HTTP's: identifyBearer says which kind (session or API key), or why not.
			const bearerIdentity = bearer ? await identifyBearer(this.deps.db, bearer, { sessionDays: this.deps.sessionDays, ip: context.ip }) : null;
			const apiKey = bearerIdentity?.kind === 'apiKey' ? bearerIdentity : null;
			const session =
				bearerIdentity?.kind === 'session'
					? bearerIdentity.session
					: !bearer && sessionToken
						? await validateSessionToken(this.deps.db, sessionToken, this.deps.sessionDays)
						: null;
			if (!session && !apiKey && !shareToken) {
				throw new AppError('UNAUTHENTICATED', sessionToken ? 'Your session has expired. Sign in again.' : 'Sign in to open this canvas.');
			}
			const actor: Actor = apiKey ? apiKey.actor : session ? { kind: 'user', userId: session.user.id } : ANONYMOUS;
			const access = await rules.authorize(this.deps.db, actor, canvasId, shareToken);
			// Bookkeeping for "last used" / "last active"; never worth failing a connection over.
			if (access.link) void sharing.touchLink(this.deps.db, access.link.id).catch(() => {});
			if (session && access.role) void teams.touchMembership(this.deps.db, access.canvas.teamId, session.user.id).catch(() => {});
			// Hocuspocus refuses every document change from a read-only connection, whatever it sends.
			connectionConfig.readOnly = !access.canEdit;
			// The socket has proven itself: the pre-authentication frame budget no longer applies.
			if (context.socket) context.socket.authenticated = true;
			return {
				user: identity(session, apiKey, payload.socketId),
				sessionId: session?.session.id,
				canvasId,
				teamId: access.canvas.teamId,
				role: access.role,
				shareLinkId: access.link?.id,
				apiKeyId: apiKey?.actor.keyId,
				accessExpiresAt: earliest(linkExpiryThatMatters(access), apiKey?.expiresAt?.getTime())
			};
		} catch (error) {
			throw refusal(error);
		}
	}
}

function earliest(...moments: (number | undefined)[]): number | undefined {
	const known = moments.filter((moment): moment is number => moment !== undefined);
	return known.length ? Math.min(...known) : undefined;
}

/**
 * When the connection loses what it was granted: the share link's expiry, if the link gives more
 * than the team role alone would (access at all, or editing).
 */
function linkExpiryThatMatters(access: CanvasAccess): number | undefined {
	if (!access.link?.expiresAt) return undefined;
	const roleAlone = access.role ? (can(access.role, 'canvas.edit') ? 'edit' : 'view') : null;
	const linkAddsSomething = !roleAlone || (access.link.access === 'edit' && roleAlone === 'view');
	return linkAddsSomething ? access.link.expiresAt.getTime() : undefined;
}

/** Who collaborators see: the person, the API key under its name (not a person: no account behind it), or a guest. */
function identity(session: ValidatedSession | null, apiKey: { actor: { keyId: string }; name: string } | null, socketId: string): NonNullable<ConnectionContext['user']> {
	if (session) return { id: session.user.id, name: session.user.name, color: avatarColorOf(session.user), guest: false };
	if (apiKey) return { id: `apiKey:${apiKey.actor.keyId}`, name: apiKey.name, color: userColor(apiKey.actor.keyId), guest: true };
	return { ...guestIdentity(socketId), guest: true };
}
