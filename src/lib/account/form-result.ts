// What the /account page's form actions answer, as its section components read it: a success names
// its section; a failure (formFailure) carries the message, the field and the values sent, section included.

export interface AccountFormResult {
	section?: string;
	error?: string;
	code?: string;
	field?: string;
	values?: Record<string, string>;
	saved?: { name: string };
	passwordChanged?: { endedSessions: number; firstPassword: boolean };
	endedSessions?: number;
	unlinked?: string;
}

/** The result of the last form sent from `section`, or null when it came from another one. */
export function resultFor(form: unknown, section: string): AccountFormResult | null {
	if (!form || typeof form !== 'object') return null;
	const result = form as AccountFormResult;
	return (result.section ?? result.values?.section) === section ? result : null;
}

/** "1 other session", "3 other sessions". */
export function sessionCount(count: number, other = true): string {
	return `${count} ${other ? 'other ' : ''}session${count === 1 ? '' : 's'}`;
}
