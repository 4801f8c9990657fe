// A message's tool calls, each a small card of its own: the tool's name and how it went (result,
// waiting, error) at a glance; expanded, its arguments as indented JSON and its result. Expanding is
// this viewer's alone (card-index.ts), so read-only viewers expand calls as well. And the tool
// results a message carries as blocks, each naming the call it answers.
import { useRef, type ReactNode, type RefObject } from 'react';
import { useValue, type Editor } from 'tldraw';
import type { MessageCardShape, MessageCardToolCall, MessageCardToolResult } from '../../conversations/message-card.ts';
import { showCard } from './card-camera.ts';
import { cardSummaries, isToolCallExpanded, setToolCallExpanded, useDerived } from './card-index.ts';
import { answeredCall, compactJson, prettyJson, shortCallId, toolCallOutcome, type ToolCallOutcome } from './card-model.ts';
import { stop } from './card-events.ts';

export function ToolCallList({ editor, shape, interactive, inCard }: { editor: Editor; shape: MessageCardShape; interactive: boolean; inCard: boolean }) {
	return (
		<ul className="easel-tool-calls" aria-label="Tool calls">
			{shape.props.toolCalls.map((call) => (
				<ToolCallItem key={call.id} editor={editor} shape={shape} call={call} interactive={interactive} inCard={inCard} />
			))}
		</ul>
	);
}

function ToolCallItem({
	editor,
	shape,
	call,
	interactive,
	inCard
}: {
	editor: Editor;
	shape: MessageCardShape;
	call: MessageCardToolCall;
	interactive: boolean;
	inCard: boolean;
}) {
	const item = useRef<HTMLLIElement>(null);
	const expanded = useValue('tool call expanded', () => isToolCallExpanded(editor, shape.id, call.id), [editor, shape.id, call.id]);
	const outcome = useDerived(
		'tool call outcome',
		() => toolCallOutcome(cardSummaries(editor).get(), shape.props.conversationId, call),
		[editor, shape.props.conversationId, call],
		sameOutcome
	);
	const state = outcome.isError ? 'error' : outcome.result === null ? 'waiting' : 'done';
	const toggle = () => {
		setToolCallExpanded(editor, shape.id, call.id, !expanded);
		if (expanded || !inCard) return;
		// Opened on the canvas: the card is selected (so the wheel, or a finger, scrolls it) and the call scrolls to its top.
		editor.select(shape.id);
		requestAnimationFrame(() => {
			const body = item.current?.closest<HTMLElement>('.easel-card-body');
			// Screen pixels (the canvas is zoomed) back to the card's own.
			if (body && item.current) body.scrollTop += (item.current.getBoundingClientRect().top - body.getBoundingClientRect().top) / editor.getZoomLevel() - 4;
		});
	};
	const detailsId = `${shape.id}-${call.id}-details`;
	return (
		<CollapsibleRow
			itemRef={item}
			state={state}
			expanded={expanded}
			interactive={interactive}
			name={call.name || 'tool'}
			preview={call.arguments}
			stateLabel={state === 'error' ? 'Error' : state === 'waiting' ? 'Waiting' : 'Result'}
			title={`${expanded ? 'Hide' : 'Show'} the arguments and result of ${call.name} (${call.id})`}
			detailsId={detailsId}
			onToggle={toggle}
		>
			<ToolCallDetails id={detailsId} editor={editor} call={call} outcome={outcome} interactive={interactive} />
		</CollapsibleRow>
	);
}

/**
 * One row of a card's tool calls or results: the name, collapsed the preview (arguments or result)
 * on one line as far as it fits, and the state; expanded, `children`. Expanding is per viewer.
 */
function CollapsibleRow(props: {
	itemRef?: RefObject<HTMLLIElement | null>;
	state: 'error' | 'waiting' | 'done';
	expanded: boolean;
	interactive: boolean;
	name: string;
	preview: string;
	stateLabel: string;
	title: string;
	detailsId: string;
	onToggle(): void;
	children: ReactNode;
}) {
	const { expanded } = props;
	const summary = (
		<>
			<span className="easel-tool-call-chevron" aria-hidden="true">
				{expanded ? '▾' : '▸'}
			</span>
			<code className="easel-tool-call-name">{props.name}</code>
			{!expanded && props.preview.trim() && <code className="easel-tool-call-args">{compactJson(props.preview)}</code>}
			<span className="easel-tool-call-state">
				<span className="easel-tool-call-dot" aria-hidden="true" />
				{props.stateLabel}
			</span>
		</>
	);
	return (
		<li ref={props.itemRef} className="easel-tool-call" data-state={props.state} data-expanded={expanded ? 'true' : undefined}>
			{props.interactive ? (
				<button
					type="button"
					className="easel-tool-call-toggle"
					aria-expanded={expanded}
					aria-controls={props.detailsId}
					title={props.title}
					onPointerDown={stop}
					onPointerUp={stop}
					onClick={() => props.onToggle()}
				>
					{summary}
				</button>
			) : (
				<div className="easel-tool-call-toggle">{summary}</div>
			)}
			{expanded && props.children}
		</li>
	);
}

function ToolCallDetails({
	id,
	editor,
	call,
	outcome,
	interactive
}: {
	id: string;
	editor: Editor;
	call: MessageCardToolCall;
	outcome: ToolCallOutcome;
	interactive: boolean;
}) {
	const args = prettyJson(call.arguments);
	const result = outcome.result === null ? null : prettyJson(outcome.result);
	return (
		<div className="easel-tool-call-details" id={id}>
			<div className="easel-tool-call-label">
				Arguments <span className="easel-card-call-id">{shortCallId(call.id)}</span>
			</div>
			<pre className="easel-tool-call-json">{args.text.trim() ? args.text : '(none)'}</pre>
			<div className="easel-tool-call-label">
				{outcome.isError ? 'Error' : 'Result'}
				{outcome.answerCardId && interactive && (
					<button
						type="button"
						className="easel-card-link"
						onPointerDown={stop}
						onPointerUp={stop}
						onClick={() => outcome.answerCardId && showCard(editor, outcome.answerCardId)}
					>
						Show the tool message
					</button>
				)}
			</div>
			{result ? (
				<pre className="easel-tool-call-json">{result.text.trim() ? result.text : '(empty)'}</pre>
			) : (
				<p className="easel-tool-call-waiting">Waiting for result…</p>
			)}
		</div>
	);
}

function sameOutcome(a: ToolCallOutcome, b: ToolCallOutcome): boolean {
	return a.result === b.result && a.isError === b.isError && a.answerCardId === b.answerCardId;
}

/**
 * Tool results a message carries as blocks (an Anthropic user turn answering tool_use blocks): each a
 * row like a call's, naming the tool it answers with the result on one line; expanded, the whole
 * result and a link to the calling card.
 */
export function ToolResultList({ editor, shape, interactive }: { editor: Editor; shape: MessageCardShape; interactive: boolean }) {
	return (
		<ul className="easel-tool-calls" aria-label="Tool results">
			{shape.props.toolResults.map((result, index) => (
				<ToolResultItem key={`${index}:${result.toolCallId}`} editor={editor} shape={shape} result={result} interactive={interactive} />
			))}
		</ul>
	);
}

function ToolResultItem({ editor, shape, result, interactive }: { editor: Editor; shape: MessageCardShape; result: MessageCardToolResult; interactive: boolean }) {
	const call = useDerived(
		'answered call',
		() => answeredCall(cardSummaries(editor).get(), shape.props.conversationId, result.toolCallId),
		[editor, shape.props.conversationId, result.toolCallId],
		sameCall
	);
	const key = `result:${result.toolCallId}`;
	const expanded = useValue('tool result expanded', () => isToolCallExpanded(editor, shape.id, key), [editor, shape.id, key]);
	const detailsId = `${shape.id}-${key}-details`;
	const content = prettyJson(result.content);
	return (
		<CollapsibleRow
			state={result.isError ? 'error' : 'done'}
			expanded={expanded}
			interactive={interactive}
			name={`↩ ${call?.name ?? 'tool'}`}
			preview={result.content}
			stateLabel={result.isError ? 'Error' : 'Result'}
			title={`${expanded ? 'Hide' : 'Show'} the result for ${call?.name ?? 'the call'} (${result.toolCallId})`}
			detailsId={detailsId}
			onToggle={() => setToolCallExpanded(editor, shape.id, key, !expanded)}
		>
			<div className="easel-tool-call-details" id={detailsId}>
				<div className="easel-tool-call-label">
					{result.isError ? 'Error' : 'Result'} for <span className="easel-card-call-id">{shortCallId(result.toolCallId)}</span>
					{call && interactive && (
						<button type="button" className="easel-card-link" onPointerDown={stop} onPointerUp={stop} onClick={() => showCard(editor, call.cardId)}>
							Show the call
						</button>
					)}
				</div>
				<pre className="easel-tool-call-json">{content.text.trim() ? content.text : '(empty)'}</pre>
			</div>
		</CollapsibleRow>
	);
}

export function sameCall(a: { cardId: string; name: string } | null, b: { cardId: string; name: string } | null): boolean {
	return a === b || (a !== null && b !== null && a.cardId === b.cardId && a.name === b.name);
}
