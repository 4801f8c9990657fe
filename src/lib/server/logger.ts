// Structured JSON logs (pino). Secrets and tokens are redacted wherever they appear, and errors are
// serialised without the values of the query that failed.
import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string, destination?: DestinationStream): Logger {
	return pino(
		{
			level,
			base: { service: 'easel' },
			serializers: { err: serializeError, error: serializeError },
			redact: {
				paths: ['token', '*.token', 'password', '*.password', 'cookie', '*.cookie', 'headers.cookie', 'headers.authorization'],
				censor: '[redacted]'
			}
		},
		destination
	);
}

/**
 * Properties that carry a failed query's values or row contents: drizzle's `params`, PGlite's
 * `params`/`queryOptions`, postgres.js's `parameters`/`args`/`types` (enumerable in debug mode), and
 * PostgreSQL's `detail`/`where` (`Key (email)=(…) already exists.`).
 */
const VALUE_KEYS = new Set(['params', 'parameters', 'args', 'types', 'queryOptions', 'detail', 'where']);
const MAX_CAUSES = 5;

/**
 * An error as a plain object for the log: type, message, stack, code and the driver's own fields,
 * with its `cause` chain serialised the same way, but never a query's parameters, whichever driver
 * (or drizzle, which writes them into `message` and so into `stack`) put them there.
 */
export function serializeError(error: unknown, depth = 0): unknown {
	if (!(error instanceof Error)) return error;
	const message = withoutParams(error.message);
	const serialized: Record<string, unknown> = {
		type: error.constructor?.name ?? error.name,
		message,
		stack: error.stack && error.message ? error.stack.split(error.message).join(message) : error.stack
	};
	for (const [key, value] of Object.entries(error)) {
		if (key in serialized || key === 'cause' || VALUE_KEYS.has(key)) continue;
		serialized[key] = value instanceof Error ? serializeError(value, depth + 1) : value;
	}
	if (error instanceof AggregateError) serialized.errors = error.errors.map((inner) => serializeError(inner, depth + 1));
	if (error.cause !== undefined) serialized.cause = depth < MAX_CAUSES ? serializeError(error.cause, depth + 1) : '[more causes]';
	return serialized;
}

/** drizzle's DrizzleQueryError message is `Failed query: <sql>\nparams: <values>`: keep the SQL only. */
function withoutParams(message: string): string {
	const at = message.indexOf('\nparams: ');
	return message.startsWith('Failed query: ') && at >= 0 ? `${message.slice(0, at)}\nparams: [redacted]` : message;
}
