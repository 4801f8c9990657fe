// `Content-Disposition` for files people download (exports, a run's design document): `attachment`
// with an ASCII `filename` any client reads safely and the exact name in `filename*` (RFC 6266).

export function attachmentDisposition(fileName: string, fallback = 'download'): string {
	const ascii =
		fileName
			.normalize('NFKD')
			.replace(/[^\x20-\x7e]/g, '')
			.replace(/["\\/;%*?<>|:]/g, '_')
			.trim() || fallback;
	const exact = encodeURIComponent(fileName).replace(/['()*]/g, (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`);
	return `attachment; filename="${ascii}"; filename*=UTF-8''${exact}`;
}
