// Reading the JSON API's answers in the /account page's sections that call it from the browser.

/**
 * The message of an /api/v1 error answer and the field it names. A 404 or 405 means the route is
 * not on this server (an instance without that feature): `missing` says so.
 */
export async function apiErrorMessage(response: Response, missing: string): Promise<{ message: string; field: string | null }> {
	if (response.status === 404 || response.status === 405) return { message: missing, field: null };
	const body = (await response.json().catch(() => null)) as { error?: { message?: string; details?: { field?: unknown } } } | null;
	const field = body?.error?.details?.field;
	return {
		message: body?.error?.message ?? `Something went wrong (${response.status}). Try again in a moment.`,
		field: typeof field === 'string' ? field : null
	};
}
