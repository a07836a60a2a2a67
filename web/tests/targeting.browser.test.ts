// The do-not-call register and the target-group editor, in a real Chromium against the real server
// and the built app: an organizer puts a number on the register and sees it listed as people write
// it, then narrows a list of ten people by birth year and postal code, watching the size change to
// the exact numbers, and saves the group. A number on the district's register is listed in the
// association's too, marked as the district's and without a Remove button; a file without a phone
// column is refused in the interface's language.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { MEMBER_REGISTER, PASSWORD, root, startTestServer, type TestServer } from '../../server/test/harness';
import { createUser } from '../../server/src/modules/accounts/accounts.service';
import { addMembership, insertOrganisation } from '../../server/src/modules/organisations/organisations.service';
import { launchBrowser, signIn } from './browser';

const SHOTS = path.join(root, 'test-output', 'screenshots');
const DISTRICT = 'Socialdemokraterna i Östergötland';
const ORGANISATION = 'S-föreningen Hageby';
const ORGANIZER = { name: 'Karin Sjögren', email: 'karin@hageby.example' };
const LIST = 'Målgrupp Hageby 2026';

// Ten people. Born 1985–2000: Bo, Cecilia, David, Eva, Hassan, Ida (6). Of them, postal code
// starting 602: Bo (602 21), David (60210), Hassan (602 40) (3). David's number goes on the register.
const CSV = [
  'Förnamn;Efternamn;Mobil;Postnr;Ort;Födelseår',
  'Anna;Andersson;070-123 45 01;602 34;Norrköping;1984',
  'Bo;Berg;070-123 45 02;602 21;Norrköping;1985',
  'Cecilia;Carlsson;070-123 45 03;603 50;Norrköping;1990',
  'David;Dahl;070-123 45 04;60210;Norrköping;1995',
  'Eva;Ek;070-123 45 05;611 30;Nyköping;2000',
  'Fredrik;Falk;070-123 45 06;602 28;Norrköping;2001',
  'Gun;Gran;070-123 45 07;612 30;Finspång;1970',
  'Hassan;Holm;070-123 45 08;602 40;Norrköping;1999',
  'Ida;Isaksson;070-123 45 09;603 61;Norrköping;1988',
  'Jonas;Jansson;070-123 45 10;602 27;Norrköping;1960',
].join('\n');

let server: TestServer;
let browser: Browser;
let page: Page;
let districtId: string;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
  const { db } = server;
  const { clock, importer } = server.app.ctx;
  const district = await insertOrganisation(db, clock, null, { name: DISTRICT, kind: 'district', country: 'SE' }, null);
  districtId = district.id;
  const org = await insertOrganisation(db, clock, district.id, { name: ORGANISATION, kind: 'association' }, null);
  const user = await createUser(db, clock, { ...ORGANIZER, password: PASSWORD });
  await addMembership(db, clock, user.id, org.id, 'organizer', null);

  const dir = mkdtempSync(path.join(tmpdir(), 'ringa-targeting-'));
  const filePath = path.join(dir, 'malgrupp.csv');
  writeFileSync(filePath, CSV);
  const listId = await importer.start({ organisationId: org.id, name: LIST, country: 'SE', filePath, originalName: 'malgrupp.csv', source: MEMBER_REGISTER, createdBy: user.id, removeFile: true });
  await importer.wait(listId);

  const context = await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  await signIn(page, server.url, ORGANIZER.email, PASSWORD);
  await page.getByRole('navigation', { name: 'Organisation tree' }).getByRole('link', { name: ORGANISATION }).click();
  await page.getByRole('heading', { level: 1, name: ORGANISATION }).waitFor();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** Screenshots at desktop and phone width; on the phone, nothing may scroll sideways. */
async function screenshots(name: string): Promise<void> {
  for (const width of [1280, 375]) {
    await page.setViewportSize({ width, height: 900 });
    // Scrolled to the end, so the editor's sticky size box sits in its place in the full-page picture.
    await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
    await page.waitForTimeout(150);
    const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(scrollWidth, `${name} scrolls sideways at ${width} px`).toBeLessThanOrEqual(width);
    await page.screenshot({ path: path.join(SHOTS, `targeting-${name}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

const sizeStatus = () => page.getByRole('status').filter({ hasText: /\bpeople?\b|\bperson\b/ });

test('a number put on the do-not-call register is listed as people write it, and can be found', async () => {
  await page.getByRole('link', { name: 'Do not call' }).click();
  await page.getByRole('heading', { level: 2, name: 'Do not call' }).waitFor();
  await page.getByText('or of any organisation beneath it').waitFor();
  await page.getByText('There are no numbers on the register yet.').waitFor();

  // A number that is not one: told so, next to the field.
  await page.getByLabel('Phone number', { exact: true }).fill('12');
  await page.getByRole('button', { name: 'Add to the register' }).click();
  await page.getByText('That is not a phone number Ringa can read.').waitFor();

  await page.getByLabel('Phone number', { exact: true }).fill('070-123 45 04');
  await page.getByLabel('Reason (optional)').fill('Asked not to be called again');
  await page.getByRole('button', { name: 'Add to the register' }).click();
  await page.getByText('070-123 45 04 is on the register.').waitFor();
  const row = page.getByRole('row').filter({ hasText: '070-123 45 04' });
  await row.waitFor();
  await expect.poll(() => row.textContent()).toContain('Asked not to be called again');
  await page.getByText('1 number on the register').waitFor();

  // Searchable as written on a list; the number searched is sent in a POST body, never in a URL.
  const urls: string[] = [];
  const searches: string[] = [];
  const seen = (request: Request) => {
    urls.push(request.url());
    if (request.url().endsWith('/do-not-call/search')) searches.push(`${request.method()} ${request.postData() ?? ''}`);
  };
  page.on('request', seen);
  await page.getByLabel('Search numbers').fill('0701234504');
  await page.getByText('1 number matches the search').waitFor();
  await page.getByLabel('Search numbers').fill('0709999');
  await page.getByText('No number matches the search.').waitFor();
  page.off('request', seen);
  expect(urls.filter((url) => /0701234|0709999|search=/.test(url))).toEqual([]);
  expect(searches).toEqual(expect.arrayContaining([expect.stringMatching(/^POST .*"search":"0701234504"/), expect.stringMatching(/^POST .*"search":"0709999"/)]));
  await page.getByLabel('Search numbers').fill('');
  await page.getByText('1 number on the register').waitFor();

  // Removing asks first; cancelling keeps it.
  await row.getByRole('button', { name: 'Remove 070-123 45 04 from the register' }).click();
  await page.getByText('Remove 070-123 45 04 from the register? The number can then be called again in every campaign.').waitFor();
  await screenshots('1-do-not-call-confirm');
  await page.getByRole('button', { name: 'Cancel' }).click();
  await row.getByRole('button', { name: 'Remove 070-123 45 04 from the register' }).waitFor();
  await screenshots('2-do-not-call');
});

test('a target group narrowed by birth year and postal code shows its exact size as it changes, and is saved', async () => {
  await page.getByRole('link', { name: 'Target groups' }).click();
  await page.getByRole('heading', { level: 2, name: 'Target groups' }).waitFor();
  await page.getByText('There are no target groups yet.').waitFor();
  await page.getByText('Choose a list to see how many people the group holds.').waitFor();

  await page.getByLabel('Name', { exact: true }).fill('Unga i Hageby');
  await page.getByLabel(LIST).check();
  await expect.poll(() => sizeStatus().textContent()).toBe('10 people; 1 of them is on the do-not-call register and will not be called');

  // Born 1985–2000: 'between' is offered because the attribute is numeric.
  await page.getByRole('button', { name: 'Add a filter' }).click();
  const first = page.getByRole('group', { name: 'Filter 1' });
  await first.getByLabel('Attribute').selectOption('Födelseår');
  expect(await first.getByLabel('Condition').locator('option').allTextContents()).toEqual(['is', 'is one of', 'between', 'starts with']);
  await first.getByLabel('Condition').selectOption({ label: 'between' });
  await first.getByLabel('From', { exact: true }).fill('1985');
  await first.getByLabel('To', { exact: true }).fill('2000');
  await expect.poll(() => sizeStatus().textContent()).toBe('6 people; 1 of them is on the do-not-call register and will not be called');

  // Postal code starting 602; 'between' is not offered for it (602 34 is not a number).
  await page.getByRole('button', { name: 'Add a filter' }).click();
  const second = page.getByRole('group', { name: 'Filter 2' });
  await second.getByLabel('Attribute').selectOption('Postnr');
  expect(await second.getByLabel('Condition').locator('option').allTextContents()).toEqual(['is', 'is one of', 'starts with']);
  await second.getByLabel('Condition').selectOption({ label: 'starts with' });
  await second.getByLabel('Starts with', { exact: true }).fill('602');
  await expect.poll(() => sizeStatus().textContent()).toBe('3 people; 1 of them is on the do-not-call register and will not be called');
  await page.getByRole('button', { name: 'Remove the filter Postnr starts with 602' }).waitFor();
  await screenshots('3-target-group-editor');

  await page.getByRole('button', { name: 'Save target group' }).click();
  await page.getByText('Unga i Hageby was saved.').waitFor();
  const saved = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: 'Unga i Hageby' }) });
  await saved.waitFor();
  expect(await saved.textContent()).toContain('3 people; 1 of them is on the do-not-call register and will not be called');
  expect(await saved.textContent()).toContain('Födelseår between 1985 and 2000');
  expect(await saved.textContent()).toContain('Postnr starts with 602');
  // The editor is fresh again, for the next group.
  expect(await page.getByLabel('Name', { exact: true }).inputValue()).toBe('');
  await screenshots('4-target-group-saved');

  // Changing it: the editor opens with its filters; dropping the postal code widens it back to 6.
  await saved.getByRole('button', { name: 'Change Unga i Hageby' }).click();
  await page.getByRole('heading', { name: 'Change Unga i Hageby' }).waitFor();
  await expect.poll(() => sizeStatus().textContent()).toBe('3 people; 1 of them is on the do-not-call register and will not be called');
  await page.getByRole('button', { name: 'Remove the filter Postnr starts with 602' }).click();
  await expect.poll(() => sizeStatus().textContent()).toBe('6 people; 1 of them is on the do-not-call register and will not be called');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await page.getByText('Unga i Hageby was saved.').waitFor();
  await expect.poll(() => saved.textContent()).toContain('6 people');

  // Deleting asks first.
  await saved.getByRole('button', { name: 'Delete Unga i Hageby' }).click();
  await page.getByText('Delete the target group Unga i Hageby? The lists and the people on them stay.').waitFor();
  await page.getByRole('button', { name: 'Yes, delete' }).click();
  await page.getByText('Unga i Hageby was deleted.').waitFor();
  await page.getByText('There are no target groups yet.').waitFor();
});

test('in Swedish: spärrlistan and målgrupper, with a one-of filter offering the common values', async () => {
  await page.getByLabel('Language').selectOption('sv');
  await page.getByRole('link', { name: 'Spärrlista' }).click();
  await page.getByRole('heading', { level: 2, name: 'Spärrlista' }).waitFor();
  await page.getByText('1 nummer på spärrlistan').waitFor();
  await screenshots('5-sv-sparrlista');

  await page.getByRole('link', { name: 'Målgrupper' }).click();
  await page.getByRole('heading', { level: 2, name: 'Målgrupper' }).waitFor();
  await page.getByLabel(LIST).check();
  await expect.poll(() => page.getByRole('status').filter({ hasText: 'personer' }).textContent()).toBe(
    '10 personer; 1 av dem står på spärrlistan och kommer inte att ringas',
  );
  await page.getByRole('button', { name: 'Lägg till ett urval' }).click();
  const filter = page.getByRole('group', { name: 'Urval 1' });
  await filter.getByLabel('Uppgift').selectOption('Ort');
  await filter.getByLabel('Villkor').selectOption({ label: 'är något av' });
  await filter.getByLabel('Nyköping').check();
  await filter.getByLabel('Andra värden').fill('Finspång');
  await expect.poll(() => page.getByRole('status').filter({ hasText: 'person' }).textContent()).toBe('2 personer');
  await screenshots('6-sv-malgrupp');
});

test('a number on the district’s register is listed here too, as the district’s, and cannot be removed here; a refused file is explained in Swedish', async () => {
  // Put on the register by the district (not a number on Hageby's list, so the target groups above keep their sizes).
  await server.db.insertInto('doNotCall').values({ organisationId: districtId, phone: '+46705551234', reason: 'Bad distriktet att slippa samtal', source: 'manual', createdAt: new Date() }).execute();

  await page.getByRole('link', { name: 'Spärrlista' }).click();
  await page.getByRole('heading', { level: 2, name: 'Spärrlista' }).waitFor();
  await page.getByText('Nummer på spärrlistan hos en organisation ovanför den här gäller också här').waitFor();
  await expect
    .poll(() => page.getByRole('status').filter({ hasText: 'på spärrlistan' }).textContent())
    .toBe('2 nummer på spärrlistan (1 av dem från en organisation ovanför den här)');

  const own = page.getByRole('row').filter({ hasText: '070-123 45 04' });
  const inherited = page.getByRole('row').filter({ hasText: '070-555 12 34' });
  await own.getByText('Den här organisationen', { exact: true }).waitFor();
  await own.getByRole('button', { name: 'Ta bort 070-123 45 04 från spärrlistan' }).waitFor();
  await inherited.getByText(DISTRICT, { exact: true }).waitFor();
  await inherited.getByText(`Kan bara tas bort hos ${DISTRICT}.`).waitFor();
  // No Remove button (the number's own copy button and tel: link are all it has).
  expect(await inherited.getByRole('button').allTextContents()).toEqual(['Kopiera']);
  // The organizer of Hageby does not manage the district, so there is no link to its register either.
  expect(await inherited.locator('a:not([href^="tel:"])').count()).toBe(0);
  // The association's own entry comes first.
  expect((await page.getByRole('row').allTextContents()).slice(1).map((text) => text.includes('070-123 45 04'))).toEqual([true, false]);

  // A file without a phone column: the reason in Swedish, not the server's English.
  const dir = mkdtempSync(path.join(tmpdir(), 'ringa-dnc-'));
  const noPhone = path.join(dir, 'utan-nummer.csv');
  writeFileSync(noPhone, 'Namn;Ort\nAnna;Norrköping\n');
  await page.getByLabel('CSV- eller Excelfil').setInputFiles(noPhone);
  await page.getByRole('button', { name: 'Lägg till numren' }).click();
  await page.getByText('Ingen kolumn innehåller telefonnummer. Döp kolumnen med numren till Mobil eller Telefon på första raden och försök igen.').waitFor();
  expect(await page.getByText('No column holds phone numbers').count()).toBe(0);
  await screenshots('7-sv-inherited-do-not-call');

  // The same in English, and searching finds the inherited number as well.
  await page.getByLabel('Språk').selectOption('en');
  await page.getByRole('heading', { level: 2, name: 'Do not call' }).waitFor();
  // The refusal follows the change of language.
  await page.getByText('No column holds phone numbers. Name the column with the numbers Mobil or Telefon in the first row, and try again.').waitFor();
  await page.getByLabel('Search numbers').fill('070-555 12');
  await page.getByText('1 number matches the search (1 of them from an organisation above this one)').waitFor();
  await page.getByText(`Can only be removed at ${DISTRICT}.`).waitFor();
  await page.getByLabel('Search numbers').fill('');
  await page.getByText('2 numbers on the register').waitFor();
  await screenshots('8-inherited-do-not-call');
});
