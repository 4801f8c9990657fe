import { describe, expect, it } from 'vitest';
import { parseExcerpt, searchableText } from '../../../src/lib/server/text-search.ts';
import { canvasText } from '../../../src/lib/server/publication-text.ts';
import { messageCard, toolCall } from '../../helpers/message-cards.ts';
import { frameShape, geoShape, richText, textShape } from '../../helpers/tldraw-records.ts';

describe('parseExcerpt', () => {
	it('turns the match markers ts_headline wrote into ranges of plain text', () => {
		expect(parseExcerpt('put a \uE000redis\uE001 cache in \uE000front\uE001\n')).toEqual({
			text: 'put a redis cache in front',
			highlights: [
				{ start: 6, end: 11 },
				{ start: 21, end: 26 }
			]
		});
	});
	it('answers null when nothing in the excerpt matched (a title-only match) or there is none', () => {
		expect(parseExcerpt('the first words of the canvas')).toBeNull();
		expect(parseExcerpt('')).toBeNull();
		expect(parseExcerpt(null)).toBeNull();
	});
	it('keeps markup as text: an excerpt is never HTML', () => {
		expect(parseExcerpt('<img src=x onerror=alert(1)> \uE000word\uE001')).toEqual({ text: '<img src=x onerror=alert(1)> word', highlights: [{ start: 29, end: 33 }] });
	});
	it('stored text loses the marker characters, so no one can forge a highlight', () => {
		expect(searchableText('a \uE000fake\uE001 one')).toBe('a fake one');
	});
});

describe('canvasText', () => {
	it('reads labels, text, frame names, alt text and message cards (text, tool calls, results), one piece a line', () => {
		const records = {
			'shape:box': geoShape('shape:box', {}, { richText: richText('API gateway') }),
			'shape:text': textShape('shape:text', 'Notes on caching'),
			'shape:frame': frameShape('shape:frame', {}, { name: 'Backend' }),
			'shape:image': { id: 'shape:image', typeName: 'shape', type: 'image', props: { altText: 'Architecture photo' } },
			'shape:card': messageCard('shape:card', {
				text: 'Looking it up',
				toolCalls: [toolCall('call_1', 'get_weather', { city: 'Oslo' }, '{"temp":4}')],
				toolResults: [{ toolCallId: 'toolu_1', content: 'sunny', isError: false }]
			}),
			'page:page': { id: 'page:page', typeName: 'page', name: 'Not a shape' }
		};
		expect(canvasText(records).split('\n')).toEqual([
			'API gateway',
			'Notes on caching',
			'Backend',
			'Architecture photo',
			'Looking it up',
			'get_weather',
			'{"city":"Oslo"}',
			'{"temp":4}',
			'sunny'
		]);
	});
	it('skips props of the wrong type, as a hostile client may send', () => {
		expect(canvasText({ a: { typeName: 'shape', props: { text: 5, name: null, toolCalls: [null, { name: 3 }], toolResults: 'x' } } })).toBe('');
	});
});
