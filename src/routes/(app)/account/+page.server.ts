import { redirect, type RequestEvent } from '@sveltejs/kit';
import { z } from 'zod';
import * as accountSettings from '$lib/server/account-settings';
import { AppError } from '$lib/server/errors';
import { formFailure, formValues, parseForm } from '$lib/server/http/forms';
import { passwordCheck, providerLinkUrl, providerSettings, sessionHolder } from '$lib/server/http/account-requests';
import { clearSessionCookie } from '$lib/server/http/session-cookie';
import { IDENTITY_PROVIDERS } from '$lib/server/db/schema';
import { userColor } from '$lib/user-color';
import { pendingEmailChange } from '$lib/server/auth/email-verification';
import { runtime } from '$lib/server/runtime';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const { locals } = event;
	const holder = sessionHolder(event);
	const [account, sessionList, linked, plan, recentSignIn, pendingEmail] = await Promise.all([
		accountSettings.getAccount(locals.db, holder.userId),
		accountSettings.listSessions(locals.db, holder),
		accountSettings.listLinkedProviders(locals.db, holder.userId, providerSettings()),
		accountSettings.deletionPlan(locals.db, holder.userId),
		accountSettings.isRecentSignIn(locals.db, holder),
		pendingEmailChange(locals.db, holder.userId)
	]);
	return {
		account: {
			email: account.email,
			name: account.name,
			emailVerified: account.emailVerified,
			avatarColor: account.avatarColor,
			avatarColorChosen: account.avatarColorChosen,
			hasPassword: account.hasPassword,
			/** An address change waiting for its confirmation link, after a reload too. */
			pendingEmail: pendingEmail?.email ?? null
		},
		/** Changing or verifying an address needs mail (SMTP_URL): without it the section says so. */
		mailConfigured: Boolean(runtime().config.SMTP_URL),
		defaultAvatarColor: userColor(account.id),
		/** Without a password, setting one or deleting the account needs a sign-in this recent. */
		recentSignIn,
		recentSignInMinutes: accountSettings.RECENT_SIGN_IN_MINUTES,
		sessions: sessionList.map((session) => ({
			...session,
			createdAt: session.createdAt.toISOString(),
			lastActiveAt: session.lastActiveAt?.toISOString() ?? null,
			expiresAt: session.expiresAt.toISOString()
		})),
		providers: linked.providers.map((link) => ({
			provider: link.provider,
			name: link.name,
			configured: link.configured,
			linkUrl: link.configured ? providerLinkUrl(link.provider) : null,
			accounts: link.accounts.map((linkedAccount) => ({
				id: linkedAccount.id,
				email: linkedAccount.email,
				linkedAt: linkedAccount.linkedAt.toISOString(),
				unlinkRefusal: linkedAccount.unlinkRefusal
			}))
		})),
		linkRefusal: linked.linkRefusal,
		/** What each sign-in method is called, for the session list. */
		providerNames: Object.fromEntries(IDENTITY_PROVIDERS.map((provider) => [provider, accountSettings.providerName(provider, providerSettings())])),
		deletion: plan
	};
};

/**
 * A form action on the signed-in person's own session: fields parsed by `schema`, failures (and
 * refusals) returned with the submitted values — never the passwords — and `section` naming the form.
 */
function accountAction<T extends z.ZodType, R>(section: string, schema: T, handler: (input: z.infer<T>, event: RequestEvent) => Promise<R>) {
	return async (event: RequestEvent) => {
		const data = await event.request.formData();
		const values = { ...formValues(data, 'currentPassword', 'newPassword', 'confirmPassword', 'password'), section };
		try {
			return await handler(parseForm(data, schema), event);
		} catch (error) {
			return formFailure(error, values, event.setHeaders);
		}
	};
}

const profileForm = z.object({
	name: z.string().optional(),
	// The "Default" swatch sends an empty value: back to the colour derived from the id.
	avatarColor: z
		.string()
		.optional()
		.transform((value) => (value ? value : null))
});

const passwordForm = z.object({ currentPassword: z.string().optional(), newPassword: z.string(), confirmPassword: z.string() });

export const actions: Actions = {
	profile: accountAction('profile', profileForm, async ({ name, avatarColor }, event) => {
		const account = await accountSettings.updateProfile(event.locals.db, sessionHolder(event).userId, { name, avatarColor });
		return { section: 'profile', saved: { name: account.name } };
	}),
	password: accountAction('password', passwordForm, async ({ currentPassword, newPassword, confirmPassword }, event) => {
		if (newPassword !== confirmPassword) throw new AppError('INVALID_INPUT', 'The two new passwords are not the same.', { field: 'confirmPassword' });
		const { endedSessions, firstPassword } = await accountSettings.changePassword(
			event.locals.services,
			sessionHolder(event),
			{ currentPassword: currentPassword || undefined, newPassword },
			passwordCheck(event)
		);
		return { section: 'password', passwordChanged: { endedSessions, firstPassword } };
	}),
	endSession: accountAction('sessions', z.object({ sessionId: z.string().min(1, { error: 'Choose a session.' }) }), async ({ sessionId }, event) => {
		const { wasCurrent } = await accountSettings.endSession(event.locals.services, sessionHolder(event), sessionId);
		if (wasCurrent) {
			clearSessionCookie(event.cookies);
			redirect(303, '/login');
		}
		return { section: 'sessions', endedSessions: 1 };
	}),
	endOtherSessions: accountAction('sessions', z.object({}), async (_input, event) => {
		const ended = await accountSettings.endOtherSessions(event.locals.services, sessionHolder(event));
		return { section: 'sessions', endedSessions: ended };
	}),
	unlink: accountAction(
		'providers',
		z.object({ accountId: z.uuid({ error: 'Choose a linked account.' }), name: z.string().max(80).optional() }),
		async ({ accountId, name }, event) => {
			await accountSettings.unlinkProvider(event.locals.db, sessionHolder(event).userId, accountId);
			return { section: 'providers', unlinked: name ?? 'the provider' };
		}
	),
	deleteAccount: accountAction('delete', z.object({ confirmEmail: z.string(), password: z.string().optional() }), async ({ confirmEmail, password }, event) => {
		await accountSettings.deleteAccount(event.locals.services, sessionHolder(event), { confirmEmail, password: password || undefined }, passwordCheck(event));
		clearSessionCookie(event.cookies);
		redirect(303, '/account-deleted');
	})
};
