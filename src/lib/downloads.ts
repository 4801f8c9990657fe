// Hands a file made in the browser (an export, a design document, generated code) to the browser as
// a download, through a short-lived object URL.

export function downloadBlob(fileName: string, blob: Blob): void {
	const url = URL.createObjectURL(blob);
	const link = document.createElement('a');
	link.href = url;
	link.download = fileName;
	link.rel = 'noopener';
	document.body.append(link);
	link.click();
	link.remove();
	// The download has started from the URL by the next task; keep it a little longer for slow browsers.
	setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
