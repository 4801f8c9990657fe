// Easel's tldraw shapes, in one list: tldraw's own and the message card. Every store and editor the
// browser makes (the live canvas, version previews, published viewers, off-screen exports, the
// server's thumbnail renderer page) uses these, so each reads and draws what the server's schema
// (src/lib/server/canvas-records.ts) validates; tests/unit/canvas/custom-shapes.test.ts holds them equal.
import { defaultBindingUtils, defaultShapeUtils, type TLAnyBindingUtilConstructor, type TLAnyShapeUtilConstructor } from 'tldraw';
import { MessageCardShapeUtil } from './message-card/message-card-shape-util.tsx';

export const easelShapeUtils: readonly TLAnyShapeUtilConstructor[] = [...defaultShapeUtils, MessageCardShapeUtil];

export const easelBindingUtils: readonly TLAnyBindingUtilConstructor[] = defaultBindingUtils;
