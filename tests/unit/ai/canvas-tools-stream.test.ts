// The canvas tools driven by the AI SDK itself: a mock model (the SDK's MockLanguageModelV4) calls
// draw_diagram through streamText, the SDK parses and runs the call, and the model's next step sees
// the result, or the error when its input was wrong.
import { isStepCount, simulateReadableStream, streamText, type LanguageModelUsage } from 'ai';
import { MockLanguageModelV4 } from 'ai/test';
import { describe, expect, it } from 'vitest';
import { readCanvasGraph } from '../../../src/lib/diagram/canvas-graph.ts';
import { createCanvasTools } from '../../../src/lib/server/ai/canvas-tools.ts';
import { WEB_STACK } from '../../helpers/assistant-diagrams.ts';
import { MemoryCanvas, memorySession } from '../../helpers/canvas-draft.ts';

const usage = {
	inputTokens: { total: 10, noCache: 10, cacheRead: undefined, cacheWrite: undefined },
	outputTokens: { total: 20, text: 20, reasoning: undefined }
};

/** One model step that calls a tool with `input`. */
function toolCallStep(toolName: string, input: unknown) {
	return {
		stream: simulateReadableStream({
			chunks: [
				{ type: 'stream-start' as const, warnings: [] },
				{ type: 'tool-call' as const, toolCallId: `call-${toolName}`, toolName, input: JSON.stringify(input) },
				{ type: 'finish' as const, finishReason: { unified: 'tool-calls' as const, raw: undefined }, usage }
			]
		})
	};
}

/** One model step that answers in text. */
function textStep(text: string) {
	return {
		stream: simulateReadableStream({
			chunks: [
				{ type: 'text-start' as const, id: 't' },
				{ type: 'text-delta' as const, id: 't', delta: text },
				{ type: 'text-end' as const, id: 't' },
				{ type: 'finish' as const, finishReason: { unified: 'stop' as const, raw: undefined }, usage }
			]
		})
	};
}

async function run(model: MockLanguageModelV4, canvas: MemoryCanvas) {
	const { session, changes } = memorySession(canvas);
	const result = streamText({
		model,
		system: 'You draw on a canvas.',
		prompt: 'Draw a web app, an API, PostgreSQL and a Redis cache.',
		tools: createCanvasTools(session),
		stopWhen: isStepCount(4)
	});
	const parts: { type: string; [key: string]: unknown }[] = [];
	for await (const part of result.fullStream) parts.push(part as never);
	const totalUsage: LanguageModelUsage = await result.totalUsage;
	return { parts, changes, text: await result.text, totalUsage };
}

describe('the canvas tools under streamText', () => {
	it('turns a model’s draw_diagram call into boxes and bound arrows, and hands the model the new ids', async () => {
		const canvas = MemoryCanvas.seeded();
		const model = new MockLanguageModelV4({ doStream: [toolCallStep('draw_diagram', WEB_STACK), textStep('I drew your stack.')] });
		const { parts, changes, text } = await run(model, canvas);

		const graph = readCanvasGraph(canvas.toJSON());
		expect(graph.nodes.map((node) => node.label).sort()).toEqual(['API', 'PostgreSQL', 'Redis cache', 'Web app']);
		expect(graph.edges.filter((edge) => edge.from && edge.to)).toHaveLength(3);
		expect(changes.map((change) => change.summary)).toEqual(['added 4 shapes and 3 arrows']);
		expect(text).toBe('I drew your stack.');

		const toolResult = parts.find((part) => part.type === 'tool-result') as { output: { shapeIds: Record<string, string> } } | undefined;
		expect(toolResult?.output.shapeIds.api).toBe(graph.nodes.find((node) => node.label === 'API')!.id);
		// The second step's prompt carries the result back to the model.
		expect(JSON.stringify(model.doStreamCalls[1].prompt)).toContain(toolResult!.output.shapeIds.api);
	});

	it('gives the model a readable error for a bad call, writes nothing, and lets it try again', async () => {
		const canvas = MemoryCanvas.seeded();
		const before = canvas.toJSON();
		const bad = { nodes: [{ id: 'a', label: 'A' }], edges: [{ from: 'a', to: 'b' }] };
		const model = new MockLanguageModelV4({ doStream: [toolCallStep('draw_diagram', bad), textStep('Sorry, I could not draw that.')] });
		const { parts, changes } = await run(model, canvas);

		expect(parts.find((part) => part.type === 'tool-error')).toMatchObject({ toolName: 'draw_diagram' });
		expect(JSON.stringify(model.doStreamCalls[1].prompt)).toContain('is neither a node id of this diagram nor a shape on the canvas');
		expect(canvas.toJSON()).toEqual(before);
		expect(changes).toEqual([]);
	});

	it('refuses input that does not match the schema before anything runs', async () => {
		const canvas = MemoryCanvas.seeded();
		const model = new MockLanguageModelV4({ doStream: [toolCallStep('draw_diagram', { nodes: 'everything' }), textStep('Oops.')] });
		const { parts, changes } = await run(model, canvas);
		expect(parts.find((part) => part.type === 'tool-call')).toMatchObject({ invalid: true });
		expect(parts.some((part) => part.type === 'tool-error')).toBe(true);
		expect(changes).toEqual([]);
	});
});
