// Unique test data, so suites that share a database or server never collide.
import { randomBytes } from 'node:crypto';

let counter = 0;
export function uniqueEmail(prefix = 'user'): string {
	return `${prefix}-${Date.now().toString(36)}-${(counter++).toString(36)}-${randomBytes(3).toString('hex')}@example.com`;
}
