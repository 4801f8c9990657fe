// See https://svelte.dev/docs/kit/types#app.d.ts
import type { Session, SessionUser } from '$lib/server/auth/sessions';
import type { Database } from '$lib/server/db';
import type { ErrorCode } from '$lib/server/errors';

declare global {
	namespace App {
		interface Locals {
			db: Database;
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
