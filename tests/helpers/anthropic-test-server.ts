// A local server speaking Anthropic's Messages protocol (POST /v1/messages, streamed as named
// server-sent events or as one JSON body, and GET /v1/models), checked against @ai-sdk/anthropic's
// parser. Scripted through ai-test-server.ts.
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
	contentText,
	nextId,
	splitIntoPieces,
	startAiTestServer,
	TOOL_ARGUMENT_CHUNK_SIZE,
	type AiTestServer,
	type AiTestServerOptions,
	type Answer,
	type ParsedGeneration,
	type Protocol,
	type SseWriter,
	type WireJson
} from './ai-test-server.ts';

export type { AiTestServer, AiTestServerOptions, ReplyRule, ScriptedReply, RecordedRequest } from './ai-test-server.ts';

interface AnthropicMessage {
	role: string;
	content?: unknown;
}

const ERROR_TYPES: Record<number, string> = {
	400: 'invalid_request_error',
	401: 'authentication_error',
	403: 'permission_error',
	404: 'not_found_error',
	413: 'request_too_large',
	429: 'rate_limit_error',
	500: 'api_error',
	529: 'overloaded_error'
};

function sendJson(response: ServerResponse, status: number, payload: unknown, headers: Record<string, string> = {}): void {
	response.writeHead(status, { 'content-type': 'application/json', 'request-id': nextId('req_'), ...headers });
	response.end(JSON.stringify(payload));
}

/** A user turn that only carries tool results is the run continuing, not the person speaking. */
function isPersonTurn(message: AnthropicMessage): boolean {
	if (message.role !== 'user') return false;
	if (typeof message.content === 'string') return true;
	return Array.isArray(message.content) && message.content.some((part: WireJson) => part?.type === 'text');
}

function contentBlocks(answer: Answer) {
	return [
		...(answer.text.length > 0 ? [{ type: 'text', text: answer.text }] : []),
		...answer.toolCalls.map((call) => ({ type: 'tool_use', id: call.id, name: call.name, input: safeParse(call.arguments) }))
	];
}

function safeParse(text: string): unknown {
	try {
		return JSON.parse(text);
	} catch {
		return {};
	}
}

export const anthropicProtocol: Protocol = {
	toolCallIdPrefix: 'toolu_',
	generationPath: '/v1/messages',

	apiKey(request: IncomingMessage) {
		const header = request.headers['x-api-key'];
		if (typeof header === 'string') return header;
		const authorization = request.headers.authorization;
		return authorization?.startsWith('Bearer ') ? authorization.slice('Bearer '.length) : undefined;
	},

	parse(body: WireJson): ParsedGeneration {
		const messages: AnthropicMessage[] = Array.isArray(body?.messages) ? body.messages : [];
		const lastPerson = messages.findLastIndex(isPersonTurn);
		return {
			model: typeof body?.model === 'string' ? body.model : undefined,
			stream: body?.stream === true,
			includeUsage: true,
			system: contentText(body?.system),
			lastUserText: lastPerson >= 0 ? contentText(messages[lastPerson].content) : '',
			toolNames: Array.isArray(body?.tools) ? body.tools.map((tool: WireJson) => tool?.name).filter(Boolean) : [],
			step: messages.slice(lastPerson + 1).filter((message) => message.role === 'assistant').length
		};
	},

	errorMessage(status, _apiKey, model) {
		if (status === 401) return 'invalid x-api-key';
		if (status === 404) return `model: ${model ?? ''}`;
		if (status === 429) return 'Number of request tokens has exceeded your per-minute rate limit.';
		if (status === 529) return 'Overloaded';
		return 'Internal server error';
	},

	sendError(response, status, message, headers = {}) {
		sendJson(response, status, { type: 'error', error: { type: ERROR_TYPES[status] ?? 'api_error', message } }, headers);
	},

	sendModels(response, models) {
		const createdAt = new Date().toISOString();
		sendJson(response, 200, {
			data: models.map((id) => ({ type: 'model', id, display_name: id, created_at: createdAt })),
			has_more: false,
			first_id: models[0] ?? null,
			last_id: models.at(-1) ?? null
		});
	},

	sendJson(response, answer, parsed) {
		sendJson(response, 200, {
			id: nextId('msg_'),
			type: 'message',
			role: 'assistant',
			model: parsed.model ?? 'test-model',
			content: contentBlocks(answer),
			stop_reason: answer.toolCalls.length > 0 ? 'tool_use' : 'end_turn',
			stop_sequence: null,
			usage: { input_tokens: answer.inputTokens, output_tokens: answer.outputTokens, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 }
		});
	},

	async stream(writer: SseWriter, answer: Answer, parsed: ParsedGeneration, cut?: number) {
		const event = (data: { type: string } & Record<string, unknown>) => writer.event(data, data.type);
		await event({
			type: 'message_start',
			message: {
				id: nextId('msg_'),
				type: 'message',
				role: 'assistant',
				model: parsed.model ?? 'test-model',
				content: [],
				stop_reason: null,
				stop_sequence: null,
				usage: { input_tokens: answer.inputTokens, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 1 }
			}
		});
		let index = 0;
		if (answer.text.length > 0 || answer.toolCalls.length === 0) {
			await event({ type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
			await event({ type: 'ping' });
			for (const [pieceIndex, piece] of splitIntoPieces(answer.text, answer.pacing.chunkSize).entries()) {
				if (cut !== undefined && pieceIndex >= cut) return;
				await event({ type: 'content_block_delta', index, delta: { type: 'text_delta', text: piece } });
			}
			if (cut !== undefined) return;
			await event({ type: 'content_block_stop', index });
			index += 1;
		}
		for (const call of answer.toolCalls) {
			await event({ type: 'content_block_start', index, content_block: { type: 'tool_use', id: call.id, name: call.name, input: {} } });
			// Anthropic opens every tool input with an empty partial_json before the real pieces.
			await event({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: '' } });
			for (const piece of splitIntoPieces(call.arguments, TOOL_ARGUMENT_CHUNK_SIZE)) {
				await event({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: piece } });
			}
			await event({ type: 'content_block_stop', index });
			index += 1;
		}
		await event({
			type: 'message_delta',
			delta: { stop_reason: answer.toolCalls.length > 0 ? 'tool_use' : 'end_turn', stop_sequence: null },
			usage: { output_tokens: answer.outputTokens }
		});
		await event({ type: 'message_stop' });
	}
};

/** Starts the Anthropic-protocol test server on 127.0.0.1. Point `createAnthropic({ baseURL: server.baseURL, apiKey })` at it. */
export function startAnthropicTestServer(options: AiTestServerOptions = {}): Promise<AiTestServer> {
	return startAiTestServer(anthropicProtocol, options);
}
