// The baseline: @hocuspocus/server with no extensions (no auth, no persistence), in its own process.
// With DATABASE_URL it becomes the smallest persistent Hocuspocus (what @hocuspocus/extension-database
// does: one snapshot row per document, loaded on open and written when the last client leaves), the
// reference for what loading from the database costs by itself (cold load only). Bytes cross the
// driver as base64, as in Easel, so the two differ by Easel's own work, not by the encoding.
// Prints `READY <port>` once listening on 127.0.0.1; answers `loaded-documents` over IPC; exits with its parent.
import { Server, type Extension } from '@hocuspocus/server';
import postgres from 'postgres';
import * as Y from 'yjs';

const databaseUrl = process.env.DATABASE_URL;
const sql = databaseUrl ? postgres(databaseUrl, { onnotice: () => {} }) : undefined;
const persistence: Extension[] = [];
if (sql) {
	await sql`create table if not exists bare_documents (name text primary key, state bytea not null)`;
	persistence.push({
		async onLoadDocument({ document, documentName }) {
			const [row] = await sql<{ state: string }[]>`select encode(state, 'base64') as state from bare_documents where name = ${documentName}`;
			if (row) Y.applyUpdate(document, Buffer.from(row.state, 'base64'));
		},
		async onStoreDocument({ document, documentName }) {
			const state = Buffer.from(Y.encodeStateAsUpdate(document)).toString('base64');
			await sql`insert into bare_documents (name, state) values (${documentName}, decode(${state}, 'base64'))
				on conflict (name) do update set state = excluded.state`;
		}
	});
}

const server = new Server({ port: Number(process.env.PORT ?? 0), address: '127.0.0.1', quiet: true, stopOnSignals: false, extensions: persistence });
await server.listen();
const stop = async () => {
	await server.destroy().catch(() => {});
	await sql?.end({ timeout: 5 });
	process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
process.on('disconnect', () => void stop());
process.on('message', (message) => {
	if (message === 'loaded-documents') process.send?.({ loadedDocuments: server.hocuspocus.getDocumentsCount() });
});
process.stdout.write(`READY ${server.address.port}\n`);
