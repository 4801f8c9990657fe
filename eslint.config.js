// ESLint: @eslint/js, typescript-eslint and eslint-plugin-svelte recommended; formatting is Prettier's (`npm run format`).
// Not type-aware: the type-checked rule set needs a full TypeScript program (~45 s here) and `npm run lint` must stay fast;
// svelte-check in `npm test` covers the types.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import ts from 'typescript-eslint';
import svelteConfig from './svelte.config.js';

export default defineConfig(
	{
		ignores: [
			'build/',
			'.svelte-kit/',
			'drizzle/',
			'node_modules/',
			'test-results/',
			'playwright-report/',
			'static/',
			'data/',
			'tests/e2e/.artifacts/',
			'packages/sdk/src/openapi.ts'
		]
	},
	js.configs.recommended,
	ts.configs.recommended,
	svelte.configs.recommended,
	svelte.configs.prettier,
	{
		// Node for modules (server/, src/lib/server, tests, config files); components and the browser side get the browser's below.
		files: ['**/*.js', '**/*.ts', '**/*.tsx'],
		ignores: ['**/*.svelte.ts'],
		languageOptions: { globals: globals.node }
	},
	{
		linterOptions: { reportUnusedDisableDirectives: 'error' },
		rules: {
			// A leading underscore names a value kept on purpose (a rest-sibling omit, a required callback parameter).
			'@typescript-eslint/no-unused-vars': [
				'error',
				{ argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true }
			],
			// Easel is served at the root (no `kit.paths.base`), so root-relative links and goto() paths are already right;
			// wrapping every one in resolve() would add noise without changing a URL.
			'svelte/no-navigation-without-resolve': 'off'
		}
	},
	{
		files: ['src/**/*.svelte', 'src/**/*.svelte.ts', 'src/**/*.ts', 'src/**/*.tsx'],
		ignores: ['src/lib/server/**', 'src/**/*.server.ts', 'src/routes/**/+server.ts', 'src/hooks.server.ts'],
		languageOptions: { globals: globals.browser }
	},
	{
		files: ['**/*.svelte', '**/*.svelte.ts'],
		languageOptions: { parserOptions: { parser: ts.parser, extraFileExtensions: ['.svelte'], svelteConfig } }
	},
	{
		files: ['tests/e2e/**/*.ts'],
		// Playwright reads fixture parameters from an object pattern and refuses anything else, so `async ({}, use) =>` is required.
		rules: { 'no-empty-pattern': 'off' }
	}
);
