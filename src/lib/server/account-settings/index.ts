// Account settings, what a person changes about their own account: profile, password, sessions,
// linked sign-in providers, and deleting the account. Imported as a namespace: `accountSettings.updateProfile`.
export { getAccount, updateProfile, updateProfileSchema, avatarColorSchema, type Account, type UpdateProfileInput } from './profile.ts';
export { changePassword, changePasswordSchema, newPasswordSchema, WRONG_PASSWORD, type ChangePasswordInput, type PasswordCheck } from './change-password.ts';
export {
	listSessions,
	endSession,
	endOtherSessions,
	publicSessionId,
	requireRecentSignIn,
	isRecentSignIn,
	RECENT_SIGN_IN_MINUTES,
	type AccountSession,
	type SessionHolder
} from './account-sessions.ts';
export {
	listLinkedProviders,
	unlinkProvider,
	providerName,
	LAST_WAY_IN,
	LINK_NEEDS_VERIFIED_EMAIL,
	type LinkedProviders,
	type ProviderLink,
	type ProviderSettings
} from './linked-providers.ts';
export { deleteAccount, deletionPlan, deleteAccountSchema, DELETED_USER_NAME, tombstoneEmail, type DeleteAccountInput, type DeletionPlan } from './delete-account.ts';
export { deviceName } from './device-names.ts';
