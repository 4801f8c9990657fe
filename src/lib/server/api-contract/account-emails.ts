// The contract of what an account does by email: password reset, verification resend, email change.
import { z } from 'zod';
import { passwordResetRequestSchema, passwordResetSchema } from '../auth/password-reset.ts';
import { emailChangeSchema } from '../auth/email-verification.ts';
import { isoDateTime, type ApiOperation } from './operation.ts';

const resetTokenParams = z.object({ token: z.string().meta({ description: 'The token of the reset link (`/reset-password/<token>`).' }) });

export const accountEmailOperations: ApiOperation[] = [
	{
		method: 'post',
		path: '/api/v1/auth/password-reset',
		operationId: 'requestPasswordReset',
		tag: 'Accounts',
		summary: 'Mail a password-reset link',
		description:
			'Mails a link to `/reset-password/<token>` when an account has this address; it works once, for an hour, and retires older links. The answer is the same 202 whether or not an account exists, or the budget per address and per client is spent (then nothing is sent), and without email configured.',
		auth: 'public',
		body: { type: 'json', schema: passwordResetRequestSchema },
		responses: {
			202: {
				description: 'Accepted: if an account has this address, a link is on its way.',
				schema: z.object({ message: z.string().meta({ description: 'The same words for every address.' }) }).meta({ id: 'PasswordResetRequested' })
			}
		}
	},
	{
		method: 'post',
		path: '/api/v1/auth/password-reset/{token}',
		operationId: 'resetPassword',
		tag: 'Accounts',
		summary: 'Set a new password with a reset link',
		description:
			'Sets the password (the rules of sign-up), marks the address verified, ends every session of the account and closes their sockets. 410 GONE for a link that is unknown, used or expired. No session is started: sign in with the new password.',
		auth: 'public',
		params: resetTokenParams,
		body: { type: 'json', schema: passwordResetSchema },
		responses: { 204: { description: 'The password is changed.' } },
		errors: ['GONE']
	},
	{
		method: 'post',
		path: '/api/v1/me/email',
		operationId: 'requestEmailChange',
		tag: 'Accounts',
		summary: 'Change your email address',
		description:
			'Mails a confirmation link to the new address (valid 24 hours; a new request replaces a pending one). The account keeps its address until the link is used; then the new one is verified and the old address is told. Needs the current password when the account has one (400 naming `password` when wrong, as changing the password or deleting the account answer). 409 when another account has the address; 404 when this server sends no email.',
		auth: 'person',
		body: { type: 'json', schema: emailChangeSchema },
		responses: {
			202: {
				description: 'The confirmation link is mailed to the new address.',
				schema: z.object({ pendingEmail: z.string(), expiresAt: isoDateTime() }).meta({ id: 'PendingEmailChange' })
			}
		},
		errors: ['CONFLICT']
	},
	{
		method: 'post',
		path: '/api/v1/me/email/verification',
		operationId: 'resendEmailVerification',
		tag: 'Accounts',
		summary: 'Mail a new verification link',
		description:
			'Mails a link verifying your current address (valid 24 hours; the last one stops working). 409 when it is already verified; 404 when this server sends no email (no `SMTP_URL`).',
		auth: 'person',
		responses: { 202: { description: 'The link is mailed.', schema: z.object({ email: z.string() }).meta({ id: 'VerificationSent' }) } },
		errors: ['CONFLICT']
	}
];
