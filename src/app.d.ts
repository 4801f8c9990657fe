// See https://svelte.dev/docs/kit/types#app.d.ts
import type { Session, SessionUser } from '$lib/server/auth/sessions';
import type { Database } from '$lib/server/db';
import type { ErrorCode } from '$lib/server/errors';
import type { Services } from '$lib/server/services';

declare global {
	namespace App {
		interface Locals {
			db: Database;
			/** What domain functions with effects beyond the database take (runtime.ts's `services()`). */
			services: Services;
			user: SessionUser | null;
			session: Session | null;
			requestId: string;
		}
		interface Error {
			message: string;
			code?: ErrorCode;
			requestId?: string;
		}
	}
}

export {};
