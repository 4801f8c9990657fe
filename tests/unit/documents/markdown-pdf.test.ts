// Markdown to PDF: what a reader of the file finds in it (read back with pdf.js).
import { describe, expect, it } from 'vitest';
import { renderMarkdownPdf } from '../../../src/lib/server/documents/markdown-pdf.ts';
import { solidPng } from '../../helpers/png.ts';
import { readPdf } from '../../helpers/pdf-text.ts';

const DOCUMENT = `# Payments — design document

![Diagram](payments-diagram.png)

## Overview

The **API** talks to *PostgreSQL* through \`pg\` and [documents it](https://example.com/docs). Ünïcödé → ✓.

## Components

- Web app
- API
  1. nested first
  2. nested second

| Component | Technology |
| --- | --- |
| API | Node.js |
| Database | PostgreSQL 17 |

\`\`\`ts
const answer = 42;
\`\`\`

> A quoted risk.

---

<script>alert(1)</script>

![Remote](https://attacker.example/track.png)
`;

describe('renderMarkdownPdf', () => {
	it('writes a PDF with the headings, text, lists, tables, code and Unicode a reader sees', async () => {
		const bytes = await renderMarkdownPdf(DOCUMENT, { title: 'Payments', images: { 'payments-diagram.png': solidPng(400, 200, [40, 90, 200, 255]) } });
		expect(new TextDecoder().decode(bytes.slice(0, 5))).toBe('%PDF-');
		const pdf = await readPdf(bytes);
		expect(pdf.pages).toBeGreaterThan(0);
		expect(pdf.title).toBe('Payments');
		const text = pdf.text.join('\n').replace(/\s+/g, ' ');
		for (const expected of [
			'Payments — design document',
			'Overview',
			'API',
			'PostgreSQL',
			'Node.js',
			'PostgreSQL 17',
			'nested second',
			'const answer = 42;',
			'A quoted risk.',
			'Ünïcödé',
			'✓'
		])
			expect(text).toContain(expected);
		// Raw HTML is text, and an image it was not given is its alt text, never fetched.
		expect(text).toContain('<script>alert(1)</script>');
		expect(text).toContain('[Remote]');
	});

	it('embeds the diagram it was given', async () => {
		const withImage = await renderMarkdownPdf(DOCUMENT, { title: 'Payments', images: { 'payments-diagram.png': solidPng(400, 200, [40, 90, 200, 255]) } });
		const without = await renderMarkdownPdf(DOCUMENT, { title: 'Payments' });
		expect(new TextDecoder('latin1').decode(withImage)).toMatch(/\/Subtype \/Image/);
		expect(new TextDecoder('latin1').decode(without)).not.toMatch(/\/Subtype \/Image/);
		expect((await readPdf(without)).text.join(' ')).toContain('[Diagram]');
	});

	it('flows a long document onto more pages', async () => {
		const long = ['# Long', ...Array.from({ length: 120 }, (_, index) => `Paragraph ${index} with enough words to take a line or two of the page.`)].join('\n\n');
		const pdf = await readPdf(await renderMarkdownPdf(long, { title: 'Long' }));
		expect(pdf.pages).toBeGreaterThan(2);
		expect(pdf.text.at(-1)).toContain('Paragraph 119');
	});
});
