// A calling evening from the caller's side, in a real Chromium against the real server and the built
// app, on the simulated line. The campaign link sends a caller who is not signed in to sign in and
// back; the briefing comes first; then five people, one at a time: a conversation with a yes that
// brings up its follow-up question, a no-answer chosen with the keyboard, a callback at a time, a
// do-not-call that asks first, and a busy whose save reaches the server while the connection drops
// before the answer comes back: the screen says it is offline, keeps the call in the browser, sends it
// again with its key when the connection returns, and the database holds it exactly once. The home
// page lists the campaign with its link; after a reload the figures come from the server. Screenshots
// at 1280 and 375 px; nothing scrolls sideways on the phone.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page, WebSocketRoute } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createUser } from '../../server/src/modules/accounts/accounts.service';
import { changeStatus, createCampaign } from '../../server/src/modules/campaigns/campaigns.service';
import { ALWAYS_WINDOW, DEFAULT_OUTCOMES } from '../../server/src/modules/campaigns/outcomes';
import { addMembership, insertOrganisation } from '../../server/src/modules/organisations/organisations.service';
import { createGroupAsSystem } from '../../server/src/modules/target-groups/target-groups.service';
import { MEMBER_REGISTER, PASSWORD, root, startTestServer, type TestServer } from '../../server/test/harness';
import { launchBrowser } from './browser';

const SHOTS = path.join(root, 'test-output', 'screenshots');
const CALLER = { name: 'Olle Ringare', email: 'olle@hageby.example' };
const ORGANIZER = { name: 'Karin Sjögren', email: 'karin@hageby.example' };

const CSV = [
  'Förnamn;Efternamn;Mobil;Ort',
  'Anna;Andersson;070-223 45 01;Norrköping',
  'Bo;Berg;070-223 45 02;Norrköping',
  'Cecilia;Carlsson;070-223 45 03;Linköping',
  'David;Dahl;070-223 45 04;Linköping',
  'Eva;Ek;070-223 45 05;Nyköping',
].join('\n');

const SCRIPT = ['Hej **{first_name}**! Jag heter {caller_name} och ringer från S-föreningen Hageby.', '', 'Vi pratar med folk i {attr:Ort} om hösten.'].join('\n');

let server: TestServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let campaignId = '';

/** The socket.io connection between the page and the server, which the test can cut. */
let line: 'pass' | 'drop-after-save' | 'down' = 'pass';
const routes: { page: WebSocketRoute; server: WebSocketRoute }[] = [];

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
  const { db } = server;
  const { clock, importer } = server.app.ctx;
  const org = await insertOrganisation(db, clock, null, { name: 'S-föreningen Hageby', kind: 'association', country: 'SE' }, null);
  const organizer = await createUser(db, clock, { ...ORGANIZER, password: PASSWORD });
  await addMembership(db, clock, organizer.id, org.id, 'organizer', null);
  const caller = await createUser(db, clock, { ...CALLER, password: PASSWORD });
  await addMembership(db, clock, caller.id, org.id, 'caller', null);

  const dir = mkdtempSync(path.join(tmpdir(), 'ringa-calling-'));
  const filePath = path.join(dir, 'hageby.csv');
  writeFileSync(filePath, CSV);
  const listId = await importer.start({ organisationId: org.id, name: 'Hageby', country: 'SE', filePath, originalName: 'hageby.csv', source: MEMBER_REGISTER, createdBy: organizer.id, removeFile: true });
  await importer.wait(listId);
  const group = await createGroupAsSystem(db, clock, org.id, { name: 'Hageby', listIds: [listId], filters: [] });
  const campaign = await createCampaign(db, clock, organizer.id, org.id, {
    name: 'Höstens samtal i Hageby',
    briefing: 'We call members in Hageby before the autumn meeting on 12 October.\nAsk whether they want to join, and invite them to the meeting.',
    callingWindow: ALWAYS_WINDOW,
    dialing: 'simulated',
    shownAttributes: ['Ort'],
    goals: [{ metric: 'recruits', target: 10 }],
    targetGroupIds: [group.id],
    script: SCRIPT,
    questions: [
      { id: 'join', kind: 'yes-no', text: 'Would **{first_name}** like to become a member?', tags: ['recruit'] },
      { id: 'meeting', kind: 'single', text: 'Can they come to the meeting?', choices: [{ value: 'yes', label: 'Yes, coming', tags: ['event'] }, { value: 'maybe', label: 'Maybe', tags: [] }], when: { question: 'join', values: ['true'] } },
      { id: 'topics', kind: 'text', text: 'What matters most to them?' },
    ],
    outcomes: DEFAULT_OUTCOMES,
  });
  campaignId = campaign.id;
  await changeStatus(db, clock, organizer.id, campaign.id, 'active');

  context = await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.on('dialog', (dialog) => void dialog.accept());
  // Every socket.io connection passes through here, so the test can drop one at the worst moment.
  await page.routeWebSocket(/\/socket\.io\//, (ws) => {
    const upstream = ws.connectToServer();
    if (line === 'down') {
      // A dead network: nothing passes, and the connection falls a moment later.
      setTimeout(() => {
        void ws.close();
        void upstream.close();
      }, 200);
      ws.onMessage(() => {});
      upstream.onMessage(() => {});
      return;
    }
    const pair = { page: ws, server: upstream };
    routes.push(pair);
    ws.onMessage((message) => {
      if (line === 'drop-after-save' && typeof message === 'string' && message.includes('"call:complete"')) {
        upstream.send(message); // it reaches the server and is saved …
        line = 'down'; // … but its answer never comes back
        setTimeout(() => {
          void ws.close();
          void upstream.close();
        }, 500);
        return;
      }
      if (line !== 'down') upstream.send(message);
    });
    upstream.onMessage((message) => {
      if (line !== 'down') ws.send(message);
    });
  });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function screenshots(name: string): Promise<void> {
  for (const width of [1280, 375]) {
    await page.setViewportSize({ width, height: 900 });
    await page.waitForTimeout(150);
    const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(scrollWidth, `${name} scrolls sideways at ${width} px`).toBeLessThanOrEqual(width);
    await page.screenshot({ path: path.join(SHOTS, `caller-${name}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

const personName = () => page.locator('#person-name');
const outcome = (code: string) => page.locator(`[data-outcome="${code}"]`);
const figure = (name: string) => page.locator(`[data-figure="${name}"] dd`);

async function calls() {
  return server.db.selectFrom('call').where('campaignId', '=', campaignId).select(['outcome', 'personId', 'idempotencyKey', 'answers', 'callbackAt', 'flagged', 'flagNote', 'notes', 'noteForNext']).execute();
}

/** Waits for a new person (not `previous`) and returns their name. */
async function nextPerson(previous: string | null): Promise<string> {
  await expect.poll(async () => ((await personName().count()) > 0 ? await personName().textContent() : null), { timeout: 10_000 }).not.toBe(previous);
  await personName().waitFor();
  return (await personName().textContent()) ?? '';
}

test('the campaign link survives signing in and opens on the briefing', async () => {
  await page.goto(`${server.url}/call/${campaignId}`);
  await page.waitForURL(/\/login\?next=/);
  await page.getByLabel('Email address').fill(CALLER.email);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL(`${server.url}/call/${campaignId}`);
  await page.getByRole('heading', { level: 1, name: 'Höstens samtal i Hageby' }).waitFor();
  await page.getByRole('heading', { name: 'Before you start' }).waitFor();
  await page.getByText('before the autumn meeting on 12 October').waitFor();
  await page.getByText('This is a practice line').waitFor();
  await page.getByText('New members: 10').waitFor();
  await screenshots('1-briefing');

  // The home page lists the campaign, and its link leads to the same briefing.
  await page.goto(`${server.url}/`);
  const start = page.getByRole('link', { name: /^Start calling\s*: Höstens samtal i Hageby$/ });
  await start.waitFor();
  await screenshots('0-home');
  await start.click();
  await page.waitForURL(`${server.url}/call/${campaignId}`);
  await page.getByRole('heading', { name: 'Before you start' }).waitFor();
});

let current = '';

test('a conversation: the script is filled in, a yes brings its follow-up, the simulated call rings and connects', async () => {
  await page.getByRole('button', { name: 'Start calling' }).click();
  current = await nextPerson(null);
  // The new person is announced and focused.
  await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('person-name');
  await expect.poll(() => page.locator('[aria-live="polite"].sr-live').textContent()).toBe(`Now: ${current}`);
  const first = current.split(' ')[0] ?? '';
  await page.locator('.script').first().getByText(`Hej ${first}!`).waitFor();
  await page.getByText('Jag heter Olle Ringare').waitFor();
  expect(await page.getByText(/Vi pratar med folk i (Norrköping|Linköping|Nyköping) om hösten/).count()).toBe(1);

  await page.getByRole('button', { name: 'Call', exact: true }).click();
  await page.getByText('Ringing…').or(page.getByText('Connected')).first().waitFor();
  await page.getByText('Connected', { exact: true }).waitFor({ timeout: 10_000 });

  // The follow-up is asked only after the yes.
  expect(await page.locator('[data-question="meeting"]').count()).toBe(0);
  await page.locator('[data-question="join"]').getByText('Yes', { exact: true }).click();
  await page.locator('[data-question="meeting"]').waitFor();
  await page.getByText('Yes, coming').click();
  await page.getByLabel('What matters most to them?').fill('Schools and the bus line');
  await page.getByRole('button', { name: 'Hang up' }).click();
  await page.getByText('The call has ended').waitFor();
  await outcome('conversation').click();
  await page.getByLabel('Note for whoever calls next').fill('Prefers evenings');
  await screenshots('2-person');

  await page.getByRole('button', { name: 'Save and next' }).click();
  const previous = current;
  current = await nextPerson(previous);
  await expect.poll(() => figure('calls').textContent()).toBe('1');
  expect(await figure('conversations').textContent()).toBe('1');
  expect(await figure('recruits').textContent()).toBe('1');
  const saved = await calls();
  expect(saved).toHaveLength(1);
  expect(saved[0]).toMatchObject({ outcome: 'conversation', answers: { join: true, meeting: 'yes', topics: 'Schools and the bus line' }, noteForNext: 'Prefers evenings' });
});

test('no answer, chosen with the keyboard; the answers of a call no one took are not saved', async () => {
  // Typing a digit in a field writes it; outside a field it chooses the outcome.
  await page.getByLabel('Notes for the organizers').fill('1');
  expect(await outcome('no-answer').getAttribute('aria-pressed')).toBe('false');
  await page.locator('#person-name').focus();
  await page.keyboard.press('1');
  expect(await outcome('no-answer').getAttribute('aria-pressed')).toBe('true');
  await page.getByRole('button', { name: 'Save and next' }).click();
  const previous = current;
  current = await nextPerson(previous);
  await expect.poll(() => figure('calls').textContent()).toBe('2');
  const saved = await calls();
  expect(saved.find((call) => call.outcome === 'no-answer')).toMatchObject({ answers: {}, notes: '1' });
});

test('a callback at an agreed time, flagged for an organizer', async () => {
  await outcome('callback').click();
  const when = new Date(Date.now() + 2 * 24 * 3600_000);
  when.setHours(18, 30, 0, 0);
  const local = `${when.getFullYear()}-${String(when.getMonth() + 1).padStart(2, '0')}-${String(when.getDate()).padStart(2, '0')}T18:30`;
  await page.getByLabel('Call back at').fill(local);
  await page.getByLabel('Flag for an organizer').check();
  await page.getByRole('button', { name: 'Save and next' }).click();
  await page.getByText('Write a few words for the organizer.').waitFor();
  await page.getByLabel('What should the organizer know?').fill('Asked about the pension question');
  await screenshots('3-callback');
  await page.getByRole('button', { name: 'Save and next' }).click();
  const previous = current;
  current = await nextPerson(previous);
  const callback = (await calls()).find((call) => call.outcome === 'callback');
  expect(callback).toMatchObject({ flagged: true, flagNote: 'Asked about the pension question' });
  expect(new Date(String(callback?.callbackAt)).getTime()).toBe(when.getTime());
});

test('do not call asks first, then moves on', async () => {
  await outcome('do-not-call').click();
  await page.getByRole('button', { name: 'Save and next' }).click();
  await page.getByText(`${current} will never be called again by anyone in the organisation.`).waitFor();
  await screenshots('4-do-not-call');
  await page.getByRole('button', { name: 'Go back' }).click();
  expect(await calls()).toHaveLength(3);
  await page.getByRole('button', { name: 'Save and next' }).click();
  await page.getByRole('button', { name: 'Yes, never call again' }).click();
  const previous = current;
  current = await nextPerson(previous);
  expect((await calls()).filter((call) => call.outcome === 'do-not-call')).toHaveLength(1);
});

test('the connection drops in the middle of a save: shown plainly, sent again when it returns, saved exactly once', async () => {
  await outcome('busy').click();
  await page.getByLabel('Notes for the organizers').fill('Line busy twice');
  line = 'drop-after-save';
  await page.getByRole('button', { name: 'Save and next' }).click();
  await page.getByTestId('offline').waitFor({ timeout: 15_000 });
  await page.getByTestId('waiting').getByText('One call is waiting to be sent.').waitFor();
  // The save reached the server before the line went down.
  await expect.poll(async () => (await calls()).filter((call) => call.outcome === 'busy').length).toBe(1);
  // And it is kept in the browser, with its key, until the server answers.
  const stored = await page.evaluate(() => {
    const key = Object.keys(localStorage).find((candidate) => candidate.startsWith('ringa.outbox.'));
    return key ? localStorage.getItem(key) : null;
  });
  expect(stored).toContain('Line busy twice');
  await screenshots('5-offline');

  line = 'pass';
  // socket.io tries again by itself, every few seconds at most.
  await page.getByTestId('offline').waitFor({ state: 'detached', timeout: 40_000 });
  await page.getByTestId('waiting').waitFor({ state: 'detached', timeout: 10_000 });
  await page.getByText('There is no one left to call right now').waitFor({ timeout: 10_000 });
  const saved = await calls();
  expect(saved.filter((call) => call.outcome === 'busy')).toHaveLength(1);
  expect(saved).toHaveLength(5);
  expect(new Set(saved.map((call) => call.idempotencyKey)).size).toBe(5);
  expect(new Set(saved.map((call) => call.personId)).size).toBe(5);
  expect(await page.evaluate(() => Object.keys(localStorage).filter((key) => key.startsWith('ringa.outbox.')).length)).toBe(0);
  await expect.poll(() => figure('calls').textContent()).toBe('5');
  await screenshots('6-done');
});

test('ending the session thanks the caller; the Swedish screen fits a phone', async () => {
  await page.getByRole('button', { name: 'Look for someone to call' }).waitFor();
  await page.evaluate(() => localStorage.setItem('ringa.locale', 'sv'));
  await page.reload();
  await page.getByRole('heading', { name: 'Innan du börjar' }).waitFor();
  await screenshots('7-briefing-sv');
  await page.getByRole('button', { name: 'Börja ringa' }).click();
  await page.getByText('Det finns ingen kvar att ringa just nu').waitFor();
  // After the reload, the figures (the caller's own and the shared goal's) can only have come from the server.
  expect(await figure('calls').textContent()).toBe('5');
  expect(await figure('conversations').textContent()).toBe('1');
  expect(await figure('recruits').textContent()).toBe('1');
  expect(await page.locator('[data-goal="recruits"] dd').textContent()).toContain('1 av 10');
  // The connection was made again after the drop.
  expect(routes.length).toBeGreaterThan(1);
  await page.getByRole('button', { name: 'Sluta för i dag' }).click();
  await page.getByRole('heading', { name: 'Tack!' }).waitFor();
  await page.getByText('Du ringde 5 gånger i dag och hade 1 samtal.').waitFor();
  await screenshots('8-ended-sv');
});
