// Refuses document updates that would take a document (a canvas or its chat) past its size limit.
import type { beforeHandleMessagePayload, Extension, onChangePayload } from '@hocuspocus/server';
import { AppError } from '../../src/lib/server/errors.ts';
import { parseDocumentName } from '../../src/lib/document-names.ts';
import { frameEffect } from './frames.ts';

export class DocumentSizeLimit implements Extension {
	/** Approximate stored bytes per loaded document: snapshot + updates since. */
	private readonly sizes = new Map<string, number>();

	private readonly maxDocumentBytes: number;

	constructor(maxDocumentBytes: number) {
		this.maxDocumentBytes = maxDocumentBytes;
	}

	/** The stored size of a document, as persistence learns it on load and on compaction. */
	setSize(documentName: string, bytes: number): void {
		this.sizes.set(documentName, bytes);
	}

	/** Whether the document is at or past its limit: server-side writers refuse to grow it further. */
	isFull(documentName: string): boolean {
		return (this.sizes.get(documentName) ?? 0) >= this.maxDocumentBytes;
	}

	async onChange({ documentName, update }: onChangePayload): Promise<void> {
		this.sizes.set(documentName, (this.sizes.get(documentName) ?? 0) + update.byteLength);
	}

	async afterUnloadDocument({ documentName }: { documentName: string }): Promise<void> {
		this.sizes.delete(documentName);
	}

	async beforeHandleMessage({ documentName, update }: beforeHandleMessagePayload): Promise<void> {
		if (frameEffect(update) !== 'change') return;
		const size = (this.sizes.get(documentName) ?? 0) + update.byteLength;
		if (size > this.maxDocumentBytes) {
			const error = new AppError(
				'PAYLOAD_TOO_LARGE',
				`This ${parseDocumentName(documentName)?.kind === 'chat' ? 'chat' : 'canvas'} has reached its size limit of ${Math.round(this.maxDocumentBytes / 1024 / 1024)} MB; the change was not saved.`
			);
			throw { code: error.closeCode, reason: error.code, message: error.message };
		}
	}
}
