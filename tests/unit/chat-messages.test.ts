// The chat's rules as a table: what a person may add and change, and what the server refuses.
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { createMessageMap } from '../../src/lib/chat/chat-document.ts';
import { readMessageState, validateChatChanges, type ChatEditor, type MessageChange, type MessageState } from '../../src/lib/server/chat-messages.ts';

const limits = { maxMessageChars: 100, maxMessages: 10 };
const alice: ChatEditor = { kind: 'user', id: 'alice' };
const parentId = '11111111-1111-4111-8111-111111111111';
const newId = '22222222-2222-4222-8222-222222222222';

function state(fields: Record<string, unknown>, text: string | null = 'hello'): MessageState {
	return { fields, nestedKeys: [], text };
}

const own = state({ id: parentId, parentId: null, author: { kind: 'user', id: 'alice', name: 'Alice' }, role: 'user', createdAt: 1, status: 'done' });
const fresh = state({ id: newId, parentId, author: { kind: 'user', id: 'mallory', name: 'Forged' }, role: 'user', createdAt: 0, status: 'done' }, 'hi');

function verdict(id: string, change: MessageChange, editor: ChatEditor | null = alice, messageCount = 2) {
	const verdicts = validateChatChanges(new Map([[id, change]]), {
		editor,
		messageIds: { has: (candidate) => candidate === parentId || candidate === id },
		messageCount,
		limits
	});
	return { refused: verdicts.refused.get(id), added: verdicts.added, toEmpty: verdicts.toEmpty };
}

const addition = (after: MessageState | null): MessageChange => ({ before: null, after, replaced: false });
const edit = (after: MessageState | null | undefined, before = own, replaced = false): MessageChange => ({ before, after, replaced });
const withFields = (base: MessageState, fields: Record<string, unknown>, text = base.text) => state({ ...base.fields, ...fields }, text);

describe('adding a message', () => {
	it('accepts a plain user reply to an existing message, whatever author it claims (the server stamps it)', () => {
		expect(verdict(newId, addition(fresh))).toEqual({ refused: undefined, added: [newId], toEmpty: [] });
	});

	it.each<[string, string, MessageState | null]>([
		['not a Y.Map', newId, null],
		['an id that is not a uuid', 'msg-1', withFields(fresh, { id: 'msg-1' })],
		['an id field that differs from its key', newId, withFields(fresh, { id: parentId })],
		['role assistant', newId, withFields(fresh, { role: 'assistant' })],
		['status streaming', newId, withFields(fresh, { status: 'streaming' })],
		['an unknown parent', newId, withFields(fresh, { parentId: '33333333-3333-4333-8333-333333333333' })],
		['itself as parent', newId, withFields(fresh, { parentId: newId })],
		['a run id', newId, withFields(fresh, { runId: 'run' })],
		['a deleted flag', newId, withFields(fresh, { deleted: true })],
		['text over the limit', newId, withFields(fresh, {}, 'x'.repeat(101))],
		['text that is not plain', newId, withFields(fresh, {}, null)],
		['a nested type', newId, { ...fresh, nestedKeys: ['author'] }]
	])('refuses one with %s', (_what, id, after) => {
		expect(verdict(id, addition(after)).refused).toMatchObject({ action: 'remove' });
	});

	it('refuses additions past the message limit, and from a connection without identity', () => {
		expect(verdict(newId, addition(fresh), alice, 11).refused?.problem).toMatch(/most messages allowed \(10\)/);
		expect(verdict(newId, addition(fresh), null).refused).toMatchObject({ action: 'remove' });
	});

	it('refuses a reply to a refused message in the same transaction', () => {
		const badParent = '44444444-4444-4444-8444-444444444444';
		const changes = new Map<string, MessageChange>([
			[badParent, addition(withFields(fresh, { id: badParent, role: 'assistant', parentId: null }))],
			[newId, addition(withFields(fresh, { parentId: badParent }))]
		]);
		const verdicts = validateChatChanges(changes, { editor: alice, messageIds: { has: () => true }, messageCount: 3, limits });
		expect([...verdicts.refused.keys()].sort()).toEqual([newId, badParent].sort());
		expect(verdicts.added).toEqual([]);
	});
});

describe('changing a message', () => {
	it('lets its author edit the text, set editedAt, and delete it (the server empties the text)', () => {
		expect(verdict(parentId, edit(withFields(own, { editedAt: 5 }, 'hello again')))).toEqual({ refused: undefined, added: [], toEmpty: [] });
		expect(verdict(parentId, edit(withFields(own, { deleted: true })))).toEqual({ refused: undefined, added: [], toEmpty: [parentId] });
		expect(verdict(parentId, edit(withFields(own, { deleted: true }, '')))).toEqual({ refused: undefined, added: [], toEmpty: [] });
	});

	const someoneElses = withFields(own, { author: { kind: 'user', id: 'bob', name: 'Bob' } });
	const assistants = withFields(own, { author: { kind: 'assistant', id: 'assistant', name: 'Easel AI' }, role: 'assistant', runId: 'r' });
	const guests = withFields(own, { author: { kind: 'guest', id: 'guest:a', name: 'Guest Otter' } });

	it.each<[string, MessageChange, ChatEditor?]>([
		["someone else's text", edit(withFields(someoneElses, {}, 'edited'), someoneElses)],
		["an assistant message's text", edit(withFields(assistants, {}, 'edited'), assistants)],
		['a guest message by another guest', edit(withFields(guests, {}, 'edited'), guests), { kind: 'guest', id: 'guest:b' }],
		['a guest message by a user with the same id', edit(withFields(guests, {}, 'edited'), guests), { kind: 'user', id: 'guest:a' }],
		['its role', edit(withFields(own, { role: 'assistant' }))],
		['its parent', edit(withFields(own, { parentId: newId }))],
		['its author', edit(withFields(own, { author: { kind: 'user', id: 'alice', name: 'Queen Alice' } }))],
		['its creation time', edit(withFields(own, { createdAt: 2 }))],
		['its status', edit(withFields(own, { status: 'failed' }))],
		['a run id', edit(withFields(own, { runId: 'r' }))],
		['an unknown key', edit(withFields(own, { backdoor: 1 }))],
		['editedAt to text', edit(withFields(own, { editedAt: 'now' }))],
		['deleted to false', edit(withFields(own, { deleted: false }))],
		['a removed key', edit(state({ ...own.fields, createdAt: undefined }))],
		['the removal of the message', edit(undefined)],
		['a replaced Y.Map', edit(withFields(own, { editedAt: 5 }), own, true)],
		['a value that is no message', edit(null)],
		['text over the limit', edit(withFields(own, {}, 'x'.repeat(101)))],
		['text with embeds', edit(withFields(own, {}, null))],
		['an edit of a deleted message', edit(withFields(own, { deleted: true }, 'back'), withFields(own, { deleted: true }, ''))]
	])('refuses %s', (_what, change, editor = alice) => {
		expect(verdict(parentId, change, editor).refused).toMatchObject({ action: 'restore' });
	});

	it('lets a guest edit what it wrote under its own guest id', () => {
		expect(verdict(parentId, edit(withFields(guests, {}, 'edited'), guests), { kind: 'guest', id: 'guest:a' }).refused).toBeUndefined();
	});
});

describe('reading a message', () => {
	it('reads what createMessageMap writes, and marks embeds and nested types', () => {
		const doc = new Y.Doc();
		const messages = doc.getMap<unknown>('messages');
		const message = createMessageMap({ id: newId, parentId: null, author: { kind: 'user', id: 'a', name: 'A' }, role: 'user', text: 'hi', status: 'done', createdAt: 3 });
		messages.set(newId, message);
		expect(readMessageState(messages.get(newId))).toEqual({
			fields: { id: newId, parentId: null, author: { kind: 'user', id: 'a', name: 'A' }, role: 'user', createdAt: 3, status: 'done' },
			nestedKeys: [],
			text: 'hi'
		});
		(message.get('text') as Y.Text).insertEmbed(1, { image: 'x' });
		message.set('extra', new Y.Array());
		expect(readMessageState(message)).toMatchObject({ nestedKeys: ['extra'], text: null });
		expect(readMessageState('plain')).toBeNull();
	});
});
