import { APICallError, RetryError } from 'ai';
import { describe, expect, it } from 'vitest';
import { describeProviderError } from '../../../src/lib/server/ai/provider-errors.ts';
import { stripAiPrefix } from '../../../src/lib/server/ai/assistant-runner.ts';

const callError = (statusCode: number | undefined, responseBody?: string) =>
	new APICallError({ message: 'failed', url: 'http://127.0.0.1:9/v1/chat/completions', requestBodyValues: {}, statusCode, responseBody, isRetryable: false });

describe('describeProviderError', () => {
	it('names what the operator or admin can fix', () => {
		expect(describeProviderError(callError(401), { timeoutSeconds: 60 })).toMatchObject({
			kind: 'provider_auth',
			reason: expect.stringContaining('refused the API key')
		});
		expect(describeProviderError(callError(429), { timeoutSeconds: 60 }).reason).toMatch(/rate limiting.*429/);
		expect(describeProviderError(callError(500, '{"error":{"message":"model overloaded"}}'), { timeoutSeconds: 60 }).reason).toBe(
			'The AI provider failed (500). The provider said: "model overloaded"'
		);
		expect(describeProviderError(callError(undefined), { timeoutSeconds: 60 })).toMatchObject({ kind: 'unreachable', reason: expect.stringContaining('127.0.0.1:9') });
	});

	it('looks through the retry wrapper and network causes', () => {
		const retry = new RetryError({ message: 'gave up', reason: 'maxRetriesExceeded', errors: [callError(500), callError(429)] });
		expect(describeProviderError(retry, { timeoutSeconds: 60 }).kind).toBe('provider_rate_limited');
		const refused = new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
		expect(describeProviderError(refused, { timeoutSeconds: 60 }).kind).toBe('unreachable');
		const timeout = new DOMException('The operation timed out.', 'TimeoutError');
		expect(describeProviderError(timeout, { timeoutSeconds: 42 }).reason).toContain('42 seconds');
	});

	it('never echoes a long provider body', () => {
		const reason = describeProviderError(callError(500, JSON.stringify({ error: { message: 'x'.repeat(5000) } })), { timeoutSeconds: 60 }).reason;
		expect(reason.length).toBeLessThan(300);
	});
});

describe('stripAiPrefix', () => {
	it('takes the @ai address off a prompt', () => {
		expect(stripAiPrefix('@ai draw a web app')).toBe('draw a web app');
		expect(stripAiPrefix('  @AI, draw it')).toBe('draw it');
		expect(stripAiPrefix('@aid is a word')).toBe('@aid is a word');
	});
});
