// onAuthenticate: resolves who is connecting to which document and what they may do there.
import type { Extension, onAuthenticatePayload } from '@hocuspocus/server';
import type { Database } from '../../src/lib/server/db/index.ts';
import { resolveCanvasAccess } from '../../src/lib/server/access.ts';
import { validateSessionToken } from '../../src/lib/server/auth/sessions.ts';
import { parseCanvasDocumentName } from '../../src/lib/server/canvases.ts';
import { AppError } from '../../src/lib/server/errors.ts';
import { userColor } from '../../src/lib/user-color.ts';
import type { ConnectionContext } from './context.ts';
import { refusal } from './refusal.ts';

/** The provider token a browser sends when it authenticates with its session cookie instead. */
export const COOKIE_TOKEN = 'cookie';

export class Authentication implements Extension {
	priority = 1000;

	private readonly deps: { db: Database; sessionDays: number };

	constructor(deps: { db: Database; sessionDays: number }) {
		this.deps = deps;
	}

	async onAuthenticate(payload: onAuthenticatePayload<ConnectionContext>): Promise<Partial<ConnectionContext>> {
		const { documentName, token, context, connectionConfig } = payload;
		try {
			const canvasId = parseCanvasDocumentName(documentName);
			if (!canvasId) throw new AppError('NOT_FOUND', 'Unknown document.');
			const sessionToken = token && token !== COOKIE_TOKEN ? token : context.cookieSessionToken;
			if (!sessionToken) throw new AppError('UNAUTHENTICATED', 'Sign in to open this canvas.');
			const validated = await validateSessionToken(this.deps.db, sessionToken, this.deps.sessionDays);
			if (!validated) throw new AppError('UNAUTHENTICATED', 'Your session has expired. Sign in again.');
			const access = await resolveCanvasAccess(this.deps.db, { kind: 'user', userId: validated.user.id }, canvasId);
			// Hocuspocus refuses every document change from a read-only connection, whatever it sends.
			connectionConfig.readOnly = !access.canEdit;
			return {
				user: { id: validated.user.id, name: validated.user.name, color: userColor(validated.user.id) },
				sessionId: validated.session.id,
				canvasId,
				role: access.role
			};
		} catch (error) {
			throw refusal(error);
		}
	}
}
