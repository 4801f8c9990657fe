// A message's tool calls, each a small card of its own: the tool's name and how it went (result,
// waiting, error) at a glance; expanded, its arguments as indented JSON and its result. Expanding is
// this viewer's alone (card-index.ts), so read-only viewers expand calls as well.
import { useValue, type Editor } from 'tldraw';
import type { MessageCardShape, MessageCardToolCall } from '../../conversations/message-card.ts';
import { showCard } from './card-camera.ts';
import { cardSummaries, isToolCallExpanded, setToolCallExpanded, useDerived } from './card-index.ts';
import { prettyJson, shortCallId, toolCallOutcome, type ToolCallOutcome } from './card-model.ts';
import { stop } from './card-events.ts';

export function ToolCallList({ editor, shape, interactive }: { editor: Editor; shape: MessageCardShape; interactive: boolean }) {
	return (
		<ul className="easel-tool-calls" aria-label="Tool calls">
			{shape.props.toolCalls.map((call) => (
				<ToolCallItem key={call.id} editor={editor} shape={shape} call={call} interactive={interactive} />
			))}
		</ul>
	);
}

function ToolCallItem({ editor, shape, call, interactive }: { editor: Editor; shape: MessageCardShape; call: MessageCardToolCall; interactive: boolean }) {
	const expanded = useValue('tool call expanded', () => isToolCallExpanded(editor, shape.id, call.id), [editor, shape.id, call.id]);
	const outcome = useDerived(
		'tool call outcome',
		() => toolCallOutcome(cardSummaries(editor).get(), shape.props.conversationId, call),
		[editor, shape.props.conversationId, call],
		sameOutcome
	);
	const state = outcome.isError ? 'error' : outcome.result === null ? 'waiting' : 'done';
	const detailsId = `${shape.id}-${call.id}-details`;
	const summary = (
		<>
			<span className="easel-tool-call-chevron" aria-hidden="true">
				{expanded ? '▾' : '▸'}
			</span>
			<code className="easel-tool-call-name">{call.name || 'tool'}</code>
			<span className="easel-tool-call-state">
				<span className="easel-tool-call-dot" aria-hidden="true" />
				{state === 'error' ? 'Error' : state === 'waiting' ? 'Waiting for result' : 'Result'}
			</span>
		</>
	);

	return (
		<li className="easel-tool-call" data-state={state} data-expanded={expanded ? 'true' : undefined}>
			{interactive ? (
				<button
					type="button"
					className="easel-tool-call-toggle"
					aria-expanded={expanded}
					aria-controls={detailsId}
					title={`${expanded ? 'Hide' : 'Show'} the arguments and result of ${call.name} (${call.id})`}
					onPointerDown={stop}
					onPointerUp={stop}
					onClick={() => setToolCallExpanded(editor, shape.id, call.id, !expanded)}
				>
					{summary}
				</button>
			) : (
				<div className="easel-tool-call-toggle">{summary}</div>
			)}
			{expanded && <ToolCallDetails id={detailsId} editor={editor} call={call} outcome={outcome} interactive={interactive} />}
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
