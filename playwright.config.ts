import { defineConfig } from '@playwright/test';

/** Debian's Chromium (apt-get install chromium); never a downloaded browser build. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export default defineConfig({
	testDir: 'tests/e2e',
	outputDir: 'tests/e2e/.artifacts',
	// Each spec starts its own production server (tests/e2e/fixtures.ts), so files can restart it.
	fullyParallel: false,
	workers: 1,
	timeout: 90_000,
	expect: { timeout: 15_000 },
	retries: process.env.CI === 'true' ? 1 : 0,
	reporter: [['list']],
	use: {
		headless: true,
		viewport: { width: 1280, height: 800 },
		trace: 'retain-on-failure',
		screenshot: 'only-on-failure',
		launchOptions: {
			executablePath: CHROMIUM,
			args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']
		}
	}
});
