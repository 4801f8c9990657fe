// A browser's part in a redirect flow, for integration tests: a cookie jar (per host, as browsers
// keep cookies) and a walker that follows redirects by hand across our server and a provider.

interface StoredCookie {
	value: string;
	expires: number | null;
}

export class CookieJar {
	private readonly byHost = new Map<string, Map<string, StoredCookie>>();

	/** Keeps the Set-Cookie headers of a response from `url`. */
	store(url: string, response: Response): void {
		const host = new URL(url).hostname;
		const cookies = this.byHost.get(host) ?? new Map<string, StoredCookie>();
		this.byHost.set(host, cookies);
		for (const header of response.headers.getSetCookie()) {
			const [pair, ...attributes] = header.split(';').map((part) => part.trim());
			const eq = pair.indexOf('=');
			const name = pair.slice(0, eq);
			const value = pair.slice(eq + 1);
			let expires: number | null = null;
			for (const attribute of attributes) {
				const [key, raw] = attribute.split('=');
				if (key.toLowerCase() === 'max-age') expires = Date.now() + Number(raw) * 1000;
				if (key.toLowerCase() === 'expires' && expires === null) expires = Date.parse(raw);
			}
			if (expires !== null && expires <= Date.now()) cookies.delete(name);
			else cookies.set(name, { value, expires });
		}
	}

	/** The Cookie header a browser sends to `url`. */
	header(url: string): string {
		const cookies = this.byHost.get(new URL(url).hostname);
		if (!cookies) return '';
		return [...cookies]
			.filter(([, cookie]) => cookie.expires === null || cookie.expires > Date.now())
			.map(([name, cookie]) => `${name}=${cookie.value}`)
			.join('; ');
	}

	get(url: string, name: string): string | undefined {
		return this.byHost.get(new URL(url).hostname)?.get(name)?.value;
	}

	set(url: string, name: string, value: string): void {
		const host = new URL(url).hostname;
		const cookies = this.byHost.get(host) ?? new Map<string, StoredCookie>();
		this.byHost.set(host, cookies);
		cookies.set(name, { value, expires: null });
	}

	/** Another jar holding the same cookies (a second browser that copied them). */
	clone(): CookieJar {
		const copy = new CookieJar();
		for (const [host, cookies] of this.byHost) copy.byHost.set(host, new Map(cookies));
		return copy;
	}
}

export interface Visit {
	url: string;
	status: number;
	location: string | null;
	body: string;
}

/** One GET as a browser navigates: the jar's cookies go along, the answer's are kept; redirects are not followed. */
export async function visit(jar: CookieJar, url: string): Promise<Visit> {
	const cookie = jar.header(url);
	const response = await fetch(url, { redirect: 'manual', headers: { accept: 'text/html', ...(cookie ? { cookie } : {}) } });
	jar.store(url, response);
	const location = response.headers.get('location');
	return { url, status: response.status, location: location ? new URL(location, url).href : null, body: await response.text() };
}

/**
 * Navigates from `url`, following redirects as a browser would, until an answer that is not a redirect
 * or (with `stopBefore`) before visiting a URL it matches. Returns every visit, in order.
 */
export async function navigate(jar: CookieJar, url: string, options: { stopBefore?: (url: URL) => boolean; maxRedirects?: number } = {}): Promise<Visit[]> {
	const visits: Visit[] = [];
	let next: string | null = url;
	for (let hops = 0; next; hops++) {
		if (hops > (options.maxRedirects ?? 10)) throw new Error(`too many redirects: ${visits.map((v) => v.url).join(' → ')}`);
		if (visits.length > 0 && options.stopBefore?.(new URL(next))) break;
		const current = await visit(jar, next);
		visits.push(current);
		next = current.status >= 300 && current.status < 400 ? current.location : null;
	}
	return visits;
}

/** The text of an HTML page, for asserting what a person reads (tags dropped, entities decoded). */
export function pageText(html: string): string {
	return html
		.replace(/<script[\s\S]*?<\/script>/g, ' ')
		.replace(/<style[\s\S]*?<\/style>/g, ' ')
		.replace(/<[^>]+>/g, ' ')
		.replace(/&#39;|&#x27;/g, "'")
		.replace(/&quot;/g, '"')
		.replace(/&amp;/g, '&')
		.replace(/&lt;/g, '<')
		.replace(/&gt;/g, '>')
		.replace(/\s+/g, ' ')
		.trim();
}
