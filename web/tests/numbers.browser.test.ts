// Numbers as people have them, in a real Chromium against the real server and the built app, in
// Swedish: the Danish sample chosen in a Swedish organisation is caught at the preview ("Det här ser
// ut som danska nummer") and imported whole after one click on "Importera som Danmark"; an Excel file
// whose mobiles lost their leading zero imports whole, saying how many numbers were repaired; and a
// person's number reads as 070-005 48 56, a tel: link to +46700054856 with a copy button beside it.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createUser } from '../../server/src/modules/accounts/accounts.service';
import { addMembership, insertOrganisation } from '../../server/src/modules/organisations/organisations.service';
import { root, startTestServer, type TestServer } from '../../server/test/harness';
import { launchBrowser, screenshotsAtWidths } from './browser';

const SHOTS = path.join(root, 'test-output', 'screenshots');
const FILES = path.join(root, 'test-output', 'numbers-files');
const DANISH_SAMPLE = path.resolve(root, '../shared/data/dk-ringeliste.csv');
const ORGANISATION = 'S-föreningen Malmö Centrum';
const ORGANIZER = { name: 'Lena Persson', email: 'lena@malmo.example', password: 'ringkväll i Malmö' };

let server: TestServer;
let browser: Browser;
let page: Page;
let orgId: string;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  mkdirSync(FILES, { recursive: true });
  [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
  const clock = server.app.ctx.clock;
  const org = await insertOrganisation(server.db, clock, null, { name: ORGANISATION, kind: 'association', country: 'SE' }, null);
  orgId = org.id;
  const user = await createUser(server.db, clock, { email: ORGANIZER.email, name: ORGANIZER.name, password: ORGANIZER.password });
  await addMembership(server.db, clock, user.id, org.id, 'organizer', null);

  const context = await browser.newContext({ locale: 'sv-SE', viewport: { width: 1280, height: 900 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
  page = await context.newPage();
  await page.goto(`${server.url}/login`);
  await page.getByLabel('E-postadress').fill(ORGANIZER.email);
  await page.getByLabel('Lösenord', { exact: true }).fill(ORGANIZER.password);
  await page.getByRole('button', { name: 'Logga in', exact: true }).click();
  await page.waitForURL((url) => url.pathname === '/');
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function listsInOrganisation(): Promise<number> {
  const rows = await server.db.selectFrom('targetList').select('id').where('organisationId', '=', orgId).execute();
  return rows.length;
}

async function openImport(file: string): Promise<void> {
  await page.goto(`${server.url}/orgs/${orgId}/lists/new`);
  await page.getByRole('heading', { level: 1, name: 'Importera en ringlista' }).waitFor();
  await page.getByLabel('Fil', { exact: true }).setInputFiles(file);
  await page.getByRole('heading', { level: 2, name: 'Varifrån listan kommer' }).waitFor();
}

async function importAsMemberRegister(): Promise<void> {
  await page.getByRole('radio', { name: 'Partiets medlemsregister' }).check();
  await page.getByRole('radio', { name: 'Medlemmar och personer som har regelbunden kontakt med partiet (GDPR art. 9.2 d)' }).check();
  await page.getByRole('button', { name: 'Importera', exact: true }).click();
  await page.getByRole('heading', { level: 2, name: 'Listan är importerad' }).waitFor({ timeout: 30_000 });
}

test('the Danish sample in a Swedish organisation: the preview says they look like Danish numbers; one click reads them as Danish, and all 199 good rows import', async () => {
  await openImport(DANISH_SAMPLE);
  const suggestion = page.getByTestId('country-suggestion');
  await suggestion.getByText('Det här ser ut som danska nummer — importera som Danmark?').waitFor();
  expect(await suggestion.innerText()).toContain('Av de första 200 numren i filen går 91 inte att läsa som svenska nummer; som danska nummer går 199 att läsa.');
  expect(await page.getByLabel('Numrens land').inputValue()).toBe('SE');
  // The suggestion is the first thing read: it has the focus.
  expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('Det här ser ut som danska nummer — importera som Danmark?');
  await screenshotsAtWidths(page, 'country suggestion', (width) => path.join(SHOTS, `numbers-country-suggestion-${width}.png`));
  expect(await listsInOrganisation()).toBe(0);

  await suggestion.getByRole('button', { name: 'Importera som Danmark' }).click();
  await page.getByText('Filens nummer läses nu som danska nummer.').waitFor();
  expect(await page.getByLabel('Numrens land').inputValue()).toBe('DK');
  expect(await suggestion.count()).toBe(0);
  expect(await listsInOrganisation()).toBe(0);

  await importAsMemberRegister();
  expect(await page.locator('.summary').innerText()).toMatch(/^199 personer importerade, 1 ogiltigt nummer/);
  const list = await server.db.selectFrom('targetList').select(['country', 'imported']).where('organisationId', '=', orgId).executeTakeFirstOrThrow();
  expect(list).toEqual({ country: 'DK', imported: 199 });
});

test('an Excel file whose mobiles lost their leading zero imports whole, and says how many numbers were repaired', async () => {
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet('Blad1');
  sheet.addRow(['Förnamn', 'Efternamn', 'Mobil']);
  sheet.addRow(['Anna', 'Berg', 700054856]);
  sheet.addRow(['Bo', 'Ek', 729006390]);
  sheet.addRow(['Cia', 'Ström', '070-111 22 33']);
  const file = path.join(FILES, 'excel-mobiler.xlsx');
  writeFileSync(file, Buffer.from(await book.xlsx.writeBuffer()));
  await openImport(file);
  expect(await page.getByTestId('country-suggestion').count()).toBe(0);
  await importAsMemberRegister();
  expect(await page.locator('.summary').innerText()).toMatch(/^3 personer importerade, inga ogiltiga nummer/);
  expect(await page.getByTestId('repaired').innerText()).toBe('2 nummer lagades (Excel hade tagit bort nollan).');

  // The list page says so too, beside the imported count.
  await page.getByRole('link', { name: 'Se alla ringlistor' }).click();
  await page.getByText('2 lagade').waitFor();
});

test("a person's number as people know it, 070-005 48 56: a tel: link to the international number, and a copy button that copies it", async () => {
  await page.goto(`${server.url}/orgs/${orgId}/people`);
  await page.getByLabel('Namn eller telefonnummer').fill('Anna Berg');
  await page.getByRole('button', { name: 'Sök', exact: true }).click();
  const hit = page.getByRole('listitem').filter({ hasText: 'Anna Berg' });
  const link = hit.getByRole('link', { name: 'Ring 070-005 48 56 (+46 70 005 48 56)' });
  expect(await link.innerText()).toBe('070-005 48 56');
  expect(await link.getAttribute('href')).toBe('tel:+46700054856');

  await hit.getByRole('link', { name: 'Anna Berg' }).click();
  const number = page.getByRole('link', { name: 'Ring 070-005 48 56 (+46 70 005 48 56)' });
  await number.waitFor();
  expect(await number.getAttribute('href')).toBe('tel:+46700054856');
  await screenshotsAtWidths(page, 'person number', (width) => path.join(SHOTS, `numbers-person-${width}.png`));
  await page.getByRole('button', { name: 'Kopiera +46 70 005 48 56' }).click();
  await page.getByRole('button', { name: 'Kopierat' }).waitFor();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe('+46700054856');
});
