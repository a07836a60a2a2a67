// A campaign from the organizer's side, in a real Chromium against the real server and the built
// app: an organizer creates a draft from a target group, opens the calling hours around the clock
// (and is warned), shows the town to callers, writes a script with merge fields and a question that
// depends on another, and watches the preview fill it in for a sample person, with HTML in the
// script and in the person's name shown as text. Saving changes version 1, as nobody has called with it; opening the campaign fills
// its queue. A caller (a real socket.io client) joins and saves a flagged call: the organizer sees
// callers online, calls, conversations, the new-members goal (a yes tagged so) and the flag arrive
// without reloading, and marks it handled; without the socket the figures come from the campaign as read.
// Finishing asks first. The Swedish pages fit a phone.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Ack, JoinAnswer, NextAnswer } from '../../server/src/contract/realtime';
import { createUser } from '../../server/src/modules/accounts/accounts.service';
import { addMembership, insertOrganisation } from '../../server/src/modules/organisations/organisations.service';
import { createGroupAsSystem } from '../../server/src/modules/target-groups/target-groups.service';
import { ask, type Client } from '../../server/test/ask';
import { MEMBER_REGISTER, PASSWORD, root, startTestServer, type TestServer } from '../../server/test/harness';
import { launchBrowser, signIn } from './browser';

const SHOTS = path.join(root, 'test-output', 'screenshots');
const ORGANISATION = 'S-föreningen Hageby';
const ORGANIZER = { name: 'Karin Sjögren', email: 'karin@hageby.example' };
const CALLER = { name: 'Olle Ringare', email: 'olle@hageby.example' };
const DISTRICT_ORGANIZER = { name: 'Dora Distrikt', email: 'dora@ostergotland.example' };
const GROUP = 'Hageby hösten 2026';
const CAMPAIGN = 'Höstens samtal i Hageby';
const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

// Six people; Norrköping is the most common town, so it is the sample person's example.
const CSV = [
  'Förnamn;Efternamn;Mobil;Postnr;Ort',
  'Anna;Andersson;070-223 45 01;602 34;Norrköping',
  'Bo;Berg;070-223 45 02;602 21;Norrköping',
  'Cecilia;Carlsson;070-223 45 03;603 50;Norrköping',
  'David;Dahl;070-223 45 04;60210;Linköping',
  'Eva;Ek;070-223 45 05;611 30;Nyköping',
  'Fredrik;Falk;070-223 45 06;602 28;Norrköping',
].join('\n');

let server: TestServer;
let browser: Browser;
let page: Page;
let campaignUrl = '';
let caller: Client | null = null;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
  const { db } = server;
  const { clock, importer } = server.app.ctx;
  const district = await insertOrganisation(db, clock, null, { name: 'Socialdemokraterna i Östergötland', kind: 'district', country: 'SE' }, null);
  const org = await insertOrganisation(db, clock, district.id, { name: ORGANISATION, kind: 'association' }, null);
  const organizer = await createUser(db, clock, { ...ORGANIZER, password: PASSWORD });
  await addMembership(db, clock, organizer.id, org.id, 'organizer', null);
  const callerUser = await createUser(db, clock, { ...CALLER, password: PASSWORD });
  await addMembership(db, clock, callerUser.id, org.id, 'caller', null);
  const districtOrganizer = await createUser(db, clock, { ...DISTRICT_ORGANIZER, password: PASSWORD });
  await addMembership(db, clock, districtOrganizer.id, district.id, 'organizer', null);

  const dir = mkdtempSync(path.join(tmpdir(), 'ringa-campaigns-'));
  const filePath = path.join(dir, 'hageby.csv');
  writeFileSync(filePath, CSV);
  const listId = await importer.start({ organisationId: org.id, name: 'Hageby', country: 'SE', filePath, originalName: 'hageby.csv', source: MEMBER_REGISTER, createdBy: organizer.id, removeFile: true });
  await importer.wait(listId);
  await createGroupAsSystem(db, clock, org.id, { name: GROUP, listIds: [listId], filters: [] });

  const context = await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.on('dialog', (dialog) => void dialog.dismiss());
  await signIn(page, server.url, ORGANIZER.email, PASSWORD);
  await page.getByRole('navigation', { name: 'Organisation tree' }).getByRole('link', { name: ORGANISATION }).click();
  await page.getByRole('heading', { level: 1, name: ORGANISATION }).waitFor();
});

afterAll(async () => {
  caller?.disconnect();
  await browser?.close();
  await server?.close();
});

/** Screenshots at desktop and phone width; on the phone, nothing may scroll sideways. */
async function screenshots(name: string, options: { phone?: boolean } = {}): Promise<void> {
  for (const width of options.phone === false ? [1280] : [1280, 375]) {
    await page.setViewportSize({ width, height: 900 });
    // Scrolled to the end, so the sticky save bars sit in their place in the full-page picture.
    await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
    await page.waitForTimeout(150);
    const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(scrollWidth, `${name} scrolls sideways at ${width} px`).toBeLessThanOrEqual(width);
    await page.screenshot({ path: path.join(SHOTS, `campaign-${name}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

/** Signs the caller in over HTTP and connects their socket, as the caller's screen will. */
async function connectCaller(): Promise<Client> {
  const response = await fetch(`${server.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: server.url },
    body: JSON.stringify({ email: CALLER.email, password: PASSWORD }),
  });
  expect(response.status).toBe(200);
  const cookie = (response.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const socket: Client = io(server.url, { transports: ['websocket'], extraHeaders: { cookie, origin: server.url }, reconnection: false, forceNew: true });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  return socket;
}

function data<T>(answer: Ack<T>): T {
  if (!answer.ok) throw new Error(`${answer.error.code}: ${answer.error.message}`);
  return answer.data;
}

const preview = () => page.getByTestId('caller-preview');
const figure = (name: string) => page.locator(`[data-figure="${name}"]`);
/** A goal's progress as the overview shows it, "1 of 3". */
const goal = (metric: string) => page.locator(`[data-goal="${metric}"]`);

test('an organizer creates a campaign as a draft from a target group', async () => {
  // The campaigns come first for an organizer.
  await page.getByRole('heading', { level: 2, name: 'Campaigns' }).waitFor();
  await page.getByText('No campaigns yet.').waitFor();
  await page.getByRole('button', { name: 'New campaign' }).click();
  await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('new-campaign-name');

  // Nothing chosen: told so, next to the fields.
  await page.getByRole('button', { name: 'Create draft' }).click();
  await page.getByText('Give the campaign a name.').waitFor();
  await page.getByText('Choose at least one target group.').waitFor();

  await page.getByLabel('Name', { exact: true }).fill(CAMPAIGN);
  await page.getByLabel(GROUP).check();
  expect(await page.getByText(`${GROUP} · 6 people`).count()).toBe(1);
  await screenshots('1-new');
  await page.getByRole('button', { name: 'Create draft' }).click();

  await page.getByRole('heading', { level: 1, name: CAMPAIGN }).waitFor();
  campaignUrl = page.url().split('?')[0] ?? '';
  expect(new URL(page.url()).searchParams.get('tab')).toBe('script');
  expect(await page.locator('.title .badge').textContent()).toBe('Draft');
  await page.getByText('Nobody can call until you open the campaign.').waitFor();
  await page.getByText('Version 1', { exact: true }).waitFor();
});

test('settings: calling around the clock is warned about, the town is shown to callers, a goal is set', async () => {
  await page.getByRole('link', { name: 'Settings' }).click();
  await page.getByText('Calling hours', { exact: true }).waitFor();
  expect(await page.getByText('These hours reach outside the usual').count()).toBe(0);

  for (const day of DAYS) {
    await page.locator(`#window-${day}-0-from`).selectOption('00:00');
    await page.locator(`#window-${day}-0-to`).selectOption('24:00');
  }
  await page.getByText('These hours reach outside the usual Monday–Friday 09–20 and Saturday–Sunday 11–17.').waitFor();
  await page.getByRole('checkbox', { name: 'Ort · for example Norrköping' }).check();

  // A goal without a number is pointed out next to it, and nothing is sent.
  await page.getByRole('button', { name: 'Add a goal' }).click();
  await page.getByRole('button', { name: 'Save settings' }).click();
  await page.getByText('Enter a whole number, 1 or more.').waitFor();
  await page.getByText('Some fields need attention first; they are marked.').waitFor();
  await page.getByRole('group', { name: 'Goal 1' }).getByLabel('Target').fill('3');
  // A second goal: new members, counted from the answers tagged so.
  await page.getByRole('button', { name: 'Add a goal' }).click();
  await page.getByRole('group', { name: 'Goal 2' }).getByLabel('Goal', { exact: true }).selectOption({ label: 'New members' });
  await page.getByRole('group', { name: 'Goal 2' }).getByLabel('Target').fill('2');
  // The last day before the first one: refused here, with the dates kept.
  await page.getByLabel('First day').fill('2026-10-25');
  await page.getByLabel('Last day').fill('2026-10-04');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await page.getByText('The last day must be the first day or later.').waitFor();
  await page.getByLabel('First day').fill('');
  await page.getByLabel('Last day').fill('');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await page.getByText('The settings are saved.').waitFor();
  // The server agrees about the hours.
  await page.getByText('These hours reach outside the usual').waitFor();
  expect(await page.getByLabel('Ort · for example Norrköping').isChecked()).toBe(true);
  await screenshots('2-settings');
});

test('the script with merge fields and a dependent question, previewed as a caller sees it, saved as version 1 while nobody has called', async () => {
  await page.getByRole('link', { name: 'Script and questions' }).click();
  const script = page.getByRole('textbox', { name: 'Script', exact: true });
  await script.waitFor();
  // The town can be put in with a button, where the cursor is.
  await script.fill('Du bor i , eller hur?');
  await script.evaluate((element: HTMLTextAreaElement) => element.setSelectionRange(9, 9));
  await page.getByRole('button', { name: 'Insert Ort' }).click();
  expect(await script.inputValue()).toBe('Du bor i {attr:Ort}, eller hur?');

  await script.fill(
    [
      '# Hej {first_name}!',
      '',
      'Jag heter **{caller_name}** och ringer från S-föreningen Hageby. Du bor i {attr:Ort}, eller hur?',
      '',
      '<script>window.pwned = 1</script> <img src=x onerror="window.pwned = 2"> [klicka](javascript:window.pwned=3)',
      '',
      'Hälsningar {frist_name}',
    ].join('\n'),
  );
  // The preview follows the typing, with the sample person and the signed-in organizer as caller.
  await preview().getByRole('heading', { name: 'Hej Anna!' }).waitFor();
  await expect.poll(() => preview().textContent()).toContain('Jag heter Karin Sjögren och ringer från S-föreningen Hageby. Du bor i Norrköping, eller hur?');
  // HTML in the script is text: no script, no image, no javascript: link.
  await expect.poll(() => preview().textContent()).toContain('<script>window.pwned = 1</script> <img src=x onerror="window.pwned = 2"> [klicka](javascript:window.pwned=3)');
  expect(await preview().locator('script, img, a').count()).toBe(0);
  expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
  // A misspelt field is marked, and named under the editor.
  await page.getByText('Ringa cannot fill in {frist_name}.').waitFor();
  expect(await preview().locator('mark').textContent()).toBe('{frist_name}');

  // HTML in a person's name is text too.
  await page.getByText('Sample person: Anna Andersson').click();
  await page.getByLabel('First name', { exact: true }).fill('<b>x</b>');
  await preview().getByRole('heading', { name: 'Hej <b>x</b>!' }).waitFor();
  expect(await preview().locator('.script b').count()).toBe(0);
  // A missing detail shows as missing.
  await page.getByLabel('Ort', { exact: true }).fill('');
  await expect.poll(() => preview().textContent()).toContain('Du bor i (Ort missing), eller hur?');
  await page.getByLabel('First name', { exact: true }).fill('Anna');
  await page.getByLabel('Ort', { exact: true }).fill('Norrköping');
  await script.fill(
    '# Hej {first_name}!\n\nJag heter **{caller_name}** och ringer från S-föreningen Hageby. Du bor i {attr:Ort}, eller hur?\n\n<script>alert(1)</script> är bara text.',
  );
  await expect.poll(() => page.getByText('Ringa cannot fill in').count()).toBe(0);

  // Question 1: yes or no, a yes counts as a new member.
  await page.getByRole('button', { name: 'Add a question' }).click();
  const first = page.getByRole('group', { name: 'Question 1', exact: true });
  await first.getByLabel('Question', { exact: true }).fill('Vill du bli medlem, {first_name}?');
  await first.getByRole('group', { name: 'Question 1, Yes counts as', exact: true }).getByLabel('New member').check();
  // Question 2: free text, asked only after a yes.
  await page.getByRole('button', { name: 'Add a question' }).click();
  const second = page.getByRole('group', { name: 'Question 2', exact: true });
  await second.getByLabel('Question', { exact: true }).fill('Vad fick dig att vilja bli medlem?');
  await second.getByLabel('Answer', { exact: true }).selectOption({ label: 'Free text' });
  await second.getByLabel('Only after an answer to an earlier question').check();
  await second.getByLabel('Earlier question', { exact: true }).selectOption({ label: 'Question 1: Vill du bli medlem, {first_name}?' });
  await second.getByRole('group', { name: 'Ask when the answer is' }).getByLabel('Yes').check();

  // An outcome of our own.
  await page.getByRole('button', { name: 'Add an outcome' }).click();
  await page.getByLabel('Name callers see', { exact: true }).fill('Bjöds in till mötet');

  // Moving to another tab and back keeps everything written so far.
  await page.getByRole('link', { name: 'Overview' }).click();
  await page.getByRole('heading', { name: 'Before you open it' }).waitFor();
  await page.getByRole('link', { name: /^Script and questions/ }).click();
  expect(await page.getByRole('textbox', { name: 'Script', exact: true }).inputValue()).toContain('# Hej {first_name}!');
  expect(await page.getByRole('group', { name: 'Question 2', exact: true }).getByLabel('Question', { exact: true }).inputValue()).toBe('Vad fick dig att vilja bli medlem?');

  // In the preview, question 2 appears only after a yes to question 1.
  await preview().getByText('Vill du bli medlem, Anna?').waitFor();
  expect(await preview().getByText('Vad fick dig att vilja bli medlem?').count()).toBe(0);
  await preview().getByRole('radio', { name: 'Yes' }).check();
  await preview().getByText('Vad fick dig att vilja bli medlem?').waitFor();
  await preview().getByRole('radio', { name: 'No' }).check();
  await expect.poll(() => preview().getByText('Vad fick dig att vilja bli medlem?').count()).toBe(0);
  await preview().getByRole('radio', { name: 'Yes' }).check();
  expect(await preview().getByRole('listitem').filter({ hasText: 'Bjöds in till mötet' }).count()).toBe(1);
  // The Script tab is marked as changed, and so is the top of the page.
  await page.getByText('You have changes that are not saved yet.').waitFor();
  await screenshots('3-script');

  // A save that does not reach the server loses nothing: the error is shown, and saving again works.
  await page.route('**/api/campaigns/*/script', (route) => route.abort(), { times: 1 });
  // Nobody has called with version 1 yet, so saving changes it rather than making version 2.
  await page.getByRole('button', { name: 'Save version 1' }).click();
  await page.getByText('Could not reach Ringa. Check your connection and try again.').waitFor();
  expect(await page.getByRole('textbox', { name: 'Script', exact: true }).inputValue()).toContain('<script>alert(1)</script> är bara text.');
  expect(await page.getByRole('group', { name: 'Question 2', exact: true }).getByLabel('Question', { exact: true }).inputValue()).toBe('Vad fick dig att vilja bli medlem?');
  await page.getByRole('button', { name: 'Save version 1' }).click();
  await page.getByText('Version 1 saved. Nobody has called with it yet, so it was changed rather than made a new version.').waitFor();
  await page.getByText('Version 1', { exact: true }).waitFor();
  await page.getByRole('button', { name: 'Save version 1' }).waitFor();
  expect(await page.getByText(/version 2/i).count()).toBe(0);
  expect(await page.getByText('You have changes that are not saved yet.').count()).toBe(0);
});

test('opening the campaign fills its queue, and the figures show it', async () => {
  await page.getByRole('link', { name: 'Overview' }).click();
  await page.getByRole('heading', { name: 'Before you open it' }).waitFor();
  await page.getByText('The queue is filled from the target groups when you open the campaign.').waitFor();
  await page.getByRole('button', { name: 'Open for calling' }).click();
  await page.getByText('The campaign is open. Callers can start calling.').waitFor();
  expect(await page.locator('.title .badge').textContent()).toBe('Open');
  await page.getByText('0 of 6 people done').waitFor();
  expect(await page.locator('[data-queue="fresh"]').textContent()).toBe('6');
  await expect.poll(() => figure('callers-online').textContent()).toBe('0');
  expect(await figure('calls').textContent()).toBe('0');
  expect(await goal('conversations').textContent()).toBe('0 of 3');
  expect(await goal('recruits').textContent()).toBe('0 of 2');
  await page.getByText('No flagged calls.').waitFor();
  await screenshots('4-open');
});

test('a caller joins and saves a flagged call: the organizer sees it live and marks it handled', async () => {
  caller = await connectCaller();
  const joined = data<JoinAnswer>(await ask(caller, 'campaign:join', { campaignId: campaignUrl.split('/').at(-1) ?? '' }));
  expect(joined.campaign.version).toBe(1);
  expect(joined.campaign.questions.map((question) => [question.id, question.when?.values ?? null])).toEqual([
    ['q1', null],
    ['q2', ['true']],
  ]);
  await expect.poll(() => figure('callers-online').textContent(), { timeout: 10_000 }).toBe('1');

  const { assignment } = data<NextAnswer>(await ask(caller, 'contact:next', { campaignId: joined.campaign.id }));
  expect(assignment).not.toBeNull();
  // Only the town is shown to callers.
  expect(Object.keys(assignment?.contact.attributes ?? {})).toEqual(['Ort']);
  const saved = await ask(caller, 'call:complete', {
    assignmentId: assignment?.id ?? '',
    key: 'browser-test-call-1',
    outcome: 'conversation',
    answers: { q1: true, q2: 'Skolan' },
    notes: 'Vill bli ringd efter 18.',
    flag: 'Vill prata med ordföranden om skolan.',
  });
  expect(saved.ok).toBe(true);

  const person = `${assignment?.contact.firstName ?? ''} ${assignment?.contact.lastName ?? ''}`;
  await expect.poll(() => figure('calls').textContent(), { timeout: 10_000 }).toBe('1');
  await expect.poll(() => figure('conversations').textContent()).toBe('1');
  const flag = page.getByRole('listitem').filter({ hasText: 'Vill prata med ordföranden om skolan.' });
  await flag.waitFor({ timeout: 10_000 });
  const text = await flag.textContent();
  expect(text).toContain(CALLER.name);
  expect(text).toContain(person);
  expect(text).toContain('Conversation');
  expect(text).toContain('Vill bli ringd efter 18.');
  await page.getByText('1 of 6 people done').waitFor();
  // A yes to question 1 counts as a new member: the recruits goal moves, with the conversations goal.
  await expect.poll(() => goal('recruits').textContent()).toBe('1 of 2');
  expect(await goal('conversations').textContent()).toBe('1 of 3');
  await screenshots('5-flag');

  // An organizer of the district above sees that a flag waits, not its notes or the person: the association's organizers handle it.
  const above = await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 900 } });
  try {
    const districtPage = await above.newPage();
    await signIn(districtPage, server.url, DISTRICT_ORGANIZER.email, PASSWORD);
    await districtPage.goto(campaignUrl);
    await districtPage.getByText('One flagged call is waiting.').waitFor({ timeout: 10_000 });
    await districtPage.getByText('The campaign’s own organizers handle its flagged calls', { exact: false }).waitFor();
    const shown = (await districtPage.locator('section.flags').textContent()) ?? '';
    for (const hidden of ['Vill prata med ordföranden', 'Vill bli ringd efter 18.', person, CALLER.name]) expect(shown).not.toContain(hidden);
    expect(await districtPage.getByRole('button', { name: /Mark the flag/ }).count()).toBe(0);
  } finally {
    await above.close();
  }

  await flag.getByRole('button', { name: `Mark the flag on ${person} handled` }).click();
  await page.getByText(`The flag on ${person} is marked handled.`).waitFor();
  await page.getByText('No flagged calls.').waitFor();

  caller.disconnect();
  caller = null;
  await expect.poll(() => figure('callers-online').textContent(), { timeout: 10_000 }).toBe('0');
});

test('without the live connection, the figures and goals come from the campaign as read', async () => {
  // A page whose socket never answers: only callers online waits for it.
  const quiet = await page.context().newPage();
  try {
    await quiet.routeWebSocket(/\/socket\.io\//, () => {});
    await quiet.goto(campaignUrl);
    const shown = (selector: string) => quiet.locator(selector).textContent();
    await quiet.locator('[data-figure="calls"]').waitFor();
    expect(await shown('[data-figure="calls"]')).toBe('1');
    expect(await shown('[data-figure="conversations"]')).toBe('1');
    expect(await shown('[data-goal="recruits"]')).toBe('1 of 2');
    expect(await shown('[data-goal="conversations"]')).toBe('1 of 3');
    expect(await shown('[data-figure="callers-online"]')).toBe('–');
    // Someone has called with version 1 now: the next save is version 2.
    await quiet.goto(`${campaignUrl}?tab=script`);
    await quiet.getByRole('button', { name: 'Save as version 2' }).waitFor();
  } finally {
    await quiet.close();
  }
});

test('the campaign in the organisation’s list, then paused and finished after a question', async () => {
  await page.getByRole('link', { name: ORGANISATION }).click();
  const row = page.getByRole('row').filter({ hasText: CAMPAIGN });
  await row.waitFor();
  const text = await row.textContent();
  expect(text).toContain('Open');
  expect(text).toContain('No dates set');
  expect(text).toContain('1 of 6 done');
  await screenshots('6-list');

  await row.getByRole('link', { name: CAMPAIGN }).click();
  await page.getByRole('button', { name: 'Pause' }).click();
  await page.getByText('The campaign is paused.').waitFor();
  await page.getByRole('button', { name: 'Finish' }).click();
  await page.getByText(`Finish ${CAMPAIGN}?`).waitFor();
  await page.getByRole('button', { name: 'Cancel' }).click();
  expect(await page.locator('.title .badge').textContent()).toBe('Paused');
  await page.getByRole('button', { name: 'Finish' }).click();
  await screenshots('7-finish-confirm', { phone: false });
  await page.getByRole('button', { name: 'Yes, finish' }).click();
  await page.getByText('This campaign is finished and cannot be opened again.').waitFor();
  expect(await page.locator('.title .badge').textContent()).toBe('Finished');
});

test('in Swedish, on a phone too: översikt, manus och inställningar', async () => {
  await page.getByLabel('Language').selectOption('sv');
  await page.getByRole('link', { name: 'Översikt' }).click();
  await page.getByRole('heading', { name: 'Flaggade samtal' }).waitFor();
  await screenshots('8-sv-overview');
  await page.getByRole('link', { name: 'Manus och frågor' }).click();
  await preview().getByRole('heading', { name: 'Hej Anna!' }).waitFor();
  await page.getByText('Ny medlem').first().waitFor();
  await screenshots('9-sv-script');
  await page.getByRole('link', { name: 'Inställningar' }).click();
  await page.getByText('Ringtider', { exact: true }).waitFor();
  await screenshots('10-sv-settings');
  await page.getByLabel('Språk').selectOption('en');
});
