import { sveltekit } from '@sveltejs/kit/vite';
import type { Plugin } from 'vite';
import { defineConfig } from 'vitest/config';

/** `npm run dev`: the same Hocuspocus as production, on Vite's own port at /collab. */
function collaborationDevServer(): Plugin {
	return {
		name: 'easel-collaboration',
		// Only for `vite dev`: vitest also runs Vite in serve mode and must not start the app.
		apply: (_config, env) => env.command === 'serve' && !process.env.VITEST,
		async configureServer(server) {
			const { loadConfig, setConfig } = await import('./src/lib/server/config.ts');
			const { startServices } = await import('./server/bootstrap.ts');
			const config = loadConfig({ PORT: String(server.config.server.port ?? 5173), ...process.env });
			setConfig(config);
			const services = await startServices(config);
			server.httpServer?.on('upgrade', (request, socket, head) => {
				services.collaboration.handleUpgrade(request, socket, head);
			});
			server.httpServer?.on('close', () => void services.stop());
		}
	};
}

export default defineConfig({
	plugins: [sveltekit(), collaborationDevServer()],
	optimizeDeps: { exclude: ['@tldraw/assets'] },
	// tldraw fetches its translations; one that small would be inlined as a data: URL, which the
	// CSP's connect-src (rightly) refuses, and the editor then fails to start. Keep JSON as files.
	build: { assetsInlineLimit: (file: string) => (file.endsWith('.json') ? false : undefined) },
	server: { port: 5173 },
	test: {
		include: ['tests/unit/**/*.test.ts', 'tests/integration/**/*.test.ts', 'src/**/*.test.ts'],
		globalSetup: ['tests/global-setup.ts'],
		// Every /api/v1 answer a test fetches must be one the OpenAPI document describes.
		setupFiles: ['tests/setup/openapi-conformance.ts'],
		testTimeout: 60_000,
		hookTimeout: 120_000,
		fileParallelism: false
	}
});
