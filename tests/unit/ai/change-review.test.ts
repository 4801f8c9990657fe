// Review of the assistant's edits: accept keeps them; reject undoes them as a new change, and only
// where nobody changed the shapes since the assistant left them.
import type { ToolSet } from 'ai';
import { describe, expect, it } from 'vitest';
import { readCanvasGraph } from '../../../src/lib/diagram/canvas-graph.ts';
import { createCanvasTools } from '../../../src/lib/server/ai/canvas-tools.ts';
import { acceptChanges, rejectChanges, type RejectResult } from '../../../src/lib/server/ai/change-review.ts';
import type { StoredRunChange } from '../../../src/lib/server/db/schema.ts';
import { WEB_STACK } from '../../helpers/assistant-diagrams.ts';
import { MemoryCanvas, memorySession } from '../../helpers/canvas-draft.ts';
import { geoShape, richText } from '../../helpers/tldraw-records.ts';

async function call(tools: ToolSet, name: string, input: unknown) {
	return tools[name].execute!(input, { toolCallId: `call-${name}`, messages: [], context: {} });
}

async function assistantDrewWebStack() {
	const canvas = MemoryCanvas.seeded({ 'shape:mine': geoShape('shape:mine', { x: 0, y: 0 }, { richText: richText('My notes') }) });
	const beforeAi = canvas.toJSON();
	const { session, changes } = memorySession(canvas);
	const tools = createCanvasTools(session);
	const { shapeIds } = (await call(tools, 'draw_diagram', WEB_STACK)) as { shapeIds: Record<string, string> };
	return { canvas, beforeAi, changes, tools, shapeIds };
}

/** Rejects as the engine will: inside one validated transaction on the live canvas. */
function reject(canvas: MemoryCanvas, changes: StoredRunChange[], ids?: string[]): RejectResult {
	let result: RejectResult | undefined;
	canvas.transact((draft) => {
		result = rejectChanges(draft, changes, ids);
	});
	return result!;
}

describe('rejectChanges', () => {
	it('removes a drawn diagram, arrows and bindings with it, leaving the canvas as before the assistant', async () => {
		const { canvas, beforeAi, changes } = await assistantDrewWebStack();
		const result = reject(canvas, changes);
		expect(result.rejected).toEqual([changes[0].id]);
		expect(result.refused).toEqual([]);
		expect(result.updated[0].state).toBe('rejected');
		expect(canvas.toJSON()).toEqual(beforeAi);
		// The list given in is left alone; the new states are in `updated`.
		expect(changes[0].state).toBe('pending');
	});

	it('refuses to reject a change twice', async () => {
		const { canvas, changes } = await assistantDrewWebStack();
		const first = reject(canvas, changes);
		const second = reject(canvas, first.updated, [changes[0].id]);
		expect(second.rejected).toEqual([]);
		expect(second.refused).toEqual([{ changeId: changes[0].id, reason: 'This change was already rejected.' }]);
	});

	it('refuses when a person changed a shape after the assistant, and leaves their edit alone', async () => {
		const { canvas, changes, shapeIds } = await assistantDrewWebStack();
		canvas.edit(shapeIds.api, (record) => {
			record.x = (record.x as number) + 50;
		});
		const edited = canvas.toJSON();
		const result = reject(canvas, changes);
		expect(result.rejected).toEqual([]);
		expect(result.refused).toEqual([
			{ changeId: changes[0].id, reason: `Someone changed 'API' after the assistant did; undo it by hand or restore the "Before AI" version.` }
		]);
		expect(result.updated[0].state).toBe('pending');
		expect(canvas.toJSON()).toEqual(edited);
	});

	it('refuses to remove a box a person has since attached an arrow to', async () => {
		const { canvas, changes, shapeIds } = await assistantDrewWebStack();
		// A person's own arrow, bound to the assistant's Redis box.
		const { session } = memorySession(canvas, '00000000-0000-4000-8000-0000000000ff');
		await call(createCanvasTools(session), 'connect_shapes', { connections: [{ from: 'shape:mine', to: shapeIds.redis }] });
		const result = reject(canvas, changes);
		expect(result.refused[0].reason).toMatch(/^Someone attached something to 'Redis cache' after the assistant drew it/);
	});

	it('undoes later changes first: a relabel must go before the diagram it changed', async () => {
		const { canvas, beforeAi, changes, tools, shapeIds } = await assistantDrewWebStack();
		await call(tools, 'update_shapes', { updates: [{ id: shapeIds.api, label: 'API gateway' }] });
		await call(tools, 'connect_shapes', { connections: [{ from: shapeIds.pg, to: 'shape:mine' }] });
		const [diagram, relabel, connection] = changes;

		const alone = reject(canvas, changes, [diagram.id]);
		expect(alone.refused).toEqual([{ changeId: diagram.id, reason: "The assistant changed 'API' again later; reject “relabelled 'API' to 'API gateway'” first." }]);

		const relabelOnly = reject(canvas, changes, [relabel.id]);
		expect(relabelOnly.rejected).toEqual([relabel.id]);
		expect(readCanvasGraph(canvas.toJSON()).nodes.find((node) => node.id === shapeIds.api)!.label).toBe('API');

		const stillConnected = reject(canvas, relabelOnly.updated, [diagram.id]);
		expect(stillConnected.refused[0].reason).toMatch(/^The assistant built on 'PostgreSQL' later; reject “connected 'PostgreSQL' to 'My notes'” first/);

		const everything = reject(canvas, stillConnected.updated);
		expect(everything.rejected).toEqual([diagram.id, connection.id]);
		expect(everything.updated.map((change) => change.state)).toEqual(['rejected', 'rejected', 'rejected']);
		expect(canvas.toJSON()).toEqual(beforeAi);
	});

	it('brings back a deleted box with its arrows', async () => {
		const { canvas, changes, tools, shapeIds } = await assistantDrewWebStack();
		const drawn = canvas.toJSON();
		await call(tools, 'delete_shapes', { ids: [shapeIds.redis] });
		const result = reject(canvas, changes, [changes[1].id]);
		expect(result.rejected).toEqual([changes[1].id]);
		expect(canvas.toJSON()).toEqual(drawn);
	});

	it('refuses to restore an arrow whose other end a person deleted since', async () => {
		const { canvas, changes, tools, shapeIds } = await assistantDrewWebStack();
		await call(tools, 'delete_shapes', { ids: [shapeIds.web] });
		canvas.transact((draft) => draft.records.delete(shapeIds.api));
		const result = reject(canvas, changes, [changes[1].id]);
		expect(result.refused[0].reason).toMatch(/can't come back: what it was attached to is gone/);
	});
});

describe('acceptChanges', () => {
	it('marks changes accepted without touching the canvas; accepted changes can no longer be rejected', async () => {
		const { canvas, changes } = await assistantDrewWebStack();
		const drawn = canvas.toJSON();
		const accepted = acceptChanges(changes);
		expect(accepted).toMatchObject({ accepted: [changes[0].id], refused: [] });
		expect(accepted.updated[0].state).toBe('accepted');
		expect(canvas.toJSON()).toEqual(drawn);
		const result = reject(canvas, accepted.updated, [changes[0].id]);
		expect(result.refused[0].reason).toMatch(/was accepted/);
		expect(canvas.toJSON()).toEqual(drawn);
	});

	it('refuses to accept a rejected change or one that does not exist', async () => {
		const { canvas, changes } = await assistantDrewWebStack();
		const { updated } = reject(canvas, changes);
		const result = acceptChanges(updated, [changes[0].id, 'nope']);
		expect(result.accepted).toEqual([]);
		expect(result.refused).toEqual([
			{ changeId: 'nope', reason: 'There is no such change in this run.' },
			{ changeId: changes[0].id, reason: 'This change was already rejected.' }
		]);
	});
});
