// Chat message Markdown to safe HTML in the browser: marked parses, raw HTML is shown as text, DOMPurify
// keeps only the tags Markdown makes, and code blocks are highlighted by shiki once it has loaded
// (a small fine-grained bundle, fetched the first time a message has a code block).
import createDOMPurify, { type Config as SanitizeConfig, type DOMPurify } from 'dompurify';
import { Marked, type Tokens } from 'marked';

/** Highlights one code block as HTML, or null for a language it doesn't know. */
export interface CodeHighlighter {
	highlight(code: string, language: string): string | null;
}

/** The languages highlighted (by the names and aliases people write after ```), and the one theme. */
const LANGUAGES = {
	typescript: ['ts', 'typescript'],
	tsx: ['tsx'],
	javascript: ['js', 'javascript', 'mjs', 'cjs'],
	jsx: ['jsx'],
	json: ['json', 'jsonc'],
	python: ['py', 'python'],
	bash: ['sh', 'bash', 'shell', 'zsh', 'console'],
	sql: ['sql'],
	yaml: ['yml', 'yaml'],
	html: ['html', 'svelte', 'vue', 'xml'],
	css: ['css'],
	go: ['go', 'golang'],
	rust: ['rs', 'rust'],
	java: ['java'],
	diff: ['diff', 'patch'],
	dockerfile: ['dockerfile', 'docker']
} as const;
type LanguageId = keyof typeof LANGUAGES;
const THEME = 'github-light';

const LANGUAGE_BY_ALIAS = new Map<string, LanguageId>(
	(Object.entries(LANGUAGES) as [LanguageId, readonly string[]][]).flatMap(([id, aliases]) => aliases.map((alias) => [alias, id] as const))
);

/** The highlighted language a fence's info string names, if any. */
export function languageOf(info: string | undefined): LanguageId | null {
	const name = (info ?? '').trim().split(/\s+/)[0]?.toLowerCase() ?? '';
	return LANGUAGE_BY_ALIAS.get(name) ?? null;
}

/** Whether a message has a fenced code block worth loading the highlighter for. */
export function hasCodeBlock(text: string): boolean {
	return /^ {0,3}(```|~~~)/m.test(text);
}

let highlighterLoad: Promise<CodeHighlighter> | null = null;

/** The highlighter, loaded once per tab on first use (its grammars are a separate chunk). */
export function loadCodeHighlighter(): Promise<CodeHighlighter> {
	highlighterLoad ??= (async () => {
		const [{ createHighlighterCore }, { createJavaScriptRegexEngine }] = await Promise.all([import('shiki/core'), import('shiki/engine/javascript')]);
		const core = await createHighlighterCore({
			themes: [import('shiki/themes/github-light.mjs')],
			langs: [
				import('shiki/langs/typescript.mjs'),
				import('shiki/langs/tsx.mjs'),
				import('shiki/langs/javascript.mjs'),
				import('shiki/langs/jsx.mjs'),
				import('shiki/langs/json.mjs'),
				import('shiki/langs/python.mjs'),
				import('shiki/langs/bash.mjs'),
				import('shiki/langs/sql.mjs'),
				import('shiki/langs/yaml.mjs'),
				import('shiki/langs/html.mjs'),
				import('shiki/langs/css.mjs'),
				import('shiki/langs/go.mjs'),
				import('shiki/langs/rust.mjs'),
				import('shiki/langs/java.mjs'),
				import('shiki/langs/diff.mjs'),
				import('shiki/langs/dockerfile.mjs')
			],
			engine: createJavaScriptRegexEngine()
		});
		return {
			highlight(code, language) {
				const id = languageOf(language);
				return id ? core.codeToHtml(code, { lang: id, theme: THEME }) : null;
			}
		};
	})();
	highlighterLoad.catch(() => (highlighterLoad = null));
	return highlighterLoad;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
function escapeHtml(text: string): string {
	return text.replace(/[&<>"']/g, (char) => ESCAPES[char]);
}

/** The highlighter of the render in progress (rendering is synchronous, so one slot is enough). */
let activeHighlighter: CodeHighlighter | null = null;

const marked = new Marked({
	gfm: true,
	breaks: true,
	async: false,
	renderer: {
		// Raw HTML in a message is text the person typed, never markup.
		html: ({ text }: Tokens.HTML | Tokens.Tag) => escapeHtml(text),
		code({ text, lang }: Tokens.Code) {
			const language = languageOf(lang);
			const highlighted = language ? activeHighlighter?.highlight(text, language) : null;
			if (highlighted) return highlighted;
			return `<pre class="code"${language ? ` data-language="${language}"` : ''}><code>${escapeHtml(text)}</code></pre>`;
		},
		// Task-list checkboxes would be form controls; a plain mark reads the same.
		checkbox: ({ checked }: Tokens.Checkbox) => (checked ? '☑ ' : '☐ ')
	}
});

/** Only what Markdown produces (and shiki's spans): no images, forms, media, SVG, MathML or scripts. */
const SANITIZE: SanitizeConfig & { RETURN_TRUSTED_TYPE: false } = {
	ALLOWED_TAGS: [
		'a',
		'p',
		'br',
		'strong',
		'em',
		'del',
		's',
		'code',
		'pre',
		'span',
		'blockquote',
		'ul',
		'ol',
		'li',
		'h1',
		'h2',
		'h3',
		'h4',
		'h5',
		'h6',
		'hr',
		'table',
		'thead',
		'tbody',
		'tr',
		'th',
		'td'
	],
	ALLOWED_ATTR: ['href', 'title', 'class', 'style', 'start', 'align', 'target', 'rel', 'data-language'],
	// Web and mail links, fragments and same-site paths; no javascript:, data:, vbscript: or protocol-relative URLs.
	ALLOWED_URI_REGEXP: /^(?:https?:|mailto:|#|\/(?!\/))/i,
	ALLOW_DATA_ATTR: false,
	RETURN_TRUSTED_TYPE: false
};

/** Shiki colours tokens with inline styles; nothing else may style anything. */
const SAFE_STYLE = /^(\s*(color|background-color|font-style|font-weight|text-decoration)\s*:\s*[#\w\s.,()%-]+;?)*\s*$/i;

let purifier: DOMPurify | null = null;

function purify(): DOMPurify {
	if (purifier) return purifier;
	const instance = createDOMPurify(window);
	instance.addHook('uponSanitizeAttribute', (_node, data) => {
		if (data.attrName === 'style' && !SAFE_STYLE.test(data.attrValue)) data.keepAttr = false;
	});
	instance.addHook('afterSanitizeAttributes', (node) => {
		if (node.tagName === 'A' && node.hasAttribute('href')) {
			node.setAttribute('target', '_blank');
			node.setAttribute('rel', 'noopener noreferrer');
		} else if (node.tagName === 'A') {
			node.removeAttribute('target');
			node.removeAttribute('rel');
		}
	});
	purifier = instance;
	return instance;
}

/**
 * A message's text as sanitised HTML. With a highlighter, fenced code in a known language is
 * coloured; without one (still loading) it is a plain `<pre>`. Browser only (DOMPurify needs a DOM).
 */
export function renderMarkdown(text: string, highlighter: CodeHighlighter | null = null): string {
	activeHighlighter = highlighter;
	try {
		const html = marked.parse(text) as string;
		return purify().sanitize(html, SANITIZE);
	} finally {
		activeHighlighter = null;
	}
}
