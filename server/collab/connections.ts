// The open document connections of this instance, found by who and what they are: closing the ones
// a revocation or deletion affects, and the ones whose share link or API key expired (checked every
// second, so an expiry takes effect like a revocation, within R = 5 s).
import type { Document, Hocuspocus } from '@hocuspocus/server';
import { CONNECTION_CLOSES } from '../../src/lib/collab-protocol.ts';
import type { CloseReason, ConnectionMatch } from '../../src/lib/server/runtime.ts';
import type { ConnectionContext } from './context.ts';

const EXPIRY_SWEEP_MS = 1_000;

interface OpenConnection {
	context: ConnectionContext;
	close(event?: { code: number; reason: string }): void;
}

export interface LocalConnections {
	/** Closes the connections matching every given field; returns how many. */
	close(match: ConnectionMatch, reason: CloseReason): number;
	/** Closes every connection to a document that is gone. */
	closeDocument(documentName: string, reason: string): void;
	stop(): void;
}

export function trackLocalConnections(hocuspocus: Hocuspocus<ConnectionContext>): LocalConnections {
	const connectionsOf = (document: Document) => [...document.connections.keys()] as OpenConnection[];

	const expirySweep = setInterval(() => {
		const now = Date.now();
		for (const document of hocuspocus.documents.values()) {
			for (const connection of connectionsOf(document)) {
				const expiresAt = connection.context.accessExpiresAt;
				if (expiresAt !== undefined && expiresAt <= now) connection.close(CONNECTION_CLOSES.ACCESS_CHANGED);
			}
		}
	}, EXPIRY_SWEEP_MS);
	expirySweep.unref();

	return {
		close(match, reason) {
			let closed = 0;
			for (const document of hocuspocus.documents.values()) {
				for (const connection of connectionsOf(document)) {
					if (!matches(connection.context, match)) continue;
					connection.close(CONNECTION_CLOSES[reason]);
					closed++;
				}
			}
			return closed;
		},
		closeDocument(documentName, reason) {
			const document = hocuspocus.documents.get(documentName);
			if (!document) return;
			for (const connection of connectionsOf(document)) connection.close({ code: CONNECTION_CLOSES.DELETED.code, reason });
		},
		stop() {
			clearInterval(expirySweep);
		}
	};
}

function matches(context: ConnectionContext, match: ConnectionMatch): boolean {
	return (
		(match.canvasId === undefined || context.canvasId === match.canvasId) &&
		(match.teamId === undefined || context.teamId === match.teamId) &&
		(match.userId === undefined || context.user?.id === match.userId) &&
		(match.sessionId === undefined || context.sessionId === match.sessionId) &&
		(match.shareLinkId === undefined || context.shareLinkId === match.shareLinkId) &&
		(match.apiKeyId === undefined || context.apiKeyId === match.apiKeyId)
	);
}
