// The whole dialer through Twilio, as the app wires it (no recording sink, no seats of the test's own):
// a caller starts in a power campaign, the server asks (a local fake of) Twilio to call people of the
// campaign, and Twilio's webhooks, signed as Twilio signs them, tell it who answered. A person goes into
// the caller's conference and onto their screen; a machine is hung up and saved by the server; no
// answer, busy and failed are saved with their outcomes; a person nobody is free for hears who called;
// forged, replayed and late callbacks change nothing; the account's calls per second are kept.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { io } from 'socket.io-client';
import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Assignment } from '../src/contract/realtime';
import { ask, type Client } from './ask';
import { FakeTwilio, hex, signedWebhook, twilioAccount, until, type Placed } from './fake-twilio';
import { TestContext, type TestUser } from './harness';

const ORG_TWILIO = twilioAccount('+46101234567');
const PACED_TWILIO = twilioAccount('+46107654321');
const ORG_NAME = 'Folkrörelsen Syd';
/** A number a browser might send: nobody ever dials it. */
const BROWSER_NUMBER = '+46709999999';

const fake = new FakeTwilio();
let t: TestContext;
let org: { id: string };
let caller: TestUser;
let campaignId: string;
let seatId: string;
/** The caller's page: a real socket on the listening server. */
let socket: Client;
const bridged: { userId: string; assignment: Assignment }[] = [];
const seatStates: { userId: string; state: string }[] = [];
const endedFor: { userId: string; assignmentId: string }[] = [];

const webhook = (path: string, query: Record<string, string>, params: Record<string, string>, sign: { authToken?: string; url?: string } = {}) =>
  signedWebhook(t.app, ORG_TWILIO.authToken, path, query, params, sign);
const status = (line: Placed, callStatus: string, extra: Record<string, string> = {}) =>
  webhook('/api/dialer/twilio/status', { lineId: line.lineId }, { AccountSid: ORG_TWILIO.accountSid, CallSid: line.sid, CallStatus: callStatus, To: line.to, ...extra });
const answer = (line: Placed) => webhook('/api/dialer/twilio/answer', { lineId: line.lineId }, { AccountSid: ORG_TWILIO.accountSid, CallSid: line.sid, CallStatus: 'in-progress', To: line.to });
const amdParams = (line: Placed, answeredBy: string) => ({ AccountSid: ORG_TWILIO.accountSid, CallSid: line.sid, AnsweredBy: answeredBy, MachineDetectionDuration: '1800' });
const amd = (line: Placed, answeredBy: string) => webhook('/api/dialer/twilio/amd', { lineId: line.lineId }, amdParams(line, answeredBy));

/** Rings, is picked up, and detection says who: what Twilio sends for an answered call. */
async function pickUp(line: Placed, answeredBy: string): Promise<void> {
  expect((await status(line, 'ringing')).statusCode).toBe(204);
  const held = await answer(line);
  expect(held.statusCode).toBe(200);
  // Held in silence while detection listens.
  expect(held.body).toMatch(/<Pause length="\d+"\/>/);
  expect(held.body).not.toMatch(/<Say|<Play|<Dial/);
  expect((await amd(line, answeredBy)).statusCode).toBe(204);
}

/** The calls saved for the campaign's person at this number (who saved them, the outcome, when). */
async function callsTo(phone: string) {
  const { rows } = await sql<{ outcome: string; callerId: string | null; createdAt: Date }>`
    select call.outcome, call.caller_id as "callerId", call.created_at as "createdAt"
    from call join campaign_contact cc on cc.campaign_id = call.campaign_id and cc.person_id = call.person_id
    where call.campaign_id = ${campaignId} and cc.phone = ${phone} order by call.created_at`.execute(t.db);
  return rows;
}

/** Waits (at most 5 s) for the server to save a call to the number. */
async function savedCall(phone: string) {
  await until(async () => (await callsTo(phone)).length > 0, 5000, 'the call to be saved');
  return callsTo(phone);
}

async function contactAt(phone: string) {
  return t.db.selectFrom('campaignContact').selectAll().where('campaignId', '=', campaignId).where('phone', '=', phone).executeTakeFirstOrThrow();
}

const bridgedTo = (phone: string) => bridged.filter((event) => event.userId === caller.id && event.assignment.contact.phone === phone);
const HOUR = 3_600_000;

async function saveTelephony(target: { id: string }, settings: ReturnType<typeof twilioAccount>, callsPerSecond: number) {
  const admin = await t.newUser([{ org: target, role: 'admin' }]);
  const saved = await t.request('PUT', `/api/orgs/${target.id}/telephony`, { cookie: await t.login(admin), body: { ...settings, callsPerSecond } });
  expect(saved.statusCode, saved.body).toBe(200);
}

/** A power campaign of the organisation dialled through Twilio. */
async function twilioCampaign(target: { id: string }, people: number, firstNumber: number, linesPerCaller: number) {
  const organizer = await t.newUser([{ org: target, role: 'organizer' }]);
  const id = await t.newOpenCampaign(target, organizer, { people, firstNumber });
  const changed = await t.request('PUT', `/api/campaigns/${id}`, { cookie: await t.login(organizer), body: { dialing: 'twilio', dialMode: 'power', linesPerCaller } });
  expect(changed.statusCode, changed.body).toBe(200);
  return id;
}

beforeAll(async () => {
  await fake.start();
  t = await TestContext.create({ telephony: { twilioApiBaseUrl: fake.url } });
  const url = await t.app.listen({ port: 0, host: '127.0.0.1' });
  org = await t.newOrg({ name: ORG_NAME, country: 'SE' });
  await saveTelephony(org, ORG_TWILIO, 100);
  caller = await t.newUser([{ org, role: 'caller' }]);
  campaignId = await twilioCampaign(org, 30, 7310000, 2);
  socket = io(url, { path: '/socket.io', transports: ['websocket'], extraHeaders: { cookie: await t.login(caller), origin: t.origin }, reconnection: false, forceNew: true });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  t.app.ctx.dialer.on('bridged', (event) => bridged.push(event));
  t.app.ctx.dialer.on('seat', (event) => seatStates.push({ userId: event.userId, state: event.state }));
  t.app.ctx.dialer.on('ended', (event) => endedFor.push({ userId: event.userId, assignmentId: event.assignmentId }));
});
afterAll(async () => {
  socket?.disconnect();
  await t?.close();
  await fake.stop();
});

describe('a caller in a power campaign through Twilio', () => {
  /** The lines of the campaign as they are placed, in order. */
  let lines: Placed[] = [];
  /** The caller's identity towards Twilio (from their seat's token). */
  let identity = '';

  /** The caller's browser calls into their seat's conference (Twilio asks the voice webhook for its TwiML). */
  const browserLine = () => {
    const params = { AccountSid: ORG_TWILIO.accountSid, CallSid: `CA${hex(16)}`, From: `client:${identity}`, seatId, To: BROWSER_NUMBER };
    return t.app.inject({
      method: 'POST',
      url: '/api/telephony/twilio/voice',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilio.getExpectedTwilioSignature(ORG_TWILIO.authToken, 'http://ringa.test/api/telephony/twilio/voice', params) },
      payload: new URLSearchParams(params).toString(),
    });
  };

  test('starting: Twilio is asked to call two people of the campaign, from the organisation’s number; the caller’s browser joins their seat’s conference', async () => {
    const joined = await ask(socket, 'campaign:join', { campaignId });
    expect(joined.ok, JSON.stringify(joined)).toBe(true);
    const seat = await t.app.ctx.dialer.startSeat(caller.id, campaignId);
    expect(seat.line).toBe('twilio');
    seatId = seat.seatId;
    // Nobody is called before the caller's own line is up: a person answering would meet an empty conference.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(fake.creates(ORG_TWILIO.accountSid)).toHaveLength(0);

    // The caller's browser: a token for their seat, then its call into the seat's conference.
    const token = await t.request('POST', '/api/telephony/token', { cookie: await t.login(caller), body: { seatId } });
    expect(token.statusCode, token.body).toBe(200);
    identity = token.json<{ identity: string }>().identity;
    const voice = await browserLine();
    expect(voice.statusCode, voice.body).toBe(200);

    lines = await fake.placedCalls(ORG_TWILIO, 2);
    const listed = new Set((await t.db.selectFrom('campaignContact').select('phone').where('campaignId', '=', campaignId).execute()).map((row) => row.phone));
    expect(lines).toHaveLength(2);
    for (const line of lines) {
      expect(listed.has(line.to)).toBe(true);
      expect(line.sid).toMatch(/^CA[0-9a-f]{32}$/);
    }
    expect(new Set(lines.map((line) => line.to)).size).toBe(2);
    for (const create of fake.creates(ORG_TWILIO.accountSid)) {
      expect(create.body).toMatchObject({ From: ORG_TWILIO.callerId, MachineDetection: 'Enable', AsyncAmd: 'true' });
    }
    expect(voice.body).toContain(`>ringa-seat-${seatId}</Conference>`);
    expect(voice.body).not.toMatch(/<Number|\+46709999999/);
  });

  test('a person answers: held in silence, then joined to the caller’s conference; the caller gets their card', async () => {
    const [first] = lines as [Placed];
    await pickUp(first, 'human');
    const [bridge, ...more] = fake.updatesOf(first.sid);
    expect(more).toEqual([]);
    expect(String(bridge?.body.Twiml)).toContain(`>ringa-seat-${seatId}</Conference>`);
    expect(String(bridge?.body.Twiml)).not.toContain(first.to);
    await until(() => bridgedTo(first.to).length > 0, 5000, 'the caller to get the person');
    expect(bridged.map((event) => event.assignment.contact.phone)).toEqual([first.to]);
    expect(seatStates.at(-1)).toEqual({ userId: caller.id, state: 'talking' });
  });

  test('a machine while the caller talks: hung up, saved by the server as voicemail, never shown to the caller', async () => {
    const [, second] = lines as [Placed, Placed];
    await pickUp(second, 'machine_start');
    expect(fake.updatesOf(second.sid).map((update) => update.body)).toEqual([{ Status: 'completed' }]);
    expect((await status(second, 'completed', { CallDuration: '4' })).statusCode).toBe(204);
    const saved = await savedCall(second.to);
    expect(saved).toMatchObject([{ outcome: 'voicemail', callerId: null }]);
    // Back in the queue after the retry hours, like any voicemail.
    // Dated by the server's clock, as every call.
    expect(new Date(saved[0]?.createdAt ?? 0)).toEqual(t.clock.now());
    const contact = await contactAt(second.to);
    expect(contact).toMatchObject({ state: 'queued', attempts: 1, lastOutcome: 'voicemail', heldBy: null });
    expect(new Date(contact.dueAt).getTime() - t.clock.now().getTime()).toBe(4 * HOUR);
    expect(bridgedTo(second.to)).toEqual([]);
    // Nobody new is dialled for a caller who talks.
    expect(fake.creates(ORG_TWILIO.accountSid)).toHaveLength(2);
  });

  test('the caller saves from their page: the person’s call is ended, the seat waits again and two new people are called', async () => {
    const [first] = lines as [Placed];
    const [assignment] = bridgedTo(first.to);
    const saved = await ask(socket, 'call:complete', { assignmentId: assignment?.assignment.id ?? '', key: randomUUID(), outcome: 'conversation', answers: {} });
    expect(saved.ok, JSON.stringify(saved)).toBe(true);
    await until(() => seatStates.at(-1)?.state === 'waiting', 5000, 'the seat to wait');
    // Saved while the person was still on the line: the caller had ended it.
    await until(() => fake.updatesOf(first.sid).length === 2, 5000, 'the call to be ended');
    expect(fake.updatesOf(first.sid)[1]?.body).toEqual({ Status: 'completed' });
    await status(first, 'completed', { CallDuration: '41' });
    expect(await callsTo(first.to)).toMatchObject([{ outcome: 'conversation', callerId: caller.id }]);
    lines = await fake.placedCalls(ORG_TWILIO, 4);
    expect(new Set(lines.map((line) => line.to)).size).toBe(4);
  });

  test('no answer, busy and failed: saved by the server as no-answer, busy and wrong-number; the first two come back after the retry hours, a wrong number never', async () => {
    const [, , third, fourth] = lines as [Placed, Placed, Placed, Placed];
    await status(third, 'ringing');
    await status(third, 'no-answer', { CallDuration: '0' });
    // The caller still waits: a line is placed in its stead.
    lines = await fake.placedCalls(ORG_TWILIO, 5);
    await status(fourth, 'ringing');
    await status(fourth, 'busy', { CallDuration: '0' });
    lines = await fake.placedCalls(ORG_TWILIO, 6);
    const fifth = lines[4] as Placed;
    await status(fifth, 'failed', { CallDuration: '0' });
    lines = await fake.placedCalls(ORG_TWILIO, 7);

    for (const [line, outcome] of [
      [third, 'no-answer'],
      [fourth, 'busy'],
      [fifth, 'wrong-number'],
    ] as const) {
      const saved = await savedCall(line.to);
      expect(saved).toMatchObject([{ outcome, callerId: null }]);
      const contact = await contactAt(line.to);
      if (outcome === 'wrong-number') {
        expect(contact).toMatchObject({ state: 'done', doneReason: 'wrong-number', attempts: 1, heldBy: null });
      } else {
        expect(contact).toMatchObject({ state: 'queued', attempts: 1, lastOutcome: outcome, heldBy: null });
        expect(new Date(contact.dueAt).getTime() - t.clock.now().getTime()).toBe(4 * HOUR);
      }
      expect(bridgedTo(line.to)).toEqual([]);
    }
    // Never more than the campaign's two lines at once.
    expect(lines).toHaveLength(7);
  });

  test('a person answers while the only caller talks: they hear, in Swedish, who called and that they will not be called for three days; held 72 hours', async () => {
    const [sixth, seventh] = lines.slice(5) as [Placed, Placed];
    await pickUp(sixth, 'human');
    await until(() => bridgedTo(sixth.to).length === 1, 5000, 'the caller to get the person');
    await pickUp(seventh, 'human');
    const [abandon, ...more] = fake.updatesOf(seventh.sid);
    expect(more).toEqual([]);
    const twiml = String(abandon?.body.Twiml);
    expect(twiml).toMatch(/<Say language="sv-SE">[^<]+<\/Say><Hangup\/>/);
    expect(twiml).toContain(`Det här var ${ORG_NAME}`);
    expect(twiml).toContain('tre dagarna');
    expect(twiml).not.toContain('Conference');
    await status(seventh, 'completed', { CallDuration: '12' });
    const saved = await savedCall(seventh.to);
    expect(saved).toMatchObject([{ outcome: 'no-answer', callerId: null }]);
    const contact = await contactAt(seventh.to);
    expect(contact).toMatchObject({ state: 'queued', heldBy: null });
    expect(new Date(contact.dueAt).getTime() - t.clock.now().getTime()).toBe(72 * HOUR);
    expect(bridgedTo(seventh.to)).toEqual([]);

    // The caller saves the one they got and waits for the next.
    const [event] = bridgedTo(sixth.to);
    await t.app.ctx.calling.complete(caller.id, { assignmentId: event?.assignment.id ?? '', key: randomUUID(), outcome: 'refused', answers: {} });
    // The save reaches the dialer before the person's end (had the person hung up first, the caller would hear of it: dialer:ended).
    await until(() => seatStates.at(-1)?.state === 'waiting', 5000, 'the seat to wait');
    await status(sixth, 'completed', { CallDuration: '30' });
    lines = await fake.placedCalls(ORG_TWILIO, 9);
  });

  test('a late callback: the call ended before detection’s verdict, and the caller waiting gets nobody; it is saved as its status says', async () => {
    const ninth = lines[8] as Placed;
    await status(ninth, 'ringing');
    await status(ninth, 'completed', { CallDuration: '0' });
    const before = bridged.length;
    expect((await amd(ninth, 'human')).statusCode).toBe(204);
    expect((await answer(ninth)).body).toMatch(/<Hangup\/>/);
    expect(fake.updatesOf(ninth.sid)).toEqual([]);
    expect(await savedCall(ninth.to)).toMatchObject([{ outcome: 'no-answer', callerId: null }]);
    expect(bridged.length).toBe(before);
    expect(seatStates.at(-1)?.state).toBe('waiting');
    lines = await fake.placedCalls(ORG_TWILIO, 10);
  });

  test('forged callbacks are refused and change nothing; the same verdict sent three times bridges once', async () => {
    const eighth = lines[7] as Placed;
    await status(eighth, 'ringing');
    await answer(eighth);
    const params = amdParams(eighth, 'human');
    const address = `http://ringa.test/api/dialer/twilio/amd?lineId=${eighth.lineId}`;
    const forged = [
      await webhook('/api/dialer/twilio/amd', { lineId: eighth.lineId }, params, { authToken: hex(16) }),
      await webhook('/api/dialer/twilio/amd', { lineId: eighth.lineId }, params, { url: `https://evil.example/api/dialer/twilio/amd?lineId=${eighth.lineId}` }),
      await t.app.inject({ method: 'POST', url: `/api/dialer/twilio/amd?lineId=${eighth.lineId}`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams(params).toString() }),
      // Signed, then changed on the way.
      await t.app.inject({
        method: 'POST',
        url: `/api/dialer/twilio/amd?lineId=${eighth.lineId}`,
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilio.getExpectedTwilioSignature(ORG_TWILIO.authToken, address, { ...params, AnsweredBy: 'machine_start' }) },
        payload: new URLSearchParams(params).toString(),
      }),
    ];
    for (const response of forged) {
      expect(response.statusCode, response.body).toBe(403);
      expect(response.json()).toMatchObject({ error: { code: 'invalid_signature' } });
    }
    expect(fake.updatesOf(eighth.sid)).toEqual([]);
    expect(bridgedTo(eighth.to)).toEqual([]);
    expect(await callsTo(eighth.to)).toEqual([]);
    expect(seatStates.at(-1)?.state).toBe('waiting');

    // Twilio retries: the same signed verdict three times, at once.
    const replies = await Promise.all([amd(eighth, 'human'), amd(eighth, 'human'), amd(eighth, 'human')]);
    expect(replies.map((reply) => reply.statusCode)).toEqual([204, 204, 204]);
    await until(() => bridgedTo(eighth.to).length > 0, 5000, 'the caller to get the person');
    await amd(eighth, 'human');
    expect(fake.updatesOf(eighth.sid)).toHaveLength(1);
    expect(String(fake.updatesOf(eighth.sid)[0]?.body.Twiml)).toContain(`>ringa-seat-${seatId}</Conference>`);
    expect(bridgedTo(eighth.to)).toHaveLength(1);
    // Nobody dialled a number a browser sent.
    expect(fake.requests.filter((request) => JSON.stringify(request.body).includes(BROWSER_NUMBER))).toEqual([]);
  });

  /** An event of the caller's conference, as Twilio sends it. */
  const conference = (event: string, params: Record<string, string> = {}) =>
    webhook('/api/dialer/twilio/conference', { seatId }, { AccountSid: ORG_TWILIO.accountSid, ConferenceSid: CONFERENCE_SID, FriendlyName: `ringa-seat-${seatId}`, StatusCallbackEvent: event, ...params });
  const CONFERENCE_SID = `CF${hex(16)}`;

  test('the person hangs up: the caller is told, wraps up, and gets nobody new until they save', async () => {
    const eighth = lines[7] as Placed;
    const [event] = bridgedTo(eighth.to);
    expect((await conference('participant-leave', { CallSid: eighth.sid })).statusCode).toBe(204);
    await until(() => endedFor.length > 0, 5000, 'the caller to be told');
    expect(endedFor).toEqual([{ userId: caller.id, assignmentId: event?.assignment.id }]);
    expect(seatStates.at(-1)?.state).toBe('wrapping');
    await status(eighth, 'completed', { CallDuration: '25' });
    expect(endedFor).toHaveLength(1);
    expect(fake.creates(ORG_TWILIO.accountSid)).toHaveLength(10);
    await t.app.ctx.calling.complete(caller.id, { assignmentId: event?.assignment.id ?? '', key: randomUUID(), outcome: 'conversation', answers: {} });
    await until(() => seatStates.at(-1)?.state === 'waiting', 5000, 'the seat to wait');
    // One line still rings for them (the tenth): one more is placed.
    lines = await fake.placedCalls(ORG_TWILIO, 11);
    // The person had hung up: their call is not ended again.
    expect(fake.updatesOf(eighth.sid)).toHaveLength(1);
  });

  test('the caller’s browser line ends: their seat pauses, nobody new is called, and a person answering then hears who called', async () => {
    expect((await conference('conference-end')).statusCode).toBe(204);
    await until(() => seatStates.at(-1)?.state === 'paused', 5000, 'the seat to pause');
    const [tenth, eleventh] = lines.slice(9) as [Placed, Placed];
    await pickUp(tenth, 'human');
    expect(String(fake.updatesOf(tenth.sid)[0]?.body.Twiml)).toMatch(/<Say language="sv-SE">[^<]+<\/Say><Hangup\/>/);
    expect(bridgedTo(tenth.to)).toEqual([]);
    await status(tenth, 'completed', { CallDuration: '10' });
    await status(eleventh, 'no-answer', { CallDuration: '0' });
    expect(await savedCall(eleventh.to)).toMatchObject([{ outcome: 'no-answer', callerId: null }]);
    // A second of the dialer's own look at the seats: still nobody called.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(fake.creates(ORG_TWILIO.accountSid)).toHaveLength(11);
  });

  test('a machine when the caller waits: joined to their conference all the same (the dialer’s policy bridge-if-caller-waiting), and they save it', async () => {
    await t.app.ctx.dialer.startSeat(caller.id, campaignId);
    // Their browser's line comes back into the conference.
    expect((await browserLine()).statusCode).toBe(200);
    await until(() => seatStates.at(-1)?.state === 'waiting', 5000, 'the seat to wait');
    lines = await fake.placedCalls(ORG_TWILIO, 13);
    const [twelfth, thirteenth] = lines.slice(11) as [Placed, Placed];
    await pickUp(twelfth, 'machine_start');
    expect(String(fake.updatesOf(twelfth.sid)[0]?.body.Twiml)).toContain(`>ringa-seat-${seatId}</Conference>`);
    await until(() => bridgedTo(twelfth.to).length === 1, 5000, 'the caller to get the call');
    const [event] = bridgedTo(twelfth.to);
    await t.app.ctx.calling.complete(caller.id, { assignmentId: event?.assignment.id ?? '', key: randomUUID(), outcome: 'voicemail', answers: {} });
    expect(await callsTo(twelfth.to)).toMatchObject([{ outcome: 'voicemail', callerId: caller.id }]);
    await status(thirteenth, 'no-answer', { CallDuration: '0' });
    await t.app.ctx.dialer.pauseSeat(caller.id, campaignId);
  });
});

describe('the account’s calls per second', () => {
  test('three callers starting at once at 1 call a second: Twilio gets the calls about a second apart', async () => {
    const paced = await t.newOrg({ name: 'Kretsen', country: 'SE' });
    await saveTelephony(paced, PACED_TWILIO, 1);
    const pacedCampaign = await twilioCampaign(paced, 10, 7320000, 1);
    const callers = await Promise.all([0, 1, 2].map(() => t.newUser([{ org: paced, role: 'caller' }])));
    for (const one of callers) await t.app.ctx.calling.joined(one.id, pacedCampaign);
    const seats = await Promise.all(callers.map((one) => t.app.ctx.dialer.startSeat(one.id, pacedCampaign)));
    // Their browsers are in their conferences (as the voice webhook tells the dialer).
    for (const seat of seats) t.app.ctx.dialer.twilioSeats.joined(seat.seatId);
    await fake.placedCalls(PACED_TWILIO, 3);
    const times = fake.creates(PACED_TWILIO.accountSid).map((create) => create.at);
    const gaps = times.slice(1).map((at, i) => at - (times[i] ?? 0));
    expect(gaps).toHaveLength(2);
    for (const gap of gaps) {
      expect(gap, `gaps between the creates: ${gaps.join(', ')} ms`).toBeGreaterThanOrEqual(950);
      // Kept to the limit, not far behind it.
      expect(gap, `gaps between the creates: ${gaps.join(', ')} ms`).toBeLessThan(1500);
    }
    expect(new Set(fake.creates(PACED_TWILIO.accountSid).map((create) => create.body.To)).size).toBe(3);
  });
});
