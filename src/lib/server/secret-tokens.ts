// Bearer secrets for links (share links, invitations): 32 random bytes, base64url; stored only as SHA-256.
import { sha256 } from '@oslojs/crypto/sha2';
import { encodeBase64urlNoPadding, encodeHexLowerCase } from '@oslojs/encoding';

export function generateSecretToken(): string {
	const bytes = new Uint8Array(32);
	crypto.getRandomValues(bytes);
	return encodeBase64urlNoPadding(bytes);
}

export function hashSecretToken(token: string): string {
	return encodeHexLowerCase(sha256(new TextEncoder().encode(token)));
}

/** Whether a string has the shape of a token we issue (43 base64url characters). */
export function looksLikeSecretToken(value: string): boolean {
	return /^[A-Za-z0-9_-]{43}$/.test(value);
}
