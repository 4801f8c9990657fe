// The /api/v1 edge of publishing: who is calling (a person or a team's API key), the JSON shapes of a
// publication, and raw image bodies read with a cap.
import type { RequestEvent } from '@sveltejs/kit';
import type { Actor } from '../access.ts';
import { AppError } from '../errors.ts';
import { publicationUrl, type Publication, type PublicationRef } from '../publications.ts';
import { requireUser } from './api.ts';
import { actorOf } from './actor.ts';

/** The caller as a domain actor: the signed-in person, or a team's API key (its scopes decide); UNAUTHENTICATED otherwise. */
export function callerActor(event: RequestEvent): Actor {
	if (event.locals.actor.kind === 'apiKey') return event.locals.actor;
	requireUser(event);
	return actorOf(event.locals);
}

export function publicationRefJson(publication: PublicationRef, publicOrigin: string) {
	return {
		id: publication.id,
		slug: publication.slug,
		url: publicationUrl(publicOrigin, publication.slug),
		publishedAt: publication.publishedAt.toISOString(),
		versionId: publication.versionId
	};
}

export function publicationJson(publication: Publication, publicOrigin: string) {
	return {
		...publicationRefJson(publication, publicOrigin),
		title: publication.title,
		description: publication.description,
		tags: publication.tags,
		authorName: publication.authorName,
		moderation: publication.moderation,
		moderationReason: publication.moderationReason,
		viewCount: publication.viewCount,
		remixCount: publication.remixCount,
		hasPreview: publication.hasPreview,
		previewUrl: `${publicationUrl(publicOrigin, publication.slug)}/preview`
	};
}

/** The request body's bytes, refusing more than `maxBytes` (declared or streamed) with `tooLarge()`. */
export async function readBodyBytes(request: Request, maxBytes: number, tooLarge: () => AppError): Promise<Uint8Array> {
	const declared = Number(request.headers.get('content-length') ?? '0');
	if (declared > maxBytes) throw tooLarge();
	if (!request.body) return new Uint8Array();
	const chunks: Uint8Array[] = [];
	let total = 0;
	const reader = request.body.getReader();
	for (;;) {
		const { done, value } = await reader.read();
		if (done) break;
		total += value.byteLength;
		if (total > maxBytes) {
			await reader.cancel().catch(() => {});
			throw tooLarge();
		}
		chunks.push(value);
	}
	const bytes = new Uint8Array(total);
	let offset = 0;
	for (const chunk of chunks) {
		bytes.set(chunk, offset);
		offset += chunk.byteLength;
	}
	return bytes;
}
