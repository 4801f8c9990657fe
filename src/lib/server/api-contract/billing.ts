// The contract of a team's plan, billing, credits, AI usage and own AI provider settings.
import { z } from 'zod';
import { checkoutSchema } from '../stripe/checkout.ts';
import { pageSchema } from '../paging.ts';
import { AI_PROVIDERS, CREDIT_REASONS, MODEL_TIERS, PLAN_IDS, SUBSCRIPTION_STATUSES } from '../db/schema.ts';
import { saveAiSettingsSchema, testConnectionSchema } from '../ai/team-ai-settings.ts';
import { usageQuerySchema } from '../ai/usage.ts';
import { teamParams } from './teams.ts';
import { isoDateTime, type ApiOperation } from './operation.ts';

const limitsSchema = z
	.object({
		plan: z.enum(PLAN_IDS),
		seats: z.number().int(),
		canvases: z.number().int().nullable().meta({ description: 'null: unlimited.' }),
		historyDays: z.number().int().nullable(),
		keepsNamedVersions: z.boolean(),
		monthlyCredits: z.number().int(),
		modelTiers: z.array(z.enum(MODEL_TIERS)),
		assistantRuns: z.object({ perUserPerMinute: z.number(), perTeamPerDay: z.number() }),
		storage: z.object({ fileBytes: z.number(), teamBytes: z.number() }),
		apiRequestsPerMinute: z.number(),
		images: z
			.object({ perMonth: z.number().nullable(), perDay: z.number().nullable(), priority: z.number() })
			.meta({ description: 'Live sketch images a month and (fair use) a day, null = no cap; jobs of a higher priority are made first.' })
	})
	.meta({ id: 'PlanLimits' });

const billingSchema = z
	.object({
		plan: z.enum(PLAN_IDS),
		status: z.enum(SUBSCRIPTION_STATUSES),
		seats: z.object({ used: z.number().int(), bought: z.number().int() }),
		limits: limitsSchema,
		credits: z.object({ balance: z.number() }),
		renewsAt: isoDateTime().nullable(),
		graceUntil: isoDateTime().nullable().meta({ description: 'After a failed payment: when the plan falls back to Free.' })
	})
	.meta({ id: 'Billing' });

const urlSchema = z.object({ url: z.string().meta({ description: 'Where to send the person (a Stripe page).' }) }).meta({ id: 'RedirectUrl' });

const creditEntrySchema = z
	.object({ id: z.number().int(), delta: z.number(), reason: z.enum(CREDIT_REASONS), reference: z.string(), createdAt: isoDateTime() })
	.meta({ id: 'CreditEntry' });

const usageFigures = {
	runs: z.number().int(),
	ownKeyRuns: z.number().int(),
	failedRuns: z.number().int(),
	inputTokens: z.number(),
	outputTokens: z.number(),
	credits: z.number()
};

const usageReportSchema = z
	.object({
		month: z.string().meta({ description: 'YYYY-MM (UTC).' }),
		previousMonth: z.string().nullable(),
		nextMonth: z.string().nullable(),
		totals: z.object(usageFigures),
		byMember: z.array(z.object({ ...usageFigures, userId: z.uuid().nullable(), name: z.string() })),
		byTier: z.array(z.object({ ...usageFigures, tier: z.enum(MODEL_TIERS), label: z.string(), multiplier: z.number() })),
		byDay: z.array(z.object({ date: z.string(), runs: z.number().int(), credits: z.number() })),
		balance: z.number(),
		monthlyCredits: z.number()
	})
	.meta({ id: 'UsageReport' });

const aiSettingsSchema = z
	.object({
		provider: z.enum(AI_PROVIDERS).nullable().meta({ description: "null: the team uses the server's provider." }),
		baseUrl: z.string().nullable(),
		models: z.object({ fast: z.string().optional(), balanced: z.string().optional(), best: z.string().optional() }),
		keyHint: z.string().nullable().meta({ description: "'••••abcd', or null without a key; the key itself is never answered." }),
		hasKey: z.boolean(),
		allowGuestAi: z.boolean(),
		inEffect: z.boolean().meta({ description: "Whether the settings are complete, so the team's runs use them (and cost no Easel credits)." })
	})
	.meta({ id: 'AiSettings' });

const testResultSchema = z
	.union([z.object({ ok: z.literal(true), model: z.string(), latencyMs: z.number() }), z.object({ ok: z.literal(false), reason: z.string() })])
	.meta({ id: 'AiConnectionTest' });

export const billingOperations: ApiOperation[] = [
	{
		method: 'get',
		path: '/api/v1/teams/{teamId}/billing',
		operationId: 'getBilling',
		tag: 'Billing',
		summary: "A team's plan, seats, limits and credits",
		description: 'Owners.',
		auth: 'person',
		params: teamParams,
		responses: { 200: { description: 'The billing overview.', schema: billingSchema } }
	},
	{
		method: 'post',
		path: '/api/v1/teams/{teamId}/billing/checkout',
		operationId: 'startCheckout',
		tag: 'Billing',
		summary: 'Start a Stripe Checkout',
		description: 'A plan (`{ plan, seats? }`) or a credit pack (`{ creditPack }`). Owners; UNAVAILABLE without Stripe.',
		auth: 'person',
		params: teamParams,
		body: { type: 'json', schema: checkoutSchema },
		responses: { 200: { description: 'The Checkout page.', schema: urlSchema } },
		errors: ['CONFLICT']
	},
	{
		method: 'post',
		path: '/api/v1/teams/{teamId}/billing/portal',
		operationId: 'openBillingPortal',
		tag: 'Billing',
		summary: 'Open the Stripe Customer Portal',
		description: 'Owners; UNAVAILABLE without Stripe.',
		auth: 'person',
		params: teamParams,
		responses: { 200: { description: 'The portal page.', schema: urlSchema } }
	},
	{
		method: 'get',
		path: '/api/v1/teams/{teamId}/credits',
		operationId: 'listCredits',
		tag: 'Billing',
		summary: "A team's credit ledger",
		description: 'Newest first; `limit` (≤ 200) and `before` (an id) page back. Owners.',
		auth: 'person',
		params: teamParams,
		query: pageSchema,
		responses: {
			200: {
				description: 'The balance and a page of entries.',
				schema: z.object({ balance: z.number(), entries: z.array(creditEntrySchema), next: z.number().int().nullable() }).meta({ id: 'CreditLedgerPage' })
			}
		}
	},
	{
		method: 'get',
		path: '/api/v1/teams/{teamId}/ai-usage',
		operationId: 'getAiUsage',
		tag: 'Billing',
		summary: "A month's AI usage",
		description: 'Totals, by member, tier and day, and the balance. Owners and admins.',
		auth: 'person',
		params: teamParams,
		query: usageQuerySchema,
		responses: { 200: { description: 'The report.', schema: usageReportSchema } }
	},
	{
		method: 'get',
		path: '/api/v1/teams/{teamId}/ai-settings',
		operationId: 'getAiSettings',
		tag: 'Billing',
		summary: "A team's own AI provider settings",
		description: 'Admins. Never the key: only `hasKey` and `keyHint`.',
		auth: 'person',
		params: teamParams,
		responses: { 200: { description: 'The settings.', schema: aiSettingsSchema } }
	},
	{
		method: 'put',
		path: '/api/v1/teams/{teamId}/ai-settings',
		operationId: 'saveAiSettings',
		tag: 'Billing',
		summary: "Replace a team's own AI provider settings",
		description: "A missing `apiKey` keeps the saved one; `provider: null` goes back to the server's provider.",
		auth: 'person',
		params: teamParams,
		body: { type: 'json', schema: saveAiSettingsSchema },
		responses: { 200: { description: 'The settings.', schema: aiSettingsSchema } }
	},
	{
		method: 'post',
		path: '/api/v1/teams/{teamId}/ai-settings/test',
		operationId: 'testAiSettings',
		tag: 'Billing',
		summary: 'Try the AI provider with one minimal request',
		description: 'The saved settings, or unsaved ones in the body (each field falling back to the saved value). Always 200.',
		auth: 'person',
		params: teamParams,
		body: { type: 'json', schema: testConnectionSchema, required: false },
		responses: { 200: { description: 'Whether it answered.', schema: testResultSchema } }
	}
];
