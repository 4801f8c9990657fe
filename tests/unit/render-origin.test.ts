import { describe, expect, it } from 'vitest';
import { renderOrigin } from '../../src/lib/server/rendering/chromium-renderer.ts';

describe('where the server renderer finds its render page', () => {
	it('uses localhost for a wildcard or loopback HOST, whichever family the server listens on', () => {
		for (const host of ['0.0.0.0', '::', '127.0.0.1', '::1', 'localhost']) expect(renderOrigin(host, 3000)).toBe('http://localhost:3000');
	});

	it('uses any other HOST as it is, IPv6 in brackets', () => {
		expect(renderOrigin('10.0.0.5', 8080)).toBe('http://10.0.0.5:8080');
		expect(renderOrigin('easel.internal', 80)).toBe('http://easel.internal:80');
		expect(renderOrigin('fd00::5', 3000)).toBe('http://[fd00::5]:3000');
	});
});
