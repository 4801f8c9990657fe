// The update log's batching: updates wait for the batch window, unless a server-side writer is
// waiting on them (`writeNow`), on both databases.
import { eq } from 'drizzle-orm';
import { expect, it } from 'vitest';
import * as Y from 'yjs';
import { documentUpdates } from '../../src/lib/server/db/schema.ts';
import { UpdateLog } from '../../src/lib/server/documents/update-log.ts';
import { describeEachDatabase } from '../helpers/databases.ts';

function anUpdate(text: string): Uint8Array {
	const doc = new Y.Doc();
	doc.getText('t').insert(0, text);
	return Y.encodeStateAsUpdate(doc);
}

describeEachDatabase('update log', (database) => {
	const rowsOf = async (document: string) => (await database().db.select().from(documentUpdates).where(eq(documentUpdates.document, document))).length;

	it('keeps updates for the batch window, and writes them at once when a writer waits on them', async () => {
		const log = new UpdateLog(database().db, { batchMs: 250 });
		try {
			const batched = `canvas:${crypto.randomUUID()}`;
			log.append(batched, anUpdate('a'));
			await new Promise((resolve) => setTimeout(resolve, 60));
			expect(await rowsOf(batched)).toBe(0);
			await log.whenSaved(batched);
			expect(await rowsOf(batched)).toBe(1);

			const waitedOn = `canvas:${crypto.randomUUID()}`;
			log.append(waitedOn, anUpdate('b'));
			const started = performance.now();
			log.writeNow();
			await log.whenSaved(waitedOn);
			expect(performance.now() - started).toBeLessThan(200);
			expect(await rowsOf(waitedOn)).toBe(1);
		} finally {
			log.close();
		}
	});
});
