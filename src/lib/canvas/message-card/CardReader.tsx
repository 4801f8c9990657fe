// The reader: one message in full, at a readable size, over the page (a card is as small as the server
// laid it out, and a phone shows little of it). Opened from the card's header by one viewer; it follows
// the message live (a streaming answer keeps growing in it). Esc, the close button or a click outside
// closes it and gives focus back to where it was.
import { useEffect, useId, useRef } from 'react';
import { createPortal } from 'react-dom';
import type { Editor } from 'tldraw';
import type { MessageCardShape } from '../../conversations/message-card.ts';
import { usageFigures } from './card-model.ts';
import { CardHeading, MessageContent } from './MessageContent.tsx';

export function CardReader({ editor, shape, isDarkMode, onClose }: { editor: Editor; shape: MessageCardShape; isDarkMode: boolean; onClose: () => void }) {
	const dialog = useRef<HTMLDivElement>(null);
	const titleId = useId();
	const latestOnClose = useRef(onClose);
	latestOnClose.current = onClose;
	const figures = usageFigures(shape.props);

	useEffect(() => {
		const previous = document.activeElement as HTMLElement | null;
		dialog.current?.focus();
		// Ahead of the canvas's own shortcuts: Esc here closes the reader, nothing else.
		const onKeyDown = (event: KeyboardEvent) => {
			if (event.key !== 'Escape') return;
			event.stopPropagation();
			event.preventDefault();
			latestOnClose.current();
		};
		window.addEventListener('keydown', onKeyDown, true);
		return () => {
			window.removeEventListener('keydown', onKeyDown, true);
			previous?.focus?.();
		};
	}, []);

	return createPortal(
		// The theme class carries the card's colours here, outside the canvas's container.
		<div
			className={`easel-card-reader-backdrop ${isDarkMode ? 'tl-theme__dark' : 'tl-theme__light'}`}
			onPointerDown={(event) => {
				// React carries a portal's events up to the card, and from there to the canvas: they end here.
				event.stopPropagation();
				if (event.target === event.currentTarget) onClose();
			}}
			onPointerUp={stopHere}
			onPointerMove={stopHere}
			onClick={stopHere}
			onDoubleClick={stopHere}
			onContextMenu={stopHere}
			onTouchStart={stopHere}
			onTouchEnd={stopHere}
			onKeyDown={stopHere}
			onKeyUp={stopHere}
			onWheel={stopHere}
		>
			<div
				ref={dialog}
				className="easel-card easel-card-reader"
				data-role={shape.props.role}
				data-status={shape.props.status}
				role="dialog"
				aria-modal="true"
				aria-labelledby={titleId}
				tabIndex={-1}
			>
				<header className="easel-card-head">
					<CardHeading editor={editor} shape={shape} interactive titleId={titleId} />
					<button type="button" className="easel-card-open" aria-label="Close" title="Close (Esc)" onClick={onClose}>
						✕
					</button>
				</header>
				<div className="easel-card-reader-body">
					<MessageContent editor={editor} shape={shape} isDarkMode={isDarkMode} interactive />
				</div>
				{figures.length > 0 && (
					<footer className="easel-card-foot" aria-label="Usage">
						{figures.join(' · ')}
					</footer>
				)}
			</div>
		</div>,
		document.body
	);
}

function stopHere(event: { stopPropagation(): void }): void {
	event.stopPropagation();
}
