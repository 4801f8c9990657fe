// Work made from a canvas's diagram by a run of its own (design documents, code per node): what
// each kind of work must say about itself so the assistant runner can check, price, reserve, run,
// store and charge it the same way for all. The runner owns the run's life (queue, heartbeat,
// cancel, credits, usage, the chat messages); a work kind only turns the diagram into files.
import type { LanguageModel, LanguageModelUsage } from 'ai';
import type { CanvasGraph } from '../../diagram/canvas-graph.ts';
import type { BlobStore } from '../assets/blob-store.ts';
import type { ModelTier, StoredRunFile } from '../db/schema.ts';
import type { Logger } from '../logger.ts';
import type { RunFailure } from './provider-errors.ts';

export type { StoredRunFile };

/** What a kind of work is given to do its job. */
export interface WorkContext {
	runId: string;
	canvas: { id: string; title: string };
	/** The canvas's records as they are when the run starts (untrusted text: people and programs wrote it). */
	records: Record<string, unknown>;
	graph: CanvasGraph;
	tier: ModelTier;
	/** The model, or undefined when the work runs without one (no provider set up, and the kind allows it). */
	model: LanguageModel | undefined;
	signal: AbortSignal;
	timeoutSeconds: number;
	maxOutputTokens: number;
	/** Streams text into the run's chat answer (coalesced), for people reading along. */
	appendText(text: string): void;
	/** Stores the files made so far on the run (`GET …/runs/:id` shows them at once). */
	publishFiles(files: StoredRunFile[]): Promise<void>;
	/** Stores a binary file's bytes; returns its `blobKey`. */
	storeBlob(name: string, bytes: Uint8Array, mimeType: string): Promise<string>;
	addUsage(usage: LanguageModelUsage | undefined): void;
	/** A picture of the diagram (PNG) from the server's renderer, or null when it can't make one. */
	renderDiagramPng(): Promise<Uint8Array | null>;
	blobs: BlobStore;
	logger: Logger;
}

export interface WorkOutcome {
	files: StoredRunFile[];
	/** Credits the finished work costs (≤ the estimate): a code run charges only the nodes that arrived. */
	credits: number;
	/** Set when the work failed as a whole (nothing is charged); partial results still carry `files`. */
	failure?: RunFailure;
	/** Text for the chat answer once done, when the work did not stream its own. */
	summary?: string;
}

/** One kind of work (`design_doc`, `code`): its request, price and job. */
export interface WorkDefinition<Request> {
	kind: 'design_doc' | 'code';
	/** Validates the API body (zod), INVALID_INPUT otherwise. Gets the graph to check shape ids against. */
	parse(input: unknown, graph: CanvasGraph): Request;
	/** Credits on `tier` before any own-key discount. */
	estimate(request: Request, tier: ModelTier): number;
	/** Whether it can run without a model (then it is free): a structural design document can. */
	worksWithoutModel(request: Request): boolean;
	/** The chat prompt that records what was asked ("Design document (Markdown and PDF)"). */
	promptText(request: Request, graph: CanvasGraph): string;
	run(context: WorkContext, request: Request): Promise<WorkOutcome>;
}
