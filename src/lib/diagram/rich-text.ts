// Plain text of tldraw rich text (TipTap JSON), for labels the graph reader, the assistant and the gallery read.

/** Plain text of tldraw rich text (TipTap JSON): paragraphs on lines of their own. */
export function plainTextOf(richText: unknown): string {
	const lines: string[] = [];
	const walk = (node: unknown, line: string[]): void => {
		if (!node || typeof node !== 'object') return;
		const { type, text, content } = node as { type?: unknown; text?: unknown; content?: unknown };
		if (type === 'text' && typeof text === 'string') line.push(text);
		else if (type === 'hardBreak') line.push('\n');
		if (!Array.isArray(content)) return;
		if (type === 'doc' || type === 'bulletList' || type === 'orderedList' || type === 'listItem' || type === 'blockquote') {
			for (const child of content) {
				const childLine: string[] = [];
				walk(child, childLine);
				if (childLine.length > 0 || (child as { type?: unknown })?.type === 'paragraph') lines.push(childLine.join(''));
			}
		} else {
			for (const child of content) walk(child, line);
		}
	};
	if (richText && typeof richText === 'object' && (richText as { type?: unknown }).type === 'doc') {
		walk(richText, []);
		return lines.join('\n').trim();
	}
	const line: string[] = [];
	walk(richText, line);
	return line.join('').trim();
}
