import type { APIRequestContext, Page } from '@playwright/test';
import { request as playwrightRequest } from '@playwright/test';
import { drawShape, expect, isReadonly, PASSWORD, SCREENS, shapeTypes, signInThroughUi, signUpThroughUi, test, waitForCanvas } from './fixtures.ts';
import { uniqueEmail } from '../helpers/unique.ts';

const NARROW = { width: 390, height: 800 };

async function createTeamWithSwitcher(page: Page, name: string): Promise<string> {
	await page.getByLabel(/^Switch team/).click();
	await page.getByRole('link', { name: 'Create team' }).click();
	const dialog = page.getByRole('dialog', { name: 'Create a team' });
	await dialog.getByLabel('Team name').fill(name);
	await dialog.getByRole('button', { name: 'Create team' }).click();
	await expect(page).toHaveURL(/\/teams\/[0-9a-f-]{36}$/);
	await expect(page.getByLabel(/^Switch team/)).toContainText(name);
	return page.url().split('/teams/')[1];
}

/** Creates an invitation on the members page and returns the path of its link. */
async function createInvitation(page: Page, options: { role?: string; uses?: string; email?: string } = {}): Promise<string> {
	const invite = page.getByRole('region', { name: 'Invite people' });
	if (options.role) await invite.getByRole('combobox', { name: /^Role/ }).selectOption(options.role);
	if (options.uses) await invite.getByRole('combobox', { name: /^Can be used/ }).selectOption(options.uses);
	if (options.email) await invite.getByLabel(/^Email/).fill(options.email);
	await invite.getByRole('button', { name: /Create invitation link|Send invitation/ }).click();
	await expect(page.getByTestId('invitation-created')).toBeVisible();
	const url = await page.getByLabel('Invitation link').inputValue();
	expect(url).toMatch(/\/invite\/[A-Za-z0-9_-]{43}$/);
	return new URL(url).pathname;
}

/** A user who signs up and joins through the API (a bearer-token request context). */
async function joinThroughApi(baseURL: string, invitePath: string, name: string): Promise<{ email: string; api: APIRequestContext }> {
	const email = uniqueEmail(name.toLowerCase());
	const anonymous = await playwrightRequest.newContext({ baseURL });
	const signup = await anonymous.post('/api/v1/auth/signup', { data: { email, password: PASSWORD, name } });
	expect(signup.status()).toBe(201);
	const { token } = (await signup.json()) as { token: string };
	await anonymous.dispose();
	const api = await playwrightRequest.newContext({ baseURL, extraHTTPHeaders: { authorization: `Bearer ${token}` } });
	const accepted = await api.post(`/api/v1/invitations/${invitePath.split('/invite/')[1]}/accept`);
	expect(accepted.status()).toBe(200);
	return { email, api };
}

test('create a team, invite by link, join through sign-up, edit together, demote to viewer and remove, live', async ({ browser }) => {
	const ownerContext = await browser.newContext();
	const owner = await ownerContext.newPage();
	await signUpThroughUi(owner, 'Olivia');

	// The switcher lists the personal team with the role, and creates a team.
	await owner.getByLabel(/^Switch team/).click();
	await expect(owner.getByRole('link', { name: /Olivia.*Personal · owner/ })).toBeVisible();
	await owner.screenshot({ path: `${SCREENS}/team-switcher.png` });
	await owner.getByRole('link', { name: 'Create team' }).click();
	await owner.getByRole('dialog', { name: 'Create a team' }).getByLabel('Team name').fill('Design crew');
	await owner.screenshot({ path: `${SCREENS}/team-create-dialog.png` });
	await owner.getByRole('dialog', { name: 'Create a team' }).getByRole('button', { name: 'Cancel' }).click();
	const teamId = await createTeamWithSwitcher(owner, 'Design crew');
	await expect(owner.getByText('Create your first canvas')).toBeVisible();

	// Members: only the owner so far; invite an editor by link.
	await owner.getByRole('link', { name: 'Members' }).click();
	await expect(owner.getByRole('heading', { name: 'Members' })).toBeVisible();
	await expect(owner.getByTestId('member-row')).toHaveCount(1);
	await expect(owner.getByText('No pending invitations.')).toBeVisible();
	await owner.screenshot({ path: `${SCREENS}/members-owner-alone.png`, fullPage: true });
	const invitePath = await createInvitation(owner, { role: 'editor' });
	await expect(owner.getByTestId('invitation-row')).toHaveCount(1);
	await expect(owner.getByTestId('invitation-row')).toContainText('Single use');
	await expect(owner.getByTestId('invitation-row').getByRole('button', { name: 'Copy link' })).toBeVisible();
	await owner.screenshot({ path: `${SCREENS}/members-invitation-created.png`, fullPage: true });

	// The invitee opens the link signed out, signs up from it, comes back and joins.
	const inviteeContext = await browser.newContext();
	const invitee = await inviteeContext.newPage();
	const invitePage = await invitee.goto(invitePath);
	expect(invitePage?.status()).toBe(200);
	await expect(invitee.getByRole('heading', { name: 'Design crew' })).toBeVisible();
	await expect(invitee.getByText('Olivia invited you to join')).toBeVisible();
	await expect(invitee.locator('meta[name="referrer"]')).toHaveAttribute('content', 'no-referrer');
	await invitee.screenshot({ path: `${SCREENS}/invite-signed-out.png` });
	await invitee.setViewportSize(NARROW);
	await invitee.screenshot({ path: `${SCREENS}/invite-signed-out-narrow.png` });
	await invitee.setViewportSize({ width: 1280, height: 800 });
	await invitee.getByRole('link', { name: 'Sign up to join' }).click();
	await expect(invitee).toHaveURL(/\/signup\?next=%2Finvite%2F/);
	await invitee.getByLabel('Name').fill('Ivan');
	await invitee.getByLabel('Email').fill(uniqueEmail('ivan'));
	await invitee.getByLabel('Password').fill(PASSWORD);
	await invitee.getByRole('button', { name: 'Create account' }).click();
	await expect(invitee).toHaveURL(new RegExp(`${invitePath}$`));
	await invitee.screenshot({ path: `${SCREENS}/invite-signed-in.png` });
	await invitee.getByRole('button', { name: 'Join Design crew' }).click();
	await expect(invitee).toHaveURL(new RegExp(`/teams/${teamId}$`));
	await expect(invitee.getByLabel(/^Switch team/)).toContainText('Design crew');
	await expect(invitee.getByRole('heading', { name: 'Canvases' })).toBeVisible();

	// The single-use invitation is used up: no longer pending, and its page says so.
	await owner.reload();
	await expect(owner.getByTestId('member-row')).toHaveCount(2);
	await expect(owner.getByTestId('invitation-row')).toHaveCount(0);
	const strangerContext = await browser.newContext();
	const stranger = await strangerContext.newPage();
	const usedPage = await stranger.goto(invitePath);
	expect(usedPage?.status()).toBe(410);
	await expect(stranger.getByRole('heading', { name: 'This invitation is no longer valid' })).toBeVisible();
	await expect(stranger.getByText('already been used')).toBeVisible();
	await stranger.screenshot({ path: `${SCREENS}/invite-used.png` });
	await strangerContext.close();

	// Both edit one canvas live.
	await owner.goto(`/teams/${teamId}`);
	await owner.getByLabel('New canvas title').fill('Roadmap');
	await owner.getByRole('button', { name: 'New canvas' }).click();
	await expect(owner).toHaveURL(/\/c\/[0-9a-f-]{36}$/);
	await waitForCanvas(owner);
	await expect(owner.getByRole('button', { name: 'Share', exact: true })).toBeVisible();
	await invitee.reload();
	await invitee.getByRole('link', { name: /Roadmap/ }).click();
	await waitForCanvas(invitee);
	await expect(invitee.getByTestId('view-only')).toHaveCount(0);
	// Editors do not manage share links.
	await expect(invitee.getByRole('button', { name: 'Share', exact: true })).toHaveCount(0);
	await drawShape(owner, 'r', { x: 300, y: 250 }, { x: 450, y: 350 });
	await expect.poll(() => shapeTypes(invitee)).toContain('rectangle');
	await drawShape(invitee, 'o', { x: 600, y: 400 }, { x: 700, y: 480 });
	await expect.poll(() => shapeTypes(owner)).toContain('ellipse');

	// The owner makes Ivan a viewer: his open canvas turns read-only without a reload.
	const members = await ownerContext.newPage();
	await members.goto(`/teams/${teamId}/members`);
	await members.getByRole('combobox', { name: 'Role for Ivan' }).selectOption('viewer');
	await expect(members.getByRole('status').filter({ hasText: 'Ivan is now a viewer.' })).toBeVisible();
	await expect(invitee.getByTestId('view-only')).toBeVisible();
	await expect.poll(() => isReadonly(invitee)).toBe(true);
	await expect(invitee.getByRole('button', { name: 'Roadmap' })).toHaveCount(0); // no renaming either
	await invitee.screenshot({ path: `${SCREENS}/canvas-demoted-view-only.png` });
	await members.screenshot({ path: `${SCREENS}/members-two.png`, fullPage: true });
	await members.setViewportSize(NARROW);
	await members.screenshot({ path: `${SCREENS}/members-narrow.png`, fullPage: true });
	await members.setViewportSize({ width: 1280, height: 800 });

	// And back to editor: editing again, live.
	await members.getByRole('combobox', { name: 'Role for Ivan' }).selectOption('editor');
	await expect(invitee.getByTestId('view-only')).toHaveCount(0);
	await expect.poll(() => isReadonly(invitee)).toBe(false);

	// Removing Ivan: his open canvas says he lost access.
	await members.getByRole('button', { name: 'Remove Ivan' }).click();
	const removeDialog = members.getByRole('dialog', { name: 'Remove Ivan?' });
	await expect(removeDialog).toContainText('loses access');
	await members.screenshot({ path: `${SCREENS}/members-remove-confirm.png` });
	await removeDialog.getByRole('button', { name: 'Remove' }).click();
	await expect(members.getByTestId('member-row')).toHaveCount(1);
	await expect(members.getByRole('status').filter({ hasText: 'Removed Ivan from Design crew.' })).toBeVisible();
	await expect(invitee.getByRole('alert')).toContainText('no longer have access');
	await invitee.screenshot({ path: `${SCREENS}/canvas-removed.png` });
	await invitee.goto(`/teams/${teamId}`);
	await expect(invitee.getByRole('heading', { name: 'Not found' })).toBeVisible();

	await ownerContext.close();
	await inviteeContext.close();
});

test('roles: the last owner stays, ownership moves, viewers see less, admins leave; invitations by email and revoked', async ({ browser, baseURL }) => {
	const ownerContext = await browser.newContext();
	const owner = await ownerContext.newPage();
	await signUpThroughUi(owner, 'Paula');

	// The all-teams page creates teams too (the no-JavaScript path of "Create team").
	await owner.goto('/teams');
	await owner.screenshot({ path: `${SCREENS}/teams-page.png` });
	await owner.getByLabel('Team name').fill('   ');
	await owner.getByRole('button', { name: 'Create team' }).click();
	await expect(owner.getByRole('alert')).toHaveText('Team name must not be empty.');
	await owner.getByLabel('Team name').fill('Atlas');
	await owner.getByRole('button', { name: 'Create team' }).click();
	await expect(owner).toHaveURL(/\/teams\/[0-9a-f-]{36}$/);
	const teamId = owner.url().split('/teams/')[1];
	await owner.getByLabel('New canvas title').fill('Plan');
	await owner.getByRole('button', { name: 'New canvas' }).click();
	await expect(owner).toHaveURL(/\/c\//);
	const canvasUrl = owner.url();

	await owner.goto(`/teams/${teamId}/members`);
	const linkPath = await createInvitation(owner, { role: 'editor', uses: 'unlimited' });
	await expect(owner.getByTestId('invitation-row')).toContainText('no limit');
	const quinn = await joinThroughApi(baseURL, linkPath, 'Quinn');
	const ravi = await joinThroughApi(baseURL, linkPath, 'Ravi');
	await owner.reload();
	await expect(owner.getByTestId('member-row')).toHaveCount(3);
	// Reloaded: the link itself is gone (only its hash is kept), the invitation stays pending.
	await expect(owner.getByTestId('invitation-row')).toContainText('2 joined');
	await expect(owner.getByTestId('invitation-row').getByRole('button', { name: 'Copy link' })).toHaveCount(0);

	// By email: no mail server, so the link is shown to send by hand.
	await createInvitation(owner, { role: 'viewer', email: 'sara@example.com' });
	await expect(owner.getByTestId('invitation-created')).toContainText('No email was sent');
	await expect(owner.getByTestId('invitation-row').filter({ hasText: 'sara@example.com' })).toContainText('viewer');
	// A bad number of uses is refused with the reason.
	const invite = owner.getByRole('region', { name: 'Invite people' });
	await invite.getByRole('combobox', { name: /^Can be used/ }).selectOption('limited');
	await invite.getByLabel('Number of uses').evaluate((input: HTMLInputElement) => input.removeAttribute('min'));
	await invite.getByLabel('Number of uses').fill('0');
	await invite.getByRole('button', { name: 'Create invitation link' }).click();
	await expect(invite.getByRole('alert')).toHaveText('maxUses must be at least 1.');
	await owner.screenshot({ path: `${SCREENS}/members-invite-error.png`, fullPage: true });

	// Revoking an invitation: it leaves the list and its link stops working.
	const sara = owner.getByTestId('invitation-row').filter({ hasText: 'sara@example.com' });
	await owner.reload();
	const emailPath = await createInvitation(owner, { role: 'viewer', email: 'tom@example.com' });
	await owner.getByTestId('invitation-row').filter({ hasText: 'tom@example.com' }).getByRole('button', { name: 'Revoke' }).click();
	await expect(owner.getByTestId('invitation-row').filter({ hasText: 'tom@example.com' })).toHaveCount(0);
	await expect(sara).toHaveCount(1);
	const visitorContext = await browser.newContext();
	const visitor = await visitorContext.newPage();
	expect((await visitor.goto(emailPath))?.status()).toBe(410);
	await expect(visitor.getByRole('heading', { name: 'This invitation is no longer valid' })).toBeVisible();
	await expect(visitor.getByText('was withdrawn')).toBeVisible();
	await visitor.screenshot({ path: `${SCREENS}/invite-revoked.png` });
	expect((await visitor.goto(`/invite/${'x'.repeat(43)}`))?.status()).toBe(404);
	await expect(visitor.getByRole('heading', { name: 'This invitation is no longer valid' })).toBeVisible();
	await visitor.setViewportSize(NARROW);
	await visitor.screenshot({ path: `${SCREENS}/invite-unknown-narrow.png` });
	await visitorContext.close();

	// The last owner cannot step down; the select shows the real role again.
	await owner.getByRole('combobox', { name: 'Role for Paula' }).selectOption('admin');
	await expect(owner.getByRole('alert')).toHaveText('A team needs at least one owner: make someone else an owner first.');
	await expect(owner.getByRole('combobox', { name: 'Role for Paula' })).toHaveValue('owner');
	await owner.screenshot({ path: `${SCREENS}/members-last-owner.png` });
	// Nor leave.
	await owner.goto(`/teams/${teamId}/settings`);
	await owner.getByRole('button', { name: 'Leave team' }).click();
	await owner.getByRole('dialog', { name: 'Leave Atlas?' }).getByRole('button', { name: 'Leave team' }).click();
	await expect(owner.getByRole('alert')).toHaveText('You are the last owner: transfer ownership or delete the team instead.');

	// A viewer sees the team but not what admins see.
	await owner.goto(`/teams/${teamId}/members`);
	await owner.getByRole('combobox', { name: 'Role for Ravi' }).selectOption('viewer');
	await expect(owner.getByRole('status').filter({ hasText: 'Ravi is now a viewer.' })).toBeVisible();
	const raviContext = await browser.newContext();
	const raviPage = await raviContext.newPage();
	await signInThroughUi(raviPage, ravi.email);
	await raviPage.goto(`/teams/${teamId}`);
	await expect(raviPage.getByRole('link', { name: 'Members' })).toBeVisible();
	await expect(raviPage.getByRole('link', { name: 'Activity' })).toHaveCount(0);
	await expect(raviPage.getByLabel('New canvas title')).toHaveCount(0);
	await expect(raviPage.getByRole('button', { name: 'Rename' })).toHaveCount(0);
	await raviPage.screenshot({ path: `${SCREENS}/dashboard-viewer.png` });
	await raviPage.getByRole('link', { name: 'Members' }).click();
	await expect(raviPage.getByRole('region', { name: 'Invite people' })).toHaveCount(0);
	await expect(raviPage.getByRole('combobox')).toHaveCount(0);
	await raviPage.screenshot({ path: `${SCREENS}/members-viewer.png`, fullPage: true });
	expect((await raviPage.goto(`/teams/${teamId}/activity`))?.status()).toBe(403);
	await raviPage.goto(canvasUrl);
	await waitForCanvas(raviPage);
	await expect(raviPage.getByTestId('view-only')).toBeVisible();
	await expect.poll(() => isReadonly(raviPage)).toBe(true);
	await expect(raviPage.getByRole('button', { name: 'Share', exact: true })).toHaveCount(0);
	await raviPage.screenshot({ path: `${SCREENS}/canvas-viewer.png` });
	await raviContext.close();

	// Ownership moves to Quinn; Paula becomes an admin and may no longer rename the team.
	await owner.getByRole('button', { name: 'Make owner' }).first().waitFor();
	await owner.getByTestId('member-row').filter({ hasText: 'Quinn' }).getByRole('button', { name: 'Make owner' }).click();
	await owner.getByRole('dialog', { name: 'Make Quinn the owner?' }).getByRole('button', { name: 'Transfer ownership' }).click();
	await expect(owner.getByRole('status').filter({ hasText: 'Quinn now owns Atlas; you are an admin.' })).toBeVisible();
	await expect(owner.getByTestId('member-row').filter({ hasText: 'Quinn' })).toContainText('owner');
	await owner.goto(`/teams/${teamId}/settings`);
	await expect(owner.getByText('Only owners can rename the team. You are an admin.')).toBeVisible();
	await expect(owner.getByRole('heading', { name: 'Delete team' })).toHaveCount(0);
	await owner.screenshot({ path: `${SCREENS}/settings-admin.png` });

	// Activity, in plain words.
	await owner.getByRole('link', { name: 'Activity' }).click();
	const rows = owner.getByTestId('activity-row');
	await expect(rows.filter({ hasText: "Paula changed Ravi's role from editor to viewer" })).toHaveCount(1);
	await expect(rows.filter({ hasText: 'Paula made Quinn an owner and became an admin' })).toHaveCount(1);
	await expect(rows.filter({ hasText: 'Quinn joined as an editor through an invitation' })).toHaveCount(1);
	await expect(rows.filter({ hasText: 'Paula invited sara@example.com as a viewer' })).toHaveCount(1);
	await expect(rows.filter({ hasText: 'Paula revoked an invitation' })).toHaveCount(1);
	await expect(rows.filter({ hasText: 'Paula created the team “Atlas”' })).toHaveCount(1);
	await expect(rows.filter({ hasText: 'Paula created “Plan”' })).toHaveCount(1);
	await expect(rows.first()).toContainText(/from (127\.0\.0\.1|::1|::ffff:127\.0\.0\.1)/);
	await expect(owner.getByText("That's everything.")).toBeVisible();
	await owner.screenshot({ path: `${SCREENS}/activity.png`, fullPage: true });
	await owner.setViewportSize(NARROW);
	await owner.screenshot({ path: `${SCREENS}/activity-narrow.png`, fullPage: true });
	await owner.setViewportSize({ width: 1280, height: 800 });

	// Many entries page back with "Load older".
	for (let i = 0; i < 55; i++) {
		const created = await quinn.api.post(`/api/v1/teams/${teamId}/invitations`, { data: { role: 'viewer', expiresInDays: 1 } });
		expect(created.status()).toBe(201);
	}
	await owner.reload();
	await expect(rows).toHaveCount(50);
	await expect(rows.first()).toContainText('Quinn created an invitation link to join as a viewer (no use limit)');
	await owner.getByRole('link', { name: 'Load older' }).click();
	await expect(rows).toHaveCount(10 + 55); // everything so far: ten changes above, then the 55 invitations
	await expect(rows.last()).toContainText('Paula created the team “Atlas”');
	await expect(owner.getByRole('link', { name: 'Load older' })).toHaveCount(0);

	// An admin may leave: she lands back in her personal team, and Atlas is gone from the switcher.
	await owner.goto(`/teams/${teamId}/settings`);
	await owner.getByRole('button', { name: 'Leave team' }).click();
	await owner.getByRole('dialog', { name: 'Leave Atlas?' }).getByRole('button', { name: 'Leave team' }).click();
	await expect(owner.getByRole('heading', { name: 'Canvases' })).toBeVisible();
	await expect(owner.getByLabel(/^Switch team/)).toContainText('Paula');
	await owner.getByLabel(/^Switch team/).click();
	await expect(owner.getByRole('link', { name: /Atlas/ })).toHaveCount(0);

	await quinn.api.dispose();
	await ravi.api.dispose();
	await ownerContext.close();
});

test('settings: rename and delete a team by typing its name; the personal team stays', async ({ page }) => {
	await signUpThroughUi(page, 'Uma');
	const personalId = page.url().split('/teams/')[1];
	await page.getByRole('link', { name: 'Settings' }).click();
	await expect(page.getByRole('heading', { name: 'Personal team' })).toBeVisible();
	await expect(page.getByRole('heading', { name: 'Delete team' })).toHaveCount(0);
	await expect(page.getByRole('button', { name: 'Leave team' })).toHaveCount(0);
	await page.screenshot({ path: `${SCREENS}/settings-personal.png` });

	const teamId = await createTeamWithSwitcher(page, 'Scratch');
	await page.getByRole('link', { name: 'Settings' }).click();
	const name = page.getByRole('textbox', { name: 'Team name' });
	await name.evaluate((input: HTMLInputElement) => input.removeAttribute('maxlength'));
	await name.fill('x'.repeat(81));
	await page.getByRole('button', { name: 'Rename' }).click();
	await expect(page.getByRole('alert')).toHaveText('Team name must be at most 80 characters.');
	await name.fill('Scratch pad');
	await page.getByRole('button', { name: 'Rename' }).click();
	await expect(page.getByRole('status').filter({ hasText: 'Renamed to Scratch pad.' })).toBeVisible();
	await expect(page.getByLabel(/^Switch team/)).toContainText('Scratch pad');
	await page.screenshot({ path: `${SCREENS}/settings-owner.png`, fullPage: true });

	const deleteButton = page.getByRole('button', { name: 'Delete this team' });
	await expect(deleteButton).toBeDisabled();
	await page.getByLabel(/to confirm/).fill('Scratch');
	await expect(deleteButton).toBeDisabled();
	await page.getByLabel(/to confirm/).fill('Scratch pad');
	await page.setViewportSize(NARROW);
	await page.screenshot({ path: `${SCREENS}/settings-owner-narrow.png`, fullPage: true });
	await page.setViewportSize({ width: 1280, height: 800 });
	await deleteButton.click();
	// It goes to the trash: gone for everyone, listed for its owner with Restore.
	await expect(page).toHaveURL(/\/teams#deleted-teams$/);
	const deleted = page.getByTestId('deleted-team');
	await expect(deleted).toHaveCount(1);
	await expect(deleted).toContainText('Scratch pad');
	await expect(deleted).toContainText('deleted for good in 30 days');
	await expect(page.getByRole('link', { name: /Scratch pad/ })).toHaveCount(0);
	await page.screenshot({ path: `${SCREENS}/teams-deleted.png`, fullPage: true });
	await page.setViewportSize(NARROW);
	await page.screenshot({ path: `${SCREENS}/teams-deleted-narrow.png`, fullPage: true });
	await page.setViewportSize({ width: 1280, height: 800 });
	expect((await page.goto(`/teams/${teamId}`))?.status()).toBe(404);
	await page.goto('/teams');
	await page.getByTestId('deleted-team').getByRole('button', { name: 'Restore' }).click();
	await expect(page).toHaveURL(new RegExp(`/teams/${teamId}$`));
	await expect(page.getByLabel(/^Switch team/)).toContainText('Scratch pad');
	await page.goto('/teams');
	await expect(page.getByTestId('deleted-team')).toHaveCount(0);
	expect(personalId).not.toBe(teamId);
});

test('dashboard: duplicate a canvas, and move one to another team an admin runs', async ({ page }) => {
	await signUpThroughUi(page, 'Vera');
	await page.getByLabel('New canvas title').fill('Sketch');
	await page.getByRole('button', { name: 'New canvas' }).click();
	await waitForCanvas(page);
	await drawShape(page, 'r', { x: 300, y: 250 }, { x: 450, y: 350 });
	await expect.poll(() => shapeTypes(page)).toContain('rectangle');
	await page.getByRole('link', { name: 'Back to canvases' }).click();

	// With only one team there is nowhere to move to.
	const tiles = page.getByTestId('canvas-tile');
	await expect(tiles.getByRole('button', { name: 'Move…' })).toHaveCount(0);
	await tiles.filter({ hasText: 'Sketch' }).getByRole('button', { name: 'Duplicate' }).click();
	await expect(tiles).toHaveCount(2);
	await expect(page.getByRole('status').filter({ hasText: 'Made a copy: Sketch (copy).' })).toBeVisible();
	await page.getByRole('link', { name: 'Sketch (copy)' }).first().click();
	await waitForCanvas(page);
	await expect.poll(() => shapeTypes(page)).toContain('rectangle');

	await page.getByRole('link', { name: 'Back to canvases' }).click();
	await expect(page).toHaveURL(/\/teams\/[0-9a-f-]{36}$/);
	const personalId = page.url().split('/teams/')[1];
	const otherId = await createTeamWithSwitcher(page, 'Studio');
	await page.goto(`/teams/${personalId}`);
	await tiles.filter({ hasText: 'Sketch (copy)' }).getByRole('button', { name: 'Move…' }).click();
	const dialog = page.getByRole('dialog', { name: 'Move to another team' });
	await expect(dialog.getByRole('combobox', { name: 'Team' })).toHaveValue(otherId);
	await page.screenshot({ path: `${SCREENS}/dashboard-move.png` });
	await dialog.getByRole('button', { name: 'Move canvas' }).click();
	await expect(page.getByRole('status').filter({ hasText: 'Moved Sketch (copy) to Studio.' })).toBeVisible();
	await expect(tiles).toHaveCount(1);
	await page.screenshot({ path: `${SCREENS}/dashboard-actions.png` });
	await page.setViewportSize(NARROW);
	await page.screenshot({ path: `${SCREENS}/dashboard-actions-narrow.png`, fullPage: true });
	await page.getByRole('status').getByRole('link', { name: 'Studio' }).click();
	await expect(tiles).toHaveCount(1);
	await expect(tiles).toContainText('Sketch (copy)');
});

test('without JavaScript: switch and create teams, invite, rename and delete', async ({ browser }) => {
	const context = await browser.newContext({ javaScriptEnabled: false });
	const page = await context.newPage();
	await signUpThroughUi(page, 'Wes');
	// The switcher is a plain disclosure; "Create team" leads to the teams page.
	await page.getByLabel(/^Switch team/).click();
	await page.getByRole('link', { name: 'Create team' }).click();
	await expect(page.getByRole('heading', { name: 'Your teams' })).toBeVisible();
	await page.getByLabel('Team name').fill('Offline club');
	await page.getByRole('button', { name: 'Create team' }).click();
	await expect(page.getByLabel(/^Switch team/)).toContainText('Offline club');

	await page.getByRole('link', { name: 'Members' }).click();
	const link = await createInvitation(page, { role: 'viewer' });
	expect(link).toMatch(/^\/invite\//);
	await expect(page.getByRole('combobox', { name: 'Role for Wes' })).toHaveValue('owner');
	await page.getByTestId('invitation-row').getByRole('button', { name: 'Revoke' }).click();
	await expect(page.getByTestId('invitation-row')).toHaveCount(0);

	await page.getByRole('link', { name: 'Settings' }).click();
	await page.getByRole('textbox', { name: 'Team name' }).fill('Offline club 2');
	await page.getByRole('button', { name: 'Rename' }).click();
	await expect(page.getByText('Renamed to Offline club 2.')).toBeVisible();
	await page.getByLabel(/to confirm/).fill('Offline club 2');
	await page.getByRole('button', { name: 'Delete this team' }).click();
	await expect(page.getByRole('heading', { name: 'Deleted teams' })).toBeVisible();
	await page.getByTestId('deleted-team').getByRole('button', { name: 'Restore' }).click();
	await expect(page.getByLabel(/^Switch team/)).toContainText('Offline club 2');
	await context.close();
});
