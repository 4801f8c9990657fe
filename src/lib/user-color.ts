// A stable, readable colour per user id, used for cursors and avatars, and the palette a person may
// pick their own from (account settings).
const PALETTE = ['#e03131', '#c2255c', '#9c36b5', '#6741d9', '#3b5bdb', '#1971c2', '#0c8599', '#099268', '#2f9e44', '#e8590c', '#f08c00', '#5c940d'];

export function userColor(userId: string): string {
	let hash = 0;
	for (let i = 0; i < userId.length; i++) hash = (hash * 31 + userId.charCodeAt(i)) >>> 0;
	return PALETTE[hash % PALETTE.length];
}

/** The colours a person may choose for their avatar and cursor: white initials on each reach 4.5:1 (WCAG AA). */
export const AVATAR_COLORS = [
	{ name: 'Red', value: '#c92a2a' },
	{ name: 'Pink', value: '#c2255c' },
	{ name: 'Grape', value: '#862e9c' },
	{ name: 'Violet', value: '#6741d9' },
	{ name: 'Indigo', value: '#3b5bdb' },
	{ name: 'Blue', value: '#1864ab' },
	{ name: 'Cyan', value: '#0b7285' },
	{ name: 'Teal', value: '#087f5b' },
	{ name: 'Green', value: '#2f7d32' },
	{ name: 'Orange', value: '#c2410c' },
	{ name: 'Slate', value: '#495057' }
] as const;

export type AvatarColor = (typeof AVATAR_COLORS)[number]['value'];

/** The colour drawn for a person: the one they chose, or the one derived from their id. */
export function avatarColorOf(user: { id: string; avatarColor?: string | null }): string {
	return user.avatarColor ?? userColor(user.id);
}
