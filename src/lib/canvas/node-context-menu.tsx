// The canvas's context menu with "Kind ▸" and "Technology…" for boxes, notes and frames, so diagrams
// people draw carry the same `meta.kind` / `meta.technology` the assistant writes (and design
// documents and code per node read, through the graph reader). Each change is one undoable edit that
// syncs like any other; read-only viewers never see the items.
import { useState } from 'react';
import {
	DefaultContextMenu,
	DefaultContextMenuContent,
	TldrawUiButton,
	TldrawUiButtonLabel,
	TldrawUiDialogBody,
	TldrawUiDialogCloseButton,
	TldrawUiDialogFooter,
	TldrawUiDialogHeader,
	TldrawUiDialogTitle,
	TldrawUiInput,
	TldrawUiMenuCheckboxItem,
	TldrawUiMenuGroup,
	TldrawUiMenuItem,
	TldrawUiMenuSubmenu,
	useDialogs,
	useEditor,
	useValue,
	type Editor,
	type TLShape,
	type TLUiContextMenuProps
} from 'tldraw';
import { readCanvasGraph, type GraphNode } from '../diagram/canvas-graph.ts';
import { KIND_LABELS, NODE_KINDS, isNodeKind, type NodeKind } from '../diagram/node-kinds.ts';
import { findTechnology, suggestTechnologies } from '../diagram/technologies.ts';
import { CodeMenuItems } from './code-context-menu.tsx';
import { KeepImageMenuItem } from '../live-sketch/live-sketch-menu.tsx';
import './node-context-menu.css';

/** Shapes that are nodes of the diagram (see canvas-graph.ts). */
const NODE_SHAPE_TYPES = new Set(['geo', 'note', 'frame']);
/** Longest technology name kept (the graph reader reads no more). */
export const MAX_TECHNOLOGY_CHARS = 100;

/** tldraw's context menu, with the node items first when the selection holds boxes, notes or frames. */
export function NodeContextMenu(props: TLUiContextMenuProps) {
	return (
		<DefaultContextMenu {...props}>
			<KeepImageMenuItem />
			<NodeItems />
			<CodeMenuItems />
			<DefaultContextMenuContent />
		</DefaultContextMenu>
	);
}

function NodeItems() {
	const editor = useEditor();
	const { addDialog } = useDialogs();
	const shapes = useValue('selected diagram nodes', () => (editor.getIsReadonly() ? [] : selectedNodeShapes(editor)), [editor]);
	if (shapes.length === 0) return null;
	const nodes = graphNodesOf(editor, shapes);
	const setKinds = new Set(shapes.map((shape) => metaString(shape, 'kind')));
	const current = setKinds.size === 1 ? [...setKinds][0] : null;
	const guessed = shapes.length === 1 && !current ? nodes.get(shapes[0].id)?.kind : undefined;
	const technologies = new Set(shapes.map((shape) => metaString(shape, 'technology')));
	const technology = technologies.size === 1 ? [...technologies][0] : undefined;
	const openTechnologyDialog = () => {
		addDialog({
			id: 'easel-node-technology',
			component: ({ onClose }) => <TechnologyDialog editor={editor} shapes={shapes} initial={technology ?? ''} onClose={onClose} />
		});
	};

	return (
		<TldrawUiMenuGroup id="easel-node">
			<TldrawUiMenuSubmenu id="easel-node-kind" size="small" label={current && isNodeKind(current) ? `Kind: ${KIND_LABELS[current]}` : 'Kind'}>
				<TldrawUiMenuGroup id="easel-node-kind-automatic">
					<TldrawUiMenuCheckboxItem
						id="easel-node-kind-automatic"
						label={guessed ? `Auto (${KIND_LABELS[guessed]})` : 'None (automatic)'}
						checked={setKinds.size === 1 && current === undefined}
						onSelect={() => setMeta(editor, shapes, 'kind', undefined)}
					/>
				</TldrawUiMenuGroup>
				<TldrawUiMenuGroup id="easel-node-kinds">
					{NODE_KINDS.map((kind) => (
						<TldrawUiMenuCheckboxItem
							key={kind}
							id={`easel-node-kind-${kind}`}
							label={KIND_LABELS[kind]}
							checked={current === kind}
							onSelect={() => setMeta(editor, shapes, 'kind', kind)}
						/>
					))}
				</TldrawUiMenuGroup>
			</TldrawUiMenuSubmenu>
			<TldrawUiMenuItem id="easel-node-technology" label={technology ? `Technology: ${technology}…` : 'Technology…'} onSelect={openTechnologyDialog} />
		</TldrawUiMenuGroup>
	);
}

function TechnologyDialog({ editor, shapes, initial, onClose }: { editor: Editor; shapes: TLShape[]; initial: string; onClose(): void }) {
	const [value, setValue] = useState(initial);
	const suggestions = suggestTechnologies(value, 6).filter((technology) => technology.name !== value.trim());
	const save = (name: string) => {
		setMeta(editor, shapes, 'technology', name.trim().slice(0, MAX_TECHNOLOGY_CHARS) || undefined);
		onClose();
	};
	const known = findTechnology(value);
	return (
		<>
			<TldrawUiDialogHeader>
				<TldrawUiDialogTitle>Technology</TldrawUiDialogTitle>
				<TldrawUiDialogCloseButton />
			</TldrawUiDialogHeader>
			<TldrawUiDialogBody className="easel-technology-dialog">
				<p className="easel-technology-dialog__hint">
					What {shapes.length === 1 ? 'this shape is built with' : `these ${shapes.length} shapes are built with`}, e.g. PostgreSQL or FastAPI. Design documents and
					generated code use it.
				</p>
				<TldrawUiInput
					className="easel-technology-dialog__input"
					data-testid="easel-technology-input"
					defaultValue={initial}
					placeholder="e.g. PostgreSQL"
					maxLength={MAX_TECHNOLOGY_CHARS}
					autoFocus
					autoSelect
					onValueChange={setValue}
					onComplete={save}
					onCancel={onClose}
				/>
				<p className="easel-technology-dialog__known" aria-live="polite">
					{known
						? `Known: ${known.name}, a ${KIND_LABELS[known.kind].toLowerCase()}.`
						: value.trim() && suggestions.length === 0
							? 'Not in the catalog; kept as written.'
							: '\u00a0'}
				</p>
				{suggestions.length > 0 && (
					<ul className="easel-technology-dialog__suggestions" aria-label="Suggestions">
						{suggestions.map((technology) => (
							<li key={technology.name}>
								<TldrawUiButton type="menu" onClick={() => save(technology.name)}>
									<TldrawUiButtonLabel>
										{technology.name} <span className="easel-technology-dialog__kind">{KIND_LABELS[technology.kind]}</span>
									</TldrawUiButtonLabel>
								</TldrawUiButton>
							</li>
						))}
					</ul>
				)}
			</TldrawUiDialogBody>
			<TldrawUiDialogFooter className="tlui-dialog__footer__actions">
				{initial && (
					<TldrawUiButton type="danger" onClick={() => save('')}>
						<TldrawUiButtonLabel>Clear</TldrawUiButtonLabel>
					</TldrawUiButton>
				)}
				<TldrawUiButton type="normal" onClick={onClose}>
					<TldrawUiButtonLabel>Cancel</TldrawUiButtonLabel>
				</TldrawUiButton>
				<TldrawUiButton type="primary" onClick={() => save(value)}>
					<TldrawUiButtonLabel>Save</TldrawUiButtonLabel>
				</TldrawUiButton>
			</TldrawUiDialogFooter>
		</>
	);
}

function selectedNodeShapes(editor: Editor): TLShape[] {
	return editor.getSelectedShapes().filter((shape) => NODE_SHAPE_TYPES.has(shape.type) && !editor.isShapeOrAncestorLocked(shape));
}

/** The graph reader's view of these shapes (for the automatic kind), on the current page. */
function graphNodesOf(editor: Editor, shapes: TLShape[]): Map<string, GraphNode> {
	const records = Object.fromEntries(editor.store.allRecords().map((record) => [record.id, record]));
	const wanted = new Set<string>(shapes.map((shape) => shape.id));
	return new Map(
		readCanvasGraph(records, editor.getCurrentPageId())
			.nodes.filter((node) => wanted.has(node.id))
			.map((node) => [node.id, node])
	);
}

function metaString(shape: TLShape, key: string): string | undefined {
	const value = shape.meta?.[key];
	return typeof value === 'string' && value ? value : undefined;
}

/**
 * Sets (or, with undefined, removes) one `meta` key on the shapes as one undoable change. The rest
 * of `meta` (the assistant's `createdByRun`) is kept.
 */
function setMeta(editor: Editor, shapes: TLShape[], key: 'kind' | 'technology', value: NodeKind | string | undefined): void {
	editor.markHistoryStoppingPoint(`set node ${key}`);
	editor.run(() => {
		const updated = shapes
			.map((shape) => editor.getShape(shape.id))
			.filter((shape): shape is TLShape => !!shape)
			.map((shape) => {
				const { [key]: _previous, ...rest } = shape.meta;
				return { ...shape, meta: value === undefined ? rest : { ...rest, [key]: value } };
			});
		editor.store.put(updated);
	});
}
