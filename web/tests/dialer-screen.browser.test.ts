// The caller's screen and the organizer's live view of a dialing campaign, against a stand-in for the
// dialer's socket events (the test answers dialer:start, dialer:pause and dialer:hangup itself and sends
// dialer:seat, dialer:bridged, dialer:ended and dialer:live), with everything else the real server: the
// people bridged are real assignments of the calling engine, held by the caller, and their calls are
// saved by call:complete as in any campaign. This shows the screens follow the events as the contract
// says, whatever the dialer core does; web/tests/dialer.browser.test.ts runs the same evening against it.
import path from 'node:path';
import { mkdirSync } from 'node:fs';
import type { Browser, BrowserContext, Page, WebSocketRoute } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Ack, Assignment, DialerLive } from '../../server/src/contract/realtime';
import { ask, connectAt, signInAt, type Client } from '../../server/test/ask';
import { PASSWORD, root, startTestServer, type TestServer } from '../../server/test/harness';
import { launchBrowser, screenshotsAtWidths, signIn } from './browser';
import { dialingCampaign } from './dialing-campaign';

const SHOTS = path.join(root, 'test-output', 'screenshots');
const CALLER = { name: 'Vera Ringare', email: 'vera@standin.example' };
const ORGANIZER = { name: 'Kent Kampanjledare', email: 'kent@standin.example' };
const CSV = ['Förnamn;Efternamn;Mobil;Ort', 'Anna;Andersson;070-557 10 01;Norrköping', 'Bo;Berg;070-557 10 02;Norrköping', 'Cecilia;Carlsson;070-557 10 03;Linköping', 'David;Dahl;070-557 10 04;Linköping', 'Eva;Ek;070-557 10 05;Motala'].join('\n');

let server: TestServer;
let browser: Browser;
let contexts: BrowserContext[] = [];
let caller: Page;
let organizer: Page;
let campaignId = '';
let callerId = '';
/** A second connection of the caller's, joined to the campaign as a caller's screen is. */
let claimer: Client;
/** The caller page's socket and the organizer page's, as the stand-in speaks on them. */
let callerSocket: WebSocketRoute | null = null;
let organizerSocket: WebSocketRoute | null = null;
/** The dialer events the page sent, in order. */
const sent: string[] = [];

/** A socket.io event from the server, as engine.io carries it. */
const event = (name: string, payload: unknown) => `42${JSON.stringify([name, payload])}`;

/** Answers the page's dialer events itself; everything else goes to the real server. */
function standIn(ws: WebSocketRoute, onEvent: (name: string, ack: (answer: Ack<unknown>) => void) => void): void {
  const upstream = ws.connectToServer();
  ws.onMessage((message) => {
    const match = typeof message === 'string' ? /^42(\d+)\["(dialer:[a-z]+)"/.exec(message) : null;
    if (!match) {
      upstream.send(message);
      return;
    }
    const [, id, name] = match as unknown as [string, string, string];
    sent.push(name);
    onEvent(name, (answer) => ws.send(`43${id}${JSON.stringify([answer])}`));
  });
  upstream.onMessage((message) => ws.send(message));
}

/** The stand-in "bridges" the next person as the dialer does: the engine claims them for the caller, and their card goes to the caller's screen. */
async function bridgeNext(): Promise<Assignment> {
  const engine = server.app.ctx.calling;
  const target = await engine.claimForDialer(callerId, campaignId);
  const assignment = 'reason' in target ? null : await engine.assignmentOf(callerId, campaignId, target.leaseId);
  if (!assignment) throw new Error('no one to bridge');
  callerSocket?.send(event('dialer:seat', { campaignId, seatId: 'seat-1', state: 'talking', ringing: 0 }));
  callerSocket?.send(event('dialer:bridged', { campaignId, assignment }));
  return assignment;
}

const LIVE: DialerLive = {
  campaignId: '',
  mode: 'predictive',
  linesPerCaller: 1,
  fallback: 'abandonment-limit',
  linesRinging: 3,
  callers: { waiting: 2, talking: 4, wrapping: 1 },
  answerRate: 0.22,
  abandonment: { abandoned: 7, answered: 250, rate: 0.028 },
  limit: 0.03,
};

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
  ({ campaignId, callerId } = await dialingCampaign(server, { organisation: 'S-föreningen Stand-in', organizer: ORGANIZER, caller: CALLER, csv: CSV, dialMode: 'predictive' }));
  LIVE.campaignId = campaignId;

  claimer = await connectAt(server.url, await signInAt(server.url, CALLER.email, PASSWORD));
  const joined = await ask(claimer, 'campaign:join', { campaignId });
  if (!joined.ok) throw new Error(joined.error.code);

  const callerContext = await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 900 } });
  const organizerContext = await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 900 } });
  contexts = [callerContext, organizerContext];
  caller = await callerContext.newPage();
  caller.on('dialog', (dialog) => void dialog.accept());
  await caller.routeWebSocket(/\/socket\.io\//, (ws) => {
    callerSocket = ws;
    standIn(ws, (name, ack) => {
      ack({ ok: true, data: name === 'dialer:start' ? { seatId: 'seat-1', line: 'simulated' } : null });
      if (name === 'dialer:start') ws.send(event('dialer:seat', { campaignId, seatId: 'seat-1', state: 'waiting', ringing: 2 }));
    });
  });
  organizer = await organizerContext.newPage();
  await organizer.routeWebSocket(/\/socket\.io\//, (ws) => {
    organizerSocket = ws;
    standIn(ws, () => {});
  });
  await signIn(organizer, server.url, ORGANIZER.email, PASSWORD);
  await signIn(caller, server.url, CALLER.email, PASSWORD);
});

afterAll(async () => {
  claimer?.disconnect();
  for (const context of contexts) await context.close();
  await browser?.close();
  await server?.close();
});

const personName = () => caller.locator('#person-name');
const seatLine = () => caller.getByTestId('seat-line');
const savedCalls = () => server.db.selectFrom('call').select('outcome').where('campaignId', '=', campaignId).where('callerId', '=', callerId).execute();

test('start: the seat opens once and the caller waits, told how many lines ring', async () => {
  await caller.goto(`${server.url}/call/${campaignId}`);
  await caller.getByText('Press “Start calling” once. Ringa calls people for you').waitFor();
  expect(await caller.getByText('Save and next').count()).toBe(0);
  await caller.getByRole('button', { name: 'Start calling' }).click();
  await caller.getByTestId('seat-ringing').getByText('2 lines ringing').waitFor();
  await caller.getByText('Practice line: no one is really called.').waitFor();
  expect(sent).toEqual(['dialer:start']);
  callerSocket?.send(event('dialer:seat', { campaignId, seatId: 'seat-1', state: 'waiting', ringing: 1 }));
  await caller.getByTestId('seat-ringing').getByText('1 line ringing').waitFor();
  await screenshotsAtWidths(caller, 'the caller waiting', (width) => path.join(SHOTS, `dialer-waiting-${width}.png`));
});

test('bridged: the person appears at once, connected, with script and questions; hang up, save, and back to waiting', async () => {
  const first = await bridgeNext();
  await personName().waitFor();
  const name = `${first.contact.firstName} ${first.contact.lastName}`;
  await seatLine().getByText(`Connected to ${name}`).waitFor();
  await caller.getByText(`Hej ${first.contact.firstName}! Jag heter Vera Ringare.`).waitFor();
  await caller.getByText(`Vill ${first.contact.firstName} bli medlem?`).waitFor();
  // No number to dial and no skipping: the person is on the line.
  expect(await caller.getByRole('button', { name: 'Call', exact: true }).count()).toBe(0);
  expect(await caller.getByRole('button', { name: 'Skip', exact: true }).count()).toBe(0);
  await screenshotsAtWidths(caller, 'the caller connected', (width) => path.join(SHOTS, `dialer-caller-${width}.png`));

  await seatLine().getByRole('button', { name: 'Hang up' }).click();
  await seatLine().getByText('The call has ended', { exact: true }).waitFor();
  expect(sent).toEqual(['dialer:start', 'dialer:hangup']);
  await caller.locator('[data-outcome="conversation"]').click();
  await caller.getByRole('button', { name: 'Save', exact: true }).click();
  await caller.getByTestId('seat-waiting').waitFor();
  await expect.poll(async () => (await savedCalls()).map((call) => call.outcome)).toEqual(['conversation']);
});

test('the person hangs up first (dialer:ended): the outcome is recorded; the next person appears by themself', async () => {
  const second = await bridgeNext();
  await seatLine().getByText(`Connected to ${second.contact.firstName} ${second.contact.lastName}`).waitFor();
  callerSocket?.send(event('dialer:ended', { campaignId, assignmentId: second.id }));
  await seatLine().getByText('Choose what happened and save').waitFor();
  await caller.locator('[data-outcome="callback"]').click();
  await caller.locator('[data-outcome="no-answer"]').click();
  await caller.getByRole('button', { name: 'Save', exact: true }).click();
  await caller.getByTestId('seat-waiting').waitFor();
  await expect.poll(async () => (await savedCalls()).length).toBe(2);
});

test('pause while talking: no new people after this one, the pause comes with the save', async () => {
  const third = await bridgeNext();
  await seatLine().getByText(`Connected to ${third.contact.firstName} ${third.contact.lastName}`).waitFor();
  await caller.getByRole('button', { name: 'Pause' }).click();
  await seatLine().getByText('Pausing: no new people after this one.').waitFor();
  expect(sent.at(-1)).toBe('dialer:pause');
  await caller.locator('[data-outcome="busy"]').click();
  await caller.getByRole('button', { name: 'Save', exact: true }).click();
  await caller.getByRole('heading', { name: 'You are on a pause' }).waitFor();
  await caller.getByRole('button', { name: 'Continue calling' }).click();
  await caller.getByTestId('seat-waiting').waitFor();
  expect(sent.at(-1)).toBe('dialer:start');
});

test('the organizer sees the dialer live and why it dials one line each', async () => {
  await organizer.goto(`${server.url}/campaigns/${campaignId}`);
  const live = organizer.getByTestId('dialer-live');
  await live.getByText('Ringa is not dialling for anyone right now.').waitFor();
  organizerSocket?.send(event('dialer:live', LIVE));
  await live.locator('[data-dialer="lines-ringing"]').getByText('3').waitFor();
  expect(await live.locator('[data-dialer="waiting"]').textContent()).toBe('2');
  expect(await live.locator('[data-dialer="talking"]').textContent()).toBe('4');
  expect(await live.locator('[data-dialer="wrapping"]').textContent()).toBe('1');
  expect(await live.locator('[data-dialer="answer-rate"]').textContent()).toBe('22%');
  expect(await live.locator('[data-dialer="lines-per-caller"]').textContent()).toBe('1');
  expect(await live.locator('[data-dialer="abandonment"]').textContent()).toBe('2.8%');
  await live.getByText('7 of 250 who answered').waitFor();
  await live.getByText('Close to the limit').waitFor();
  expect(await organizer.getByTestId('dialer-fallback').textContent()).toBe('Abandoned calls reached 3% in the last 24 hours: one line each until it falls.');
  await screenshotsAtWidths(organizer, 'the organizer watching the dialer', (width) => path.join(SHOTS, `dialer-live-${width}.png`));
  organizerSocket?.send(event('dialer:live', { ...LIVE, fallback: 'few-callers', abandonment: { abandoned: 1, answered: 250, rate: 0.004 } }));
  await organizer.getByTestId('dialer-fallback').getByText('Fewer than 5 callers: one line each.').waitFor();
  expect(await live.getByText('Close to the limit').count()).toBe(0);
});

test('the waiting and connected screens read as Swedish, Danish and Norwegian, and fit a phone', async () => {
  const words = [
    { language: 'sv', waiting: 'Ringa ringer upp folk åt dig', ringing: '2 linjer ringer' },
    { language: 'da', waiting: 'Ringa ringer folk op for dig', ringing: '2 linjer ringer' },
    { language: 'nb', waiting: 'Ringa ringer folk for deg', ringing: '2 linjer ringer' },
  ];
  for (const { language, waiting, ringing } of words) {
    await caller.locator('#language').selectOption(language);
    callerSocket?.send(event('dialer:seat', { campaignId, seatId: 'seat-1', state: 'waiting', ringing: 2 }));
    await caller.getByTestId('seat-waiting').getByRole('heading', { name: waiting }).waitFor();
    await caller.getByTestId('seat-ringing').getByText(ringing).waitFor();
    if (language === 'sv') await screenshotsAtWidths(caller, `${language} waiting`, (width) => path.join(SHOTS, `dialer-waiting-${language}-${width}.png`));
  }
  const person = await bridgeNext();
  await seatLine().getByText(`Koblet til ${person.contact.firstName} ${person.contact.lastName}`).waitFor();
  await seatLine().getByRole('button', { name: 'Legg på' }).waitFor();
  await screenshotsAtWidths(caller, 'nb connected', (width) => path.join(SHOTS, `dialer-caller-nb-${width}.png`));
});

test('nobody to ring: the waiting screen says why and when calling opens, in Swedish, and dials on by itself', async () => {
  await caller.locator('#language').selectOption('sv');
  // Back to waiting from the last test's person.
  await seatLine().getByRole('button', { name: 'Lägg på' }).click();
  await caller.locator('[data-outcome="conversation"]').click();
  await caller.getByRole('button', { name: 'Spara', exact: true }).click();
  await caller.getByTestId('seat-waiting').waitFor();
  // The calling hours are over: the queue gave nobody, and calling opens tomorrow.
  const tomorrow = new Date(Date.now() + 24 * 3_600_000).toISOString();
  callerSocket?.send(event('dialer:seat', { campaignId, seatId: 'seat-1', state: 'waiting', ringing: 0, nobody: { reason: 'outside-calling-window', opensAt: tomorrow } }));
  const waiting = caller.getByTestId('seat-waiting');
  await waiting.getByRole('heading', { name: 'Ringa ringer ingen just nu' }).waitFor();
  await caller.getByTestId('seat-nobody').getByText('Det är utanför ringtiderna, så Ringa ringer inte upp någon nu.').waitFor();
  expect(await caller.getByTestId('seat-opens').textContent()).toMatch(/^Ringningen öppnar i morgon kl\. \d\d[:.]\d\d\.$/);
  expect(await caller.getByTestId('seat-ringing').count()).toBe(0);
  await screenshotsAtWidths(caller, 'sv nobody to ring', (width) => path.join(SHOTS, `dialer-nobody-sv-${width}.png`));
  // The organizer paused the campaign: said so, with no time (nobody knows when they resume).
  callerSocket?.send(event('dialer:seat', { campaignId, seatId: 'seat-1', state: 'waiting', ringing: 0, nobody: { reason: 'paused', opensAt: null } }));
  await caller.getByTestId('seat-nobody').getByText('Kampanjledaren har pausat kampanjen, så Ringa ringer inte upp någon nu.').waitFor();
  expect(await caller.getByTestId('seat-opens').count()).toBe(0);
  // Someone to ring again: lines ring, and the screen says so without the caller doing anything.
  callerSocket?.send(event('dialer:seat', { campaignId, seatId: 'seat-1', state: 'waiting', ringing: 2 }));
  await caller.getByTestId('seat-ringing').getByText('2 linjer ringer').waitFor();
  expect(await caller.getByTestId('seat-nobody').count()).toBe(0);
});
