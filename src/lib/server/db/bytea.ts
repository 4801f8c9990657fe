// Binary columns (Yjs states and updates) cross the driver boundary as base64 text.
//
// Both drivers use PostgreSQL's text protocol, where bytea travels as hex. PGlite converts that
// hex in JavaScript on the server's own thread: ~10 s to write and ~3 s to read a 20 MiB canvas
// (the embedded default would freeze for every collaborator meanwhile); as base64, decoded by the
// database and by Node's Buffer, the same takes ~1 s and ~0.2 s. postgres.js gains less (reading
// 20 MiB: ~300 → ~230 ms). See docs/benchmarks.md, "What changed since the first run".
import { sql, type SQL } from 'drizzle-orm';
import { customType, type AnyPgColumn } from 'drizzle-orm/pg-core';

/** A bytea column as Uint8Array; written through `decode(…, 'base64')`. Read it with `readBytes`. */
export const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({
	dataType: () => 'bytea',
	toDriver: (value): SQL => sql`decode(${toBase64(value)}, 'base64')`,
	fromDriver: (value) => value
});

/** Selects a bytea column as base64 (PostgreSQL wraps it in lines; Buffer skips the newlines). */
export function readBytes(column: AnyPgColumn): SQL<Uint8Array> {
	return sql<Uint8Array>`encode(${column}, 'base64')`.mapWith(fromBase64);
}

function toBase64(value: Uint8Array): string {
	return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
}

function fromBase64(value: string): Uint8Array {
	return Buffer.from(value, 'base64');
}
