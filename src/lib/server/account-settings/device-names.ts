// "Chrome on macOS" from a User-Agent header, for the account's session list. It only labels a
// session for its owner, so a rough answer is fine and an unknown one says so; nothing relies on it.

/** Browsers in the order they must be tested: Edge and Opera also say "Chrome", Chrome also says "Safari". */
const BROWSERS: readonly [RegExp, string][] = [
	[/\bEdg(e|A|iOS)?\//, 'Edge'],
	[/\b(OPR|Opera)\//, 'Opera'],
	[/\bSamsungBrowser\//, 'Samsung Internet'],
	[/\bVivaldi\//, 'Vivaldi'],
	[/\b(Firefox|FxiOS)\//, 'Firefox'],
	[/\b(Headless)?(Chrome|CriOS|Chromium)\//, 'Chrome'],
	[/\bVersion\/[\d.]+.*\bSafari\//, 'Safari'],
	[/\bcurl\//, 'curl'],
	[/\bnode\b|\bundici\b/i, 'Node.js'],
	[/\bPython-(urllib|requests)|\bpython-requests\//i, 'Python'],
	[/\bPostmanRuntime\//, 'Postman']
];

/** Operating systems, most specific first (Android says "Linux", iPadOS says "Mac OS X"). */
const SYSTEMS: readonly [RegExp, string][] = [
	[/\bAndroid\b/, 'Android'],
	[/\b(iPhone|iPod)\b/, 'iOS'],
	[/\biPad\b/, 'iPadOS'],
	[/\bCrOS\b/, 'ChromeOS'],
	[/\bWindows\b/, 'Windows'],
	[/\bMac OS X\b|\bMacintosh\b/, 'macOS'],
	[/\bLinux\b|\bX11\b/, 'Linux']
];

function firstMatch(userAgent: string, table: readonly [RegExp, string][]): string | null {
	return table.find(([pattern]) => pattern.test(userAgent))?.[1] ?? null;
}

/** A readable device for a User-Agent: "Chrome on macOS", "Firefox", "Android device", or "Unknown device". */
export function deviceName(userAgent: string | null | undefined): string {
	if (!userAgent?.trim()) return 'Unknown device';
	const browser = firstMatch(userAgent, BROWSERS);
	const system = firstMatch(userAgent, SYSTEMS);
	if (browser && system) return `${browser} on ${system}`;
	if (browser) return browser;
	if (system) return `${system} device`;
	return 'Unknown device';
}
