// The JSON shapes of a publication in /api/v1.
import { publicationUrl, type Publication, type PublicationRef } from '../publications.ts';

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
