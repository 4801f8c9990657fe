// Prometheus figures of image jobs, in the process-wide registry: submissions and how jobs ended
// (counted where it happens), generation latency and provider errors (in the worker), and, read from
// the database when scraped, the queue depth, jobs running and workers up (set by `reportImageQueue`).
import client from 'prom-client';
import { metrics } from '../metrics.ts';

function createImageMetrics() {
	const { registry } = metrics();
	const live = { read: async (): Promise<{ queued: number; generating: number; workers: number }> => ({ queued: 0, generating: 0, workers: 0 }) };
	type Figures = { queued: number; generating: number; workers: number };
	let snapshot: Promise<Figures> | null = null;
	let last: Figures = { queued: 0, generating: 0, workers: 0 };
	// One database read per scrape, shared by the three gauges. A scrape never waits on (or fails
	// with) the database: past a second, or while it is away, the last figures stand.
	const read = (): Promise<Figures> =>
		Promise.race([live.read(), new Promise<Figures>((_, reject) => setTimeout(() => reject(new Error('timed out')), 1000).unref())]).then(
			(figures) => (last = figures),
			() => last
		);
	const current = () => (snapshot ??= read().finally(() => setTimeout(() => (snapshot = null), 500).unref()));
	return {
		live,
		submitted: new client.Counter({ name: 'easel_image_jobs_submitted_total', help: 'Image jobs asked for', registers: [registry] }),
		finished: new client.Counter({
			name: 'easel_image_jobs_finished_total',
			help: 'Image jobs that ended, by how (done, failed, cancelled, superseded)',
			labelNames: ['state'],
			registers: [registry]
		}),
		generationSeconds: new client.Histogram({
			name: 'easel_image_generation_seconds',
			help: 'Time from a worker starting an image job to its pictures being stored',
			buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 40, 80],
			registers: [registry]
		}),
		providerErrors: new client.Counter({
			name: 'easel_image_provider_errors_total',
			help: 'Image provider calls that failed, by whether they are retried',
			labelNames: ['transient'],
			registers: [registry]
		}),
		queueDepth: new client.Gauge({
			name: 'easel_image_queue_depth',
			help: 'Image jobs waiting for a worker',
			registers: [registry],
			async collect() {
				this.set((await current()).queued);
			}
		}),
		generating: new client.Gauge({
			name: 'easel_image_jobs_generating',
			help: 'Image jobs a worker is making now',
			registers: [registry],
			async collect() {
				this.set((await current()).generating);
			}
		}),
		workers: new client.Gauge({
			name: 'easel_image_workers',
			help: 'Image worker processes that reported in the last 20 s',
			registers: [registry],
			async collect() {
				this.set((await current()).workers);
			}
		})
	};
}

const KEY = Symbol.for('easel.imageMetrics');
type Holder = { [KEY]?: ReturnType<typeof createImageMetrics> };

export function imageMetrics(): ReturnType<typeof createImageMetrics> {
	const holder = globalThis as Holder;
	return (holder[KEY] ??= createImageMetrics());
}

/** Where the queue gauges read from (the process's database), set once at start. */
export function reportImageQueue(read: () => Promise<{ queued: number; generating: number; workers: number }>): void {
	imageMetrics().live.read = read;
}
