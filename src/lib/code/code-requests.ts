// How the canvas asks for code (its context menu) and what it offers to ask about (the diagram's
// graph, read from the mounted editor): a small per-canvas registry, so the tldraw island and the
// Svelte page that shows the confirm step and the code view need no props threaded between them.
import type { CanvasGraph } from '../diagram/canvas-graph.ts';

type CodeRequestHandler = (shapeIds: string[]) => void;

const handlers = new Map<string, CodeRequestHandler>();
const graphSources = new Map<string, () => CanvasGraph>();
const editorCanvases = new WeakMap<object, string>();

/** The page listens for requests on `canvasId` while it shows it; returns the unsubscribe. */
export function onCodeRequest(canvasId: string, handler: CodeRequestHandler): () => void {
	handlers.set(canvasId, handler);
	return () => {
		if (handlers.get(canvasId) === handler) handlers.delete(canvasId);
	};
}

/** Whether anything on the page takes code requests (the menu shows its items only then). */
export function takesCodeRequests(canvasId: string): boolean {
	return handlers.has(canvasId);
}

/** Asks for code for these nodes (the confirm step opens). */
export function requestCode(canvasId: string, shapeIds: string[]): void {
	handlers.get(canvasId)?.(shapeIds);
}

/** The mounted editor of `canvasId` offers its graph while mounted; returns the unregister. */
export function provideCanvasGraph(canvasId: string, editor: object, read: () => CanvasGraph): () => void {
	graphSources.set(canvasId, read);
	editorCanvases.set(editor, canvasId);
	return () => {
		if (graphSources.get(canvasId) === read) graphSources.delete(canvasId);
		editorCanvases.delete(editor);
	};
}

/** The canvas a mounted editor shows (its context menu asks for code on it). */
export function canvasOfEditor(editor: object): string | undefined {
	return editorCanvases.get(editor);
}

/** The canvas's graph now (its first page, as the server reads it), or null while no editor is mounted. */
export function currentCanvasGraph(canvasId: string): CanvasGraph | null {
	return graphSources.get(canvasId)?.() ?? null;
}

export interface RequestedNode {
	shapeId: string;
	label: string;
}

const runNodes = new Map<string, RequestedNode[]>();

/** The nodes a run started from this tab was asked for, so the code view can show those still to come. */
export function rememberRunNodes(runId: string, nodes: RequestedNode[]): void {
	runNodes.set(runId, nodes);
}

export function rememberedRunNodes(runId: string): RequestedNode[] | undefined {
	return runNodes.get(runId);
}
