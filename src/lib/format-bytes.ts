// Sizes for people, in the decimal units the plans are sold in (1 MB = 1,000,000 bytes).

/** e.g. 10 MB, 1 GB, 999.5 MB, 12 KB, 512 bytes. */
export function formatBytes(bytes: number): string {
	const units: [number, string][] = [
		[1e12, 'TB'],
		[1e9, 'GB'],
		[1e6, 'MB'],
		[1e3, 'KB']
	];
	for (const [size, unit] of units) {
		if (Math.abs(bytes) >= size) return `${trim(bytes / size)} ${unit}`;
	}
	return `${bytes} ${bytes === 1 ? 'byte' : 'bytes'}`;
}

/** Three or four significant digits, cut rather than rounded (999,999,999 bytes is 999.9 MB, not 1000 MB). */
function trim(value: number): string {
	const decimals = value >= 100 ? 1 : 2;
	const cut = Math.floor(value * 10 ** decimals) / 10 ** decimals;
	return cut.toFixed(decimals).replace(/\.?0+$/, '');
}
