// A campaign's results, from the organizer's side and the board's, in a real Chromium against the real
// server and the built app. Seven callers from two associations make 24 calls through the calling
// engine, in five rounds moved back in the database (two hours of yesterday, three of today) before
// the figures are folded. The Results tab shows the totals the database holds, the rates in words, the
// goals, each day, one day hour by hour (another day chosen), each caller by name, the callers'
// organisations, a question eight people answered with its small answers said to be fewer than 5, one
// whose other answer the figures count (new members) and one three people answered hidden whole, and the calls file for the campaign's own organizers. The evaluation report says
// which goals were reached and by how much, names no caller, prints on A4 without the app's header
// and buttons (print media emulated, a PDF saved). Swedish too; nothing scrolls sideways at 375 px.
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
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
const CAMPAIGN = 'Höstens samtal i Hageby';
const HAGEBY = 'S-föreningen Hageby';
const EKTORP = 'S-föreningen Ektorp';
const ORGANIZER = { name: 'Karin Sjögren', email: 'karin@hageby.example' };
const CALLERS = [
  { key: 'olle', name: 'Olle Ringare', org: 'hageby' },
  { key: 'maria', name: 'Maria Lind', org: 'hageby' },
  { key: 'ahmed', name: 'Ahmed Yusuf', org: 'hageby' },
  { key: 'lena', name: 'Lena Berg', org: 'hageby' },
  { key: 'sven', name: 'Sven Holm', org: 'ektorp' },
  { key: 'fatima', name: 'Fatima Ali', org: 'ektorp' },
  { key: 'jonas', name: 'Jonas Ek', org: 'ektorp' },
] as const;
type CallerKey = (typeof CALLERS)[number]['key'];
type Call = [CallerKey, string, Record<string, unknown>?];

const yes = { join: true, issue: 'jobs', contact: 'phone' };
const no = { join: false, issue: 'jobs', contact: 'phone' };
/** Five rounds of calls, each moved back by its hours: two hours of yesterday, three of today. */
const ROUNDS: { hoursBack: number; calls: Call[] }[] = [
  { hoursBack: 26, calls: [['olle', 'conversation', { ...yes, meeting: 'yes', issue: 'school' }], ['maria', 'no-answer'], ['ahmed', 'conversation', { ...no, contact: 'mail' }], ['sven', 'busy']] },
  {
    hoursBack: 25,
    calls: [['olle', 'no-answer'], ['maria', 'conversation', yes], ['fatima', 'voicemail'], ['jonas', 'refused'], ['lena', 'wrong-number'], ['sven', 'conversation', { ...yes, meeting: 'maybe', issue: 'school' }]],
  },
  { hoursBack: 2, calls: [['olle', 'conversation', no], ['ahmed', 'no-answer'], ['lena', 'conversation', yes], ['fatima', 'conversation'], ['jonas', 'busy']] },
  { hoursBack: 1, calls: [['maria', 'do-not-call'], ['sven', 'no-answer'], ['jonas', 'conversation', { ...yes, meeting: 'yes' }], ['olle', 'callback'], ['ahmed', 'no-answer']] },
  { hoursBack: 0, calls: [['lena', 'conversation', no], ['fatima', 'no-answer'], ['olle', 'no-answer'], ['maria', 'conversation']] },
];

let server: TestServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let campaignId = '';
let organizerId = '';
const callerIds = new Map<CallerKey, string>();

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
  const { db } = server;
  const { clock, importer, calling, stats } = server.app.ctx;
  const district = await insertOrganisation(db, clock, null, { name: 'Socialdemokraterna i Östergötland', kind: 'district', country: 'SE' }, null);
  const hageby = await insertOrganisation(db, clock, district.id, { name: HAGEBY, kind: 'association' }, null);
  const ektorp = await insertOrganisation(db, clock, district.id, { name: EKTORP, kind: 'association' }, null);
  const organizer = await createUser(db, clock, { ...ORGANIZER, password: PASSWORD });
  organizerId = organizer.id;
  await addMembership(db, clock, organizer.id, hageby.id, 'organizer', null);
  await addMembership(db, clock, organizer.id, ektorp.id, 'organizer', null);
  for (const caller of CALLERS) {
    const user = await createUser(db, clock, { name: caller.name, email: `${caller.key}@hageby.example`, password: PASSWORD });
    await addMembership(db, clock, user.id, caller.org === 'hageby' ? hageby.id : ektorp.id, 'caller', null);
    callerIds.set(caller.key, user.id);
  }

  const rows = Array.from({ length: 30 }, (_, index) => `Person${index + 1};Testsson;070-224 5${String(index).padStart(3, '0')}`);
  const dir = mkdtempSync(path.join(tmpdir(), 'ringa-results-'));
  const filePath = path.join(dir, 'hageby.csv');
  writeFileSync(filePath, ['Förnamn;Efternamn;Mobil', ...rows].join('\n'));
  const listId = await importer.start({ organisationId: hageby.id, name: 'Hageby', country: 'SE', filePath, originalName: 'hageby.csv', source: MEMBER_REGISTER, createdBy: organizer.id, removeFile: true });
  await importer.wait(listId);
  const group = await createGroupAsSystem(db, clock, hageby.id, { name: 'Hageby hösten 2026', listIds: [listId], filters: [] });
  const campaign = await createCampaign(db, clock, organizer.id, hageby.id, {
    name: CAMPAIGN,
    callingWindow: ALWAYS_WINDOW,
    dialing: 'simulated',
    goals: [
      { metric: 'recruits', target: 10 },
      { metric: 'dials', target: 20 },
    ],
    targetGroupIds: [group.id],
    callerTeamIds: [ektorp.id],
    script: 'Hej {first_name}!',
    questions: [
      { id: 'join', kind: 'yes-no', text: 'Would **{first_name}** like to become a member?', tags: ['recruit'] },
      {
        id: 'meeting',
        kind: 'single',
        text: 'Can they come to the meeting on 12 October?',
        choices: [
          { value: 'yes', label: 'Yes, coming', tags: ['event'] },
          { value: 'maybe', label: 'Maybe', tags: [] },
        ],
      },
      {
        id: 'issue',
        kind: 'single',
        text: 'Which issue should we talk about?',
        choices: [
          { value: 'jobs', label: 'Jobs', tags: [] },
          { value: 'school', label: 'School', tags: [] },
          { value: 'care', label: 'Care', tags: [] },
        ],
      },
      {
        id: 'contact',
        kind: 'single',
        text: 'How would they like to hear from us?',
        choices: [
          { value: 'phone', label: 'By phone', tags: [] },
          { value: 'mail', label: 'By post', tags: [] },
        ],
      },
      { id: 'topics', kind: 'text', text: 'What matters most to them?' },
    ],
    outcomes: DEFAULT_OUTCOMES,
  });
  campaignId = campaign.id;
  await changeStatus(db, clock, organizer.id, campaign.id, 'active');

  // The figures are folded by hand, after each round's calls and their changes have been moved back.
  await stats.close();
  for (const round of ROUNDS) {
    const start = new Date();
    for (const [key, outcome, answers] of round.calls) {
      const callerId = callerIds.get(key) ?? '';
      const { assignment } = await calling.next(callerId, campaignId);
      if (!assignment) throw new Error(`${key} got no one to call`);
      await calling.complete(callerId, { assignmentId: assignment.id, key: randomUUID(), outcome, answers: answers ?? {} });
    }
    if (round.hoursBack > 0) {
      const back = sql`make_interval(hours => ${round.hoursBack})`;
      await sql`update call set created_at = created_at - ${back} where campaign_id = ${campaignId} and created_at >= ${start}`.execute(db);
      await sql`update stat_delta set at = at - ${back} where campaign_id = ${campaignId} and at >= ${start}`.execute(db);
    }
  }
  await stats.flush();

  context = await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  await signIn(page, server.url, ORGANIZER.email, PASSWORD);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** The campaign's figures counted straight from its calls. */
async function counted() {
  const { rows } = await sql<{ dials: number; reached: number; conversations: number; recruits: number }>`
    select count(*)::int as dials, count(*) filter (where reached)::int as reached,
      count(*) filter (where outcome = 'conversation')::int as conversations,
      count(*) filter (where 'recruit' = any (tags))::int as recruits
    from call where campaign_id = ${campaignId}`.execute(server.db);
  return rows[0] ?? { dials: -1, reached: -1, conversations: -1, recruits: -1 };
}

/** Calls per local day and hour in the organisation's time zone, from the calls themselves. */
async function callsByDayAndHour() {
  const { rows } = await sql<{ day: string; hour: string; calls: number }>`
    select to_char(c.created_at at time zone o.time_zone, 'YYYY-MM-DD') as day,
      to_char(c.created_at at time zone o.time_zone, 'HH24') as hour, count(*)::int as calls
    from call c join organisation o on o.id = c.organisation_id
    where c.campaign_id = ${campaignId} group by 1, 2 order by 1, 2`.execute(server.db);
  return rows;
}

async function screenshots(name: string): Promise<void> {
  for (const width of [1280, 375]) {
    await page.setViewportSize({ width, height: 900 });
    await page.waitForTimeout(200);
    const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    // Named when it fails: the elements that reach past the right edge.
    const wide = scrollWidth > width ? await page.evaluate((edge) => [...document.querySelectorAll('body *')].filter((element) => element.getBoundingClientRect().right > edge + 0.5 && !element.parentElement?.closest('.table-wrap')).slice(0, 5).map((element) => `${element.tagName.toLowerCase()}.${element.className}: ${element.textContent?.slice(0, 40)}`), width) : [];
    expect(scrollWidth, `${name} scrolls sideways at ${width} px: ${wide.join(' | ')}`).toBeLessThanOrEqual(width);
    await page.screenshot({ path: path.join(SHOTS, `${name}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

const figure = (name: string) => page.locator(`[data-figure="${name}"] dd`);
const table = (name: string) => page.locator(`table[data-table="${name}"]`);
/** A row's cells as read, non-breaking spaces (Swedish "50 %") as plain ones. */
const cellTexts = async (row: ReturnType<Page['locator']>) => (await row.locator('th, td').allInnerTexts()).map((text) => text.replace(/\u00a0/g, ' '));

test('the Results tab shows the totals the database holds, in figures and in words', async () => {
  const db = await counted();
  // The calls made are the ones the test meant: 24 calls, 13 answered, 10 conversations, 5 new members.
  expect(db).toEqual({ dials: 24, reached: 13, conversations: 10, recruits: 5 });

  await page.goto(`${server.url}/campaigns/${campaignId}`);
  await page.getByRole('heading', { level: 1, name: CAMPAIGN }).waitFor();
  await page.getByRole('navigation', { name: 'Parts of the campaign' }).getByRole('link', { name: 'Results' }).click();
  await page.waitForURL(/\?tab=results$/);
  await page.getByRole('heading', { level: 2, name: 'Results' }).waitFor();

  await expect.poll(() => figure('dials').textContent()).toBe(String(db.dials));
  expect(await figure('reached').textContent()).toBe(String(db.reached));
  expect(await figure('conversations').textContent()).toBe(String(db.conversations));
  expect(await figure('recruits').textContent()).toBe(String(db.recruits));
  await page.getByText('54% of the calls were answered (13 of 24).').waitFor();
  await page.getByText('50% of the conversations ended with a new member (5 of 10).').waitFor();
  expect(await figure('doNotCall').textContent()).toBe('1');
  expect(await figure('wrongNumbers').textContent()).toBe('1');
  // "Yes, coming" to the meeting is tagged as an event sign-up: two people.
  expect(await figure('events').textContent()).toBe('2');

  // The goals as progress bars with their figures in words.
  const recruits = page.locator('[data-goal="recruits"]');
  expect(await recruits.innerText()).toContain('5 of 10 (50%)');
  expect(await recruits.getByText('Reached').count()).toBe(0);
  expect(await recruits.locator('progress').getAttribute('value')).toBe('5');
  const dials = page.locator('[data-goal="dials"]');
  expect(await dials.innerText()).toContain('24 of 20 (120%)');
  await dials.getByText('Reached').waitFor();
});

test('per day, one day hour by hour (another day chosen), callers by name, and their organisations', async () => {
  const perHour = await callsByDayAndHour();
  const days = [...new Set(perHour.map((row) => row.day))];
  expect(days.length).toBeGreaterThanOrEqual(2);
  const callsOn = (day: string) => perHour.filter((row) => row.day === day).reduce((sum, row) => sum + row.calls, 0);

  const dayRows = table('days').locator('tbody tr');
  expect(await dayRows.count()).toBe(days.length);
  for (const [index, day] of days.entries()) {
    const cells = await cellTexts(dayRows.nth(index));
    expect(cells[1]?.trim(), `calls on ${day}`).toBe(String(callsOn(day)));
  }

  // The last day with calls is shown hour by hour at first.
  const picker = page.getByLabel('Day', { exact: true });
  const last = days.at(-1) ?? '';
  expect(await picker.inputValue()).toBe(last);
  const hourRows = table('hours').locator('tbody tr');
  expect(await hourRows.count()).toBe(perHour.filter((row) => row.day === last).length);

  // Choosing the first day shows its hours: as many calls, in as many hours, as the database holds.
  const first = days[0] ?? '';
  await picker.selectOption(first);
  await expect.poll(() => hourRows.count()).toBe(perHour.filter((row) => row.day === first).length);
  const shown = await hourRows.evaluateAll((rows) => rows.map((row) => Number(row.querySelectorAll('td')[0]?.textContent?.trim())));
  expect(shown.reduce((sum, calls) => sum + calls, 0)).toBe(callsOn(first));
  expect(await page.getByRole('status').filter({ hasText: /^Showing / }).textContent()).toMatch(/^Showing .+\.$/);

  // Each caller's row, by name: calls, conversations and new members as saved.
  const { rows: perCaller } = await sql<{ name: string; dials: number; conversations: number; recruits: number }>`
    select u.name, count(*)::int as dials, count(*) filter (where c.outcome = 'conversation')::int as conversations,
      count(*) filter (where 'recruit' = any (c.tags))::int as recruits
    from call c join app_user u on u.id = c.caller_id where c.campaign_id = ${campaignId}
    group by u.name order by u.name`.execute(server.db);
  expect(perCaller).toHaveLength(CALLERS.length);
  const callerRows = table('callers').locator('tbody tr');
  expect(await callerRows.count()).toBe(CALLERS.length);
  const names = await callerRows.locator('th').allInnerTexts();
  expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b, 'en-GB')));
  for (const expected of perCaller) {
    const cells = await cellTexts(callerRows.filter({ has: page.locator('th', { hasText: expected.name }) }));
    expect(cells.slice(0, 4), expected.name).toEqual([expected.name, String(expected.dials), String(expected.conversations), String(expected.recruits)]);
  }
  // No ranking words on the organizer's page.
  expect(await page.locator('.results').innerText()).not.toMatch(/\b(top|best|worst|rank|ranking|leader)\b/i);

  // By the callers' organisation: Hageby's four callers and Ektorp's three.
  const { rows: perOrg } = await sql<{ name: string; dials: number }>`
    select o.name, count(*)::int as dials from call c
    join membership m on m.user_id = c.caller_id join organisation o on o.id = m.organisation_id
    where c.campaign_id = ${campaignId} group by o.name order by o.name`.execute(server.db);
  const orgRows = table('organisations').locator('tbody tr');
  expect(await orgRows.count()).toBe(2);
  for (const expected of perOrg) {
    const cells = await cellTexts(orgRows.filter({ has: page.locator('th', { hasText: expected.name }) }));
    expect(cells.slice(0, 2)).toEqual([expected.name, String(expected.dials)]);
  }
});

test('answers: each answer fewer than five gave said to be so, what would reveal one hidden with it; the calls file for the own organizers', async () => {
  const hiddenWhole = 'Not shown, to protect the privacy of those who answered: fewer than 5 people answered, or the question’s figures would reveal an answer given by fewer than 5.';
  // Jobs 6, school 2, care none: the two small ones protect each other (8 − 6 = 2 is 2 + 0, 1 + 1 or 0 + 2).
  const issue = page.locator('[data-question="issue"]');
  await issue.getByRole('heading', { name: 'Which issue should we talk about?' }).waitFor();
  expect(await issue.getByText('8 people answered').count()).toBe(1);
  expect(await issue.locator('[data-answer="jobs"]').innerText()).toMatch(/^Jobs\s+6 people \(75%\)$/);
  expect(await issue.locator('[data-answer="school"]').innerText()).toMatch(/^School\s+fewer than 5$/);
  expect(await issue.locator('[data-answer="care"]').innerText()).toMatch(/^Care\s+fewer than 5$/);
  // By post 1: fewer than 5; by phone (7) hidden with it, or 8 − 7 would tell it.
  const contact = page.locator('[data-question="contact"]');
  expect(await contact.getByText('8 people answered').count()).toBe(1);
  expect(await contact.locator('[data-answer="mail"]').innerText()).toMatch(/^By post\s+fewer than 5$/);
  expect(await contact.locator('[data-answer="phone"]').innerText()).toMatch(/^By phone\s+hidden, so that a smaller answer cannot be worked out$/);
  // 5 yes (counted as new members in the figures) and 3 no: yes cannot hide no, so the question is hidden whole.
  const join = page.locator('[data-question="join"]');
  await join.getByRole('heading', { name: 'Would [First name] like to become a member?' }).waitFor();
  await join.getByText(hiddenWhole).waitFor();
  expect(await join.locator('[data-answer]').count()).toBe(0);

  const meeting = page.locator('[data-question="meeting"]');
  await meeting.getByText(hiddenWhole).waitFor();
  expect(await meeting.locator('[data-answer]').count()).toBe(0);
  expect(await meeting.locator(':scope > :not(.question-text)').allInnerTexts()).toEqual([hiddenWhole]);
  // A free-text question is never counted out.
  expect(await page.locator('[data-question="topics"]').count()).toBe(0);

  const download = page.locator('[data-export="semicolon"]');
  expect(await download.getAttribute('href')).toBe(`/api/campaigns/${campaignId}/calls.csv?separator=semicolon`);
  expect(await page.locator('[data-export="comma"]').getAttribute('href')).toBe(`/api/campaigns/${campaignId}/calls.csv?separator=comma`);
  await page.getByText('It holds personal data and political opinions.', { exact: false }).waitFor();

  await screenshots('campaign-results');
});

test('the evaluation report: goals reached or not and by how much, the funnel, no callers named, printable on A4', async () => {
  await page.getByRole('link', { name: 'Evaluation report' }).click();
  await page.waitForURL(`${server.url}/campaigns/${campaignId}/report`);
  await page.getByRole('heading', { level: 1, name: CAMPAIGN }).waitFor();
  expect(await page.locator('[data-fact="organisation"]').textContent()).toBe(HAGEBY);
  expect(await page.locator('[data-fact="status"]').textContent()).toBe('Open');

  // While the campaign runs, a goal not met is "not reached yet".
  const goalRow = (metric: string) => table('goals').locator(`tr[data-goal="${metric}"]`);
  await expect.poll(() => cellTexts(goalRow('recruits'))).toEqual(['New members', '10', '5', 'Not reached yet: 5 to go (50% of the goal)']);
  expect(await cellTexts(goalRow('dials'))).toEqual(['Calls made', '20', '24', 'Reached, 4 more than the goal']);

  // Finished, it was not reached.
  await changeStatus(server.db, server.app.ctx.clock, organizerId, campaignId, 'finished');
  await page.reload();
  await expect.poll(() => page.locator('[data-fact="status"]').textContent()).toBe('Finished');
  expect(await cellTexts(goalRow('recruits'))).toEqual(['New members', '10', '5', 'Not reached: 5 short (50% of the goal)']);

  const step = (key: string) => page.locator(`[data-step="${key}"]`);
  expect(await step('dials').innerText()).toMatch(/Calls made\s+24\s+all calls/);
  expect(await step('reached').innerText()).toMatch(/Answered\s+13\s+54% of the calls/);
  expect(await step('conversations').innerText()).toMatch(/Conversations\s+10\s+77% of those who answered/);
  expect(await step('recruits').innerText()).toMatch(/New members\s+5\s+50% of the conversations/);
  expect(await table('days').locator('tfoot').innerText()).toMatch(/Total\s+24\s+13\s+10\s+5/);
  await page.locator('[data-question="meeting"]').getByText('fewer than 5 people answered', { exact: false }).waitFor();
  expect(await page.locator('[data-question="issue"] [data-answer="school"]').innerText()).toContain('fewer than 5');
  expect(await page.locator('[data-question="issue"] [data-answer="jobs"]').innerText()).toContain('6 people (75%)');
  await page.getByText(/^Printed \d/).first().waitFor();

  // The board's report names no caller.
  const report = await page.locator('article.report').innerText();
  for (const caller of CALLERS) expect(report).not.toContain(caller.name);

  await screenshots('report');

  // On paper: no header, no buttons, no links back; black on white.
  const printButton = page.getByRole('button', { name: 'Print' });
  expect(await printButton.isVisible()).toBe(true);
  await page.emulateMedia({ media: 'print' });
  expect(await printButton.isVisible()).toBe(false);
  expect(await page.getByRole('link', { name: /Back to the results/ }).isVisible()).toBe(false);
  expect(await page.locator('.site-header').isVisible()).toBe(false);
  expect(await page.locator('article.report').isVisible()).toBe(true);
  const colours = await page.evaluate(() => ({
    page: getComputedStyle(document.documentElement).backgroundColor,
    body: getComputedStyle(document.body).backgroundColor,
    text: getComputedStyle(document.querySelector('article.report') ?? document.body).color,
  }));
  expect(colours).toEqual({ page: 'rgb(255, 255, 255)', body: 'rgb(255, 255, 255)', text: 'rgb(0, 0, 0)' });
  await page.screenshot({ path: path.join(SHOTS, 'report-print-1280.png'), fullPage: true });
  const pdf = path.join(OUTPUT, 'campaign-report.pdf');
  await page.pdf({ path: pdf, format: 'A4', preferCSSPageSize: true, printBackground: true });
  expect(statSync(pdf).size).toBeGreaterThan(10_000);
  await page.emulateMedia({ media: 'screen' });
});

test('in Swedish, the hidden question and the report read in Swedish and fit a phone', async () => {
  await page.evaluate(() => localStorage.setItem('ringa.locale', 'sv'));
  await page.goto(`${server.url}/campaigns/${campaignId}?tab=results`);
  await page.getByRole('heading', { level: 2, name: 'Resultat' }).waitFor();
  await page
    .locator('[data-question="meeting"]')
    .getByText('Visas inte, för att skydda de svarandes integritet: färre än 5 personer svarade, eller så skulle frågans siffror avslöja ett svar som färre än 5 gav.')
    .waitFor();
  expect(await page.locator('[data-question="issue"] [data-answer="care"]').innerText()).toMatch(/^Care\s+färre än 5$/);
  expect(await page.locator('[data-question="issue"] [data-answer="jobs"]').innerText()).toMatch(/^Jobs\s+6 personer \(75\s?%\)$/);
  expect(await page.locator('[data-question="contact"] [data-answer="phone"]').innerText()).toMatch(/^By phone\s+dold, så att ett mindre svar inte kan räknas ut$/);
  // The answers on a phone, as they are seen.
  await page.setViewportSize({ width: 375, height: 900 });
  await page.locator('[data-question="issue"]').screenshot({ path: path.join(SHOTS, 'answers-sv-issue-375.png') });
  await page.locator('[data-question="contact"]').screenshot({ path: path.join(SHOTS, 'answers-sv-contact-375.png') });
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.locator('[data-question="contact"]').screenshot({ path: path.join(SHOTS, 'answers-sv-contact-1280.png') });
  await page.getByRole('link', { name: 'Utvärderingsrapport' }).click();
  await page.getByRole('heading', { level: 1, name: CAMPAIGN }).waitFor();
  await page.getByRole('button', { name: 'Skriv ut' }).waitFor();
  await expect.poll(() => cellTexts(table('goals').locator('tr[data-goal="recruits"]'))).toEqual(['Nya medlemmar', '10', '5', 'Inte uppnått: 5 kvar (50 % av målet)']);
  await screenshots('report-sv');
});
