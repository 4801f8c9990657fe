// Team single sign-on: a team's email domains (verified by an owner's own verified address on them)
// and whether members with addresses there must sign in through the OIDC provider; the check every
// other way of signing in makes, and the one accepting an invitation makes.
import { domainToASCII } from 'node:url';
import { and, asc, eq, isNotNull, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Database, Queryable } from '../db/index.ts';
import { memberships, teamDomains, teams, users, type IdentityProvider } from '../db/schema.ts';
import { AppError, parseInput } from '../errors.ts';
import { requireTeamRole, type UserActor } from '../access.ts';
import * as audit from '../audit.ts';
import type { SessionUser } from './sessions.ts';

/** What team SSO needs from the configuration: whether the OIDC provider is set up, and what it is called. */
export interface SsoSetup {
	/** OIDC is configured: without it no requirement is enforced (nobody could meet it) and none can be set. */
	available: boolean;
	/** OIDC_NAME, for messages: "Continue with Acme SSO". */
	providerName: string;
	/** Where the server is, for the absolute single sign-on URL API clients get. */
	publicOrigin: string;
}

/** No OIDC provider: nothing is required of anyone (scripts and tests of other concerns). */
export const SSO_OFF: SsoSetup = Object.freeze({ available: false, providerName: 'single sign-on', publicOrigin: 'http://localhost' });

export function ssoSetupOf(config: { identityProviders: readonly IdentityProvider[]; OIDC_NAME: string; publicOrigin: string }): SsoSetup {
	return { available: config.identityProviders.includes('oidc'), providerName: config.OIDC_NAME, publicOrigin: config.publicOrigin };
}

export const MAX_DOMAINS_PER_TEAM = 20;

/**
 * Addresses anyone can get: a team proving one of these would hold every user of that service. The
 * big consumer mail services by their own domains; a domain not listed still has to be on the
 * owner's own verified address.
 */
export const PUBLIC_MAIL_DOMAINS: ReadonlySet<string> = new Set([
	'gmail.com',
	'googlemail.com',
	'outlook.com',
	'hotmail.com',
	'live.com',
	'msn.com',
	'yahoo.com',
	'ymail.com',
	'rocketmail.com',
	'aol.com',
	'icloud.com',
	'me.com',
	'mac.com',
	'proton.me',
	'protonmail.com',
	'protonmail.ch',
	'pm.me',
	'gmx.com',
	'gmx.net',
	'gmx.de',
	'web.de',
	'mail.com',
	'yandex.com',
	'yandex.ru',
	'mail.ru',
	'zoho.com',
	'fastmail.com',
	'hey.com',
	'tutanota.com',
	'tuta.io',
	'qq.com',
	'163.com',
	'126.com'
]);

/** yahoo.co.uk, hotmail.fr, outlook.de…: the same services under country domains. */
const PUBLIC_MAIL_BRANDS = /^(?:yahoo|hotmail|outlook|live|gmx|yandex)\.[a-z.]{2,6}$/;

export function isPublicMailDomain(domain: string): boolean {
	return PUBLIC_MAIL_DOMAINS.has(domain) || PUBLIC_MAIL_BRANDS.test(domain);
}

const DOMAIN_SHAPE = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;

/** An email domain as stored: lower case, ASCII (IDNA), without a leading "@"; refuses public mail services. */
export const domainSchema = z
	.string({ error: 'The domain must be text.' })
	.trim()
	.transform((value) => value.replace(/^@/, '').replace(/\.$/, '').toLowerCase())
	// domainToASCII reads a URL host, so it would quietly drop a path or port: refuse those first.
	.refine((value) => /^[^\s/\\?#:@%]+$/u.test(value), { error: 'Enter a domain such as acme.com (without a name before it).' })
	.transform((value) => domainToASCII(value))
	.refine((value) => DOMAIN_SHAPE.test(value), { error: 'Enter a domain such as acme.com (without a name before it).' })
	.refine((value) => !isPublicMailDomain(value), {
		error: 'Public email services (like gmail.com or outlook.com) cannot be claimed by a team: anyone can get an address there.'
	});

/** The domain part of an address, as domainSchema stores domains. */
export function emailDomain(email: string): string {
	return domainToASCII(email.slice(email.lastIndexOf('@') + 1).toLowerCase());
}

export const saveSsoSettingsSchema = z
	.object({
		required: z.boolean({ error: 'required must be true or false.' }),
		domains: z
			.array(domainSchema, { error: 'domains must be a list of domains.' })
			.max(MAX_DOMAINS_PER_TEAM, { error: `A team may claim at most ${MAX_DOMAINS_PER_TEAM} domains.` })
	})
	.strict();

export type SaveSsoSettingsInput = z.input<typeof saveSsoSettingsSchema>;

export interface TeamDomain {
	domain: string;
	/** Null until an owner whose own verified address is on the domain has confirmed it. */
	verifiedAt: Date | null;
	verifiedByName: string | null;
}

export interface TeamSsoSettings {
	/** Whether single sign-on can be used on this server at all (OIDC is configured). */
	available: boolean;
	providerName: string;
	required: boolean;
	domains: TeamDomain[];
	/** The caller's own address and whether it is verified: the domain it is on is the one they can verify. */
	ownerEmail: { address: string; domain: string; verified: boolean };
}

interface ChangeContext {
	ip?: string;
}

/** The team's SSO settings, for its owners. */
export async function getSettings(db: Queryable, setup: SsoSetup, actor: UserActor, teamId: string): Promise<TeamSsoSettings> {
	await requireTeamRole(db, actor, teamId, 'team.sso');
	const [team] = await db.select({ required: teams.ssoRequired }).from(teams).where(eq(teams.id, teamId));
	const domains = await db
		.select({ domain: teamDomains.domain, verifiedAt: teamDomains.verifiedAt, verifiedByName: users.name })
		.from(teamDomains)
		.leftJoin(users, eq(users.id, teamDomains.verifiedBy))
		.where(eq(teamDomains.teamId, teamId))
		.orderBy(asc(teamDomains.domain));
	const owner = await ownAddress(db, actor.userId);
	return {
		available: setup.available,
		providerName: setup.providerName,
		required: team.required,
		domains,
		ownerEmail: { address: owner.email, domain: emailDomain(owner.email), verified: owner.verified }
	};
}

/**
 * Claims a domain for the team. It is verified at once when the owner's own verified address is on
 * it; otherwise it waits until an owner whose address is (verifyDomain).
 */
export async function addDomain(db: Database, setup: SsoSetup, actor: UserActor, teamId: string, rawDomain: unknown, context: ChangeContext = {}): Promise<TeamDomain> {
	await requireTeamRole(db, actor, teamId, 'team.sso');
	requireAvailable(setup);
	const domain = parseInput(z.object({ domain: domainSchema }), { domain: rawDomain }).domain;
	return db.transaction(async (tx) => {
		await lockTeam(tx, teamId);
		const [{ claimed }] = await tx
			.select({ claimed: sql<number>`count(*)::int` })
			.from(teamDomains)
			.where(eq(teamDomains.teamId, teamId));
		if (claimed >= MAX_DOMAINS_PER_TEAM) throw new AppError('CONFLICT', `A team may claim at most ${MAX_DOMAINS_PER_TEAM} domains.`, { field: 'domain' });
		const verified = await ownsDomain(tx, actor.userId, domain);
		const inserted = await tx
			.insert(teamDomains)
			.values({ teamId, domain, verifiedAt: verified ? new Date() : null, verifiedBy: verified ? actor.userId : null })
			.onConflictDoNothing()
			.returning({ domain: teamDomains.domain });
		if (inserted.length === 0) throw new AppError('CONFLICT', `${domain} is already one of the team's domains.`, { field: 'domain' });
		await audit.record(tx, {
			teamId,
			actorId: actor.userId,
			action: 'sso.domain_add',
			targetType: 'team',
			targetId: teamId,
			details: { domain, verified },
			ip: context.ip
		});
		return findDomain(tx, teamId, domain);
	});
}

/** Verifies a waiting domain: the calling owner's own verified address must be on it. */
export async function verifyDomain(
	db: Database,
	setup: SsoSetup,
	actor: UserActor,
	teamId: string,
	rawDomain: unknown,
	context: ChangeContext = {}
): Promise<TeamDomain> {
	await requireTeamRole(db, actor, teamId, 'team.sso');
	requireAvailable(setup);
	const domain = storedDomain(rawDomain);
	return db.transaction(async (tx) => {
		const existing = await findDomain(tx, teamId, domain);
		if (existing.verifiedAt) return existing;
		if (!(await ownsDomain(tx, actor.userId, domain))) throw cannotVerify(domain);
		await tx
			.update(teamDomains)
			.set({ verifiedAt: new Date(), verifiedBy: actor.userId })
			.where(and(eq(teamDomains.teamId, teamId), eq(teamDomains.domain, domain)));
		await audit.record(tx, { teamId, actorId: actor.userId, action: 'sso.domain_verify', targetType: 'team', targetId: teamId, details: { domain }, ip: context.ip });
		return findDomain(tx, teamId, domain);
	});
}

/** Gives a domain up. The last verified one cannot go while single sign-on is required. */
export async function removeDomain(db: Database, actor: UserActor, teamId: string, rawDomain: unknown, context: ChangeContext = {}): Promise<void> {
	await requireTeamRole(db, actor, teamId, 'team.sso');
	const domain = storedDomain(rawDomain);
	await db.transaction(async (tx) => {
		const required = await lockTeam(tx, teamId);
		const existing = await findDomain(tx, teamId, domain);
		if (required && existing.verifiedAt && (await verifiedDomainCount(tx, teamId)) === 1) {
			throw new AppError('CONFLICT', `${domain} is the team's only verified domain and single sign-on is required: turn the requirement off first.`, {
				field: 'domain'
			});
		}
		await tx.delete(teamDomains).where(and(eq(teamDomains.teamId, teamId), eq(teamDomains.domain, domain)));
		await audit.record(tx, { teamId, actorId: actor.userId, action: 'sso.domain_remove', targetType: 'team', targetId: teamId, details: { domain }, ip: context.ip });
	});
}

/** Turns the requirement on (needs OIDC and a verified domain) or off. */
export async function setRequired(db: Database, setup: SsoSetup, actor: UserActor, teamId: string, required: boolean, context: ChangeContext = {}): Promise<void> {
	await requireTeamRole(db, actor, teamId, 'team.sso');
	if (typeof required !== 'boolean') throw new AppError('INVALID_INPUT', 'required must be true or false.', { field: 'required' });
	await db.transaction((tx) => applyRequired(tx, setup, actor, teamId, required, context));
}

/**
 * Makes the team's settings what the owner sends (the API's PUT): domains not listed are given up,
 * new ones claimed (verified when the caller's own verified address is on them), waiting ones
 * verified when it is, then the requirement set. One transaction: a refusal changes nothing.
 */
export async function saveSettings(
	db: Database,
	setup: SsoSetup,
	actor: UserActor,
	teamId: string,
	raw: SaveSsoSettingsInput,
	context: ChangeContext = {}
): Promise<TeamSsoSettings> {
	await requireTeamRole(db, actor, teamId, 'team.sso');
	const input = parseInput(saveSsoSettingsSchema, raw);
	const wanted = [...new Set(input.domains)];
	await db.transaction(async (tx) => {
		const wasRequired = await lockTeam(tx, teamId);
		if (wanted.length > 0 || input.required) requireAvailable(setup);
		// Off first, so the domains can change under a requirement being turned off.
		if (wasRequired && !input.required) await applyRequired(tx, setup, actor, teamId, false, context);
		const existing = await tx.select({ domain: teamDomains.domain, verifiedAt: teamDomains.verifiedAt }).from(teamDomains).where(eq(teamDomains.teamId, teamId));
		const by = { actorId: actor.userId, targetType: 'team' as const, targetId: teamId, ip: context.ip, teamId };
		for (const row of existing) {
			if (wanted.includes(row.domain)) continue;
			await tx.delete(teamDomains).where(and(eq(teamDomains.teamId, teamId), eq(teamDomains.domain, row.domain)));
			await audit.record(tx, { ...by, action: 'sso.domain_remove', details: { domain: row.domain } });
		}
		for (const domain of wanted) {
			const current = existing.find((row) => row.domain === domain);
			if (current?.verifiedAt) continue;
			const verified = await ownsDomain(tx, actor.userId, domain);
			if (current) {
				if (!verified) continue;
				await tx
					.update(teamDomains)
					.set({ verifiedAt: new Date(), verifiedBy: actor.userId })
					.where(and(eq(teamDomains.teamId, teamId), eq(teamDomains.domain, domain)));
				await audit.record(tx, { ...by, action: 'sso.domain_verify', details: { domain } });
			} else {
				await tx.insert(teamDomains).values({ teamId, domain, verifiedAt: verified ? new Date() : null, verifiedBy: verified ? actor.userId : null });
				await audit.record(tx, { ...by, action: 'sso.domain_add', details: { domain, verified } });
			}
		}
		if (input.required) await applyRequired(tx, setup, actor, teamId, true, context);
	});
	return getSettings(db, setup, actor, teamId);
}

async function applyRequired(tx: Queryable, setup: SsoSetup, actor: UserActor, teamId: string, required: boolean, context: ChangeContext): Promise<void> {
	const wasRequired = await lockTeam(tx, teamId);
	if (required) {
		requireAvailable(setup);
		if ((await verifiedDomainCount(tx, teamId)) === 0) {
			throw new AppError('CONFLICT', 'Verify at least one domain first: single sign-on is required for members with addresses on the verified domains.', {
				field: 'required'
			});
		}
	}
	if (wasRequired === required) return;
	await tx.update(teams).set({ ssoRequired: required }).where(eq(teams.id, teamId));
	await audit.record(tx, { teamId, actorId: actor.userId, action: 'sso.required', targetType: 'team', targetId: teamId, details: { required }, ip: context.ip });
}

/** The team that requires this person to sign in with single sign-on, if one does (none without OIDC). */
export async function requirementFor(
	db: Queryable,
	setup: SsoSetup,
	userId: string,
	email: string
): Promise<{ teamId: string; teamName: string; domain: string } | null> {
	if (!setup.available) return null;
	const domain = emailDomain(email);
	const [row] = await db
		.select({ teamId: teams.id, teamName: teams.name, domain: teamDomains.domain })
		.from(memberships)
		.innerJoin(teams, eq(teams.id, memberships.teamId))
		.innerJoin(teamDomains, eq(teamDomains.teamId, teams.id))
		.where(and(eq(memberships.userId, userId), eq(teams.ssoRequired, true), isNull(teams.deletedAt), isNotNull(teamDomains.verifiedAt), eq(teamDomains.domain, domain)))
		.orderBy(asc(teams.name))
		.limit(1);
	return row ?? null;
}

/** Where single sign-on starts for this address (and where to land afterwards). */
export function ssoStartPath(email: string, next?: string | null): string {
	const query = new URLSearchParams({ login_hint: email });
	if (next) query.set('next', next);
	return `/auth/oidc?${query}`;
}

/**
 * Refuses (SSO_REQUIRED, with the URL that starts single sign-on in `details.ssoUrl`) a person
 * signing in some other way than the OIDC provider when one of their teams requires it for their
 * address. Only called once their credentials are proven, so it tells strangers nothing.
 */
export async function assertSignInAllowed(db: Queryable, setup: SsoSetup, user: SessionUser, method: 'password' | Exclude<IdentityProvider, 'oidc'>): Promise<void> {
	const requirement = await requirementFor(db, setup, user.id, user.email);
	if (!requirement) return;
	const how = method === 'password' ? 'a password' : method === 'github' ? 'GitHub' : 'Google';
	throw new AppError(
		'SSO_REQUIRED',
		`${requirement.teamName} requires single sign-on for @${requirement.domain} addresses, so you cannot sign in with ${how}. Continue with ${setup.providerName}.`,
		{ ssoUrl: `${setup.publicOrigin}${ssoStartPath(user.email)}`, domain: requirement.domain }
	);
}

/** Accepting an invitation: a team that requires single sign-on takes only people whose address is verified. */
export async function assertMayJoin(db: Queryable, teamId: string, userId: string): Promise<void> {
	const [row] = await db
		.select({ required: teams.ssoRequired, verifiedAt: users.emailVerifiedAt })
		.from(teams)
		.innerJoin(users, eq(users.id, userId))
		.where(eq(teams.id, teamId));
	if (row?.required && !row.verifiedAt) {
		throw new AppError(
			'FORBIDDEN',
			'This team requires single sign-on, and your email address is not verified yet. Verify it from your account settings, then open the invitation again.',
			{ reason: 'email_unverified' }
		);
	}
}

function requireAvailable(setup: SsoSetup): void {
	if (!setup.available) {
		throw new AppError('CONFLICT', 'Single sign-on is not set up on this server: its operator sets OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET.');
	}
}

function storedDomain(raw: unknown): string {
	// Refusing public mail domains is for claiming; verifying or removing one only needs its shape.
	return parseInput(z.object({ domain: z.string({ error: 'Name the domain.' }).trim().toLowerCase().min(1, { error: 'Name the domain.' }) }), { domain: raw }).domain;
}

/** Locks the team's row (SSO changes to one team are serialised) and returns whether SSO is required. */
async function lockTeam(tx: Queryable, teamId: string): Promise<boolean> {
	const [team] = await tx.select({ required: teams.ssoRequired }).from(teams).where(eq(teams.id, teamId)).for('update');
	if (!team) throw new AppError('NOT_FOUND', 'Team was not found.');
	return team.required;
}

async function verifiedDomainCount(tx: Queryable, teamId: string): Promise<number> {
	const [{ verified }] = await tx
		.select({ verified: sql<number>`count(*)::int` })
		.from(teamDomains)
		.where(and(eq(teamDomains.teamId, teamId), isNotNull(teamDomains.verifiedAt)));
	return verified;
}

async function ownAddress(db: Queryable, userId: string): Promise<{ email: string; verified: boolean }> {
	const [user] = await db.select({ email: users.email, verifiedAt: users.emailVerifiedAt }).from(users).where(eq(users.id, userId));
	return { email: user.email, verified: user.verifiedAt !== null };
}

/** The rule a domain is verified by: the owner's own address is on it, and verified. */
async function ownsDomain(db: Queryable, userId: string, domain: string): Promise<boolean> {
	const owner = await ownAddress(db, userId);
	return owner.verified && emailDomain(owner.email) === domain;
}

function cannotVerify(domain: string): AppError {
	return new AppError(
		'FORBIDDEN',
		`To verify ${domain}, an owner whose own verified email address is on @${domain} has to do it (your address is on another domain, or not verified yet).`,
		{ field: 'domain' }
	);
}

async function findDomain(db: Queryable, teamId: string, domain: string): Promise<TeamDomain> {
	const found = await domainRow(db, teamId, domain);
	if (!found) throw new AppError('NOT_FOUND', `${domain} is not one of the team's domains.`, { field: 'domain' });
	return found;
}

async function domainRow(db: Queryable, teamId: string, domain: string): Promise<TeamDomain | undefined> {
	const [row] = await db
		.select({ domain: teamDomains.domain, verifiedAt: teamDomains.verifiedAt, verifiedByName: users.name })
		.from(teamDomains)
		.leftJoin(users, eq(users.id, teamDomains.verifiedBy))
		.where(and(eq(teamDomains.teamId, teamId), eq(teamDomains.domain, domain)));
	return row;
}
