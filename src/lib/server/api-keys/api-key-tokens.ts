// The form of an API key's secret: `easel_` + 32 random bytes in lower-case base32 (RFC 4648, no
// padding). Base32 rather than base64url: every character is a letter or digit, so a double click
// selects the whole key in a terminal or an editor (`-` in base64url breaks the selection), and it
// reads the same whatever the case a person retypes it in. Only the SHA-256 of a key is stored.
import { encodeBase32LowerCaseNoPadding } from '@oslojs/encoding';
import { hashSecretToken } from '../secret-tokens.ts';

/** API keys start with this; everything after it is the key's secret. */
export const API_KEY_PREFIX = 'easel_';

const SECRET_BYTES = 32;
/** 32 bytes are 52 base32 characters. */
const API_KEY = /^easel_[a-z2-7]{52}$/;
/** How much of the secret a list shows after `easel_`, to tell keys apart (never enough to guess one). */
const SHOWN_SECRET_CHARACTERS = 6;

export function generateApiKeyToken(): string {
	const bytes = new Uint8Array(SECRET_BYTES);
	crypto.getRandomValues(bytes);
	return API_KEY_PREFIX + encodeBase32LowerCaseNoPadding(bytes);
}

/** Whether a bearer token has the exact form of a key Easel issues (checked before any lookup). */
export function looksLikeApiKey(token: string): boolean {
	return API_KEY.test(token);
}

/** What lists show of a key: `easel_` and the first characters of its secret. */
export function apiKeyPrefix(token: string): string {
	return token.slice(0, API_KEY_PREFIX.length + SHOWN_SECRET_CHARACTERS);
}

/** The SHA-256 (hex) kept in api_keys.token_hash. */
export function hashApiKey(token: string): string {
	return hashSecretToken(token);
}
