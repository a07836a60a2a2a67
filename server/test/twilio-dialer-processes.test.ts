// The dialer through Twilio behind a load balancer: two server processes on one database (socket.io's
// server-side emit between them, on PostgreSQL), one of them pacing the campaign (dialer_owner), and
// Twilio's webhooks (signed, to a local fake of Twilio) sent to the OTHER one. Its news of a ringing or
// ended line reaches the process that runs the line; a person who answered waits for that process's
// decision and is joined to the caller's conference once; with nobody there to decide within 1.5 s the
// person is hung up and bridged to no one.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { App } from '../src/app';
import type { Assignment } from '../src/contract/realtime';
import { ask, connectAt, type Client } from './ask';
import { FakeTwilio, hex, signedWebhook, twilioAccount, until, type Placed } from './fake-twilio';
import { TestContext, type TestUser } from './harness';

const ORG_TWILIO = twilioAccount('+46101234567');

const fake = new FakeTwilio();
let t: TestContext;
/** The process that paces the campaign: the caller's socket and browser line are on it. */
let owner: { url: string; app: App };
/** A process that does not: Twilio's webhooks for the campaign's calls reach it. */
let other: { url: string; app: App };
let caller: TestUser;
let campaignId: string;
let seatId: string;
let socket: Client;
const bridged: Assignment[] = [];
const ended: string[] = [];
const seatStates: string[] = [];

/** Twilio's webhooks for a line, all to the process that does not pace the campaign. */
const toOther = (path: string, query: Record<string, string>, params: Record<string, string>) => signedWebhook(other.app, ORG_TWILIO.authToken, path, query, params);
const status = (line: Placed, callStatus: string, extra: Record<string, string> = {}) =>
  toOther('/api/dialer/twilio/status', { lineId: line.lineId }, { AccountSid: ORG_TWILIO.accountSid, CallSid: line.sid, CallStatus: callStatus, To: line.to, ...extra });
const answer = (line: Placed) => toOther('/api/dialer/twilio/answer', { lineId: line.lineId }, { AccountSid: ORG_TWILIO.accountSid, CallSid: line.sid, CallStatus: 'in-progress', To: line.to });
const amd = (line: Placed, answeredBy: string) =>
  toOther('/api/dialer/twilio/amd', { lineId: line.lineId }, { AccountSid: ORG_TWILIO.accountSid, CallSid: line.sid, AnsweredBy: answeredBy, MachineDetectionDuration: '1800' });
const CONFERENCE_SID = `CF${hex(16)}`;
const conference = (event: string, params: Record<string, string> = {}) =>
  toOther('/api/dialer/twilio/conference', { seatId }, { AccountSid: ORG_TWILIO.accountSid, ConferenceSid: CONFERENCE_SID, FriendlyName: `ringa-seat-${seatId}`, StatusCallbackEvent: event, ...params });

/** Rings and is picked up (held in silence): ready for detection's verdict. */
async function ringAndPickUp(line: Placed): Promise<void> {
  expect((await status(line, 'ringing')).statusCode).toBe(204);
  const held = await answer(line);
  expect(held.statusCode).toBe(200);
  expect(held.body).toMatch(/<Pause length="\d+"\/>/);
}

/** Detection's verdict to the other process: its answer's status and how long it took (the decision asked of the owner, and the call updated). */
async function timedAmd(line: Placed, answeredBy: string): Promise<{ statusCode: number; ms: number }> {
  const started = performance.now();
  const reply = await amd(line, answeredBy);
  return { statusCode: reply.statusCode, ms: Math.round(performance.now() - started) };
}

async function lineState(line: Placed): Promise<string | undefined> {
  const row = await t.db.selectFrom('dialerLine').select('state').where('id', '=', line.lineId).executeTakeFirst();
  return row?.state;
}

/** What the process that got the verdict recorded as the decision on the call. */
async function decisionOn(line: Placed) {
  return t.db.selectFrom('dialerTwilioLine').select(['decision', 'seatId']).where('lineId', '=', line.lineId).executeTakeFirst();
}

async function callsTo(phone: string) {
  const { rows } = await sql<{ outcome: string; callerId: string | null }>`
    select call.outcome, call.caller_id as "callerId"
    from call join campaign_contact cc on cc.campaign_id = call.campaign_id and cc.person_id = call.person_id
    where call.campaign_id = ${campaignId} and cc.phone = ${phone} order by call.created_at`.execute(t.db);
  return rows;
}

async function pacedBy(): Promise<string | undefined> {
  const row = await t.db.selectFrom('dialerOwner').select('processId').where('campaignId', '=', campaignId).executeTakeFirst();
  return row?.processId;
}

const telephony = () => ({ twilioApiBaseUrl: fake.url });

beforeAll(async () => {
  await fake.start();
  t = await TestContext.create({ shareBroadcasts: true, telephony: telephony() });
  // The harness's own app seeds through the API; a third process on the database, it must not pace.
  await t.app.ctx.dialer.close();
  const org = await t.newOrg({ name: 'Folkrörelsen Syd', country: 'SE' });
  const admin = await t.newUser([{ org, role: 'admin' }]);
  const saved = await t.request('PUT', `/api/orgs/${org.id}/telephony`, { cookie: await t.login(admin), body: { ...ORG_TWILIO, callsPerSecond: 100 } });
  expect(saved.statusCode, saved.body).toBe(200);
  const organizer = await t.newUser([{ org, role: 'organizer' }]);
  campaignId = await t.newOpenCampaign(org, organizer, { people: 20, firstNumber: 7410000 });
  const changed = await t.request('PUT', `/api/campaigns/${campaignId}`, { cookie: await t.login(organizer), body: { dialing: 'twilio', dialMode: 'power', linesPerCaller: 2 } });
  expect(changed.statusCode, changed.body).toBe(200);
  caller = await t.newUser([{ org, role: 'caller' }]);

  // The caller's page is on the owner: they join and start there, and it takes the campaign up.
  owner = await t.anotherServer({ telephony: telephony() });
  socket = await connectAt(owner.url, await t.login(caller), t.origin);
  socket.on('dialer:bridged', (event) => bridged.push(event.assignment));
  socket.on('dialer:ended', (event) => ended.push(event.assignmentId));
  socket.on('dialer:seat', (event) => seatStates.push(event.state));
  const joined = await ask(socket, 'campaign:join', { campaignId });
  expect(joined.ok, JSON.stringify(joined)).toBe(true);
  const started = await ask(socket, 'dialer:start', { campaignId });
  if (!started.ok) throw new Error(JSON.stringify(started));
  seatId = started.data.seatId;
  await until(async () => (await pacedBy()) === owner.app.ctx.calling.processId, 5000, 'the owner to pace the campaign');
  // The second process starts once the campaign is paced: it never takes it while the owner keeps it.
  other = await t.anotherServer({ telephony: telephony() });

  // The caller's browser calls into their seat's conference (Twilio asks the owner's voice webhook).
  const token = await t.request('POST', '/api/telephony/token', { cookie: await t.login(caller), body: { seatId } });
  expect(token.statusCode, token.body).toBe(200);
  const params = { AccountSid: ORG_TWILIO.accountSid, CallSid: `CA${hex(16)}`, From: `client:${token.json<{ identity: string }>().identity}`, seatId, To: '+46709999999' };
  const voice = await owner.app.inject({
    method: 'POST',
    url: '/api/telephony/twilio/voice',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilio.getExpectedTwilioSignature(ORG_TWILIO.authToken, 'http://ringa.test/api/telephony/twilio/voice', params) },
    payload: new URLSearchParams(params).toString(),
  });
  expect(voice.statusCode, voice.body).toBe(200);
  expect(voice.body).toContain(`>ringa-seat-${seatId}</Conference>`);
}, 30_000);

afterAll(async () => {
  socket?.disconnect();
  await t?.close();
  await fake.stop();
});

describe('Twilio’s webhooks reach the process that does not pace the campaign', () => {
  let lines: Placed[] = [];

  test('ringing and a person’s verdict: the owner decides, the person is joined to the caller’s conference once, and the caller gets their card', async () => {
    expect(await pacedBy()).toBe(owner.app.ctx.calling.processId);
    expect(other.app.ctx.calling.processId).not.toBe(owner.app.ctx.calling.processId);
    expect(other.app.ctx.dialer.figures(campaignId)).toBeNull();
    lines = await fake.placedCalls(ORG_TWILIO, 2);
    const [first] = lines as [Placed];
    await ringAndPickUp(first);
    // The owner heard of the ring: it saved its line as ringing.
    await until(async () => (await lineState(first)) === 'ringing', 3000, 'the owner to hear of the ring');

    const verdict = await timedAmd(first, 'human');
    expect(verdict.statusCode).toBe(204);
    // Decided by the owner and answered within the forwarding's 1.5 s (a hang-up comes only after it).
    expect(verdict.ms, `the forwarded decision took ${verdict.ms} ms`).toBeLessThan(1500);
    const [bridge, ...more] = fake.updatesOf(first.sid);
    expect(more).toEqual([]);
    expect(String(bridge?.body.Twiml)).toContain(`>ringa-seat-${seatId}</Conference>`);
    await until(() => bridged.length > 0, 3000, 'the caller to get the person');
    expect(bridged.map((assignment) => assignment.contact.phone)).toEqual([first.to]);
    expect(await lineState(first)).toBe('bridged');
    expect(await decisionOn(first)).toEqual({ decision: 'bridge', seatId });
    expect(seatStates.at(-1)).toBe('talking');

    // Twilio retries the verdict, at the other process again: nothing more.
    expect((await amd(first, 'human')).statusCode).toBe(204);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(fake.updatesOf(first.sid)).toHaveLength(1);
    expect(bridged).toHaveLength(1);
  });

  test('final statuses: no answer is saved by the owner with no caller; the bridged person’s hang-up puts the caller to wrapping up', async () => {
    const [first, second] = lines as [Placed, Placed];
    expect((await status(second, 'ringing')).statusCode).toBe(204);
    expect((await status(second, 'no-answer', { CallDuration: '0' })).statusCode).toBe(204);
    await until(async () => (await callsTo(second.to)).length > 0, 3000, 'the owner to save the unanswered call');
    expect(await callsTo(second.to)).toEqual([{ outcome: 'no-answer', callerId: null }]);
    await until(async () => (await lineState(second)) === 'ended', 3000, 'the owner to end its line');
    expect(bridged).toHaveLength(1);

    expect((await conference('participant-leave', { CallSid: first.sid })).statusCode).toBe(204);
    await until(() => ended.length > 0, 3000, 'the caller to be told');
    expect(ended).toEqual([bridged[0]?.id]);
    expect(seatStates.at(-1)).toBe('wrapping');
    expect((await status(first, 'completed', { CallDuration: '25' })).statusCode).toBe(204);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(ended).toHaveLength(1);
    // The person had hung up: their call is not ended again.
    expect(fake.updatesOf(first.sid)).toHaveLength(1);

    // The caller saves on their page: the seat waits, and the owner places two lines again.
    const saved = await ask(socket, 'call:complete', { assignmentId: bridged[0]?.id ?? '', key: randomUUID(), outcome: 'conversation', answers: {} });
    expect(saved.ok, JSON.stringify(saved)).toBe(true);
    await until(() => seatStates.at(-1) === 'waiting', 3000, 'the seat to wait');
    expect(await callsTo(first.to)).toEqual([{ outcome: 'conversation', callerId: caller.id }]);
    lines = await fake.placedCalls(ORG_TWILIO, 4);
  });

  test('the owner’s process has stopped: a person answering waits 1.5 s for a decision nobody sends, is hung up and bridged to no one', async () => {
    const third = lines[2] as Placed;
    await ringAndPickUp(third);
    await t.stopServer(owner.app);
    socket.disconnect();
    expect(await pacedBy()).toBeUndefined();

    const verdict = await timedAmd(third, 'human');
    expect(verdict.statusCode).toBe(204);
    expect(verdict.ms, `the unanswered verdict took ${verdict.ms} ms`).toBeGreaterThanOrEqual(1500);
    expect(verdict.ms, `the unanswered verdict took ${verdict.ms} ms`).toBeLessThan(3000);
    expect(fake.updatesOf(third.sid).map((update) => update.body)).toEqual([{ Status: 'completed' }]);
    expect(await decisionOn(third)).toEqual({ decision: 'hangup', seatId: null });
    expect(bridged).toHaveLength(1);
    // Nobody took the campaign up meanwhile (its caller left with the owner).
    expect(await pacedBy()).toBeUndefined();
  });
});
