// tldraw's record schema on the server (the same tldraw version the browser pins): bringing records
// written by an older tldraw up to the current one, e.g. a version saved before an upgrade.
import { createTLSchema } from '@tldraw/tlschema';
import type { SerializedSchema } from '@tldraw/store';
import { AppError } from './errors.ts';

const schema = createTLSchema();

/**
 * The records as the current tldraw expects them. `writtenWith` is the serialized schema stored
 * beside them (a document's `meta.schema`); without one they are taken as current.
 */
export function migrateRecords(records: Record<string, unknown>, writtenWith: unknown): Record<string, unknown> {
	if (!writtenWith || typeof writtenWith !== 'object') return records;
	const result = schema.migrateStoreSnapshot({ store: records as never, schema: writtenWith as SerializedSchema });
	if (result.type === 'error') {
		throw new AppError('CONFLICT', 'This version was saved by a newer or unknown version of the editor and can’t be opened here.');
	}
	return result.value as Record<string, unknown>;
}
