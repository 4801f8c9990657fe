// How a message card looks on the canvas and in exports: a header (role, who or which model, whether it
// is still streaming, the retry switch, the reader's button), the message (MessageContent.tsx), and the
// usage footer. The server owns the card's size; text longer than the card scrolls inside it, and the
// reader shows the whole message at a readable size.
import { useEffect, useLayoutEffect, useRef, useState, type PointerEvent as ReactPointerEvent, type ReactNode } from 'react';
import { HTMLContainer, useEditor, useSvgExportContext, useValue, type Editor } from 'tldraw';
import type { MessageCardShape } from '../../conversations/message-card.ts';
import { showCard } from './card-camera.ts';
import { stop } from './card-events.ts';
import { cardSummaries, useDerived } from './card-index.ts';
import { retryLabel, retryPosition, usageFigures, type RetryPosition } from './card-model.ts';
import { CardReader } from './CardReader.tsx';
import { CardHeading, MessageContent } from './MessageContent.tsx';

export function MessageCard({ shape }: { shape: MessageCardShape }) {
	const editor = useEditor();
	const exporting = useSvgExportContext();
	const { props } = shape;
	const isDarkMode = useValue('dark mode', () => exporting?.isDarkMode ?? editor.user.getIsDarkMode(), [editor, exporting]);
	const isSelected = useValue('card selected', () => editor.getSelectedShapeIds().includes(shape.id), [editor, shape.id]);
	const retry = useDerived('card retry position', () => retryPosition(cardSummaries(editor).get(), shape.id), [editor, shape.id], sameRetryPosition);
	// The reader (the whole message, full size) is this viewer's, opened from the card's header.
	const [reading, setReading] = useState(false);
	const figures = usageFigures(props);

	return (
		<HTMLContainer
			className="easel-card"
			data-role={props.role}
			data-status={props.status}
			data-message-id={props.messageId}
			data-exporting={exporting ? 'true' : undefined}
			style={{ width: props.w, height: props.h }}
		>
			<header className="easel-card-head">
				<CardHeading editor={editor} shape={shape} interactive={!exporting} />
				{retry && <RetrySwitch editor={editor} retry={retry} interactive={!exporting} />}
				{!exporting && (
					<button
						type="button"
						className="easel-card-open"
						aria-label="Open message"
						title="Read the whole message"
						onPointerDown={stop}
						onPointerUp={stop}
						onClick={() => setReading(true)}
					>
						⤢
					</button>
				)}
			</header>
			<CardBody editor={editor} shape={shape} isSelected={isSelected} interactive={!exporting}>
				<MessageContent editor={editor} shape={shape} isDarkMode={isDarkMode} interactive={!exporting} inCard />
			</CardBody>
			{figures.length > 0 && (
				<footer className="easel-card-foot" aria-label="Usage">
					{figures.join(' · ')}
				</footer>
			)}
			{reading && <CardReader editor={editor} shape={shape} isDarkMode={isDarkMode} onClose={() => setReading(false)} />}
		</HTMLContainer>
	);
}

function sameRetryPosition(a: RetryPosition | null, b: RetryPosition | null): boolean {
	if (a === null || b === null) return a === b;
	return a.position === b.position && a.count === b.count && a.isRetry === b.isRetry && a.previousId === b.previousId && a.nextId === b.nextId;
}

/** One step of the retry switch: moves this viewer's camera to the sibling `to` (nothing is written). */
function RetryStep({ editor, label, to, symbol }: { editor: Editor; label: string; to: string | null; symbol: string }) {
	return (
		<button
			type="button"
			className="easel-card-retry-step"
			aria-label={label}
			title={label}
			disabled={!to}
			onPointerDown={stop}
			onPointerUp={stop}
			onClick={() => to && showCard(editor, to)}
		>
			{symbol}
		</button>
	);
}

function RetrySwitch({ editor, retry, interactive }: { editor: Editor; retry: RetryPosition; interactive: boolean }) {
	const label = retryLabel(retry);
	if (!interactive) return <span className="easel-card-retry">{label}</span>;
	return (
		<span className="easel-card-retry" role="group" aria-label="Attempts">
			<RetryStep editor={editor} label="Previous attempt" to={retry.previousId} symbol="‹" />
			<span className="easel-card-retry-label">{label}</span>
			<RetryStep editor={editor} label="Next attempt" to={retry.nextId} symbol="›" />
		</span>
	);
}

/**
 * The scrolling part of a card. The wheel scrolls it (instead of panning the canvas) only while the
 * card is selected and its content overflows, so panning across a tree of cards is never caught by
 * one; a pinch or ctrl+wheel always zooms the canvas. On a touch screen a finger scrolls a selected
 * card's body. While a message streams, the body follows its end unless the reader scrolled up.
 */
function CardBody({
	editor,
	shape,
	isSelected,
	interactive,
	children
}: {
	editor: Editor;
	shape: MessageCardShape;
	isSelected: boolean;
	interactive: boolean;
	children: ReactNode;
}) {
	const body = useRef<HTMLDivElement>(null);
	const followsEnd = useRef(true);
	const [overflows, setOverflows] = useState(false);
	const [atEnd, setAtEnd] = useState(true);
	const selected = useRef(isSelected);
	selected.current = isSelected;

	useLayoutEffect(() => {
		const element = body.current;
		if (!element) return;
		if (shape.props.status === 'streaming' && followsEnd.current) element.scrollTop = element.scrollHeight;
		const measure = () => {
			setOverflows(element.scrollHeight > element.clientHeight + 1);
			setAtEnd(element.scrollTop + element.clientHeight >= element.scrollHeight - 2);
		};
		measure();
		const resized = new ResizeObserver(measure);
		resized.observe(element);
		if (element.firstElementChild) resized.observe(element.firstElementChild);
		return () => resized.disconnect();
	}, [shape.props.text, shape.props.status, shape.props.toolCalls, shape.props.toolResults, shape.props.h]);

	useEffect(() => {
		const element = body.current;
		if (!element || !interactive) return;
		// A native listener: the canvas listens on its container, below the card, so stopping the event
		// here keeps it from the canvas (a React handler would run only after the canvas had it).
		const onWheel = (event: WheelEvent) => {
			if (event.ctrlKey || event.metaKey || !selected.current) return;
			if (element.scrollHeight <= element.clientHeight + 1 && element.scrollWidth <= element.clientWidth + 1) return;
			event.stopPropagation();
		};
		element.addEventListener('wheel', onWheel, { passive: true });
		return () => element.removeEventListener('wheel', onWheel);
	}, [interactive]);

	const onScroll = () => {
		const element = body.current;
		if (!element) return;
		const end = element.scrollTop + element.clientHeight >= element.scrollHeight - 2;
		followsEnd.current = end;
		setAtEnd(end);
	};

	// Links, the scrollbar and (on a touch screen, once selected) the text itself act on the card, not the canvas.
	const onPointerDown = (event: ReactPointerEvent<HTMLDivElement>) => {
		const element = body.current;
		if (!element || !interactive) return;
		const target = event.target as HTMLElement;
		const onScrollbar = event.nativeEvent.offsetX > element.clientWidth && target === element;
		const touchScroll = event.pointerType === 'touch' && isSelected && overflows;
		if (target.closest('a, button, summary') || onScrollbar || touchScroll) editor.markEventAsHandled(event);
	};

	return (
		<div
			ref={body}
			className="easel-card-body"
			data-overflows={overflows ? 'true' : undefined}
			data-at-end={atEnd ? 'true' : undefined}
			data-scrollable={isSelected && overflows ? 'true' : undefined}
			onScroll={onScroll}
			onPointerDown={onPointerDown}
		>
			<div className="easel-card-content">{children}</div>
		</div>
	);
}
