// How a campaign's calls are dialled, in the campaign's settings, in a real Chromium against the real
// server and the built app: on the callers' own phones only "callers dial themselves" can be chosen and
// the screen says why; on the practice line the organizer chooses "Ringa rings several numbers for each
// caller" with 3 lines, is warned what more lines mean, saves, and finds it so after a reload (and the
// server has it). Going back to own phones sends preview again.
import path from 'node:path';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createUser } from '../../server/src/modules/accounts/accounts.service';
import { createCampaign } from '../../server/src/modules/campaigns/campaigns.service';
import { addMembership, insertOrganisation } from '../../server/src/modules/organisations/organisations.service';
import { createGroupAsSystem } from '../../server/src/modules/target-groups/target-groups.service';
import { MEMBER_REGISTER, PASSWORD, root, startTestServer, type TestServer } from '../../server/test/harness';
import { launchBrowser, screenshotsAtWidths, signIn } from './browser';

const SHOTS = path.join(root, 'test-output', 'screenshots');
const ORGANIZER = { name: 'Maja Kampanjledare', email: 'maja@uppringning.example' };

let server: TestServer;
let browser: Browser;
let page: Page;
let campaignId = '';

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
  const { db } = server;
  const { clock, importer } = server.app.ctx;
  const org = await insertOrganisation(db, clock, null, { name: 'S-föreningen Uppringning', kind: 'association', country: 'SE' }, null);
  const organizer = await createUser(db, clock, { ...ORGANIZER, password: PASSWORD });
  await addMembership(db, clock, organizer.id, org.id, 'organizer', null);
  const filePath = path.join(mkdtempSync(path.join(tmpdir(), 'ringa-dial-mode-')), 'lista.csv');
  writeFileSync(filePath, 'Förnamn;Mobil\nAnna;070-445 10 01\nBo;070-445 10 02\n');
  const listId = await importer.start({ organisationId: org.id, name: 'Lista', country: 'SE', filePath, originalName: 'lista.csv', source: MEMBER_REGISTER, createdBy: organizer.id, removeFile: true });
  await importer.wait(listId);
  const group = await createGroupAsSystem(db, clock, org.id, { name: 'Alla', listIds: [listId], filters: [] });
  campaignId = (await createCampaign(db, clock, organizer.id, org.id, { name: 'Ringkväll i december', targetGroupIds: [group.id] })).id;
  const context = await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.on('dialog', (dialog) => void dialog.dismiss());
  await signIn(page, server.url, ORGANIZER.email, PASSWORD);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const dialModes = () => page.getByRole('group', { name: 'How calls are dialled' });
const stored = () => server.db.selectFrom('campaign').select(['dialing', 'dialMode', 'linesPerCaller']).where('id', '=', campaignId).executeTakeFirstOrThrow();

test("on the callers' own phones only 'callers dial themselves' can be chosen, and the screen says why", async () => {
  await page.goto(`${server.url}/campaigns/${campaignId}?tab=settings`);
  await dialModes().waitFor();
  expect(await dialModes().getByRole('radio', { name: /Callers dial themselves/ }).isChecked()).toBe(true);
  expect(await dialModes().getByRole('radio', { name: /Ringa rings several numbers/ }).isDisabled()).toBe(true);
  expect(await dialModes().getByRole('radio', { name: /Ringa paces the calls/ }).isDisabled()).toBe(true);
  await expect.poll(() => page.getByTestId('dial-mode-own-phone').textContent()).toContain('only when calls go through the browser');
});

test('on the practice line the organizer chooses power with 3 lines, is warned, saves, and it stays after a reload', async () => {
  await page.getByRole('radio', { name: /Practice, no real calls/ }).check();
  await dialModes().getByRole('radio', { name: /Ringa rings several numbers/ }).check();
  // The help says how many numbers ring for each caller, as the lines chosen.
  await dialModes().getByText('Ringa rings 2 numbers at once for each free caller').waitFor();
  await page.getByLabel('Lines per caller').selectOption({ label: '3 lines' });
  await dialModes().getByText('Ringa rings 3 numbers at once for each free caller').waitFor();
  await dialModes().getByText('More lines mean more people who answer when no caller is free').waitFor();
  await page.getByRole('button', { name: 'Save settings' }).click();
  await page.getByText('The settings are saved.').waitFor();
  expect(await stored()).toEqual({ dialing: 'simulated', dialMode: 'power', linesPerCaller: 3 });

  await page.reload();
  await dialModes().waitFor();
  expect(await dialModes().getByRole('radio', { name: /Ringa rings several numbers/ }).isChecked()).toBe(true);
  expect(await page.getByLabel('Lines per caller').locator('option:checked').textContent()).toBe('3 lines');
  await screenshotsAtWidths(page, 'dial mode settings', (width) => path.join(SHOTS, `dial-mode-settings-${width}.png`));
});

test('back to own phones: the choice falls back to callers dialling themselves and the save is accepted', async () => {
  await page.getByRole('radio', { name: /On the callers’ own phones/ }).check();
  expect(await dialModes().getByRole('radio', { name: /Callers dial themselves/ }).isChecked()).toBe(true);
  await page.getByRole('button', { name: 'Save settings' }).click();
  await page.getByText('The settings are saved.').waitFor();
  expect(await stored()).toEqual({ dialing: 'own-phone', dialMode: 'preview', linesPerCaller: 3 });
});
