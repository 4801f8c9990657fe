// Syntax highlighting for generated code, in the browser: shiki's core with the JavaScript regex
// engine, loaded the first time the code view opens, each language's grammar fetched when a file
// needs it. Shiki escapes the code it renders, so its HTML is safe to insert; anything it can't
// highlight is shown as plain text by the caller, never as markup.
import type { HighlighterCore } from 'shiki/core';

const THEME = 'github-light';

/** The grammars a generated file may need (see languageOfPath), each its own chunk. */
const GRAMMARS: Record<string, () => Promise<unknown>> = {
	typescript: () => import('shiki/langs/typescript.mjs'),
	javascript: () => import('shiki/langs/javascript.mjs'),
	tsx: () => import('shiki/langs/tsx.mjs'),
	jsx: () => import('shiki/langs/jsx.mjs'),
	python: () => import('shiki/langs/python.mjs'),
	go: () => import('shiki/langs/go.mjs'),
	java: () => import('shiki/langs/java.mjs'),
	kotlin: () => import('shiki/langs/kotlin.mjs'),
	csharp: () => import('shiki/langs/csharp.mjs'),
	ruby: () => import('shiki/langs/ruby.mjs'),
	swift: () => import('shiki/langs/swift.mjs'),
	dart: () => import('shiki/langs/dart.mjs'),
	sql: () => import('shiki/langs/sql.mjs'),
	json: () => import('shiki/langs/json.mjs'),
	yaml: () => import('shiki/langs/yaml.mjs'),
	toml: () => import('shiki/langs/toml.mjs'),
	markdown: () => import('shiki/langs/markdown.mjs'),
	shellscript: () => import('shiki/langs/shellscript.mjs'),
	html: () => import('shiki/langs/html.mjs'),
	css: () => import('shiki/langs/css.mjs'),
	vue: () => import('shiki/langs/vue.mjs'),
	svelte: () => import('shiki/langs/svelte.mjs'),
	nginx: () => import('shiki/langs/nginx.mjs'),
	xml: () => import('shiki/langs/xml.mjs'),
	groovy: () => import('shiki/langs/groovy.mjs'),
	dotenv: () => import('shiki/langs/dotenv.mjs'),
	dockerfile: () => import('shiki/langs/dockerfile.mjs'),
	makefile: () => import('shiki/langs/makefile.mjs')
};

let core: Promise<HighlighterCore> | null = null;
const loading = new Map<string, Promise<void>>();

function highlighter(): Promise<HighlighterCore> {
	core ??= (async () => {
		const [{ createHighlighterCore }, { createJavaScriptRegexEngine }] = await Promise.all([import('shiki/core'), import('shiki/engine/javascript')]);
		return createHighlighterCore({ themes: [import('shiki/themes/github-light.mjs')], langs: [], engine: createJavaScriptRegexEngine() });
	})();
	core.catch(() => (core = null));
	return core;
}

/** The file as highlighted HTML (shiki's, escaped), or null when its language has no grammar here or loading failed. */
export async function highlightCode(code: string, language: string | undefined): Promise<string | null> {
	const grammar = language ? GRAMMARS[language] : undefined;
	if (!grammar || !language) return null;
	try {
		const shiki = await highlighter();
		if (!loading.has(language)) {
			const load = grammar().then((module) => shiki.loadLanguage((module as { default: Parameters<HighlighterCore['loadLanguage']>[0] }).default));
			load.catch(() => loading.delete(language));
			loading.set(language, load);
		}
		await loading.get(language);
		return shiki.codeToHtml(code, { lang: language, theme: THEME });
	} catch {
		return null;
	}
}
