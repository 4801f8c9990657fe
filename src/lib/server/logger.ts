// Structured JSON logs (pino). Secrets and tokens are redacted wherever they appear.
import pino, { type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string): Logger {
	return pino({
		level,
		base: { service: 'easel' },
		redact: {
			paths: ['token', '*.token', 'password', '*.password', 'cookie', '*.cookie', 'headers.cookie', 'headers.authorization'],
			censor: '[redacted]'
		}
	});
}
