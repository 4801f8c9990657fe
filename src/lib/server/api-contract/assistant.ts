// The contract of the assistant: runs (chat answers with canvas edits, design documents, code per
// node), their review, files and the model tiers a team may use.
import { z } from 'zod';
import { startRunSchema, reviewSchema } from '../http/assistant-requests.ts';
import { MODEL_TIERS, RUN_CHANGE_KINDS, RUN_CHANGE_STATES, RUN_KINDS, RUN_STATUSES } from '../db/schema.ts';
import { designDocRequestSchema, editedDesignDocRequestSchema } from '../ai/design-doc.ts';
import { codeRequestSchema } from '../ai/code-generation.ts';
import { modelTiersQuerySchema } from '../ai/model-tiers.ts';
import { canvasParams } from './canvases.ts';
import { isoDateTime, type ApiOperation } from './operation.ts';

const runParams = canvasParams.extend({ runId: z.uuid().meta({ description: 'The run id.' }) });
const fileParams = runParams.extend({ name: z.string().meta({ description: "The file's name, as the run's `files` list it." }) });

const runFileSchema = z
	.object({
		name: z.string(),
		mimeType: z.string(),
		bytes: z.number().int(),
		content: z.string().optional().meta({ description: 'Text files: the content, inline.' }),
		url: z.string().optional().meta({ description: 'Binary files: where to fetch them.' }),
		shapeId: z.string().optional().meta({ description: 'Code: the node it was made for.' }),
		path: z.string().optional().meta({ description: 'Code: its path in the project.' }),
		language: z.string().optional(),
		error: z.string().optional().meta({ description: 'Code: why this node has no code (it cost nothing).' })
	})
	.meta({ id: 'RunFile', description: 'A file a design-document or code run made.' });

const runChangeSchema = z
	.object({ id: z.string(), kind: z.enum(RUN_CHANGE_KINDS), recordIds: z.array(z.string()), summary: z.string(), state: z.enum(RUN_CHANGE_STATES) })
	.meta({ id: 'RunChange', description: 'One change a run made to the canvas, to accept or reject.' });

export const assistantRunSchema = z
	.object({
		id: z.uuid(),
		canvasId: z.uuid(),
		kind: z.enum(RUN_KINDS),
		messageId: z.string().meta({ description: 'The answer message in the chat.' }),
		promptMessageId: z.string(),
		tier: z.enum(MODEL_TIERS),
		status: z.enum(RUN_STATUSES),
		estimatedCredits: z.number(),
		creditsCharged: z.number(),
		usage: z.object({ inputTokens: z.number(), outputTokens: z.number() }),
		changes: z.array(runChangeSchema),
		files: z.array(runFileSchema),
		error: z.string().optional(),
		queuePosition: z.number().int().optional().meta({ description: 'While queued: how many runs on this canvas go first (0 = next).' }),
		ownKey: z.boolean().meta({ description: "Whether the team's own provider key pays (no Easel credits)." }),
		createdAt: isoDateTime(),
		finishedAt: isoDateTime().nullable()
	})
	.meta({ id: 'AssistantRun', description: 'An assistant, design-document or code run.' });

const startedRunSchema = z
	.object({
		run: z.object({ id: z.uuid(), messageId: z.string(), promptMessageId: z.string(), tier: z.enum(MODEL_TIERS), estimatedCredits: z.number() })
	})
	.meta({ id: 'StartedRun' });

const reviewResultSchema = z
	.object({
		accepted: z.array(z.string()).optional(),
		rejected: z.array(z.string()).optional(),
		refused: z.array(z.object({ changeId: z.string(), reason: z.string() }))
	})
	.meta({ id: 'ReviewResult' });

const modelTierSchema = z
	.object({
		tier: z.enum(MODEL_TIERS),
		label: z.string(),
		description: z.string(),
		multiplier: z.number(),
		credits: z.number().meta({ description: "Credits one request costs (0 when the team's own key pays)." }),
		available: z.boolean(),
		unavailableReason: z.enum(['plan', 'not_configured']).optional(),
		upgradeTo: z.object({ id: z.string(), name: z.string() }).optional()
	})
	.meta({ id: 'ModelTier' });

/** Out of credits or runs for the plan, or a run already going where only one may. */
const runErrors = ['LIMIT_EXCEEDED', 'CONFLICT'] as const;

export const assistantOperations: ApiOperation[] = [
	{
		method: 'post',
		path: '/api/v1/canvases/{id}/assistant/runs',
		operationId: 'startAssistantRun',
		tag: 'Assistant',
		summary: 'Ask the assistant',
		description: 'Starts a run on the canvas (as the chat panel does): it answers in the chat and edits the canvas through tools.',
		auth: 'guest',
		params: canvasParams,
		body: { type: 'json', schema: startRunSchema },
		responses: { 202: { description: 'The run, queued.', schema: startedRunSchema } },
		errors: runErrors
	},
	{
		method: 'get',
		path: '/api/v1/canvases/{id}/assistant/runs/{runId}',
		operationId: 'getAssistantRun',
		tag: 'Assistant',
		summary: "A run's status, cost, usage, changes and files",
		auth: 'guest',
		params: runParams,
		responses: { 200: { description: 'The run.', schema: z.object({ run: assistantRunSchema }) } }
	},
	{
		method: 'post',
		path: '/api/v1/canvases/{id}/assistant/runs/{runId}/cancel',
		operationId: 'cancelAssistantRun',
		tag: 'Assistant',
		summary: 'Cancel a run',
		description: 'Stops a queued or running run at once; nothing is charged.',
		auth: 'guest',
		params: runParams,
		responses: { 200: { description: 'The run.', schema: z.object({ run: assistantRunSchema }) } }
	},
	{
		method: 'post',
		path: '/api/v1/canvases/{id}/assistant/runs/{runId}/accept',
		operationId: 'acceptAssistantChanges',
		tag: 'Assistant',
		summary: "Accept a run's changes",
		description: 'All of them when `changeIds` (or the body) is left out.',
		auth: 'guest',
		params: runParams,
		body: { type: 'json', schema: reviewSchema, required: false },
		responses: { 200: { description: 'What was accepted and refused.', schema: reviewResultSchema } }
	},
	{
		method: 'post',
		path: '/api/v1/canvases/{id}/assistant/runs/{runId}/reject',
		operationId: 'rejectAssistantChanges',
		tag: 'Assistant',
		summary: "Reject a run's changes",
		description: 'Each as an inverse forward change; refused where a person edited the shape since. All when `changeIds` is left out.',
		auth: 'guest',
		params: runParams,
		body: { type: 'json', schema: reviewSchema, required: false },
		responses: { 200: { description: 'What was rejected and refused.', schema: reviewResultSchema } }
	},
	{
		method: 'get',
		path: '/api/v1/canvases/{id}/assistant/runs/{runId}/files/{name}',
		operationId: 'getAssistantRunFile',
		tag: 'Assistant',
		summary: 'A binary file a run made',
		description: "A design document's PDF or diagram picture, for whoever may open the canvas.",
		auth: 'guest',
		params: fileParams,
		responses: { 200: { description: 'The file (an attachment).', mediaTypes: ['application/pdf', 'image/png'] } }
	},
	{
		method: 'post',
		path: '/api/v1/canvases/{id}/assistant/runs/{runId}/pdf',
		operationId: 'renderEditedDesignDoc',
		tag: 'Assistant',
		summary: 'The PDF of an edited design document',
		description: 'The Markdown as edited in the panel, with its diagram, as a PDF (free).',
		auth: 'guest',
		params: runParams,
		body: { type: 'json', schema: editedDesignDocRequestSchema },
		responses: { 200: { description: 'The PDF (an attachment).', mediaTypes: ['application/pdf'] } }
	},
	{
		method: 'post',
		path: '/api/v1/canvases/{id}/design-doc',
		operationId: 'startDesignDoc',
		tag: 'Assistant',
		summary: "Write a design document from the canvas's diagram",
		description: 'A run: once done, its `files` hold the Markdown inline and the PDF/PNG by URL. `tier` and `parentMessageId` as for the assistant.',
		auth: 'guest',
		params: canvasParams,
		body: { type: 'json', schema: designDocRequestSchema },
		responses: { 202: { description: 'The run, queued.', schema: startedRunSchema } },
		errors: runErrors
	},
	{
		method: 'post',
		path: '/api/v1/canvases/{id}/code',
		operationId: 'startCodeGeneration',
		tag: 'Assistant',
		summary: "Write code per node of the canvas's diagram",
		description: 'A run whose `files` arrive as nodes finish. `tier` as for the assistant.',
		auth: 'guest',
		params: canvasParams,
		body: { type: 'json', schema: codeRequestSchema },
		responses: { 202: { description: 'The run, queued.', schema: startedRunSchema } },
		errors: runErrors
	},
	{
		method: 'get',
		path: '/api/v1/assistant/models',
		operationId: 'listModelTiers',
		tag: 'Assistant',
		summary: "The assistant's model tiers for a team",
		description: 'Members of the team; 404 otherwise.',
		auth: 'caller',
		query: modelTiersQuerySchema,
		responses: {
			200: {
				description: "Whether a provider is set up, whether the team's own key pays, and each tier.",
				schema: z.object({ configured: z.boolean(), ownKey: z.boolean(), tiers: z.array(modelTierSchema) }).meta({ id: 'ModelTiers' })
			}
		}
	}
];
