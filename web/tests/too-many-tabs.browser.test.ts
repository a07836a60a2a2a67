// A volunteer with Ringa open in more tabs than the server keeps sockets for (5 per person): the
// oldest tab's connection is closed, and that tab says why and offers a reload, in Swedish, in a
// real Chromium against the real server and the built app.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createUser } from '../../server/src/modules/accounts/accounts.service';
import { changeStatus, createCampaign } from '../../server/src/modules/campaigns/campaigns.service';
import { ALWAYS_WINDOW, DEFAULT_OUTCOMES } from '../../server/src/modules/campaigns/outcomes';
import { addMembership, insertOrganisation } from '../../server/src/modules/organisations/organisations.service';
import { createGroupAsSystem } from '../../server/src/modules/target-groups/target-groups.service';
import { MEMBER_REGISTER, PASSWORD, root, startTestServer, type TestServer } from '../../server/test/harness';
import { launchBrowser } from './browser';

const SHOTS = path.join(root, 'test-output', 'screenshots');
const CALLER = { name: 'Olle Ringare', email: 'olle@tabbar.example' };

let server: TestServer;
let browser: Browser;
let campaignId: string;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
  const { db } = server;
  const { clock, importer } = server.app.ctx;
  const org = await insertOrganisation(db, clock, null, { name: 'S-föreningen Tabbar', kind: 'association', country: 'SE' }, null);
  const organizer = await createUser(db, clock, { name: 'Karin Sjögren', email: 'karin@tabbar.example', password: PASSWORD });
  await addMembership(db, clock, organizer.id, org.id, 'organizer', null);
  const caller = await createUser(db, clock, { ...CALLER, password: PASSWORD });
  await addMembership(db, clock, caller.id, org.id, 'caller', null);
  const dir = mkdtempSync(path.join(tmpdir(), 'ringa-tabs-'));
  const filePath = path.join(dir, 'tabbar.csv');
  writeFileSync(filePath, ['Förnamn;Efternamn;Mobil', ...Array.from({ length: 8 }, (_, i) => `P${i};Persson;070-223 50 0${i}`)].join('\n'));
  const listId = await importer.start({ organisationId: org.id, name: 'Tabbar', country: 'SE', filePath, originalName: 'tabbar.csv', source: MEMBER_REGISTER, createdBy: organizer.id, removeFile: true });
  await importer.wait(listId);
  const group = await createGroupAsSystem(db, clock, org.id, { name: 'Tabbar', listIds: [listId], filters: [] });
  const campaign = await createCampaign(db, clock, organizer.id, org.id, { name: 'Ringkväll', callingWindow: ALWAYS_WINDOW, targetGroupIds: [group.id], outcomes: DEFAULT_OUTCOMES });
  campaignId = campaign.id;
  await changeStatus(db, clock, organizer.id, campaign.id, 'active');
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

test('a sixth tab closes the oldest tab’s connection, which says so in Swedish and offers a reload; the newest tabs call on', async () => {
  const context = await browser.newContext({ locale: 'sv-SE', viewport: { width: 1280, height: 800 } });
  const first = await context.newPage();
  await first.goto(`${server.url}/login`);
  await first.getByLabel('E-postadress').fill(CALLER.email);
  await first.getByLabel('Lösenord', { exact: true }).fill(PASSWORD);
  await first.getByRole('button', { name: 'Logga in', exact: true }).click();
  await first.getByRole('button', { name: 'Logga ut' }).waitFor();

  const open = async (page: Page) => {
    await page.goto(`${server.url}/call/${campaignId}`);
    await page.getByRole('heading', { name: 'Innan du börjar' }).waitFor();
  };
  await open(first);
  const others: Page[] = [];
  for (let i = 0; i < 5; i++) {
    const page = await context.newPage();
    await open(page);
    others.push(page);
  }

  const banner = first.getByTestId('connection-closed');
  await banner.waitFor({ timeout: 15_000 });
  expect(await banner.textContent()).toContain('Ringa är öppet i för många flikar eller fönster');
  expect(await banner.getByRole('button', { name: 'Ladda om' }).isVisible()).toBe(true);
  // Said once, as what it is: not as being offline.
  expect(await first.getByTestId('offline').count()).toBe(0);
  await first.screenshot({ path: path.join(SHOTS, 'too-many-tabs-1280.png') });
  // The newest tab is not told anything, and can start calling.
  const newest = others.at(-1) as Page;
  expect(await newest.getByTestId('connection-closed').count()).toBe(0);
  await newest.getByRole('button', { name: 'Börja ringa' }).click();
  await newest.locator('#person-name').waitFor({ timeout: 15_000 });
  await context.close();
}, 120_000);
