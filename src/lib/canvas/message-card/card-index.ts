// Per editor, shared by every card on it: the cards the cross-card questions read (retry sets, the call
// a tool message answers), computed once per change rather than once per card; and what this viewer
// has expanded, which lives in the tab (never in the document), so it survives a card being culled or
// remounted and exports show what the viewer sees.
import { useMemo } from 'react';
import { atom, computed, useValue, type Atom, type Computed, type Editor } from 'tldraw';
import { MESSAGE_CARD_TYPE, type MessageCardShape } from '../../conversations/message-card.ts';
import type { CardSummary } from './card-model.ts';

const summaries = new WeakMap<Editor, Computed<readonly CardSummary[]>>();
const expandedCalls = new WeakMap<Editor, Atom<ReadonlySet<string>>>();

/** Every message card in the editor's store, on any page. */
export function cardSummaries(editor: Editor): Computed<readonly CardSummary[]> {
	let signal = summaries.get(editor);
	if (!signal) {
		const cards = editor.store.query.records('shape', () => ({ type: { eq: MESSAGE_CARD_TYPE } }));
		signal = computed('easel message cards', () => (cards.get() as unknown as MessageCardShape[]).map(({ id, index, props }) => ({ id, index, props })));
		summaries.set(editor, signal);
	}
	return signal;
}

function expandedAtom(editor: Editor): Atom<ReadonlySet<string>> {
	let signal = expandedCalls.get(editor);
	if (!signal) {
		signal = atom<ReadonlySet<string>>('easel expanded tool calls', new Set());
		expandedCalls.set(editor, signal);
	}
	return signal;
}

function callKey(cardId: string, callId: string): string {
	return `${cardId}\n${callId}`;
}

export function isToolCallExpanded(editor: Editor, cardId: string, callId: string): boolean {
	return expandedAtom(editor).get().has(callKey(cardId, callId));
}

export function setToolCallExpanded(editor: Editor, cardId: string, callId: string, expanded: boolean): void {
	const key = callKey(cardId, callId);
	expandedAtom(editor).update((current) => {
		if (current.has(key) === expanded) return current;
		const next = new Set(current);
		if (expanded) next.add(key);
		else next.delete(key);
		return next;
	});
}

/**
 * useValue with an equality: a value derived from the shared card list re-renders its card only when
 * it changes by `isEqual`, not whenever any card on the canvas does (a streaming card changes often).
 */
export function useDerived<Value>(name: string, derive: () => Value, deps: unknown[], isEqual: (a: Value, b: Value) => boolean): Value {
	// The signal is rebuilt exactly when the caller's deps change (as useValue does with its deps).
	const signal = useMemo(() => computed(name, derive, { isEqual }), deps);
	return useValue(signal);
}
