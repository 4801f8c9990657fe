// Version history: capture, retention (locked, then pruned), named versions, on both databases.
import { expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import * as Y from 'yjs';
import * as accounts from '../../src/lib/server/accounts.ts';
import * as billing from '../../src/lib/server/billing.ts';
import * as canvases from '../../src/lib/server/canvases.ts';
import * as history from '../../src/lib/server/history.ts';
import { canvases as canvasRows, documentVersions, memberships } from '../../src/lib/server/db/schema.ts';
import type { OpenDatabase } from '../../src/lib/server/db/index.ts';
import { createTLSchema } from '@tldraw/tlschema';
import { describeEachDatabase, uniqueEmail } from '../helpers/databases.ts';
import { recordingServices } from '../helpers/services.ts';
import { geoShape } from '../helpers/tldraw-records.ts';
import { documentName } from '../../src/lib/document-names.ts';

const DAY = 86_400_000;

function stateWith(records: Record<string, unknown>): Uint8Array {
	const doc = new Y.Doc();
	for (const [key, value] of Object.entries(records)) doc.getMap('records').set(key, value);
	return Y.encodeStateAsUpdate(doc);
}

async function setup(db: OpenDatabase['db']) {
	const user = await accounts.signUp(db, { email: uniqueEmail(), password: 'password123', name: 'Hist' });
	const actor = { kind: 'user' as const, userId: user.id };
	const canvas = await canvases.create(db, actor, { teamId: user.personalTeamId });
	return { actor, teamId: user.personalTeamId, canvasId: canvas.id, document: documentName('canvas', canvas.id) };
}

async function age(db: OpenDatabase['db'], versionId: string, days: number) {
	await db
		.update(documentVersions)
		.set({ createdAt: new Date(Date.now() - days * DAY) })
		.where(eq(documentVersions.id, versionId));
}

describeEachDatabase('version history', (database) => {
	it('stores versions compressed and gives back their records', async () => {
		const { db } = database();
		const { actor, canvasId, document } = await setup(db);
		const records = Object.fromEntries(
			Array.from({ length: 200 }, (_, i) => [`shape:${i}`, { id: `shape:${i}`, type: 'geo', x: i, y: i, props: { geo: 'rectangle', w: 100, h: 100, color: 'black' } }])
		);
		const state = stateWith(records);
		const version = await history.capture(db, { document, state, kind: 'auto', authorIds: [actor.userId] });
		expect(version.bytes).toBeLessThan(state.byteLength / 3);
		const { records: back } = await history.getRecords(db, actor, canvasId, version.id);
		expect(back).toEqual(records);
	});

	it('a version written by an older tldraw is migrated to the current schema when opened, and an unknown one is refused', async () => {
		const { db } = database();
		const { actor, canvasId, document } = await setup(db);
		const current = createTLSchema().serialize();
		// A rectangle as tldraw wrote it before rich text (geo props version 9: plain `text`, no flips).
		const { richText: _richText, flipX: _flipX, flipY: _flipY, ...olderProps } = geoShape('shape:old').props;
		const doc = new Y.Doc();
		doc.getMap('records').set('shape:old', { ...geoShape('shape:old'), props: { ...olderProps, text: 'Legacy label' } });
		doc.getMap('meta').set('schema', { ...current, sequences: { ...current.sequences, 'com.tldraw.shape.geo': 9 } });
		const version = await history.capture(db, { document, state: Y.encodeStateAsUpdate(doc), kind: 'named', label: 'Before the upgrade' });
		const { records } = await history.getRecords(db, actor, canvasId, version.id);
		const migrated = records['shape:old'] as { props: Record<string, unknown> };
		expect(migrated.props).toMatchObject({ flipX: false, flipY: false });
		expect(JSON.stringify(migrated.props.richText)).toContain('Legacy label');
		expect(migrated.props).not.toHaveProperty('text');

		doc.getMap('meta').set('schema', { ...current, sequences: { ...current.sequences, 'com.tldraw.shape.geo': 999 } });
		const future = await history.capture(db, { document, state: Y.encodeStateAsUpdate(doc), kind: 'named', label: 'From the future' });
		await expect(history.getRecords(db, actor, canvasId, future.id)).rejects.toMatchObject({ code: 'CONFLICT' });
	});

	it('free teams see versions older than 7 days as locked, and pruning deletes them after the grace period', async () => {
		const { db } = database();
		const { actor, canvasId, document, teamId } = await setup(db);
		const recent = await history.capture(db, { document, state: stateWith({ a: 1 }), kind: 'auto' });
		const old = await history.capture(db, { document, state: stateWith({ a: 2 }), kind: 'auto' });
		const ancient = await history.capture(db, { document, state: stateWith({ a: 3 }), kind: 'named', label: 'Launch' });
		await age(db, old.id, 10);
		await age(db, ancient.id, 20);

		const { versions, historyDays } = await history.list(db, actor, canvasId);
		expect(historyDays).toBe(7);
		expect(versions.map((v) => [v.id, v.locked])).toEqual([
			[recent.id, false],
			[old.id, true],
			[ancient.id, true]
		]);
		await expect(history.getRecords(db, actor, canvasId, old.id)).rejects.toMatchObject({
			code: 'LIMIT_EXCEEDED',
			message: 'The Free plan keeps 7 days of history; this version is older. Upgrade to Pro to open it.'
		});

		// Pro keeps 90 days and named versions: both unlock.
		await billing.setPlan(db, teamId, 'pro', null);
		expect((await history.list(db, actor, canvasId)).versions.every((v) => !v.locked)).toBe(true);

		// Back on free: 10-day-old is still inside the 7-day grace, 20-day-old named is not.
		await billing.setPlan(db, teamId, 'free', null);
		expect(await history.prune(db)).toBeGreaterThanOrEqual(1);
		const left = (await history.list(db, actor, canvasId)).versions.map((v) => v.id);
		expect(left).toEqual([recent.id, old.id]);
		// A fake clock a week later: the (then 17-day-old) version goes too; the recent one stays.
		await history.prune(db, new Date(Date.now() + 7 * DAY));
		expect((await history.list(db, actor, canvasId)).versions.map((v) => v.id)).toEqual([recent.id]);
	});

	it('paid plans keep named versions past retention; the team plan keeps everything', async () => {
		const { db } = database();
		const { actor, canvasId, document, teamId } = await setup(db);
		await billing.setPlan(db, teamId, 'pro', null);
		const named = await history.capture(db, { document, state: stateWith({ a: 1 }), kind: 'named', label: 'Keep' });
		const auto = await history.capture(db, { document, state: stateWith({ a: 2 }), kind: 'auto' });
		await age(db, named.id, 400);
		await age(db, auto.id, 400);
		await history.prune(db);
		expect((await history.list(db, actor, canvasId)).versions.map((v) => v.id)).toEqual([named.id]);
		await billing.setPlan(db, teamId, 'team', 2);
		const older = await history.capture(db, { document, state: stateWith({ a: 3 }), kind: 'auto' });
		await age(db, older.id, 1000);
		await history.prune(db);
		expect((await history.list(db, actor, canvasId)).versions.map((v) => [v.id, v.locked])).toEqual([
			[named.id, false],
			[older.id, false]
		]);
	});

	it('pruning deletes versions whose canvas is gone, of every kind, once, and leaves other names alone', async () => {
		const { db } = database();
		const { canvasId, document } = await setup(db);
		const live = await setup(db);
		const orphans = [
			await history.capture(db, { document, state: stateWith({ a: 1 }), kind: 'named', label: 'Left behind' }),
			await history.capture(db, { document: documentName('chat', canvasId), state: stateWith({ a: 2 }), kind: 'auto' })
		];
		const kept = [
			await history.capture(db, { document: live.document, state: stateWith({ a: 3 }), kind: 'auto' }),
			await history.capture(db, { document: documentName('chat', live.canvasId), state: stateWith({ a: 4 }), kind: 'auto' }),
			// Not a canvas's document at all: nothing says who owns it, so pruning keeps it.
			await history.capture(db, { document: `canvas:${canvasId.toUpperCase()}`, state: stateWith({ a: 5 }), kind: 'auto' })
		];
		// What deleting a canvas did before it deleted history: the canvas goes, its versions stay.
		await db.delete(canvasRows).where(eq(canvasRows.id, canvasId));
		expect(await history.prune(db)).toBeGreaterThanOrEqual(orphans.length);
		const ids = (await db.select({ id: documentVersions.id }).from(documentVersions)).map((row) => row.id);
		for (const orphan of orphans) expect(ids).not.toContain(orphan.id);
		for (const version of kept) expect(ids).toContain(version.id);
		expect(await history.prune(db)).toBe(0);
	});

	it('named versions: editors save, admins rename and delete, automatic ones cannot be renamed', async () => {
		const { db } = database();
		const { actor, canvasId, document, teamId } = await setup(db);
		const editorUser = await accounts.signUp(db, { email: uniqueEmail(), password: 'password123' });
		await db.insert(memberships).values({ teamId, userId: editorUser.id, role: 'editor' });
		const editor = { kind: 'user' as const, userId: editorUser.id };
		const services = recordingServices(db, { readDocumentState: async () => stateWith({ 'shape:x': { id: 'shape:x' } }) });
		const saved = await history.saveNamed(services, editor, canvasId, '  Before refactor ');
		expect(saved).toMatchObject({ kind: 'named', label: 'Before refactor', createdBy: editorUser.id });
		await expect(history.saveNamed(services, editor, canvasId, '   ')).rejects.toMatchObject({ code: 'INVALID_INPUT', message: 'Give the version a name.' });
		await expect(history.rename(db, editor, canvasId, saved.id, 'Nope')).rejects.toMatchObject({ code: 'FORBIDDEN' });
		expect((await history.rename(db, actor, canvasId, saved.id, 'After refactor')).label).toBe('After refactor');
		const auto = await history.capture(db, { document, state: stateWith({}), kind: 'auto' });
		await expect(history.rename(db, actor, canvasId, auto.id, 'x')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
		await history.remove(db, actor, canvasId, saved.id);
		await expect(history.getRecords(db, actor, canvasId, saved.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
		const stranger = await accounts.signUp(db, { email: uniqueEmail(), password: 'password123' });
		await expect(history.list(db, { kind: 'user', userId: stranger.id }, canvasId)).rejects.toMatchObject({ code: 'NOT_FOUND' });
		await expect(history.getRecords(db, actor, canvasId, crypto.randomUUID())).rejects.toMatchObject({ code: 'NOT_FOUND' });
	});
});
