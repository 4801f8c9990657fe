// Copies text to the clipboard, falling back to a hidden selection where the Clipboard API is
// unavailable (no permission, or an insecure origin).
export async function copyText(value: string): Promise<void> {
	try {
		await navigator.clipboard.writeText(value);
	} catch {
		const field = Object.assign(document.createElement('textarea'), { value });
		document.body.append(field);
		field.select();
		document.execCommand('copy');
		field.remove();
	}
}
