// Live sketch in tests and the jobs benchmark: a sketch PNG, the settings that point the server at
// the local images server, a sketch/result frame pair as the "Live sketch" button makes them, and a
// separate `npm run worker` process.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { encodePng } from '../../src/lib/server/png-encoder.ts';
import type { CanvasClient } from './clients.ts';
import { TEST_IMAGE_API_KEY, type OpenAiImagesTestServer } from './openai-images-test-server.ts';
import { frameShape } from './tldraw-records.ts';

const ROOT = join(import.meta.dirname, '..', '..');

/** A small sketch as base64: a dark stroke across white (`seed` moves it, so sketches differ). */
export function sketchBase64(seed = 0): string {
	const png = encodePng(64, 64, 3, (x, y) => (Math.abs(x - y - seed) < 3 ? [20, 20, 20] : [255, 255, 255]));
	return Buffer.from(png).toString('base64');
}

/** Server settings for the local OpenAI-compatible images server. */
export function imageEnv(provider: Pick<OpenAiImagesTestServer, 'url'>): Record<string, string> {
	return { IMAGE_PROVIDER: 'openai', IMAGE_BASE_URL: provider.url, IMAGE_API_KEY: TEST_IMAGE_API_KEY, IMAGE_MODEL: 'gpt-image-1' };
}

/** A sketch frame and its result frame on the canvas, linked as the "Live sketch" button links them. */
export function addSketchPair(client: CanvasClient, name: string): { sketchId: string; resultId: string } {
	const sketchId = `shape:sketch-${name}`;
	const resultId = `shape:result-${name}`;
	client.doc.transact(() => {
		client.records.set(
			sketchId,
			frameShape(
				sketchId,
				{ meta: { liveSketch: { role: 'sketch', resultFrameId: resultId, prompt: 'a lighthouse', strength: 0.65 } } },
				{ w: 512, h: 512, name: 'Sketch' }
			)
		);
		client.records.set(resultId, frameShape(resultId, { x: 600, meta: { liveSketch: { role: 'result', sketchFrameId: sketchId } } }, { w: 512, h: 512, name: 'Result' }));
	});
	return { sketchId, resultId };
}

export interface WorkerProcess {
	process: ChildProcess;
	output(): string;
	/** Resolves with the exit code. */
	exited: Promise<number | null>;
}

/** `npm run worker` with `env` (DATABASE_URL, REDIS_URL, DATA_DIR, the image settings, WORKER_PORT). */
export function startWorker(env: Record<string, string>): WorkerProcess {
	const child = spawn(process.execPath, [join(ROOT, 'server', 'worker.ts')], {
		cwd: ROOT,
		env: { ...process.env, LOG_LEVEL: 'warn', ...env },
		stdio: ['ignore', 'pipe', 'pipe']
	});
	let output = '';
	child.stdout!.on('data', (chunk) => (output += chunk));
	child.stderr!.on('data', (chunk) => (output += chunk));
	return { process: child, output: () => output, exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))) };
}
