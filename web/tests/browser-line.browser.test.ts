// Calls the caller's screen places itself, in a real Chromium against the real server and the built
// app. On the practice line: it rings, connects, the timer runs, mute says so, the keypad shows what
// was pressed, hang up ends it and the outcome form is open. Through Twilio: the Voice SDK is loaded
// only when the caller presses Call; Twilio cannot be reached from here, so its signalling server is
// stood in for at the WebSocket the real SDK opens. That shows what our side sends (the token our
// server issued, the assignment as the only parameter, never a number) and how the screen follows the
// SDK's events (ringing, mute, hang up from the far end); the voice webhook, signed as Twilio signs,
// then dials the held person's number. A line that never comes up gives the caller their own phone.
// The last call saved can be changed from the screen for ten minutes.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page, WebSocketRoute } from 'playwright-core';
import twilio from 'twilio';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createUser } from '../../server/src/modules/accounts/accounts.service';
import { changeStatus, createCampaign } from '../../server/src/modules/campaigns/campaigns.service';
import { ALWAYS_WINDOW, DEFAULT_OUTCOMES } from '../../server/src/modules/campaigns/outcomes';
import { addMembership, insertOrganisation } from '../../server/src/modules/organisations/organisations.service';
import { createGroupAsSystem } from '../../server/src/modules/target-groups/target-groups.service';
import { MEMBER_REGISTER, PASSWORD, root, startTestServer, type TestServer } from '../../server/test/harness';
import { launchBrowser } from './browser';

const SHOTS = path.join(root, 'test-output', 'screenshots');
const CALLER = { name: 'Signe Ringare', email: 'signe@linje.example' };
const hex = (bytes: number) => Array.from({ length: bytes * 2 }, (_, index) => '0123456789abcdef'[(index * 7 + bytes) % 16]).join('');
const TWILIO = { accountSid: `AC${hex(16)}`, authToken: hex(16), apiKey: `SK${hex(16)}`, apiSecret: hex(16), twimlAppSid: `AP${hex(16)}`, callerId: '+46101234567' };
const CALL_SID = `CA${'1'.repeat(32)}`;

let server: TestServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let callerId = '';
const campaigns = { simulated: '', twilio: '' };

/** What the stand-in for Twilio's signalling server received, and the socket to answer on. */
const signalling: { messages: { type: string; payload: Record<string, unknown> }[]; socket: WebSocketRoute | null; mode: 'answer' | 'silent' } = { messages: [], socket: null, mode: 'answer' };
/** Every script the page loaded, by address, with whether it holds the Twilio Voice SDK. */
const scripts = new Map<string, boolean>();

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  [server, browser] = await Promise.all([startTestServer(), launchBrowser({ args: ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream'] })]);
  const { db } = server;
  const { clock, importer, telephony } = server.app.ctx;
  const org = await insertOrganisation(db, clock, null, { name: 'S-föreningen Linjen', kind: 'association', country: 'SE' }, null);
  const admin = await createUser(db, clock, { name: 'Lena Admin', email: 'lena@linje.example', password: PASSWORD });
  await addMembership(db, clock, admin.id, org.id, 'admin', null);
  const caller = await createUser(db, clock, { ...CALLER, password: PASSWORD });
  callerId = caller.id;
  await addMembership(db, clock, caller.id, org.id, 'caller', null);
  await telephony.saveSettings(admin.id, org.id, TWILIO);

  const dir = mkdtempSync(path.join(tmpdir(), 'ringa-line-'));
  for (const dialing of ['simulated', 'twilio'] as const) {
    const filePath = path.join(dir, `${dialing}.csv`);
    const base = dialing === 'simulated' ? 10 : 20;
    writeFileSync(filePath, ['Förnamn;Efternamn;Mobil', ...[1, 2, 3].map((n) => `Person${base + n};Linjesson;070-334 ${base} 0${n}`)].join('\n'));
    const listId = await importer.start({ organisationId: org.id, name: dialing, country: 'SE', filePath, originalName: `${dialing}.csv`, source: MEMBER_REGISTER, createdBy: admin.id, removeFile: true });
    await importer.wait(listId);
    const group = await createGroupAsSystem(db, clock, org.id, { name: dialing, listIds: [listId], filters: [] });
    const campaign = await createCampaign(db, clock, admin.id, org.id, {
      name: dialing === 'simulated' ? 'Övningslinjen' : 'Ringa från webbläsaren',
      callingWindow: ALWAYS_WINDOW,
      dialing,
      targetGroupIds: [group.id],
      script: 'Hej {first_name}!',
      outcomes: DEFAULT_OUTCOMES,
    });
    await changeStatus(db, clock, admin.id, campaign.id, 'active');
    campaigns[dialing] = campaign.id;
  }

  context = await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 900 }, permissions: ['microphone'] });
  // Twilio cannot be reached from here: its signalling server is stood in for, and its other
  // addresses (insights, sounds) answer nothing.
  await context.routeWebSocket(/twilio\.com/, (ws) => {
    signalling.socket = ws;
    ws.onMessage((data) => {
      const message = JSON.parse(String(data)) as { type: string; payload: Record<string, unknown> };
      signalling.messages.push(message);
      if (signalling.mode === 'silent') return;
      if (message.type === 'listen') ws.send(JSON.stringify({ type: 'connected', payload: { region: 'gll', edge: 'roaming', token: { identity: 'x', ttl: 600 } } }));
    });
  });
  await context.route(/twilio\.com/, (route) => route.abort());
  page = await context.newPage();
  page.on('response', (response) => {
    const url = response.url();
    if (!url.endsWith('.js') || scripts.has(url)) return;
    scripts.set(url, false);
    void response.text().then((body) => scripts.set(url, body.includes('voice-js') || body.includes('chunderw')), () => {});
  });
  await page.goto(`${server.url}/login`);
  await page.getByLabel('Email address').fill(CALLER.email);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL(`${server.url}/`);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const personName = () => page.locator('#person-name');
const dialer = () => page.getByRole('region', { name: 'Phone number' });

async function heldAssignment(campaignId: string) {
  const held = await server.db
    .selectFrom('campaignContact')
    .where('campaignId', '=', campaignId)
    .where('heldBy', '=', callerId)
    .select(['leaseId', 'phone'])
    .executeTakeFirstOrThrow();
  return { id: held.leaseId ?? '', phone: held.phone };
}

async function startCalling(campaignId: string): Promise<void> {
  await page.goto(`${server.url}/call/${campaignId}`);
  await page.getByRole('button', { name: 'Start calling' }).click();
  await personName().waitFor();
}

test('the practice line rings, connects, mutes, takes keys and hangs up; the outcome form is then open', async () => {
  await startCalling(campaigns.simulated);
  await expect.poll(() => page.locator('.outcome-form').getAttribute('class')).toContain('closed');
  await dialer().getByRole('button', { name: 'Call', exact: true }).click();
  await dialer().getByText('Ringing…').waitFor();
  await dialer().getByText('Connected').waitFor({ timeout: 10_000 });
  const timer = dialer().getByLabel('Call time');
  await expect.poll(() => timer.textContent(), { timeout: 5_000 }).toMatch(/^0:0[1-9]$/);

  const mute = dialer().getByRole('button', { name: 'Mute' });
  await mute.click();
  await expect.poll(() => dialer().getByRole('button', { name: 'Unmute' }).getAttribute('aria-pressed')).toBe('true');
  await dialer().getByText('Muted: they cannot hear you.').waitFor();
  await dialer().getByRole('button', { name: 'Keypad' }).click();
  for (const key of ['1', '#']) await dialer().getByRole('button', { name: `Key ${key}` }).click();
  await expect.poll(() => page.getByTestId('pressed').textContent()).toBe('Keys pressed: 1#');
  await page.screenshot({ path: path.join(SHOTS, 'caller-line-connected-1280.png'), fullPage: true });

  await dialer().getByRole('button', { name: 'Hang up' }).click();
  await dialer().getByText('The call has ended').waitFor();
  const shown = await timer.textContent();
  await page.waitForTimeout(1_200);
  expect(await timer.textContent(), 'the timer stops when the call ends').toBe(shown);
  expect(await page.locator('.outcome-form').getAttribute('class')).not.toContain('closed');
  const held = await heldAssignment(campaigns.simulated);
  const recorded = await server.db.selectFrom('telephonyCall').where('leaseId', '=', held.id).select(['status', 'durationSeconds']).executeTakeFirstOrThrow();
  expect(recorded.status).toBe('completed');
  expect(recorded.durationSeconds).toBeGreaterThanOrEqual(1);

  await page.locator('[data-outcome="conversation"]').click();
  await page.getByRole('button', { name: 'Save and next' }).click();
  await expect.poll(() => server.db.selectFrom('call').where('campaignId', '=', campaigns.simulated).select('outcome').execute()).toEqual([{ outcome: 'conversation' }]);
});

test('the last call can be changed for a while: the outcome and notes are put right, the figures follow', async () => {
  const last = page.getByTestId('last-call');
  await expect.poll(() => last.textContent()).toContain('Last call: Person11 Linjesson, Conversation.');
  await expect.poll(() => page.locator('[data-figure="conversations"] dd').textContent()).toBe('1');
  const next = await personName().textContent();
  await last.getByRole('button', { name: 'Change it' }).click();
  const dialog = page.getByRole('dialog', { name: 'Change the call to Person11 Linjesson' });
  await dialog.waitFor();
  expect(await dialog.getByRole('button', { name: 'Conversation' }).getAttribute('aria-pressed')).toBe('true');
  // The keys that choose an outcome on the screen behind do nothing while the dialog is open.
  await page.keyboard.press('2');
  expect(await page.locator('[data-outcome="busy"]').getAttribute('aria-pressed')).toBe('false');
  await dialog.getByRole('button', { name: 'Did not want to talk' }).click();
  await dialog.getByLabel('Notes for the organizers').fill('Sa nej tack, jag tryckte fel.');
  await page.screenshot({ path: path.join(SHOTS, 'caller-correct-1280.png') });
  await dialog.getByRole('button', { name: 'Save the change' }).click();
  await dialog.waitFor({ state: 'detached' });

  await expect.poll(() => server.db.selectFrom('call').where('campaignId', '=', campaigns.simulated).select(['outcome', 'notes']).execute()).toEqual([{ outcome: 'refused', notes: 'Sa nej tack, jag tryckte fel.' }]);
  const corrected = await server.db.selectFrom('call').where('campaignId', '=', campaigns.simulated).select('correctedAt').executeTakeFirstOrThrow();
  expect(corrected.correctedAt).not.toBeNull();
  await expect.poll(() => page.locator('[data-figure="conversations"] dd').textContent()).toBe('0');
  expect(await page.locator('[data-figure="calls"] dd').textContent()).toBe('1');
  await expect.poll(() => last.textContent()).toContain('Person11 Linjesson, Did not want to talk.');
  expect(await personName().textContent(), 'the person on the screen stays').toBe(next);
});

test('through Twilio: the SDK loads only on Call, asks for the held assignment, follows ringing, mute and the far end hanging up', async () => {
  await startCalling(campaigns.twilio);
  const before = [...scripts.values()];
  expect(before.length).toBeGreaterThan(0);
  expect(before.some(Boolean), 'the Twilio Voice SDK is not loaded before a call starts').toBe(false);

  await dialer().getByRole('button', { name: 'Call from the browser' }).click();
  await expect.poll(() => signalling.messages.find((message) => message.type === 'invite'), { timeout: 20_000 }).toBeTruthy();
  await expect.poll(() => [...scripts.values()].some(Boolean)).toBe(true);

  // The token is the one our server issued for this caller: outgoing only, through the TwiML app, an opaque identity.
  const listen = signalling.messages.find((message) => message.type === 'listen');
  const token = typeof listen?.payload.token === 'string' ? listen.payload.token : '';
  const grant = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as { iss: string; grants: { identity: string; voice: { outgoing: { application_sid: string }; incoming?: { allow: boolean } } } };
  expect(grant.iss).toBe(TWILIO.apiKey);
  expect(grant.grants.voice.outgoing.application_sid).toBe(TWILIO.twimlAppSid);
  expect(grant.grants.voice.incoming?.allow ?? false).toBe(false);
  const identity = grant.grants.identity;
  expect(identity).toMatch(/^c_[0-9a-f]{32}$/);
  expect(identity).not.toContain('linje');

  // The browser names the assignment it holds and nothing else: no number leaves the page.
  const held = await heldAssignment(campaigns.twilio);
  const invite = signalling.messages.find((message) => message.type === 'invite');
  const params = new URLSearchParams(String((invite?.payload.twilio as { params?: string } | undefined)?.params ?? ''));
  expect(Object.fromEntries(params)).toEqual({ assignmentId: held.id });
  expect(JSON.stringify(invite?.payload.twilio)).not.toContain(held.phone.slice(3));

  // Twilio asks our voice webhook what to dial, signed as Twilio signs: the held person's number.
  const voiceUrl = `${server.url}/api/telephony/twilio/voice`;
  const webhook = { AccountSid: TWILIO.accountSid, CallSid: CALL_SID, From: `client:${identity}`, To: '+46700000000', assignmentId: held.id };
  const twiml = await fetch(voiceUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilio.getExpectedTwilioSignature(TWILIO.authToken, voiceUrl, webhook) },
    body: new URLSearchParams(webhook).toString(),
  }).then((response) => response.text());
  expect([...twiml.matchAll(/<Number[^>]*>([^<]*)<\/Number>/g)].map((match) => match[1])).toEqual([held.phone]);
  expect(twiml).toContain(`callerId="${TWILIO.callerId}"`);

  // The far end rings; the caller mutes and opens the keypad; then the far end hangs up.
  signalling.socket?.send(JSON.stringify({ type: 'ringing', payload: { callsid: CALL_SID } }));
  await dialer().getByText('Ringing…').waitFor();
  await dialer().getByRole('button', { name: 'Mute' }).click();
  await dialer().getByText('Muted: they cannot hear you.').waitFor();
  await dialer().getByRole('button', { name: 'Keypad' }).waitFor();
  await page.screenshot({ path: path.join(SHOTS, 'caller-twilio-ringing-1280.png'), fullPage: true });
  signalling.socket?.send(JSON.stringify({ type: 'hangup', payload: { callsid: CALL_SID } }));
  await dialer().getByText('The call has ended').waitFor();
  expect(await page.locator('.outcome-form').getAttribute('class')).not.toContain('closed');
  await page.locator('[data-outcome="no-answer"]').click();
  await page.getByRole('button', { name: 'Save and next' }).click();
  await expect.poll(() => server.db.selectFrom('call').where('campaignId', '=', campaigns.twilio).select('outcome').execute()).toEqual([{ outcome: 'no-answer' }]);
});

test('a browser line that never comes up is given up on, and the caller calls from their own phone', async () => {
  signalling.mode = 'silent';
  signalling.messages = [];
  await personName().waitFor();
  await dialer().getByRole('button', { name: 'Call from the browser' }).click();
  await dialer().getByText('Connecting…').waitFor();
  await page.getByText('The browser line did not connect').waitFor({ timeout: 30_000 });
  await page.screenshot({ path: path.join(SHOTS, 'caller-twilio-no-line-1280.png'), fullPage: true });
  await page.getByRole('button', { name: 'Call from my own phone instead' }).click();
  const held = await heldAssignment(campaigns.twilio);
  expect(await dialer().getByTestId('phone-number').getAttribute('href')).toBe(`tel:${held.phone}`);
  // The outcome form opened when the call was started; "I have called" is not asked for again.
  expect(await page.locator('.outcome-form').getAttribute('class')).not.toContain('closed');
  expect(await dialer().getByRole('button', { name: 'I have called' }).count()).toBe(0);
  await page.locator('[data-outcome="busy"]').click();
  await page.getByRole('button', { name: 'Save and next' }).click();
  await expect.poll(() => server.db.selectFrom('call').where('campaignId', '=', campaigns.twilio).select('outcome').orderBy('createdAt').execute()).toEqual([{ outcome: 'no-answer' }, { outcome: 'busy' }]);
});

test('signing out with a call still unsent asks first, and then leaves no answers behind on the computer', async () => {
  // A save that could not be sent (the computer was offline), as the caller's screen keeps it — in the
  // other campaign, whose screen is not open (this page's screen owns its own campaign's outbox).
  const key = `ringa.outbox.${callerId}.${campaigns.simulated}`;
  const waiting = [{ request: { assignmentId: '00000000-0000-4000-8000-000000000001', key: 'key-unsent-1', outcome: 'conversation', answers: { party: 'yes' }, next: false }, person: 'Person23 Linjesson', recruit: false, queuedAt: new Date().toISOString() }];
  await page.evaluate(([storageKey, value]) => localStorage.setItem(storageKey, value), [key, JSON.stringify(waiting)] as const);

  let asked = '';
  page.once('dialog', (dialog) => {
    asked = dialog.message();
    void dialog.dismiss();
  });
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect.poll(() => asked).toContain('One call has not been sent yet');
  expect(await page.evaluate((storageKey) => localStorage.getItem(storageKey), key), 'kept when the caller stays').not.toBeNull();

  page.once('dialog', (dialog) => void dialog.accept());
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL(/\/login/);
  expect(await page.evaluate((storageKey) => localStorage.getItem(storageKey), key)).toBeNull();
});
