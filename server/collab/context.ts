// What a collaboration connection carries from authentication to every later hook.
import type { Role } from '../../src/lib/server/db/schema.ts';

export interface ConnectionContext {
	/** Client address, for logs and rate limits. */
	ip: string;
	/** Session token from the cookie, kept only when the upgrade came from an allowed origin. */
	cookieSessionToken?: string;
	/** Set by onAuthenticate. */
	user?: { id: string; name: string; color: string };
	sessionId?: string;
	canvasId?: string;
	role?: Role;
}
