// A hidden, read-only tldraw editor on stored records, for rendering with tldraw's own exporter (the
// only faithful renderer of its text) where no editor is open: a publication's preview picture, an
// export from the dashboard. Mounted off-screen at a fixed size; dispose() unmounts it.
import { getAssetUrlsByImport } from '@tldraw/assets/imports.vite';
import { createRoot } from 'react-dom/client';
import { Tldraw } from 'tldraw';
import type { Editor } from 'tldraw';
import 'tldraw/tldraw.css';
import { easelBindingUtils, easelShapeUtils } from './custom-shapes.ts';
import { readOnlyStore } from './read-only-view.ts';

export interface OffscreenEditor {
	editor: Editor;
	dispose(): void;
}

export interface OffscreenEditorOptions {
	width: number;
	height: number;
	licenseKey?: string;
	/** How long to wait for tldraw to start. */
	timeoutMs?: number;
}

/** Mounts an editor on `records` (keyed by id, as the server answers them) out of sight; rejects if tldraw does not start in time. */
export async function mountOffscreenEditor(
	records: Record<string, unknown>,
	{ width, height, licenseKey, timeoutMs = 20_000 }: OffscreenEditorOptions
): Promise<OffscreenEditor> {
	const store = readOnlyStore(records);
	const container = document.createElement('div');
	container.setAttribute('aria-hidden', 'true');
	container.setAttribute('inert', '');
	Object.assign(container.style, { position: 'fixed', left: `-${width + 20_000}px`, top: '0', width: `${width}px`, height: `${height}px`, pointerEvents: 'none' });
	document.body.appendChild(container);
	const root = createRoot(container);
	const dispose = () => {
		root.unmount();
		container.remove();
	};
	try {
		const editor = await new Promise<Editor>((resolve, reject) => {
			const timer = setTimeout(() => reject(new Error('the off-screen editor did not start')), timeoutMs);
			root.render(
				<Tldraw
					store={store}
					shapeUtils={easelShapeUtils}
					bindingUtils={easelBindingUtils}
					assetUrls={getAssetUrlsByImport()}
					licenseKey={licenseKey}
					hideUi
					autoFocus={false}
					onMount={(mounted) => {
						clearTimeout(timer);
						mounted.updateInstanceState({ isReadonly: true });
						resolve(mounted);
					}}
				/>
			);
		});
		return { editor, dispose };
	} catch (error) {
		dispose();
		throw error;
	}
}
