// Target lists as an organizer meets them, in a real Chromium against the real server and the built
// app: import a Swedish Excel export (Windows-1252, semicolons), check the proposed columns, follow
// the upload and the import, read the result, download the problems, and find the list ready in the
// Lists tab. A file without a phone column is stopped before anything is sent. An import that
// breaks in the middle of its file, and one the server's stop interrupted, show as failed, saying why (in English and in Swedish).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createUser } from '../../server/src/modules/accounts/accounts.service';
import { failInterruptedImports } from '../../server/src/modules/lists/lists.service';
import { addMembership, insertOrganisation } from '../../server/src/modules/organisations/organisations.service';
import { root, startTestServer, type TestServer } from '../../server/test/harness';
import { launchBrowser, signIn } from './browser';

const SHOTS = path.join(root, 'test-output', 'screenshots');
const FILES = path.join(root, 'test-output', 'lists-files');
const LIST_FILE = path.resolve(root, '../shared/data/se-malgrupp-excel-cp1252.csv');
const ORGANISATION = 'S-föreningen Luleå Centrum';
const ORGANIZER = { name: 'Karin Nilsson', email: 'karin@lulea.example', password: 'ringkväll på torsdag' };

let server: TestServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let orgId: string;
let organizerId: string;
/** Every Content-Security-Policy complaint: the socket and the uploads must need no exceptions. */
const cspViolations: string[] = [];
/** The socket.io frames the page received, to show progress came over the socket. */
const socketFrames: string[] = [];

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  mkdirSync(FILES, { recursive: true });
  [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
  const clock = server.app.ctx.clock;
  const org = await insertOrganisation(server.db, clock, null, { name: ORGANISATION, kind: 'association', country: 'SE' }, null);
  orgId = org.id;
  const user = await createUser(server.db, clock, { email: ORGANIZER.email, name: ORGANIZER.name, password: ORGANIZER.password });
  organizerId = user.id;
  await addMembership(server.db, clock, user.id, org.id, 'organizer', null);

  context = await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  context.on('console', (message) => {
    if (message.text().includes('Content Security Policy')) cspViolations.push(message.text());
  });
  page = await context.newPage();
  page.on('websocket', (socket) => socket.on('framereceived', ({ payload }) => socketFrames.push(String(payload))));

  await signIn(page, server.url, ORGANIZER.email, ORGANIZER.password);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** Screenshots at desktop and phone width; on the phone, the page may not scroll sideways. */
async function screenshots(name: string): Promise<void> {
  for (const width of [1280, 375]) {
    await page.setViewportSize({ width, height: 900 });
    await page.waitForTimeout(150);
    const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(scrollWidth, `${name} scrolls sideways at ${width} px`).toBeLessThanOrEqual(width);
    await page.screenshot({ path: path.join(SHOTS, `lists-${name}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

/** CSV records, counting a quoted line break as part of its record. */
function csvRecords(text: string): string[] {
  const records: string[] = [];
  let current = '';
  let quoted = false;
  for (const char of text.replace(/^\uFEFF/, '')) {
    if (char === '"') quoted = !quoted;
    if (!quoted && (char === '\n' || char === '\r')) {
      if (char === '\n' && current !== '') records.push(current);
      if (char === '\n') current = '';
      continue;
    }
    current += char;
  }
  if (current !== '') records.push(current);
  return records;
}

/** Says the list is the party's member register, called on the members' basis (the safe ground: no warning). */
async function chooseMemberRegister(
  target: Page,
  labels = { source: "The party's member register", basis: 'Members and people in regular contact with the party (GDPR Art. 9(2)(d))' },
): Promise<void> {
  await target.getByRole('radio', { name: labels.source }).check();
  await target.getByRole('radio', { name: labels.basis }).check();
}

async function openImport(): Promise<void> {
  await page.goto(`${server.url}/orgs/${orgId}`);
  await page.getByRole('heading', { level: 1, name: ORGANISATION }).waitFor();
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Lists' }).click();
  await page.getByRole('heading', { level: 2, name: 'Lists' }).waitFor();
  await page.getByRole('link', { name: 'Import a list' }).click();
  await page.getByRole('heading', { level: 1, name: 'Import a list' }).waitFor();
}

test('an organizer imports a Swedish Excel export: columns, progress, result, problems, and the list is ready', async () => {
  await page.goto(`${server.url}/orgs/${orgId}?tab=lists`);
  await page.getByText('No lists yet.').waitFor();
  await openImport();

  // The drop area is the file picker: labelled, and reached by keyboard.
  const picker = page.getByRole('button', { name: 'File Drag the file here, or choose a file' });
  expect(await picker.getAttribute('type')).toBe('file');
  await picker.setInputFiles(LIST_FILE);

  await page.getByRole('heading', { level: 2, name: 'What the columns hold' }).waitFor();
  const proposed: [string, string][] = [
    ['Förnamn', 'firstName'],
    ['Efternamn', 'lastName'],
    ['Mobilnummer', 'mobile'],
    ['Telefon hem', 'phone'],
    ['Postnr', 'postalCode'],
    ['Ort', 'city'],
    ['Födelseår', 'birthYear'],
  ];
  for (const [header, field] of proposed) {
    expect(await page.getByLabel(`What the column ${header} holds`).inputValue(), header).toBe(field);
  }
  const mobileSelect = page.getByLabel('What the column Mobilnummer holds');
  expect(await mobileSelect.locator('option:checked').innerText()).toBe('Mobile');
  // The first rows, read as Windows-1252: å, ä and ö come out right.
  await page.getByRole('cell', { name: 'Märta' }).waitFor();
  await page.getByRole('cell', { name: 'Västerås' }).first().waitFor();
  expect(await page.getByLabel('Name of the list').inputValue()).toBe('se-malgrupp-excel-cp1252');
  expect(await page.getByLabel('Country of the numbers').inputValue()).toBe('SE');

  // Without a phone column, Import is off and the page says why; back on with one.
  await mobileSelect.selectOption('attribute');
  await page.getByLabel('What the column Telefon hem holds').selectOption('ignore');
  await page.getByText('mark at least one column as Mobile or Phone').waitFor();
  expect(await page.getByRole('button', { name: 'Import', exact: true }).isDisabled()).toBe(true);
  await mobileSelect.selectOption('mobile');
  await page.getByLabel('What the column Telefon hem holds').selectOption('phone');
  // Where the list came from, and the legal basis, are asked before anything is sent.
  await page.getByText('Choose where the list came from.').waitFor();
  expect(await page.getByRole('button', { name: 'Import', exact: true }).isDisabled()).toBe(true);
  await chooseMemberRegister(page);
  await expect.poll(() => page.getByRole('button', { name: 'Import', exact: true }).isEnabled()).toBe(true);

  await page.getByLabel('Name of the list').fill('Målgrupp Luleå oktober');
  // Seven columns fit neither 1280 nor 375 px: the table scrolls sideways, says so, and the last column can be reached.
  const mapping = page.getByRole('region', { name: /^The first \d+ rows of the file$/ });
  for (const width of [1280, 375]) {
    await page.setViewportSize({ width, height: 900 });
    await page.getByText('The file has 7 columns: scroll the table sideways to see them all.').waitFor();
    const inView = () =>
      mapping.evaluate((box) => {
        const outer = box.getBoundingClientRect();
        const inner = (document.getElementById('column-6') as Element).getBoundingClientRect();
        return inner.left >= outer.left && inner.right <= outer.right;
      });
    expect(await mapping.evaluate((box) => box.scrollWidth > box.clientWidth), `${width} px`).toBe(true);
    expect(await inView(), `${width} px`).toBe(false);
    await mapping.evaluate((box) => box.scrollTo({ left: box.scrollWidth }));
    await expect.poll(inView).toBe(true);
    await mapping.evaluate((box) => box.scrollTo({ left: 0 }));
  }
  await screenshots('1-mapping');

  // A slow connection, so the upload's progress can be seen.
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 20, downloadThroughput: -1, uploadThroughput: 8 * 1024 });
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  const upload = page.getByRole('progressbar', { name: 'Uploading the file' });
  await upload.waitFor();
  expect(Number(await upload.getAttribute('aria-valuemin'))).toBe(0);
  expect(Number(await upload.getAttribute('aria-valuemax'))).toBe(100);
  await expect.poll(async () => Number(await upload.getAttribute('aria-valuenow')), { timeout: 15_000 }).toBeGreaterThan(0);
  await page.screenshot({ path: path.join(SHOTS, 'lists-2-uploading-1280.png'), fullPage: true });
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });

  const summary = '287 people imported, 3 invalid numbers, 10 duplicates, nobody on the do-not-call register.';
  await page.getByRole('heading', { level: 2, name: 'The list is imported' }).waitFor({ timeout: 30_000 });
  await page.getByText(summary, { exact: true }).first().waitFor();
  await expect.poll(() => page.getByRole('status').filter({ hasText: summary }).count()).toBe(1);
  await page.getByText('The file has 300 rows.').waitFor();
  // The import's progress came over the socket, up to its end.
  await expect.poll(() => socketFrames.some((frame) => frame.includes('list:progress') && frame.includes('"ready"'))).toBe(true);
  await screenshots('2-result');

  // The problems: a header and one line per invalid or duplicate row.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download problems (CSV)' }).click()]);
  const saved = path.join(FILES, 'problems.csv');
  await download.saveAs(saved);
  const records = csvRecords(readFileSync(saved, 'utf8'));
  expect(records).toHaveLength(14);
  expect(records[0]?.toLowerCase()).toContain('row');

  // The list in the Lists tab, ready, with its counts.
  await page.getByRole('link', { name: 'See all lists' }).click();
  await page.getByRole('heading', { level: 2, name: 'Lists' }).waitFor();
  const row = page.getByRole('row').filter({ hasText: 'Målgrupp Luleå oktober' });
  await row.waitFor();
  await row.getByText('Ready', { exact: true }).waitFor();
  await row.getByText('287 of 300').waitFor();
  await row.getByRole('link', { name: 'Download the problems of Målgrupp Luleå oktober (CSV)' }).waitFor();
  await screenshots('3-table');

  // Delete asks first, and says the do-not-call register stays.
  await row.getByRole('button', { name: 'Delete Målgrupp Luleå oktober' }).click();
  const confirmation = row.getByRole('group', { name: 'Delete the list Målgrupp Luleå oktober?' });
  await confirmation.getByText('The do-not-call register is kept as it is.', { exact: false }).waitFor();
  await screenshots('4-delete-confirm');
  await confirmation.getByRole('button', { name: 'Cancel' }).click();
  expect(await row.count()).toBe(1);

  expect(cspViolations).toEqual([]);
});

test('a file without a phone column is stopped with a clear reason', async () => {
  const noPhone = path.join(FILES, 'utan-telefon.csv');
  writeFileSync(noPhone, 'Förnamn;Efternamn;Ort\nAnna;Johansson;Luleå\nErik;Berg;Piteå\n');
  await openImport();
  await page.getByLabel('File', { exact: true }).setInputFiles(noPhone);
  await page.getByRole('heading', { level: 2, name: 'What the columns hold' }).waitFor();
  await page
    .getByText('Choose the column with the phone numbers: mark at least one column as Mobile or Phone. Without one, there is nobody to call.')
    .waitFor();
  const button = page.getByRole('button', { name: 'Import', exact: true });
  expect(await button.isDisabled()).toBe(true);
  expect(await button.getAttribute('aria-describedby')).toBe('import-blockers');
  await screenshots('5-no-phone');

  // A file that is not a table at all is refused by the server, in words.
  const notATable = path.join(FILES, 'tom.csv');
  writeFileSync(notATable, '');
  await page.getByLabel('File', { exact: true }).setInputFiles(notATable);
  await page.getByRole('alert').filter({ hasText: /empty/i }).waitFor();

  expect(cspViolations).toEqual([]);
});

test('in Danish: a Danish list with numbers without +45, imported as Denmark, reported in Danish', async () => {
  const danish = await browser.newContext({ locale: 'da-DK', viewport: { width: 1280, height: 900 } });
  const dkPage = await danish.newPage();
  await dkPage.goto(`${server.url}/login`);
  await dkPage.getByLabel('E-mailadresse').fill(ORGANIZER.email);
  await dkPage.getByLabel('Adgangskode', { exact: true }).fill(ORGANIZER.password);
  await dkPage.getByRole('button', { name: 'Log ind', exact: true }).click();
  await dkPage.waitForURL((url) => url.pathname === '/');
  await dkPage.goto(`${server.url}/orgs/${orgId}/lists/new`);
  await dkPage.getByRole('heading', { level: 1, name: 'Importér en ringeliste' }).waitFor();
  await dkPage.getByLabel('Fil', { exact: true }).setInputFiles(path.resolve(root, '../shared/data/dk-ringeliste.csv'));
  await dkPage.getByRole('heading', { level: 2, name: 'Hvad kolonnerne indeholder' }).waitFor();
  expect(await dkPage.getByLabel('Hvad kolonnen Telefon indeholder').inputValue()).toBe('phone');
  expect(await dkPage.getByLabel('Hvad kolonnen Medlem siden indeholder').inputValue()).toBe('memberSince');
  expect(await dkPage.getByLabel('Hvad kolonnen By indeholder').inputValue()).toBe('city');
  await dkPage.getByLabel('Numrenes land').selectOption('DK');
  await chooseMemberRegister(dkPage, {
    source: 'Partiets medlemsregister',
    basis: 'Medlemmer og personer i regelmæssig kontakt med partiet (GDPR art. 9, stk. 2, litra d)',
  });
  await dkPage.getByRole('button', { name: 'Importér', exact: true }).click();
  await dkPage.getByRole('heading', { level: 2, name: 'Listen er importeret' }).waitFor({ timeout: 30_000 });
  await dkPage.getByText('199 personer importeret, 1 ugyldigt nummer, ingen dubletter, ingen på ring ikke-listen.').first().waitFor();
  for (const width of [1280, 375]) {
    await dkPage.setViewportSize({ width, height: 900 });
    await dkPage.waitForTimeout(150);
    expect(await dkPage.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
    await dkPage.screenshot({ path: path.join(SHOTS, `lists-6-da-result-${width}.png`), fullPage: true });
  }
  await danish.close();
});

test('an import that breaks half-way through its file, and one the server’s stop interrupted, are listed as failed with the reason', async () => {
  // Twenty good rows, then a quote opens on row 22 and never closes: the preview reads, the import fails.
  const broken = path.join(FILES, 'trasig.csv');
  const good = Array.from({ length: 20 }, (_, i) => `Person ${i + 1};070-300 00 ${String(i + 10)};Luleå`);
  writeFileSync(broken, ['Förnamn;Mobil;Ort', ...good, 'Per;070-300 00 99;"Luleå', 'Eva;070-300 00 98;Piteå', ''].join('\r\n'));
  await openImport();
  await page.getByLabel('File', { exact: true }).setInputFiles(broken);
  await page.getByRole('heading', { level: 2, name: 'What the columns hold' }).waitFor();
  await page.getByLabel('Name of the list').fill('Trasig målgrupp');
  await chooseMemberRegister(page);
  await page.getByRole('button', { name: 'Import', exact: true }).click();

  // The reason comes from the list's error code and row, in the reader's language; the server's English text is the fallback.
  const reason =
    'The import failed: Row 22 has a quotation mark (") that is not closed properly, so the rows after it cannot be told apart. Check the quotes in that row, save the file again and import it.';
  const reasonSv =
    'Importen misslyckades: Rad 22 har ett citattecken (") som inte avslutas rätt, så raderna efter den går inte att skilja åt. Kontrollera citattecknen på den raden, spara filen igen och importera den.';
  await page.getByRole('heading', { level: 2, name: 'The list could not be imported' }).waitFor({ timeout: 30_000 });
  await page.getByText(reason, { exact: true }).first().waitFor();
  await screenshots('7-failed-result');
  await page.getByLabel('Language').selectOption('sv');
  await page.getByRole('heading', { level: 2, name: 'Listan kunde inte importeras' }).waitFor();
  await page.getByText(reasonSv, { exact: true }).first().waitFor();
  expect(await page.getByText('The import failed').count()).toBe(0);
  await screenshots('7-sv-failed-result');
  await page.getByLabel('Språk').selectOption('en');
  await page.getByText(reason, { exact: true }).first().waitFor();

  // A list whose import was running when the server stopped: the next start marks it failed, as main.ts does.
  await server.db
    .insertInto('targetList')
    .values({ organisationId: orgId, name: 'Medlemmar september', country: 'SE', status: 'importing', fileName: 'medlemmar.csv', createdBy: organizerId, createdAt: new Date() })
    .execute();
  expect(await failInterruptedImports(server.db, new Date())).toBe(1);

  await page.getByRole('link', { name: 'See all lists' }).click();
  await page.getByRole('heading', { level: 2, name: 'Lists' }).waitFor();
  const brokenRow = page.getByRole('row').filter({ hasText: 'Trasig målgrupp' });
  await brokenRow.getByText('Failed', { exact: true }).waitFor();
  await brokenRow.getByText(reason, { exact: true }).waitFor();
  const interruptedRow = page.getByRole('row').filter({ hasText: 'Medlemmar september' });
  await interruptedRow.getByText('Failed', { exact: true }).waitFor();
  await interruptedRow
    .getByText('The import failed: The server stopped while the list was being imported. Nothing of it was kept; import the file again.', { exact: true })
    .waitFor();
  // Nothing of a failed import was kept: no counts that read like an empty file, no problems file; it can still be deleted.
  for (const row of [brokenRow, interruptedRow]) {
    expect(await row.getByText('0 of 0').count()).toBe(0);
    await row.getByRole('cell', { name: '–' }).first().waitFor();
    expect(await row.getByRole('link', { name: /Download the problems/ }).count()).toBe(0);
    await row.getByRole('button', { name: /^Delete / }).waitFor();
  }
  // The list that did import is still ready beside them.
  await page.getByRole('row').filter({ hasText: 'Målgrupp Luleå oktober' }).getByText('Ready', { exact: true }).waitFor();
  await screenshots('8-failed-in-table');

  // The same reasons in Swedish, the broken one with its row.
  await page.getByLabel('Language').selectOption('sv');
  await brokenRow.getByText('Misslyckades', { exact: true }).waitFor();
  await brokenRow.getByText(reasonSv, { exact: true }).waitFor();
  await interruptedRow.getByText('Importen misslyckades: Servern stannade medan listan importerades. Inget av den sparades; importera filen igen.', { exact: true }).waitFor();
  expect(await page.getByText('The import failed').count()).toBe(0);
  await screenshots('8-sv-failed-in-table');
  await page.getByLabel('Språk').selectOption('en');
  await brokenRow.getByText(reason, { exact: true }).waitFor();

  expect(cspViolations).toEqual([]);
});
