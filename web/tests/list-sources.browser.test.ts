// Where a list came from, as a Swedish organizer meets it in a real Chromium: the import asks for the
// source (bought from a data broker: its name and the date) and the legal basis, warns when
// "legitimate interest" is chosen, and the list shows its source. A list imported before Ringa asked
// shows "not recorded", the Lists tab counts such lists, and the source can be recorded afterwards.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createUser } from '../../server/src/modules/accounts/accounts.service';
import { addMembership, insertOrganisation } from '../../server/src/modules/organisations/organisations.service';
import { root, startTestServer, type TestServer } from '../../server/test/harness';
import { launchBrowser, screenshotsAtWidths } from './browser';

const SHOTS = path.join(root, 'test-output', 'screenshots');
const FILES = path.join(root, 'test-output', 'list-sources-files');
const ORGANISATION = 'S-föreningen Gottsunda';
const ORGANIZER = { name: 'Maria Lind', email: 'maria@gottsunda.example', password: 'ringkväll i Gottsunda' };

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
  // A list from before Ringa asked where lists come from: no source recorded.
  await server.db
    .insertInto('targetList')
    .values({ organisationId: orgId, name: 'Medlemmar 2024', country: 'SE', status: 'ready', rows: 40, imported: 40, createdAt: new Date('2024-09-01T10:00:00Z'), finishedAt: new Date('2024-09-01T10:00:00Z') })
    .execute();

  const context = await browser.newContext({ locale: 'sv-SE', viewport: { width: 1280, height: 900 } });
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

function screenshots(name: string): Promise<void> {
  return screenshotsAtWidths(page, name, (width) => path.join(SHOTS, `list-sources-${name}-${width}.png`));
}

const WARNING = 'Var försiktiga med berättigat intresse';

test('a list bought from an address broker: the broker, the date, the legitimate-interest warning, and the source on the list', async () => {
  const file = path.join(FILES, 'kopt-lista.csv');
  writeFileSync(file, 'Förnamn;Efternamn;Mobil\r\nAnna;Berg;070-123 45 67\r\nBo;Ek;070-765 43 21\r\nCia;Ström;070-111 22 33\r\n');
  await page.goto(`${server.url}/orgs/${orgId}/lists/new`);
  await page.getByRole('heading', { level: 1, name: 'Importera en ringlista' }).waitFor();
  await page.getByLabel('Fil', { exact: true }).setInputFiles(file);
  await page.getByRole('heading', { level: 2, name: 'Varifrån listan kommer' }).waitFor();
  await page.getByLabel('Listans namn').fill('Köpt lista Gottsunda');

  // Nothing chosen yet: Import waits, and says for what.
  const importButton = page.getByRole('button', { name: 'Importera', exact: true });
  expect(await importButton.isDisabled()).toBe(true);
  await page.getByText('Välj var listan kommer ifrån.').waitFor();
  await page.getByText('Välj den rättsliga grunden för att ringa dem.').waitFor();

  await page.getByRole('radio', { name: 'Köpt från en adresshandlare' }).check();
  await page.getByText('Skriv adresshandlarens namn.').waitFor();
  await page.getByText('Fyll i när listan köptes.').waitFor();
  await page.getByLabel('Adresshandlarens namn').fill('Adressbolaget AB');
  await page.getByLabel('Köpt den').fill('2026-03-01');

  // The warning comes with "legitimate interest", in plain Swedish, and goes with a safer basis.
  expect(await page.getByText(WARNING).count()).toBe(0);
  await page.getByRole('radio', { name: 'Berättigat intresse' }).check();
  await page.getByText(WARNING).waitFor();
  await page.getByText('i oktober 2025 fick två partier en reprimand av IMY', { exact: false }).waitFor();
  await page.getByText('Säker grund är medlemmar, personer som har regelbunden kontakt med partiet och personer som har samtyckt.', { exact: false }).waitFor();
  await screenshots('1-warning');
  await page.getByRole('radio', { name: 'Samtycke: de har gått med på att bli kontaktade' }).check();
  await expect.poll(() => page.getByText(WARNING).count()).toBe(0);
  await page.getByRole('radio', { name: 'Berättigat intresse' }).check();
  await page.getByText(WARNING).waitFor();

  await expect.poll(() => importButton.isEnabled()).toBe(true);
  await importButton.click();
  await page.getByRole('heading', { level: 2, name: 'Listan är importerad' }).waitFor({ timeout: 30_000 });
  await page.getByText('Källa: Köpt från Adressbolaget AB den 1 mars 2026 · Berättigat intresse').waitFor();

  await page.getByRole('link', { name: 'Se alla ringlistor' }).click();
  await page.getByRole('heading', { level: 2, name: 'Ringlistor' }).waitFor();
  const row = page.getByRole('row').filter({ hasText: 'Köpt lista Gottsunda' });
  await row.getByText('Köpt från Adressbolaget AB den 1 mars 2026').waitFor();
  await row.getByText('Berättigat intresse').waitFor();
  await row.getByText('3 av 3').waitFor();
  await screenshots('2-source-on-list');

  // As the API has it.
  const stored = await server.db.selectFrom('targetList').select(['sourceKind', 'sourceName', 'legalBasis']).where('name', '=', 'Köpt lista Gottsunda').executeTakeFirstOrThrow();
  expect(stored).toEqual({ sourceKind: 'broker', sourceName: 'Adressbolaget AB', legalBasis: 'legitimate-interest' });
});

test('a list from before shows "not recorded", is counted in a warning, and gets its source recorded', async () => {
  await page.goto(`${server.url}/orgs/${orgId}?tab=lists`);
  await page.getByRole('heading', { level: 2, name: 'Ringlistor' }).waitFor();
  const warning = page.getByText('En lista saknar uppgift om källa och rättslig grund.', { exact: false });
  await warning.waitFor();
  const old = page.getByRole('row').filter({ hasText: 'Medlemmar 2024' });
  await old.getByText('Inte angiven', { exact: true }).waitFor();
  await screenshots('3-not-recorded');

  await old.getByRole('button', { name: 'Ange källa för Medlemmar 2024' }).click();
  const editor = page.getByRole('form', { name: 'Var Medlemmar 2024 kommer ifrån' });
  await editor.waitFor();
  await editor.getByRole('radio', { name: 'Partiets medlemsregister' }).check();
  await editor.getByRole('radio', { name: 'Medlemmar och personer som har regelbunden kontakt med partiet (GDPR art. 9.2 d)' }).check();
  expect(await editor.getByText(WARNING).count()).toBe(0);
  await screenshots('4-record-source');
  await editor.getByRole('button', { name: 'Spara källan' }).click();

  await page.getByText('Källan för Medlemmar 2024 är sparad.').waitFor();
  await old.getByText('Partiets medlemsregister').waitFor();
  await old.getByText('Medlemmar och regelbundna kontakter').waitFor();
  await expect.poll(() => warning.count()).toBe(0);
  expect(await page.getByText('Inte angiven', { exact: true }).count()).toBe(0);
  await screenshots('5-recorded');

  // In the audit log with no more than the list's id, kind and basis.
  const oldList = await server.db.selectFrom('targetList').select('id').where('name', '=', 'Medlemmar 2024').executeTakeFirstOrThrow();
  const events = await server.db.selectFrom('auditEvent').select(['action', 'details']).where('action', '=', 'list.source-recorded').execute();
  expect(events).toEqual([{ action: 'list.source-recorded', details: { listId: oldList.id, source: 'members', basis: 'members' } }]);
});
