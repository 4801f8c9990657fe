// The chat's Markdown renderer in a real browser (DOMPurify needs a DOM): the module is bundled with
// esbuild and run in headless Chromium, the same engine the end-to-end tests use.
import { build } from 'esbuild';
import { chromium, type Browser, type Page } from '@playwright/test';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ENTRY = `
import { renderMarkdown, loadCodeHighlighter, hasCodeBlock, languageOf } from './markdown.ts';
window.markdown = { renderMarkdown, loadCodeHighlighter, hasCodeBlock, languageOf };
`;

let browser: Browser;
let page: Page;

beforeAll(async () => {
	const bundle = await build({
		stdin: { contents: ENTRY, resolveDir: fileURLToPath(new URL('../../../src/lib/chat', import.meta.url)), loader: 'ts' },
		bundle: true,
		format: 'iife',
		write: false,
		logLevel: 'silent'
	});
	browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
	page = await browser.newPage();
	page.on('dialog', (dialog) => void dialog.dismiss());
	await page.setContent('<!doctype html><html><body></body></html>');
	await page.addScriptTag({ content: bundle.outputFiles[0].text });
});

afterAll(async () => {
	await browser?.close();
});

/** Renders in the page (with the highlighter once `highlight` is set), puts the HTML into the document, and reports what it did. */
async function render(text: string, highlight = false) {
	return page.evaluate(
		async ([source, withHighlighter]) => {
			const api = (window as unknown as { markdown: typeof import('../../../src/lib/chat/markdown.ts') }).markdown;
			const highlighter = withHighlighter ? await api.loadCodeHighlighter() : null;
			const html = api.renderMarkdown(source, highlighter);
			(window as unknown as { pwned?: boolean }).pwned = false;
			const host = document.createElement('div');
			host.innerHTML = html;
			document.body.replaceChildren(host);
			await new Promise((resolve) => setTimeout(resolve, 50));
			return {
				html,
				text: host.textContent ?? '',
				pwned: Boolean((window as unknown as { pwned?: boolean }).pwned),
				tags: [...host.querySelectorAll('*')].map((element) => element.tagName.toLowerCase()),
				links: [...host.querySelectorAll('a')].map((link) => ({ href: link.getAttribute('href'), target: link.getAttribute('target'), rel: link.getAttribute('rel') })),
				handlers: [...host.querySelectorAll('*')].flatMap((element) => [...element.attributes].map((attribute) => attribute.name).filter((name) => name.startsWith('on')))
			};
		},
		[text, highlight] as const
	);
}

describe('chat Markdown', () => {
	it('renders the Markdown people write in chat', async () => {
		const out = await render('**bold** _it_ `code`\n\n- one\n- two\n\n> quoted');
		expect(out.tags).toEqual(expect.arrayContaining(['strong', 'em', 'code', 'ul', 'li', 'blockquote']));
		expect(out.text).toContain('bold');
	});

	it('keeps single line breaks, as chat messages expect', async () => {
		const out = await render('first line\nsecond line');
		expect(out.tags).toContain('br');
	});

	it.each([
		['an image with onerror', '<img src=x onerror="window.pwned=true">'],
		['a script tag', '<script>window.pwned=true</script>'],
		['an inline SVG with onload', '<svg onload="window.pwned=true"><circle r="5"/></svg>'],
		['an iframe', '<iframe src="javascript:window.pwned=true"></iframe>'],
		['a raw HTML block', '<div style="position:fixed;inset:0" onclick="window.pwned=true">click</div>'],
		['an anchor in raw HTML', '<a href="javascript:window.pwned=true">x</a>'],
		['an event handler inside a paragraph', 'hello <b onmouseover="window.pwned=true">there</b>']
	])('shows %s as the text that was typed, never as markup', async (_name, source) => {
		const out = await render(source);
		expect(out.pwned).toBe(false);
		expect(out.handlers).toEqual([]);
		expect(out.tags).not.toEqual(expect.arrayContaining(['img', 'script', 'svg', 'iframe', 'div', 'b']));
		// The person sees what they typed.
		expect(out.text.replace(/\s+/g, ' ')).toContain(source.replace(/\s+/g, ' ').slice(0, 12));
	});

	it('drops javascript:, data: and protocol-relative links but keeps their text', async () => {
		for (const href of ['javascript:window.pwned=true', 'JaVaScRiPt:window.pwned=true', 'data:text/html,<script>x</script>', '//evil.example/x', 'vbscript:msgbox(1)']) {
			const out = await render(`[click me](${href})`);
			expect(out.pwned).toBe(false);
			expect(out.text).toContain('click me');
			for (const link of out.links) expect(link.href).toBeNull();
		}
	});

	it('opens links in a new tab without giving it the opener or the referrer', async () => {
		const out = await render('See [the docs](https://example.com/docs) and https://example.org');
		expect(out.links).toEqual([
			{ href: 'https://example.com/docs', target: '_blank', rel: 'noopener noreferrer' },
			{ href: 'https://example.org', target: '_blank', rel: 'noopener noreferrer' }
		]);
	});

	it('shows code as plain text while the highlighter loads, and coloured once it has', async () => {
		const source = '```ts\nconst answer: number = 42;\n```';
		const plain = await render(source);
		expect(plain.tags).toEqual(['pre', 'code']);
		expect(plain.text).toContain('const answer: number = 42;');

		const highlighted = await render(source, true);
		expect(highlighted.html).toContain('class="shiki');
		expect(highlighted.html).toMatch(/<span style="color:#[0-9A-Fa-f]{6}">const<\/span>/);
		expect(highlighted.text).toContain('const answer: number = 42;');
	});

	it('leaves code in languages it does not know (and HTML inside code) as escaped text', async () => {
		const out = await render('```brainfuck\n<img src=x onerror="window.pwned=true">\n```', true);
		expect(out.pwned).toBe(false);
		expect(out.tags).toEqual(['pre', 'code']);
		expect(out.text).toContain('<img src=x onerror="window.pwned=true">');
	});

	it('escapes HTML inside highlighted code', async () => {
		const out = await render('```html\n<img src=x onerror="window.pwned=true">\n```', true);
		expect(out.pwned).toBe(false);
		expect(out.tags).not.toContain('img');
		expect(out.text).toContain('<img src=x onerror="window.pwned=true">');
	});

	it('knows when a message needs the highlighter and which language a fence names', async () => {
		const answers = await page.evaluate(() => {
			const api = (window as unknown as { markdown: typeof import('../../../src/lib/chat/markdown.ts') }).markdown;
			return [api.hasCodeBlock('text\n```js\nx\n```'), api.hasCodeBlock('just `inline`'), api.languageOf('TS'), api.languageOf('sh title="x"'), api.languageOf('cobol')];
		});
		expect(answers).toEqual([true, false, 'typescript', 'bash', null]);
	});
});
