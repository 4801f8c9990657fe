// The /api/v1 edge of publishing: who is calling (a person or a team's API key) and the JSON shapes of a
// publication.
import type { RequestEvent } from '@sveltejs/kit';
import type { Actor } from '../access.ts';
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
