// An admin's retention rules, in Swedish, in a real Chromium against the real server and the built app:
// the rules say where they come from (the district above, Ringa's default), the association sets its own
// months, a number outside the range is refused next to its field, and the next 30 days are shown.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createUser } from '../../server/src/modules/accounts/accounts.service';
import { addMembership, insertOrganisation } from '../../server/src/modules/organisations/organisations.service';
import { PASSWORD, root, startTestServer, type TestServer } from '../../server/test/harness';
import { launchBrowser, signIn } from './browser';

const SHOTS = path.join(root, 'test-output', 'screenshots');
const DISTRICT = 'Distriktet Norr';
const ASSOCIATION = 'S-föreningen Arkivet';
const ADMIN = { name: 'Sara Admin', email: 'sara@arkivet.example' };

let server: TestServer;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
  const { db } = server;
  const { clock } = server.app.ctx;
  const district = await insertOrganisation(db, clock, null, { name: DISTRICT, kind: 'district', country: 'SE' }, null);
  await db.updateTable('organisation').set({ answersRetentionMonths: 6 }).where('id', '=', district.id).execute();
  const association = await insertOrganisation(db, clock, district.id, { name: ASSOCIATION, kind: 'association' }, null);
  const admin = await createUser(db, clock, { ...ADMIN, password: PASSWORD });
  await addMembership(db, clock, admin.id, association.id, 'admin', null);

  const context = await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  await signIn(page, server.url, ADMIN.email, PASSWORD);
  // The Swedish screens: the language is remembered in the browser.
  await page.evaluate(() => localStorage.setItem('ringa.locale', 'sv'));
  await page.reload();
  await page.getByRole('navigation', { name: 'Organisationsträd' }).getByRole('link', { name: ASSOCIATION }).click();
  await page.getByRole('heading', { level: 1, name: ASSOCIATION }).waitFor();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

test('an admin sees where the rules come from, sets the association\'s own, and a bad number is refused at its field', async () => {
  await page.getByRole('navigation', { name: 'Avsnitt' }).getByRole('link', { name: 'Lagring och radering' }).click();
  await page.getByRole('heading', { level: 2, name: 'Lagring och radering' }).waitFor();
  const rules = page.getByTestId('retention-rules');
  await expect.poll(() => rules.textContent()).toContain('6 månader');
  expect(await rules.textContent()).toContain(`Från ${DISTRICT}.`);
  expect(await rules.textContent()).toContain('24 månader');
  expect(await rules.textContent()).toContain('Ringas standard.');
  expect(await page.getByTestId('retention-upcoming').textContent()).toContain('Inget ska raderas de närmaste 30 dagarna.');
  await page.screenshot({ path: path.join(SHOTS, 'retention-1280.png'), fullPage: true });

  await page.getByLabel('Svar och anteckningar (månader efter att en kampanj avslutats)').fill('61');
  await page.getByRole('button', { name: 'Spara reglerna' }).click();
  await page.getByText('Svar och anteckningar sparas mellan 1 och 60 månader.').waitFor();

  await page.getByLabel('Svar och anteckningar (månader efter att en kampanj avslutats)').fill('3');
  await page.getByRole('button', { name: 'Spara reglerna' }).click();
  await page.getByText('Reglerna är sparade. Nästa dagliga radering följer dem.').waitFor();
  await expect.poll(() => rules.textContent()).toContain('3 månader');
  expect(await rules.textContent()).toContain('Inställt här.');

  await page.setViewportSize({ width: 375, height: 800 });
  await page.screenshot({ path: path.join(SHOTS, 'retention-375.png'), fullPage: true });
});
