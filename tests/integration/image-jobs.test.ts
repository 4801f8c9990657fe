// Live sketch → image against the real server and a local OpenAI-compatible images server: a job
// goes queued → done and its picture lands in the result frame for everyone; a newer sketch of the
// same frame supersedes the waiting job (nothing charged for it); a failing provider charges
// nothing and says why; guests are limited per address; without a provider the API says so. On
// PostgreSQL: separate worker processes share the queue (each job runs once), a worker killed
// mid-job loses nothing (retried elsewhere, charged once), and paid plans' jobs go first.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { creditLedger, teamBilling } from '../../src/lib/server/db/schema.ts';
import { resultFrameMeta, resultImageMeta, GUEST_IMAGES_PER_DAY } from '../../src/lib/live-sketch.ts';
import { api, connectCanvas, createCanvas, signUp, waitFor, type CanvasClient, type TestUser } from '../helpers/clients.ts';
import { describeEachServerDatabase } from '../helpers/server-databases.ts';
import { freePort, startServer, type RunningServer } from '../helpers/server.ts';
import { seedCanvas } from '../helpers/tldraw-records.ts';
import { addSketchPair, imageEnv, sketchBase64, startWorker } from '../helpers/live-sketch.ts';
import { startComfyUiTestServer, type ComfyUiTestServer } from '../helpers/comfyui-test-server.ts';
import { startOpenAiImagesTestServer, type OpenAiImagesTestServer } from '../helpers/openai-images-test-server.ts';
import { postgresReachable, createScratchPostgres } from '../helpers/databases.ts';

async function jobOf(server: RunningServer, user: TestUser | null, jobId: string, cookie?: string) {
	const { body } = await api(server.url, `/api/v1/image-jobs/${jobId}`, { token: user?.token, headers: cookie ? { cookie } : {} });
	return body.job;
}

async function waitForState(server: RunningServer, user: TestUser | null, jobId: string, states: string[], timeoutMs = 20_000, cookie?: string) {
	let job: { state: string } | undefined;
	await waitFor(
		async () => {
			job = await jobOf(server, user, jobId, cookie);
			return states.includes(job!.state);
		},
		timeoutMs,
		`job ${jobId} to be ${states.join(' or ')}`
	).catch((error) => {
		throw new Error(`${(error as Error).message}; it is ${JSON.stringify(job)}`);
	});
	return job as Record<string, unknown> & { state: string };
}

async function creditsOf(server: RunningServer, user: TestUser): Promise<number> {
	const { body } = await api(server.url, `/api/v1/teams/${user.personalTeamId}/billing`, { token: user.token });
	return body.credits.balance;
}

describeEachServerDatabase('live sketch image jobs', (database) => {
	let provider: OpenAiImagesTestServer;
	let server: RunningServer;
	let owner: TestUser;
	let canvasId: string;
	let client: CanvasClient;

	beforeAll(async () => {
		provider = await startOpenAiImagesTestServer();
		// One job at a time, so a second sketch of a frame waits behind the first.
		server = await startServer({ env: { ...database().env, ...imageEnv(provider), WORKER_CONCURRENCY: '1' } });
		owner = await signUp(server.url, 'Sketcher');
		canvasId = await createCanvas(server.url, owner);
		client = connectCanvas(server.wsUrl, `canvas:${canvasId}`, owner.token);
		await client.synced;
		seedCanvas(client.records);
	});
	afterAll(async () => {
		client?.destroy();
		await server?.dispose();
		await provider?.close();
	});

	it('a sketch becomes a picture in its result frame for everyone, charged one credit', async () => {
		const { sketchId, resultId } = addSketchPair(client, 'one');
		const watcher = connectCanvas(server.wsUrl, `canvas:${canvasId}`, owner.token);
		await watcher.synced;
		const before = await creditsOf(server, owner);
		const submitted = await api(server.url, `/api/v1/canvases/${canvasId}/images`, {
			token: owner.token,
			body: { prompt: 'a red lighthouse at dusk', sketch: sketchBase64(), frameId: sketchId }
		});
		expect(submitted.status).toBe(202);
		expect(submitted.body.job).toMatchObject({ state: 'queued', variations: 1, frameId: sketchId, creditsCharged: 0 });
		const done = await waitForState(server, owner, submitted.body.job.id, ['done', 'failed']);
		expect(done).toMatchObject({ state: 'done', creditsCharged: 1, error: null });
		expect(done.assetIds).toHaveLength(1);

		// The watcher sees the picture in the result frame, with its prompt, and the job shown as done.
		await waitFor(() => resultFrameMeta((watcher.records.get(resultId) as { meta: unknown })?.meta)?.job?.state === 'done', 10_000, 'the result frame to show done');
		const images = [...watcher.records.values()].filter(
			(record) => (record as { type?: string; parentId?: string }).type === 'image' && (record as { parentId: string }).parentId === resultId
		) as {
			meta: unknown;
			props: { assetId: string };
		}[];
		expect(images).toHaveLength(1);
		expect(resultImageMeta(images[0].meta)).toMatchObject({ jobId: done.id, prompt: 'a red lighthouse at dusk', index: 0 });
		const picture = await fetch(`${server.url}${(done.imageUrls as string[])[0]}`, { headers: { authorization: `Bearer ${owner.token}` } });
		expect(picture.status).toBe(200);
		expect(picture.headers.get('content-type')).toBe('image/png');
		expect(provider.requests.at(-1)).toMatchObject({ prompt: 'a red lighthouse at dusk', n: 1 });
		expect(await creditsOf(server, owner)).toBe(before - 1);

		// Variations: four pictures in a grid replace the one; four credits.
		const four = await api(server.url, `/api/v1/canvases/${canvasId}/images`, {
			token: owner.token,
			body: { prompt: 'a red lighthouse at dusk', sketch: sketchBase64(1), frameId: sketchId, variations: 4 }
		});
		const fourDone = await waitForState(server, owner, four.body.job.id, ['done', 'failed']);
		expect(fourDone).toMatchObject({ state: 'done', creditsCharged: 4 });
		await waitFor(
			() =>
				[...watcher.records.values()].filter(
					(record) => (record as { type?: string; parentId?: string }).type === 'image' && (record as { parentId: string }).parentId === resultId
				).length === 4,
			10_000,
			'four pictures in the result frame'
		);
		expect(await creditsOf(server, owner)).toBe(before - 5);
		watcher.destroy();
	});

	it('a newer sketch of the frame supersedes its waiting job: one job waits per frame, the dropped ones cost nothing', async () => {
		const { sketchId } = addSketchPair(client, 'busy');
		provider.setBehaviour({ delayMs: 1500 });
		try {
			const before = await creditsOf(server, owner);
			const submit = (seed: number) =>
				api(server.url, `/api/v1/canvases/${canvasId}/images`, { token: owner.token, body: { prompt: 'a castle', sketch: sketchBase64(seed), frameId: sketchId } });
			const first = await submit(0);
			await waitForState(server, owner, first.body.job.id, ['generating']);
			const later = [];
			for (let seed = 1; seed <= 5; seed++) later.push((await submit(seed)).body.job.id as string);
			const states = await Promise.all(later.map((id) => jobOf(server, owner, id)));
			expect(states.slice(0, 4).map((job) => job.state)).toEqual(['superseded', 'superseded', 'superseded', 'superseded']);
			expect(states[4].state).toBe('queued');
			expect(states[4].position).toBe(0);
			const last = await waitForState(server, owner, later[4], ['done', 'failed']);
			await waitForState(server, owner, first.body.job.id, ['done']);
			expect(last.state).toBe('done');
			for (const id of later.slice(0, 4)) expect(await jobOf(server, owner, id)).toMatchObject({ state: 'superseded', creditsCharged: 0 });
			// Two pictures made, two charged: the four dropped sketches never reached the provider.
			expect(await creditsOf(server, owner)).toBe(before - 2);
		} finally {
			provider.setBehaviour({ delayMs: 0 });
		}
	});

	it('a provider that refuses the image fails the job with its reason and charges nothing; cancelling a waiting job gives its credits back', async () => {
		const { sketchId, resultId } = addSketchPair(client, 'refused');
		const before = await creditsOf(server, owner);
		provider.setBehaviour({ fail: 'http400' });
		try {
			const submitted = await api(server.url, `/api/v1/canvases/${canvasId}/images`, {
				token: owner.token,
				body: { prompt: 'anything', sketch: sketchBase64(), frameId: sketchId }
			});
			const failed = await waitForState(server, owner, submitted.body.job.id, ['done', 'failed']);
			expect(failed.state).toBe('failed');
			expect(failed.error).toMatch(/safety system/);
			expect(failed.creditsCharged).toBe(0);
			await waitFor(() => resultFrameMeta((client.records.get(resultId) as { meta: unknown }).meta)?.job?.state === 'failed', 10_000, 'the frame to show the failure');
			expect(resultFrameMeta((client.records.get(resultId) as { meta: unknown }).meta)?.job?.error).toMatch(/safety system/);
		} finally {
			provider.setBehaviour({ fail: 'none' });
		}
		provider.setBehaviour({ delayMs: 2000 });
		try {
			const busy = await api(server.url, `/api/v1/canvases/${canvasId}/images`, { token: owner.token, body: { prompt: 'busy', sketch: sketchBase64(2) } });
			const waiting = await api(server.url, `/api/v1/canvases/${canvasId}/images`, { token: owner.token, body: { prompt: 'waiting', sketch: sketchBase64(3) } });
			const cancelled = await api(server.url, `/api/v1/image-jobs/${waiting.body.job.id}/cancel`, { token: owner.token, method: 'POST' });
			expect(cancelled.status).toBe(200);
			expect(cancelled.body.job.state).toBe('cancelled');
			expect((await api(server.url, `/api/v1/image-jobs/${waiting.body.job.id}/cancel`, { token: owner.token, method: 'POST' })).status).toBe(409);
			await waitForState(server, owner, busy.body.job.id, ['done']);
			expect(await creditsOf(server, owner)).toBe(before - 1);
		} finally {
			provider.setBehaviour({ delayMs: 0 });
		}
	});

	it('refuses bad input clearly, viewers and outsiders, and keeps guests to their daily images per address', async () => {
		const bad = await api(server.url, `/api/v1/canvases/${canvasId}/images`, { token: owner.token, body: { prompt: '', sketch: sketchBase64() } });
		expect(bad).toMatchObject({ status: 400, body: { error: { code: 'INVALID_INPUT', details: { field: 'prompt' } } } });
		const notPicture = await api(server.url, `/api/v1/canvases/${canvasId}/images`, {
			token: owner.token,
			body: { prompt: 'x', sketch: Buffer.from('hello world').toString('base64') }
		});
		expect(notPicture.status).toBe(415);
		const outsider = await signUp(server.url, 'Outsider');
		expect((await api(server.url, `/api/v1/canvases/${canvasId}/images`, { token: outsider.token, body: { prompt: 'x', sketch: sketchBase64() } })).status).toBe(404);

		// A guest: pictures come back by the job's own URL, to their cookie only.
		let cookie = '';
		for (let made = 0; made < GUEST_IMAGES_PER_DAY; made += 4) {
			const response = await fetch(`${server.url}/api/v1/sketch/images`, {
				method: 'POST',
				headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
				body: JSON.stringify({ prompt: 'a guest sketch', sketch: sketchBase64(made), variations: 4 })
			});
			expect(response.status).toBe(202);
			cookie ||= response.headers.get('set-cookie')!.split(';')[0];
			const { job } = await response.json();
			const done = await waitForState(server, null, job.id, ['done', 'failed'], 20_000, cookie);
			expect(done.state).toBe('done');
			expect(done.imageUrls).toHaveLength(4);
			if (made === 0) {
				expect((await fetch(`${server.url}${(done.imageUrls as string[])[0]}`, { headers: { cookie } })).headers.get('content-type')).toBe('image/png');
				expect((await fetch(`${server.url}${(done.imageUrls as string[])[0]}`)).status).toBe(404);
				expect((await api(server.url, `/api/v1/image-jobs/${job.id}`, { token: outsider.token })).status).toBe(404);
			}
		}
		const refused = await fetch(`${server.url}/api/v1/sketch/images`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', cookie },
			body: JSON.stringify({ prompt: 'one more', sketch: sketchBase64() })
		});
		expect(refused.status).toBe(429);
		expect((await refused.json()).error).toMatchObject({ code: 'RATE_LIMITED', details: { limit: 'guestImages', allowed: GUEST_IMAGES_PER_DAY } });
	});

	it('reports the queue and workers in /metrics', async () => {
		const text = await (await fetch(`${server.url}/metrics`)).text();
		expect(text).toMatch(/^easel_image_workers 1$/m);
		expect(text).toMatch(/^easel_image_queue_depth \d+$/m);
		expect(text).toMatch(/^easel_image_jobs_finished_total\{state="done"\} \d+$/m);
		expect(text).toMatch(/^easel_image_generation_seconds_count [1-9]\d*$/m);
	});
});

describe('through ComfyUI', () => {
	let comfy: ComfyUiTestServer;
	let server: RunningServer;
	beforeAll(async () => {
		comfy = await startComfyUiTestServer({ delayMs: 2500, progressSteps: 10 });
		server = await startServer({ env: { IMAGE_PROVIDER: 'comfyui', COMFYUI_URL: comfy.url } });
	});
	afterAll(async () => {
		await server?.dispose();
		await comfy?.close();
	});

	it('the frame shows the progress ComfyUI reports while the picture is made', async () => {
		const user = await signUp(server.url, 'Comfy');
		const canvasId = await createCanvas(server.url, user);
		const client = connectCanvas(server.wsUrl, `canvas:${canvasId}`, user.token);
		await client.synced;
		seedCanvas(client.records);
		const { sketchId, resultId } = addSketchPair(client, 'comfy');
		await waitFor(() => !client.provider.hasUnsyncedChanges, 10_000, 'the frames to reach the server');
		const { body } = await api(server.url, `/api/v1/canvases/${canvasId}/images`, {
			token: user.token,
			body: { prompt: 'a watercolour fox', sketch: sketchBase64(), frameId: sketchId, strength: 0.4 }
		});
		const seen = new Set<number>();
		await waitFor(
			() => {
				const progress = resultFrameMeta((client.records.get(resultId) as { meta: unknown }).meta)?.job?.progress;
				if (typeof progress === 'number' && progress > 0 && progress < 1) seen.add(progress);
				return seen.size >= 2;
			},
			15_000,
			'progress on the result frame'
		);
		expect(await waitForState(server, user, body.job.id, ['done', 'failed'])).toMatchObject({ state: 'done', creditsCharged: 1 });
		// The workflow got the prompt and the strength as its denoise.
		expect(JSON.stringify(comfy.requests.prompts.at(-1))).toContain('a watercolour fox');
		expect(JSON.stringify(comfy.requests.prompts.at(-1))).toContain('0.4');
		client.destroy();
	});
});

describe('without an image provider', () => {
	let server: RunningServer;
	beforeAll(async () => {
		server = await startServer();
	});
	afterAll(() => server?.dispose());

	it('says image generation is not set up, and how to set it up', async () => {
		const user = await signUp(server.url, 'NoImages');
		const canvasId = await createCanvas(server.url, user);
		const { status, body } = await api(server.url, `/api/v1/canvases/${canvasId}/images`, { token: user.token, body: { prompt: 'x', sketch: sketchBase64() } });
		expect(status).toBe(503);
		expect(body.error).toMatchObject({ code: 'UNAVAILABLE', details: { reason: 'imagesNotConfigured' } });
		expect(body.error.message).toMatch(/IMAGE_PROVIDER/);
		expect((await api(server.url, '/api/v1/images/service')).body.service).toEqual({ configured: false, workers: 0, queued: 0 });
	});
});

(postgresReachable ? describe : describe.skip)('separate image workers on PostgreSQL', () => {
	let provider: OpenAiImagesTestServer;
	let server: RunningServer;
	let scratch: Awaited<ReturnType<typeof createScratchPostgres>>;
	let env: Record<string, string>;
	const workers: ReturnType<typeof startWorker>[] = [];
	let db: import('../../src/lib/server/db/index.ts').OpenDatabase;

	beforeAll(async () => {
		provider = await startOpenAiImagesTestServer();
		scratch = await createScratchPostgres();
		const prefix = `easel-test-${Date.now().toString(36)}`;
		env = {
			DATABASE_URL: scratch.url,
			REDIS_URL: 'redis://127.0.0.1:6379',
			REDIS_PREFIX: prefix,
			SECRETS_KEY: Buffer.alloc(32, 7).toString('base64'),
			...imageEnv(provider)
		};
		server = await startServer({ env: { ...env, IN_PROCESS_WORKER: 'false' } });
		// The instances share one asset folder, as compose.yaml's volume (or an S3 bucket) does.
		env.DATA_DIR = server.dataDir;
		const { openDatabase } = await import('../../src/lib/server/db/index.ts');
		db = await openDatabase({ url: scratch.url, maxConnections: 2 });
	});
	afterAll(async () => {
		for (const worker of workers) worker.process.kill('SIGKILL');
		await server?.dispose();
		await db?.close();
		await scratch?.drop();
		await provider?.close();
	});

	async function startWorkers(count: number, extra: Record<string, string> = {}) {
		const started = [];
		for (let i = 0; i < count; i++) {
			const worker = startWorker({ ...env, WORKER_PORT: String(await freePort()), WORKER_CONCURRENCY: '2', ...extra });
			workers.push(worker);
			started.push(worker);
		}
		await waitFor(
			async () => (await api(server.url, '/api/v1/images/service')).body.service.workers === workers.filter((w) => w.process.exitCode === null).length,
			30_000,
			'the workers to report'
		);
		return started;
	}

	it('paid plans go first; with no worker up the job says so with its place in the queue', async () => {
		const free = await signUp(server.url, 'FreeTeam');
		const pro = await signUp(server.url, 'ProTeam');
		await db.db
			.insert(teamBilling)
			.values({ teamId: pro.personalTeamId, plan: 'pro', status: 'active' })
			.onConflictDoUpdate({ target: teamBilling.teamId, set: { plan: 'pro', status: 'active' } });
		const freeCanvas = await createCanvas(server.url, free);
		const proCanvas = await createCanvas(server.url, pro);
		const ask = (user: TestUser, canvas: string, prompt: string) =>
			api(server.url, `/api/v1/canvases/${canvas}/images`, { token: user.token, body: { prompt, sketch: sketchBase64() } });
		const freeJobs = [];
		for (const prompt of ['free 1', 'free 2']) freeJobs.push((await ask(free, freeCanvas, prompt)).body.job);
		for (const prompt of ['pro 1', 'pro 2']) await ask(pro, proCanvas, prompt);
		const waiting = await jobOf(server, free, freeJobs[0].id);
		expect(waiting).toMatchObject({ state: 'queued', position: 2, workers: 0, etaSeconds: null });

		const seen = provider.requests.length;
		await startWorkers(1, { WORKER_CONCURRENCY: '1' });
		await waitForState(server, free, freeJobs[1].id, ['done'], 30_000);
		expect(provider.requests.slice(seen).map((request) => request.prompt)).toEqual(['pro 1', 'pro 2', 'free 1', 'free 2']);
	});

	it('two worker processes share the queue: every job runs once', async () => {
		await startWorkers(1);
		const user = await signUp(server.url, 'Many');
		await db.db
			.insert(teamBilling)
			.values({ teamId: user.personalTeamId, plan: 'pro', status: 'active' })
			.onConflictDoUpdate({ target: teamBilling.teamId, set: { plan: 'pro', status: 'active' } });
		const canvas = await createCanvas(server.url, user);
		const seen = provider.requests.length;
		provider.setBehaviour({ delayMs: 100 });
		const jobs = await Promise.all(
			Array.from({ length: 24 }, (_, i) =>
				api(server.url, `/api/v1/canvases/${canvas}/images`, { token: user.token, body: { prompt: `job ${i}`, sketch: sketchBase64(i) } })
			)
		);
		for (const { body } of jobs) await waitForState(server, user, body.job.id, ['done'], 30_000);
		provider.setBehaviour({ delayMs: 0 });
		const prompts = provider.requests.slice(seen).map((request) => request.prompt);
		expect(prompts).toHaveLength(24);
		expect(new Set(prompts).size).toBe(24);
		const byWorker = await db.db.execute(sql`select worker_id, count(*)::int as n from image_jobs where canvas_id = ${canvas} group by worker_id`);
		expect((byWorker as unknown as unknown[]).length).toBe(2);
	});

	it('a frame’s pictures are made one at a time across workers: its newer sketch waits and is superseded, never generated beside the first', async () => {
		const user = await signUp(server.url, 'OneFrame');
		const canvas = await createCanvas(server.url, user);
		const client = connectCanvas(server.wsUrl, `canvas:${canvas}`, user.token);
		await client.synced;
		seedCanvas(client.records);
		const { sketchId } = addSketchPair(client, 'shared');
		await waitFor(() => !client.provider.hasUnsyncedChanges, 10_000, 'the frames to reach the server');
		provider.setBehaviour({ delayMs: 2500 });
		try {
			const submit = async (seed: number) =>
				(
					await api(server.url, `/api/v1/canvases/${canvas}/images`, {
						token: user.token,
						body: { prompt: `frame ${seed}`, sketch: sketchBase64(seed), frameId: sketchId }
					})
				).body.job.id as string;
			const first = await submit(0);
			await waitForState(server, user, first, ['generating']);
			const second = await submit(1);
			// Free slots on both workers, yet the frame's second sketch waits for the first.
			await new Promise((resolve) => setTimeout(resolve, 1500));
			expect(await jobOf(server, user, second)).toMatchObject({ state: 'queued', position: 0 });
			const third = await submit(2);
			expect(await jobOf(server, user, second)).toMatchObject({ state: 'superseded', creditsCharged: 0 });
			expect(await waitForState(server, user, third, ['done', 'failed'], 30_000)).toMatchObject({ state: 'done' });
			expect(await jobOf(server, user, first)).toMatchObject({ state: 'done' });
		} finally {
			provider.setBehaviour({ delayMs: 0 });
			client.destroy();
		}
	}, 60_000);

	it('a worker killed mid-job loses nothing: another retries it, and it is charged once', async () => {
		const user = await signUp(server.url, 'Killed');
		const canvas = await createCanvas(server.url, user);
		provider.setBehaviour({ delayMs: 6000 });
		try {
			const { body } = await api(server.url, `/api/v1/canvases/${canvas}/images`, { token: user.token, body: { prompt: 'survive', sketch: sketchBase64() } });
			const generating = await waitForState(server, user, body.job.id, ['generating']);
			expect(generating.state).toBe('generating');
			const [{ worker_id: holder }] = (await db.db.execute(sql`select worker_id from image_jobs where id = ${body.job.id}`)) as unknown as { worker_id: string }[];
			const victim = workers.find((worker) => worker.process.pid === Number(holder.split(':')[1]))!;
			victim.process.kill('SIGKILL');
			await victim.exited;
			provider.setBehaviour({ delayMs: 200 });
			const done = await waitForState(server, user, body.job.id, ['done', 'failed'], 60_000);
			expect(done).toMatchObject({ state: 'done', creditsCharged: 1 });
			const charges = await db.db.select().from(creditLedger).where(eq(creditLedger.teamId, user.personalTeamId));
			expect(charges.filter((row) => row.reason === 'charge').map((row) => row.delta)).toEqual([-1]);
			const [{ attempts }] = (await db.db.execute(sql`select attempts from image_jobs where id = ${body.job.id}`)) as unknown as { attempts: number }[];
			expect(attempts).toBe(2);
		} finally {
			provider.setBehaviour({ delayMs: 0 });
		}
	}, 90_000);

	it('a worker stopped with SIGTERM finishes its job first; its /readyz fails when the provider is unreachable', async () => {
		const live = workers.filter((worker) => worker.process.exitCode === null && worker.process.signalCode === null);
		const user = await signUp(server.url, 'Graceful');
		const canvas = await createCanvas(server.url, user);
		provider.setBehaviour({ delayMs: 1500 });
		const { body } = await api(server.url, `/api/v1/canvases/${canvas}/images`, { token: user.token, body: { prompt: 'finish me', sketch: sketchBase64() } });
		await waitForState(server, user, body.job.id, ['generating']);
		for (const worker of live) worker.process.kill('SIGTERM');
		for (const worker of live) expect(await worker.exited).toBe(0);
		expect(await jobOf(server, user, body.job.id)).toMatchObject({ state: 'done', creditsCharged: 1 });
		provider.setBehaviour({ delayMs: 0 });

		const port = await freePort();
		const unreachable = startWorker({ ...env, IMAGE_BASE_URL: `http://127.0.0.1:${await freePort()}/v1`, WORKER_PORT: String(port) });
		workers.push(unreachable);
		let readiness: Response | undefined;
		await waitFor(
			async () => {
				readiness = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined);
				return readiness !== undefined;
			},
			30_000,
			'the worker to listen'
		);
		expect(readiness!.status).toBe(503);
		expect((await readiness!.json()).checks).toMatchObject({ database: 'ok', imageProvider: expect.not.stringMatching(/^ok$/) });
	}, 90_000);
});
