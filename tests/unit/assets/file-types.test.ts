// Uploads are typed by their content alone, and hostile files are refused or made harmless: HTML
// dressed as an image, SVG carrying scripts, handlers, foreign content or outside references, XML
// bombs, polyglots, damaged and empty files, archives.
import { JSDOM } from 'jsdom';
import { describe, expect, it } from 'vitest';
import { checkUpload, MAX_SVG_BYTES } from '../../../src/lib/server/assets/file-types.ts';
import { AppError } from '../../../src/lib/server/errors.ts';
import { decode, gif, jpeg, png, pngClaiming, text, webp, zip } from '../../helpers/images.ts';

async function refusal(bytes: Uint8Array): Promise<AppError> {
	const error = await checkUpload(bytes).then(
		() => null,
		(caught: unknown) => caught
	);
	if (!(error instanceof AppError)) throw new Error(`expected an AppError, got ${error === null ? 'success' : String(error)}`);
	return error;
}

async function expectUnsupported(bytes: Uint8Array, message?: RegExp): Promise<void> {
	const error = await refusal(bytes);
	expect(error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
	expect(error.status).toBe(415);
	expect(error.message).toMatch(/Upload PNG, JPEG, GIF, WebP or SVG images\.$/);
	if (message) expect(error.message).toMatch(message);
}

/** Everything a browser would find in the stored SVG, parsed the way it parses image/svg+xml. */
function svgFacts(bytes: Uint8Array) {
	const dom = new JSDOM(decode(bytes), { contentType: 'image/svg+xml' });
	const root = dom.window.document.documentElement;
	const elements = [root, ...root.querySelectorAll('*')];
	const attributes = elements.flatMap((element) =>
		[...element.attributes].map((attribute) => ({ element: element.localName, name: attribute.name, value: attribute.value }))
	);
	return {
		root: { name: root.localName, namespace: root.namespaceURI },
		elements: elements.map((element) => element.localName),
		attributes,
		hrefs: attributes.filter((attribute) => attribute.name === 'href' || attribute.name.endsWith(':href')).map((attribute) => attribute.value),
		styles: [...root.querySelectorAll('style')].map((style) => style.textContent ?? ''),
		text: root.textContent ?? ''
	};
}

const svg = (body: string, attributes = '') =>
	text(`<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="40" height="30" ${attributes}>${body}</svg>`);

describe('raster images', () => {
	it.each([
		['PNG', png(5, 3), 'image/png', 5, 3],
		['JPEG', jpeg(3, 2), 'image/jpeg', 3, 2],
		['GIF', gif(), 'image/gif', 1, 1],
		['WebP', webp(), 'image/webp', 1, 1]
	])('accepts a %s byte for byte, with its size', async (_name, bytes, mimeType, width, height) => {
		const checked = await checkUpload(bytes);
		expect(checked).toEqual({ mimeType, bytes, width, height });
	});

	it('types a PNG by its content whatever it is called (the name never reaches the check)', async () => {
		expect((await checkUpload(png(2, 2))).mimeType).toBe('image/png');
	});

	it('refuses a PNG cut off in the middle', async () => {
		const whole = png(64, 64, { padding: 4000 });
		await expectUnsupported(whole.subarray(0, Math.floor(whole.byteLength / 2)), /looks like a PNG image but is cut off or damaged/);
		await expectUnsupported(whole.subarray(0, 12), /cut off or damaged/);
	});

	it('refuses a WebP shorter than its RIFF header says', async () => {
		await expectUnsupported(webp().subarray(0, 20), /looks like a WebP image but is cut off or damaged/);
	});

	it('refuses a decompression bomb (a tiny PNG claiming 100,000 × 100,000 pixels)', async () => {
		await expectUnsupported(pngClaiming(100_000, 100_000), /at most 100 megapixels; this one is 100000 × 100000/);
	});
});

describe('files that are not images', () => {
	it('refuses HTML, whatever it is named', async () => {
		await expectUnsupported(text('<!doctype html><html><body><script>alert(document.cookie)</script></body></html>'), /not an image Easel accepts/);
	});

	it('refuses HTML that holds an <svg> (its root is html, not svg)', async () => {
		await expectUnsupported(text('<html><body><svg xmlns="http://www.w3.org/2000/svg"><rect/></svg><script>alert(1)</script></body></html>'));
	});

	it('refuses a ZIP archive, naming it', async () => {
		await expectUnsupported(zip(), /This file is a ZIP archive/);
	});

	it('refuses other real formats, naming their type', async () => {
		const tiff = new Uint8Array([0x49, 0x49, 0x2a, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]);
		await expectUnsupported(tiff, /of type image\/tiff/);
		await expectUnsupported(text('%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF'), /a PDF document/);
	});

	it('refuses plain text and random bytes', async () => {
		await expectUnsupported(text('just some words, no picture'));
		await expectUnsupported(new Uint8Array(512).map((_, index) => (index * 7919) % 251));
	});

	it('refuses an empty file as invalid input', async () => {
		const error = await refusal(new Uint8Array(0));
		expect(error.code).toBe('INVALID_INPUT');
		expect(error.message).toBe('The file is empty.');
	});
});

describe('polyglots are stored as the image they start as (and served as that type, with nosniff)', () => {
	it('a GIF whose header is also JavaScript (GIF89a/*…*/=alert(1)) is a GIF', async () => {
		const bytes = new Uint8Array([...text('GIF89a/*'), ...gif().subarray(10), ...text('*/=alert(document.domain);')]);
		const checked = await checkUpload(bytes);
		expect(checked.mimeType).toBe('image/gif');
	});

	it('a PNG with an HTML page after its end is a PNG, kept byte for byte', async () => {
		const bytes = new Uint8Array([...png(2, 2), ...text('<html><script>alert(1)</script></html>')]);
		expect(await checkUpload(bytes)).toMatchObject({ mimeType: 'image/png', bytes, width: 2, height: 2 });
	});

	it('a JPEG with a ZIP appended is a JPEG', async () => {
		expect((await checkUpload(new Uint8Array([...jpeg(4, 4), ...zip()]))).mimeType).toBe('image/jpeg');
	});

	it('a file with a PNG signature and nothing of a PNG after it is refused', async () => {
		await expectUnsupported(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...zip()]), /cut off or damaged/);
	});

	it('an SVG that is also an HTML page keeps nothing of the page', async () => {
		const checked = await checkUpload(
			svg(
				'<rect width="4" height="4"/><foreignObject width="10" height="10"><html xmlns="http://www.w3.org/1999/xhtml"><body><script>alert(1)</script><iframe src="https://evil.example"/></body></html></foreignObject>'
			)
		);
		const facts = svgFacts(checked.bytes);
		expect(facts.elements).toEqual(['svg', 'rect']);
		expect(decode(checked.bytes)).not.toMatch(/script|iframe|html|evil/i);
	});
});

describe('SVG', () => {
	it('is accepted and sized from its width and height', async () => {
		const checked = await checkUpload(svg('<rect width="10" height="10" fill="red"/>'));
		expect(checked).toMatchObject({ mimeType: 'image/svg+xml', width: 40, height: 30 });
		expect(svgFacts(checked.bytes).root).toEqual({ name: 'svg', namespace: 'http://www.w3.org/2000/svg' });
	});

	it('loses <script> elements, wherever they are', async () => {
		const checked = await checkUpload(svg('<script>alert(1)</script><g><script type="text/ecmascript"><![CDATA[fetch("/api/v1/me")]]></script><rect/></g>'));
		expect(svgFacts(checked.bytes).elements).toEqual(['svg', 'g', 'rect']);
		expect(decode(checked.bytes)).not.toMatch(/alert|fetch/);
	});

	it('loses event handlers (onload on the root, onclick, onmouseover, onbegin)', async () => {
		const checked = await checkUpload(svg('<rect onclick="alert(1)" onmouseover="alert(2)" width="1" height="1"/><g onbegin="alert(3)"/>', 'onload="alert(0)"'));
		const names = svgFacts(checked.bytes).attributes.map((attribute) => attribute.name);
		expect(names.filter((name) => name.startsWith('on'))).toEqual([]);
		expect(names).toEqual(expect.arrayContaining(['width', 'height']));
	});

	it('loses javascript: and other outside links (href and xlink:href), keeping #fragments', async () => {
		const checked = await checkUpload(
			svg(
				'<a href="javascript:alert(1)"><text>a</text></a><a xlink:href="javascript:alert(2)"><text>b</text></a>' +
					'<a href="  JaVaScRiPt:alert(3)"><text>c</text></a><a href="data:text/html,&lt;script&gt;alert(4)&lt;/script&gt;"><text>d</text></a>' +
					'<a href="https://evil.example/"><text>e</text></a><linearGradient id="g"/><a href="#g"><text>f</text></a>'
			)
		);
		const facts = svgFacts(checked.bytes);
		expect(facts.hrefs).toEqual(['#g']);
		expect(facts.text).toBe('abcdef');
	});

	it('loses <foreignObject> with everything in it', async () => {
		const checked = await checkUpload(
			svg('<foreignObject width="100" height="100"><div xmlns="http://www.w3.org/1999/xhtml" onclick="alert(1)">HTML</div></foreignObject><circle r="2"/>')
		);
		expect(svgFacts(checked.bytes).elements).toEqual(['svg', 'circle']);
		expect(decode(checked.bytes)).not.toContain('HTML');
	});

	it('loses external images (href and xlink:href) but keeps embedded PNG, JPEG, GIF and WebP', async () => {
		const embedded = `data:image/png;base64,${Buffer.from(png(1, 1)).toString('base64')}`;
		const checked = await checkUpload(
			svg(
				`<image href="https://tracker.example/pixel.png" width="1" height="1"/><image xlink:href="//evil.example/x.png"/>` +
					`<image href="file:///etc/passwd"/><image href="data:image/svg+xml;base64,PHN2Zz48L3N2Zz4="/><image href="${embedded}" width="1" height="1"/>`
			)
		);
		expect(svgFacts(checked.bytes).hrefs).toEqual([embedded]);
	});

	it('loses <use> of external files', async () => {
		const checked = await checkUpload(
			svg('<use href="https://evil.example/sprite.svg#icon"/><use xlink:href="other.svg#x"/><symbol id="s"><rect/></symbol><use href="#s"/>')
		);
		const facts = svgFacts(checked.bytes);
		expect(facts.hrefs.every((href) => href === '#s')).toBe(true);
		expect(decode(checked.bytes)).not.toMatch(/evil|other\.svg/);
	});

	it('loses CSS that reaches outside the file (url(), @import, escapes), keeping url(#fragment)', async () => {
		const checked = await checkUpload(
			svg(
				'<style>@import url("https://evil.example/x.css"); rect { fill: red }</style>' +
					'<style>.a { fill: url(#grad) } .b > .c { stroke: blue }</style>' +
					'<style>.d { background: \\75 rl(https://evil.example/) }</style>' +
					'<linearGradient id="grad"/><rect style="fill: url(https://evil.example/)" width="1" height="1"/>' +
					'<rect fill="url(#grad)" filter="url(https://evil.example/#f)" style="stroke: green" width="1" height="1"/>'
			)
		);
		const facts = svgFacts(checked.bytes);
		expect(facts.styles).toEqual(['', '.a { fill: url(#grad) } .b > .c { stroke: blue }', '']);
		expect(decode(checked.bytes)).not.toContain('evil');
		const rects = facts.attributes.filter((attribute) => attribute.element === 'rect');
		expect(rects).toEqual(
			expect.arrayContaining([
				{ element: 'rect', name: 'fill', value: 'url(#grad)' },
				{ element: 'rect', name: 'style', value: 'stroke: green' }
			])
		);
	});

	it('loses animations that could rewrite an attribute into a script (<set>, <animate>)', async () => {
		const checked = await checkUpload(
			svg('<a><set attributeName="href" to="javascript:alert(1)"/><animate attributeName="href" values="javascript:alert(2)"/><text>x</text></a>')
		);
		expect(svgFacts(checked.bytes).elements).toEqual(['svg', 'a', 'text']);
	});

	it('refuses a "billion laughs" XML bomb quickly, without expanding it', async () => {
		const entities = Array.from({ length: 10 }, (_, index) => `<!ENTITY lol${index + 1} "${`&lol${index};`.repeat(10)}">`).join('');
		const bomb = text(`<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY lol0 "lol">${entities}]><svg xmlns="http://www.w3.org/2000/svg"><text>&lol10;</text></svg>`);
		const started = performance.now();
		await expectUnsupported(bomb, /declare entities/);
		expect(performance.now() - started).toBeLessThan(1000);
	});

	it('refuses any internal DTD subset, even without entities', async () => {
		await expectUnsupported(text('<!DOCTYPE svg [ <!ATTLIST svg onload CDATA "alert(1)"> ]><svg xmlns="http://www.w3.org/2000/svg"/>'), /internal subset/);
	});

	it('accepts an SVG with an external DOCTYPE (as editors export them) and drops the DOCTYPE unread', async () => {
		const checked = await checkUpload(
			text(
				'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 20 10"><rect width="20" height="10"/></svg>'
			)
		);
		expect(decode(checked.bytes)).not.toMatch(/DOCTYPE|w3\.org\/Graphics/);
		expect(checked).toMatchObject({ width: 20, height: 10 });
	});

	it('gives an SVG written without its namespace the SVG namespace', async () => {
		const checked = await checkUpload(text('<svg viewBox="0 0 8 8"><circle cx="4" cy="4" r="3"/></svg>'));
		expect(svgFacts(checked.bytes).root.namespace).toBe('http://www.w3.org/2000/svg');
	});

	it('keeps text with entities and non-breaking spaces as well-formed XML', async () => {
		const checked = await checkUpload(svg('<text>Tom &amp; Jerry&#160;&lt;3 "quoted"</text>'));
		expect(svgFacts(checked.bytes).text).toBe('Tom & Jerry\u00a0<3 "quoted"');
	});

	it('refuses an SVG that is not well-formed XML', async () => {
		await expectUnsupported(text('<svg xmlns="http://www.w3.org/2000/svg"><rect></svg>'), /not well-formed XML/);
	});

	it('refuses SVG that is not UTF-8 (UTF-16 with a byte order mark)', async () => {
		const utf16 = new Uint8Array([0xff, 0xfe, ...Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>', 'utf16le')]);
		await expectUnsupported(utf16);
	});

	it('refuses an SVG over the size limit before parsing it', async () => {
		const large = svg(`<desc>${'x'.repeat(MAX_SVG_BYTES)}</desc>`);
		await expectUnsupported(large, /SVG images are at most 2 MB/);
	});

	it('refuses an SVG with too many elements before parsing it', async () => {
		await expectUnsupported(svg('<g/>'.repeat(60_000)), /at most 50,000 elements/);
	});

	it('checks a large SVG off the event loop (other work keeps running meanwhile)', { timeout: 60_000 }, async () => {
		const large = svg('<rect x="1" y="2" width="3" height="4" fill="red" onclick="alert(1)"/>'.repeat(6000));
		let longestGap = 0;
		let last = performance.now();
		const ticker = setInterval(() => {
			const now = performance.now();
			longestGap = Math.max(longestGap, now - last);
			last = now;
		}, 20);
		const started = performance.now();
		try {
			const checked = await checkUpload(large);
			expect(svgFacts(checked.bytes).elements).toHaveLength(6001);
			expect(decode(checked.bytes)).not.toContain('onclick');
		} finally {
			clearInterval(ticker);
		}
		// On this thread the ticker would stall for the whole check; a busy machine delays it a little anyway.
		const took = performance.now() - started;
		expect(longestGap).toBeLessThan(Math.max(400, took / 3));
	});

	it('refuses an SVG with nothing left once cleaned (its root inside something foreign)', async () => {
		await expectUnsupported(text('<x:svg xmlns:x="urn:not-svg"><rect/></x:svg>'));
	});
});
