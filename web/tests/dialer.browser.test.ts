// A calling evening in power mode on the simulated network, in a real Chromium against the real server
// and the built app. The caller reads in the briefing that Ringa dials for them, presses "Start calling"
// and waits: the screen says that Ringa is calling people for them and how many lines ring. A person
// answers on the simulated network and appears by themself, marked connected, with the script filled in
// for them and the questions; the caller talks, hangs up (or the person has), records the outcome and
// saves (call:complete with no `next`): the seat waits again and the next person appears by themself.
// The call is saved once, by this caller. The organizer watching the campaign sees the dialer live:
// lines per caller, callers waiting / talking / wrapping up, the answer rate and abandoned calls against
// the 3 % limit. In Swedish, as the volunteers see it; screenshots at 1280 and 375 px to docs/screenshots (the README shows them).
import path from 'node:path';
import { mkdirSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { PASSWORD, root, startTestServer, type TestServer } from '../../server/test/harness';
import { launchBrowser, screenshotsAtWidths } from './browser';
import { CAMPAIGN, dialingCampaign } from './dialing-campaign';

const SHOTS = path.join(root, 'docs', 'screenshots');
const CALLER = { name: 'Vera Ringare', email: 'vera@kraftlinje.example' };
const ORGANIZER = { name: 'Kent Kampanjledare', email: 'kent@kraftlinje.example' };
/** The simulated network answers about one call in five, after ringing: a person may take a while to come (its calls run 5 times faster here). */
const PERSON_WITHIN_MS = 60_000;

// Forty people, so that two lines for one caller find someone who answers within the wait.
const FIRST_NAMES = ['Anna', 'Bo', 'Cecilia', 'David', 'Eva', 'Filip', 'Greta', 'Hugo', 'Ida', 'Jonas'];
const CSV = ['Förnamn;Efternamn;Mobil;Ort', ...Array.from({ length: 40 }, (_, i) => `${FIRST_NAMES[i % 10]};Kraft${i};070-556 ${String(10 + Math.floor(i / 10))} ${String(10 + (i % 10))};Norrköping`)].join('\n');

/** Signs in on the Swedish login page (the browser's language), as a Swedish volunteer does. */
async function signIn(page: Page, serverUrl: string, email: string, password: string): Promise<void> {
  await page.goto(`${serverUrl}/login`);
  await page.getByLabel('E-postadress').fill(email);
  await page.getByLabel('Lösenord', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Logga in', exact: true }).click();
  await page.getByRole('heading', { name: 'Dina organisationer' }).waitFor();
}

let server: TestServer;
let browser: Browser;
let caller: Page;
let organizer: Page;
let contexts: BrowserContext[] = [];
let campaignId = '';
let callerId = '';

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  [server, browser] = await Promise.all([startTestServer({ dialer: { simulatedSpeed: 5 } }), launchBrowser()]);
  ({ campaignId, callerId } = await dialingCampaign(server, { organisation: 'S-föreningen Kraftlinjen', organizer: ORGANIZER, caller: CALLER, csv: CSV, dialMode: 'power', linesPerCaller: 2 }));

  const callerContext = await browser.newContext({ locale: 'sv-SE', viewport: { width: 1280, height: 900 } });
  const organizerContext = await browser.newContext({ locale: 'sv-SE', viewport: { width: 1280, height: 900 } });
  contexts = [callerContext, organizerContext];
  caller = await callerContext.newPage();
  caller.on('dialog', (dialog) => void dialog.accept());
  organizer = await organizerContext.newPage();
  await signIn(organizer, server.url, ORGANIZER.email, PASSWORD);
  await organizer.goto(`${server.url}/campaigns/${campaignId}`);
  await organizer.getByRole('heading', { level: 1, name: CAMPAIGN }).waitFor();
  await signIn(caller, server.url, CALLER.email, PASSWORD);
});

afterAll(async () => {
  for (const context of contexts) await context.close();
  await browser?.close();
  await server?.close();
});

const personName = () => caller.locator('#person-name');
const seatLine = () => caller.getByTestId('seat-line');

/** The outcomes this caller saved after talking (the server saves the calls no one took, as no-answer, busy, voicemail …). */
const talkedCalls = () =>
  server.db
    .selectFrom('call')
    .select('outcome')
    .where('campaignId', '=', campaignId)
    .where('callerId', '=', callerId)
    .where('outcome', 'in', ['conversation', 'refused'])
    .orderBy('createdAt')
    .execute()
    .then((rows) => rows.map((row) => row.outcome));

test('the caller starts once and waits while Ringa rings for them; no "next person" to ask for', async () => {
  // On the start page the campaign says Ringa dials for the caller in it.
  await caller.goto(server.url);
  const card = caller.locator(`[data-campaign="${campaignId}"]`);
  expect(await card.getByTestId('dials-for-you').textContent()).toBe('Ringa ringer upp åt dig här: den som svarar kopplas direkt till dig.');
  await caller.goto(`${server.url}/call/${campaignId}`);
  await caller.getByText('Tryck på ”Börja ringa” en gång. Ringa ringer upp folk åt dig').waitFor();
  // The tips of a campaign where the caller dials themselves are not shown: no "Spara och nästa" here.
  expect(await caller.getByText('Spara och nästa').count()).toBe(0);
  await caller.getByRole('button', { name: 'Börja ringa' }).click();
  const waiting = caller.getByTestId('seat-waiting');
  await waiting.getByRole('heading', { name: 'Ringa ringer upp folk åt dig' }).waitFor();
  await expect.poll(() => caller.getByTestId('seat-ringing').textContent(), { timeout: 15_000 }).toMatch(/^(1 linje ringer|2 linjer ringer|Letar fram nästa att ringa …)$/);
  expect(await waiting.getByRole('button', { name: 'Pausa' }).isVisible()).toBe(true);
  // Nothing to dial and no one to ask for: the caller only waits.
  expect(await caller.getByRole('button', { name: 'Ring', exact: true }).count()).toBe(0);
});

test('a person who answers appears by themself, connected, with the script and questions; the caller saves and the next appears', async () => {
  await personName().waitFor({ timeout: PERSON_WITHIN_MS });
  const first = (await personName().textContent())?.trim() ?? '';
  expect(first).toMatch(/^\w+ Kraft\d+$/);
  await seatLine().getByText(`Kopplad till ${first}`).waitFor();
  await caller.getByText(`Hej ${first.split(' ')[0]}! Jag heter Vera Ringare.`).waitFor();
  await caller.getByText(`Vill ${first.split(' ')[0]} bli medlem?`).waitFor();
  await screenshotsAtWidths(caller, 'the caller connected', (width) => path.join(SHOTS, `dialer-caller-${width}.png`));

  // The caller ends the conversation (the simulated person may have hung up first).
  const hangUp = seatLine().getByRole('button', { name: 'Lägg på' });
  if (await hangUp.isVisible()) await hangUp.click();
  await seatLine().getByText('Samtalet är slut', { exact: true }).waitFor();
  await caller.locator('[data-outcome="conversation"]').click();
  await caller.getByRole('button', { name: 'Spara', exact: true }).click();
  await expect.poll(talkedCalls).toEqual(['conversation']);

  // Back to waiting, and the next person comes by themself.
  const shown = async () => ((await personName().count()) > 0 ? ((await personName().textContent())?.trim() ?? null) : null);
  await expect.poll(shown, { timeout: PERSON_WITHIN_MS }).toSatisfy((name) => typeof name === 'string' && name !== first);
  await seatLine().getByText(/^Kopplad till /).waitFor();
});

test('the organizer sees the dialer live: lines per caller, callers, answer rate, abandonment against 3 %', async () => {
  const live = organizer.getByTestId('dialer-live');
  await live.getByRole('heading', { name: 'Uppringningen just nu' }).waitFor({ timeout: 15_000 });
  await expect.poll(() => live.locator('[data-dialer="lines-per-caller"]').textContent(), { timeout: 15_000 }).toBe('2'); // power: the campaign's lines, whatever the number of callers
  await expect.poll(() => live.locator('[data-dialer="talking"]').textContent(), { timeout: 15_000 }).toBe('1');
  await live.getByText('Gräns 3 %').waitFor();
  expect(await live.locator('[data-dialer="abandonment"]').textContent()).toMatch(/^\d+(,\d)?\s?%$/);
  await screenshotsAtWidths(organizer, 'the organizer watching the dialer', (width) => path.join(SHOTS, `dialer-live-${width}.png`));
});

test('pause: no new people after this one; the pause shows once the call is saved', async () => {
  await caller.getByRole('button', { name: 'Pausa' }).first().click();
  await seatLine().getByText('Pausar: inga nya personer efter den här.').waitFor();
  const hangUp = seatLine().getByRole('button', { name: 'Lägg på' });
  if (await hangUp.isVisible()) await hangUp.click();
  await caller.locator('[data-outcome="refused"]').click();
  await caller.getByRole('button', { name: 'Spara', exact: true }).click();
  await caller.getByRole('heading', { name: 'Du har paus' }).waitFor();
  await expect.poll(talkedCalls).toEqual(['conversation', 'refused']);
});
