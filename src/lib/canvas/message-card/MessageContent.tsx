// A message as a card shows it, on the canvas and in the reader alike: the heading (role, who or which
// model, the call a tool message answers, whether it is still streaming) and the content (the text as
// sanitised Markdown, tool results, tool calls, images).
import { useEffect, useMemo, useState } from 'react';
import type { Editor } from 'tldraw';
import type { MessageCardShape } from '../../conversations/message-card.ts';
import { hasCodeBlock, loadCodeHighlighter, renderMarkdown, type CodeHighlighter } from '../../chat/markdown.ts';
import { showCard } from './card-camera.ts';
import { stop } from './card-events.ts';
import { cardSummaries, useDerived } from './card-index.ts';
import { ROLE_LABELS, answeredCall, shortCallId } from './card-model.ts';
import { CardImages } from './CardImages.tsx';
import { ToolCallList, ToolResultList, sameCall } from './ToolCallList.tsx';

export function CardHeading({ editor, shape, interactive, titleId }: { editor: Editor; shape: MessageCardShape; interactive: boolean; titleId?: string }) {
	const { props } = shape;
	const answers = useDerived(
		'answered call',
		() => answeredCall(cardSummaries(editor).get(), props.conversationId, props.toolCallId),
		[editor, props.conversationId, props.toolCallId],
		sameCall
	);
	const who = [props.model, props.author].filter(Boolean).join(' · ');
	return (
		<>
			<span className="easel-card-role" id={titleId}>
				{ROLE_LABELS[props.role]}
			</span>
			{who && (
				<span className="easel-card-who" title={who}>
					{who}
				</span>
			)}
			{props.role === 'tool' && props.toolCallId && (
				<span className="easel-card-answers">
					<span aria-hidden="true">↩</span> Result of{' '}
					{answers && interactive ? (
						<button
							type="button"
							className="easel-card-link"
							onPointerDown={stop}
							onPointerUp={stop}
							onClick={() => showCard(editor, answers.cardId)}
							title="Show the call"
						>
							{answers.name}
						</button>
					) : (
						<code>{answers?.name ?? 'a tool call'}</code>
					)}{' '}
					<span className="easel-card-call-id">{shortCallId(props.toolCallId)}</span>
				</span>
			)}
			{props.status === 'streaming' && (
				<span className="easel-card-streaming" role="status">
					<span className="easel-card-pulse" aria-hidden="true" />
					Streaming
				</span>
			)}
		</>
	);
}

/** `inCard`: on the canvas (expanding a tool call selects the card and brings the call into view). */
export function MessageContent({
	editor,
	shape,
	isDarkMode,
	interactive,
	inCard = false
}: {
	editor: Editor;
	shape: MessageCardShape;
	isDarkMode: boolean;
	interactive: boolean;
	inCard?: boolean;
}) {
	const { props } = shape;
	const streaming = props.status === 'streaming';
	const isEmpty = !props.text && props.toolCalls.length === 0 && props.toolResults.length === 0 && props.images.length === 0;
	return (
		<>
			{isEmpty ? (
				<p className="easel-card-empty">{streaming ? 'Waiting for the first words…' : 'No text'}</p>
			) : (
				<CardText text={props.text} streaming={streaming} isDarkMode={isDarkMode} />
			)}
			{props.toolResults.length > 0 && <ToolResultList editor={editor} shape={shape} interactive={interactive} />}
			{props.toolCalls.length > 0 && <ToolCallList editor={editor} shape={shape} interactive={interactive} inCard={inCard} />}
			{props.images.length > 0 && <CardImages editor={editor} images={props.images} interactive={interactive} />}
		</>
	);
}

/** The message's text as sanitised Markdown (renderMarkdown: Markdown's own tags only, safe links, no images). */
function CardText({ text, streaming, isDarkMode }: { text: string; streaming: boolean; isDarkMode: boolean }) {
	const [highlighter, setHighlighter] = useState<CodeHighlighter | null>(null);
	// The highlighter's one theme is a light one; on a dark canvas code blocks stay plain (and readable).
	const wantsHighlighter = !isDarkMode && hasCodeBlock(text);
	useEffect(() => {
		if (!wantsHighlighter || highlighter) return;
		let current = true;
		loadCodeHighlighter().then(
			(loaded) => current && setHighlighter(loaded),
			(error: unknown) => console.warn('[easel] code highlighting is unavailable', error)
		);
		return () => {
			current = false;
		};
	}, [wantsHighlighter, highlighter]);
	const html = useMemo(() => renderMarkdown(text, wantsHighlighter ? highlighter : null), [text, wantsHighlighter, highlighter]);
	// reason: renderMarkdown's output is sanitised by DOMPurify (Markdown's tags only, safe links, no images).
	return <div className={streaming ? 'easel-card-text is-streaming' : 'easel-card-text'} dangerouslySetInnerHTML={{ __html: html }} />;
}
