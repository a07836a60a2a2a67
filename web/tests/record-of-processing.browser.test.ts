// An association's record of processing (GDPR Art. 30) in Swedish, in a real Chromium against the real
// server and the built app: its admin opens it from the organisation page and reads the purposes, the
// people by source, the data kept (answers as political opinions), each list's source and legal basis
// (one not recorded, flagged), the retention rules and who set them, who has access, and the processors.
// Screenshots at 1280 and 375 px (nothing scrolls sideways), and on paper without the app around it.
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createUser } from '../../server/src/modules/accounts/accounts.service';
import { changeStatus, createCampaign } from '../../server/src/modules/campaigns/campaigns.service';
import { ALWAYS_WINDOW, DEFAULT_OUTCOMES } from '../../server/src/modules/campaigns/outcomes';
import { addMembership, insertOrganisation } from '../../server/src/modules/organisations/organisations.service';
import { createGroupAsSystem } from '../../server/src/modules/target-groups/target-groups.service';
import { MEMBER_REGISTER, PASSWORD, root, startTestServer, type TestServer } from '../../server/test/harness';
import { launchBrowser, signIn } from './browser';

const OUTPUT = path.join(root, 'test-output');
const SHOTS = path.join(OUTPUT, 'screenshots');
const DISTRICT = 'Socialdemokraterna i Östergötland';
const HAGEBY = 'S-föreningen Hageby';
const ADMIN = { name: 'Karin Sjögren', email: 'karin@hageby.example' };

let server: TestServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let hagebyId = '';

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
  const { db } = server;
  const { clock, importer, calling } = server.app.ctx;
  const district = await insertOrganisation(db, clock, null, { name: DISTRICT, kind: 'partidistrikt', country: 'SE' }, null);
  const hageby = await insertOrganisation(db, clock, district.id, { name: HAGEBY, kind: 'S-förening' }, null);
  hagebyId = hageby.id;
  await db.updateTable('organisation').set({ answersRetentionMonths: 18 }).where('id', '=', district.id).execute();
  const admin = await createUser(db, clock, { ...ADMIN, password: PASSWORD });
  await addMembership(db, clock, admin.id, hageby.id, 'admin', null);
  const districtAdmin = await createUser(db, clock, { name: 'Per Distrikt', email: 'per@distrikt.example', password: PASSWORD });
  await addMembership(db, clock, districtAdmin.id, district.id, 'admin', null);
  for (const [index, role] of (['organizer', 'caller', 'caller', 'caller'] as const).entries()) {
    const user = await createUser(db, clock, { name: `Medlem ${index}`, email: `medlem${index}@hageby.example`, password: PASSWORD });
    await addMembership(db, clock, user.id, hageby.id, role, null);
  }

  const dir = mkdtempSync(path.join(tmpdir(), 'ringa-record-'));
  const imported: string[] = [];
  for (const [name, rows] of [
    ['Köpt lista oktober', Array.from({ length: 12 }, (_, i) => `Person${i};Testsson;070-224 6${String(i).padStart(3, '0')};5833${i % 10};${1950 + i}`)],
    ['Gamla medlemslistan', Array.from({ length: 5 }, (_, i) => `Medlem${i};Äldre;070-224 7${String(i).padStart(3, '0')};5834${i};${1940 + i}`)],
  ] as const) {
    const filePath = path.join(dir, `${randomUUID()}.csv`);
    writeFileSync(filePath, ['Förnamn;Efternamn;Mobil;Postnr;Födelseår', ...rows].join('\n'));
    const listId = await importer.start({ organisationId: hageby.id, name, country: 'SE', filePath, originalName: 'lista.csv', source: MEMBER_REGISTER, createdBy: admin.id, removeFile: true });
    await importer.wait(listId);
    imported.push(listId);
  }
  await db.updateTable('targetList').set({ sourceKind: 'broker', sourceName: 'Datalagret AB', sourceDate: '2026-09-01', legalBasis: 'legitimate-interest' }).where('id', '=', imported[0] ?? '').execute();
  // The member list was imported before Ringa asked where lists came from.
  await db.updateTable('targetList').set({ sourceKind: null, sourceName: '', legalBasis: null }).where('id', '=', imported[1] ?? '').execute();

  const group = await createGroupAsSystem(db, clock, hageby.id, { name: 'Hageby hösten 2026', listIds: [imported[0] ?? ''], filters: [] });
  const campaign = await createCampaign(db, clock, admin.id, hageby.id, {
    name: 'Höstens samtal i Hageby',
    callingWindow: ALWAYS_WINDOW,
    dialing: 'own-phone',
    targetGroupIds: [group.id],
    script: 'Hej {first_name}!',
    questions: [
      { id: 'join', kind: 'yes-no', text: 'Vill du bli medlem?', tags: ['recruit'] },
      { id: 'topics', kind: 'text', text: 'Vad är viktigast för dig?' },
    ],
    outcomes: DEFAULT_OUTCOMES,
  });
  await changeStatus(db, clock, admin.id, campaign.id, 'active');
  for (const answers of [{ join: true, topics: 'Skolan' }, { join: false }, {}]) {
    const { assignment } = await calling.next(admin.id, campaign.id);
    if (!assignment) throw new Error('nobody to call');
    await calling.complete(admin.id, { assignmentId: assignment.id, key: randomUUID(), outcome: Object.keys(answers).length > 0 ? 'conversation' : 'no-answer', answers, notes: '' });
  }

  // Its period, set after the calls (the server runs on the real clock): 4–25 October.
  await db.updateTable('campaign').set({ startsAt: new Date('2026-10-03T22:00:00.000Z'), endsAt: new Date('2026-10-25T22:00:00.000Z') }).where('id', '=', campaign.id).execute();

  context = await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  await signIn(page, server.url, ADMIN.email, PASSWORD);
  await page.evaluate(() => localStorage.setItem('ringa.locale', 'sv'));
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await server?.close();
});

const text = (selector: string) => page.locator(selector).innerText();

test('in Swedish: opened from the organisation page, it says what Ringa holds, from where, for how long and who sees it', async () => {
  await page.goto(`${server.url}/orgs/${hagebyId}`);
  await page.getByRole('link', { name: 'Registerförteckning (GDPR artikel 30)' }).click();
  await page.waitForURL(`${server.url}/orgs/${hagebyId}/record`);
  await page.getByRole('heading', { level: 1, name: 'Registerförteckning' }).waitFor();
  expect(await text('[data-fact="controller"]')).toBe(HAGEBY);
  await page.getByText('Ringa vet bara det som finns i systemet.', { exact: false }).waitFor();

  // Purposes: the campaign with its status and period.
  const campaignRow = page.locator('[data-section="purposes"] tbody tr');
  expect(await campaignRow.locator('th').innerText()).toBe('Höstens samtal i Hageby');
  expect(await campaignRow.innerText()).toMatch(/Öppen[\s\S]*4 okt\. 2026[\s\S]*25 okt\. 2026[\s\S]*2[\s\S]*3/);

  // People by source: 12 bought, 5 not recorded.
  expect(await text('[data-section="people"]')).toContain('Personer på organisationens ringlistor: 17 totalt.');
  expect(await page.locator('[data-source="broker"]').innerText()).toMatch(/^Köpt från en dataleverantör\s+1\s+12$/);
  expect(await page.locator('[data-source="not-recorded"]').innerText()).toMatch(/^Inte registrerad\s+1\s+5$/);

  // The data: the lists' own columns, and the answers as political opinions.
  expect(await text('[data-fact="attributes"]')).toBe('Övriga kolumner i listorna, som sparas som egenskaper: Födelseår, Postnr');
  expect(await text('[data-fact="answers"]')).toBe('Svar på kampanjernas frågor: 2 frågor, varav 1 med fritext; 2 samtal med svar. Politiska åsikter: känsliga personuppgifter (GDPR artikel 9).');

  // Sources and legal bases, the unrecorded one flagged.
  expect(await text('[data-missing-sources]')).toContain('1 lista saknar registrerad källa och rättslig grund.');
  const sources = await page.locator('[data-section="sources"] tbody tr').allInnerTexts();
  expect(sources[0]).toMatch(/^Gamla medlemslistan\s+5\s+.+\s+Inte registrerad\s+Inte registrerad$/);
  expect(sources[1]).toMatch(/^Köpt lista oktober\s+12\s+.+\s+Köpt från en dataleverantör: Datalagret AB, daterad 1 sep\. 2026\s+Berättigat intresse$/);

  // Retention: answers from the district, people by default.
  expect(await text('[data-fact="answers-retention"]')).toMatch(/raderas 18 månader efter att kampanjen avslutades\. Bestämt av Socialdemokraterna i Östergötland\.$/);
  expect(await text('[data-fact="people-retention"]')).toMatch(/raderas 24 månader efter .* Ringas standard\.$/);

  // Access: the association's own roles, the district's admin above it.
  expect(await page.locator('[data-access="own-admin"]').innerText()).toMatch(/^S-föreningen Hageby\s+Den här organisationen\s+Administratör\s+1$/);
  expect(await page.locator('[data-access="own-caller"]').innerText()).toMatch(/Ringare\s+3$/);
  expect(await page.locator('[data-access="above-admin"]').innerText()).toMatch(/^Socialdemokraterna i Östergötland\s+Ovanför \(ärvd\)\s+Administratör\s+1$/);

  // Processors: no Twilio, the hosting not recorded (tests start the server without HOSTING_OPERATOR).
  expect(await text('[data-processor="twilio"] dd')).toContain('Inte inställt');
  expect(await text('[data-processor="hosting"] dd')).toContain('Inte registrerad');

  // Nobody called is named, and no English is left on the page.
  const body = await page.locator('article.record').innerText();
  for (const word of ['Person1', 'Testsson', 'Skolan', 'Not recorded', 'Record of processing', 'Purposes', 'Retention']) expect(body).not.toContain(word);

  for (const width of [1280, 375]) {
    await page.setViewportSize({ width, height: 900 });
    await page.waitForTimeout(200);
    expect(await page.evaluate(() => document.documentElement.scrollWidth), `scrolls sideways at ${width} px`).toBeLessThanOrEqual(width);
    await page.screenshot({ path: path.join(SHOTS, `record-of-processing-sv-${width}.png`), fullPage: true });
    // The first screen as it is seen, at its real size.
    await page.screenshot({ path: path.join(SHOTS, `record-of-processing-sv-${width}-top.png`) });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
});

test('on paper: no header, no buttons, black on white, A4', async () => {
  const printButton = page.getByRole('button', { name: 'Skriv ut' });
  expect(await printButton.isVisible()).toBe(true);
  await page.emulateMedia({ media: 'print' });
  expect(await printButton.isVisible()).toBe(false);
  expect(await page.locator('.site-header').isVisible()).toBe(false);
  const colours = await page.evaluate(() => ({
    body: getComputedStyle(document.body).backgroundColor,
    text: getComputedStyle(document.querySelector('article.record') ?? document.body).color,
  }));
  expect(colours).toEqual({ body: 'rgb(255, 255, 255)', text: 'rgb(0, 0, 0)' });
  await page.screenshot({ path: path.join(SHOTS, 'record-of-processing-sv-print-1280.png'), fullPage: true });
  const pdf = path.join(OUTPUT, 'record-of-processing.pdf');
  await page.pdf({ path: pdf, format: 'A4', preferCSSPageSize: true, printBackground: true });
  expect(statSync(pdf).size).toBeGreaterThan(10_000);
  await page.emulateMedia({ media: 'screen' });
});

test('an organizer of the association finds no link and is refused the page', async () => {
  const organizerContext = await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 900 } });
  try {
    const organizerPage = await organizerContext.newPage();
    await signIn(organizerPage, server.url, 'medlem0@hageby.example', PASSWORD);
    await organizerPage.goto(`${server.url}/orgs/${hagebyId}`);
    await organizerPage.getByRole('heading', { level: 1, name: HAGEBY }).waitFor();
    expect(await organizerPage.getByRole('link', { name: /Record of processing/ }).count()).toBe(0);
    await organizerPage.goto(`${server.url}/orgs/${hagebyId}/record`);
    await organizerPage.getByRole('alert').waitFor();
    expect(await organizerPage.locator('article.record').count()).toBe(0);
  } finally {
    await organizerContext.close();
  }
});
