// Watches a canvas live: waits until a shape with a given text appears, or prints what changes for a while.
//
//     EASEL_URL=http://localhost:5173 EASEL_API_KEY=easel_... EASEL_CANVAS_ID=<uuid> node packages/sdk/examples/watch-canvas.ts "Deploy"
//     EASEL_URL=... EASEL_API_KEY=... EASEL_CANVAS_ID=... node packages/sdk/examples/watch-canvas.ts --seconds 30
//
// With a text it prints `{ found, shape: { id, type, text } }` as JSON and exits (1 when the time
// runs out first); with --seconds only, one JSON line per change and then `{ changes }`.
import { createEasel, findShapeByText, shapes, shapeText, type ShapeRecord } from '../src/index.ts';

const easel = createEasel({ baseUrl: requiredEnv('EASEL_URL'), token: requiredEnv('EASEL_API_KEY') });
const { text, seconds } = parseArguments(process.argv.slice(2));

const canvas = easel.live(requiredEnv('EASEL_CANVAS_ID'));
await canvas.synced;
const describe = (shape: ShapeRecord) => ({ id: shape.id, type: shape.type, text: shapeText(shape) });

if (text !== undefined) {
	const shape = await new Promise<ShapeRecord | undefined>((resolve) => {
		const check = () => {
			const found = findShapeByText(canvas.doc, text);
			if (found) finish(found);
		};
		const timer = setTimeout(() => finish(undefined), seconds * 1000);
		const finish = (found: ShapeRecord | undefined) => {
			clearTimeout(timer);
			canvas.doc.off('update', check);
			resolve(found);
		};
		canvas.doc.on('update', check);
		check();
	});
	console.log(JSON.stringify({ found: shape !== undefined, shape: shape ? describe(shape) : null }));
	process.exitCode = shape ? 0 : 1;
} else {
	console.log(JSON.stringify({ watching: true, shapes: shapes(canvas.doc).length }));
	let changes = 0;
	const records = canvas.doc.getMap('records');
	const onChange = (event: { changes: { keys: Map<string, { action: string }> } }) => {
		for (const [id, change] of event.changes.keys) {
			changes += 1;
			const record = records.get(id) as ShapeRecord | undefined;
			console.log(JSON.stringify({ change: change.action, id, ...(record?.typeName === 'shape' ? { type: record.type, text: shapeText(record) } : {}) }));
		}
	};
	records.observe(onChange);
	await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
	records.unobserve(onChange);
	console.log(JSON.stringify({ changes }));
}
canvas.destroy();

function parseArguments(args: string[]): { text?: string; seconds: number } {
	let text: string | undefined;
	let seconds = 20;
	for (let i = 0; i < args.length; i++) {
		if (args[i] === '--seconds') {
			seconds = Number(args[++i]);
			if (!Number.isFinite(seconds) || seconds <= 0) throw new Error('--seconds takes a positive number of seconds');
		} else text = args[i];
	}
	return { text, seconds };
}

function requiredEnv(name: string): string {
	const value = process.env[name];
	if (!value) throw new Error(`Set ${name} (see the comment at the top of this file).`);
	return value;
}
