// What a collaboration connection carries from authentication to every later hook.
import type { Role } from '../../src/lib/server/db/schema.ts';
import type { DocumentWriter } from '../../src/lib/server/runtime.ts';
import type { StoredDocument } from '../../src/lib/server/documents/document-store.ts';
import type { SocketState } from './frames.ts';

export interface ConnectionContext {
	/** Client address, for logs and rate limits. */
	ip: string;
	/** Session token from the cookie, kept only when the upgrade came from an allowed origin. */
	cookieSessionToken?: string;
	/** Set by onAuthenticate: who is connected (a guest gets a generated identity). */
	user?: { id: string; name: string; color: string; guest: boolean };
	sessionId?: string;
	canvasId?: string;
	teamId?: string;
	/** The team role, null when access comes only from a share link. */
	role?: Role | null;
	shareLinkId?: string;
	/** Set when an API key opened the connection: the key's id (its revocation closes the connection). */
	apiKeyId?: string;
	/**
	 * When what this connection depends on runs out (ms since the epoch): the share link's expiry, or
	 * the API key's; the socket is re-authorised then.
	 */
	accessExpiresAt?: number;
	/** Only on a server-side write (writes.ts): who is writing, and as what. */
	writer?: DocumentWriter;
	/** Only on a load started by an opening (opening-loads.ts): the stored document it already read. */
	storedDocument?: StoredDocument;
	/** Shared by every document on one socket (the context is copied per document, this object is not). */
	socket?: SocketState;
}
