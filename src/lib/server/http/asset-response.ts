// How an asset is served: its sniffed type, an ETag of its content (If-None-Match → 304), caching
// (immutable for those the canvas admits, public for a minute when only a publication does, so an
// unpublish is felt soon), and headers that keep a browser from treating it as anything but an image.
import type { OpenedAsset } from '../assets/assets.ts';
import { EXTENSIONS, type AcceptedMimeType } from '../assets/file-types.ts';
import { contentDisposition } from './content-disposition.ts';

/** An SVG opened on its own runs no script, loads nothing, and is sandboxed. */
export const SVG_CONTENT_SECURITY_POLICY = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; sandbox";

export async function assetResponse(asset: OpenedAsset, request: Request): Promise<Response> {
	const etag = `"${asset.sha256}"`;
	const headers: Record<string, string> = {
		etag,
		'cache-control': asset.publicOnly ? 'public, max-age=60' : 'private, max-age=31536000, immutable',
		'x-content-type-options': 'nosniff',
		// Pictures of private canvases are not for other sites' pages, whoever's browser asks.
		'cross-origin-resource-policy': asset.publicOnly ? 'cross-origin' : 'same-origin'
	};
	if (matchesEtag(request.headers.get('if-none-match'), etag)) return new Response(null, { status: 304, headers });
	const body = await asset.body();
	return new Response(body, {
		status: 200,
		headers: {
			...headers,
			'content-type': asset.mimeType,
			'content-length': String(asset.bytes),
			'content-disposition': assetDisposition(asset.fileName, asset.mimeType),
			...(asset.mimeType === 'image/svg+xml' ? { 'content-security-policy': SVG_CONTENT_SECURITY_POLICY } : {})
		}
	});
}

function matchesEtag(ifNoneMatch: string | null, etag: string): boolean {
	if (!ifNoneMatch) return false;
	return ifNoneMatch.split(',').some((candidate) => {
		const tag = candidate.trim();
		return tag === '*' || tag === etag || tag === `W/${etag}`;
	});
}

/** `inline` with the uploaded name, its extension made to match the real type (a PNG uploaded as "x.svg" is "x.png"). */
function assetDisposition(fileName: string | null, mimeType: string): string {
	const extension = EXTENSIONS[mimeType as AcceptedMimeType] ?? 'bin';
	return contentDisposition('inline', (fileName ?? '').replace(/\.[^.]*$/, ''), extension, 'image');
}
