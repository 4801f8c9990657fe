// The rules every change to a canvas's records meets, whoever writes it (a client's socket or a
// server-side writer), as a table.
import { describe, expect, it } from 'vitest';
import {
	changedAssetSources,
	migrateRecords,
	recordsDiff,
	tldrawSchema,
	validateMetaChanges,
	validateRecordChanges,
	type KeyChange
} from '../../src/lib/server/canvas-records.ts';
import { DOCUMENT_RECORD, PAGE_RECORD, geoShape, richText } from '../helpers/tldraw-records.ts';
import { imageAsset } from '../helpers/stored-assets.ts';

const LIMITS = { maxRecordBytes: 4096, maxRecords: 5 };

/** The records map after a change, and the change as Y.YMapEvent would report it. */
function changeOf(before: Record<string, unknown>, after: Record<string, unknown>) {
	const changes = new Map<string, KeyChange>();
	for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
		if (!(key in after)) changes.set(key, { action: 'delete', oldValue: before[key] });
		else if (!(key in before)) changes.set(key, { action: 'add', oldValue: undefined });
		else if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) changes.set(key, { action: 'update', oldValue: before[key] });
	}
	return { view: new Map(Object.entries(after)), changes };
}

const seeded = { [DOCUMENT_RECORD.id]: DOCUMENT_RECORD, [PAGE_RECORD.id]: PAGE_RECORD };
const box = geoShape('shape:box');

describe('validateRecordChanges', () => {
	it.each([
		['a valid shape on the page', { 'shape:box': box }, null],
		['a shape whose id does not match its key', { 'shape:other': box }, /does not match its key/],
		['a per-tab record (camera)', { 'camera:page:page': { id: 'camera:page:page', typeName: 'camera', x: 0, y: 0, z: 1, meta: {} } }, /not a canvas record/],
		[
			'a user record (identity comes from accounts)',
			{ 'user:me': { id: 'user:me', typeName: 'user', name: 'Me', color: '#f00', imageUrl: '', meta: {} } },
			/not a canvas record/
		],
		['a shape missing its props', { 'shape:box': { ...box, props: {} } }, /./],
		['a shape at NaN', { 'shape:box': { ...box, x: Number.NaN } }, /./],
		['a shape on a page that does not exist', { 'shape:box': geoShape('shape:box', { parentId: 'page:missing' }) }, /page:missing, which does not exist/],
		['a record over the size limit', { 'shape:box': geoShape('shape:box', {}, { richText: richText('x'.repeat(5000)) }) }, /more than 4096/],
		['not an object', { 'shape:box': 'hello' }, /not a record object/]
	] as const)('%s', (_label, added, problem) => {
		const { view, changes } = changeOf(seeded, { ...seeded, ...added });
		const problems = validateRecordChanges(view, changes, LIMITS);
		const [key] = Object.keys(added);
		if (problem === null) expect(problems.size).toBe(0);
		else expect(problems.get(key)).toMatch(problem);
	});

	it('refuses additions past the record limit but not edits to existing records', () => {
		const full = { ...seeded, 'shape:a': geoShape('shape:a'), 'shape:b': geoShape('shape:b'), 'shape:c': geoShape('shape:c') };
		const adding = changeOf(full, { ...full, 'shape:d': geoShape('shape:d') });
		expect(validateRecordChanges(adding.view, adding.changes, LIMITS).get('shape:d')).toMatch(/most records allowed/);
		const moving = changeOf(full, { ...full, 'shape:a': geoShape('shape:a', { x: 500 }) });
		expect(validateRecordChanges(moving.view, moving.changes, LIMITS).size).toBe(0);
	});

	it('refuses a child whose refused parent was added with it', () => {
		const frame = { ...geoShape('shape:parent'), x: Number.NaN };
		const child = geoShape('shape:child', { parentId: 'shape:parent' });
		const { view, changes } = changeOf(seeded, { ...seeded, 'shape:parent': frame, 'shape:child': child });
		expect(validateRecordChanges(view, changes, LIMITS).get('shape:child')).toMatch(/shape:parent, which was refused/);
	});

	it('lets deletions through', () => {
		const { view, changes } = changeOf({ ...seeded, 'shape:box': box }, seeded);
		expect(validateRecordChanges(view, changes, LIMITS).size).toBe(0);
	});
});

describe('asset records', () => {
	const uploaded = '/api/v1/assets/0f1e2d3c-4b5a-4968-8776-655443322110';
	it.each([
		['an uploaded asset', uploaded, null],
		['no src yet (null)', null, null],
		['no src yet (empty)', '', null],
		['a legacy inline image', 'data:image/png;base64,iVBORw0KGgo=', null],
		['an image on another host', 'https://cdn.example/cat.png', /must be an uploaded file/],
		['a tldraw asset: reference', 'asset:elsewhere', /must be an uploaded file/],
		['inline HTML', 'data:text/html,<script>alert(1)</script>', /must be an uploaded file|valid url/],
		['an inline video as an image', 'data:video/mp4;base64,AAAA', /must be an uploaded file/],
		['our path on another host', `https://evil.example${uploaded}`, /must be an uploaded file/]
	] as const)('an image whose src is %s', (_label, src, problem) => {
		const { view, changes } = changeOf(seeded, { ...seeded, 'asset:a': imageAsset('asset:a', src) });
		const problems = validateRecordChanges(view, changes, { maxRecordBytes: 4096, maxRecords: 100 });
		if (problem) expect(problems.get('asset:a')).toMatch(problem);
		else expect(problems.size).toBe(0);
	});

	it('leaves alone a src the record already had, and a bookmark’s link', () => {
		const before = { ...seeded, 'asset:a': imageAsset('asset:a', 'https://cdn.example/cat.png') };
		const { view, changes } = changeOf(before, { ...seeded, 'asset:a': imageAsset('asset:a', 'https://cdn.example/cat.png', { name: 'renamed' }) });
		expect(validateRecordChanges(view, changes, LIMITS).size).toBe(0);
		const bookmark = {
			id: 'asset:b',
			typeName: 'asset',
			type: 'bookmark',
			meta: {},
			props: { title: 'Docs', description: '', image: '', favicon: '', src: 'https://tldraw.dev' }
		};
		const added = changeOf(seeded, { ...seeded, 'asset:b': bookmark });
		expect(validateRecordChanges(added.view, added.changes, LIMITS).size).toBe(0);
	});

	it('names the stored assets a change points at anew, and not those a record already pointed at', () => {
		const other = '/api/v1/assets/11111111-2222-4333-8444-555555555555';
		const before = { ...seeded, 'asset:kept': imageAsset('asset:kept', uploaded), 'asset:moved': imageAsset('asset:moved', uploaded) };
		const after = {
			...seeded,
			'asset:kept': imageAsset('asset:kept', uploaded, { name: 'renamed' }),
			'asset:moved': imageAsset('asset:moved', other),
			'asset:new': imageAsset('asset:new', uploaded.toUpperCase().replace('/API/V1/ASSETS/', '/api/v1/assets/')),
			'asset:inline': imageAsset('asset:inline', 'data:image/png;base64,iVBORw0KGgo=')
		};
		const { view, changes } = changeOf(before, after);
		expect(Object.fromEntries(changedAssetSources(view, changes))).toEqual({
			'asset:moved': '11111111-2222-4333-8444-555555555555',
			'asset:new': '0f1e2d3c-4b5a-4968-8776-655443322110'
		});
	});
});

describe('validateMetaChanges', () => {
	it.each([
		['the current schema', 'schema', tldrawSchema.serialize(), null],
		['an unknown key', 'owner', 'me', /unknown meta key/],
		['a schema from a newer tldraw', 'schema', { schemaVersion: 2, sequences: { 'com.tldraw.shape': 9999 } }, /newer or unknown/]
	] as const)('%s', (_label, key, value, problem) => {
		const { view, changes } = changeOf({}, { [key]: value });
		const problems = validateMetaChanges(view, changes, LIMITS);
		if (problem === null) expect(problems.size).toBe(0);
		else expect(problems.get(key)).toMatch(problem);
	});
});

describe('recordsDiff and migrateRecords', () => {
	it('sets only what differs and deletes what the target lacks', () => {
		const current = { a: { v: 1 }, b: { v: 2 }, c: { v: 3 } };
		expect(recordsDiff(current, { a: { v: 1 }, b: { v: 20 }, d: { v: 4 } })).toEqual({
			set: [
				['b', { v: 20 }],
				['d', { v: 4 }]
			],
			remove: ['c']
		});
	});

	it('leaves records alone without a schema, and refuses ones from an unknown tldraw', () => {
		expect(migrateRecords({ 'shape:box': box }, undefined)).toEqual({ 'shape:box': box });
		expect(() => migrateRecords({ 'shape:box': box }, { schemaVersion: 2, sequences: { 'com.tldraw.shape': 9999 } })).toThrow(/newer or unknown version/);
	});
});
