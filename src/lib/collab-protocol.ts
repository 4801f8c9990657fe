// The collaboration socket's wire facts, in one place for the server, the browser and the
// benchmark: where it lives, how a provider token says what it carries, and the close codes and
// reasons the server ends a connection with.
import { ERROR_CODES } from './error-codes.ts';

/** Path of the collaboration WebSocket on the app's own port. */
export const COLLAB_PATH = '/collab';

/** Provider token meaning "use my HttpOnly session cookie" (browsers; only from an allowed Origin). */
export const COOKIE_TOKEN = 'cookie';
/** Prefix of a provider token that carries a share-link token. */
export const SHARE_TOKEN_PREFIX = 'share:';

/** Why the server closes one document connection; the client acts on the reason. */
export const CONNECTION_CLOSES = {
	/** Reconnect and be authorised afresh (role, link or membership changed, a link expired). */
	ACCESS_CHANGED: { code: 4012, reason: 'ACCESS_CHANGED' },
	ACCESS_REVOKED: { code: ERROR_CODES.FORBIDDEN.closeCode, reason: 'ACCESS_REVOKED' },
	UNAUTHENTICATED: { code: ERROR_CODES.UNAUTHENTICATED.closeCode, reason: 'UNAUTHENTICATED' },
	DELETED: { code: ERROR_CODES.NOT_FOUND.closeCode, reason: 'DELETED' },
	/** Moved to its team's trash (or its team was): gone until someone restores it; what it held is kept. */
	TRASHED: { code: ERROR_CODES.NOT_FOUND.closeCode, reason: 'TRASHED' },
	/** The connection kept rewriting what the server reverted (a client bug): reload. */
	REVERT_LOOP: { code: ERROR_CODES.CONFLICT.closeCode, reason: 'CONFLICT' }
} as const;

/** Why the server closes a whole socket. */
export const SOCKET_CLOSES = {
	/** Not a well-formed message (text, broken envelope, undecodable or out-of-bounds Yjs payload). */
	MALFORMED_MESSAGE: { code: 4422, reason: 'MALFORMED_MESSAGE' },
	/** Too much before authenticating, or too many sync requests after. */
	FLOOD: { code: ERROR_CODES.RATE_LIMITED.closeCode, reason: 'RATE_LIMITED' },
	/** The server is restarting (shutdown, or changes refused while it drains); providers reconnect. */
	SERVER_RESTARTING: { code: 1012, reason: 'Server restarting' }
} as const;

export type ConnectionCloseReason = keyof typeof CONNECTION_CLOSES;

/** The Hocuspocus provider's own close when it heard nothing for too long: a reconnect, not a refusal. */
export const CLIENT_TIMEOUT_CODE = 4408;
