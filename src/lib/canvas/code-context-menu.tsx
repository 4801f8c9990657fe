// The canvas's context menu with "Generate code" for the boxes right-clicked or selected, and
// "Generate code for all nodes", above tldraw's own items. The page answers the request (see
// code-requests.ts); without a listener the items are not shown.
import { useMemo } from 'react';
import { DefaultContextMenu, DefaultContextMenuContent, TldrawUiMenuGroup, TldrawUiMenuItem, useEditor, type Editor, type TLUiContextMenuProps } from 'tldraw';
import { readCanvasGraph, type CanvasGraph } from '../diagram/canvas-graph.ts';
import { requestCode, takesCodeRequests } from '../code/code-requests.ts';

/** The graph of the canvas's first page (the one code is made from), from the editor's records. */
export function editorGraph(editor: Editor): CanvasGraph {
	return readCanvasGraph(Object.fromEntries(editor.store.allRecords().map((record) => [record.id, record])));
}

export function codeContextMenu(canvasId: string) {
	return function CodeContextMenu(props: TLUiContextMenuProps) {
		return (
			<DefaultContextMenu {...props}>
				<CodeMenuGroup canvasId={canvasId} />
				<DefaultContextMenuContent />
			</DefaultContextMenu>
		);
	};
}

/** The items, read when the menu opens (the menu's content mounts then; the menu itself wraps the canvas for good). */
function CodeMenuGroup({ canvasId }: { canvasId: string }) {
	const editor = useEditor();
	const { graph, selectedNodes, offered } = useMemo(() => {
		const graph = editorGraph(editor);
		const nodeIds = new Set(graph.nodes.map((node) => node.id));
		const onFirstPage = editor.getCurrentPageId() === editor.getPages()[0]?.id;
		return {
			graph,
			selectedNodes: editor.getSelectedShapeIds().filter((id) => nodeIds.has(id)),
			offered: takesCodeRequests(canvasId) && onFirstPage && graph.nodes.length > 0
		};
	}, [editor, canvasId]);
	if (!offered) return null;
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
						graph.nodes.map((node) => node.id)
					)
				}
			/>
		</TldrawUiMenuGroup>
	);
}
