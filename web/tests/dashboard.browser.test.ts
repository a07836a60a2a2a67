// The results page of a district, in a real Chromium against the real server and the built app. A
// district (Östergötland) → a municipal organisation (Norrköping) → two associations; one of them
// (Hageby) runs a campaign on its own list, dialled from the callers' own phones. The district's
// organizer opens the Results tab: nothing called yet, said in words; a goal is refused next to its
// field, then added. In a second browser the caller makes three calls (no answer, voicemail, and a
// conversation with a yes to "become a member?", tagged recruit); the district's numbers, rates in
// words, its goal, and the municipality's line in its table move without a reload. The period can
// be chosen (a past year shows nothing); a drill-down leads to the municipality and the association,
// and from there to the campaign. The goal is removed after a question. A caller has no Results.
// Screenshots at 1280 and 375 px in test-output/screenshots/dashboard-*.png; no sideways scrolling.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createUser } from '../../server/src/modules/accounts/accounts.service';
import { changeStatus, createCampaign } from '../../server/src/modules/campaigns/campaigns.service';
import { ALWAYS_WINDOW, DEFAULT_OUTCOMES } from '../../server/src/modules/campaigns/outcomes';
import { addMembership, insertOrganisation } from '../../server/src/modules/organisations/organisations.service';
import { localDay } from '../../server/src/modules/stats/stats.service';
import { createGroupAsSystem } from '../../server/src/modules/target-groups/target-groups.service';
import { MEMBER_REGISTER, PASSWORD, root, startTestServer, type TestServer } from '../../server/test/harness';
import { launchBrowser, signIn } from './browser';

const SHOTS = path.join(root, 'test-output', 'screenshots');
const DISTRICT = 'Socialdemokraterna i Östergötland';
const MUNICIPALITY = 'Arbetarekommunen i Norrköping';
const HAGEBY = 'S-föreningen Hageby';
const NAVESTAD = 'S-föreningen Navestad';
const CAMPAIGN = 'Höstens samtal i Hageby';
const BOARD = { name: 'Karin Sjögren', email: 'karin@ostergotland.example' };
const CALLER = { name: 'Olle Ringare', email: 'olle@hageby.example' };

const CSV = [
  'Förnamn;Efternamn;Mobil;Ort',
  'Anna;Andersson;070-223 45 01;Norrköping',
  'Bo;Berg;070-223 45 02;Norrköping',
  'Cecilia;Carlsson;070-223 45 03;Norrköping',
  'David;Dahl;070-223 45 04;Norrköping',
  'Eva;Ek;070-223 45 05;Norrköping',
].join('\n');

let server: TestServer;
let browser: Browser;
let board: BrowserContext;
let page: Page;
const ids = { district: '', municipality: '', hageby: '', navestad: '', campaign: '' };
/** Today and this year in the organisations' time zone, as the server counts them. */
let today = '';
let year = '';

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
  const { db } = server;
  const { clock, importer } = server.app.ctx;
  const district = await insertOrganisation(db, clock, null, { name: DISTRICT, kind: 'district', country: 'SE', timeZone: 'Europe/Stockholm' }, null);
  const municipality = await insertOrganisation(db, clock, district.id, { name: MUNICIPALITY, kind: 'municipality' }, null);
  const hageby = await insertOrganisation(db, clock, municipality.id, { name: HAGEBY, kind: 'association' }, null);
  const navestad = await insertOrganisation(db, clock, municipality.id, { name: NAVESTAD, kind: 'association' }, null);
  Object.assign(ids, { district: district.id, municipality: municipality.id, hageby: hageby.id, navestad: navestad.id });
  today = localDay(clock.now(), 'Europe/Stockholm');
  year = today.slice(0, 4);

  const organizer = await createUser(db, clock, { ...BOARD, password: PASSWORD });
  await addMembership(db, clock, organizer.id, district.id, 'organizer', null);
  const caller = await createUser(db, clock, { ...CALLER, password: PASSWORD });
  await addMembership(db, clock, caller.id, hageby.id, 'caller', null);

  const dir = mkdtempSync(path.join(tmpdir(), 'ringa-dashboard-'));
  const filePath = path.join(dir, 'hageby.csv');
  writeFileSync(filePath, CSV);
  const listId = await importer.start({ organisationId: hageby.id, name: 'Hageby', country: 'SE', filePath, originalName: 'hageby.csv', source: MEMBER_REGISTER, createdBy: organizer.id, removeFile: true });
  await importer.wait(listId);
  const group = await createGroupAsSystem(db, clock, hageby.id, { name: 'Hageby', listIds: [listId], filters: [] });
  const campaign = await createCampaign(db, clock, organizer.id, hageby.id, {
    name: CAMPAIGN,
    briefing: 'We call members in Hageby before the autumn meeting.',
    callingWindow: ALWAYS_WINDOW,
    // Own phone is the default: nothing said of dialing.
    targetGroupIds: [group.id],
    script: 'Hej {first_name}! Jag heter {caller_name} och ringer från S-föreningen Hageby.',
    questions: [{ id: 'join', kind: 'yes-no', text: 'Would {first_name} like to become a member?', tags: ['recruit'] }],
    outcomes: DEFAULT_OUTCOMES,
  });
  ids.campaign = campaign.id;
  await changeStatus(db, clock, organizer.id, campaign.id, 'active');

  board = await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 900 } });
  page = await board.newPage();
  page.on('dialog', (dialog) => void dialog.accept());
  await signIn(page, server.url, BOARD.email, PASSWORD);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** Screenshots at desktop and phone width, the charts given time to redraw; nothing may scroll sideways. */
async function screenshots(name: string, target: Page = page): Promise<void> {
  for (const width of [1280, 375]) {
    await target.setViewportSize({ width, height: 900 });
    await target.waitForTimeout(400);
    const scrollWidth = await target.evaluate(() => document.documentElement.scrollWidth);
    expect(scrollWidth, `${name} scrolls sideways at ${width} px`).toBeLessThanOrEqual(width);
    await target.screenshot({ path: path.join(SHOTS, `dashboard-${name}-${width}.png`), fullPage: true });
  }
  await target.setViewportSize({ width: 1280, height: 900 });
}

const figure = (name: string) => page.locator(`[data-figure="${name}"] dd`).first();
const childCell = (childId: string, column: string) => page.locator(`[data-child="${childId}"] [data-column="${column}"]`);
const goalText = () => page.locator('.goal .progress-text');
const goalForm = () => page.getByRole('form', { name: 'Add a goal' });

test('the district’s Results tab: nothing called yet, in words; the organisations below; no goals', async () => {
  await page.goto(`${server.url}/orgs/${ids.district}`);
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Results' }).click();
  await page.waitForURL(/\?tab=results$/);
  await page.getByRole('heading', { level: 2, name: 'Results' }).waitFor();
  await page.getByText(`Calls, conversations and new members in ${DISTRICT} and every organisation below it.`).waitFor();

  // This year by default, until today.
  expect(await page.getByRole('button', { name: 'This year' }).getAttribute('aria-pressed')).toBe('true');
  await expect.poll(() => figure('dials').textContent()).toBe('0');
  expect(await figure('recruits').textContent()).toBe('0');
  expect(await figure('talkTime').textContent()).toBe('0:00');
  await page.getByText('No calls yet.').waitFor();
  await page.getByText('No conversations yet.').waitFor();
  await page.getByText('No calls in this period yet.').waitFor();
  await page.getByText('Updated ', { exact: false }).first().waitFor();

  // The one organisation right below, with no calls; the district runs no campaign of its own.
  await page.getByRole('heading', { name: 'Organisations below' }).waitFor();
  expect(await page.locator('[data-child]').count()).toBe(1);
  expect(await childCell(ids.municipality, 'dials').textContent()).toBe('0');
  expect(await childCell(ids.municipality, 'share').textContent()).toBe('–');
  await page.getByText(`${DISTRICT} has no campaigns of its own.`).waitFor();
  await page.getByText('No goals yet.', { exact: false }).waitFor();

  // The CSV download is offered for the period shown.
  const excel = page.getByRole('link', { name: 'For Excel (CSV)' });
  expect(await excel.getAttribute('href')).toBe(`/api/orgs/${ids.district}/stats.csv?from=${year}-01-01&to=${today}&separator=semicolon`);
  await screenshots('1-district-empty');
});

test('a goal the server refuses is explained next to its field; then it is added and shown', async () => {
  const form = goalForm();
  expect(await form.isVisible()).toBe(false);
  await page.getByText('Add a goal', { exact: true }).click();
  // A new goal runs over this year.
  expect(await form.getByLabel('First day').inputValue()).toBe(`${year}-01-01`);
  expect(await form.getByLabel('Last day').inputValue()).toBe(`${year}-12-31`);

  // A target that is no number is caught at once.
  await form.getByLabel('Target').fill('many');
  await form.getByRole('button', { name: 'Add goal' }).click();
  await form.getByText('Give a whole number from 1 to 10 000 000.').waitFor();
  expect(await form.getByLabel('Target').getAttribute('aria-invalid')).toBe('true');

  // The days the wrong way round: the server says no, and the screen says it at the last day.
  await form.getByLabel('What to count').selectOption({ label: 'New members' });
  await form.getByLabel('Target').fill('2');
  await form.getByLabel('First day').fill(`${year}-12-31`);
  await form.getByLabel('Last day').fill(`${year}-01-01`);
  await form.getByRole('button', { name: 'Add goal' }).click();
  const lastDay = form.getByLabel('Last day');
  await form.getByText('The last day must not be before the first.').waitFor();
  expect(await lastDay.getAttribute('aria-invalid')).toBe('true');
  expect(await lastDay.getAttribute('aria-describedby')).toBe('goal-ends-error');
  await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('goal-ends');
  expect(await form.getByLabel('Target').getAttribute('aria-invalid')).toBeNull();
  expect(await server.db.selectFrom('goal').select('id').execute()).toHaveLength(0);
  await page.locator('.add-goal').screenshot({ path: path.join(SHOTS, 'dashboard-2-goal-refused-1280.png') });

  await form.getByLabel('First day').fill(`${year}-01-01`);
  await form.getByLabel('Last day').fill(`${year}-12-31`);
  await form.getByLabel('Name').fill(`New members ${year}`);
  await form.getByRole('button', { name: 'Add goal' }).click();
  await page.getByText(`The goal “New members ${year}” was added.`).waitFor();
  await expect.poll(() => goalText().textContent()).toBe('0 of 2');
  // The form closes; reading goes on at the goals.
  expect(await form.isVisible()).toBe(false);
  await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('goals-title');
  const goal = page.locator('.goal');
  await goal.getByRole('heading', { name: `New members ${year}` }).waitFor();
  expect(await goal.getByRole('progressbar').getAttribute('aria-valuetext')).toMatch(/^0 of 2, (On track|Behind|Not started)$/);
  expect(await server.db.selectFrom('goal').select(['metric', 'target']).execute()).toEqual([{ metric: 'recruits', target: 2 }]);
});

let caller: { context: BrowserContext; page: Page } | null = null;

/** The caller's screen: "I have called", an outcome (and the answer), "Save and next". */
async function call(outcomeCode: string, recruit = false): Promise<void> {
  if (!caller) throw new Error('no caller');
  const screen = caller.page;
  const name = screen.locator('#person-name');
  await name.waitFor();
  const before = await name.textContent();
  await screen.getByRole('button', { name: 'I have called' }).click();
  if (recruit) await screen.locator('[data-question="join"]').getByText('Yes', { exact: true }).click();
  await screen.locator(`[data-outcome="${outcomeCode}"]`).click();
  await screen.getByRole('button', { name: 'Save and next' }).click();
  await expect.poll(async () => name.textContent(), { timeout: 15_000 }).not.toBe(before);
}

test('calls made in another browser move the district’s figures, rates, goal and table without a reload', async () => {
  const before = await page.getByTestId('updated').textContent();
  // Said once the page follows the district live.
  await page.getByText('updates by itself while people call').waitFor();
  await page.evaluate(() => {
    (window as unknown as { notReloaded: boolean }).notReloaded = true;
  });

  const context = await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 900 } });
  caller = { context, page: await context.newPage() };
  await signIn(caller.page, server.url, CALLER.email, PASSWORD);
  await caller.page.goto(`${server.url}/call/${ids.campaign}`);
  await caller.page.getByRole('button', { name: 'Start calling' }).click();

  await call('no-answer');
  await expect.poll(() => figure('dials').textContent(), { timeout: 10_000 }).toBe('1');
  expect(await figure('reached').textContent()).toBe('0');
  await page.getByText('No call has reached anyone yet.').waitFor();

  await call('voicemail');
  await call('conversation', true);
  await expect.poll(() => figure('dials').textContent(), { timeout: 10_000 }).toBe('3');
  await expect.poll(() => figure('recruits').textContent(), { timeout: 10_000 }).toBe('1');
  expect(await figure('reached').textContent()).toBe('1');
  expect(await figure('conversations').textContent()).toBe('1');

  // In words, as a board member would say it.
  await page.getByText('1 in 3 calls reached someone.').waitFor();
  await page.getByText('1 new member per conversation.').waitFor();
  await page.getByText('3 calls per caller-hour.').waitFor();
  await page.getByText('Of 3 calls, 1 reached someone, 1 led to a conversation and 1 to a new member.').waitFor();
  await page.getByText(/^The busiest day was .+, with 3 calls\.$/).waitFor();

  // The municipality's line and the goal moved too.
  expect(await childCell(ids.municipality, 'dials').textContent()).toBe('3');
  expect(await childCell(ids.municipality, 'recruits').textContent()).toBe('1');
  expect(await childCell(ids.municipality, 'share').textContent()).toBe('33%');
  await expect.poll(() => goalText().textContent()).toBe('1 of 2');
  expect(await page.locator('.goal').getByRole('progressbar').getAttribute('aria-valuenow')).toBe('1');

  // The same page all along, its time of update moved on.
  expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
  expect(await page.getByTestId('updated').textContent()).not.toBe(before);

  // The days in a table, for whoever does not read the chart.
  await page.getByText('Show the figures as a table').click();
  const table = page.getByRole('table', { name: 'Calls, conversations and new members per day (days with calls only)' });
  expect(await table.locator('tbody tr').count()).toBe(1);
  expect(await table.locator('tbody td').allTextContents()).toEqual(['3', '1', '1']);
  await page.getByText('Show the figures as a table').click();

  await page.evaluate(() => window.scrollTo(0, 0));
  await screenshots('3-district-live');
});

test('the period: quick choices and days of one’s own, kept in the address', async () => {
  await page.getByRole('button', { name: 'Last 30 days' }).click();
  await page.waitForURL(/from=/);
  expect(await page.getByRole('button', { name: 'Last 30 days' }).getAttribute('aria-pressed')).toBe('true');
  await expect.poll(() => figure('dials').textContent()).toBe('3');

  // Last year: nothing called then.
  const last = String(Number(year) - 1);
  await page.getByRole('button', { name: 'Choose dates' }).click();
  const periodForm = page.locator('#period-custom');
  await periodForm.getByLabel('First day').fill(`${last}-01-01`);
  await periodForm.getByLabel('Last day').fill(`${last}-01-10`);
  // The wrong way round is caught before asking.
  await periodForm.getByLabel('First day').fill(`${last}-02-01`);
  await periodForm.getByRole('button', { name: 'Show' }).click();
  await periodForm.getByText('The last day must not be before the first.').waitFor();
  await periodForm.getByLabel('First day').fill(`${last}-01-01`);
  await periodForm.getByRole('button', { name: 'Show' }).click();
  await page.waitForURL(new RegExp(`from=${last}-01-01&to=${last}-01-10`));
  await expect.poll(() => figure('dials').textContent()).toBe('0');
  await page.getByText('No calls in this period yet.').waitFor();
  // Goals count their own days, whatever the period.
  expect(await goalText().textContent()).toBe('1 of 2');

  await page.getByRole('button', { name: 'This year' }).click();
  await expect.poll(() => figure('dials').textContent()).toBe('3');
  expect(page.url()).toBe(`${server.url}/orgs/${ids.district}?tab=results`);
});

test('drill-down: the municipality, then the association and its campaign', async () => {
  await page.getByRole('link', { name: `Results of ${MUNICIPALITY}` }).click();
  await page.waitForURL(`${server.url}/orgs/${ids.municipality}?tab=results`);
  await page.getByRole('heading', { level: 1, name: MUNICIPALITY }).waitFor();
  await expect.poll(() => figure('dials').textContent()).toBe('3');
  expect(await page.locator('[data-child]').count()).toBe(2);
  expect(await childCell(ids.hageby, 'dials').textContent()).toBe('3');
  expect(await childCell(ids.hageby, 'conversations').textContent()).toBe('1');
  expect(await childCell(ids.navestad, 'dials').textContent()).toBe('0');
  // The district's goal is the district's: none here.
  await page.getByText('No goals yet.', { exact: false }).waitFor();
  await page.getByRole('link', { name: `Results of ${DISTRICT}` }).waitFor();
  await screenshots('4-municipality');

  await page.getByRole('link', { name: `Results of ${HAGEBY}` }).click();
  await page.waitForURL(`${server.url}/orgs/${ids.hageby}?tab=results`);
  await page.getByRole('heading', { level: 1, name: HAGEBY }).waitFor();
  await page.getByText(`There are no organisations below ${HAGEBY}.`).waitFor();
  const row = page.locator(`[data-campaign="${ids.campaign}"]`);
  await expect.poll(() => row.locator('[data-column="dials"]').textContent()).toBe('3');
  expect(await row.locator('[data-column="recruits"]').textContent()).toBe('1');
  await row.getByText('Open').waitFor();
  await screenshots('5-association');
  await row.getByRole('link', { name: CAMPAIGN }).click();
  await page.waitForURL(`${server.url}/campaigns/${ids.campaign}`);
  await page.getByRole('heading', { level: 1, name: CAMPAIGN }).waitFor();
});

test('in Swedish, on a phone', async () => {
  await page.evaluate(() => localStorage.setItem('ringa.locale', 'sv'));
  await page.goto(`${server.url}/orgs/${ids.district}?tab=results`);
  await page.getByRole('heading', { level: 2, name: 'Resultat' }).waitFor();
  await page.getByText('1 av 3 uppringningar nådde någon.').waitFor();
  await page.getByText('1 ny medlem per samtal.').waitFor();
  await page.getByText('1 av 2', { exact: true }).waitFor();
  await page.setViewportSize({ width: 375, height: 900 });
  await page.waitForTimeout(400);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
  await page.screenshot({ path: path.join(SHOTS, 'dashboard-6-district-sv-375.png'), fullPage: true });
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.evaluate(() => localStorage.setItem('ringa.locale', 'en'));
});

test('removing a goal asks first', async () => {
  await page.goto(`${server.url}/orgs/${ids.district}?tab=results`);
  await expect.poll(() => goalText().textContent()).toBe('1 of 2');
  const questions: string[] = [];
  page.once('dialog', (dialog) => questions.push(dialog.message()));
  await page.getByRole('button', { name: `Remove the goal New members ${year}` }).click();
  await page.getByText(`The goal “New members ${year}” was removed.`).waitFor();
  expect(questions).toEqual([`Remove the goal “New members ${year}”? The figures stay; only the goal goes.`]);
  expect(await page.locator('.goal').count()).toBe(0);
  expect(await server.db.selectFrom('goal').select('id').execute()).toHaveLength(0);
});

test('a caller has no Results: the page of their association shows none, and the figures are refused', async () => {
  if (!caller) throw new Error('no caller');
  const screen = caller.page;
  await screen.goto(`${server.url}/orgs/${ids.hageby}?tab=results`);
  await screen.getByText(`You are a caller in`, { exact: false }).waitFor();
  expect(await screen.getByRole('navigation', { name: 'Sections' }).count()).toBe(0);
  expect(await screen.getByRole('heading', { name: 'Results' }).count()).toBe(0);
  const status = await screen.evaluate(async (orgId) => (await fetch(`/api/orgs/${orgId}/stats`)).status, ids.hageby);
  expect([403, 404]).toContain(status);
  await caller.context.close();
});
