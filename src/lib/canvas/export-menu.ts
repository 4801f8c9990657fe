// tldraw's own "Export as" menu items (main menu and context menu) open Easel's export dialog with
// their format chosen, so there is one way to export, with the same images, names and options.
import type { Editor, TLUiOverrides } from 'tldraw';
import type { ExportFormat, ExportRequest } from '../exports/export-choices.ts';

/** tldraw's export actions: the format each stands for, and whether it always exports the whole page. */
const EXPORT_ACTIONS: Record<string, { format: ExportFormat; wholePage: boolean }> = {
	'export-as-svg': { format: 'svg', wholePage: false },
	'export-as-png': { format: 'png', wholePage: false },
	'export-all-as-svg': { format: 'svg', wholePage: true },
	'export-all-as-png': { format: 'png', wholePage: true }
};

/** UI overrides that route tldraw's export actions to `openExport`; build once per editor mount (tldraw compares by identity). */
export function exportMenuOverrides(openExport: (request: ExportRequest) => void): TLUiOverrides {
	return {
		actions(editor: Editor, actions) {
			for (const [id, { format, wholePage }] of Object.entries(EXPORT_ACTIONS)) {
				const action = actions[id];
				if (!action) continue;
				actions[id] = {
					...action,
					onSelect() {
						const selection = !wholePage && editor.getSelectedShapeIds().length > 0;
						openExport({ format, scope: selection ? { kind: 'selection' } : { kind: 'page' } });
					}
				};
			}
			return actions;
		}
	};
}
