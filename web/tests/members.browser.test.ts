// The Members tab in Swedish: an organizer of a district ticks "Visa även underorganisationer" and sees
// the members of the associations beneath, each with their organisation (a link to it), which are
// managed there, not here. At 1280 and 375 px.
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createUser } from '../../server/src/modules/accounts/accounts.service';
import { addMembership, insertOrganisation } from '../../server/src/modules/organisations/organisations.service';
import { PASSWORD, root, startTestServer, type TestServer } from '../../server/test/harness';
import { launchBrowser } from './browser';

const SHOTS = path.join(root, 'docs', 'screenshots');
let server: TestServer;
let browser: Browser;
let page: Page;
let districtId = '';
let townId = '';

beforeAll(async () => {
  [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
  const { db } = server;
  const { clock } = server.app.ctx;
  const district = await insertOrganisation(db, clock, null, { name: 'Distrikt Väst', kind: 'district', country: 'SE' }, null);
  const town = await insertOrganisation(db, clock, district.id, { name: 'S-föreningen Borås', kind: 'association' }, null);
  districtId = district.id;
  townId = town.id;
  const person = async (name: string, email: string, orgId: string, role: 'organizer' | 'caller') => {
    const user = await createUser(db, clock, { name, email, password: PASSWORD });
    await addMembership(db, clock, user.id, orgId, role, null);
  };
  await person('Anna Organisatör', 'anna@members.example', district.id, 'organizer');
  await person('Bo Ringare', 'bo@members.example', town.id, 'caller');
  const context = await browser.newContext({ locale: 'sv-SE', viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  await page.goto(`${server.url}/login`);
  await page.getByLabel('E-postadress').fill('anna@members.example');
  await page.getByLabel('Lösenord', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Logga in', exact: true }).click();
  await page.waitForURL((url) => url.pathname !== '/login');
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

test('"Visa även underorganisationer" lists the members beneath, with their organisation, managed there', async () => {
  await page.goto(`${server.url}/orgs/${districtId}?tab=members`);
  await page.getByRole('heading', { level: 2, name: 'Medlemmar' }).waitFor();
  await page.locator('strong', { hasText: 'Anna Organisatör' }).waitFor();
  await expect(page.getByText('Bo Ringare').count()).resolves.toBe(0);

  await page.getByLabel('Visa även underorganisationer').check();
  await page.getByText('Bo Ringare').waitFor();
  const link = page.getByRole('link', { name: 'S-föreningen Borås' });
  await expect(link.getAttribute('href')).resolves.toBe(`/orgs/${townId}`);
  // Bo is managed in Borås: no role choice or buttons for him here.
  await expect(page.getByRole('button', { name: /Bo Ringare/ }).count()).resolves.toBe(0);
  await expect(page.getByRole('combobox', { name: /Bo Ringare/ }).count()).resolves.toBe(0);
  await page.screenshot({ path: path.join(SHOTS, 'members-sub-organisations-1280.png'), fullPage: true });

  await page.setViewportSize({ width: 375, height: 667 });
  await page.getByText('Bo Ringare').waitFor();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await page.screenshot({ path: path.join(SHOTS, 'members-sub-organisations-375.png'), fullPage: true });
});
