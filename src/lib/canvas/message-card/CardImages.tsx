// A message's images: stored ones through their tldraw asset record and the canvas's asset store
// (members by cookie, share-link guests by the link's token; exports inline them), and a program's
// links never loaded, shown as links instead (see cardImageKind).
import { useEffect, useState } from 'react';
import { useDelaySvgExport, useValue, type Editor, type TLAssetId } from 'tldraw';
import type { MessageCardImage } from '../../conversations/message-card.ts';
import { stop } from './card-events.ts';
import { cardImageKind } from './card-model.ts';

export function CardImages({ editor, images, interactive }: { editor: Editor; images: MessageCardImage[]; interactive: boolean }) {
	return (
		<div className="easel-card-images">
			{images.map((image, index) => (
				<CardImage key={`${index}:${image.assetId || image.url}`} editor={editor} image={image} number={index + 1} interactive={interactive} />
			))}
		</div>
	);
}

function CardImage({ editor, image, number, interactive }: { editor: Editor; image: MessageCardImage; number: number; interactive: boolean }) {
	const kind = cardImageKind(image);
	const resolved = useResolvedImage(editor, kind === 'stored' ? (image.assetId as TLAssetId) : null);
	const exportReady = useDelaySvgExport();
	useEffect(() => {
		// Nothing to wait for: a link, or a stored picture that cannot be shown.
		if (kind !== 'stored' || resolved === null) exportReady();
	}, [kind, resolved, exportReady]);

	if (kind === 'remote') {
		const label = `Image ${number} at ${hostOf(image.url)}`;
		return interactive ? (
			<a className="easel-card-image-link" href={image.url} target="_blank" rel="noopener noreferrer" onPointerDown={stop} onPointerUp={stop}>
				{label}
			</a>
		) : (
			<span className="easel-card-image-link">{label}</span>
		);
	}
	if (kind === 'unusable' || resolved === null) return <span className="easel-card-image-missing">Image {number} is unavailable</span>;
	if (resolved === undefined) return <span className="easel-card-image-loading" role="img" aria-label={`Image ${number} is loading`} />;
	return <img className="easel-card-image" src={resolved} alt={`Image ${number} of the message`} draggable={false} onLoad={exportReady} onError={exportReady} />;
}

/** A stored image's address for this viewer: undefined while resolving, null when it cannot be shown (no such asset, or refused). */
function useResolvedImage(editor: Editor, assetId: TLAssetId | null): string | null | undefined {
	const [resolved, setResolved] = useState<{ assetId: string; url: string | null } | null>(null);
	// Resolved again when the asset record arrives or changes (a card can sync before its picture's record).
	const src = useValue('card image source', () => (assetId ? ((editor.getAsset(assetId)?.props as { src?: string | null } | undefined)?.src ?? null) : null), [
		editor,
		assetId
	]);
	useEffect(() => {
		if (!assetId) return;
		let current = true;
		editor.resolveAssetUrl(assetId, { shouldResolveToOriginal: true }).then(
			(url) => current && setResolved({ assetId, url }),
			() => current && setResolved({ assetId, url: null })
		);
		return () => {
			current = false;
		};
	}, [editor, assetId, src]);
	if (!assetId) return null;
	return resolved?.assetId === assetId && (resolved.url !== null || src === null) ? resolved.url : undefined;
}

function hostOf(url: string): string {
	try {
		return new URL(url).host;
	} catch {
		return 'another site';
	}
}
