// SVG uploads made safe to serve: parsed as XML with jsdom, cleaned by DOMPurify (SVG profiles)
// plus our own rules — no scripts, event handlers or foreign content, no reference outside the
// file but #fragments and embedded raster images, no remote CSS — then parsed again to check the
// result is still a clean SVG. jsdom takes seconds on a large drawing, so the work runs on a worker
// thread (this same module, so it works bundled by SvelteKit and unbundled alike), never on the
// event loop that serves every canvas.
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { imageSize } from 'image-size';
import { AppError } from '../errors.ts';
import { assertPixels, unsupported, type CheckedFile } from './accepted-types.ts';

/** Largest SVG accepted: it is parsed and rewritten on the server. */
export const MAX_SVG_BYTES = 2_000_000;
/** Most tags an SVG may have (counted before parsing), which bounds the time its check takes. */
export const MAX_SVG_TAGS = 50_000;
/** The longest one SVG's check may take before it is refused. */
const SANITIZE_TIMEOUT_MS = 30_000;
/** How long the checking thread stays up without work. */
const IDLE_THREAD_MS = 5 * 60 * 1000;

const SVG_NAMESPACE = 'http://www.w3.org/2000/svg';
const WORKER_MARK = 'easel:svg-sanitizer';

/** Elements removed with everything in them, whatever DOMPurify's lists say. */
const FORBIDDEN_ELEMENTS = new Set([
	'script',
	'foreignobject',
	'iframe',
	'embed',
	'object',
	'audio',
	'video',
	'canvas',
	'animate',
	'set',
	'animatemotion',
	'animatetransform',
	'discard',
	'handler',
	'listener'
]);

/**
 * The text of an SVG document, or null when `bytes` are not one (then the caller refuses them as an
 * unknown type). Cheap: it looks at the text, it does not parse it. Throws for an SVG refused
 * outright: too large, too many tags, or entity declarations (jsdom's XML parser expands internal
 * entities, so a "billion laughs" file must never reach it).
 */
export function svgText(bytes: Uint8Array): string | null {
	let text: string;
	try {
		text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
	} catch {
		return null;
	}
	if (text.includes('\u0000')) return null;
	const start = text.trimStart();
	if (!start.startsWith('<')) return null;
	const head = start.slice(0, 64 * 1024);
	if (!/<(?:[\w.-]+:)?svg[\s>/]/i.test(head)) return null;
	if (bytes.byteLength > MAX_SVG_BYTES) throw unsupported(`SVG images are at most ${MAX_SVG_BYTES / 1_000_000} MB.`);
	if (/<!ENTITY/i.test(text) || /<!DOCTYPE[^>]*\[/i.test(text))
		throw unsupported('SVG files that declare entities (a DOCTYPE with an internal subset) are not accepted.');
	let tags = 0;
	for (let index = text.indexOf('<'); index !== -1; index = text.indexOf('<', index + 1)) {
		if (++tags > MAX_SVG_TAGS) throw unsupported(`SVG images have at most ${MAX_SVG_TAGS.toLocaleString('en')} elements.`);
	}
	return text;
}

/**
 * `sanitizeSvg` on a worker thread (in this thread where workers can't start). Null when the bytes
 * are not an SVG; AppErrors come back as they were thrown.
 */
export async function sanitizeSvgOffThread(bytes: Uint8Array): Promise<CheckedFile | null> {
	if (svgText(bytes) === null) return null;
	return thread.run(bytes);
}

/**
 * The sanitised SVG (bytes, and its size when it states one), or null when `bytes` are not an SVG
 * document. Throws UNSUPPORTED_MEDIA_TYPE for an SVG it will not take (see `svgText`), one that is
 * not well-formed XML, or one with nothing left once cleaned. Synchronous work of up to seconds:
 * call `sanitizeSvgOffThread` from a server.
 */
export async function sanitizeSvg(bytes: Uint8Array): Promise<CheckedFile | null> {
	const text = svgText(bytes);
	if (text === null) return null;
	const { JSDOM } = await import('jsdom');
	const { default: createDOMPurify } = await import('dompurify');
	// The DTD (an external one at most, by now) is dropped unread: nothing is ever fetched.
	const withoutDoctype = text.replace(/<!DOCTYPE[^>]*>/gi, '');
	let parsed: import('jsdom').JSDOM;
	try {
		parsed = new JSDOM(withoutDoctype, { contentType: 'image/svg+xml' });
	} catch {
		throw unsupported('The file looks like an SVG image but is not well-formed XML.');
	}
	const root = parsed.window.document.documentElement;
	const isSvg = root?.localName === 'svg' && (root.namespaceURI === SVG_NAMESPACE || root.namespaceURI === null);
	const source = isSvg ? root.outerHTML : '';
	parsed.window.close();
	if (!isSvg) return null;

	const { window } = new JSDOM('');
	try {
		const purify = createDOMPurify(window as unknown as Parameters<typeof createDOMPurify>[0]);
		purify.addHook('uponSanitizeAttribute', (_node, data) => {
			if (!attributeIsSafe(data.attrName, data.attrValue)) data.keepAttr = false;
		});
		purify.addHook('uponSanitizeElement', (node, data) => {
			if (data.tagName === 'style' && !cssIsSafe(node.textContent ?? '')) node.textContent = '';
		});
		// Parsed as HTML, where <svg> starts SVG content whether or not the file declared its namespace.
		const body = purify.sanitize(source, { USE_PROFILES: { svg: true, svgFilters: true }, FORBID_TAGS: [...FORBIDDEN_ELEMENTS], RETURN_DOM: true });
		const svg = [...body.children].find((child) => child.localName === 'svg' && child.namespaceURI === SVG_NAMESPACE);
		if (!svg) throw unsupported('The SVG image has nothing left once its scripts and external references are removed.');
		enforce(svg);
		// Serialised as XML (namespaces declared, elements closed), which is how browsers read image/svg+xml.
		const output = new window.XMLSerializer().serializeToString(svg);
		if (!isCleanSvg(output, JSDOM)) throw unsupported('The SVG image could not be made safe.');
		const sanitized = new TextEncoder().encode(output);
		let size: { width?: number; height?: number } = {};
		try {
			size = imageSize(sanitized);
		} catch {
			// No width, height or viewBox: it scales to whatever holds it.
		}
		const width = size.width || undefined;
		const height = size.height || undefined;
		if (width && height) assertPixels(width, height);
		return { mimeType: 'image/svg+xml', bytes: sanitized, width, height };
	} finally {
		window.close();
	}
}

/** A reference that stays inside the file: `#fragment`, or an embedded raster image. */
function isInternalReference(value: string): boolean {
	const trimmed = value.trim();
	return trimmed.startsWith('#') || /^data:image\/(png|jpeg|gif|webp);base64,[a-z0-9+/=\s]*$/i.test(trimmed);
}

/** CSS that reaches nothing outside the file: no url() but to a #fragment, no @import, no escapes (which could spell either). */
function cssIsSafe(css: string): boolean {
	return [css, css.replace(/\/\*[^]*?\*\//g, '')].every((text) => {
		const rest = text.replace(/url\(\s*(['"]?)#[\w.:-]*\1\s*\)/gi, '');
		return !/url\s*\(|image-set\s*\(|image\s*\(|@import|expression\s*\(|src\s*\(|\\|javascript:/i.test(rest);
	});
}

function attributeIsSafe(name: string, value: string): boolean {
	const lower = name.toLowerCase();
	if (lower.startsWith('on')) return false;
	if (lower === 'href' || lower.endsWith(':href')) return isInternalReference(value);
	if (lower === 'style') return cssIsSafe(value);
	if (lower.startsWith('xml:base') || lower === 'src' || lower === 'action' || lower === 'formaction') return false;
	// Presentation attributes take CSS values too: fill="url(#gradient)" stays, url(https://…) goes.
	if (/url\s*\(|\\|javascript:/i.test(value)) return cssIsSafe(value);
	return true;
}

/** The same rules once more over what DOMPurify left (in case its lists ever let something through). */
function enforce(root: Element): void {
	for (const element of [root, ...root.querySelectorAll('*')]) {
		if (element !== root && (element.namespaceURI !== SVG_NAMESPACE || FORBIDDEN_ELEMENTS.has(element.localName.toLowerCase()))) {
			element.remove();
			continue;
		}
		for (const attribute of [...element.attributes]) {
			if (!attributeIsSafe(attribute.name, attribute.value)) element.removeAttributeNode(attribute);
		}
		if (element.localName === 'style' && !cssIsSafe(element.textContent ?? '')) element.textContent = '';
	}
}

/** Parses the output as a browser will (XML, image/svg+xml): an svg root, SVG elements only, every attribute safe. */
function isCleanSvg(output: string, JSDOM: typeof import('jsdom').JSDOM): boolean {
	let dom: import('jsdom').JSDOM;
	try {
		dom = new JSDOM(output, { contentType: 'image/svg+xml' });
	} catch {
		return false;
	}
	try {
		const root = dom.window.document.documentElement;
		return (
			root.localName === 'svg' &&
			[root, ...root.querySelectorAll('*')].every(
				(element) =>
					element.namespaceURI === SVG_NAMESPACE &&
					!FORBIDDEN_ELEMENTS.has(element.localName.toLowerCase()) &&
					[...element.attributes].every((attribute) => attributeIsSafe(attribute.name, attribute.value)) &&
					(element.localName !== 'style' || cssIsSafe(element.textContent ?? ''))
			)
		);
	} finally {
		dom.window.close();
	}
}

type WorkerAnswer =
	| { id: number; result: { bytes: Uint8Array; width?: number; height?: number } | null }
	| { id: number; error: { code?: AppError['code']; message: string; details?: Record<string, unknown> } };

type Job = { id: number; bytes: Uint8Array; resolve: (checked: CheckedFile | null) => void; reject: (error: Error) => void };

/**
 * One thread, started on first use, checks one SVG at a time (jobs wait here, not in the thread,
 * so a check that runs out of time fails alone: the thread is ended and the next job starts a new
 * one). It ends itself after a while without work.
 */
const thread = (() => {
	let worker: Worker | null = null;
	let current: (Job & { timer: NodeJS.Timeout }) | null = null;
	let idle: NodeJS.Timeout | undefined;
	let nextId = 0;
	const queue: Job[] = [];

	function stop() {
		const stopping = worker;
		worker = null;
		void stopping?.terminate();
	}

	function finish(answer: (job: Job) => void) {
		if (!current) return;
		const job = current;
		current = null;
		clearTimeout(job.timer);
		answer(job);
		startNext();
	}

	function start(): Worker | null {
		if (worker) return worker;
		try {
			worker = new Worker(new URL(import.meta.url), { workerData: WORKER_MARK });
		} catch {
			return null;
		}
		const own = worker;
		own.on('message', (answer: WorkerAnswer) => {
			if (answer.id !== current?.id) return;
			finish((job) => {
				if ('error' in answer) {
					const { code, message, details } = answer.error;
					job.reject(code ? new AppError(code, message, details) : new Error(`The SVG check failed: ${message}`));
				} else job.resolve(answer.result && { mimeType: 'image/svg+xml', ...answer.result });
			});
		});
		own.on('error', (error) => {
			if (worker === own) worker = null;
			finish((job) => job.reject(error));
		});
		own.on('exit', () => {
			if (worker !== own) return;
			worker = null;
			finish((job) => job.reject(new Error('The SVG check thread stopped.')));
		});
		own.unref();
		return own;
	}

	function startNext() {
		clearTimeout(idle);
		const job = queue.shift();
		if (!job) {
			idle = setTimeout(stop, IDLE_THREAD_MS);
			idle.unref();
			return;
		}
		const running = start();
		if (!running) {
			// No threads here: check it on this one.
			sanitizeSvg(job.bytes).then(job.resolve, job.reject).finally(startNext);
			return;
		}
		const timer = setTimeout(() => {
			stop();
			finish((timedOut) => timedOut.reject(unsupported('The SVG image is too complex to check.')));
		}, SANITIZE_TIMEOUT_MS);
		current = { ...job, timer };
		running.postMessage({ id: job.id, bytes: job.bytes });
	}

	return {
		run(bytes: Uint8Array): Promise<CheckedFile | null> {
			return new Promise((resolve, reject) => {
				queue.push({ id: nextId++, bytes, resolve, reject });
				if (!current) startNext();
			});
		}
	};
})();

// On the worker thread: sanitise each SVG posted, one at a time, and answer.
if (!isMainThread && workerData === WORKER_MARK && parentPort) {
	const port = parentPort;
	port.on('message', ({ id, bytes }: { id: number; bytes: Uint8Array }) => {
		sanitizeSvg(bytes).then(
			(checked) => port.postMessage({ id, result: checked && { bytes: checked.bytes, width: checked.width, height: checked.height } } satisfies WorkerAnswer),
			(error: unknown) =>
				port.postMessage({
					id,
					error:
						error instanceof AppError
							? { code: error.code, message: error.message, details: error.details }
							: { message: error instanceof Error ? error.message : String(error) }
				} satisfies WorkerAnswer)
		);
	});
}
