// The signed-in caller, from what hooks.server.ts put in locals, as the domain wants it.
import { AppError } from '../errors.ts';
import { ANONYMOUS, type Actor, type UserActor } from '../access.ts';
import type { SessionUser } from '../auth/sessions.ts';

/** The signed-in user; UNAUTHENTICATED without one (pages under (app) are redirected before this). */
export function userOf(locals: Pick<App.Locals, 'user'>): SessionUser {
	if (!locals.user) throw new AppError('UNAUTHENTICATED', 'Sign in again.');
	return locals.user;
}

/** The signed-in user as a domain actor. */
export function actorOf(locals: Pick<App.Locals, 'user'>): UserActor {
	return { kind: 'user', userId: userOf(locals).id };
}

/** The signed-in user as a domain actor, or the anonymous actor (pages and routes open to share links). */
export function actorOrAnonymous(locals: Pick<App.Locals, 'user'>): Actor {
	return locals.user ? actorOf(locals) : ANONYMOUS;
}
