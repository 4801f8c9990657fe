// See https://svelte.dev/docs/kit/types#app.d.ts
import type { Session, SignedInUser } from '$lib/server/auth/sessions';
import type { Database } from '$lib/server/db';
import type { AppError, ErrorCode } from '$lib/server/errors';
import type { Actor } from '$lib/server/access';
import type { Services } from '$lib/server/services';

declare global {
	namespace App {
		interface Locals {
			db: Database;
			/** What domain functions with effects beyond the database take (runtime.ts's `services()`). */
			services: Services;
			user: SignedInUser | null;
			session: Session | null;
			/** Who is asking: the signed-in user (then `user` is set too), an API key, or anonymous. */
			actor: Actor;
			/** Why the request's bearer token was refused, for routes that need someone to answer with. */
			bearerProblem: AppError | null;
			requestId: string;
		}
		interface Error {
			message: string;
			code?: ErrorCode;
			requestId?: string;
			/** What to do instead, when there is one thing to do (sign-in refusals: "Continue with Acme SSO"). */
			action?: { label: string; href: string };
			/** A canvas page opened by a member of its team while the canvas is in the trash. */
			trashed?: {
				id: string;
				title: string;
				teamId: string;
				deletedAt: string;
				purgeAt: string;
				deletedByName: string | null;
				canRestore: boolean;
			};
		}
	}
}

export {};
