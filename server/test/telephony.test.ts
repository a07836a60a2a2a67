// Telephony: browser calls through Twilio and the simulated line. Webhooks are signed with the twilio
// library's own code; the TwiML dials only the number of the person the caller holds, whatever the
// browser sends; statuses move only forward; settings keep their secrets encrypted and to themselves.
import { createHmac, randomBytes } from 'node:crypto';
import { io } from 'socket.io-client';
import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildApp, type App } from '../src/app';
import type { TelephonySettingsView, TelephonyToken } from '../src/contract/api';
import type { TelephonyStatusEvent } from '../src/contract/realtime';
import { changeStatus, createCampaign } from '../src/modules/campaigns/campaigns.service';
import { ALWAYS_WINDOW } from '../src/modules/campaigns/outcomes';
import type { CampaignDialing } from '../src/contract/api';
import type { Client } from './ask';
import { TestContext, errorCode, type TestUser } from './harness';
import { listImport } from './multipart';

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const ORG_TWILIO = {
  accountSid: `AC${hex(16)}`,
  authToken: hex(16),
  apiKey: `SK${hex(16)}`,
  apiSecret: hex(16),
  twimlAppSid: `AP${hex(16)}`,
  callerId: '+46101234567',
};
const ENV_TWILIO = { accountSid: `AC${hex(16)}`, authToken: hex(16), apiKey: `SK${hex(16)}`, apiSecret: hex(16), twimlAppSid: `AP${hex(16)}`, callerId: '+4520123456' };
const VOICE_URL = 'http://ringa.test/api/telephony/twilio/voice';
const STATUS_URL = 'http://ringa.test/api/telephony/twilio/status';

let t: TestContext;
let url: string;
let association: { id: string };
let unconfigured: { id: string };
let admin: TestUser;
let adminCookie: string;
let organizer: TestUser;
const callers: { user: TestUser; cookie: string }[] = [];
const opened: Client[] = [];

beforeAll(async () => {
  t = await TestContext.create({ telephony: { simulatedConnectMs: 50 } });
  url = await t.app.listen({ port: 0, host: '127.0.0.1' });
  const district = await t.newOrg({ name: 'Region Syd', kind: 'district', country: 'SE' });
  association = await t.newOrg({ parent: district, name: 'Föreningen' });
  unconfigured = await t.newOrg({ name: 'Kreds uden Twilio', kind: 'kreds', country: 'DK' });
  admin = await t.newUser([{ org: association, role: 'admin' }]);
  adminCookie = await t.login(admin);
  organizer = await t.newUser([{ org: association, role: 'organizer' }, { org: unconfigured, role: 'organizer' }]);
  for (let i = 0; i < 3; i++) {
    const user = await t.newUser([{ org: association, role: 'caller' }, { org: unconfigured, role: 'caller' }]);
    callers.push({ user, cookie: await t.login(user) });
  }
});
afterAll(async () => {
  for (const socket of opened) socket.disconnect();
  await t.close();
});

function caller(index: number) {
  const found = callers[index];
  if (!found) throw new Error(`No caller ${index}`);
  return found;
}

/** A campaign of `count` people in the organisation, open for calling, dialing as given. */
async function campaignIn(org: { id: string }, dialing: CampaignDialing, count = 3) {
  // Danish 2300 xxxx–2309 xxxx are not numbers (libphonenumber): the import would leave them out.
  const first = 3_100_000 + Math.floor(Math.random() * 800_000);
  const cookie = await t.login(organizer);
  // Swedish mobile numbers (070 3xx xx xx) in Sweden, Danish ones (2xxx xxxx) in Denmark.
  const prefix = org === unconfigured ? '2' : '070';
  const rows = Array.from({ length: count }, (_, i) => `Person;${i};${prefix}${String(first + i)}`).join('\r\n');
  const body = listImport({ name: `Lista ${first}` }, { field: 'file', filename: 'lista.csv', content: `Förnamn;Efternamn;Mobil\r\n${rows}\r\n` });
  const list = await t.request('POST', `/api/orgs/${org.id}/lists`, { cookie, body: body.payload, headers: { 'content-type': body.contentType } });
  expect(list.statusCode, list.body).toBe(202);
  const { id: listId } = list.json<{ id: string }>();
  await t.app.ctx.importer.wait(listId);
  // Every number of the list is imported (a random Danish range once hit numbers that do not exist).
  const imported = await t.db.selectFrom('targetList').select(['status', 'imported', 'invalid', 'duplicates', 'error']).where('id', '=', listId).executeTakeFirstOrThrow();
  const problems = await t.db.selectFrom('listRowProblem').select(['rowNumber', 'kind', 'reason', 'rawValue']).where('listId', '=', listId).execute();
  expect({ ...imported, problems }, `the list ${rows.replaceAll('\r\n', ' | ')}`).toMatchObject({ status: 'ready', imported: count, problems: [] });
  const group = await t.request('POST', `/api/orgs/${org.id}/target-groups`, { cookie, body: { name: `Grupp ${first}`, listIds: [listId], filters: [] } });
  expect(group.statusCode, group.body).toBe(201);
  const campaign = await createCampaign(t.db, t.clock, organizer.id, org.id, {
    name: `Kampanj ${first}`,
    callingWindow: ALWAYS_WINDOW,
    script: 'Hej {first_name}!',
    targetGroupIds: [group.json<{ id: string }>().id],
    dialing,
  });
  await changeStatus(t.db, t.clock, organizer.id, campaign.id, 'active');
  return campaign.id;
}

async function claim(index: number, campaignId: string) {
  const { assignment, reason } = await t.app.ctx.calling.next(caller(index).user.id, campaignId);
  if (!assignment) throw new Error(`nobody to call: ${reason ?? ''}`);
  return assignment;
}

function connect(cookie: string): Promise<Client> {
  const socket: Client = io(url, { path: '/socket.io', transports: ['websocket'], extraHeaders: { cookie, origin: t.origin }, reconnection: false, forceNew: true });
  opened.push(socket);
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

function statuses(socket: Client): TelephonyStatusEvent[] {
  const seen: TelephonyStatusEvent[] = [];
  socket.on('telephony:status', (event) => seen.push(event));
  return seen;
}

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A webhook as Twilio sends it: form-encoded, signed (by default) with the account's auth token for the given address. */
function webhook(path: string, params: Record<string, string>, sign: { authToken?: string; url?: string; signature?: string | null } = {}) {
  const address = sign.url ?? `http://ringa.test${path}`;
  const signature = sign.signature === undefined ? twilio.getExpectedTwilioSignature(sign.authToken ?? ORG_TWILIO.authToken, address, params) : sign.signature;
  return t.app.inject({
    method: 'POST',
    url: path,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(signature === null ? {} : { 'x-twilio-signature': signature }) },
    payload: new URLSearchParams(params).toString(),
  });
}

function decodeJwt(token: string, secret: string) {
  const [header = '', payload = '', signature = ''] = token.split('.');
  expect(createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url')).toBe(signature);
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as {
    iss: string;
    sub: string;
    iat: number;
    exp: number;
    grants: { identity: string; voice?: { incoming?: { allow: boolean }; outgoing?: { application_sid: string } } };
  };
}

async function callRow(callSid: string) {
  return t.db.selectFrom('telephonyCall').selectAll().where('callSid', '=', callSid).executeTakeFirst();
}
async function callCount(): Promise<number> {
  const row = await t.db.selectFrom('telephonyCall').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

describe('settings', () => {
  test('admins save them with formats checked; secrets are stored encrypted and never sent back', async () => {
    const before = await t.request('GET', `/api/orgs/${association.id}/telephony`, { cookie: adminCookie });
    expect(before.json<TelephonySettingsView>()).toMatchObject({ configured: false, source: null, hasAuthToken: false });

    const bad: [Partial<typeof ORG_TWILIO>, string][] = [
      [{ accountSid: 'AC123' }, 'invalid_account_sid'],
      [{ apiKey: ORG_TWILIO.accountSid }, 'invalid_api_key'],
      [{ twimlAppSid: 'AP' + 'g'.repeat(32) }, 'invalid_twiml_app_sid'],
      [{ callerId: '070-123 45 67' }, 'invalid_caller_id'],
      [{ authToken: 'short' }, 'invalid_auth_token'],
    ];
    const badLimits: [Record<string, unknown>, string][] = [
      [{ callsPerSecond: 0 }, 'invalid_calls_per_second'],
      [{ callsPerSecond: 1.5 }, 'invalid_calls_per_second'],
      [{ callsPerSecond: 101 }, 'invalid_calls_per_second'],
      [{ maxConcurrentCalls: 0 }, 'invalid_max_concurrent_calls'],
      [{ maxConcurrentCalls: 2.5 }, 'invalid_max_concurrent_calls'],
    ];
    for (const [change, code] of [...bad, ...badLimits]) {
      const response = await t.request('PUT', `/api/orgs/${association.id}/telephony`, { cookie: adminCookie, body: { ...ORG_TWILIO, ...change } });
      expect(response.statusCode, response.body).toBe(400);
      expect(errorCode(response)).toBe(code);
    }
    const { authToken: _a, apiSecret: _s, ...withoutSecrets } = ORG_TWILIO;
    const first = await t.request('PUT', `/api/orgs/${association.id}/telephony`, { cookie: adminCookie, body: withoutSecrets });
    expect(errorCode(first)).toBe('secrets_required');

    const saved = await t.request('PUT', `/api/orgs/${association.id}/telephony`, { cookie: adminCookie, body: ORG_TWILIO });
    expect(saved.statusCode, saved.body).toBe(200);
    expect(saved.json<TelephonySettingsView>()).toEqual({
      configured: true,
      source: 'organisation',
      inherited: false,
      accountSid: ORG_TWILIO.accountSid,
      apiKey: ORG_TWILIO.apiKey,
      twimlAppSid: ORG_TWILIO.twimlAppSid,
      callerId: ORG_TWILIO.callerId,
      hasAuthToken: true,
      hasApiSecret: true,
      // Twilio's default rate and no cap until the admin sets them.
      callsPerSecond: 1,
      maxConcurrentCalls: null,
    });
    const limited = await t.request('PUT', `/api/orgs/${association.id}/telephony`, { cookie: adminCookie, body: { ...ORG_TWILIO, callsPerSecond: 3, maxConcurrentCalls: 20 } });
    expect(limited.json<TelephonySettingsView>()).toMatchObject({ callsPerSecond: 3, maxConcurrentCalls: 20 });
    // Left out, they keep their values; null lifts the cap.
    const kept = await t.request('PUT', `/api/orgs/${association.id}/telephony`, { cookie: adminCookie, body: ORG_TWILIO });
    expect(kept.json<TelephonySettingsView>()).toMatchObject({ callsPerSecond: 3, maxConcurrentCalls: 20 });
    const uncapped = await t.request('PUT', `/api/orgs/${association.id}/telephony`, { cookie: adminCookie, body: { ...ORG_TWILIO, callsPerSecond: 1, maxConcurrentCalls: null } });
    expect(uncapped.json<TelephonySettingsView>()).toMatchObject({ callsPerSecond: 1, maxConcurrentCalls: null });
    // Saving again without the secrets keeps them.
    const again = await t.request('PUT', `/api/orgs/${association.id}/telephony`, { cookie: adminCookie, body: withoutSecrets });
    const read = await t.request('GET', `/api/orgs/${association.id}/telephony`, { cookie: adminCookie });
    for (const response of [saved, again, read]) {
      expect(response.body).not.toContain(ORG_TWILIO.authToken);
      expect(response.body).not.toContain(ORG_TWILIO.apiSecret);
    }
    const row = await t.db.selectFrom('telephonySettings').selectAll().where('organisationId', '=', association.id).executeTakeFirstOrThrow();
    expect(row.authTokenEncrypted).toMatch(/^v1:/);
    expect(JSON.stringify(row)).not.toContain(ORG_TWILIO.authToken);
    expect(JSON.stringify(row)).not.toContain(ORG_TWILIO.apiSecret);

    const byOrganizer = await t.request('GET', `/api/orgs/${association.id}/telephony`, { cookie: await t.login(organizer) });
    expect(byOrganizer.statusCode).toBe(403);
  });

  test('DELETE removes an organisation’s settings', async () => {
    const org = await t.newOrg({ name: 'Tillfällig' });
    const orgAdmin = await t.newUser([{ org, role: 'admin' }]);
    const cookie = await t.login(orgAdmin);
    expect((await t.request('PUT', `/api/orgs/${org.id}/telephony`, { cookie, body: ORG_TWILIO })).statusCode).toBe(200);
    const removed = await t.request('DELETE', `/api/orgs/${org.id}/telephony`, { cookie });
    expect(removed.json<TelephonySettingsView>()).toMatchObject({ configured: false, source: null });
    expect(await t.db.selectFrom('telephonySettings').select('organisationId').where('organisationId', '=', org.id).executeTakeFirst()).toBeUndefined();
  });
});

describe('access tokens', () => {
  test('a caller holding an assignment gets a short-lived outgoing-only token with an opaque identity', async () => {
    const campaignId = await campaignIn(association, 'twilio');
    const assignment = await claim(0, campaignId);
    const response = await t.request('POST', '/api/telephony/token', { cookie: caller(0).cookie, body: { assignmentId: assignment.id } });
    expect(response.statusCode, response.body).toBe(200);
    const { token, identity } = response.json<TelephonyToken>();
    expect(identity).toMatch(/^c_[0-9a-f]{32}$/);
    expect(identity).not.toContain(caller(0).user.id);
    const payload = decodeJwt(token, ORG_TWILIO.apiSecret);
    expect(payload.iss).toBe(ORG_TWILIO.apiKey);
    expect(payload.sub).toBe(ORG_TWILIO.accountSid);
    expect(payload.exp - payload.iat).toBe(600);
    expect(payload.grants.identity).toBe(identity);
    expect(payload.grants.voice?.outgoing?.application_sid).toBe(ORG_TWILIO.twimlAppSid);
    expect(payload.grants.voice?.incoming?.allow ?? false).toBe(false);
    expect(token).not.toContain(Buffer.from(caller(0).user.email).toString('base64url'));
  });

  test('no token without a held assignment, signed out, or without Twilio settings', async () => {
    const campaignId = await campaignIn(association, 'twilio');
    const held = await claim(1, campaignId);
    // Another caller's assignment, and one that does not exist.
    for (const assignmentId of [held.id, '00000000-0000-4000-8000-000000000000']) {
      const response = await t.request('POST', '/api/telephony/token', { cookie: caller(2).cookie, body: { assignmentId } });
      expect(response.statusCode).toBe(409);
      expect(errorCode(response)).toBe('lease_lost');
    }
    const signedOut = await t.request('POST', '/api/telephony/token', { body: { assignmentId: held.id } });
    expect(signedOut.statusCode).toBe(401);
    // Given back: no longer held.
    await t.app.ctx.calling.release(caller(1).user.id, held.id);
    expect(errorCode(await t.request('POST', '/api/telephony/token', { cookie: caller(1).cookie, body: { assignmentId: held.id } }))).toBe('lease_lost');

    const elsewhere = await campaignIn(unconfigured, 'twilio');
    const there = await claim(2, elsewhere);
    const response = await t.request('POST', '/api/telephony/token', { cookie: caller(2).cookie, body: { assignmentId: there.id } });
    expect(response.statusCode).toBe(409);
    expect(errorCode(response)).toBe('telephony_not_configured');
  });
});

describe('the voice webhook', () => {
  let campaignId: string;
  beforeAll(async () => {
    campaignId = await campaignIn(association, 'twilio', 10);
  });

  async function tokenFor(index: number, assignmentId: string): Promise<string> {
    const response = await t.request('POST', '/api/telephony/token', { cookie: caller(index).cookie, body: { assignmentId } });
    expect(response.statusCode, response.body).toBe(200);
    return response.json<TelephonyToken>().identity;
  }

  const voiceParams = (identity: string, assignmentId: string, extra: Record<string, string> = {}) => ({
    AccountSid: ORG_TWILIO.accountSid,
    ApplicationSid: ORG_TWILIO.twimlAppSid,
    ApiVersion: '2010-04-01',
    CallSid: `CA${hex(16)}`,
    CallStatus: 'ringing',
    Direction: 'inbound',
    From: `client:${identity}`,
    To: '+46709999999',
    assignmentId,
    ...extra,
  });

  test('dials exactly the held person’s number from the organisation’s caller ID, whatever To says', async () => {
    const assignment = await claim(0, campaignId);
    const identity = await tokenFor(0, assignment.id);
    const params = voiceParams(identity, assignment.id);
    const response = await webhook('/api/telephony/twilio/voice', params);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/xml/);
    const numbers = [...response.body.matchAll(/<Number[^>]*>([^<]*)<\/Number>/g)].map((match) => match[1]);
    expect(numbers).toEqual([assignment.contact.phone]);
    expect(response.body).toContain(`callerId="${ORG_TWILIO.callerId}"`);
    expect(response.body).toContain(`statusCallback="${STATUS_URL}"`);
    expect(response.body).toContain('statusCallbackEvent="initiated ringing answered completed"');
    expect(response.body).not.toContain('+46709999999');
    expect(await callRow(params.CallSid)).toMatchObject({ provider: 'twilio', leaseId: assignment.id, campaignId, callerId: caller(0).user.id, status: 'queued' });
  });

  test('a caller holding nothing, a stranger’s identity or another’s assignment gets a refusal', async () => {
    const mine = await claim(1, campaignId);
    const identity = await tokenFor(1, mine.id);
    const theirs = await claim(2, campaignId);
    await tokenFor(2, theirs.id);
    const cases = [
      voiceParams(identity, theirs.id),
      voiceParams(identity, '00000000-0000-4000-8000-000000000000'),
      voiceParams(`c_${hex(16)}`, mine.id),
      voiceParams(identity, ''),
    ];
    for (const params of cases) {
      const count = await callCount();
      const response = await webhook('/api/telephony/twilio/voice', params);
      expect(response.statusCode).toBe(200);
      expect(response.body).toContain('<Hangup/>');
      expect(response.body).not.toContain('<Dial');
      expect(await callCount()).toBe(count);
    }
  });

  test('a number outside the allowed countries is refused', async () => {
    const assignment = await claim(1, campaignId);
    const identity = await tokenFor(1, assignment.id);
    await t.db.updateTable('campaignContact').set({ phone: '+447700900123' }).where('leaseId', '=', assignment.id).execute();
    const response = await webhook('/api/telephony/twilio/voice', voiceParams(identity, assignment.id));
    expect(response.body).toContain('<Hangup/>');
    expect(response.body).not.toContain('+447700900123');
    await t.app.ctx.calling.release(caller(1).user.id, assignment.id);
  });

  test('unsigned, wrongly signed, signed for another address or altered after signing: 403 and nothing changed', async () => {
    const assignment = await claim(0, campaignId);
    const identity = await tokenFor(0, assignment.id);
    const params = voiceParams(identity, assignment.id);
    const signature = twilio.getExpectedTwilioSignature(ORG_TWILIO.authToken, VOICE_URL, params);
    const forgeries = [
      webhook('/api/telephony/twilio/voice', params, { signature: null }),
      webhook('/api/telephony/twilio/voice', params, { authToken: hex(16) }),
      webhook('/api/telephony/twilio/voice', params, { url: 'https://elsewhere.example/api/telephony/twilio/voice' }),
      webhook('/api/telephony/twilio/voice', { ...params, assignmentId: '00000000-0000-4000-8000-000000000000' }, { signature }),
      webhook('/api/telephony/twilio/voice', { ...params, AccountSid: ENV_TWILIO.accountSid }, { signature }),
      webhook('/api/telephony/twilio/status', { AccountSid: ORG_TWILIO.accountSid, CallSid: params.CallSid, CallStatus: 'completed' }, { url: VOICE_URL }),
    ];
    const count = await callCount();
    for (const response of await Promise.all(forgeries)) {
      expect(response.statusCode).toBe(403);
      expect(errorCode(response)).toBe('invalid_signature');
    }
    expect(await callCount()).toBe(count);
    expect(await callRow(params.CallSid)).toBeUndefined();
  });

  test('statuses move forward only: replayed, out-of-order and after-final callbacks change nothing', async () => {
    const assignment = await claim(0, campaignId);
    const identity = await tokenFor(0, assignment.id);
    const params = voiceParams(identity, assignment.id);
    expect((await webhook('/api/telephony/twilio/voice', params)).statusCode).toBe(200);
    const socket = await connect(caller(0).cookie);
    const seen = statuses(socket);
    const child = `CA${hex(16)}`;
    const status = (callStatus: string, extra: Record<string, string> = {}) =>
      webhook('/api/telephony/twilio/status', { AccountSid: ORG_TWILIO.accountSid, CallSid: child, ParentCallSid: params.CallSid, CallStatus: callStatus, ...extra });

    const answers = [];
    answers.push(await status('initiated'));
    answers.push(await status('ringing'));
    answers.push(await status('in-progress'));
    answers.push(await status('in-progress')); // replayed
    answers.push(await status('ringing')); // late
    expect((await callRow(params.CallSid))?.status).toBe('in-progress');
    answers.push(await status('completed', { CallDuration: '37' }));
    answers.push(await status('completed', { CallDuration: '99' })); // replayed with another figure
    answers.push(await status('busy'));
    answers.push(await status('in-progress'));
    for (const answer of answers) expect(answer.statusCode).toBe(204);
    expect(await callRow(params.CallSid)).toMatchObject({ status: 'completed', durationSeconds: 37 });
    await until(() => seen.length >= 3);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(seen).toEqual([
      { assignmentId: assignment.id, callSid: params.CallSid, status: 'ringing' },
      { assignmentId: assignment.id, callSid: params.CallSid, status: 'in-progress' },
      { assignmentId: assignment.id, callSid: params.CallSid, status: 'completed', durationSeconds: 37 },
    ]);
  });
});

describe('the simulated line', () => {
  test('rings, connects, and ends at hangup with its duration; every status reaches the caller and is recorded', async () => {
    const campaignId = await campaignIn(association, 'simulated');
    const assignment = await claim(1, campaignId);
    const socket = await connect(caller(1).cookie);
    const seen = statuses(socket);
    const response = await t.request('POST', '/api/telephony/simulated/call', { cookie: caller(1).cookie, body: { assignmentId: assignment.id } });
    expect(response.statusCode, response.body).toBe(200);
    const { callSid } = response.json<{ callSid: string }>();
    await until(() => seen.some((event) => event.status === 'in-progress'));
    expect(seen.map((event) => event.status)).toEqual(['ringing', 'in-progress']);
    expect(await callRow(callSid)).toMatchObject({ provider: 'simulated', status: 'in-progress', leaseId: assignment.id });

    // Someone else cannot end it.
    expect((await t.request('POST', '/api/telephony/simulated/hangup', { cookie: caller(0).cookie, body: { callSid } })).statusCode).toBe(404);
    t.clock.advance(42_000);
    const hangup = await t.request('POST', '/api/telephony/simulated/hangup', { cookie: caller(1).cookie, body: { callSid } });
    expect(hangup.json()).toEqual({ status: 'completed', durationSeconds: 42 });
    const repeated = await t.request('POST', '/api/telephony/simulated/hangup', { cookie: caller(1).cookie, body: { callSid } });
    expect(repeated.json()).toEqual({ status: 'completed', durationSeconds: 42 });
    await until(() => seen.length >= 3);
    expect(seen[2]).toEqual({ assignmentId: assignment.id, callSid, status: 'completed', durationSeconds: 42 });
    expect(await callRow(callSid)).toMatchObject({ status: 'completed', durationSeconds: 42 });
  });

  test('only for a held assignment of a simulated campaign; no Twilio token there', async () => {
    const simulated = await campaignIn(association, 'simulated');
    const held = await claim(2, simulated);
    const notHeld = await t.request('POST', '/api/telephony/simulated/call', { cookie: caller(0).cookie, body: { assignmentId: held.id } });
    expect(errorCode(notHeld)).toBe('lease_lost');
    const token = await t.request('POST', '/api/telephony/token', { cookie: caller(2).cookie, body: { assignmentId: held.id } });
    expect(errorCode(token)).toBe('dialing_mismatch');
    await t.app.ctx.calling.release(caller(2).user.id, held.id);

    const viaTwilio = await campaignIn(association, 'twilio');
    const other = await claim(2, viaTwilio);
    const refused = await t.request('POST', '/api/telephony/simulated/call', { cookie: caller(2).cookie, body: { assignmentId: other.id } });
    expect(refused.statusCode).toBe(409);
    expect(errorCode(refused)).toBe('dialing_mismatch');
    await t.app.ctx.calling.release(caller(2).user.id, other.id);
  });
});

describe('Twilio from the environment', () => {
  let envApp: App;
  beforeAll(async () => {
    envApp = await buildApp({ db: t.db, clock: t.clock, publicUrl: t.publicUrl, sessionSecret: 'x'.repeat(40), twilio: ENV_TWILIO });
    await envApp.ready();
  });
  afterAll(() => envApp.close());

  test('organisations without settings of their own use it; its secrets are never shown either', async () => {
    const orgAdmin = await t.newUser([{ org: unconfigured, role: 'admin' }]);
    const cookie = await t.login(orgAdmin);
    const view = await envApp.inject({ method: 'GET', url: `/api/orgs/${unconfigured.id}/telephony`, headers: { cookie } });
    expect(view.json<TelephonySettingsView>()).toMatchObject({ configured: true, source: 'environment', accountSid: ENV_TWILIO.accountSid, hasAuthToken: true, callsPerSecond: 1, maxConcurrentCalls: null });
    expect(view.body).not.toContain(ENV_TWILIO.authToken);
    expect(view.body).not.toContain(ENV_TWILIO.apiSecret);
    // An organisation's own settings still come first.
    const own = await envApp.inject({ method: 'GET', url: `/api/orgs/${association.id}/telephony`, headers: { cookie: adminCookie } });
    expect(own.json<TelephonySettingsView>()).toMatchObject({ source: 'organisation', accountSid: ORG_TWILIO.accountSid });

    const campaignId = await campaignIn(unconfigured, 'twilio');
    const assignment = await claim(0, campaignId);
    const response = await envApp.inject({ method: 'POST', url: '/api/telephony/token', headers: { cookie: caller(0).cookie, origin: t.origin }, payload: { assignmentId: assignment.id } });
    expect(response.statusCode, response.body).toBe(200);
    const { token, identity } = response.json<TelephonyToken>();
    expect(decodeJwt(token, ENV_TWILIO.apiSecret).grants.voice?.outgoing?.application_sid).toBe(ENV_TWILIO.twimlAppSid);

    // The environment's account signs its webhooks with its own auth token; a Danish organisation may call +45.
    const params = { AccountSid: ENV_TWILIO.accountSid, CallSid: `CA${hex(16)}`, From: `client:${identity}`, To: '+4512345678', assignmentId: assignment.id };
    const voice = await envApp.inject({
      method: 'POST',
      url: '/api/telephony/twilio/voice',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilio.getExpectedTwilioSignature(ENV_TWILIO.authToken, VOICE_URL, params) },
      payload: new URLSearchParams(params).toString(),
    });
    expect(voice.statusCode, voice.body).toBe(200);
    expect(voice.body).toContain(`callerId="${ENV_TWILIO.callerId}"`);
    expect([...voice.body.matchAll(/<Number[^>]*>([^<]*)<\/Number>/g)].map((match) => match[1])).toEqual([assignment.contact.phone]);
    await t.app.ctx.calling.release(caller(0).user.id, assignment.id);
  });
});
