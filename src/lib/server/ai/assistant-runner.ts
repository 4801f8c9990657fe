// Runs the assistant: a server-side peer on one canvas. A run is queued (one runs per canvas at a
// time, across instances: a partial unique index), then streams the model's answer into its chat
// message while the model acts on the canvas through tools, each tool call one validated
// transaction through the write path. Credits are reserved before, charged on success, released
// on failure or cancel; every run leaves a usage event. See DESIGN.md "AI".
import { createHash } from 'node:crypto';
import { isStepCount, streamText, type LanguageModelUsage } from 'ai';
import { and, count, eq, inArray, lt, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import { documentName } from '../../document-names.ts';
import { newMessageId, type ChatAuthor, type ChatMessage, type RunChangeView, type WorkKind } from '../../chat/chat-document.ts';
import type { AssistantAvailability, AssistantRunView, ModelTierId, ReviewResult, RunFileView, StartedRun } from '../../assistant-api.ts';
import { permits, requireEditable, resolveCanvasAccess, type Actor, type CanvasAccess } from '../access.ts';
import * as billing from '../billing.ts';
import type { ChatWriter, CollaborationControl, DocumentWriter } from '../collaboration-control.ts';
import type { Config } from '../config.ts';
import * as credits from '../credits.ts';
import type { Database } from '../db/index.ts';
import type { BlobStore } from '../assets/blob-store.ts';
import { apiKeys, assistantRuns, canvases, MODEL_TIERS, users, type ModelTier, type StoredRunChange, type StoredRunFile } from '../db/schema.ts';
import { AppError, parseInput } from '../errors.ts';
import * as history from '../history.ts';
import type { Logger } from '../logger.ts';
import { assistantRequestCredits, MODEL_TIER_CATALOG, upgradeFor, WORK_PRICES } from '../plans.ts';
import { canvasRenderer } from '../rendering/canvas-renderer.ts';
import { AssistantRateLimits } from './assistant-limits.ts';
import { assistantMessages, assistantSystemPrompt } from './assistant-prompt.ts';
import { readCanvasGraph } from '../../diagram/canvas-graph.ts';
import { describeCanvasForModel } from './canvas-description.ts';
import { createCanvasTools, type ToolSession } from './canvas-tools.ts';
import type { WorkContext, WorkDefinition, WorkOutcome } from './diagram-work.ts';
import { acceptChanges, rejectChanges } from './change-review.ts';
import { teamModelTiers } from './model-tiers.ts';
import { guestAiAllowed } from './team-ai-settings.ts';
import { describeProviderError, type RunFailure } from './provider-errors.ts';
import { AI_ENABLE_HINT, teamModels, type ResolvedModel, type TeamModels } from './providers.ts';
import { TextStreamBuffer } from './text-stream-buffer.ts';
import { recordUsage } from './usage.ts';

export const ASSISTANT_AUTHOR: ChatAuthor = { kind: 'assistant', id: 'assistant', name: 'Easel AI' };
export const ASSISTANT_COLOR = '#7c3aed';

/** How often a running run proves it is alive (and learns it was cancelled elsewhere). */
const HEARTBEAT_MS = 1_000;
/** A running run silent this long lost its instance: the sweeper fails it. */
const STALE_RUN_MS = 60_000;
/** How often a queued run looks again whether its canvas is free (another instance's run may end). */
const QUEUE_POLL_MS = 500;

/** Who asks, as the HTTP edge knows them. */
export interface Requester {
	actor: Actor;
	/** The share link token a guest (or a member) came with. */
	shareToken?: string;
	/** The signed-in person's display name, for the chat. */
	name?: string;
}

/** Where the asker is looking: the model sees it as focus. */
export interface RunFocus {
	pageId?: string;
	selectedShapeIds?: string[];
	viewport?: { x: number; y: number; w: number; h: number };
}

export interface StartRunInput {
	prompt?: string;
	tier?: ModelTier;
	parentMessageId?: string | null;
	/** Retry: a new answer beside this assistant message, to the same prompt. */
	retryMessageId?: string;
	focus?: RunFocus;
}

export interface AssistantRunnerDeps {
	db: Database;
	collaboration: CollaborationControl;
	config: Config;
	logger: Logger;
	rateLimits: AssistantRateLimits;
	/** Where design-document and code runs keep their binary files (PDF, PNG). */
	blobs: BlobStore;
}

/** What POST …/design-doc and …/code add to a work kind's own fields. */
export interface StartWorkInput {
	tier?: ModelTier;
	/** The chat message the work's prompt answers to (the panel's current thread); a new thread when absent. */
	parentMessageId?: string | null;
}

/** The fields every work request may carry besides its own (the work kind parses the rest). */
const startWorkSchema = z.looseObject({
	tier: z.enum(MODEL_TIERS).optional(),
	parentMessageId: z.string().max(100).nullable().optional()
});

/**
 * Where a run's binary file is kept in the blob store (collected with the run). Blob keys are one
 * `<folder>/<[A-Za-z0-9._-]+>` within a file name's length, so the file's name (any Unicode, up to
 * the run's own limit) goes in hashed after the run id.
 */
export function runFileKey(runId: string, name: string): string {
	return `runfiles/${runId}.${createHash('sha256').update(name).digest('hex').slice(0, 32)}`;
}

type RunRow = typeof assistantRuns.$inferSelect;

/** What the asker may do with the assistant on a canvas. */
interface AskRights {
	canAsk: boolean;
	canEdit: boolean;
	reason?: string;
	author: ChatAuthor;
	userId: string | null;
}

export class AssistantRunner {
	private readonly deps: AssistantRunnerDeps;
	/** Runs executing on this instance, to cancel them at once. */
	private readonly active = new Map<string, { controller: AbortController; cancelled: boolean }>();
	/** Per canvas, the runs this instance executes, in order. */
	private readonly canvasQueues = new Map<string, Promise<void>>();
	/** Runs waiting for their canvas, with the place their answer shows (kept current as runs before them end). */
	private readonly waiting = new Map<string, { run: RunRow; shown: number }>();
	/** Design-document and code runs executing on this instance (they don't queue per canvas). */
	private readonly workRuns = new Set<Promise<void>>();
	private stopping = false;

	constructor(deps: AssistantRunnerDeps) {
		this.deps = deps;
	}

	/** What the assistant offers `requester` on a canvas they can open (the chat panel's controls). */
	async availability(requester: Requester, access: CanvasAccess): Promise<AssistantAvailability> {
		const { db, config } = this.deps;
		const teamId = access.canvas.teamId;
		const [{ configured, ownKey, tiers }, rights, balance] = await Promise.all([
			teamModelTiers(db, config, teamId),
			this.askRights(requester, access),
			credits.currentBalance(db, teamId)
		]);
		const defaultTier = (tiers.find((tier) => tier.available)?.tier ?? 'fast') as ModelTierId;
		return {
			configured,
			enableHint: AI_ENABLE_HINT,
			ownKey,
			canAsk: configured && rights.canAsk,
			canEdit: rights.canEdit,
			reason: configured ? rights.reason : 'AI is not set up on this server.',
			tiers,
			defaultTier,
			balance,
			prices: ownKey ? { designDoc: { markdown: 0, pdf: 0, both: 0 }, code: { node: 0, bulkNode: 0 } } : structuredClone(WORK_PRICES)
		};
	}

	/** Starts a run: checks, reserves, writes the prompt and an empty answer into the chat, and queues it. */
	async start(requester: Requester, canvasId: string, input: StartRunInput): Promise<StartedRun> {
		const { db, config, collaboration } = this.deps;
		if (this.stopping) throw new AppError('UNAVAILABLE', 'The server is restarting. Try again in a moment.');
		const access = await resolveCanvasAccess(db, requester.actor, canvasId, requester.shareToken);
		const teamId = access.canvas.teamId;
		const rights = await this.askRights(requester, access);
		if (!rights.canAsk) throw new AppError('FORBIDDEN', rights.reason ?? 'You cannot use the assistant on this canvas.');

		const models = await teamModels(db, config, teamId);
		if (!models.configured) throw new AppError('UNAVAILABLE', `AI is not set up on this server. An operator enables it with: ${AI_ENABLE_HINT}`);
		const plan = await billing.teamPlan(db, teamId);
		const { tier, resolved } = resolveTier(models, plan, input.tier);

		// The conversation: a new prompt under `parentMessageId`, or a retry beside an earlier answer.
		const chat = await collaboration.openChat(canvasId, this.writerFor(requester, teamId, 'pending'));
		try {
			const messages = chat.messages();
			const { prompt, promptMessageId, isNewPrompt } = this.resolvePrompt(messages, input);
			await this.deps.rateLimits.consume({ teamId, requesterKey: rights.userId ?? rights.author.id, limits: plan.limits.assistantRuns, plan: plan.limits.plan });
			const estimatedCredits = resolved.ownKey ? 0 : assistantRequestCredits(tier);
			const answerMessageId = newMessageId();
			const row = await this.openRun(chat, {
				requester,
				rights,
				teamId,
				canvasId,
				tier,
				resolved,
				estimatedCredits,
				prompt,
				promptMessageId,
				answerMessageId,
				newPromptParentId: isNewPrompt ? (input.parentMessageId ?? null) : undefined,
				canEdit: rights.canEdit
			});
			const ahead = await this.queuePosition(row);
			if (ahead > 0) {
				await chat.update(answerMessageId, { queuePosition: ahead });
				this.waiting.set(row.id, { run: row, shown: ahead });
			}
			this.enqueue(row, rights, resolved, input.focus ?? {});
			return { run: { id: row.id, messageId: answerMessageId, promptMessageId, tier, estimatedCredits } };
		} finally {
			await chat.close();
		}
	}

	/**
	 * Starts a design-document or code run: the same checks, reservation and chat messages as a
	 * question to the assistant, but it only reads the canvas, so it runs at once beside any other
	 * run. Without a model set up, only work that can run without one starts (free).
	 */
	async startWork<Request>(requester: Requester, canvasId: string, work: WorkDefinition<Request>, body: unknown): Promise<StartedRun> {
		const { db, config, collaboration } = this.deps;
		if (this.stopping) throw new AppError('UNAVAILABLE', 'The server is restarting. Try again in a moment.');
		const access = await resolveCanvasAccess(db, requester.actor, canvasId, requester.shareToken);
		const teamId = access.canvas.teamId;
		const rights = await this.askRights(requester, access);
		if (!rights.canAsk) throw new AppError('FORBIDDEN', rights.reason ?? 'You cannot use the assistant on this canvas.');
		const common = parseInput(startWorkSchema, body ?? {});
		const graph = readCanvasGraph((await collaboration.readDocument(documentName('canvas', canvasId))).records);
		const request = work.parse(body, graph);

		const models = await teamModels(db, config, teamId);
		const plan = await billing.teamPlan(db, teamId);
		let tier: ModelTier = common.tier ?? 'fast';
		let resolved: ResolvedModel | undefined;
		if (models.configured) ({ tier, resolved } = resolveTier(models, plan, common.tier));
		else if (!work.worksWithoutModel(request)) throw new AppError('UNAVAILABLE', `AI is not set up on this server. An operator enables it with: ${AI_ENABLE_HINT}`);

		const chat = await collaboration.openChat(canvasId, this.writerFor(requester, teamId, 'pending'));
		try {
			const parentId = common.parentMessageId ?? null;
			if (parentId && !chat.messages().some((message) => message.id === parentId)) throw new AppError('NOT_FOUND', 'The message to reply to is not in this chat.');
			if (resolved) {
				await this.deps.rateLimits.consume({ teamId, requesterKey: rights.userId ?? rights.author.id, limits: plan.limits.assistantRuns, plan: plan.limits.plan });
			}
			const estimatedCredits = resolved && !resolved.ownKey ? work.estimate(request, tier) : 0;
			const promptMessageId = newMessageId();
			const answerMessageId = newMessageId();
			const row = await this.openRun(chat, {
				requester,
				rights,
				teamId,
				canvasId,
				tier,
				resolved,
				estimatedCredits,
				prompt: work.promptText(request, graph),
				promptMessageId,
				answerMessageId,
				newPromptParentId: parentId,
				canEdit: false,
				work: { kind: work.kind, request: request as Record<string, unknown> }
			});
			const running = this.executeWork(row, resolved, work, request)
				.catch((error: unknown) => this.deps.logger.error({ err: error, runId: row.id }, 'diagram work crashed'))
				.finally(() => this.workRuns.delete(running));
			this.workRuns.add(running);
			return { run: { id: row.id, messageId: answerMessageId, promptMessageId, tier, estimatedCredits } };
		} finally {
			await chat.close();
		}
	}

	/**
	 * Reserves the run's credits, records it, and writes its prompt (unless it is a retry's, already
	 * there: `newPromptParentId` undefined) and its empty streaming answer into the chat. The
	 * reservation is released when any of that fails.
	 */
	private async openRun(
		chat: ChatWriter,
		run: {
			requester: Requester;
			rights: AskRights;
			teamId: string;
			canvasId: string;
			tier: ModelTier;
			/** Undefined for work done without a model. */
			resolved: ResolvedModel | undefined;
			estimatedCredits: number;
			prompt: string;
			promptMessageId: string;
			answerMessageId: string;
			newPromptParentId: string | null | undefined;
			canEdit: boolean;
			work?: { kind: WorkKind; request: Record<string, unknown> };
		}
	): Promise<RunRow> {
		const { db, config } = this.deps;
		const { requester, rights, teamId, tier, resolved, estimatedCredits } = run;
		const reservationId = estimatedCredits > 0 ? await credits.reserve(db, teamId, estimatedCredits, { ttlMs: (config.AI_TIMEOUT_SECONDS + 5 * 60) * 1000 }) : null;
		try {
			const [row] = await db
				.insert(assistantRuns)
				.values({
					teamId,
					canvasId: run.canvasId,
					...(run.work ? { kind: run.work.kind, request: run.work.request } : {}),
					userId: rights.userId,
					actorKind: requester.actor.kind === 'anonymous' ? 'guest' : requester.actor.kind,
					actorRef: rights.userId ? null : rights.author.id,
					promptMessageId: run.promptMessageId,
					answerMessageId: run.answerMessageId,
					prompt: run.prompt,
					tier,
					provider: resolved?.provider ?? 'none',
					model: resolved?.modelId ?? 'structural',
					ownKey: resolved?.ownKey ?? false,
					canEdit: run.canEdit,
					reservationId,
					estimatedCredits
				})
				.returning();
			if (run.newPromptParentId !== undefined) {
				await chat.addMessage({ id: run.promptMessageId, parentId: run.newPromptParentId, author: rights.author, role: 'user', text: run.prompt, status: 'done' });
			}
			await chat.addMessage({
				id: run.answerMessageId,
				parentId: run.promptMessageId,
				author: ASSISTANT_AUTHOR,
				role: 'assistant',
				text: '',
				status: 'streaming',
				runId: row.id,
				tier,
				...(run.work ? { work: run.work.kind } : {})
			});
			return row;
		} catch (error) {
			if (reservationId) await credits.release(db, teamId, reservationId).catch(() => {});
			throw error;
		}
	}

	/** A run as the API shows it; NOT_FOUND unless the requester can open its canvas. */
	async get(requester: Requester, canvasId: string, runId: string): Promise<AssistantRunView> {
		await resolveCanvasAccess(this.deps.db, requester.actor, canvasId, requester.shareToken);
		return this.view(await this.load(canvasId, runId));
	}

	/** A binary file a run made (a design document's PDF), for whoever may open its canvas; NOT_FOUND otherwise. */
	async file(requester: Requester, canvasId: string, runId: string, name: string): Promise<{ file: RunFileView; body: ReadableStream<Uint8Array> }> {
		await resolveCanvasAccess(this.deps.db, requester.actor, canvasId, requester.shareToken);
		const run = await this.load(canvasId, runId);
		const stored = run.files.find((file) => file.name === name && file.blobKey);
		const blob = stored?.blobKey ? await this.deps.blobs.get(stored.blobKey) : null;
		if (!stored || !blob) throw new AppError('NOT_FOUND', 'This run made no such file.');
		return { file: fileViews(run.id, canvasId, [stored])[0], body: blob.body };
	}

	/** Stops a queued or running run at once; nothing is charged. Cancelling a finished run changes nothing. */
	async cancel(requester: Requester, canvasId: string, runId: string): Promise<AssistantRunView> {
		const access = await resolveCanvasAccess(this.deps.db, requester.actor, canvasId, requester.shareToken);
		const run = await this.load(canvasId, runId);
		const rights = await this.askRights(requester, access);
		const askedByThisKey = requester.actor.kind === 'apiKey' && run.actorKind === 'apiKey' && run.actorRef === apiKeyAuthorId(requester.actor.keyId);
		const mayCancel = (rights.userId !== null && rights.userId === run.userId) || askedByThisKey || permits(access.standing, 'canvas.edit') || access.canEdit;
		if (!mayCancel) throw new AppError('FORBIDDEN', 'Only whoever asked (the person, or the API key), or an editor of this canvas, can cancel this run.');
		if (run.status === 'queued' || run.status === 'running') {
			const local = this.active.get(runId);
			if (local) {
				local.cancelled = true;
				local.controller.abort(new DOMException('Cancelled', 'AbortError'));
			} else {
				// Running elsewhere (its heartbeat reads this) or still waiting in a queue.
				await this.deps.db
					.update(assistantRuns)
					.set({ status: 'cancelled' })
					.where(and(eq(assistantRuns.id, runId), inArray(assistantRuns.status, ['queued', 'running'])));
			}
		}
		return this.waitForEnd(canvasId, runId, 3_000);
	}

	/** Accepts or rejects a finished run's changes (all when `changeIds` is omitted). */
	async review(requester: Requester, canvasId: string, runId: string, action: 'accept' | 'reject', changeIds?: string[]): Promise<ReviewResult> {
		const { db, collaboration } = this.deps;
		const access = await resolveCanvasAccess(db, requester.actor, canvasId, requester.shareToken);
		await requireEditable(db, access);
		const run = await this.load(canvasId, runId);
		if (run.status === 'queued' || run.status === 'running') throw new AppError('CONFLICT', 'The assistant is still working: review its changes once it has finished.');
		const known = new Set(run.changes.map((change) => change.id));
		const unknown = (changeIds ?? []).filter((id) => !known.has(id));
		const refusedUnknown = unknown.map((changeId) => ({ changeId, reason: 'This run made no such change.' }));
		const wanted = changeIds?.filter((id) => known.has(id));
		let result: { updated: StoredRunChange[]; refused: { changeId: string; reason: string }[]; done: string[] };
		if (action === 'accept') {
			const accepted = acceptChanges(run.changes, wanted);
			result = { updated: accepted.updated, refused: accepted.refused, done: accepted.accepted };
		} else {
			let rejected: ReturnType<typeof rejectChanges> | undefined;
			const actor = requester.actor.kind === 'anonymous' ? { kind: 'assistant' as const, runId, teamId: run.teamId } : requester.actor;
			await collaboration.transact(documentName('canvas', canvasId), { origin: 'review', actor }, (draft) => {
				rejected = rejectChanges(draft, run.changes, wanted);
			});
			result = { updated: rejected!.updated, refused: rejected!.refused, done: rejected!.rejected };
		}
		await db.update(assistantRuns).set({ changes: result.updated }).where(eq(assistantRuns.id, runId));
		await this.publishToChat(canvasId, run, { changes: changeViews(result.updated) });
		const refused = [...result.refused, ...refusedUnknown];
		return action === 'accept' ? { accepted: result.done, refused } : { rejected: result.done, refused };
	}

	/** Fails runs whose instance died (no heartbeat) and queued runs nobody will start; releases their credits. */
	async sweep(now = new Date()): Promise<number> {
		const { db } = this.deps;
		const stale = await db
			.select()
			.from(assistantRuns)
			.where(
				or(
					and(eq(assistantRuns.status, 'running'), lt(assistantRuns.heartbeatAt, new Date(now.getTime() - STALE_RUN_MS))),
					and(eq(assistantRuns.status, 'queued'), lt(assistantRuns.createdAt, new Date(now.getTime() - (this.deps.config.AI_TIMEOUT_SECONDS * 1000 + 10 * 60_000))))
				)
			)
			.limit(100);
		let failed = 0;
		for (const run of stale) {
			if (this.active.has(run.id)) continue;
			const ended = await this.finish(run, {
				status: 'failed',
				failure: { kind: 'lost', reason: 'The server running this request stopped. Nothing was charged; retry it.' }
			});
			if (ended) failed++;
		}
		return failed;
	}

	/** Cancels every run on this instance (they end failed: nothing charged) and refuses new ones. */
	async stop(): Promise<void> {
		this.stopping = true;
		for (const entry of this.active.values()) entry.controller.abort(new DOMException('Server stopping', 'AbortError'));
		await Promise.allSettled([...this.canvasQueues.values(), ...this.workRuns]);
	}

	// ---- running ----

	private enqueue(row: RunRow, rights: AskRights, model: ResolvedModel, focus: RunFocus): void {
		const previous = this.canvasQueues.get(row.canvasId) ?? Promise.resolve();
		const next = previous
			.then(() => this.execute(row, rights, model, focus))
			.catch((error: unknown) => this.deps.logger.error({ err: error, runId: row.id }, 'assistant run crashed'))
			.finally(() => {
				if (this.canvasQueues.get(row.canvasId) === next) this.canvasQueues.delete(row.canvasId);
			});
		this.canvasQueues.set(row.canvasId, next);
	}

	private async execute(queued: RunRow, rights: AskRights, resolved: ResolvedModel, focus: RunFocus): Promise<void> {
		const { db, collaboration, config, logger } = this.deps;
		const controller = new AbortController();
		const entry = { controller, cancelled: false };
		this.active.set(queued.id, entry);
		const started = Date.now();
		let chat: ChatWriter | undefined;
		let heartbeat: ReturnType<typeof setInterval> | undefined;
		try {
			const run = await this.claim(queued, entry);
			if (!run) return; // cancelled (or swept) while it waited
			const canvasName = documentName('canvas', run.canvasId);
			const writer = this.writerFor({ actor: rights.userId ? { kind: 'user', userId: rights.userId } : { kind: 'anonymous' } }, run.teamId, run.id);
			chat = await collaboration.openChat(run.canvasId, writer);
			heartbeat = setInterval(() => void this.beat(run.id, entry), HEARTBEAT_MS);

			const records = (await collaboration.readDocument(canvasName)).records;
			const graph = readCanvasGraph(records, focus.pageId);
			const pageId = graph.pageId;
			const changes: StoredRunChange[] = [];
			let versionCaptured = false;
			const presence = (point: { x: number; y: number }) =>
				collaboration.setPeerPresence(run.canvasId, ASSISTANT_AUTHOR.id, { name: ASSISTANT_AUTHOR.name, color: ASSISTANT_COLOR, cursor: point, pageId });
			presence(focus.viewport ? { x: focus.viewport.x + focus.viewport.w / 2, y: focus.viewport.y + focus.viewport.h / 2 } : { x: 0, y: 0 });

			const session: ToolSession = {
				runId: run.id,
				pageId,
				viewport: focus.viewport,
				transact: async (change) => {
					if (controller.signal.aborted) throw new AppError('CONFLICT', 'The run was stopped.');
					if (!versionCaptured) {
						versionCaptured = true;
						await this.captureBeforeVersion(run, canvasName);
					}
					await collaboration.transact(canvasName, writer, change);
				},
				recordChange: (change) => void changes.push(change),
				moveCursor: presence,
				readRecords: async () => (await collaboration.readDocument(canvasName)).records
			};
			const buffer = new TextStreamBuffer((text) => chat!.appendText(run.answerMessageId, text));
			const thread = threadUpTo(chat.messages(), run.promptMessageId);
			const usage = { inputTokens: 0, outputTokens: 0 };
			let failure: RunFailure | undefined;
			let wroteText = false;
			let stepHasText = false;
			const publishChanges = async () => {
				await db.update(assistantRuns).set({ changes }).where(eq(assistantRuns.id, run.id));
				await chat!.update(run.answerMessageId, { changes: changeViews(changes) });
			};
			const timeout = AbortSignal.timeout(config.AI_TIMEOUT_SECONDS * 1000);
			try {
				const result = streamText({
					model: resolved.model,
					system: assistantSystemPrompt({ canEdit: run.canEdit }),
					messages: assistantMessages(thread, run.prompt, describeCanvasForModel(graph, { selectedShapeIds: focus.selectedShapeIds, viewport: focus.viewport })),
					tools: run.canEdit ? createCanvasTools(session) : undefined,
					stopWhen: isStepCount(config.AI_MAX_STEPS),
					maxOutputTokens: config.AI_MAX_OUTPUT_TOKENS,
					// One retry rides out a blip; more would keep the chat waiting on a provider that is down.
					maxRetries: 1,
					abortSignal: AbortSignal.any([controller.signal, timeout])
				});
				for await (const part of result.fullStream) {
					switch (part.type) {
						case 'start-step':
							stepHasText = false;
							break;
						case 'text-delta':
							if (!stepHasText && wroteText) buffer.push('\n\n');
							stepHasText = true;
							wroteText = true;
							buffer.push(part.text);
							break;
						case 'tool-call':
							if (part.invalid) {
								failure ??= {
									kind: 'malformed_tool_call',
									reason: `The model sent malformed arguments for ${part.toolName}, so that step was not applied. Retry, or try a larger model.`
								};
								controller.abort(new DOMException('Malformed tool call', 'AbortError'));
							}
							break;
						case 'tool-result':
						case 'tool-error':
							await publishChanges();
							break;
						case 'finish-step':
							addUsage(usage, part.usage);
							break;
						case 'error':
							failure ??= describeProviderError(part.error, { timeoutSeconds: config.AI_TIMEOUT_SECONDS });
							break;
					}
				}
			} catch (error) {
				if (!controller.signal.aborted && !timeout.aborted) failure ??= describeProviderError(error, { timeoutSeconds: config.AI_TIMEOUT_SECONDS });
			}
			await buffer.flush().catch((error: unknown) => logger.warn({ err: error, runId: run.id }, 'could not write the end of an answer'));
			if (changes.length) await publishChanges().catch(() => {});
			const cancelled = entry.cancelled || (controller.signal.aborted && !failure && !this.stopping);
			if (!failure && timeout.aborted && !cancelled) failure = { kind: 'timeout', reason: `The AI provider did not finish within ${config.AI_TIMEOUT_SECONDS} seconds.` };
			if (!failure && this.stopping && controller.signal.aborted)
				failure = { kind: 'shutdown', reason: 'The server restarted during this request. Nothing was charged; retry it.' };
			await this.finish(run, {
				status: failure ? 'failed' : cancelled ? 'cancelled' : 'succeeded',
				failure,
				usage,
				changes,
				latencyMs: Date.now() - started,
				chat
			});
		} catch (error) {
			logger.error({ err: error, runId: queued.id }, 'assistant run failed');
			await this.finish(queued, {
				status: 'failed',
				failure: { kind: 'internal', reason: 'The assistant failed unexpectedly. Nothing was charged; retry it.' },
				chat
			}).catch(() => {});
		} finally {
			if (heartbeat) clearInterval(heartbeat);
			this.active.delete(queued.id);
			collaboration.setPeerPresence(queued.canvasId, ASSISTANT_AUTHOR.id, null);
			await chat?.close().catch(() => {});
		}
	}

	private async executeWork<Request>(queued: RunRow, resolved: ResolvedModel | undefined, work: WorkDefinition<Request>, request: Request): Promise<void> {
		const { db, collaboration, config, logger, blobs } = this.deps;
		const controller = new AbortController();
		const entry = { controller, cancelled: false };
		this.active.set(queued.id, entry);
		const started = Date.now();
		let chat: ChatWriter | undefined;
		let heartbeat: ReturnType<typeof setInterval> | undefined;
		try {
			const run = await this.claim(queued, entry);
			if (!run) return;
			chat = await collaboration.openChat(
				run.canvasId,
				this.writerFor({ actor: run.userId ? { kind: 'user', userId: run.userId } : { kind: 'anonymous' } }, run.teamId, run.id)
			);
			heartbeat = setInterval(() => void this.beat(run.id, entry), HEARTBEAT_MS);
			const records = (await collaboration.readDocument(documentName('canvas', run.canvasId))).records;
			const [canvas] = await db.select({ title: canvases.title }).from(canvases).where(eq(canvases.id, run.canvasId));
			const buffer = new TextStreamBuffer((text) => chat!.appendText(run.answerMessageId, text));
			const usage = { inputTokens: 0, outputTokens: 0 };
			let files: StoredRunFile[] = [];
			let streamed = false;
			const timeout = AbortSignal.timeout(config.AI_TIMEOUT_SECONDS * 1000);
			const context: WorkContext = {
				runId: run.id,
				canvas: { id: run.canvasId, title: canvas?.title ?? 'Canvas' },
				records,
				graph: readCanvasGraph(records),
				tier: run.tier,
				model: resolved?.model,
				signal: AbortSignal.any([controller.signal, timeout]),
				timeoutSeconds: config.AI_TIMEOUT_SECONDS,
				maxOutputTokens: config.AI_MAX_OUTPUT_TOKENS,
				appendText: (text) => {
					streamed ||= text.length > 0;
					buffer.push(text);
				},
				publishFiles: async (made) => {
					files = made;
					await db.update(assistantRuns).set({ files: made }).where(eq(assistantRuns.id, run.id));
				},
				storeBlob: async (name, bytes, mimeType) => {
					const key = runFileKey(run.id, name);
					await blobs.put(key, bytes, mimeType);
					return key;
				},
				addUsage: (part) => addUsage(usage, part),
				renderDiagramPng: async () => {
					const renderer = canvasRenderer();
					if (!renderer) return null;
					try {
						return (await renderer.render(records, { format: 'png', maxWidth: 1600, canvasId: run.canvasId })).bytes;
					} catch (error) {
						logger.info({ err: error, runId: run.id }, 'no picture of the diagram for a design document');
						return null;
					}
				},
				blobs,
				logger
			};
			let outcome: WorkOutcome;
			try {
				outcome = await work.run(context, request);
			} catch (error) {
				const aborted = controller.signal.aborted || timeout.aborted;
				outcome = { files, credits: 0, failure: aborted ? undefined : describeProviderError(error, { timeoutSeconds: config.AI_TIMEOUT_SECONDS }) };
			}
			if (outcome.summary && !streamed) buffer.push(outcome.summary);
			await buffer.flush().catch((error: unknown) => logger.warn({ err: error, runId: run.id }, 'could not write the end of a work answer'));
			let failure = outcome.failure;
			const cancelled = entry.cancelled || (controller.signal.aborted && !failure && !this.stopping);
			if (!failure && timeout.aborted && !cancelled) failure = { kind: 'timeout', reason: `The AI provider did not finish within ${config.AI_TIMEOUT_SECONDS} seconds.` };
			if (!failure && this.stopping && controller.signal.aborted)
				failure = { kind: 'shutdown', reason: 'The server restarted during this request. Nothing was charged; retry it.' };
			await this.finish(run, {
				status: failure ? 'failed' : cancelled ? 'cancelled' : 'succeeded',
				failure,
				usage,
				files: outcome.files,
				credits: outcome.credits,
				latencyMs: Date.now() - started,
				chat
			});
		} catch (error) {
			logger.error({ err: error, runId: queued.id }, 'diagram work failed');
			await this.finish(queued, { status: 'failed', failure: { kind: 'internal', reason: 'This failed unexpectedly. Nothing was charged; retry it.' }, chat }).catch(
				() => {}
			);
		} finally {
			if (heartbeat) clearInterval(heartbeat);
			this.active.delete(queued.id);
			await chat?.close().catch(() => {});
		}
	}

	/** Waits until the canvas has no running run, then marks this one running; null if it ended meanwhile. */
	private async claim(run: RunRow, entry: { controller: AbortController; cancelled: boolean }): Promise<RunRow | null> {
		const { db } = this.deps;
		for (;;) {
			if (entry.controller.signal.aborted) {
				await this.finish(run, {
					status: entry.cancelled ? 'cancelled' : 'failed',
					failure: entry.cancelled ? undefined : { kind: 'shutdown', reason: 'The server restarted before this request ran. Nothing was charged; retry it.' }
				});
				return null;
			}
			try {
				const now = new Date();
				const [claimed] = await db
					.update(assistantRuns)
					.set({ status: 'running', startedAt: now, heartbeatAt: now })
					.where(and(eq(assistantRuns.id, run.id), eq(assistantRuns.status, 'queued')))
					.returning();
				if (claimed) {
					if (this.waiting.delete(run.id)) await this.publishToChat(run.canvasId, run, { queuePosition: null }).catch(() => {});
					return claimed;
				}
				const [current] = await db.select().from(assistantRuns).where(eq(assistantRuns.id, run.id));
				if (current?.status === 'cancelled') await this.finish(current, { status: 'cancelled' });
				return null;
			} catch (error) {
				if (!isUniqueViolation(error)) throw error;
			}
			// Waiting for a run on another instance: the answer says its place, so people see why nothing happens yet.
			if (!this.waiting.has(run.id)) this.waiting.set(run.id, { run, shown: 0 });
			await this.showQueuePlaces(run.canvasId);
			await new Promise((resolve) => setTimeout(resolve, QUEUE_POLL_MS));
		}
	}

	/** Keeps the run alive in the database and notices a cancel made on another instance. */
	private async beat(runId: string, entry: { controller: AbortController; cancelled: boolean }): Promise<void> {
		try {
			const [row] = await this.deps.db
				.update(assistantRuns)
				.set({ heartbeatAt: new Date() })
				.where(eq(assistantRuns.id, runId))
				.returning({ status: assistantRuns.status });
			if (row?.status === 'cancelled' && !entry.controller.signal.aborted) {
				entry.cancelled = true;
				entry.controller.abort(new DOMException('Cancelled', 'AbortError'));
			}
		} catch (error) {
			this.deps.logger.warn({ err: error, runId }, 'assistant heartbeat failed');
		}
	}

	private async captureBeforeVersion(run: RunRow, canvasName: string): Promise<void> {
		const { db, collaboration } = this.deps;
		const state = await collaboration.readDocumentState(canvasName);
		const label = `Before AI: ${run.prompt.replace(/\s+/g, ' ').trim()}`;
		const version = await history.capture(db, {
			document: canvasName,
			state,
			kind: 'assistant',
			label: label.length > 120 ? `${label.slice(0, 119)}…` : label,
			createdBy: run.userId
		});
		await db.update(assistantRuns).set({ versionId: version.id }).where(eq(assistantRuns.id, run.id));
	}

	/**
	 * Ends a run once (a conditional update wins over a racing sweeper or cancel): settles its
	 * credits, records usage, and writes the outcome into its chat message. False if it had ended.
	 */
	private async finish(
		run: RunRow,
		outcome: {
			status: 'succeeded' | 'failed' | 'cancelled';
			failure?: RunFailure;
			usage?: { inputTokens: number; outputTokens: number };
			changes?: StoredRunChange[];
			/** What a design-document or code run made, and what of its estimate it costs (default all of it). */
			files?: StoredRunFile[];
			credits?: number;
			latencyMs?: number;
			chat?: ChatWriter;
		}
	): Promise<boolean> {
		const { db, logger } = this.deps;
		let charged = 0;
		if (run.reservationId) {
			if (outcome.status === 'succeeded') {
				const used = Math.min(run.estimatedCredits, Math.max(0, outcome.credits ?? run.estimatedCredits));
				if (await credits.commit(db, run.teamId, run.reservationId, used)) charged = used;
			} else {
				await credits.release(db, run.teamId, run.reservationId);
			}
		}
		const usage = outcome.usage ?? { inputTokens: run.inputTokens, outputTokens: run.outputTokens };
		const changes = outcome.changes ?? run.changes;
		const [ended] = await db
			.update(assistantRuns)
			.set({
				status: outcome.status,
				creditsCharged: charged,
				inputTokens: usage.inputTokens,
				outputTokens: usage.outputTokens,
				changes,
				...(outcome.files ? { files: outcome.files } : {}),
				error: outcome.failure?.reason ?? null,
				finishedAt: new Date()
			})
			.where(
				and(
					eq(assistantRuns.id, run.id),
					inArray(assistantRuns.status, ['queued', 'running', ...(outcome.status === 'cancelled' ? (['cancelled'] as const) : [])]),
					sql`${assistantRuns.finishedAt} is null`
				)
			)
			.returning({ id: assistantRuns.id });
		if (!ended) return false;
		this.waiting.delete(run.id);
		void this.showQueuePlaces(run.canvasId).catch(() => {});
		if (outcome.failure && outcome.failure.kind !== 'shutdown')
			logger.warn({ runId: run.id, kind: outcome.failure.kind, reason: outcome.failure.reason }, 'assistant run failed');
		await recordUsage(db, {
			teamId: run.teamId,
			userId: run.userId,
			canvasId: run.canvasId,
			runId: run.id,
			feature: run.kind,
			provider: run.provider,
			model: run.model,
			tier: run.tier,
			inputTokens: usage.inputTokens,
			outputTokens: usage.outputTokens,
			credits: charged,
			ownKey: run.ownKey,
			latencyMs: outcome.latencyMs ?? 0,
			outcome: outcome.status
		}).catch((error: unknown) => logger.warn({ err: error, runId: run.id }, 'could not record AI usage'));
		const fields = {
			status: outcome.status === 'succeeded' ? ('done' as const) : outcome.status,
			creditsCharged: charged,
			usage,
			changes: changeViews(changes),
			error: outcome.failure?.reason ?? null
		};
		if (outcome.chat) await outcome.chat.update(run.answerMessageId, fields).catch(() => {});
		else await this.publishToChat(run.canvasId, run, fields).catch((error: unknown) => logger.warn({ err: error, runId: run.id }, 'could not update the answer message'));
		return true;
	}

	private async publishToChat(canvasId: string, run: RunRow, fields: Parameters<ChatWriter['update']>[1]): Promise<void> {
		const chat = await this.deps.collaboration.openChat(canvasId, this.writerFor({ actor: { kind: 'anonymous' } }, run.teamId, run.id));
		try {
			await chat.update(run.answerMessageId, fields);
		} finally {
			await chat.close();
		}
	}

	// ---- helpers ----

	private writerFor(requester: Requester, teamId: string, runId: string): DocumentWriter {
		const onBehalfOf = requester.actor.kind === 'user' ? requester.actor.userId : undefined;
		return { origin: 'assistant', actor: { kind: 'assistant', runId, teamId, onBehalfOf } };
	}

	private async askRights(requester: Requester, access: CanvasAccess): Promise<AskRights> {
		const { db } = this.deps;
		const actor = requester.actor;
		let author: ChatAuthor;
		let userId: string | null = null;
		if (actor.kind === 'user') {
			userId = actor.userId;
			const name = requester.name ?? (await db.select({ name: users.name }).from(users).where(eq(users.id, actor.userId)))[0]?.name ?? 'Someone';
			author = { kind: 'user', id: actor.userId, name };
		} else if (actor.kind === 'apiKey') {
			const [key] = await db.select({ name: apiKeys.name }).from(apiKeys).where(eq(apiKeys.id, actor.keyId));
			author = { kind: 'guest', id: apiKeyAuthorId(actor.keyId), name: `API key “${key?.name ?? 'unnamed'}”` };
		} else {
			author = { kind: 'guest', id: `link:${access.link?.id ?? 'unknown'}`, name: 'Guest' };
		}
		if (access.standing) {
			// Members ask; viewers' runs answer questions but get no editing tools.
			if (!permits(access.standing, 'canvas.view')) return { canAsk: false, canEdit: false, reason: 'You cannot use the assistant on this canvas.', author, userId };
			// A key spends the team's credits only with the scope that says so.
			if (!permits(access.standing, 'assistant.run')) {
				return { canAsk: false, canEdit: false, reason: 'This API key may not start assistant runs: it needs the “assistant:run” scope.', author, userId };
			}
			return { canAsk: true, canEdit: access.canEdit, author, userId };
		}
		if (access.link?.access !== 'edit') {
			return { canAsk: false, canEdit: false, reason: 'People with a view link can read the chat but cannot ask the assistant.', author, userId };
		}
		if (!(await guestAiAllowed(db, access.canvas.teamId))) {
			return { canAsk: false, canEdit: false, reason: "Guests can use the assistant only when the team allows it (its credits are the team's).", author, userId };
		}
		return { canAsk: true, canEdit: access.canEdit, author, userId };
	}

	private resolvePrompt(messages: ChatMessage[], input: StartRunInput): { prompt: string; promptMessageId: string; isNewPrompt: boolean } {
		const maxChars = this.deps.config.MAX_CHAT_MESSAGE_CHARS;
		if (input.retryMessageId) {
			const answer = messages.find((message) => message.id === input.retryMessageId);
			if (!answer || answer.role !== 'assistant' || !answer.parentId) throw new AppError('NOT_FOUND', 'That assistant answer is not in this chat.');
			const promptMessage = messages.find((message) => message.id === answer.parentId);
			if (!promptMessage || promptMessage.deleted || !promptMessage.text.trim()) throw new AppError('CONFLICT', 'The question of that answer was deleted: ask again.');
			return { prompt: stripAiPrefix(promptMessage.text), promptMessageId: promptMessage.id, isNewPrompt: false };
		}
		const prompt = stripAiPrefix(input.prompt ?? '');
		if (!prompt) throw new AppError('INVALID_INPUT', 'Write what the assistant should do.');
		if ((input.prompt ?? '').length > maxChars) throw new AppError('INVALID_INPUT', `A message is at most ${maxChars} characters.`);
		if (input.parentMessageId && !messages.some((message) => message.id === input.parentMessageId)) {
			throw new AppError('NOT_FOUND', 'The message to reply to is not in this chat.');
		}
		return { prompt, promptMessageId: newMessageId(), isNewPrompt: true };
	}

	private async load(canvasId: string, runId: string): Promise<RunRow> {
		const [run] = await this.deps.db
			.select()
			.from(assistantRuns)
			.where(and(eq(assistantRuns.id, runId), eq(assistantRuns.canvasId, canvasId)));
		if (!run) throw new AppError('NOT_FOUND', 'That assistant run does not exist on this canvas.');
		return run;
	}

	/** Updates the place shown on each answer waiting for `canvasId` on this instance. */
	private async showQueuePlaces(canvasId: string): Promise<void> {
		for (const [runId, entry] of this.waiting) {
			if (entry.run.canvasId !== canvasId) continue;
			const position = await this.queuePosition(entry.run);
			if (position === entry.shown || !this.waiting.has(runId)) continue;
			entry.shown = position;
			await this.publishToChat(canvasId, entry.run, { queuePosition: position }).catch((error: unknown) =>
				this.deps.logger.warn({ err: error, runId }, 'could not show the queue place')
			);
		}
	}

	/** How many runs on the canvas go before this one. */
	private async queuePosition(run: RunRow): Promise<number> {
		const [{ ahead }] = await this.deps.db
			.select({ ahead: count() })
			.from(assistantRuns)
			.where(
				and(
					eq(assistantRuns.canvasId, run.canvasId),
					eq(assistantRuns.kind, 'assistant'),
					inArray(assistantRuns.status, ['queued', 'running']),
					lt(assistantRuns.createdAt, run.createdAt)
				)
			);
		return Number(ahead);
	}

	private async view(run: RunRow): Promise<AssistantRunView> {
		const queuePosition = run.status === 'queued' && run.kind === 'assistant' ? await this.queuePosition(run) : undefined;
		return {
			id: run.id,
			canvasId: run.canvasId,
			kind: run.kind,
			messageId: run.answerMessageId,
			promptMessageId: run.promptMessageId,
			tier: run.tier,
			status: run.status,
			estimatedCredits: run.estimatedCredits,
			creditsCharged: run.creditsCharged,
			usage: { inputTokens: run.inputTokens, outputTokens: run.outputTokens },
			changes: changeViews(run.changes),
			files: fileViews(run.id, run.canvasId, run.files),
			...(run.error ? { error: run.error } : {}),
			...(queuePosition !== undefined ? { queuePosition } : {}),
			ownKey: run.ownKey,
			createdAt: run.createdAt.toISOString(),
			finishedAt: run.finishedAt?.toISOString() ?? null
		};
	}

	private async waitForEnd(canvasId: string, runId: string, timeoutMs: number): Promise<AssistantRunView> {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const run = await this.load(canvasId, runId);
			if (run.finishedAt || Date.now() > deadline) return this.view(run);
			await new Promise((resolve) => setTimeout(resolve, 50));
		}
	}
}

/** The tier a run uses (asked for, else the best the plan and server offer first) and its model; LIMIT_EXCEEDED or UNAVAILABLE otherwise. */
function resolveTier(models: TeamModels, plan: billing.TeamPlan, asked: ModelTier | undefined): { tier: ModelTier; resolved: ResolvedModel } {
	const tier = asked ?? (plan.limits.modelTiers.find((candidate) => models.modelFor(candidate)) as ModelTier | undefined) ?? 'fast';
	if (!plan.limits.modelTiers.includes(tier)) {
		const upgrade = upgradeFor(plan.limits.plan);
		throw new AppError(
			'LIMIT_EXCEEDED',
			`The ${MODEL_TIER_CATALOG[tier].label} model is not included in the ${plan.limits.plan === 'free' ? 'Free' : plan.limits.plan} plan.${upgrade ? ` Upgrade to ${upgrade.name} to use it.` : ''}`,
			{ limit: 'model_tier', tier, upgradeTo: upgrade?.id }
		);
	}
	const resolved = models.modelFor(tier);
	if (!resolved) throw new AppError('UNAVAILABLE', `No model is set up for the ${MODEL_TIER_CATALOG[tier].label} tier on this server.`);
	return { tier, resolved };
}

function fileViews(runId: string, canvasId: string, files: StoredRunFile[]): RunFileView[] {
	return files.map(({ blobKey, ...file }) => ({
		...file,
		...(blobKey ? { url: `/api/v1/canvases/${canvasId}/assistant/runs/${runId}/files/${encodeURIComponent(file.name)}` } : {})
	}));
}

/** The visible thread from the start up to (not including) the prompt, for the model's context. */
function threadUpTo(messages: ChatMessage[], promptMessageId: string): ChatMessage[] {
	const byId = new Map(messages.map((message) => [message.id, message]));
	const path: ChatMessage[] = [];
	for (let current = byId.get(promptMessageId)?.parentId; current; current = byId.get(current)?.parentId ?? null) {
		const message = byId.get(current);
		if (!message || path.includes(message)) break;
		path.unshift(message);
	}
	// The ancestors are the thread the prompt was asked in, whatever branch others are looking at.
	return path;
}

function changeViews(changes: StoredRunChange[]): RunChangeView[] {
	return changes.map(({ id, kind, recordIds, summary, state }) => ({ id, kind, recordIds, summary, state }));
}

function addUsage(total: { inputTokens: number; outputTokens: number }, usage: LanguageModelUsage | undefined): void {
	total.inputTokens += usage?.inputTokens ?? 0;
	total.outputTokens += usage?.outputTokens ?? 0;
}

/** `@ai do this` asks the assistant like the Ask AI button; the prefix is not part of the prompt. */
export function stripAiPrefix(text: string): string {
	return text.replace(/^\s*@ai\b[\s,:]*/i, '').trim();
}

function isUniqueViolation(error: unknown): boolean {
	for (let current = error, depth = 0; current && depth < 5; depth++) {
		if ((current as { code?: unknown }).code === '23505') return true;
		current = (current as { cause?: unknown }).cause;
	}
	return false;
}

/** How a run and its chat prompt name the API key that asked. */
function apiKeyAuthorId(keyId: string): string {
	return `apikey:${keyId}`;
}
