// New-member welcome calls on the campaign's Results tab, in a real Chromium against the real server
// and the built app: the organizer makes a campaign a welcome campaign in its settings (the list
// column with the join date), callers reach some of the new members, and the Results tab shows how
// many were welcomed within their two weeks and who is still waiting, most urgent first.
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createUser } from '../../server/src/modules/accounts/accounts.service';
import { changeStatus, createCampaign } from '../../server/src/modules/campaigns/campaigns.service';
import { ALWAYS_WINDOW } from '../../server/src/modules/campaigns/outcomes';
import { addMembership, insertOrganisation } from '../../server/src/modules/organisations/organisations.service';
import { createGroupAsSystem } from '../../server/src/modules/target-groups/target-groups.service';
import { MEMBER_REGISTER, PASSWORD, root, startTestServer, type TestServer } from '../../server/test/harness';
import { launchBrowser, signIn } from './browser';

const SHOTS = path.join(root, 'test-output', 'screenshots');
const ORGANIZER = { name: 'Karin Sjögren', email: 'karin@valkommen.example' };

/** A day `days` before today (Stockholm is never a day off from UTC at noon). */
function daysAgo(days: number): string {
  return new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);
}

// Who joined when, and what the caller does: reached in time, reached late, waiting overdue, waiting within their two weeks.
const MEMBERS = [
  { name: 'Anna', joined: daysAgo(5), call: 'conversation' },
  { name: 'Bo', joined: daysAgo(20), call: 'conversation' },
  { name: 'Cecilia', joined: daysAgo(30), call: 'no-answer' },
  { name: 'David', joined: daysAgo(18), call: null },
  { name: 'Eva', joined: daysAgo(3), call: null },
] as const;

let server: TestServer;
let browser: Browser;
let page: Page;
let campaignId = '';
let orgId = '';

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
  const { db } = server;
  const { clock, importer, calling, stats } = server.app.ctx;
  const org = await insertOrganisation(db, clock, null, { name: 'S-föreningen Välkommen', kind: 'association', country: 'SE' }, null);
  orgId = org.id;
  const organizer = await createUser(db, clock, { ...ORGANIZER, password: PASSWORD });
  await addMembership(db, clock, organizer.id, org.id, 'organizer', null);
  const caller = await createUser(db, clock, { name: 'Olle Ringare', email: 'olle@valkommen.example', password: PASSWORD });
  await addMembership(db, clock, caller.id, org.id, 'caller', null);

  const dir = mkdtempSync(path.join(tmpdir(), 'ringa-welcome-'));
  const filePath = path.join(dir, 'nya.csv');
  writeFileSync(filePath, ['Förnamn;Efternamn;Mobil;Medlem sedan', ...MEMBERS.map((member, i) => `${member.name};Nysson;070-225 40 0${i};${member.joined}`)].join('\n'));
  const listId = await importer.start({ organisationId: org.id, name: 'Nya medlemmar', country: 'SE', filePath, originalName: 'nya.csv', source: MEMBER_REGISTER, createdBy: organizer.id, removeFile: true });
  await importer.wait(listId);
  const group = await createGroupAsSystem(db, clock, org.id, { name: 'Nya medlemmar', listIds: [listId], filters: [] });
  const campaign = await createCampaign(db, clock, organizer.id, org.id, { name: 'Välkomstsamtal hösten', callingWindow: ALWAYS_WINDOW, targetGroupIds: [group.id], shownAttributes: ['Medlem sedan'] });
  campaignId = campaign.id;
  await changeStatus(db, clock, organizer.id, campaign.id, 'active');
  for (;;) {
    const { assignment } = await calling.next(caller.id, campaignId);
    if (!assignment) break;
    const plan = MEMBERS.find((member) => member.name === assignment.contact.firstName)?.call ?? null;
    if (plan === null) await calling.release(caller.id, assignment.id);
    else await calling.complete(caller.id, { assignmentId: assignment.id, key: randomUUID(), outcome: plan, answers: {} });
    if (plan === null) await db.updateTable('campaignContact').set({ state: 'done', doneReason: 'test' }).where('campaignId', '=', campaignId).where('personId', '=', assignment.contact.id).execute();
  }
  await stats.flush();

  const context = await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  await signIn(page, server.url, ORGANIZER.email, PASSWORD);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

test('the organizer makes it a welcome campaign and sees who was welcomed in time and who waits', async () => {
  await page.goto(`${server.url}/campaigns/${campaignId}`);
  await page.getByRole('navigation', { name: 'Parts of the campaign' }).getByRole('link', { name: 'Settings' }).click();
  await page.getByLabel('New-member welcome calls').selectOption('Medlem sedan');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect.poll(() => server.db.selectFrom('campaign').select('welcomeAttribute').where('id', '=', campaignId).executeTakeFirstOrThrow()).toEqual({ welcomeAttribute: 'Medlem sedan' });

  await page.getByRole('navigation', { name: 'Parts of the campaign' }).getByRole('link', { name: 'Results' }).click();
  const report = page.getByTestId('welcome-report');
  await report.getByRole('heading', { name: 'New members welcomed' }).waitFor();
  // Anna in time; Bo reached late; Cecilia (tried) and David overdue; Eva within her two weeks.
  await expect.poll(() => report.locator('.share').textContent()).toBe('25% welcomed in time (1 of 4 whose two weeks are over or who were reached)');
  const figure = (name: string) => report.locator(`[data-figure="${name}"]`).textContent();
  expect([await figure('in-time'), await figure('late'), await figure('overdue'), await figure('open')]).toEqual(['1', '1', '2', '1']);
  const rows = await report.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [tr.querySelector('th')?.textContent?.trim(), tr.querySelector('td:last-child')?.textContent?.trim()]));
  expect(rows).toEqual([
    ['Cecilia Nysson', 'Overdue'],
    ['David Nysson', 'Overdue'],
    ['Eva Nysson', 'Within two weeks'],
  ]);
  await report.scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(SHOTS, 'welcome-report-1280.png'), fullPage: true });
  await page.setViewportSize({ width: 375, height: 900 });
  await page.waitForTimeout(150);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
  await page.screenshot({ path: path.join(SHOTS, 'welcome-report-375.png'), fullPage: true });
});

test('the organisation’s Results tab says how many new members were welcomed in time, without names', async () => {
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(`${server.url}/orgs/${orgId}?tab=results`);
  const share = page.getByTestId('welcome-share');
  await expect.poll(() => share.locator('.share').textContent(), { timeout: 10_000 }).toBe('25% welcomed in time (1 of 4 whose two weeks are over or who were reached)');
  expect(await share.textContent()).not.toContain('Nysson');
});
