// A person's page, as a Swedish organizer uses it when someone asks "where did you get my number?": in a
// real Chromium against the real server and the built app. A caller calls Anna from a bought list and
// flags the call; the organizer finds her by her number written as people write it, sees the list's
// source, opens her page from the flagged call on the campaign page, opens the printable export, and
// erases her with her number kept on the do-not-call register. Nothing scrolls sideways at 375 px.
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createUser } from '../../server/src/modules/accounts/accounts.service';
import { changeStatus, createCampaign } from '../../server/src/modules/campaigns/campaigns.service';
import { ALWAYS_WINDOW } from '../../server/src/modules/campaigns/outcomes';
import { addMembership, insertOrganisation } from '../../server/src/modules/organisations/organisations.service';
import { createGroupAsSystem } from '../../server/src/modules/target-groups/target-groups.service';
import { PASSWORD, root, startTestServer, type TestServer } from '../../server/test/harness';
import { launchBrowser, signIn } from './browser';

const SHOTS = path.join(root, 'test-output', 'screenshots');
const ORGANIZER = { name: 'Karin Sjögren', email: 'karin@hageby.example' };
const CALLER = { name: 'Olle Ringare', email: 'olle@hageby.example' };

let server: TestServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let orgId = '';
let campaignId = '';
let annaId = 0;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
  const { db } = server;
  const { clock, importer, calling } = server.app.ctx;
  const district = await insertOrganisation(db, clock, null, { name: 'Socialdemokraterna i Östergötland', kind: 'district', country: 'SE' }, null);
  const hageby = await insertOrganisation(db, clock, district.id, { name: 'S-föreningen Hageby', kind: 'association' }, null);
  orgId = hageby.id;
  const organizer = await createUser(db, clock, { ...ORGANIZER, password: PASSWORD });
  await addMembership(db, clock, organizer.id, hageby.id, 'organizer', null);
  const caller = await createUser(db, clock, { ...CALLER, password: PASSWORD });
  await addMembership(db, clock, caller.id, hageby.id, 'caller', null);

  const dir = mkdtempSync(path.join(tmpdir(), 'ringa-person-'));
  const filePath = path.join(dir, 'kopt.csv');
  writeFileSync(filePath, 'Förnamn;Efternamn;Mobil;Ort\nAnna;Andersson;0701234567;Norrköping\nBertil;Berg;0702345678;Linköping\n');
  const listId = await importer.start({ organisationId: hageby.id, name: 'Köpt lista Hageby', country: 'SE', filePath, originalName: 'kopt.csv', source: { kind: 'broker', name: 'Datakällan AB', date: '2026-09-01', basis: 'legitimate-interest' }, createdBy: organizer.id, removeFile: true });
  await importer.wait(listId);
  annaId = (await db.selectFrom('person').select('id').where('phone', '=', '+46701234567').executeTakeFirstOrThrow()).id;

  const group = await createGroupAsSystem(db, clock, hageby.id, { name: 'Hageby hösten', listIds: [listId], filters: [] });
  const campaign = await createCampaign(db, clock, organizer.id, hageby.id, {
    name: 'Höstens samtal i Hageby',
    callingWindow: ALWAYS_WINDOW,
    dialing: 'own-phone',
    script: 'Hej {first_name}!',
    questions: [{ id: 'join', kind: 'yes-no', text: 'Vill du bli medlem?', tags: ['recruit'] }],
    targetGroupIds: [group.id],
  });
  campaignId = campaign.id;
  await changeStatus(db, clock, organizer.id, campaignId, 'active');
  // Olle calls until he reaches Anna; she asks where the number came from, and he flags it.
  for (;;) {
    const { assignment } = await calling.next(caller.id, campaignId);
    if (!assignment) throw new Error('Anna was never reached');
    const isAnna = assignment.contact.id === annaId;
    await calling.complete(caller.id, {
      assignmentId: assignment.id,
      key: randomUUID(),
      outcome: isAnna ? 'conversation' : 'no-answer',
      answers: isAnna ? { join: false } : {},
      ...(isAnna ? { notes: 'Undrade var vi fått numret ifrån', flag: 'Vill veta varifrån numret kom' } : {}),
    });
    if (isAnna) break;
  }

  context = await browser.newContext({ locale: 'sv-SE', viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  // Signing in is the same in every language; the organizer then works in Swedish.
  await page.goto(`${server.url}/login`);
  await page.evaluate(() => localStorage.setItem('ringa.locale', 'en'));
  await signIn(page, server.url, ORGANIZER.email, PASSWORD);
  await page.evaluate(() => localStorage.setItem('ringa.locale', 'sv'));
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** At 1280 and 375 px, whole pages; a modal dialog as the screen shows it (`fullPage: false`). */
async function screenshots(name: string, fullPage = true): Promise<void> {
  for (const width of [1280, 375]) {
    await page.setViewportSize({ width, height: 900 });
    await page.waitForTimeout(200);
    const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(scrollWidth, `${name} scrolls sideways at ${width} px`).toBeLessThanOrEqual(width);
    await page.screenshot({ path: path.join(SHOTS, `${name}-${width}.png`), fullPage });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

test('the organizer finds Anna by her number written as people write it, from the organisation page', async () => {
  await page.goto(`${server.url}/orgs/${orgId}`);
  await page.getByRole('link', { name: 'Hitta en person' }).click();
  await page.getByRole('heading', { name: 'Hitta en person', level: 1 }).waitFor();
  await page.getByLabel('Namn eller telefonnummer').fill('070-123 45 67');
  await page.getByRole('button', { name: 'Sök' }).click();
  await expect.poll(() => page.getByRole('status').filter({ hasText: 'En person hittades.' }).count()).toBe(1);
  const result = page.locator('.results li');
  await expect.poll(() => result.count()).toBe(1);
  expect(await result.innerText()).toContain('Anna Andersson');
  expect(await result.innerText()).toContain('070-123 45 67');
  // The number searched for is in no address.
  expect(page.url()).toBe(`${server.url}/orgs/${orgId}/people`);
  await screenshots('person-1-search');
});

test("her page shows where the number came from, the call with its answers and the flag, and when her data goes", async () => {
  await page.getByRole('link', { name: 'Anna Andersson' }).click();
  await page.getByRole('heading', { name: 'Anna Andersson', level: 1 }).waitFor();
  expect(page.url()).toBe(`${server.url}/people/${annaId}`);
  const text = await page.locator('main').innerText();
  expect(text).toContain('070-123 45 67');
  expect(text).toContain('Köpt från en dataleverantör: Datakällan AB');
  expect(text).toContain('Berättigat intresse');
  expect(text).toContain('Höstens samtal i Hageby');
  expect(text).toContain('Olle Ringare');
  expect(text).toContain('Vill du bli medlem?');
  expect(text).toContain('Vill veta varifrån numret kom');
  expect(text).toContain('Sparas så länge en pågående kampanj använder en lista hen finns på');
  expect(text).toContain('Finns inte i spärrlistan.');
  expect(text).not.toMatch(/\b(Source|Answers|Notes|Erase)\b/);
  await screenshots('person-2-page');
});

test('the flagged call on the campaign page leads to her page', async () => {
  await page.goto(`${server.url}/campaigns/${campaignId}`);
  const flag = page.locator('.flags li').filter({ hasText: 'Vill veta varifrån numret kom' });
  await flag.waitFor();
  await flag.getByRole('link', { name: 'Öppna sidan för Anna Andersson' }).click();
  await page.getByRole('heading', { name: 'Anna Andersson', level: 1 }).waitFor();
  expect(page.url()).toBe(`${server.url}/people/${annaId}`);
});

test('the printable export says everything Ringa holds about her, in Swedish, and prints without the app around it', async () => {
  await page.getByRole('link', { name: 'Öppna en utskrivbar kopia' }).click();
  await page.getByRole('heading', { name: 'Det här har Ringa om Anna Andersson' }).waitFor();
  const text = await page.locator('article.export').innerText();
  expect(text).toContain('Datakällan AB');
  expect(text).toContain('Vill du bli medlem? Nej');
  expect(text).toContain('Anteckningar: Undrade var vi fått numret ifrån');
  expect(text).toContain('Ort');
  expect(text).toContain('Norrköping');
  expect(text).toContain('Spärrlistan behåller numret');
  await screenshots('person-3-export');
  await page.emulateMedia({ media: 'print' });
  expect(await page.locator('.site-header').isVisible()).toBe(false);
  expect(await page.getByRole('button', { name: 'Skriv ut' }).isVisible()).toBe(false);
  await page.screenshot({ path: path.join(SHOTS, 'person-3-export-print-1280.png'), fullPage: true });
  await page.emulateMedia({ media: 'screen' });
  // The view and the export are in the audit log, naming her by id only.
  const audited = await server.db.selectFrom('auditEvent').select(['action', 'details']).where('action', 'in', ['person.viewed', 'person.exported']).execute();
  expect(audited.some((row) => row.action === 'person.exported')).toBe(true);
  expect(JSON.stringify(audited)).not.toContain('Anna');
});

test('erasure: the dialog says what goes; confirmed, she is gone and her number stays on the do-not-call register', async () => {
  await page.goto(`${server.url}/people/${annaId}`);
  await page.getByRole('heading', { name: 'Anna Andersson', level: 1 }).waitFor();
  await page.getByRole('button', { name: 'Radera', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Radera Anna Andersson?' });
  await dialog.waitFor();
  const said = await dialog.innerText();
  expect(said).toContain('personen: namn, nummer, e-post och uppgifter');
  expect(said).toContain('hens plats på en lista');
  expect(said).toContain('svaren och anteckningarna från ett samtal (samtalet finns kvar som siffror i statistiken, utan koppling till någon)');
  expect(said).toContain('hens nummer i telefoniloggarna');
  expect(said).toContain('rader med hens nummer i importernas felrapporter');
  await dialog.getByLabel(/Behåll numret i spärrlistan/).check();
  await screenshots('person-4-erase', false);
  await dialog.getByRole('button', { name: 'Radera för gott' }).click();
  await page.getByText('Personen är raderad. Numret finns kvar i spärrlistan.').waitFor();
  expect(page.url()).toBe(`${server.url}/orgs/${orgId}/people?erased=kept`);
  expect(await server.db.selectFrom('person').select('id').where('id', '=', annaId).executeTakeFirst()).toBeUndefined();
  const register = await server.db.selectFrom('doNotCall').select(['phone', 'organisationId']).where('phone', '=', '+46701234567').execute();
  expect(register).toEqual([{ phone: '+46701234567', organisationId: orgId }]);
  // Her page now finds nobody.
  await page.goto(`${server.url}/people/${annaId}`);
  await page.getByText('Personen hittades inte.', { exact: false }).waitFor();
});
