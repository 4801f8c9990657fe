// The edge of the image-job routes: the service, the largest body (a sketch as base64 inside JSON),
// and the playground's guest cookie (who may follow a guest's jobs).
import type { RequestEvent } from '@sveltejs/kit';
import { z } from 'zod';
import { runtime } from '../runtime.ts';
import type { ImageJobs } from '../jobs/image-jobs.ts';
import type { Actor } from '../access.ts';
import { MAX_SKETCH_BYTES } from '../../live-sketch.ts';
import { readJson } from './api.ts';

const GUEST_COOKIE = 'easel_sketch_guest';
const GUEST_ID = /^[0-9a-f]{32}$/;

export function imageJobs(): ImageJobs {
	return runtime().imageJobs;
}

/** Who follows or cancels a job: anyone (a guest is known by their cookie), but a refused bearer token says why. */
export function jobReader(event: RequestEvent): Actor {
	if (event.locals.bearerProblem) throw event.locals.bearerProblem;
	return event.locals.actor;
}

/** A JSON body with a sketch in it: base64 takes 4/3 of the picture, plus the other fields. */
export function readImageRequest(event: RequestEvent): Promise<Record<string, unknown>> {
	return readJson(event, z.record(z.string(), z.unknown()), { limit: Math.ceil((MAX_SKETCH_BYTES * 4) / 3) + 64 * 1024 });
}

/** The playground guest's id from their cookie, if they have one. */
export function guestIdOf(event: RequestEvent): string | undefined {
	const value = event.cookies.get(GUEST_COOKIE);
	return value && GUEST_ID.test(value) ? value : undefined;
}

/** The guest's id, giving them one (an HttpOnly cookie for the API's paths) on their first sketch. */
export function ensureGuestId(event: RequestEvent): string {
	const known = guestIdOf(event);
	if (known) return known;
	const id = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('hex');
	event.cookies.set(GUEST_COOKIE, id, { httpOnly: true, sameSite: 'lax', secure: runtime().config.secureCookies, path: '/api/v1', maxAge: 7 * 24 * 60 * 60 });
	return id;
}
