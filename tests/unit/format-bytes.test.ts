import { expect, it } from 'vitest';
import { formatBytes } from '../../src/lib/format-bytes.ts';

it.each([
	[0, '0 bytes'],
	[1, '1 byte'],
	[999, '999 bytes'],
	[2_110, '2.11 KB'],
	[10_000_000, '10 MB'],
	[100_000_000, '100 MB'],
	[999_999_999, '999.9 MB'],
	[1_000_000_000, '1 GB'],
	[10_500_000_000, '10.5 GB'],
	[100_000_000_000, '100 GB']
])('formats %d bytes as %s (decimal units, cut not rounded)', (bytes, expected) => {
	expect(formatBytes(bytes)).toBe(expected);
});
