// Who pushed a conversation, as `conversations.actor_kind` / `actor_ref` keep it (the audit log's kinds).
import type { Actor } from '../access.ts';
import type { AuditActorKind } from '../db/schema.ts';
import { AppError } from '../errors.ts';

export function actorColumns(actor: Actor): { actorKind: AuditActorKind; actorRef: string | null } {
	switch (actor.kind) {
		case 'user':
			return { actorKind: 'user', actorRef: actor.userId };
		case 'apiKey':
			return { actorKind: 'apiKey', actorRef: actor.keyId };
		case 'assistant':
			return { actorKind: 'assistant', actorRef: actor.runId };
		case 'system':
			return { actorKind: 'system', actorRef: actor.reason };
		default:
			throw new AppError('UNAUTHENTICATED', 'Sign in, or send an API key, to push conversations.');
	}
}
