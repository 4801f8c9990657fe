// Moving from the embedded database to PostgreSQL with `npm run db:export` and `npm run db:import`,
// checked the way an operator and their users would notice: same sign-in, same canvases, same content.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, connectCanvas, createCanvas, signUp, waitFor, type TestUser } from '../helpers/clients.ts';
import { SEEDED_RECORD_COUNT, geoShape, richText, seedCanvas, testShape } from '../helpers/tldraw-records.ts';
import { MIGRATIONS_FOLDER } from '../../server/bootstrap.ts';
import { openDatabase } from '../../src/lib/server/db/index.ts';
import * as transfer from '../../src/lib/server/db/transfer/index.ts';
import { createScratchPostgres, postgresAvailable } from '../helpers/databases.ts';
import { freePort, startServer, type RunningServer } from '../helpers/server.ts';
import { FileBlobStore, readBlob } from '../../src/lib/server/assets/blob-store.ts';
import { imageAsset, imageShape, storeTestAsset, tinyPng, type StoredTestAsset } from '../helpers/stored-assets.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Runs `server/db-transfer.ts` as `npm run db:export` / `db:import` would. */
function transferCli(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
	return new Promise((resolve) => {
		const child = spawn(process.execPath, [join(ROOT, 'server', 'db-transfer.ts'), ...args], {
			cwd: ROOT,
			env: { ...process.env, DATABASE_URL: '', ...env },
			stdio: ['ignore', 'pipe', 'pipe']
		});
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (chunk) => (stdout += chunk));
		child.stderr.on('data', (chunk) => (stderr += chunk));
		child.on('exit', (code) => resolve({ code, stdout, stderr }));
	});
}

/** Every file under `dir` with its content hash: equal before and after means nothing was changed. */
function fingerprint(dir: string): Record<string, string> {
	const files: Record<string, string> = {};
	const walk = (path: string) => {
		for (const entry of readdirSync(path)) {
			const full = join(path, entry);
			if (statSync(full).isDirectory()) walk(full);
			else files[relative(dir, full)] = createHash('sha256').update(readFileSync(full)).digest('hex');
		}
	};
	walk(dir);
	return files;
}

/** Row count and a digest of every row's text form (bytea as hex), per table. */
const TABLE_DIGEST = (table: string) => `select count(*)::int as rows, coalesce(md5(string_agg(t::text, E'\\n' order by t::text)), '') as digest from "${table}" t`;

/** The export with its header changed and the trailer's checksum recomputed, as a well-formed file from another Easel would be. */
function resealed(lines: string[], change: (header: Record<string, Record<string, unknown>>) => unknown): string {
	return resealedLines([JSON.stringify(change(JSON.parse(lines[0]))), ...lines.slice(1)]);
}

/** `lines` (ending with the trailer and an empty line) with the trailer's checksum recomputed; `trailer` may change it too. */
function resealedLines(lines: string[], trailerChange: (trailer: Record<string, unknown>) => void = () => {}): string {
	const body = lines.slice(0, -2).map((line) => `${line}\n`);
	const trailer = JSON.parse(lines.at(-2)!);
	trailerChange(trailer);
	trailer.sha256 = createHash('sha256').update(body.join('')).digest('hex');
	return `${body.join('')}${JSON.stringify(trailer)}\n`;
}

const available = await postgresAvailable();

describe.skipIf(!available)('moving the embedded database to PostgreSQL', () => {
	const work = mkdtempSync(join(tmpdir(), 'easel-transfer-'));
	const dataDir = join(work, 'data');
	/** Where the PostgreSQL server keeps its stored files (the import writes them there). */
	const targetDataDir = join(work, 'target-data');
	const exportFile = join(work, 'easel-export.jsonl');
	let image: StoredTestAsset;
	const scratches: { url: string; drop(): Promise<void> }[] = [];
	let embedded: RunningServer | undefined;
	let onPostgres: RunningServer | undefined;
	let owner: TestUser;
	let teamId: string;
	let canvasId: string;
	let teamCanvasId: string;
	let records: Record<string, unknown>;
	let tables: string[];

	async function scratchDatabase() {
		const scratch = await createScratchPostgres();
		scratches.push(scratch);
		return scratch.url;
	}

	beforeAll(async () => {
		embedded = await startServer({ dataDir });
		owner = await signUp(embedded.url, 'Owner');
		const team = await api(embedded.url, '/api/v1/teams', { token: owner.token, body: { name: 'Moving team' } });
		teamId = team.body.id;
		await api(embedded.url, `/api/v1/teams/${teamId}/invitations`, { token: owner.token, body: { role: 'editor' } });
		canvasId = await createCanvas(embedded.url, owner, 'Roadmap');
		const teamCanvas = await api(embedded.url, '/api/v1/canvases', { token: owner.token, body: { title: 'Team board', teamId } });
		teamCanvasId = teamCanvas.body.id;

		// An uploaded image on the canvas: its rows and bytes, stored as the upload route stores them (the embedded database is one process's: the server steps aside meanwhile).
		await embedded.stop('SIGTERM');
		const direct = await openDatabase({ dataDir: join(dataDir, 'pg') });
		image = await storeTestAsset(direct.db, new FileBlobStore(join(dataDir, 'assets')), canvasId, tinyPng(40), 'image/png', { uploadedBy: owner.id });
		await direct.close();
		embedded = await embedded.restart();

		const client = connectCanvas(embedded.wsUrl, `canvas:${canvasId}`, owner.token);
		await client.synced;
		seedCanvas(client.records);
		client.doc.transact(() => {
			for (let i = 0; i < 50; i++) client.records.set(`shape:${i}`, geoShape(`shape:${i}`, { x: i * 10, y: 100 - i }, { richText: richText(`box ${i} ✓`) }));
			client.records.set('asset:photo', imageAsset('asset:photo', image.src));
			client.records.set('shape:photo', imageShape('shape:photo', 'asset:photo'));
		});
		records = client.records.toJSON();
		await waitFor(
			async () =>
				Object.keys((await api(embedded!.url, `/api/v1/canvases/${canvasId}/document`, { token: owner.token })).body.records ?? {}).length === 52 + SEEDED_RECORD_COUNT,
			10_000,
			'the edits to be stored'
		);
		const named = await api(embedded.url, `/api/v1/canvases/${canvasId}/versions`, { token: owner.token, body: { label: 'Before the move' } });
		expect(named.status).toBe(201);
		client.destroy();
		// A conversation a program pushed: its rows move with everything else.
		const pushed = await api(embedded.url, `/api/v1/canvases/${teamCanvasId}/conversations`, {
			token: owner.token,
			body: {
				externalId: 'moving-day',
				messages: [
					{ role: 'user', content: 'Are we there yet?' },
					{ role: 'assistant', content: 'Almost.' }
				]
			}
		});
		expect(pushed.status).toBe(201);
	});

	afterAll(async () => {
		await embedded?.stop('SIGKILL');
		await onPostgres?.dispose();
		for (const scratch of scratches) await scratch.drop();
		rmSync(work, { recursive: true, force: true });
	});

	it('refuses to export while a server holds the data directory', async () => {
		const result = await transferCli(['export', '--out', exportFile], { DATA_DIR: dataDir });
		expect(result.code).toBe(1);
		expect(result.stderr).toMatch(/in use by a running Easel process \(pid \d+\)\. Stop it first/);
		expect(existsSync(exportFile)).toBe(false);
	});

	it('exports a stopped data directory without changing it', async () => {
		expect(await embedded!.stop('SIGTERM')).toBe(0);
		embedded = undefined;
		const before = fingerprint(dataDir);
		const result = await transferCli(['export', '--out', exportFile], { DATA_DIR: dataDir });
		expect(result.stderr).toBe('');
		expect(result.code).toBe(0);
		expect(result.stdout).toMatch(/Exported \d+ rows from \d+ tables and 1 stored files/);
		expect(fingerprint(dataDir)).toEqual(before);
		const lines = readFileSync(exportFile, 'utf8').trimEnd().split('\n');
		expect(lines.filter((line) => line.startsWith('{"blob":')).map((line) => JSON.parse(line))).toEqual([
			{ blob: image.storageKey, contentType: 'image/png', bytes: image.bytes, offset: 0, data: Buffer.from(tinyPng(40)).toString('base64') }
		]);
		expect(JSON.parse(lines.at(-1)!)).toMatchObject({ end: true, blobs: 1 });
		const header = JSON.parse(lines[0]);
		tables = header.tables.map((table: { name: string }) => table.name);
		// Parents before children: a canvas's team and author come before it.
		expect(tables.indexOf('teams')).toBeLessThan(tables.indexOf('canvases'));
		expect(tables.indexOf('users')).toBeLessThan(tables.indexOf('memberships'));
		expect(tables.indexOf('canvases')).toBeLessThan(tables.indexOf('share_links'));
	});

	it('imports every table exactly, bytea included, in foreign-key order', async () => {
		const url = await scratchDatabase();
		const result = await transferCli(['import', exportFile], { DATABASE_URL: url, DATA_DIR: targetDataDir });
		expect(result.stderr).toBe('');
		expect(result.code).toBe(0);
		expect(result.stdout).toMatch(/Imported \d+ rows into \d+ tables .*, and 1 stored files .* into .*target-data/);
		// The image's bytes are in the target's blob store, under the key its rows name.
		const stored = await new FileBlobStore(join(targetDataDir, 'assets')).get(image.storageKey);
		expect(stored && (await readBlob(stored))).toEqual(tinyPng(40));

		const target = postgres(url, { max: 1, onnotice: () => {}, connection: { TimeZone: 'UTC' } });
		const source = new PGlite(join(dataDir, 'pg')); // the export is done: opening the original is fine now
		try {
			await source.exec(`set timezone = 'UTC'`);
			const digests: Record<string, { rows: number; digest: string }>[] = [{}, {}];
			for (const table of tables) {
				digests[0][table] = (await source.query<{ rows: number; digest: string }>(TABLE_DIGEST(table))).rows[0];
				const [row] = await target.unsafe(TABLE_DIGEST(table));
				digests[1][table] = { rows: row.rows, digest: row.digest };
			}
			expect(digests[1]).toEqual(digests[0]);
			for (const table of ['users', 'canvases', 'documents', 'document_versions', 'audit_log', 'conversations', 'conversation_messages'])
				expect(digests[0][table].rows, table).toBeGreaterThan(0);
			// Identity columns continue after the imported ids instead of colliding with them.
			const identities = await target<{ table: string; column: string }[]>`
				select c.relname as "table", a.attname as "column" from pg_attribute a join pg_class c on c.oid = a.attrelid
				join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'public' and a.attidentity <> ''`;
			expect(identities.length).toBeGreaterThan(0);
			for (const { table, column } of identities) {
				const [{ next, highest }] = await target.unsafe(
					`select nextval(pg_get_serial_sequence('"${table}"', '${column}'))::int as next, (select coalesce(max("${column}"), 0)::int from "${table}") as highest`
				);
				expect(next, `${table}.${column}`).toBeGreaterThan(highest);
			}
		} finally {
			await source.close();
			await target.end();
		}
	});

	it('on PostgreSQL, users sign in with the same password and find their canvases as they left them', async () => {
		const url = scratches[0].url;
		onPostgres = await startServer({ env: { DATABASE_URL: url }, dataDir: targetDataDir });
		const login = await api(onPostgres.url, '/api/v1/auth/login', { body: { email: owner.email, password: owner.password } });
		expect(login.status).toBe(200);
		expect((await api(onPostgres.url, '/api/v1/auth/login', { body: { email: owner.email, password: 'not the password' } })).status).toBe(401);
		const token = login.body.token;
		// Sessions moved too: a token from before the move still works.
		expect((await api(onPostgres.url, '/api/v1/me', { token: owner.token })).status).toBe(200);

		const personal = await api(onPostgres.url, '/api/v1/canvases', { token });
		expect(personal.body.canvases.map((canvas: { id: string; title: string }) => [canvas.id, canvas.title])).toEqual([[canvasId, 'Roadmap']]);
		const team = await api(onPostgres.url, `/api/v1/canvases?teamId=${teamId}`, { token });
		expect(team.body.canvases.map((canvas: { id: string }) => canvas.id)).toEqual([teamCanvasId]);

		const document = await api(onPostgres.url, `/api/v1/canvases/${canvasId}/document`, { token });
		expect(document.body.records).toEqual(records);
		const client = connectCanvas(onPostgres.wsUrl, `canvas:${canvasId}`, token);
		try {
			await client.synced;
			expect(client.records.toJSON()).toEqual(records);
			// The canvas keeps working: a new edit is stored (identity sequences were moved past the imported rows).
			client.records.set('shape:after-move', testShape('shape:after-move', { after: 'move' }));
			await waitFor(
				async () => 'shape:after-move' in ((await api(onPostgres!.url, `/api/v1/canvases/${canvasId}/document`, { token })).body.records ?? {}),
				10_000,
				'the edit after the move'
			);
		} finally {
			client.destroy();
		}
		const invitation = await api(onPostgres.url, `/api/v1/teams/${teamId}/invitations`, { token, body: { role: 'viewer' } });
		expect(invitation.status).toBe(201);

		const versions = await api(onPostgres.url, `/api/v1/canvases/${canvasId}/versions`, { token });
		const named = versions.body.versions.find((version: { label: string | null }) => version.label === 'Before the move');
		expect(named).toBeDefined();
		const preview = await api(onPostgres.url, `/api/v1/canvases/${canvasId}/versions/${named.id}`, { token });
		expect(preview.body.records).toEqual(records);
	});

	it('refuses a target that already holds data, and leaves it as it was', async () => {
		const url = scratches[0].url;
		const count = async () => {
			const sql = postgres(url, { max: 1, onnotice: () => {} });
			const [{ users }] = await sql<{ users: number }[]>`select count(*)::int as users from users`;
			await sql.end();
			return users;
		};
		const before = await count();
		const result = await transferCli(['import', exportFile], { DATABASE_URL: url });
		expect(result.code).toBe(1);
		expect(result.stderr).toMatch(/^The target database is not empty \(rows in .*users.*\): import only into a new, empty database\. Nothing was imported\.\n$/);
		expect(await count()).toBe(before);
	});

	it('refuses a truncated, edited or foreign file before writing anything', async () => {
		const url = await scratchDatabase();
		const whole = readFileSync(exportFile, 'utf8');
		const lines = whole.split('\n');
		const cases: [string, string, RegExp][] = [
			['cut mid-line', whole.slice(0, Math.floor(whole.length * 0.7)), /not valid at line \d+: it is not valid JSON/],
			['cut at a line', lines.slice(0, -2).join('\n') + '\n', /incomplete: it ends before its end marker/],
			['edited', whole.replace('"Roadmap"', '"Roadmaq"'), /checksum does not match/],
			['another version', whole.replace('"version":2,', '"version":3,'), /format version 3; this Easel reads versions 1 and 2/],
			[
				'another migration level',
				resealed(lines, (header) => ({ ...header, migration: { ...header.migration, tag: '0003_versions', createdAt: 1 } })),
				/made at migration 0003_versions but this Easel is at 0\d{3}_/
			],
			[
				'a stored file whose bytes do not match their hash',
				resealedLines(
					lines.map((line) => (line.startsWith('{"blob":') ? line.replace(/"data":"[^"]*"/, `"data":"${Buffer.from(tinyPng(41)).toString('base64')}"`) : line))
				),
				/content of blobs\/[0-9a-f]{64} does not match its hash/
			],
			[
				'a stored file cut short',
				resealedLines(lines.map((line) => (line.startsWith('{"blob":') ? line.replace(/"bytes":\d+/, '"bytes":999999') : line))),
				/ends before its last part/
			],
			['not an export', '{"hello":"world"}\n', /does not start with an Easel export header/],
			['empty', '', /The export file is empty/]
		];
		for (const [what, content, message] of cases) {
			const file = join(work, `bad-${what.replace(/ /g, '-')}.jsonl`);
			writeFileSync(file, content);
			const result = await transferCli(['import', file], { DATABASE_URL: url });
			expect({ what, code: result.code, stderr: result.stderr }).toMatchObject({ what, code: 1, stderr: expect.stringMatching(message) });
			expect(result.stderr.trim().split('\n')).toHaveLength(1);
		}
		const sql = postgres(url, { max: 1, onnotice: () => {} });
		const [{ schemas }] = await sql<{ schemas: number }[]>`select count(*)::int as schemas from pg_namespace where nspname = 'drizzle'`;
		const [{ relations }] = await sql<
			{ relations: number }[]
		>`select count(*)::int as relations from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'public'`;
		await sql.end();
		expect({ schemas, relations }).toEqual({ schemas: 0, relations: 0 });
	});

	it('still imports a version 1 export (from before stored files were exported)', async () => {
		const target = await openDatabase({ url: await scratchDatabase(), migrationsFolder: MIGRATIONS_FOLDER, maxConnections: 1 });
		try {
			const lines = readFileSync(exportFile, 'utf8').split('\n');
			const header = JSON.parse(lines[0]);
			const versionOne = resealedLines([JSON.stringify({ ...header, version: 1 }), ...lines.slice(1).filter((line) => !line.startsWith('{"blob":'))], (trailer) => {
				delete trailer.blobs;
			});
			async function* stream() {
				yield* versionOne.trimEnd().split('\n');
			}
			const blobs = new FileBlobStore(join(work, 'version-one-assets'));
			const summary = await transfer.importDatabase(target.db, stream(), { migration: transfer.codeMigrationLevel(MIGRATIONS_FOLDER), blobs });
			expect(summary.rows.canvases).toBeGreaterThan(0);
			expect(summary.blobs).toEqual({ count: 0, bytes: 0 });
		} finally {
			await target.close();
		}
	});

	it('rolls the whole import back when the file turns out bad after rows were written', async () => {
		const target = await openDatabase({ url: await scratchDatabase(), migrationsFolder: MIGRATIONS_FOLDER, maxConnections: 1 });
		try {
			const lines = readFileSync(exportFile, 'utf8').trimEnd().split('\n');
			lines[lines.length - 1] = lines.at(-1)!.replace(/"sha256":"[0-9a-f]+"/, `"sha256":"${'0'.repeat(64)}"`);
			async function* stream() {
				yield* lines;
			}
			const blobs = new FileBlobStore(join(work, 'rolled-back-assets'));
			await expect(transfer.importDatabase(target.db, stream(), { migration: transfer.codeMigrationLevel(MIGRATIONS_FOLDER), blobs })).rejects.toThrow(/checksum/);
			expect(await transfer.nonEmptyTables(target.db)).toEqual([]);
		} finally {
			await target.close();
		}
	});

	it('exports an older data directory at the current migration level, and refuses one from a newer Easel', async () => {
		// A data directory last used by the Easel before the newest migration.
		const migrations = join(work, 'older-migrations');
		cpSync(MIGRATIONS_FOLDER, migrations, { recursive: true });
		const journalPath = join(migrations, 'meta', '_journal.json');
		const journal = JSON.parse(readFileSync(journalPath, 'utf8'));
		journal.entries.pop();
		writeFileSync(journalPath, JSON.stringify(journal));
		const olderDir = join(work, 'older');
		const older = await openDatabase({ dataDir: join(olderDir, 'pg'), migrationsFolder: migrations });
		await older.close();
		const before = fingerprint(olderDir);

		const out = join(work, 'older-export.jsonl');
		const result = await transferCli(['export', '--out', out], { DATA_DIR: olderDir });
		expect(result.code).toBe(0);
		expect(result.stderr).toMatch(/was at an older migration; its copy was migrated to/);
		expect(JSON.parse(readFileSync(out, 'utf8').split('\n')[0]).migration).toEqual(transfer.codeMigrationLevel(MIGRATIONS_FOLDER));
		expect(fingerprint(olderDir)).toEqual(before);

		const newer = await openDatabase({ dataDir: join(olderDir, 'pg'), migrationsFolder: MIGRATIONS_FOLDER });
		await newer.db.execute(sql`insert into drizzle.__drizzle_migrations (hash, created_at) values ('future', ${Number.MAX_SAFE_INTEGER})`);
		await newer.close();
		const refused = await transferCli(['export', '--out', join(work, 'newer-export.jsonl')], { DATA_DIR: olderDir });
		expect(refused.code).toBe(1);
		expect(refused.stderr).toMatch(/was last used by a newer Easel .*: export it with that version\.\n$/);
		expect(existsSync(join(work, 'newer-export.jsonl'))).toBe(false);
	});

	it('explains a missing or unreachable DATABASE_URL and a missing file in one line', async () => {
		const missingUrl = await transferCli(['import', exportFile], {});
		expect(missingUrl.code).toBe(1);
		expect(missingUrl.stderr).toMatch(/^DATABASE_URL is not set/);
		const port = await freePort();
		const unreachable = await transferCli(['import', exportFile], { DATABASE_URL: `postgres://easel:secret@127.0.0.1:${port}/easel` });
		expect(unreachable.code).toBe(1);
		expect(unreachable.stderr).toBe(`Cannot connect to the PostgreSQL database at 127.0.0.1:${port}/easel: connect ECONNREFUSED 127.0.0.1:${port}\n`);
		const missingFile = await transferCli(['import', join(work, 'nope.jsonl')], { DATABASE_URL: scratches[0].url });
		expect(missingFile.code).toBe(1);
		expect(missingFile.stderr).toMatch(/^No such file: /);
		const noData = await transferCli(['export', '--out', join(work, 'x.jsonl')], { DATA_DIR: join(work, 'empty') });
		expect(noData.code).toBe(1);
		expect(noData.stderr).toMatch(/^No embedded database in .*: nothing to export\.\n$/);
	});
});
