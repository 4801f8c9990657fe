// Small display helpers shared by the team, sharing and invitation pages.

const DATE = new Intl.DateTimeFormat('en', { year: 'numeric', month: 'short', day: 'numeric' });
const DATE_TIME = new Intl.DateTimeFormat('en', { year: 'numeric', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' });

export function formatDate(iso: string): string {
	return DATE.format(new Date(iso));
}

export function formatDateTime(iso: string): string {
	return DATE_TIME.format(new Date(iso));
}

/** "an admin", "a viewer". */
export function withArticle(word: string): string {
	return `${/^[aeiou]/i.test(word) ? 'an' : 'a'} ${word}`;
}

export const ROLE_DESCRIPTIONS: Record<string, string> = {
	owner: 'Everything, including renaming and deleting the team',
	admin: 'Edit canvases, manage members, invitations and share links',
	editor: 'Create and edit canvases',
	viewer: 'Open canvases without changing them (free seat)'
};

/** Up to two initials for an avatar. */
export function initials(name: string): string {
	const parts = name.trim().split(/\s+/).filter(Boolean);
	return (parts.length > 1 ? parts[0][0] + parts[parts.length - 1][0] : (parts[0] ?? '?').slice(0, 2)).toUpperCase();
}
