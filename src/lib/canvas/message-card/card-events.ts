// Pointer handling shared by a card's controls.
import type { PointerEvent as ReactPointerEvent } from 'react';

/** Buttons and links on a card act on their own: the canvas never starts a selection or a drag from them. */
export function stop(event: ReactPointerEvent): void {
	event.stopPropagation();
}
