// The Stripe client, configured from the environment (STRIPE_API_BASE points tests at a local server).
import Stripe from 'stripe';
import type { Config } from '../config.ts';

export type { Stripe };

export interface StripeSettings {
	client: Stripe;
	webhookSecret: string;
	prices: { pro: string; team: string };
	creditPacks: { credits: number; priceId: string }[];
	publicOrigin: string;
}

/** Stripe settings when billing is configured; null when self-hosted without Stripe. */
export function stripeSettings(config: Config): StripeSettings | null {
	if (!config.STRIPE_SECRET_KEY || !config.STRIPE_WEBHOOK_SECRET || !config.STRIPE_PRICE_PRO || !config.STRIPE_PRICE_TEAM) return null;
	const base = config.STRIPE_API_BASE ? new URL(config.STRIPE_API_BASE) : null;
	const client = new Stripe(config.STRIPE_SECRET_KEY, {
		maxNetworkRetries: 2,
		...(base ? { host: base.hostname, port: base.port || (base.protocol === 'https:' ? 443 : 80), protocol: base.protocol.replace(':', '') as 'http' | 'https' } : {})
	});
	return {
		client,
		webhookSecret: config.STRIPE_WEBHOOK_SECRET,
		prices: { pro: config.STRIPE_PRICE_PRO, team: config.STRIPE_PRICE_TEAM },
		creditPacks: config.creditPacks,
		publicOrigin: config.publicOrigin
	};
}
