// GET /metrics as Prometheus scrapes it: refused without METRICS_TOKEN's bearer token and with a wrong
// one, absent when no token is set, served with it; a call saved over socket.io moves the saves
// counter; no label holds an id, an e-mail address or a phone number.
import { randomUUID } from 'node:crypto';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { buildApp, type App } from '../src/app';
import type { Ack, CompleteAnswer, NextAnswer } from '../src/contract/realtime';
import { changeStatus, createCampaign } from '../src/modules/campaigns/campaigns.service';
import { ALWAYS_WINDOW } from '../src/modules/campaigns/outcomes';
import { ask, type Client } from './ask';
import { errorCode, PASSWORD, sessionCookie, TestContext, type TestUser } from './harness';
import { listImport } from './multipart';

const TOKEN = 'metrics-token-0123456789abcdef';
let t: TestContext;
/** The app Prometheus scrapes: on the test file's database, with METRICS_TOKEN set. */
let m: App;
let url: string;
let org: { id: string };
let organizer: TestUser;
let caller: TestUser;
let campaignId: string;
const sockets: Client[] = [];

beforeAll(async () => {
  t = await TestContext.create();
  m = await buildApp({ db: t.db, clock: t.clock, publicUrl: t.publicUrl, sessionSecret: 'm'.repeat(40), metricsToken: TOKEN });
  url = await m.listen({ port: 0, host: '127.0.0.1' });
  org = await t.newOrg({ name: 'S-föreningen Centrum', kind: 'association', country: 'SE' });
  organizer = await t.newUser([{ org, role: 'organizer' }], { email: 'kim.organizer@example.org' });
  caller = await t.newUser([{ org, role: 'caller' }], { email: 'anna.caller@example.org' });
  const cookie = await t.login(organizer);
  const body = listImport({ name: 'Lista' }, { field: 'file', filename: 'lista.csv', content: 'Förnamn;Efternamn;Mobil\r\nBo;Berg;0701234567\r\nCia;Ek;0707654321\r\n' });
  const list = await t.request('POST', `/api/orgs/${org.id}/lists`, { cookie, body: body.payload, headers: { 'content-type': body.contentType } });
  expect(list.statusCode, list.body).toBe(202);
  await t.app.ctx.importer.wait(list.json<{ id: string }>().id);
  const group = await t.request('POST', `/api/orgs/${org.id}/target-groups`, { cookie, body: { name: 'Alla', listIds: [list.json<{ id: string }>().id], filters: [] } });
  const campaign = await createCampaign(t.db, t.clock, organizer.id, org.id, {
    name: 'Höstkampanjen',
    callingWindow: ALWAYS_WINDOW,
    dialing: 'own-phone',
    script: 'Hej {first_name}!',
    targetGroupIds: [group.json<{ id: string }>().id],
  });
  await changeStatus(t.db, t.clock, organizer.id, campaign.id, 'active');
  campaignId = campaign.id;
});
afterAll(async () => {
  for (const socket of sockets) socket.disconnect();
  await m.close();
  await t.close();
});

function scrape(authorization?: string) {
  return m.inject({ method: 'GET', url: '/metrics', headers: authorization === undefined ? {} : { authorization } });
}

/** The value of a sample (name and labels as printed), or undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

async function login(user: TestUser): Promise<string> {
  const response = await m.inject({ method: 'POST', url: '/api/auth/login', headers: { origin: t.origin }, payload: { email: user.email, password: PASSWORD } });
  expect(response.statusCode, response.body).toBe(200);
  return sessionCookie(response);
}

function data<T>(answer: Ack<T>): T {
  if (!answer.ok) throw new Error(`${answer.error.code}: ${answer.error.message}`);
  return answer.data;
}

test('without METRICS_TOKEN /metrics is not served; without the token or with a wrong one it is refused, saying how to send it', async () => {
  const absent = await t.request('GET', '/metrics');
  expect(absent.statusCode).toBe(404);
  expect(errorCode(absent)).toBe('not_found');

  for (const authorization of [undefined, '', `Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(0, -1)}`, 'Bearer wrong', TOKEN, `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}`]) {
    const refused = await scrape(authorization);
    expect(refused.statusCode, String(authorization)).toBe(401);
    expect(errorCode(refused)).toBe('unauthenticated');
    expect(refused.headers['www-authenticate']).toBe('Bearer realm="ringa-metrics"');
    expect(refused.body).not.toContain('ringa_');
  }
});

test('served with the token: a call saved over socket.io moves the saves and claims, with their latency, and no label names a person', async () => {
  const cookie = await login(caller);
  const socket: Client = io(url, { path: '/socket.io', transports: ['websocket'], extraHeaders: { cookie, origin: t.origin }, reconnection: false, forceNew: true });
  sockets.push(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  // A request to a route with an id in its URL, answered 200, and one to an address with no route.
  const organizerCookie = await login(organizer);
  expect((await m.inject({ method: 'GET', url: `/api/orgs/${org.id}/stats`, headers: { cookie: organizerCookie } })).statusCode).toBe(200);
  expect((await m.inject({ method: 'GET', url: `/api/nothing/${org.id}` })).statusCode).toBe(404);

  const before = await scrape(`Bearer ${TOKEN}`);
  expect(before.statusCode, before.body).toBe(200);
  expect(before.headers['content-type']).toContain('text/plain; version=0.0.4');
  expect(sample(before.body, 'ringa_saves_total{result="saved"}') ?? 0).toBe(0);
  expect(sample(before.body, 'ringa_sockets_connected')).toBe(1);

  data(await ask(socket, 'campaign:join', { campaignId }));
  const { assignment } = data<NextAnswer>(await ask(socket, 'contact:next', { campaignId }));
  if (!assignment) throw new Error('nobody to call');
  data<CompleteAnswer>(await ask(socket, 'call:complete', { assignmentId: assignment.id, key: randomUUID(), outcome: 'conversation', answers: {}, notes: 'Ring igen på 0701234567', next: true }));
  // A save of a lease no longer held is refused, and counted as such.
  const refused = await ask(socket, 'call:complete', { assignmentId: assignment.id, key: randomUUID(), outcome: 'busy', answers: {} });
  expect(refused.ok).toBe(false);

  const after = await scrape(`bearer ${TOKEN}`); // the scheme in any case, as HTTP has it
  expect(after.statusCode).toBe(200);
  const text = after.body;
  expect(sample(text, 'ringa_saves_total{result="saved"}')).toBe(1);
  expect(sample(text, 'ringa_saves_total{result="refused"}')).toBe(1);
  expect(sample(text, 'ringa_claims_total{result="assigned"}')).toBe(2); // contact:next, and the next person with the save
  expect(sample(text, 'ringa_claim_duration_seconds_count')).toBe(1);
  expect(sample(text, 'ringa_save_duration_seconds_count')).toBe(2);
  expect(sample(text, 'ringa_save_duration_seconds_sum')).toBeGreaterThan(0);
  expect(sample(text, 'ringa_sockets_connected')).toBe(1);
  expect(sample(text, 'ringa_list_imports_running')).toBe(0);
  expect(sample(text, 'ringa_db_pool_connections{state="in_use"}')).toBeGreaterThanOrEqual(0);
  expect(sample(text, 'ringa_db_pool_connections{state="idle"}')).toBeGreaterThan(0);
  expect(sample(text, 'ringa_db_pool_waiting')).toBe(0);
  expect(sample(text, 'ringa_stats_pending_changes')).toBeGreaterThanOrEqual(0);
  expect(sample(text, 'ringa_stats_seconds_since_fold')).toBeLessThan(5);
  expect(sample(text, 'process_resident_memory_bytes')).toBeGreaterThan(0);
  // Requests by route pattern, never by URL.
  expect(sample(text, 'ringa_http_request_duration_seconds_count{method="GET",route="/api/orgs/:orgId/stats",status="200"}')).toBe(1);
  expect(sample(text, 'ringa_http_request_duration_seconds_count{method="GET",route="(no route)",status="404"}')).toBe(1);

  // No label value is an id, an e-mail address, a phone number or a name of this test's people.
  const values = [...text.matchAll(/\w+="((?:[^"\\]|\\.)*)"/g)].map((match) => match[1] ?? '');
  expect(values.length).toBeGreaterThan(50);
  const personal = [org.id, campaignId, assignment.id, caller.id, organizer.id, caller.email, organizer.email, caller.name, '0701234567', '+46701234567', '+46707654321'];
  for (const value of values) {
    expect(value).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/i);
    expect(value).not.toMatch(/@/);
    expect(value).not.toMatch(/\d{6,}/);
    for (const item of personal) expect(value).not.toContain(item);
  }
  for (const item of personal) expect(text).not.toContain(item);
});
