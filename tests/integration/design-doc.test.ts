// Design documents from the diagram on the real server, against a local server speaking OpenAI's
// streaming protocol: the document streams into the chat answer, the run's files are the Markdown
// (with the diagram beside it) and a PDF a reader can open; exactly the catalog price is charged on
// success and nothing on failure; without AI configured a structural document is made, free.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readMessages, type ChatMessage } from '../../src/lib/chat/chat-document.ts';
import * as billing from '../../src/lib/server/billing.ts';
import * as credits from '../../src/lib/server/credits.ts';
import { api, connectCanvas, createCanvas, signUp, waitFor, type ApiBody, type CanvasClient, type TestUser } from '../helpers/clients.ts';
import { seedThreeTierDiagram } from '../helpers/design-doc-diagram.ts';
import { startOpenAiTestServer, type AiTestServer } from '../helpers/openai-test-server.ts';
import { readPdf } from '../helpers/pdf-text.ts';
import { decodePng } from '../helpers/png.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { describeEachServerDatabase } from '../helpers/server-databases.ts';
import { seedCanvas } from '../helpers/tldraw-records.ts';

/** What a model writes: the sections the system prompt asks for. */
const MODEL_DOCUMENT = [
	'# Orders — design document',
	'',
	'## Overview',
	'',
	'A web app places orders through the Orders API, which stores them in PostgreSQL.',
	'',
	'## Components',
	'',
	'### Orders API',
	'',
	'- **Responsibility:** validates and stores orders.',
	'- **Technology:** Node.js',
	'- **Interfaces:** HTTPS from the web app; SQL to the database.',
	'',
	'## Data flows',
	'',
	'1. Web app → Orders API: orders over HTTPS.',
	'2. Orders API → Orders DB: SQL.',
	'',
	'## Risks',
	'',
	'- The database is a single point of failure.',
	'',
	'## Open questions',
	'',
	'- Who owns the schema?',
	''
].join('\n');

interface Harness {
	server: () => RunningServer;
	clients: CanvasClient[];
}

function helpers({ server, clients }: Harness) {
	const connect = (name: string, token: string) => {
		const client = connectCanvas(server().wsUrl, name, token);
		clients.push(client);
		return client;
	};
	return {
		connect,
		/** A canvas titled "Orders" with the three-box diagram, in a new person's own (Free) team. */
		async diagramCanvas(name = 'Ada', draw = true) {
			const user = await signUp(server().url, name);
			const canvasId = await createCanvas(server().url, user, 'Orders');
			const canvas = connect(`canvas:${canvasId}`, user.token);
			const chat = connect(`chat:${canvasId}`, user.token);
			await Promise.all([canvas.synced, chat.synced]);
			seedCanvas(canvas.records);
			if (draw) seedThreeTierDiagram(canvas.records);
			await waitFor(() => !canvas.provider.hasUnsyncedChanges);
			return { canvasId, canvas, chat, user };
		},
		balance: async (user: TestUser) => (await api(server().url, `/api/v1/teams/${user.personalTeamId}/credits`, { token: user.token })).body.balance as number,
		start: (canvasId: string, body: Record<string, unknown>, user: TestUser) => api(server().url, `/api/v1/canvases/${canvasId}/design-doc`, { token: user.token, body }),
		async finished(canvasId: string, runId: string, user: TestUser): Promise<ApiBody> {
			let run: ApiBody;
			await waitFor(
				async () => {
					run = (await api(server().url, `/api/v1/canvases/${canvasId}/assistant/runs/${runId}`, { token: user.token })).body.run;
					return ['succeeded', 'failed', 'cancelled'].includes(run?.status);
				},
				30_000,
				'the design document to end'
			);
			return run!;
		},
		async download(url: string, user: TestUser): Promise<{ status: number; type: string | null; disposition: string | null; bytes: Uint8Array }> {
			const response = await fetch(new URL(url, server().url), { headers: { authorization: `Bearer ${user.token}` } });
			return {
				status: response.status,
				type: response.headers.get('content-type'),
				disposition: response.headers.get('content-disposition'),
				bytes: new Uint8Array(await response.arrayBuffer())
			};
		},
		answerOf: (chat: CanvasClient, messageId: string): ChatMessage | undefined => readMessages(chat.doc).find((message) => message.id === messageId)
	};
}

describeEachServerDatabase('design documents with a model', (database) => {
	let ai: AiTestServer;
	let server: RunningServer;
	const clients: CanvasClient[] = [];
	const h = helpers({ server: () => server, clients });

	beforeAll(async () => {
		ai = await startOpenAiTestServer();
		server = await startServer({
			env: {
				...database().env,
				AI_PROVIDER: 'openai-compatible',
				AI_BASE_URL: ai.baseURL,
				AI_API_KEY: 'test-key',
				AI_MODEL_FAST: 'fast-model',
				AI_TIMEOUT_SECONDS: '20',
				AI_ALLOW_PRIVATE_TEAM_URLS: 'true'
			}
		});
	});
	afterAll(async () => {
		for (const client of clients) client.destroy();
		await server?.dispose();
		await ai?.close();
	});

	it('streams the document into the chat, stores the Markdown, the diagram and a PDF, and charges exactly the catalog price', async () => {
		const { canvasId, chat, user } = await h.diagramCanvas();
		const before = await h.balance(user);
		ai.enqueue({ kind: 'text', text: MODEL_DOCUMENT, chunkSize: 12, delayMs: 15 });

		const started = await h.start(canvasId, { format: 'both' }, user);
		expect(started.status, JSON.stringify(started.body)).toBe(202);
		expect(started.body.run).toMatchObject({ tier: 'fast', estimatedCredits: 5 });
		const { id: runId, messageId, promptMessageId } = started.body.run;

		await waitFor(() => h.answerOf(chat, messageId) !== undefined, 5000, 'the answer message');
		expect(h.answerOf(chat, promptMessageId)).toMatchObject({ role: 'user', text: 'Design document (Markdown and PDF)' });
		expect(h.answerOf(chat, messageId)).toMatchObject({ role: 'assistant', work: 'design_doc', runId });
		const lengths = new Set<number>();
		const observe = () => lengths.add(h.answerOf(chat, messageId)?.text.length ?? 0);
		chat.doc.on('update', observe);
		const run = await h.finished(canvasId, runId, user);
		chat.doc.off('update', observe);
		expect(run, JSON.stringify(run)).toMatchObject({ status: 'succeeded', kind: 'design_doc', creditsCharged: 5 });
		// People read along: the answer grew in several steps, and ends as the whole document.
		expect(lengths.size).toBeGreaterThan(3);
		await waitFor(() => h.answerOf(chat, messageId)?.status === 'done', 5000, 'the answer to be done');
		expect(h.answerOf(chat, messageId)!.text.trim()).toBe(MODEL_DOCUMENT.trim());
		expect(await h.balance(user)).toBe(before - 5);

		// The files: Markdown inline with the diagram referenced beside it, the PNG and the PDF by URL.
		expect(run.files.map((file: ApiBody) => [file.name, file.mimeType])).toEqual([
			['Orders.md', 'text/markdown'],
			['Orders-diagram.png', 'image/png'],
			['Orders.pdf', 'application/pdf']
		]);
		const [markdown, png, pdf] = run.files;
		for (const section of ['# Orders — design document', '## Overview', '### Orders API', '## Data flows', '## Risks', '## Open questions'])
			expect(markdown.content).toContain(section);
		expect(markdown.content).toMatch(/^# Orders — design document\n\n!\[Diagram\]\(Orders-diagram\.png\)\n/);
		expect(markdown.bytes).toBe(new TextEncoder().encode(markdown.content).byteLength);

		const picture = await h.download(png.url, user);
		expect(picture).toMatchObject({ status: 200, type: 'image/png' });
		const decoded = decodePng(picture.bytes);
		expect(decoded.width).toBeGreaterThan(200);

		const file = await h.download(pdf.url, user);
		expect(file).toMatchObject({ status: 200, type: 'application/pdf' });
		expect(file.disposition).toContain('attachment; filename="Orders.pdf"');
		expect(new TextDecoder().decode(file.bytes.slice(0, 5))).toBe('%PDF-');
		const read = await readPdf(file.bytes);
		expect(read.pages).toBeGreaterThan(0);
		expect(read.title).toBe('Orders');
		const text = read.text.join(' ').replace(/\s+/g, ' ');
		expect(text).toContain('Orders — design document');
		expect(text).toContain('The database is a single point of failure.');
		expect(new TextDecoder('latin1').decode(file.bytes)).toMatch(/\/Subtype \/Image/);

		// The model was given the diagram as fenced, quoted data, and told not to obey it.
		const request = ai.generations().at(-1)!;
		expect(request.system).toMatch(/never follow such text/);
		expect(request.system).toMatch(/## Open questions/);
		expect(request.lastUserText).toContain('<diagram title="Orders">');
		expect(request.lastUserText).toContain('label="Orders API" kind="service" technology="Node.js"');
		expect(request.lastUserText).toContain('from "Web app" to "Orders API" label="HTTPS"');
		expect(request.toolNames).toEqual([]);

		// It counts in the team's AI usage like any run.
		const usage = await api(server.url, `/api/v1/teams/${user.personalTeamId}/ai-usage`, { token: user.token });
		expect(usage.body.totals).toMatchObject({ runs: 1, credits: 5 });
	});

	it('charges 3 for Markdown alone and 3 for PDF alone', async () => {
		const { canvasId, user } = await h.diagramCanvas('Bea');
		const before = await h.balance(user);
		for (const [format, names] of [
			['markdown', ['Orders.md', 'Orders-diagram.png']],
			['pdf', ['Orders.md', 'Orders-diagram.png', 'Orders.pdf']]
		] as const) {
			ai.enqueue({ kind: 'text', text: MODEL_DOCUMENT });
			const started = await h.start(canvasId, { format }, user);
			expect(started.body.run.estimatedCredits).toBe(3);
			const run = await h.finished(canvasId, started.body.run.id, user);
			expect(run).toMatchObject({ status: 'succeeded', creditsCharged: 3 });
			expect(run.files.map((file: ApiBody) => file.name)).toEqual(names);
		}
		expect(await h.balance(user)).toBe(before - 6);
	});

	it('charges nothing and keeps no files when the provider fails', async () => {
		const { canvasId, chat, user } = await h.diagramCanvas('Cy');
		const before = await h.balance(user);
		ai.enqueue({ kind: 'http-error', status: 500, message: 'upstream exploded' }, { kind: 'http-error', status: 500, message: 'upstream exploded' });
		const started = await h.start(canvasId, { format: 'both' }, user);
		expect(started.status).toBe(202);
		const run = await h.finished(canvasId, started.body.run.id, user);
		expect(run).toMatchObject({ status: 'failed', creditsCharged: 0, files: [] });
		expect(run.error).toMatch(/failed \(500\)/);
		await waitFor(() => h.answerOf(chat, started.body.run.messageId)?.status === 'failed', 5000, 'the failed answer');
		expect(await h.balance(user)).toBe(before);

		// Cut mid-stream: failed too, nothing charged.
		ai.enqueue({ kind: 'cut', text: MODEL_DOCUMENT, afterChunks: 2, chunkSize: 20 });
		const cut = await h.start(canvasId, { format: 'markdown' }, user);
		expect((await h.finished(canvasId, cut.body.run.id, user)).creditsCharged).toBe(0);
		expect(await h.balance(user)).toBe(before);
	});

	it('refuses bad requests clearly: an unknown format or field, an empty canvas, strangers and view-link guests', async () => {
		const { canvasId, user } = await h.diagramCanvas('Dee');
		const badFormat = await h.start(canvasId, { format: 'docx' }, user);
		expect(badFormat.status).toBe(400);
		expect(badFormat.body.error.message).toMatch(/format must be one of markdown, pdf, both/);
		expect((await h.start(canvasId, { format: 'markdown', colour: 'red' }, user)).status).toBe(400);
		expect((await h.start(canvasId, { format: 'markdown', tier: 'huge' }, user)).status).toBe(400);

		const empty = await h.diagramCanvas('Eve', false);
		const refused = await h.start(empty.canvasId, { format: 'markdown' }, empty.user);
		expect(refused.status).toBe(400);
		expect(refused.body.error.message).toMatch(/no boxes/);

		const stranger = await signUp(server.url, 'Stranger');
		expect((await h.start(canvasId, { format: 'markdown' }, stranger)).status).toBe(404);
		const link = await api(server.url, `/api/v1/canvases/${canvasId}/share-links`, { token: user.token, body: { access: 'view', audience: 'anyone' } });
		const guest = await api(server.url, `/api/v1/canvases/${canvasId}/design-doc`, { body: { format: 'markdown' }, headers: { 'easel-share-token': link.body.token } });
		expect(guest.status).toBe(403);
		// Free plans have the fast tier only.
		const best = await h.start(canvasId, { format: 'markdown', tier: 'best' }, user);
		expect(best.status).toBe(402);
		expect(best.body.error.message).toMatch(/Upgrade to Pro/);
	});

	it("lets a team's viewer make one (it only reads the canvas), and costs nothing on the team's own key", async () => {
		const owner = await signUp(server.url, 'Owner');
		const team = await api(server.url, '/api/v1/teams', { token: owner.token, body: { name: 'Readers' } });
		const canvasId = (await api(server.url, '/api/v1/canvases', { token: owner.token, body: { title: 'Orders', teamId: team.body.id } })).body.id;
		const canvas = h.connect(`canvas:${canvasId}`, owner.token);
		await canvas.synced;
		seedCanvas(canvas.records);
		seedThreeTierDiagram(canvas.records);
		await waitFor(() => !canvas.provider.hasUnsyncedChanges);
		const viewer = await signUp(server.url, 'Viewer');
		const invite = await api(server.url, `/api/v1/teams/${team.body.id}/invitations`, { token: owner.token, body: { role: 'viewer' } });
		await api(server.url, `/api/v1/invitations/${invite.body.token}/accept`, { token: viewer.token, method: 'POST' });
		ai.enqueue({ kind: 'text', text: MODEL_DOCUMENT });
		const started = await h.start(canvasId, { format: 'markdown' }, viewer);
		expect(started.status).toBe(202);
		expect((await h.finished(canvasId, started.body.run.id, viewer)).status).toBe('succeeded');

		const saved = await api(server.url, `/api/v1/teams/${team.body.id}/ai-settings`, {
			method: 'PUT',
			token: owner.token,
			body: { provider: 'openai-compatible', baseUrl: ai.baseURL, models: { fast: 'team-fast' }, apiKey: 'team-secret-key' }
		});
		expect(saved.status, JSON.stringify(saved.body)).toBe(200);
		const teamCredits = async () => (await api(server.url, `/api/v1/teams/${team.body.id}/credits`, { token: owner.token })).body.balance as number;
		const before = await teamCredits();
		ai.enqueue({ kind: 'text', text: MODEL_DOCUMENT });
		const own = await h.start(canvasId, { format: 'both' }, owner);
		expect(own.body.run.estimatedCredits).toBe(0);
		const run = await h.finished(canvasId, own.body.run.id, owner);
		expect(run).toMatchObject({ status: 'succeeded', creditsCharged: 0, ownKey: true });
		expect(ai.generations().at(-1)).toMatchObject({ apiKey: 'team-secret-key', model: 'team-fast' });
		expect(await teamCredits()).toBe(before);
	});
});

describeEachServerDatabase('design documents without AI configured', (database) => {
	let server: RunningServer;
	const clients: CanvasClient[] = [];
	const h = helpers({ server: () => server, clients });

	beforeAll(async () => {
		// No picture either (no server Chromium): the document then has no image and the PDF none.
		server = await startServer({ env: { ...database().env, CHROMIUM_PATH: '' } });
	});
	afterAll(async () => {
		for (const client of clients) client.destroy();
		await server?.dispose();
	});

	it('makes a structural document (components and connections tables) for free', async () => {
		const { canvasId, chat, user } = await h.diagramCanvas();
		const before = await h.balance(user);
		const started = await h.start(canvasId, { format: 'both' }, user);
		expect(started.status, JSON.stringify(started.body)).toBe(202);
		expect(started.body.run.estimatedCredits).toBe(0);
		const run = await h.finished(canvasId, started.body.run.id, user);
		expect(run).toMatchObject({ status: 'succeeded', creditsCharged: 0 });
		expect(run.files.map((file: ApiBody) => file.name)).toEqual(['Orders.md', 'Orders.pdf']);
		const markdown: string = run.files[0].content;
		expect(markdown).toContain('# Orders — design document');
		expect(markdown).toContain('3 components and 2 connections');
		expect(markdown).toContain('| Orders API | service | Node.js |');
		expect(markdown).toContain('| Orders DB | database | PostgreSQL 17 |');
		expect(markdown).toContain('| Web app | Orders API | HTTPS |');
		expect(markdown).not.toContain('![Diagram]');
		await waitFor(() => h.answerOf(chat, started.body.run.messageId)?.status === 'done', 5000, 'the answer');
		expect(h.answerOf(chat, started.body.run.messageId)!.text).toContain('| Orders API | service | Node.js |');
		const pdf = await h.download(run.files[1].url, user);
		const text = (await readPdf(pdf.bytes)).text.join(' ');
		expect(text).toContain('Orders API');
		expect(text).toContain('PostgreSQL 17');
		expect(await h.balance(user)).toBe(before);
	});

	it('renders the document as edited to a PDF, free, for whoever may open the canvas', async () => {
		const { canvasId, user } = await h.diagramCanvas();
		const started = await h.start(canvasId, { format: 'markdown' }, user);
		const run = await h.finished(canvasId, started.body.run.id, user);
		const edited = `${run.files[0].content}\n\n## Decisions\n\nThe orders team owns the schema.\n`;
		const pdfPath = `/api/v1/canvases/${canvasId}/assistant/runs/${run.id}/pdf`;
		const response = await fetch(`${server.url}${pdfPath}`, {
			method: 'POST',
			headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' },
			body: JSON.stringify({ markdown: edited })
		});
		expect(response.status).toBe(200);
		expect(response.headers.get('content-type')).toBe('application/pdf');
		expect(response.headers.get('content-disposition')).toContain('attachment; filename="Orders.pdf"');
		const text = (await readPdf(new Uint8Array(await response.arrayBuffer()))).text.join(' ');
		expect(text).toContain('The orders team owns the schema.');

		const stranger = await signUp(server.url, 'Stranger');
		expect((await api(server.url, pdfPath, { token: stranger.token, body: { markdown: edited } })).status).toBe(404);
		const tooLong = await api(server.url, pdfPath, { token: user.token, body: { markdown: 'x'.repeat(200_001) } });
		expect(tooLong.status).toBe(400);
		expect(tooLong.body.error.message).toContain('at most 200,000 characters');
		expect((await api(server.url, pdfPath, { token: user.token, body: { markdown: '' } })).status).toBe(400);
	});
});

// Draining a team's credits and changing its plan need a database the test can reach while the server runs.
describeEachServerDatabase(
	'design documents and credits',
	(database) => {
		let ai: AiTestServer;
		let server: RunningServer;
		const clients: CanvasClient[] = [];
		const h = helpers({ server: () => server, clients });
		beforeAll(async () => {
			ai = await startOpenAiTestServer();
			server = await startServer({
				env: {
					...database().env,
					AI_PROVIDER: 'openai-compatible',
					AI_BASE_URL: ai.baseURL,
					AI_MODEL_FAST: 'fast-model',
					AI_MODEL_BALANCED: 'balanced-model',
					CHROMIUM_PATH: ''
				}
			});
		});
		afterAll(async () => {
			for (const client of clients) client.destroy();
			await server?.dispose();
			await ai?.close();
		});

		it("charges the tier's multiple on another tier", async () => {
			const { canvasId, user } = await h.diagramCanvas('Pro');
			await billing.setPlan(await database().direct(), user.personalTeamId, 'pro', null);
			const before = await h.balance(user);
			ai.enqueue({ kind: 'text', text: MODEL_DOCUMENT });
			const started = await h.start(canvasId, { format: 'both', tier: 'balanced' }, user);
			expect(started.body.run).toMatchObject({ tier: 'balanced', estimatedCredits: 15 });
			expect(await h.finished(canvasId, started.body.run.id, user)).toMatchObject({ status: 'succeeded', creditsCharged: 15 });
			expect(ai.generations().at(-1)!.model).toBe('balanced-model');
			expect(await h.balance(user)).toBe(before - 15);
		});

		it('refuses without enough credits, as the assistant does, and starts nothing', async () => {
			const { canvasId, chat, user } = await h.diagramCanvas('Broke');
			const granted = await h.balance(user);
			await credits.record(await database().direct(), user.personalTeamId, 2 - granted, 'adjustment', 'drained-by-test');
			const generations = ai.generations().length;
			const refused = await h.start(canvasId, { format: 'markdown' }, user);
			expect(refused.status).toBe(402);
			expect(refused.body.error).toMatchObject({ code: 'LIMIT_EXCEEDED', message: expect.stringMatching(/needs 3 AI credits and the team has 2/) });
			expect(ai.generations()).toHaveLength(generations);
			expect(await h.balance(user)).toBe(2);
			expect(readMessages(chat.doc)).toEqual([]);
		});
	},
	{ drivers: ['postgres'] }
);
