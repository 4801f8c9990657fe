// Server-side validation of what clients write into a canvas: every record a client adds or changes
// in `records` is checked with tldraw's own schema validators (plus size, count and reference
// checks), and a bad one is reverted at once by the server: the previous value comes back, or the
// new record is removed. Reverting rather than refusing the Yjs update keeps every client's history
// causally intact (a refused update would strand the sender's later ones); the revert reaches all
// clients right behind the bad change, and the browser binding skips invalid records it receives.
//
// A client that writes the same refused change again whenever it is reverted would loop for ever
// (every round logged and broadcast): such a connection is closed, loudly. Content in top-level
// types a canvas doesn't have is deleted (frames.ts refuses the writes it can see on arrival).
import { isTransactionOrigin, type afterLoadDocumentPayload, type Connection, type Extension } from '@hocuspocus/server';
import { createTLSchema, type TLRecord } from '@tldraw/tlschema';
import * as Y from 'yjs';
import type { Logger } from '../../src/lib/server/logger.ts';
import { SHARED_RECORD_TYPES } from '../../src/lib/shared-records.ts';
import { TOP_LEVEL_TYPES } from './frames.ts';

/** Any Yjs type held in a document's `share` (top-level) map. */
type TopLevelType = Y.Doc['share'] extends Map<string, infer T> ? T : never;

/** Keys a client may write in the `meta` map. */
const META_KEYS = new Set(['schema']);
/**
 * Reverted transactions from one connection within the window that mean it is looping: a person
 * pasting bad records is reverted once per paste, a client rewriting on every revert many times a second.
 */
export const REVERT_LOOP = { transactions: 30, windowMs: 10_000 };
/** Close code and reason for a connection that keeps rewriting what the server reverts. */
export const REVERT_LOOP_CLOSE = { code: 4409, reason: 'CONFLICT' } as const;

export interface RecordLimits {
	/** Largest JSON size of one record (long texts, inline images). */
	maxRecordBytes: number;
	/** Most records one canvas may hold. */
	maxRecords: number;
}

type YMapChange = { action: 'add' | 'update' | 'delete'; oldValue: unknown };

export class RecordValidation implements Extension {
	private readonly schema = createTLSchema();
	private readonly limits: RecordLimits;
	private readonly logger: Logger;
	private readonly onRejected: (count: number) => void;
	private readonly onRevertLoop: () => void;
	/** Per connection: when its current window of reverts started, and how many it holds. */
	private readonly reverts = new WeakMap<Connection, { since: number; transactions: number }>();

	constructor(options: RecordLimits & { logger: Logger; onRejected?: (count: number) => void; onRevertLoop?: () => void }) {
		this.limits = { maxRecordBytes: options.maxRecordBytes, maxRecords: options.maxRecords };
		this.logger = options.logger;
		this.onRejected = options.onRejected ?? (() => {});
		this.onRevertLoop = options.onRevertLoop ?? (() => {});
	}

	async afterLoadDocument({ document, documentName }: afterLoadDocumentPayload): Promise<void> {
		const topLevelTypes = TOP_LEVEL_TYPES.canvas;
		// Stored before unknown types were refused: nothing reads them, so they go.
		for (const [name, type] of document.share) if (!topLevelTypes.has(name)) this.purge(document, name, type, documentName);
		document.on('afterTransaction', (transaction: Y.Transaction) => {
			if (!fromClient(transaction)) return;
			for (const changed of transaction.changed.keys()) {
				const [name, root] = rootOf(document, changed);
				if (name !== undefined && !topLevelTypes.has(name)) this.purge(document, name, root, documentName);
			}
		});
		const records = document.getMap<unknown>('records');
		const meta = document.getMap<unknown>('meta');
		records.observe((event, transaction) => {
			if (!fromClient(transaction)) return;
			const problems = this.checkRecords(records, event.changes.keys as Map<string, YMapChange>);
			this.revert(document, records, event.changes.keys as Map<string, YMapChange>, problems, documentName, transaction);
		});
		meta.observe((event, transaction) => {
			if (!fromClient(transaction)) return;
			const problems = new Map<string, string>();
			for (const [key, change] of event.changes.keys) {
				if (change.action !== 'delete') {
					const problem = this.checkMeta(key, meta.get(key));
					if (problem) problems.set(key, problem);
				}
			}
			this.revert(document, meta, event.changes.keys as Map<string, YMapChange>, problems, documentName, transaction);
		});
	}

	/** The problem with each added or changed record, by key; records that are fine are absent. */
	checkRecords(records: Y.Map<unknown>, changes: Map<string, YMapChange>): Map<string, string> {
		const problems = new Map<string, string>();
		let added = 0;
		for (const [key, change] of changes) {
			if (change.action === 'delete') continue;
			if (change.action === 'add') added++;
			const problem = this.checkRecord(key, records.get(key), change.oldValue, records);
			if (problem) problems.set(key, problem);
		}
		// Over the record limit, this change's additions are refused (edits to existing records still pass).
		if (added > 0 && records.size > this.limits.maxRecords) {
			for (const [key, change] of changes) {
				if (change.action === 'add') problems.set(key, `the canvas already holds the most records allowed (${this.limits.maxRecords})`);
			}
		}
		// A record whose parent is being refused would be left dangling: refuse it too.
		for (let grew = true; grew;) {
			grew = false;
			for (const [key, change] of changes) {
				if (change.action === 'delete' || problems.has(key)) continue;
				const references = referencesOf(records.get(key) as TLRecord);
				const refused = references.find((id) => problems.has(id) && changes.get(id)?.action === 'add');
				if (refused) {
					problems.set(key, `refers to ${refused}, which was refused`);
					grew = true;
				}
			}
		}
		return problems;
	}

	private checkRecord(key: string, value: unknown, previous: unknown, records: Y.Map<unknown>): string | undefined {
		if (!value || typeof value !== 'object' || Array.isArray(value)) return 'not a record object';
		const record = value as TLRecord;
		if (record.id !== key) return `its id ${String(record.id).slice(0, 80)} does not match its key`;
		if (typeof record.typeName !== 'string' || !SHARED_RECORD_TYPES.has(record.typeName)) {
			return `type ${String(record.typeName).slice(0, 40)} is not a canvas record`;
		}
		if (!key.startsWith(`${record.typeName}:`)) return `its id does not start with ${record.typeName}:`;
		const bytes = jsonSize(value);
		if (bytes > this.limits.maxRecordBytes) return `it is ${bytes} bytes, more than ${this.limits.maxRecordBytes}`;
		try {
			this.schema.validateRecord(null as never, record, 'updateRecord', null);
		} catch (error) {
			return error instanceof Error ? error.message.slice(0, 200) : 'invalid';
		}
		// A change may not point a record at something missing. References it already had are left
		// alone: a concurrent delete elsewhere can leave them dangling, and tldraw tidies that up.
		const before = new Set(referencesOf(previous as TLRecord | undefined));
		for (const id of referencesOf(record)) {
			if (!before.has(id) && !records.has(id)) return `refers to ${id.slice(0, 80)}, which does not exist`;
		}
		return undefined;
	}

	private checkMeta(key: string, value: unknown): string | undefined {
		if (!META_KEYS.has(key)) return `unknown meta key ${key.slice(0, 40)}`;
		if (jsonSize(value) > this.limits.maxRecordBytes) return 'meta value too large';
		// The schema the records were written with: older ones are migrated on load, newer ones are unknown here.
		try {
			const migrations = this.schema.getMigrationsSince(value as Parameters<typeof this.schema.getMigrationsSince>[0]);
			return migrations.ok ? undefined : 'written by a newer or unknown tldraw schema';
		} catch {
			return 'not a tldraw schema';
		}
	}

	private revert(
		document: Y.Doc,
		map: Y.Map<unknown>,
		changes: Map<string, YMapChange>,
		problems: Map<string, string>,
		documentName: string,
		transaction: Y.Transaction
	): void {
		if (problems.size === 0) return;
		document.transact(() => {
			for (const key of problems.keys()) {
				const change = changes.get(key)!;
				if (change.action === 'add') map.delete(key);
				else map.set(key, change.oldValue);
			}
		}, this);
		this.onRejected(problems.size);
		const connection = (transaction.origin as { connection?: Connection }).connection;
		const details = {
			documentName,
			userId: (connection?.context as { user?: { id?: string } } | undefined)?.user?.id,
			refused: [...problems].slice(0, 5).map(([key, problem]) => ({ key: key.slice(0, 80), problem }))
		};
		if (connection && this.isLooping(connection)) {
			this.onRevertLoop();
			this.logger.error(
				details,
				`closed a connection that rewrote reverted records ${REVERT_LOOP.transactions} times in ${REVERT_LOOP.windowMs / 1000} s: its client writes what the server refuses (a bug in that client)`
			);
			connection.close({ code: REVERT_LOOP_CLOSE.code, reason: REVERT_LOOP_CLOSE.reason });
			return;
		}
		this.logger.warn(details, `reverted ${problems.size} invalid record change(s) from a client`);
	}

	/** Counts one reverted transaction from `connection`; true once it has had too many in the window. */
	private isLooping(connection: Connection): boolean {
		const now = Date.now();
		let window = this.reverts.get(connection);
		if (!window || now - window.since > REVERT_LOOP.windowMs) this.reverts.set(connection, (window = { since: now, transactions: 0 }));
		window.transactions++;
		return window.transactions > REVERT_LOOP.transactions;
	}

	/** Deletes everything in a top-level type the document kind doesn't have. */
	private purge(document: Y.Doc, name: string, root: TopLevelType, documentName: string): void {
		const items = [...root._map.values()];
		for (let item = root._start; item; item = item.right) items.push(item);
		const live = items.filter((item) => !item.deleted);
		if (live.length === 0) return;
		document.transact((transaction) => {
			for (const item of live) item.delete(transaction);
		}, this);
		this.logger.warn({ documentName, type: name.slice(0, 40), deleted: live.length }, 'deleted content in an unknown top-level type');
	}
}

/** The top-level type a (possibly nested) Yjs type belongs to, with its name. */
function rootOf(document: Y.Doc, type: TopLevelType): [string | undefined, TopLevelType] {
	let root = type;
	while (root._item && root._item.parent instanceof Y.AbstractType) root = root._item.parent;
	for (const [name, candidate] of document.share) if (candidate === root) return [name, root];
	return [undefined, root];
}

function fromClient(transaction: Y.Transaction): boolean {
	return isTransactionOrigin(transaction.origin) && transaction.origin.source === 'connection';
}

/** Ids a record points at that must exist: a shape's parent, a binding's two shapes. */
function referencesOf(record: TLRecord | undefined): string[] {
	if (!record || typeof record !== 'object') return [];
	if (record.typeName === 'shape' && typeof record.parentId === 'string') return [record.parentId];
	if (record.typeName === 'binding') return [record.fromId as unknown, record.toId as unknown].filter((id): id is string => typeof id === 'string');
	return [];
}

function jsonSize(value: unknown): number {
	try {
		return Buffer.byteLength(JSON.stringify(value) ?? '');
	} catch {
		return Number.POSITIVE_INFINITY;
	}
}
