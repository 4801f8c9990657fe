// The message formats programs push, accepted as they are: OpenAI chat messages (system,
// developer, user, assistant, tool; string or part-array content; `tool_calls`, `tool_call_id`,
// `image_url` parts) and Anthropic messages (`text`, `image`, `tool_use`, `tool_result`, thinking
// blocks; the top-level `system`), normalized into one message model. Content types neither API
// defines in a way Easel shows (audio, files, documents, server tools) are kept as `unsupported`
// parts naming their type rather than refused, so a real conversation always goes in.
import { z } from 'zod';
import { AppError } from '../errors.ts';

export const CONVERSATION_ROLES = ['system', 'developer', 'user', 'assistant', 'tool'] as const;
export type ConversationRole = (typeof CONVERSATION_ROLES)[number];

export const MESSAGE_STATUSES = ['streaming', 'complete'] as const;

const id = z.string().min(1, { error: 'must not be empty' }).max(200, { error: 'must be at most 200 characters' });

const textPart = z.object({ type: z.literal('text'), text: z.string() }).describe('Text (OpenAI and Anthropic)');
const imageUrlPart = z
	.object({
		type: z.literal('image_url'),
		image_url: z.union([z.object({ url: z.string().min(1), detail: z.string().optional() }), z.string().min(1)], {
			error: 'image_url must be { url } with a data: or http(s) URL'
		})
	})
	.describe('OpenAI image: a data: URL (stored on the canvas) or an http(s) URL (kept as a link, never fetched)');
const anthropicImageSource = z.discriminatedUnion(
	'type',
	[
		z.object({ type: z.literal('base64'), media_type: z.string().min(1), data: z.string().min(1) }),
		z.object({ type: z.literal('url'), url: z.string().min(1) }),
		z.object({ type: z.literal('file'), file_id: z.string().min(1) })
	],
	{ error: 'source.type must be base64, url or file' }
);
const imageBlock = z
	.object({ type: z.literal('image'), source: anthropicImageSource })
	.describe('Anthropic image: base64 (stored on the canvas) or url (kept as a link)');
const refusalPart = z.object({ type: z.literal('refusal'), refusal: z.string() }).describe('OpenAI refusal');
const toolUseBlock = z.object({ type: z.literal('tool_use'), id, name: id, input: z.unknown() }).describe('Anthropic tool call');
const thinkingBlock = z.object({ type: z.literal('thinking'), thinking: z.string(), signature: z.string().optional() }).describe('Anthropic extended thinking');
const redactedThinkingBlock = z.object({ type: z.literal('redacted_thinking'), data: z.string() });

/** Part types Easel reads; any other `type` is kept as an `unsupported` part. */
const READ_PART_TYPES = new Set(['text', 'image_url', 'image', 'refusal', 'tool_use', 'tool_result', 'thinking', 'redacted_thinking']);
const otherPart = z
	.looseObject({ type: z.string().refine((type) => !READ_PART_TYPES.has(type), { error: 'is a part type whose fields are wrong', abort: true }) })
	.describe('Another content type (audio, file, document, server tools): kept by its type, not shown');

const toolResultContentPart = z.union([z.discriminatedUnion('type', [textPart, imageBlock]), otherPart]);
const toolResultBlock = z
	.object({
		type: z.literal('tool_result'),
		tool_use_id: id,
		content: z.union([z.string(), z.array(toolResultContentPart)], { error: 'content must be text or an array of text and image blocks' }).optional(),
		is_error: z.boolean().optional()
	})
	.describe('Anthropic tool result');

export const contentPartSchema = z.union([
	z.discriminatedUnion('type', [textPart, imageUrlPart, imageBlock, refusalPart, toolUseBlock, toolResultBlock, thinkingBlock, redactedThinkingBlock]),
	otherPart
]);

/** A message's content in either format: text, or an array of parts/blocks. */
export const contentSchema = z.union([z.string(), z.array(contentPartSchema)], { error: 'content must be text or an array of content parts' });

/** OpenAI `tool_calls[]`: `{ id, type: 'function', function: { name, arguments } }` (arguments as JSON text; an object is accepted too). */
export const openAiToolCallSchema = z.object({
	id,
	type: z.literal('function').optional(),
	function: z.object({ name: id, arguments: z.union([z.string(), z.record(z.string(), z.unknown())]).optional() })
});

/** Easel's own tool call shape, for `toolCalls` on append: `{ id, name, arguments }` (text or an object). */
export const easelToolCallSchema = z.object({ id, name: id, arguments: z.union([z.string(), z.record(z.string(), z.unknown())]).optional() });

const tokenCount = z.number().int({ error: 'must be a whole number' }).nonnegative({ error: 'must not be negative' });
const dollars = z.number().nonnegative({ error: 'must not be negative' }).finite();

/** Usage as OpenAI (`prompt_tokens`, `completion_tokens`), Anthropic (`input_tokens`, `output_tokens`) or Easel (`inputTokens`, `outputTokens`) name it, plus cost in US dollars. */
export const usageSchema = z.looseObject({
	prompt_tokens: tokenCount.optional(),
	completion_tokens: tokenCount.optional(),
	input_tokens: tokenCount.optional(),
	output_tokens: tokenCount.optional(),
	inputTokens: tokenCount.optional(),
	outputTokens: tokenCount.optional(),
	costUsd: dollars.optional(),
	/** OpenRouter's name for the cost in US dollars. */
	cost: dollars.optional()
});

export const latencySchema = z.number().nonnegative({ error: 'must not be negative' }).finite().max(2_147_483_647);

/** One message of either format, as a program sends it (unknown fields, such as a response's `id` or `stop_reason`, are ignored). */
export const wireMessageSchema = z.object({
	role: z.enum(CONVERSATION_ROLES, { error: `role must be one of ${CONVERSATION_ROLES.join(', ')}` }),
	content: contentSchema.nullable().optional(),
	name: z.string().max(200).optional(),
	tool_calls: z.array(openAiToolCallSchema).optional(),
	tool_call_id: id.optional(),
	/** OpenAI's top-level refusal of an assistant message. */
	refusal: z.string().nullable().optional(),
	/** Easel's extras (an Anthropic response carries `model` and `usage` already). */
	model: z.string().max(200).optional(),
	usage: usageSchema.nullable().optional(),
	latencyMs: latencySchema.optional(),
	costUsd: dollars.optional(),
	status: z.enum(MESSAGE_STATUSES).optional()
});
export type WireMessage = z.infer<typeof wireMessageSchema>;

/** Anthropic's top-level `system`: text, or text blocks. */
export const systemSchema = z.union([z.string(), z.array(z.union([textPart, otherPart]))], { error: 'system must be text or an array of text blocks' });

export interface ToolCall {
	id: string;
	name: string;
	/** JSON text, as the model wrote it. */
	arguments: string;
}

export interface Usage {
	inputTokens: number | null;
	outputTokens: number | null;
	costUsd: number | null;
}

/** An image as the program gave it, before it is stored: inline bytes, or a link. */
export type ImageSource = { kind: 'inline'; base64: string; mediaType: string | null; percentEncoded?: string } | { kind: 'link'; url: string };

/** A part of a message that is not its text, in order. Images are resolved to stored assets before they are kept. */
export type MessagePart<Image = ImageSource> =
	| { type: 'image'; image: Image; path: string }
	| { type: 'tool_result'; toolCallId: string; content: string; isError: boolean }
	| { type: 'thinking'; text: string }
	| { type: 'redacted_thinking' }
	| { type: 'unsupported'; originalType: string };

/** One message in Easel's model: both formats come out the same. */
export interface NormalizedMessage<Image = ImageSource> {
	role: ConversationRole;
	name: string | null;
	/** The message's text parts joined by blank lines (a refusal is text too). */
	text: string;
	/** Everything else it holds, in order. */
	parts: MessagePart<Image>[];
	toolCalls: ToolCall[];
	/** For an OpenAI tool message: the call it answers. */
	toolCallId: string | null;
	model: string | null;
	usage: Usage | null;
	latencyMs: number | null;
	status: 'streaming' | 'complete';
}

/** Fields of a message beyond its content, as either route names them. */
export interface MessageExtras {
	name?: string;
	model?: string;
	usage?: z.infer<typeof usageSchema> | null;
	latencyMs?: number;
	costUsd?: number;
	status?: 'streaming' | 'complete';
}

/**
 * One message in Easel's model. `path` names where it came from (`messages.3`) in errors. A message
 * with no status given streams when it has nothing yet (no text, parts or tool calls).
 */
export function normalizeMessage(
	input: {
		role: ConversationRole;
		content?: z.infer<typeof contentSchema> | null;
		refusal?: string | null;
		toolCalls?: (z.infer<typeof openAiToolCallSchema> | z.infer<typeof easelToolCallSchema>)[];
		toolCallId?: string;
	} & MessageExtras,
	path: string
): NormalizedMessage {
	const texts: string[] = [];
	const parts: MessagePart[] = [];
	const toolCalls: ToolCall[] = [];
	const content = input.content ?? null;
	if (typeof content === 'string') texts.push(content);
	else if (content) {
		content.forEach((part, index) => {
			const at = within(path, `content.${index}`);
			switch (part.type) {
				case 'text':
					texts.push((part as { text: string }).text);
					break;
				case 'refusal':
					texts.push((part as { refusal: string }).refusal);
					break;
				case 'image_url': {
					const { image_url } = part as z.infer<typeof imageUrlPart>;
					parts.push({ type: 'image', image: imageFromUrl(typeof image_url === 'string' ? image_url : image_url.url, `${at}.image_url`), path: `${at}.image_url` });
					break;
				}
				case 'image':
					parts.push({ type: 'image', image: imageFromSource((part as z.infer<typeof imageBlock>).source, `${at}.source`), path: `${at}.source` });
					break;
				case 'tool_use': {
					const call = part as z.infer<typeof toolUseBlock>;
					toolCalls.push({ id: call.id, name: call.name, arguments: argumentsText(call.input ?? {}) });
					break;
				}
				case 'tool_result': {
					const result = part as z.infer<typeof toolResultBlock>;
					const resultTexts: string[] = [];
					const resultImages: MessagePart[] = [];
					if (typeof result.content === 'string') resultTexts.push(result.content);
					else
						result.content?.forEach((inner, innerIndex) => {
							const innerAt = `${at}.content.${innerIndex}`;
							if (inner.type === 'text') resultTexts.push((inner as { text: string }).text);
							else if (inner.type === 'image')
								resultImages.push({
									type: 'image',
									image: imageFromSource((inner as z.infer<typeof imageBlock>).source, `${innerAt}.source`),
									path: `${innerAt}.source`
								});
							else resultImages.push({ type: 'unsupported', originalType: String(inner.type).slice(0, 60) });
						});
					parts.push({ type: 'tool_result', toolCallId: result.tool_use_id, content: resultTexts.join('\n\n'), isError: result.is_error ?? false }, ...resultImages);
					break;
				}
				case 'thinking':
					parts.push({ type: 'thinking', text: (part as { thinking: string }).thinking });
					break;
				case 'redacted_thinking':
					parts.push({ type: 'redacted_thinking' });
					break;
				default:
					parts.push({ type: 'unsupported', originalType: String(part.type).slice(0, 60) });
			}
		});
	}
	if (input.refusal) texts.push(input.refusal);
	for (const call of input.toolCalls ?? []) {
		if ('function' in call) toolCalls.push({ id: call.id, name: call.function.name, arguments: argumentsText(call.function.arguments ?? '') });
		else toolCalls.push({ id: call.id, name: call.name, arguments: argumentsText(call.arguments ?? '') });
	}
	if (input.role === 'tool' && !input.toolCallId) throw invalid(within(path, 'tool_call_id'), 'a tool message must name the call it answers (tool_call_id)');
	const seen = new Set<string>();
	toolCalls.forEach((call, index) => {
		if (seen.has(call.id)) throw invalid(within(path, `tool_calls.${index}.id`), `the tool call id ${JSON.stringify(call.id)} is used twice in one message`);
		seen.add(call.id);
	});
	const text = texts.join('\n\n');
	const empty = text === '' && parts.length === 0 && toolCalls.length === 0;
	return {
		role: input.role,
		name: input.name?.trim() ? input.name.trim() : null,
		text,
		parts,
		toolCalls,
		toolCallId: input.toolCallId ?? null,
		model: input.model?.trim() ? input.model.trim() : null,
		usage: normalizeUsage(input.usage, input.costUsd),
		latencyMs: input.latencyMs === undefined ? null : Math.round(input.latencyMs),
		status: input.status ?? (empty ? 'streaming' : 'complete')
	};
}

/** A message of the ingest format (either API's) in Easel's model. */
export function normalizeWireMessage(message: WireMessage, path: string): NormalizedMessage {
	return normalizeMessage(
		{
			role: message.role,
			content: message.content,
			refusal: message.refusal,
			toolCalls: message.tool_calls,
			toolCallId: message.tool_call_id,
			name: message.name,
			model: message.model,
			usage: message.usage,
			latencyMs: message.latencyMs,
			costUsd: message.costUsd,
			status: message.status
		},
		path
	);
}

/** Anthropic's top-level `system` as the text of a system message, or null when there is none. */
export function systemText(system: z.infer<typeof systemSchema> | undefined): string | null {
	if (system === undefined) return null;
	if (typeof system === 'string') return system;
	return system
		.filter((block): block is z.infer<typeof textPart> => block.type === 'text')
		.map((block) => block.text)
		.join('\n\n');
}

/** Usage under any of the accepted names; null when nothing was given. */
export function normalizeUsage(usage: z.infer<typeof usageSchema> | null | undefined, costUsd?: number): Usage | null {
	const inputTokens = usage?.inputTokens ?? usage?.input_tokens ?? usage?.prompt_tokens ?? null;
	const outputTokens = usage?.outputTokens ?? usage?.output_tokens ?? usage?.completion_tokens ?? null;
	const cost = costUsd ?? usage?.costUsd ?? usage?.cost ?? null;
	return inputTokens === null && outputTokens === null && cost === null ? null : { inputTokens, outputTokens, costUsd: cost };
}

const DATA_URL = /^data:([^,]*?),/i;
const LINK_URL = /^https?:\/\//i;
const MAX_LINK_LENGTH = 2000;

/** An OpenAI image URL: a data: URL (base64 or percent-encoded) or an http(s) link. */
function imageFromUrl(url: string, path: string): ImageSource {
	const header = DATA_URL.exec(url);
	if (header) {
		const parameters = header[1].split(';');
		const mediaType = parameters[0]?.trim().toLowerCase() || null;
		const payload = url.slice(header[0].length);
		if (parameters.some((parameter) => parameter.trim().toLowerCase() === 'base64')) return { kind: 'inline', base64: payload, mediaType };
		return { kind: 'inline', base64: '', mediaType, percentEncoded: payload };
	}
	return link(url, path);
}

function imageFromSource(source: z.infer<typeof anthropicImageSource>, path: string): ImageSource {
	switch (source.type) {
		case 'base64':
			return { kind: 'inline', base64: source.data, mediaType: source.media_type.toLowerCase() };
		case 'url':
			return link(source.url, `${path}.url`);
		case 'file':
			throw invalid(`${path}.file_id`, "images stored in Anthropic's Files API cannot be read here: send them as base64 or as a URL");
	}
}

function link(url: string, path: string): ImageSource {
	if (!LINK_URL.test(url)) throw invalid(path, 'an image must be a data: URL, base64 data or an http(s) URL');
	if (url.length > MAX_LINK_LENGTH) throw invalid(path, `an image link may be at most ${MAX_LINK_LENGTH} characters`);
	try {
		new URL(url);
	} catch {
		throw invalid(path, 'the image link is not a valid URL');
	}
	return { kind: 'link', url };
}

/** A path inside `path` (the body itself when `path` is empty). */
export function within(path: string, key: string): string {
	return path ? `${path}.${key}` : key;
}

/** Tool call arguments as JSON text: kept as written when text, serialized when an object. */
function argumentsText(value: unknown): string {
	return typeof value === 'string' ? value : JSON.stringify(value ?? {});
}

/** INVALID_INPUT naming where in the body the problem is (`messages.3.content.1.image_url: …`). */
export function invalid(path: string, problem: string): AppError {
	if (!path) return new AppError('INVALID_INPUT', `${problem[0].toUpperCase()}${problem.slice(1)}.`);
	return new AppError('INVALID_INPUT', `${path}: ${problem}`, { field: path });
}
