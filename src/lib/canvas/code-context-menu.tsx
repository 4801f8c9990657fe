// The context menu's code items (node-context-menu.tsx shows them): "Generate code" for the selected
// boxes and "Generate code for all nodes". The page answers the request (see code-requests.ts).
import { useMemo } from 'react';
import { TldrawUiMenuGroup, TldrawUiMenuItem, useEditor, type Editor } from 'tldraw';
import { readCanvasGraph, type CanvasGraph } from '../diagram/canvas-graph.ts';
import { canvasOfEditor, requestCode, takesCodeRequests } from '../code/code-requests.ts';

/** The graph of the canvas's first page (the one code is made from), from the editor's records. */
export function editorGraph(editor: Editor): CanvasGraph {
	return readCanvasGraph(Object.fromEntries(editor.store.allRecords().map((record) => [record.id, record])));
}

/**
 * "Generate code" (the selected boxes) and "Generate code for all nodes", read when the menu opens
 * (its content mounts then; the menu itself wraps the canvas for good). Nothing while no page
 * listens, off the first page, or on an empty diagram.
 */
export function CodeMenuItems() {
	const editor = useEditor();
	const canvasId = canvasOfEditor(editor);
	const { graph, selectedNodes, offered } = useMemo(() => {
		const graph = editorGraph(editor);
		const nodeIds = new Set(graph.nodes.map((node) => node.id));
		const onFirstPage = editor.getCurrentPageId() === editor.getPages()[0]?.id;
		return {
			graph,
			selectedNodes: editor.getSelectedShapeIds().filter((id) => nodeIds.has(id)),
			offered: canvasId !== undefined && takesCodeRequests(canvasId) && onFirstPage && graph.nodes.length > 0
		};
	}, [editor, canvasId]);
	if (!offered || !canvasId) return null;
	return (
		<TldrawUiMenuGroup id="easel-code">
			{selectedNodes.length > 0 && (
				<TldrawUiMenuItem
					id="easel-generate-code"
					label={selectedNodes.length === 1 ? 'Generate code' : `Generate code for ${selectedNodes.length} nodes`}
					readonlyOk
					onSelect={() => requestCode(canvasId, selectedNodes)}
				/>
			)}
			<TldrawUiMenuItem
				id="easel-generate-code-all"
				label="Generate code for all nodes"
				readonlyOk
				onSelect={() =>
					requestCode(
						canvasId,
						// Frames group boxes; the boxes are what get code.
						graph.nodes.filter((node) => node.shape !== 'frame').map((node) => node.id)
					)
				}
			/>
		</TldrawUiMenuGroup>
	);
}
