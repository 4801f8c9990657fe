// Conversations pushed by programs onto a canvas, end to end on the real server and both drivers:
// OpenAI and Anthropic formats read back as sent and drawn as a card per message with bound
// arrows in a frame; idempotent pushes under concurrency; branches and retries side by side;
// streaming thousands of deltas (JSON and a chunked text body) that watchers see grow; cards people
// moved stay put; who may write; bad input refused with the place named and nothing written.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import * as billing from '../../src/lib/server/billing.ts';
import { assets } from '../../src/lib/server/db/schema.ts';
import { api, connectCanvas, createCanvas, signUp, waitFor, type ApiBody, type CanvasClient, type TestUser } from '../helpers/clients.ts';
import { describeEachServerDatabase } from '../helpers/server-databases.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import {
	anthropicConversation,
	boundArrows,
	canvasRecords,
	cardId,
	cardsOf,
	frameId,
	openAiConversation,
	overlap,
	pageBox,
	PNG_BASE64,
	REMOTE_IMAGE
} from '../helpers/conversations.ts';

/** Small limits, so the tests can pass them (the streaming test's 2,000 deltas are ~9,000 characters). */
const LIMITS = {
	CONVERSATION_MAX_MESSAGES_PER_REQUEST: '40',
	CONVERSATION_MAX_MESSAGES: '60',
	CONVERSATION_MAX_MESSAGE_CHARS: '20000',
	CONVERSATION_MAX_TOOL_CALLS: '3',
	CONVERSATION_MAX_IMAGES: '2',
	CONVERSATION_MAX_IMAGE_BYTES: '4096'
};

describeEachServerDatabase('conversations on a canvas', (database) => {
	let server: RunningServer;
	let owner: TestUser;
	const clients: CanvasClient[] = [];

	beforeAll(async () => {
		server = await startServer({ env: { ...database().env, ...LIMITS } });
		owner = await signUp(server.url, 'Ada');
	});
	afterAll(async () => {
		for (const client of clients) client.destroy();
		await server?.dispose();
	});

	const push = (canvasId: string, body: unknown, token = owner.token) => api(server.url, `/api/v1/canvases/${canvasId}/conversations`, { token, body });
	const append = (conversationId: string, body: unknown, token = owner.token) => api(server.url, `/api/v1/conversations/${conversationId}/messages`, { token, body });
	const tree = async (conversationId: string, token = owner.token) => (await api(server.url, `/api/v1/conversations/${conversationId}`, { token })).body.conversation;
	const records = (canvasId: string) => canvasRecords(server.url, owner.token, canvasId);
	/** Asset rows of a canvas, read from the database on PostgreSQL; on PGlite (one process) from the pictures its cards show. */
	const storedAssets = async (canvasId: string) => {
		if (database().driver === 'postgres') {
			const db = await database().direct();
			return (await db.select({ id: assets.id }).from(assets).where(eq(assets.canvasId, canvasId))).length;
		}
		return Object.values(await records(canvasId)).filter((record: ApiBody) => record.typeName === 'asset').length;
	};

	it('pushes an OpenAI chat with a tool call and pictures: the tree reads back as sent, and the canvas shows a card per message bound parent to child', async () => {
		const canvasId = await createCanvas(server.url, owner, 'Weather bot');
		const sent = openAiConversation();
		const pushed = await push(canvasId, { title: 'Weather in Paris', messages: sent });
		expect(pushed.status).toBe(201);
		const { id, messageIds } = pushed.body.conversation;
		expect(messageIds).toHaveLength(sent.length);

		const conversation = await tree(id);
		expect(conversation).toMatchObject({ id, canvasId, title: 'Weather in Paris', externalId: null, rootIds: [messageIds[0]], messageCount: 5 });
		expect(conversation.messages.map((message: ApiBody) => [message.id, message.parentId, message.role])).toEqual(
			messageIds.map((messageId: string, index: number) => [messageId, index === 0 ? null : messageIds[index - 1], sent[index].role])
		);
		const [system, user, call, result, answer] = conversation.messages;
		expect(system).toMatchObject({ text: 'You are a weather assistant.', parts: [], toolCalls: [], status: 'complete', childIds: [user.id] });
		expect(user).toMatchObject({ name: 'ada', text: 'What is the weather in Paris? Here is the sky.' });
		expect(user.parts).toEqual([
			{ type: 'image', url: expect.stringMatching(/^\/api\/v1\/assets\/[0-9a-f-]{36}$/), assetId: expect.any(String), mediaType: 'image/png' },
			{ type: 'image', url: REMOTE_IMAGE, assetId: null, mediaType: null }
		]);
		expect(call).toMatchObject({ text: '', toolCalls: [{ id: 'call_weather', name: 'get_weather', arguments: '{"city":"Paris"}' }], status: 'complete' });
		expect(result).toMatchObject({ role: 'tool', toolCallId: 'call_weather', text: '{"temperature":21,"sky":"clear"}' });
		expect(answer).toMatchObject({ text: 'It is **21 °C** and clear in Paris.', model: 'gpt-4o-mini', usage: { inputTokens: 120, outputTokens: 14, costUsd: null } });

		// The inline picture is an asset of the canvas, served to its members; the link was never fetched and stays one.
		const picture = await fetch(`${server.url}${user.parts[0].url}`, { headers: { authorization: `Bearer ${owner.token}` } });
		expect(picture.status).toBe(200);
		expect(picture.headers.get('content-type')).toBe('image/png');
		expect(Buffer.from(await picture.arrayBuffer()).toString('base64')).toBe(PNG_BASE64);

		const canvas = await records(canvasId);
		const cards = cardsOf(canvas);
		expect([...cards.keys()].sort()).toEqual([...messageIds].sort());
		const frame = canvas[frameId(id)];
		expect(frame).toMatchObject({ type: 'frame', props: { name: 'Weather in Paris' } });
		for (const card of cards.values()) {
			expect(card.parentId).toBe(frame.id);
			expect(card.props).toMatchObject({ conversationId: id, w: 380 });
			// Every card sits inside its frame.
			expect(card.x + card.props.w).toBeLessThanOrEqual(frame.props.w);
			expect(card.y + card.props.h).toBeLessThanOrEqual(frame.props.h);
		}
		expect(cards.get(user.id).props).toMatchObject({ role: 'user', author: 'ada', text: user.text, parentId: system.id });
		expect(cards.get(user.id).props.images).toEqual([
			{ assetId: `asset:${user.parts[0].assetId}`, url: '' },
			{ assetId: '', url: REMOTE_IMAGE }
		]);
		expect(canvas[`asset:${user.parts[0].assetId}`]).toMatchObject({
			typeName: 'asset',
			type: 'image',
			props: { src: user.parts[0].url, mimeType: 'image/png', w: 3, h: 2 }
		});
		// The call's card shows the result the tool message returned.
		expect(cards.get(call.id).props.toolCalls).toEqual([{ id: 'call_weather', name: 'get_weather', arguments: '{"city":"Paris"}', result: result.text, isError: false }]);
		expect(cards.get(result.id).props).toMatchObject({ role: 'tool', toolCallId: 'call_weather', text: result.text });
		expect(cards.get(answer.id).props).toMatchObject({ role: 'assistant', model: 'gpt-4o-mini', inputTokens: 120, outputTokens: 14, status: 'complete' });
		expect(boundArrows(canvas).sort()).toEqual(
			messageIds
				.slice(1)
				.map((messageId: string, index: number) => [cardId(messageIds[index]), cardId(messageId)])
				.sort()
		);
		// A tree top down: each card below its parent.
		for (let index = 1; index < messageIds.length; index++) {
			expect(cards.get(messageIds[index]).y).toBeGreaterThan(cards.get(messageIds[index - 1]).y + cards.get(messageIds[index - 1]).props.h);
		}

		const listed = await api(server.url, `/api/v1/canvases/${canvasId}/conversations`, { token: owner.token });
		expect(listed.body.conversations).toEqual([expect.objectContaining({ id, title: 'Weather in Paris', messageCount: 5 })]);
	});

	it('pushes an Anthropic conversation: the top-level system is the root, tool_use and tool_result blocks are read, thinking is kept', async () => {
		const canvasId = await createCanvas(server.url, owner, 'Travel agent');
		const sent = anthropicConversation();
		const pushed = await push(canvasId, { externalId: 'trip-42', ...sent });
		expect(pushed.status).toBe(201);
		const { id, messageIds, systemMessageId } = pushed.body.conversation;
		expect(messageIds).toHaveLength(4);

		const conversation = await tree(id);
		expect(conversation.rootIds).toEqual([systemMessageId]);
		expect(conversation.messages.map((message: ApiBody) => message.id)).toEqual([systemMessageId, ...messageIds]);
		const [system, user, call, result, answer] = conversation.messages;
		expect(system).toMatchObject({ role: 'system', text: 'You are a careful travel agent.' });
		expect(user).toMatchObject({
			role: 'user',
			parentId: system.id,
			text: 'Book me the train to the city in this picture.',
			parts: [{ type: 'image', mediaType: 'image/png' }]
		});
		expect(call).toMatchObject({
			role: 'assistant',
			text: 'Let me look for trains.',
			model: 'claude-sonnet-4-5',
			usage: { inputTokens: 300, outputTokens: 40 },
			parts: [{ type: 'thinking', text: 'The picture shows Lyon.' }],
			toolCalls: [{ id: 'toolu_trains', name: 'search_trains', arguments: '{"to":"Lyon","date":"2026-12-24"}' }]
		});
		expect(result).toMatchObject({ role: 'user', text: '', parts: [{ type: 'tool_result', toolCallId: 'toolu_trains', content: '08:04 TGV 6601', isError: false }] });
		expect(answer).toMatchObject({ role: 'assistant', text: 'The 08:04 TGV 6601 is booked.', parentId: result.id });

		const cards = cardsOf(await records(canvasId));
		expect(cards.size).toBe(5);
		expect(cards.get(call.id).props.toolCalls).toEqual([
			{ id: 'toolu_trains', name: 'search_trains', arguments: '{"to":"Lyon","date":"2026-12-24"}', result: '08:04 TGV 6601', isError: false }
		]);
		expect(cards.get(result.id).props.toolResults).toEqual([{ toolCallId: 'toolu_trains', content: '08:04 TGV 6601', isError: false }]);
		expect(cards.get(user.id).props.images).toEqual([{ assetId: `asset:${user.parts[0].assetId}`, url: '' }]);
	});

	it('is idempotent on externalId under concurrent retries: one conversation, one set of messages, one set of cards', async () => {
		const canvasId = await createCanvas(server.url, owner, 'Retries');
		const body = { externalId: 'run-8', title: 'Eight at once', messages: openAiConversation() };
		const answers = await Promise.all(Array.from({ length: 8 }, () => push(canvasId, body)));
		expect(answers.map((answer) => answer.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 201]);
		const ids = new Set(answers.map((answer) => JSON.stringify(answer.body.conversation)));
		expect(ids.size).toBe(1);
		const { id, messageIds } = answers[0].body.conversation;
		const listed = await api(server.url, `/api/v1/canvases/${canvasId}/conversations`, { token: owner.token });
		expect(listed.body.conversations).toHaveLength(1);
		expect((await tree(id)).messages).toHaveLength(5);
		const canvas = await records(canvasId);
		expect(cardsOf(canvas).size).toBe(5);
		expect(Object.values(canvas).filter((record: ApiBody) => record.type === 'frame')).toHaveLength(1);
		expect(boundArrows(canvas)).toHaveLength(4);
		// One stored picture, not eight.
		expect(Object.values(canvas).filter((record: ApiBody) => record.typeName === 'asset')).toHaveLength(1);
		expect(await storedAssets(canvasId)).toBe(1);

		// A later retry answers the same ids; the same externalId with other messages is a conflict naming the conversation.
		expect((await push(canvasId, body)).body.conversation).toEqual({ id, messageIds, systemMessageId: null });
		const other = await push(canvasId, { externalId: 'run-8', messages: [{ role: 'user', content: 'Something else' }] });
		expect(other.status).toBe(409);
		expect(other.body.error).toMatchObject({ code: 'CONFLICT', details: { conversationId: id } });
		expect((await tree(id)).messages).toHaveLength(5);

		// Cards gone from the canvas (a first push stored its messages but could not draw them) come back with a retry.
		const person = connectCanvas(server.wsUrl, `canvas:${canvasId}`, owner.token);
		clients.push(person);
		await person.synced;
		person.doc.transact(() => {
			for (const messageId of messageIds.slice(2)) person.records.delete(cardId(messageId));
		});
		await waitFor(async () => cardsOf(await records(canvasId)).size === 2, 10_000, 'the cards to be deleted');
		expect((await push(canvasId, body)).status).toBe(200);
		const redrawn = await records(canvasId);
		expect(cardsOf(redrawn).size).toBe(5);
		expect(boundArrows(redrawn)).toHaveLength(4);
	});

	it('appends under the latest message by default; a second child of one parent is a branch, side by side; retryOf marks a retry of a sibling only', async () => {
		const canvasId = await createCanvas(server.url, owner, 'Branches');
		const { id, messageIds } = (await push(canvasId, { messages: [{ role: 'user', content: 'Name a colour.' }] })).body.conversation;
		const [question] = messageIds;
		const first = await append(id, { role: 'assistant', content: 'Blue.', model: 'small-model' });
		expect(first.status).toBe(201);
		expect(first.body.message).toMatchObject({ parentId: question, retryOf: null, role: 'assistant', text: 'Blue.', model: 'small-model', status: 'complete' });
		const retry = await append(id, { role: 'assistant', content: 'Green.', retryOf: first.body.message.id });
		expect(retry.status).toBe(201);
		expect(retry.body.message).toMatchObject({ parentId: question, retryOf: first.body.message.id });
		const branch = await append(id, { role: 'user', content: 'Why blue?', parentId: first.body.message.id });
		expect(branch.body.message.parentId).toBe(first.body.message.id);
		const root = await append(id, { role: 'user', content: 'Start over.', parentId: null });
		expect(root.body.message.parentId).toBeNull();

		// retryOf must name a sibling: not one under another parent, nor one of another conversation.
		const refused = await append(id, { role: 'assistant', content: 'Red.', retryOf: first.body.message.id, parentId: branch.body.message.id });
		expect(refused.status).toBe(400);
		expect(refused.body.error).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('retryOf must name a sibling'), details: { field: 'retryOf' } });
		const elsewhere = (await push(canvasId, { messages: [{ role: 'user', content: 'Other' }] })).body.conversation;
		expect((await append(id, { role: 'assistant', content: 'x', retryOf: elsewhere.messageIds[0] })).body.error).toMatchObject({
			code: 'INVALID_INPUT',
			details: { field: 'retryOf' }
		});
		expect((await append(id, { role: 'assistant', content: 'x', parentId: elsewhere.messageIds[0] })).body.error).toMatchObject({
			code: 'INVALID_INPUT',
			details: { field: 'parentId' }
		});

		const conversation = await tree(id);
		expect(conversation.rootIds).toEqual([question, root.body.message.id]);
		expect(conversation.messages.find((message: ApiBody) => message.id === question).childIds).toEqual([first.body.message.id, retry.body.message.id]);
		expect(conversation.messages).toHaveLength(5);

		const canvas = await records(canvasId);
		const cards = cardsOf(canvas);
		const [blue, green] = [cards.get(first.body.message.id), cards.get(retry.body.message.id)];
		expect(green.props).toMatchObject({ retryOf: blue.props.messageId, parentId: question });
		// Siblings side by side, in order of arrival, on one row below their parent; a new root is its own tree beside.
		expect(blue.y).toBe(green.y);
		expect(green.x).toBeGreaterThanOrEqual(blue.x + blue.props.w);
		expect(blue.y).toBeGreaterThan(cards.get(question).y + cards.get(question).props.h);
		expect(cards.get(root.body.message.id).y).toBe(cards.get(question).y);
		const boxes = [...cards.values()].map((card) => pageBox(canvas, card));
		for (const [index, a] of boxes.entries()) for (const b of boxes.slice(index + 1)) expect(overlap(a, b)).toBe(false);
		expect(boundArrows(canvas)).toEqual(
			expect.arrayContaining([
				[cardId(question), cardId(first.body.message.id)],
				[cardId(question), cardId(retry.body.message.id)]
			])
		);
	});

	it('streams 2,000 deltas, as JSON posts and as one chunked text/plain request: a watcher sees the card grow, and after complete it holds the text once, in order', async () => {
		const canvasId = await createCanvas(server.url, owner, 'Streaming');
		const { id, messageIds } = (await push(canvasId, { messages: [{ role: 'user', content: 'Count to 2,000.' }] })).body.conversation;
		const started = await append(id, { role: 'assistant', model: 'counter' });
		expect(started.status).toBe(201);
		expect(started.body.message).toMatchObject({ status: 'streaming', text: '', parentId: messageIds[0] });
		const messageId = started.body.message.id;

		const watcher = connectCanvas(server.wsUrl, `canvas:${canvasId}`, owner.token);
		clients.push(watcher);
		await watcher.synced;
		const seen = new Set<string>();
		watcher.records.observe(() => {
			const card = watcher.records.get(cardId(messageId)) as ApiBody;
			if (card) seen.add(card.props.text);
		});

		const deltas = Array.from({ length: 2000 }, (_, index) => `${index + 1} `);
		const stream = (body: unknown) => api(server.url, `/api/v1/conversations/${id}/messages/${messageId}/stream`, { token: owner.token, body });
		for (const delta of deltas.slice(0, 1000)) {
			const answer = await stream({ delta });
			expect(answer.status).toBe(200);
		}
		// The other thousand as one chunked text/plain body, written while the request is open.
		const chunks = deltas.slice(1000);
		const body = new ReadableStream<Uint8Array>({
			async pull(controller) {
				const next = chunks.shift();
				if (next === undefined) return controller.close();
				if (chunks.length % 100 === 0) await new Promise((resolve) => setTimeout(resolve, 20));
				controller.enqueue(new TextEncoder().encode(next));
			}
		});
		const chunked = await fetch(`${server.url}/api/v1/conversations/${id}/messages/${messageId}/stream`, {
			method: 'POST',
			headers: { authorization: `Bearer ${owner.token}`, 'content-type': 'text/plain; charset=utf-8' },
			body,
			duplex: 'half'
		} as RequestInit);
		expect(chunked.status).toBe(200);
		const expected = deltas.join('');
		expect((await chunked.json()).message).toEqual({ id: messageId, status: 'streaming', textLength: expected.length });

		const completed = await api(server.url, `/api/v1/conversations/${id}/messages/${messageId}/complete`, {
			token: owner.token,
			body: { usage: { output_tokens: 4000, input_tokens: 12 }, latencyMs: 5400, costUsd: 0.0125 }
		});
		expect(completed.status).toBe(200);
		expect(completed.body.message).toMatchObject({
			status: 'complete',
			text: expected,
			latencyMs: 5400,
			usage: { inputTokens: 12, outputTokens: 4000, costUsd: 0.0125 }
		});
		// When complete answers, the canvas holds the whole text, once, in order.
		const card = cardsOf(await records(canvasId)).get(messageId);
		expect(card.props).toMatchObject({ text: expected, status: 'complete', inputTokens: 12, outputTokens: 4000, latencyMs: 5400, costUsd: 0.0125 });
		await waitFor(() => (watcher.records.get(cardId(messageId)) as ApiBody)?.props.status === 'complete', 10_000, 'the watcher to see the card complete');
		// The watcher saw it grow: many intermediate states, each a prefix of the final text.
		const intermediate = [...seen].filter((text) => text !== '' && text !== expected);
		expect(intermediate.length).toBeGreaterThan(5);
		for (const text of intermediate) expect(expected.startsWith(text)).toBe(true);

		// Streaming into a complete message is refused, saying why; completing it again changes nothing.
		const late = await stream({ delta: 'more' });
		expect(late.status).toBe(409);
		expect(late.body.error).toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('complete') });
		const again = await api(server.url, `/api/v1/conversations/${id}/messages/${messageId}/complete`, { method: 'POST', token: owner.token });
		expect(again.status).toBe(200);
		expect(again.body.message.text).toBe(expected);
	}, 120_000);

	it('streaming onto a canvas nobody has open keeps its history readable: one automatic version once the writes stop, not one per write', async () => {
		// A person of their own: the owner's Free plan canvases are counted by the other tests.
		const writer = await signUp(server.url, 'Teller');
		const canvasId = await createCanvas(server.url, writer, 'Unwatched stream');
		const { id } = (await push(canvasId, { messages: [{ role: 'user', content: 'Tell me a story.' }] }, writer.token)).body.conversation;
		const messageId = (await append(id, { role: 'assistant', model: 'storyteller' }, writer.token)).body.message.id;
		const automatic = async () => {
			const { body } = await api(server.url, `/api/v1/canvases/${canvasId}/versions`, { token: writer.token });
			return (body.versions as ApiBody[]).filter((version) => version.kind === 'auto');
		};
		const before = (await automatic()).length;
		// Slower than the card's write rate, so each delta is its own write to the canvas.
		for (let index = 0; index < 12; index++) {
			const answer = await api(server.url, `/api/v1/conversations/${id}/messages/${messageId}/stream`, { token: writer.token, body: { delta: `word${index} ` } });
			expect(answer.status).toBe(200);
			await new Promise((resolve) => setTimeout(resolve, 120));
		}
		await api(server.url, `/api/v1/conversations/${id}/messages/${messageId}/complete`, { method: 'POST', token: writer.token });
		expect((await automatic()).length - before).toBeLessThanOrEqual(1);
		// Once the canvas goes quiet, what the program wrote is in a version.
		await waitFor(async () => (await automatic()).length > before, 15_000, 'an automatic version of the streamed canvas');
		expect((await automatic()).length - before).toBe(1);
	}, 60_000);

	it('concurrent deltas into one message keep every one, once', async () => {
		const canvasId = await createCanvas(server.url, owner, 'Concurrent deltas');
		const { id } = (
			await push(canvasId, {
				messages: [
					{ role: 'user', content: 'Go' },
					{ role: 'assistant', content: '', status: 'streaming' }
				]
			})
		).body.conversation;
		const messageId = (await tree(id)).messages[1].id;
		const deltas = Array.from({ length: 200 }, (_, index) => `<${index}>`);
		await Promise.all(deltas.map((delta) => api(server.url, `/api/v1/conversations/${id}/messages/${messageId}/stream`, { token: owner.token, body: { delta } })));
		const done = await api(server.url, `/api/v1/conversations/${id}/messages/${messageId}/complete`, { method: 'POST', token: owner.token });
		const text: string = done.body.message.text;
		expect(text.length).toBe(deltas.join('').length);
		expect(text.match(/<\d+>/g)!.sort()).toEqual([...deltas].sort());
		expect(cardsOf(await records(canvasId)).get(messageId).props.text).toBe(text);
	});

	it('keeps a card a person moved where they put it when the tree is laid out again, and lays the rest out around it', async () => {
		const canvasId = await createCanvas(server.url, owner, 'Moved by hand');
		const { id, messageIds } = (
			await push(canvasId, {
				messages: [
					{ role: 'user', content: 'Hello' },
					{ role: 'assistant', content: 'Hi! How can I help?' }
				]
			})
		).body.conversation;
		const person = connectCanvas(server.wsUrl, `canvas:${canvasId}`, owner.token);
		clients.push(person);
		await person.synced;
		const moved = { ...(person.records.get(cardId(messageIds[1])) as ApiBody) };
		const parent = person.records.get(cardId(messageIds[0])) as ApiBody;
		// Dragged right under where the next answer would go, within the frame.
		const placed = { ...moved, x: moved.x, y: moved.y + moved.props.h + 60 };
		person.records.set(placed.id, placed);
		await waitFor(() => !person.provider.hasUnsyncedChanges);

		const next = await append(id, { role: 'user', content: 'Tell me a joke.' });
		const more = await append(id, { role: 'assistant', content: 'Why did the canvas blush? It saw the frame.' });
		expect(more.status).toBe(201);
		const canvas = await records(canvasId);
		const cards = cardsOf(canvas);
		expect(cards.get(messageIds[1])).toMatchObject({ x: placed.x, y: placed.y });
		expect(cards.get(messageIds[0])).toMatchObject({ x: parent.x, y: parent.y });
		const movedBox = pageBox(canvas, cards.get(messageIds[1]));
		for (const messageId of [next.body.message.id, more.body.message.id]) expect(overlap(pageBox(canvas, cards.get(messageId)), movedBox)).toBe(false);
		// The frame still holds every card.
		const frame = canvas[frameId(id)];
		for (const card of cards.values()) expect(card.y + card.props.h).toBeLessThanOrEqual(frame.props.h);
	});

	it('leaves a canvas with conversations working as any other: versions restore, duplicates copy the cards and their pictures, publishing shows the pictures', async () => {
		const canvasId = await createCanvas(server.url, owner, 'Kept');
		const { id, messageIds } = (await push(canvasId, { title: 'Kept', messages: openAiConversation() })).body.conversation;
		const version = await api(server.url, `/api/v1/canvases/${canvasId}/versions`, { token: owner.token, body: { label: 'With the chat' } });
		expect(version.status).toBe(201);
		const pictureOf = (canvas: Record<string, ApiBody>) => {
			const card = cardsOf(canvas).get(messageIds[1]);
			return canvas[card.props.images[0].assetId];
		};

		// A copy holds the same cards; its picture is a copy of its own, which the cards still find by their asset record.
		const copy = await api(server.url, `/api/v1/canvases/${canvasId}/duplicate`, { token: owner.token, body: {} });
		expect(copy.status).toBe(201);
		const copied = await records(copy.body.id);
		expect(cardsOf(copied).size).toBe(5);
		const [original, duplicate] = [pictureOf(await records(canvasId)), pictureOf(copied)];
		expect(duplicate.props.src).toMatch(/^\/api\/v1\/assets\//);
		expect(duplicate.props.src).not.toBe(original.props.src);
		expect((await fetch(`${server.url}${duplicate.props.src}`, { headers: { authorization: `Bearer ${owner.token}` } })).status).toBe(200);

		// A person deletes the frame (and the cards in it); restoring the version brings them back.
		const person = connectCanvas(server.wsUrl, `canvas:${canvasId}`, owner.token);
		clients.push(person);
		await person.synced;
		person.doc.transact(() => {
			for (const key of [...person.records.keys()]) {
				const record = person.records.get(key) as ApiBody;
				if (key === frameId(id) || record.parentId === frameId(id) || (record.typeName === 'binding' && record.meta?.conversationId !== undefined))
					person.records.delete(key);
			}
		});
		await waitFor(async () => cardsOf(await records(canvasId)).size === 0, 10_000, 'the cards to be deleted');
		expect((await api(server.url, `/api/v1/canvases/${canvasId}/versions/${version.body.id}/restore`, { method: 'POST', token: owner.token })).status).toBe(201);
		await waitFor(async () => cardsOf(await records(canvasId)).size === 5, 10_000, 'the restored cards');

		// Published, the picture is shown to anyone (the publication lists it); before, nobody without access saw it.
		const src = pictureOf(await records(canvasId)).props.src;
		expect((await fetch(`${server.url}${src}`)).status).toBe(404);
		const published = await api(server.url, `/api/v1/canvases/${canvasId}/publication`, { token: owner.token, body: { title: 'A weather chat' } });
		expect(published.status).toBe(201);
		expect((await fetch(`${server.url}${src}`)).status).toBe(200);
	});

	it('lets editors write, viewers only read, and other teams see nothing; without a session nothing at all', async () => {
		const team = await api(server.url, '/api/v1/teams', { token: owner.token, body: { name: 'Research' } });
		const canvas = await api(server.url, '/api/v1/canvases', { token: owner.token, body: { title: 'Shared board', teamId: team.body.id } });
		const canvasId = canvas.body.id;
		const join = async (name: string, role: 'viewer' | 'editor') => {
			const user = await signUp(server.url, name);
			const invite = await api(server.url, `/api/v1/teams/${team.body.id}/invitations`, { token: owner.token, body: { role } });
			expect((await api(server.url, `/api/v1/invitations/${invite.body.token}/accept`, { method: 'POST', token: user.token })).status).toBe(200);
			return user;
		};
		const viewer = await join('Vic', 'viewer');
		const editor = await join('Eda', 'editor');
		const stranger = await signUp(server.url, 'Stranger');

		const pushed = await push(
			canvasId,
			{
				messages: [
					{ role: 'user', content: 'Hi' },
					{ role: 'assistant', content: '', status: 'streaming' }
				]
			},
			editor.token
		);
		expect(pushed.status).toBe(201);
		const { id, messageIds } = pushed.body.conversation;
		const [, streaming] = messageIds;
		// An empty token sends no Authorization at all.
		const writes = (token: string) => [
			push(canvasId, { messages: [{ role: 'user', content: 'x' }] }, token),
			append(id, { role: 'user', content: 'x' }, token),
			api(server.url, `/api/v1/conversations/${id}/messages/${streaming}/stream`, { token, body: { delta: 'x' } }),
			api(server.url, `/api/v1/conversations/${id}/messages/${streaming}/complete`, { token, method: 'POST' })
		];
		for (const answer of await Promise.all(writes(viewer.token))) {
			expect(answer.status).toBe(403);
			expect(answer.body.error).toMatchObject({ code: 'FORBIDDEN', message: 'As a viewer you may not push conversations onto this canvas.' });
		}
		expect((await tree(id, viewer.token)).messages).toHaveLength(2);
		expect((await api(server.url, `/api/v1/canvases/${canvasId}/conversations`, { token: viewer.token })).body.conversations).toHaveLength(1);

		for (const answer of [...(await Promise.all(writes(stranger.token))), await api(server.url, `/api/v1/conversations/${id}`, { token: stranger.token })]) {
			expect(answer.status).toBe(404);
			expect(answer.body.error.code).toBe('NOT_FOUND');
		}
		expect((await api(server.url, `/api/v1/conversations/${id}`, { token: stranger.token })).body.error.message).toBe('Conversation was not found.');
		for (const answer of await Promise.all(writes(''))) expect(answer.status).toBe(401);

		// Nothing the refused writers sent reached the conversation or the canvas.
		const conversation = await tree(id, editor.token);
		expect(conversation.messages.map((message: ApiBody) => message.text)).toEqual(['Hi', '']);
		expect(cardsOf(await canvasRecords(server.url, editor.token, canvasId)).size).toBe(2);
	});

	it('refuses bad input with INVALID_INPUT naming where it is, and writes nothing', async () => {
		const canvasId = await createCanvas(server.url, owner, 'Bad input');
		const image = (url: string) => [
			{ role: 'user', content: 'a' },
			{
				role: 'user',
				content: [
					{ type: 'text', text: 'b' },
					{ type: 'image_url', image_url: { url } }
				]
			}
		];
		const cases: [unknown, number, string, string][] = [
			[{ messages: [] }, 400, 'INVALID_INPUT', 'messages: messages must hold at least one message'],
			[
				{
					messages: [
						{ role: 'user', content: 'ok' },
						{ role: 'robot', content: 'hi' }
					]
				},
				400,
				'INVALID_INPUT',
				'messages.1.role: role must be one of system, developer, user, assistant, tool'
			],
			[{ messages: [{ role: 'user', content: 42 }] }, 400, 'INVALID_INPUT', 'messages.0.content: content must be text or an array of content parts'],
			[{ messages: [{ role: 'user', content: [{ type: 'text', text: 7 }] }] }, 400, 'INVALID_INPUT', 'messages.0.content.0.text:'],
			[
				{ messages: image('ftp://example.com/a.png') },
				400,
				'INVALID_INPUT',
				'messages.1.content.1.image_url: an image must be a data: URL, base64 data or an http(s) URL'
			],
			[
				{ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: 12 }] }] },
				400,
				'INVALID_INPUT',
				'messages.0.content.0.image_url: image_url must be { url }'
			],
			[{ messages: image('data:image/png;base64,@@@not base64@@@') }, 400, 'INVALID_INPUT', 'messages.1.content.1.image_url: the image data is not base64'],
			[
				{ messages: image(`data:image/png;base64,${Buffer.from('just some text').toString('base64')}`) },
				415,
				'UNSUPPORTED_MEDIA_TYPE',
				'messages.1.content.1.image_url: '
			],
			[
				{ messages: image(`data:image/png;base64,${Buffer.alloc(5000, 1).toString('base64')}`) },
				413,
				'PAYLOAD_TOO_LARGE',
				'messages.1.content.1.image_url: an image may be at most'
			],
			[
				{ messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png' } }] }] },
				400,
				'INVALID_INPUT',
				'messages.0.content.0.source.data:'
			],
			[
				{
					messages: [
						{ role: 'user', content: 'q' },
						{ role: 'tool', content: '{}' }
					]
				},
				400,
				'INVALID_INPUT',
				'messages.1.tool_call_id: a tool message must name the call it answers'
			],
			[
				{ messages: [{ role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: '' } }] }] },
				400,
				'INVALID_INPUT',
				'messages.0.tool_calls.0.function.name:'
			],
			[
				{ messages: [{ role: 'assistant', tool_calls: ['a', 'b', 'c', 'd'].map((id) => ({ id, type: 'function', function: { name: 'f', arguments: '{}' } })) }] },
				400,
				'INVALID_INPUT',
				'messages.0.tool_calls: a message may make at most 3 tool calls'
			],
			[{ messages: [{ role: 'user', content: 'x'.repeat(20_001) }] }, 400, 'INVALID_INPUT', 'messages.0: a message may hold at most 20000 characters'],
			[{ messages: Array.from({ length: 41 }, () => ({ role: 'user', content: 'again' })) }, 400, 'INVALID_INPUT', 'messages: one request may push at most 40 messages'],
			[{ messages: [{ role: 'user', content: 'x' }], externalId: '' }, 400, 'INVALID_INPUT', 'externalId:']
		];
		for (const [body, status, code, message] of cases) {
			const answer = await push(canvasId, body);
			expect(answer.status, JSON.stringify(answer.body)).toBe(status);
			expect(answer.body.error.code).toBe(code);
			expect(answer.body.error.message).toContain(message);
		}
		const notJson = await api(server.url, `/api/v1/canvases/${canvasId}/conversations`, {
			token: owner.token,
			body: 'messages',
			headers: { 'content-type': 'text/plain' }
		});
		expect(notJson.body.error).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('JSON') });
		expect((await api(server.url, `/api/v1/canvases/not-a-uuid/conversations`, { token: owner.token, body: { messages: [] } })).body.error.code).toBe('INVALID_INPUT');

		expect((await api(server.url, `/api/v1/canvases/${canvasId}/conversations`, { token: owner.token })).body.conversations).toEqual([]);
		expect(cardsOf(await records(canvasId)).size).toBe(0);
		expect(await storedAssets(canvasId)).toBe(0);

		// Appends and streams are checked the same way, and a message past the limit is refused mid-stream.
		const { id } = (
			await push(canvasId, {
				messages: [
					{ role: 'user', content: 'q' },
					{ role: 'assistant', content: '', status: 'streaming' }
				]
			})
		).body.conversation;
		const streaming = (await tree(id)).messages[1].id;
		const appended = await append(id, { role: 'user', content: [{ type: 'image_url', image_url: { url: 'javascript:alert(1)' } }] });
		expect(appended.body.error).toMatchObject({
			code: 'INVALID_INPUT',
			message: expect.stringContaining('content.0.image_url: an image must be'),
			details: { field: 'content.0.image_url' }
		});
		expect((await append(id, { role: 'assistant', parentId: 'nope' })).body.error.message).toContain('parentId:');
		const stream = (body: unknown) => api(server.url, `/api/v1/conversations/${id}/messages/${streaming}/stream`, { token: owner.token, body });
		expect((await stream({ delta: 5 })).body.error.message).toContain('delta:');
		expect((await stream({ delta: 'y'.repeat(19_999) })).status).toBe(200);
		const tooLong = await stream({ delta: 'yy' });
		expect(tooLong.status).toBe(413);
		expect(tooLong.body.error.message).toContain('at most 20000 characters');
		expect((await tree(id)).messages[1].text).toHaveLength(19_999);
		expect((await api(server.url, `/api/v1/conversations/${id}/messages/${crypto.randomUUID()}/stream`, { token: owner.token, body: { delta: 'x' } })).status).toBe(404);
		expect((await tree(id)).messages).toHaveLength(2);
	});
});

describeEachServerDatabase(
	'conversations on a read-only (over-plan) canvas',
	(database) => {
		let server: RunningServer;
		afterAll(() => server?.dispose());

		it('refuses every write with LIMIT_EXCEEDED naming the plan, and still reads', async () => {
			server = await startServer({ env: database().env });
			const owner = await signUp(server.url, 'Downgraded');
			const db = await database().direct();
			await billing.setPlan(db, owner.personalTeamId, 'pro', null);
			const ids: string[] = [];
			for (let i = 0; i < 11; i++) ids.push(await createCanvas(server.url, owner, `Canvas ${i}`));
			const readOnly = ids[10];
			const pushed = await api(server.url, `/api/v1/canvases/${readOnly}/conversations`, {
				token: owner.token,
				body: {
					messages: [
						{ role: 'user', content: 'Hi' },
						{ role: 'assistant', content: '', status: 'streaming' }
					]
				}
			});
			expect(pushed.status).toBe(201);
			const { id, messageIds } = pushed.body.conversation;
			await billing.setPlan(db, owner.personalTeamId, 'free', null);

			const refusals = [
				await api(server.url, `/api/v1/canvases/${readOnly}/conversations`, { token: owner.token, body: { messages: [{ role: 'user', content: 'x' }] } }),
				await api(server.url, `/api/v1/conversations/${id}/messages`, { token: owner.token, body: { role: 'user', content: 'x' } }),
				await api(server.url, `/api/v1/conversations/${id}/messages/${messageIds[1]}/stream`, { token: owner.token, body: { delta: 'x' } }),
				await api(server.url, `/api/v1/conversations/${id}/messages/${messageIds[1]}/complete`, { token: owner.token, method: 'POST' })
			];
			for (const refused of refusals) {
				expect(refused.status).toBe(402);
				expect(refused.body.error).toMatchObject({ code: 'LIMIT_EXCEEDED', message: expect.stringMatching(/read-only.*Free plan includes 10 canvases/) });
			}
			const conversation = (await api(server.url, `/api/v1/conversations/${id}`, { token: owner.token })).body.conversation;
			expect(conversation.messages.map((message: ApiBody) => [message.text, message.status])).toEqual([
				['Hi', 'complete'],
				['', 'streaming']
			]);
			// The first canvas is within the plan: writing there still works.
			expect(
				(await api(server.url, `/api/v1/canvases/${ids[0]}/conversations`, { token: owner.token, body: { messages: [{ role: 'user', content: 'x' }] } })).status
			).toBe(201);
		});
	},
	{ drivers: ['postgres'] }
);
