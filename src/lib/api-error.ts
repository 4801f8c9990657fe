// Reads the message out of a `/api/v1` error response ({ error: { code, message } }) in the browser.
export async function apiErrorMessage(response: Response, fallback: string): Promise<string> {
	try {
		const body = (await response.json()) as { error?: { message?: string } };
		return body.error?.message ?? fallback;
	} catch {
		return fallback;
	}
}
