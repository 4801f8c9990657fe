// A message's images: stored ones through the canvas's asset store (members by cookie, share-link guests
// by the link's token, exports inline them), inline pictures as they are, and remote addresses never
// loaded, shown as links instead (see imageSourceKind).
import { useEffect, useState } from 'react';
import { useDelaySvgExport, type Editor, type TLAsset } from 'tldraw';
import { stop } from './card-events.ts';
import { imageSourceKind } from './card-model.ts';

export function CardImages({ editor, sources, interactive }: { editor: Editor; sources: string[]; interactive: boolean }) {
	return (
		<div className="easel-card-images">
			{sources.map((src, index) => (
				<CardImage key={`${index}:${src}`} editor={editor} src={src} number={index + 1} interactive={interactive} />
			))}
		</div>
	);
}

function CardImage({ editor, src, number, interactive }: { editor: Editor; src: string; number: number; interactive: boolean }) {
	const kind = imageSourceKind(src);
	const resolved = useResolvedImage(editor, kind === 'stored' ? src : null);
	const exportReady = useDelaySvgExport();
	const shown = kind === 'inline' ? src : kind === 'stored' ? resolved : null;
	useEffect(() => {
		// Nothing to wait for: a remote or unusable address, or a stored one that could not be resolved.
		if (kind === 'remote' || kind === 'unusable' || (kind === 'stored' && resolved === null)) exportReady();
	}, [kind, resolved, exportReady]);

	if (kind === 'remote') {
		const host = hostOf(src);
		return interactive ? (
			<a className="easel-card-image-link" href={src} target="_blank" rel="noopener noreferrer" onPointerDown={stop} onPointerUp={stop}>
				Image {number} at {host}
			</a>
		) : (
			<span className="easel-card-image-link">
				Image {number} at {host}
			</span>
		);
	}
	if (kind === 'unusable' || (kind === 'stored' && resolved === null)) return <span className="easel-card-image-missing">Image {number} is unavailable</span>;
	if (!shown) return <span className="easel-card-image-loading" aria-label={`Image ${number} is loading`} />;
	return <img className="easel-card-image" src={shown} alt={`Image ${number} of the message`} draggable={false} onLoad={exportReady} onError={exportReady} />;
}

/** A stored image's address for this viewer: undefined while resolving, null when it cannot be shown. */
function useResolvedImage(editor: Editor, src: string | null): string | null | undefined {
	const [resolved, setResolved] = useState<{ src: string; url: string | null } | null>(null);
	useEffect(() => {
		if (!src) return;
		let current = true;
		// The store resolves tldraw asset records; a card's image is an address, so it goes as a minimal image asset.
		const asset = { id: 'asset:message-card-image', typeName: 'asset', type: 'image', props: { src }, meta: {} } as unknown as TLAsset;
		Promise.resolve(
			editor.store.props.assets.resolve(asset, {
				screenScale: 1,
				steppedScreenScale: 1,
				dpr: editor.getInstanceState().devicePixelRatio,
				networkEffectiveType: null,
				shouldResolveToOriginal: true
			})
		).then(
			(url) => current && setResolved({ src, url }),
			() => current && setResolved({ src, url: null })
		);
		return () => {
			current = false;
		};
	}, [editor, src]);
	if (!src) return null;
	return resolved?.src === src ? resolved.url : undefined;
}

function hostOf(src: string): string {
	try {
		return new URL(src).host;
	} catch {
		return 'another site';
	}
}
