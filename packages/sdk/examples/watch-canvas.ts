// Opens a canvas as a live Yjs document and prints each conversation message card as it appears
// or changes, until the canvas has `EXPECT_CARDS` cards (or forever without it).
//
//   EASEL_URL=http://localhost:5173 EASEL_API_KEY=easel_… EASEL_CANVAS_ID=<uuid> node examples/watch-canvas.ts
import { createEasel } from '@easel/sdk';

const easel = createEasel({ baseUrl: process.env.EASEL_URL!, token: process.env.EASEL_API_KEY! });
const canvas = await easel.live(process.env.EASEL_CANVAS_ID!);
const expected = Number(process.env.EXPECT_CARDS ?? Infinity);

type Card = { type: string; props: { role: string; text: string; status: string } };
const cards = () => [...canvas.records.values()].filter((record): record is Card => (record as Card).type === 'conversation-message');

console.log(JSON.stringify({ synced: true, cards: cards().length, readOnly: canvas.readOnly }));
await new Promise<void>((resolve) => {
	const report = () => {
		const now = cards();
		console.log(JSON.stringify({ cards: now.length, streaming: now.filter((card) => card.props.status === 'streaming').length }));
		if (now.length >= expected && now.every((card) => card.props.status === 'complete')) resolve();
	};
	canvas.records.observe(report);
	report();
});
canvas.close();
