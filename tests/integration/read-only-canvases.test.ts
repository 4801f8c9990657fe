// A canvas over its team's plan limit (after a downgrade) is read-only everywhere: the socket, and
// every HTTP writer too — rename (API and both forms), named-version save and restore are refused
// with LIMIT_EXCEEDED naming the limit, while reading keeps working.
import { afterAll, beforeAll, expect, it } from 'vitest';
import * as billing from '../../src/lib/server/billing.ts';
import { sessionCookieName } from '../../src/lib/server/auth/sessions.ts';
import { api, createCanvas, signUp, type TestUser } from '../helpers/clients.ts';
import { describeEachServerDatabase } from '../helpers/server-databases.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';

describeEachServerDatabase(
	'a read-only (over-plan) canvas',
	(database) => {
		let server: RunningServer;
		let owner: TestUser;
		let editable: string;
		let readOnly: string;
		let versionId: string;

		beforeAll(async () => {
			server = await startServer({ env: database().env });
			owner = await signUp(server.url, 'Downgraded');
			const db = await database().direct();
			await billing.setPlan(db, owner.personalTeamId, 'pro', null);
			const ids: string[] = [];
			for (let i = 0; i < 11; i++) ids.push(await createCanvas(server.url, owner, `Canvas ${i}`));
			[editable, readOnly] = [ids[0], ids[10]];
			versionId = (await api(server.url, `/api/v1/canvases/${readOnly}/versions`, { token: owner.token, body: { label: 'Before the downgrade' } })).body.id;
			// The admin set-plan command does this: the 11th canvas is now beyond Free's 10.
			await billing.setPlan(db, owner.personalTeamId, 'free', null);
		});
		afterAll(() => server?.dispose());

		const expectPlanLimit = (response: { status: number; body: unknown }) => {
			expect(response.status).toBe(402);
			expect(response.body).toMatchObject({
				error: {
					code: 'LIMIT_EXCEEDED',
					message: expect.stringMatching(/read-only.*Free plan includes 10 canvases/),
					details: { limit: 'canvases', allowed: 10, used: 11, plan: 'free' }
				}
			});
		};
		const versionCount = async () => (await api(server.url, `/api/v1/canvases/${readOnly}/versions`, { token: owner.token })).body.versions.length;
		const title = async (id: string) => (await api(server.url, `/api/v1/canvases/${id}`, { token: owner.token })).body.title;

		/** Submits a page's form action as the page's enhanced form does (JSON answer). */
		async function formAction(path: string, fields: Record<string, string>) {
			const response = await fetch(`${server.url}${path}`, {
				method: 'POST',
				headers: {
					'content-type': 'application/x-www-form-urlencoded',
					origin: server.url,
					cookie: `${sessionCookieName(false)}=${owner.token}`,
					'x-sveltekit-action': 'true'
				},
				body: new URLSearchParams(fields)
			});
			return (await response.json()) as { type: string; status: number; data: string };
		}

		it('reports itself read-only and can still be read', async () => {
			const canvas = await api(server.url, `/api/v1/canvases/${readOnly}`, { token: owner.token });
			expect(canvas).toMatchObject({ status: 200, body: { canEdit: false } });
			expect((await api(server.url, `/api/v1/canvases/${readOnly}/document`, { token: owner.token })).status).toBe(200);
			expect((await api(server.url, `/api/v1/canvases/${readOnly}/versions/${versionId}`, { token: owner.token })).status).toBe(200);
			expect(await versionCount()).toBe(1);
		});

		it('refuses a rename through the API', async () => {
			expectPlanLimit(await api(server.url, `/api/v1/canvases/${readOnly}`, { method: 'PATCH', token: owner.token, body: { title: 'Renamed anyway' } }));
			expect(await title(readOnly)).toBe('Canvas 10');
		});

		it('refuses a restore, which would change its content', async () => {
			expectPlanLimit(await api(server.url, `/api/v1/canvases/${readOnly}/versions/${versionId}/restore`, { method: 'POST', token: owner.token }));
			expect(await versionCount()).toBe(1);
		});

		it('refuses saving a named version', async () => {
			expectPlanLimit(await api(server.url, `/api/v1/canvases/${readOnly}/versions`, { token: owner.token, body: { label: 'After' } }));
			expect(await versionCount()).toBe(1);
		});

		it('refuses a rename through the canvas page and the dashboard forms', async () => {
			for (const [path, fields] of [
				[`/c/${readOnly}?/rename`, { title: 'Renamed by form' }],
				[`/teams/${owner.personalTeamId}?/rename`, { canvasId: readOnly, title: 'Renamed on the dashboard' }]
			] as const) {
				const result = await formAction(path, fields);
				expect(result).toMatchObject({ type: 'failure', status: 402 });
				expect(result.data).toContain('LIMIT_EXCEEDED');
			}
			expect(await title(readOnly)).toBe('Canvas 10');
		});

		it('leaves the canvases within the limit editable', async () => {
			expect((await api(server.url, `/api/v1/canvases/${editable}`, { method: 'PATCH', token: owner.token, body: { title: 'Still mine to rename' } })).status).toBe(200);
			expect((await api(server.url, `/api/v1/canvases/${editable}/versions`, { token: owner.token, body: { label: 'Fine' } })).status).toBe(201);
		});
	},
	{ drivers: ['postgres'] }
);
