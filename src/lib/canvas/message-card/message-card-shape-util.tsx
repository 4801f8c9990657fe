// The browser's shape util for message cards (props and migrations: src/lib/conversations/message-card.ts,
// the one definition the server validates with). The server owns a card's content, size and layout:
// people cannot resize or edit a card, only move it (layout then leaves it where they put it), bind
// arrows to it and comment around it. Exports draw the card's own HTML (tldraw renders shapes without
// `toSvg` in a foreignObject with their styles inlined), in the export's colour mode.
import { BaseBoxShapeUtil, DefaultFontFaces, type TLFontFace } from 'tldraw';
import {
	MESSAGE_CARD_TYPE,
	emptyMessageCardProps,
	messageCardMigrations,
	messageCardProps,
	type MessageCardProps,
	type MessageCardShape
} from '../../conversations/message-card.ts';
import { ROLE_LABELS } from './card-model.ts';
import { MessageCard } from './MessageCard.tsx';
import './message-card.css';

declare module '@tldraw/tlschema' {
	interface TLGlobalShapePropsMap {
		'conversation-message': MessageCardProps;
	}
}

/** Corner radius of a card, in page pixels (its CSS and its selection outline agree). */
const CARD_RADIUS = 10;
/** What `getAriaDescriptor` quotes of a card's text. */
const DESCRIBED_CHARS = 160;
/** The card's text faces: tldraw's own sans and mono, so exports embed them like tldraw's text. */
const CARD_FONTS: TLFontFace[] = [
	DefaultFontFaces.tldraw_sans.normal.normal,
	DefaultFontFaces.tldraw_sans.normal.bold,
	DefaultFontFaces.tldraw_sans.italic.normal,
	DefaultFontFaces.tldraw_mono.normal.normal
];

export class MessageCardShapeUtil extends BaseBoxShapeUtil<MessageCardShape> {
	static override type = MESSAGE_CARD_TYPE;
	static override props = messageCardProps;
	static override migrations = messageCardMigrations;

	override getDefaultProps(): MessageCardShape['props'] {
		return emptyMessageCardProps();
	}

	override canResize(): boolean {
		return false;
	}

	override canEdit(): boolean {
		return false;
	}

	override hideResizeHandles(): boolean {
		return true;
	}

	override hideRotateHandle(): boolean {
		return true;
	}

	override getFontFaces(): TLFontFace[] {
		return CARD_FONTS;
	}

	override getText(shape: MessageCardShape): string {
		return shape.props.text;
	}

	override getAriaDescriptor(shape: MessageCardShape): string {
		const { role, model, author, text, toolCalls } = shape.props;
		const who = [model, author].filter(Boolean).join(', ');
		const excerpt = text.length > DESCRIBED_CHARS ? `${text.slice(0, DESCRIBED_CHARS)}…` : text;
		const calls = toolCalls.length > 0 ? ` Calls ${toolCalls.map((call) => call.name).join(', ')}.` : '';
		return `${ROLE_LABELS[role]} message${who ? ` (${who})` : ''}: ${excerpt}${calls}`;
	}

	override component(shape: MessageCardShape) {
		return <MessageCard shape={shape} />;
	}

	override getIndicatorPath(shape: MessageCardShape): Path2D {
		const path = new Path2D();
		path.roundRect(0, 0, shape.props.w, shape.props.h, CARD_RADIUS);
		return path;
	}
}
