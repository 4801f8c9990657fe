import { describe, expect, it } from 'vitest';
import { visibleThread, type ChatMessage } from '../../../src/lib/chat/chat-document.ts';
import { assistantPromptOf, chooseSibling, newestMessageAt, showMessage, typingLine, typistsOf, unreadCount } from '../../../src/lib/chat/chat-view.ts';

function message(id: string, parentId: string | null, createdAt: number, authorId = 'ada', extra: Partial<ChatMessage> = {}): ChatMessage {
	return { id, parentId, createdAt, author: { kind: 'user', id: authorId, name: authorId }, role: 'user', text: id, status: 'done', ...extra };
}

describe('typing indicator', () => {
	const states = (entries: [number, Record<string, unknown>][]) => ({ clientID: 1, getStates: () => new Map(entries) });

	it('names the others who are typing, once each, never this client or this person', () => {
		const awareness = states([
			[1, { typing: true, user: { id: 'me', name: 'Me' } }],
			[2, { typing: true, user: { id: 'ada', name: 'Ada', color: '#e03131' } }],
			[3, { typing: true, user: { id: 'ada', name: 'Ada' } }],
			[4, { typing: false, user: { id: 'bo', name: 'Bo' } }],
			[5, { typing: true, user: { id: 'me', name: 'Me' } }],
			[6, { typing: true }]
		]);
		expect(typistsOf(awareness, 'me')).toEqual([{ clientId: 2, id: 'ada', name: 'Ada', color: '#e03131' }]);
	});

	it('reads as a sentence', () => {
		expect(typingLine([])).toBe('');
		expect(typingLine([{ name: 'Ada' }])).toBe('Ada is typing…');
		expect(typingLine([{ name: 'Ada' }, { name: 'Bo' }])).toBe('Ada and Bo are typing…');
		expect(typingLine([{ name: 'Ada' }, { name: 'Bo' }, { name: 'Cy' }])).toBe('Ada and 2 others are typing…');
	});
});

describe('unread messages', () => {
	it("counts others' messages newer than the last read, not one's own or deleted ones", () => {
		const messages = [message('a', null, 10, 'bo'), message('b', 'a', 20, 'bo'), message('c', 'b', 30, 'me'), message('d', 'c', 40, 'bo', { deleted: true })];
		const isMine = (candidate: ChatMessage) => candidate.author.id === 'me';
		expect(unreadCount(messages, 0, isMine)).toBe(2);
		expect(unreadCount(messages, 10, isMine)).toBe(1);
		expect(unreadCount(messages, newestMessageAt(messages), isMine)).toBe(0);
	});
});

describe('asking the assistant from the composer', () => {
	it('takes messages that start with @ai as prompts', () => {
		expect(assistantPromptOf('@ai add a Redis cache')).toBe('add a Redis cache');
		expect(assistantPromptOf('  @AI, draw the login flow')).toBe('draw the login flow');
		expect(assistantPromptOf('@ai')).toBeNull();
		expect(assistantPromptOf('hey @ai do it')).toBeNull();
		expect(assistantPromptOf('@aint a prompt')).toBeNull();
	});
});

describe('branch switching', () => {
	// a → (b | b2 | b3), b → c: three versions of the second message.
	const messages = [message('a', null, 1), message('b', 'a', 2), message('c', 'b', 3), message('b2', 'a', 4), message('b3', 'a', 5)];

	it('shows the newest branch, and steps through siblings without wrapping', () => {
		let choices = new Map<string, string>();
		let thread = visibleThread(messages, choices);
		expect(thread.map((entry) => entry.message.id)).toEqual(['a', 'b3']);
		expect(thread[1]).toMatchObject({ index: 2, siblingIds: ['b', 'b2', 'b3'] });

		choices = chooseSibling(choices, thread[1], -1);
		thread = visibleThread(messages, choices);
		expect(thread.map((entry) => entry.message.id)).toEqual(['a', 'b2']);

		choices = chooseSibling(choices, thread[1], -1);
		thread = visibleThread(messages, choices);
		expect(thread.map((entry) => entry.message.id)).toEqual(['a', 'b', 'c']);
		expect(chooseSibling(choices, thread[1], 5).get('a')).toBe('b3');
	});

	it('shows a chosen message, e.g. the new version an edit made', () => {
		const thread = visibleThread(messages, showMessage(new Map([['a', 'b3']]), { id: 'b', parentId: 'a' }));
		expect(thread.map((entry) => entry.message.id)).toEqual(['a', 'b', 'c']);
	});
});
