// Three paths of the caller's screen that the calling evening does not walk, in a real Chromium
// against the real server and the built app, each on a campaign (and a list) of its own.
// - Offline from the start: the connection is already down when the caller saves; the save waits on
//   the screen and in the browser's storage, survives a reload, and is sent once when the line is
//   back; the database holds it exactly once. Without a reload, the next person comes by itself.
// - Saves the server refuses: the person was taken away behind the caller's back (lease lost) — the
//   screen says so in words with the outcome and the notes, and moves on, with nothing saved; and a
//   callback time in the past — the error stays with the person and the form as it was, and the call
//   saves once the time is put right.
// - Own-phone dialing (the default): the number large as a tel: link, a Copy button, the outcome form
//   dimmed until "I have called", then a call saved.
// The lease-lost notice does not blame a connection that never dropped, and a callback left without
// a time (as the screen's hint allows) is saved, the campaign's retry rules deciding.
// Screenshots at 1280 px (and 375 px for some) in test-output/screenshots/caller-*.png.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
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
const OTHER_CALLER = { name: 'Maja Ringare', email: 'maja@hageby.example' };
const ORGANIZER = { name: 'Karin Sjögren', email: 'karin@hageby.example' };

const HEADER = 'Förnamn;Efternamn;Mobil;Ort';
const LISTS = {
  offline: ['Ivar;Isaksson;070-223 47 01;Norrköping', 'Johanna;Jonsson;070-223 47 02;Norrköping', 'Karl;Kvist;070-223 47 03;Linköping'],
  refused: ['Lena;Lund;070-223 48 01;Norrköping', 'Mats;Mård;070-223 48 02;Linköping', 'Nora;Nyberg;070-223 48 03;Linköping', 'Oskar;Olsson;070-223 48 04;Nyköping'],
  ownPhone: ['Frida;Falk;070-223 46 01;Norrköping', 'Gustav;Gran;070-223 46 02;Linköping', 'Hanna;Holm;070-223 46 03;Nyköping'],
};

let server: TestServer;
let browser: Browser;
let callerId = '';
let otherCallerId = '';
const campaigns = { offline: '', refused: '', ownPhone: '' };

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
  callerId = caller.id;
  const other = await createUser(db, clock, { ...OTHER_CALLER, password: PASSWORD });
  await addMembership(db, clock, other.id, org.id, 'caller', null);
  otherCallerId = other.id;

  const dir = mkdtempSync(path.join(tmpdir(), 'ringa-caller-paths-'));
  for (const [which, rows] of Object.entries(LISTS) as [keyof typeof LISTS, string[]][]) {
    const filePath = path.join(dir, `${which}.csv`);
    writeFileSync(filePath, [HEADER, ...rows].join('\n'));
    const listId = await importer.start({ organisationId: org.id, name: `Hageby ${which}`, country: 'SE', filePath, originalName: `${which}.csv`, source: MEMBER_REGISTER, createdBy: organizer.id, removeFile: true });
    await importer.wait(listId);
    const group = await createGroupAsSystem(db, clock, org.id, { name: `Hageby ${which}`, listIds: [listId], filters: [] });
    const campaign = await createCampaign(db, clock, organizer.id, org.id, {
      name: { offline: 'Ringkväll på landet', refused: 'Ringkväll i centrum', ownPhone: 'Ringkväll hemifrån' }[which],
      briefing: 'We call members in Hageby before the autumn meeting on 12 October.',
      callingWindow: ALWAYS_WINDOW,
      // Own phone is the default: the own-phone campaign says nothing of dialing.
      shownAttributes: ['Ort'],
      targetGroupIds: [group.id],
      script: 'Hej {first_name}! Jag heter {caller_name} och ringer från S-föreningen Hageby.',
      outcomes: DEFAULT_OUTCOMES,
    });
    campaigns[which] = campaign.id;
    await changeStatus(db, clock, organizer.id, campaign.id, 'active');
  }
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** One caller's browser, signed in, whose socket.io connection the test can cut and give back. */
interface Caller {
  context: BrowserContext;
  page: Page;
  /** Cuts the connection: the open one falls, and new ones fall a moment after they open. */
  cut(): void;
  /** Lets connections through again (socket.io tries again by itself, every few seconds at most). */
  restore(): void;
}

async function openCaller(options: { clipboard?: boolean } = {}): Promise<Caller> {
  const context = await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 900 } });
  if (options.clipboard) await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
  const page = await context.newPage();
  page.on('dialog', (dialog) => void dialog.accept());
  let down = false;
  let open: { page: WebSocketRoute; server: WebSocketRoute }[] = [];
  await page.routeWebSocket(/\/socket\.io\//, (ws) => {
    const upstream = ws.connectToServer();
    if (down) {
      // A dead network: nothing passes, and the connection falls a moment later.
      ws.onMessage(() => {});
      upstream.onMessage(() => {});
      setTimeout(() => {
        void ws.close();
        void upstream.close();
      }, 200);
      return;
    }
    open.push({ page: ws, server: upstream });
    ws.onMessage((message) => {
      if (!down) upstream.send(message);
    });
    upstream.onMessage((message) => {
      if (!down) ws.send(message);
    });
  });
  // Signed in as on the login page; a caller with campaigns lands on "Campaigns to call".
  await page.goto(`${server.url}/login`);
  await page.getByLabel('Email address').fill(CALLER.email);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  return {
    context,
    page,
    cut() {
      down = true;
      for (const pair of open) {
        void pair.page.close();
        void pair.server.close();
      }
      open = [];
    },
    restore() {
      down = false;
    },
  };
}

async function screenshots(page: Page, name: string, widths: number[] = [1280]): Promise<void> {
  for (const width of widths) {
    await page.setViewportSize({ width, height: 900 });
    await page.waitForTimeout(150);
    const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(scrollWidth, `${name} scrolls sideways at ${width} px`).toBeLessThanOrEqual(width);
    await page.screenshot({ path: path.join(SHOTS, `caller-${name}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

const personName = (page: Page) => page.locator('#person-name');
const outcome = (page: Page, code: string) => page.locator(`[data-outcome="${code}"]`);
const figure = (page: Page, name: string) => page.locator(`[data-figure="${name}"] dd`);

/** Waits for a person other than `previous` on the screen and returns their name. */
async function nextPerson(page: Page, previous: string | null): Promise<string> {
  await expect.poll(async () => ((await personName(page).count()) > 0 ? await personName(page).textContent() : null), { timeout: 15_000 }).not.toBe(previous);
  await personName(page).waitFor();
  return (await personName(page).textContent()) ?? '';
}

/** Opens the campaign link, reads past the briefing and returns the first person. */
async function startCalling(page: Page, campaignId: string): Promise<string> {
  await page.goto(`${server.url}/call/${campaignId}`);
  await page.getByRole('heading', { name: 'Before you start' }).waitFor();
  await page.getByRole('button', { name: 'Start calling' }).click();
  return nextPerson(page, null);
}

async function person(name: string) {
  const [firstName = '', lastName = ''] = name.split(' ');
  return server.db.selectFrom('person').where('firstName', '=', firstName).where('lastName', '=', lastName).select(['id', 'phone']).executeTakeFirstOrThrow();
}

async function calls(campaignId: string) {
  return server.db.selectFrom('call').where('campaignId', '=', campaignId).select(['personId', 'outcome', 'notes', 'noteForNext', 'callbackAt', 'idempotencyKey', 'callerId']).execute();
}

/** What the browser keeps for this caller and campaign, unsent. */
interface Kept {
  person: string;
  request: { outcome: string; notes?: string; key: string };
}
async function outbox(page: Page, campaignId: string): Promise<Kept[] | null> {
  const raw = await page.evaluate((key) => localStorage.getItem(key), `ringa.outbox.${callerId}.${campaignId}`);
  return raw === null ? null : (JSON.parse(raw) as Kept[]);
}

test('a call saved while already offline waits on the screen and in the browser, survives a reload, and is sent once when the line is back', async () => {
  const caller = await openCaller();
  const { page } = caller;
  const campaignId = campaigns.offline;
  const first = await startCalling(page, campaignId);
  const firstPerson = await person(first);

  // The line goes down while the caller is on the phone with the person.
  caller.cut();
  await page.getByTestId('offline').waitFor({ timeout: 15_000 });
  await page.getByTestId('offline').getByText('You are offline. Nothing is lost').waitFor();
  // The person stays on the screen, and the form can still be filled in.
  expect(await personName(page).textContent()).toBe(first);
  await outcome(page, 'busy').click();
  await page.getByLabel('Notes for the organizers').fill('Busy tone twice, try after seven');
  await screenshots(page, 'offline-1-before-save');

  await page.getByRole('button', { name: 'Save and next' }).click();
  const waiting = page.getByTestId('waiting');
  await waiting.getByText('One call is waiting to be sent.').waitFor();
  await waiting.getByText(`Waiting: ${first}`).waitFor();
  await page.getByText('The next person comes as soon as the connection is back.').waitFor();
  expect(await personName(page).count()).toBe(0);
  expect(await page.getByTestId('offline').isVisible()).toBe(true);
  // Kept in the browser, under this caller and campaign.
  const kept = await outbox(page, campaignId);
  expect(kept).toHaveLength(1);
  expect(kept?.[0]).toMatchObject({ person: first, request: { outcome: 'busy', notes: 'Busy tone twice, try after seven' } });
  const key = kept?.[0]?.request.key;
  expect(await calls(campaignId)).toHaveLength(0);
  await screenshots(page, 'offline-2-waiting', [1280, 375]);

  // A reload while still offline: the save is still there, and still waiting.
  await page.reload();
  await page.getByTestId('waiting').getByText('One call is waiting to be sent.').waitFor();
  await page.getByTestId('waiting').getByText(`Waiting: ${first}`).waitFor();
  expect(await outbox(page, campaignId)).toHaveLength(1);
  // Opened without a network, the screen says it is offline (after a few seconds of trying), not just "connecting".
  await page.getByTestId('offline').waitFor({ timeout: 10_000 });
  expect(await calls(campaignId)).toHaveLength(0);
  await screenshots(page, 'offline-3-reloaded');

  // The line comes back: the save is sent by itself, and the waiting message goes.
  caller.restore();
  await page.getByTestId('waiting').waitFor({ state: 'detached', timeout: 40_000 });
  expect(await page.getByTestId('offline').count()).toBe(0);
  await expect.poll(() => calls(campaignId)).toHaveLength(1);
  // After a reload the campaign opens on its briefing, as it always does; then the next person.
  await page.getByRole('heading', { name: 'Before you start' }).waitFor();
  await page.getByRole('button', { name: 'Start calling' }).click();
  const second = await nextPerson(page, first);
  expect(second).not.toBe(first);
  await expect.poll(() => figure(page, 'calls').textContent()).toBe('1');
  await screenshots(page, 'offline-4-back');

  const saved = await calls(campaignId);
  expect(saved).toHaveLength(1);
  expect(saved[0]).toMatchObject({ personId: firstPerson.id, outcome: 'busy', notes: 'Busy tone twice, try after seven', idempotencyKey: key, callerId });
  expect(await outbox(page, campaignId)).toBeNull();
  expect(await page.evaluate(() => Object.keys(localStorage).filter((candidate) => candidate.startsWith('ringa.outbox.')))).toEqual([]);

  // Once more without a reload: the line falls, the caller saves, and when it is back the next
  // person comes by itself.
  caller.cut();
  await page.getByTestId('offline').waitFor({ timeout: 15_000 });
  await outcome(page, 'no-answer').click();
  await page.getByRole('button', { name: 'Save and next' }).click();
  await page.getByTestId('waiting').getByText(`Waiting: ${second}`).waitFor();
  expect(await outbox(page, campaignId)).toHaveLength(1);
  caller.restore();
  await page.getByTestId('offline').waitFor({ state: 'detached', timeout: 40_000 });
  await page.getByTestId('waiting').waitFor({ state: 'detached', timeout: 10_000 });
  const third = await nextPerson(page, second);
  expect([first, second]).not.toContain(third);
  await expect.poll(() => figure(page, 'calls').textContent()).toBe('2');
  const secondPerson = await person(second);
  const all = await calls(campaignId);
  expect(all).toHaveLength(2);
  expect(all.filter((call) => call.personId === secondPerson.id).map((call) => call.outcome)).toEqual(['no-answer']);
  expect(await outbox(page, campaignId)).toBeNull();
  await caller.context.close();
});

let refusing: Caller;
let refusedNotice = '';
let refusedPerson = '';
let current = '';

test('a person taken away behind the caller\'s back: the save is refused, the screen says so with the outcome and notes, and moves on', async () => {
  refusing = await openCaller();
  const { page } = refusing;
  const campaignId = campaigns.refused;
  refusedPerson = await startCalling(page, campaignId);
  const taken = await person(refusedPerson);

  await outcome(page, 'conversation').click();
  await page.getByLabel('Notes for the organizers').fill('Wants the leaflet about the school plan');

  // Meanwhile the person's time ran out without the screen being told, and another caller now holds
  // them (as the reaper and Maja's next claim would leave it).
  const held = await server.db.selectFrom('campaignContact').where('campaignId', '=', campaignId).where('heldBy', '=', callerId).select(['personId', 'leaseId']).executeTakeFirstOrThrow();
  expect(held.personId).toBe(taken.id);
  await server.db
    .updateTable('campaignContact')
    .set({ heldBy: otherCallerId, leaseId: sql<string>`gen_random_uuid()`, leaseExpiresAt: new Date(Date.now() + 15 * 60_000) })
    .where('leaseId', '=', held.leaseId)
    .execute();

  await page.getByRole('button', { name: 'Save and next' }).click();
  const notice = page.getByTestId('notice');
  await notice.waitFor({ timeout: 15_000 });
  refusedNotice = (await notice.textContent()) ?? '';
  expect(refusedNotice).toContain(`The call to ${refusedPerson} (Conversation) could not be saved`);
  expect(refusedNotice).toContain('Your notes: “Wants the leaflet about the school plan”.');
  // The caller goes on with someone else; the taken person is not offered again.
  current = await nextPerson(page, refusedPerson);
  expect(current).not.toBe(refusedPerson);
  expect(await notice.isVisible()).toBe(true);
  // The new person's form starts empty.
  expect(await page.getByLabel('Notes for the organizers').inputValue()).toBe('');
  expect(await page.locator('[data-outcome][aria-pressed="true"]').count()).toBe(0);
  await screenshots(page, 'refused-1-lease-lost', [1280, 375]);

  // Nothing was saved, nor counted, nor kept to be sent again.
  expect(await calls(campaignId)).toHaveLength(0);
  expect(await figure(page, 'calls').textContent()).toBe('0');
  expect(await outbox(page, campaignId)).toBeNull();
  expect(await page.getByTestId('waiting').count()).toBe(0);
  // The other caller still holds the person.
  const now = await server.db.selectFrom('campaignContact').where('campaignId', '=', campaignId).where('personId', '=', taken.id).select(['state', 'heldBy']).executeTakeFirstOrThrow();
  expect(now).toEqual({ state: 'held', heldBy: otherCallerId });
});

test('that notice does not blame a connection that never dropped', () => {
  expect(refusedNotice).toContain(refusedPerson);
  expect(refusedNotice).not.toMatch(/offline/i);
  expect(refusedNotice).toContain('your time with them ran out, or they were given to someone else');
});

test('a callback time in the past is refused: the error stays with the person and the form as it was, and a good time then saves', async () => {
  const { page } = refusing;
  const campaignId = campaigns.refused;
  const held = await person(current);

  await outcome(page, 'callback').click();
  const yesterday = new Date(Date.now() - 24 * 3600_000);
  const local = (date: Date) => `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}T18:30`;
  await page.getByLabel('Call back at').fill(local(yesterday));
  await page.getByLabel('Notes for the organizers').fill('Asked us to call on Thursday evening');
  await page.getByLabel('Note for whoever calls next').fill('Prefers Swedish, speaks slowly');
  await page.getByRole('button', { name: 'Save and next' }).click();

  const problem = page.locator('.outcome-form .message.error');
  await problem.waitFor({ timeout: 15_000 });
  expect(await problem.textContent()).toBe('The call was not saved: The callback time must be in the future and within 60 days.');
  expect(await problem.getAttribute('role')).toBe('alert');
  // The same person, with everything the caller wrote.
  expect(await personName(page).textContent()).toBe(current);
  expect(await outcome(page, 'callback').getAttribute('aria-pressed')).toBe('true');
  expect(await page.getByLabel('Call back at').inputValue()).toBe(local(yesterday));
  expect(await page.getByLabel('Notes for the organizers').inputValue()).toBe('Asked us to call on Thursday evening');
  expect(await page.getByLabel('Note for whoever calls next').inputValue()).toBe('Prefers Swedish, speaks slowly');
  expect(await page.getByRole('button', { name: 'Save and next' }).isEnabled()).toBe(true);
  // Not kept to be sent again either: a refusal is final.
  expect(await outbox(page, campaignId)).toBeNull();
  expect(await page.getByTestId('waiting').count()).toBe(0);
  expect(await calls(campaignId)).toHaveLength(0);
  await screenshots(page, 'refused-2-bad-callback', [1280, 375]);

  // The caller puts the time right and saves.
  const tomorrow = new Date(Date.now() + 24 * 3600_000);
  await page.getByLabel('Call back at').fill(local(tomorrow));
  await page.getByRole('button', { name: 'Save and next' }).click();
  const previous = current;
  current = await nextPerson(page, previous);
  expect(await problem.count()).toBe(0);
  await expect.poll(() => figure(page, 'calls').textContent()).toBe('1');
  const saved = await calls(campaignId);
  expect(saved).toHaveLength(1);
  expect(saved[0]).toMatchObject({ personId: held.id, outcome: 'callback', notes: 'Asked us to call on Thursday evening', noteForNext: 'Prefers Swedish, speaks slowly' });
  const expected = new Date(tomorrow);
  expected.setHours(18, 30, 0, 0);
  expect(new Date(String(saved[0]?.callbackAt)).getTime()).toBe(expected.getTime());
});

// The screen says the callback time may be left empty ("Leave empty and the campaign's rules decide").
test('a callback left without a time, as the screen allows, is saved and the campaign\'s rules decide', async () => {
  const { page } = refusing;
  const campaignId = campaigns.refused;
  const held = await person(current);
  await outcome(page, 'callback').click();
  await page.getByText('Leave empty and the campaign’s rules decide.').waitFor();
  await page.getByRole('button', { name: 'Save and next' }).click();
  await expect.poll(async () => (await calls(campaignId)).filter((call) => call.personId === held.id), { timeout: 5_000 }).toHaveLength(1);
});

test('own-phone dialing: the number large as a tel: link, a Copy button, the outcome form dimmed until "I have called"; then a call is saved', async () => {
  const caller = await openCaller({ clipboard: true });
  const { page } = caller;
  const campaignId = campaigns.ownPhone;
  await page.goto(`${server.url}/call/${campaignId}`);
  await page.getByText('You call from your own phone: tap the number, or type it in.').waitFor();
  await page.getByRole('button', { name: 'Start calling' }).click();
  const first = await nextPerson(page, null);
  const { id: personId, phone } = await person(first);
  expect(phone).toMatch(/^\+46702234\d{3}$/);

  // The number: a tel: link with the E.164 number, shown large and as people know it (070-223 …).
  const number = page.getByTestId('phone-number');
  expect(await number.evaluate((element) => element.tagName)).toBe('A');
  expect(await number.getAttribute('href')).toBe(`tel:${phone}`);
  const shown = ((await number.textContent()) ?? '').trim();
  expect(`+46${shown.replace(/\D/g, '').slice(1)}`).toBe(phone);
  expect(shown).toMatch(/^070-223 \d\d \d\d$/);
  expect(await page.getByRole('link', { name: `Call ${shown}` }).count()).toBe(1);
  expect(Number.parseFloat(await number.evaluate((element) => getComputedStyle(element).fontSize))).toBeGreaterThanOrEqual(24);
  // No practice line, no Call button: the caller's own phone does the calling.
  expect(await page.getByRole('button', { name: 'Call', exact: true }).count()).toBe(0);

  // The outcome form waits for "I have called".
  const form = page.locator('form.outcome-form');
  const haveCalled = page.getByRole('button', { name: 'I have called' });
  await haveCalled.waitFor();
  await page.getByText('Then choose below what happened.').waitFor();
  expect(await form.getAttribute('class')).toMatch(/\bclosed\b/);
  expect(Number(await form.evaluate((element) => getComputedStyle(element).opacity))).toBeLessThan(1);
  expect(await page.locator('[data-outcome][aria-pressed="true"]').count()).toBe(0);
  await screenshots(page, 'own-phone-1-person', [1280, 375]);

  // Copy puts the number on the clipboard, and the button says so.
  await page.getByRole('button', { name: 'Copy number' }).click();
  await page.getByRole('button', { name: 'Copied' }).waitFor();
  const clipboard = await page.evaluate(() => navigator.clipboard.readText());
  expect(clipboard.replace(/\s/g, '')).toBe(phone);
  await screenshots(page, 'own-phone-2-copied');

  // "I have called" opens the form.
  await haveCalled.click();
  await haveCalled.waitFor({ state: 'detached' });
  expect(await form.getAttribute('class')).not.toMatch(/\bclosed\b/);
  expect(await form.evaluate((element) => getComputedStyle(element).opacity)).toBe('1');
  await outcome(page, 'voicemail').click();
  await page.getByLabel('Note for whoever calls next').fill('Left a message about the meeting');
  await screenshots(page, 'own-phone-3-called');
  await page.getByRole('button', { name: 'Save and next' }).click();
  const second = await nextPerson(page, first);
  expect(second).not.toBe(first);
  // The next person comes with the form dimmed again.
  await page.getByRole('button', { name: 'I have called' }).waitFor();
  await expect.poll(() => figure(page, 'calls').textContent()).toBe('1');
  const saved = await calls(campaignId);
  expect(saved).toHaveLength(1);
  expect(saved[0]).toMatchObject({ personId, outcome: 'voicemail', noteForNext: 'Left a message about the meeting', callerId });
  await caller.context.close();
});
