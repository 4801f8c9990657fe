// Numbers for the collaboration benchmark: a mergeable latency histogram, quantiles, and CPU/RSS
// samples of a process from /proc (the server under test, the client workers, the browser's processes).
import { readdirSync, readFileSync } from 'node:fs';

/** Wall-clock milliseconds with sub-millisecond resolution, comparable across processes. */
export const now = () => performance.timeOrigin + performance.now();

export interface HistogramJson {
	buckets: [number, number][];
	count: number;
	sum: number;
	min: number | null;
	max: number | null;
}

export interface LatencySummary {
	count: number;
	mean: number | null;
	p50: number | null;
	p95: number | null;
	p99: number | null;
	max: number | null;
}

/** Latency histogram (ms): 10 µs buckets below 10 ms, 0.1 ms below 100 ms, 1 ms below 1 s, 10 ms above. */
export class Histogram {
	private buckets = new Map<number, number>();
	count = 0;
	private sum = 0;
	private min = Infinity;
	private max = -Infinity;

	private static bucket(ms: number): number {
		if (ms < 10) return Math.round(ms * 100) / 100;
		if (ms < 100) return Math.round(ms * 10) / 10;
		if (ms < 1000) return Math.round(ms);
		return Math.round(ms / 10) * 10;
	}

	add(ms: number): void {
		// A few microseconds below zero are clock noise between processes.
		const value = Math.max(0, ms);
		const key = Histogram.bucket(value);
		this.buckets.set(key, (this.buckets.get(key) ?? 0) + 1);
		this.count++;
		this.sum += value;
		this.min = Math.min(this.min, value);
		this.max = Math.max(this.max, value);
	}

	merge(other: Histogram): this {
		for (const [key, n] of other.buckets) this.buckets.set(key, (this.buckets.get(key) ?? 0) + n);
		this.count += other.count;
		this.sum += other.sum;
		this.min = Math.min(this.min, other.min);
		this.max = Math.max(this.max, other.max);
		return this;
	}

	percentile(p: number): number | null {
		if (this.count === 0) return null;
		const target = Math.ceil((this.count * p) / 100);
		let seen = 0;
		const keys = [...this.buckets.keys()].sort((a, b) => a - b);
		for (const key of keys) {
			seen += this.buckets.get(key)!;
			if (seen >= target) return key;
		}
		return keys[keys.length - 1];
	}

	summary(): LatencySummary {
		const round = (x: number | null) => (x === null ? null : Math.round(x * 100) / 100);
		if (this.count === 0) return { count: 0, mean: null, p50: null, p95: null, p99: null, max: null };
		return {
			count: this.count,
			mean: round(this.sum / this.count),
			p50: round(this.percentile(50)),
			p95: round(this.percentile(95)),
			p99: round(this.percentile(99)),
			max: round(this.max)
		};
	}

	toJSON(): HistogramJson {
		return {
			buckets: [...this.buckets],
			count: this.count,
			sum: this.sum,
			min: Number.isFinite(this.min) ? this.min : null,
			max: Number.isFinite(this.max) ? this.max : null
		};
	}

	static fromJSON(json: HistogramJson): Histogram {
		const histogram = new Histogram();
		histogram.buckets = new Map(json.buckets);
		histogram.count = json.count;
		histogram.sum = json.sum;
		histogram.min = json.min ?? Infinity;
		histogram.max = json.max ?? -Infinity;
		return histogram;
	}
}

export function median(values: number[]): number | null {
	if (values.length === 0) return null;
	const sorted = [...values].sort((a, b) => a - b);
	const middle = sorted.length / 2;
	return Number.isInteger(middle) ? (sorted[middle - 1] + sorted[middle]) / 2 : sorted[Math.floor(middle)];
}

export function quantile(values: number[], p: number): number | null {
	if (values.length === 0) return null;
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((sorted.length * p) / 100) - 1))];
}

const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ: 100 on every Linux architecture Node supports

export interface ProcessSample {
	at: number;
	cpuSeconds: number;
	/** Of which in the kernel (system time): socket writes, mostly. */
	systemSeconds: number;
	rssKb: number;
	peakRssKb: number;
}

/** CPU time and resident memory of a process, or null once it is gone. */
export function sampleProcess(pid: number): ProcessSample | null {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		// Fields after the command name (which may contain spaces): state is field 3, utime 14, stime 15.
		const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		const status = readFileSync(`/proc/${pid}/status`, 'utf8');
		return {
			at: performance.now(),
			cpuSeconds: (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND,
			systemSeconds: Number(fields[12]) / CLOCK_TICKS_PER_SECOND,
			rssKb: Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0),
			peakRssKb: Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0)
		};
	} catch {
		return null;
	}
}

/** Live descendants of `rootPid` named chromium or chrome*: the browser processes Playwright started from it. */
export function browserProcesses(rootPid: number): number[] {
	const children = new Map<number, number[]>();
	for (const entry of readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
			const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
			children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
		} catch {
			// exited meanwhile
		}
	}
	const found: number[] = [];
	for (let queue = [...(children.get(rootPid) ?? [])]; queue.length > 0;) {
		const pid = queue.shift()!;
		queue.push(...(children.get(pid) ?? []));
		try {
			if (readFileSync(`/proc/${pid}/comm`, 'utf8').startsWith('chrom')) found.push(pid);
		} catch {
			// exited meanwhile
		}
	}
	return found;
}

/** Kernel (system) CPU between two samples, in % of one core. */
export function systemCpuPercent(from: ProcessSample | null, to: ProcessSample | null): number | null {
	if (!from || !to || to.at <= from.at) return null;
	return Math.round(((to.systemSeconds - from.systemSeconds) / ((to.at - from.at) / 1000)) * 1000) / 10;
}

/** CPU used between two samples, in % of one core. */
export function cpuPercent(from: ProcessSample | null, to: ProcessSample | null): number | null {
	if (!from || !to || to.at <= from.at) return null;
	return Math.round(((to.cpuSeconds - from.cpuSeconds) / ((to.at - from.at) / 1000)) * 1000) / 10;
}

export interface MachineSample {
	idle: number;
	total: number;
}

export function sampleMachine(): MachineSample {
	const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
	return { idle: fields[3] + (fields[4] ?? 0), total: fields.reduce((sum, x) => sum + x, 0) };
}

/** Whole-machine busy % between two samples (100 = every core busy). */
export function machineBusyPercent(from: MachineSample, to: MachineSample): number | null {
	const total = to.total - from.total;
	return total > 0 ? Math.round((1 - (to.idle - from.idle) / total) * 1000) / 10 : null;
}

/**
 * Machine busy % over `ms` that the given processes do not explain: other people's work on a shared
 * machine. 100 = every core busy with something else.
 */
export async function foreignLoad(ownPids: number[], ms = 1000, cores = 1): Promise<number> {
	const before = { machine: sampleMachine(), own: ownPids.map(sampleProcess) };
	await new Promise((resolve) => setTimeout(resolve, ms));
	const after = { machine: sampleMachine(), own: ownPids.map(sampleProcess) };
	const own = ownPids.reduce((sum, _, i) => sum + (cpuPercent(before.own[i], after.own[i]) ?? 0), 0) / cores;
	return Math.max(0, (machineBusyPercent(before.machine, after.machine) ?? 0) - own);
}
