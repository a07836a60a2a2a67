// 200 real socket.io callers on one campaign, claiming and saving at random, giving people back,
// dropping their connection and coming back, and sending saves twice; the clock moves on between
// rounds so that retries come due. Afterwards the saved calls are checked against the rules: no
// person was held by two callers at once, every acknowledged call is saved exactly once, the
// maximum attempts and the hours between retries held, and no number was called after its do-not-call.
// Then all of it again with two servers on the one database, as behind a load balancer: callers are
// spread over both, and one who drops comes back through the other.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { io } from 'socket.io-client';
import type { Ack, Assignment, CompleteAnswer, NextAnswer, RevokedEvent } from '../src/contract/realtime';
import { changeStatus, createCampaign } from '../src/modules/campaigns/campaigns.service';
import { ALWAYS_WINDOW } from '../src/modules/campaigns/outcomes';
import { ask, type Client } from './ask';
import type { App } from '../src/app';
import { TestContext, type TestUser } from './harness';
import { listImport } from './multipart';

const CALLERS = 200;
const PEOPLE = 400;
const ROUNDS = 4;
const WAIT_MS = 15_000;

let t: TestContext;
/** The servers' addresses: the test context's app, and another on the same database. */
let servers: string[] = [];
let second: App;
let org: { id: string };
let organizer: TestUser;
const sockets: Client[] = [];

/** mulberry32: the same run every time. */
let seed = 7;
function random(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
  return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
}

beforeAll(async () => {
  t = await TestContext.create({ shareBroadcasts: true });
  const another = await t.anotherServer();
  second = another.app;
  servers = [await t.app.listen({ port: 0, host: '127.0.0.1' }), another.url];
  org = await t.newOrg({ name: 'Ringkväll', country: 'SE' });
  organizer = await t.newUser([{ org, role: 'organizer' }]);
  for (let i = 0; i < CALLERS; i++) users.push(await t.newUser([{ org, role: 'caller' }]));
}, 120_000);
afterAll(async () => {
  for (const socket of sockets) socket.disconnect();
  await t.close();
});

let callerCookies: string[] = [];
const users: TestUser[] = [];

/** A campaign of PEOPLE people whose numbers start at 070-`first`. */
async function campaignOf(first: number): Promise<string> {
  const cookie = await t.login(organizer);
  const rows = Array.from({ length: PEOPLE }, (_, i) => `P${i};070${String(first + i)}`).join('\r\n');
  const body = listImport({ name: `Alla ${first}` }, { field: 'file', filename: 'alla.csv', content: `Förnamn;Mobil\r\n${rows}\r\n` });
  const imported = await t.request('POST', `/api/orgs/${org.id}/lists`, { cookie, body: body.payload, headers: { 'content-type': body.contentType } });
  await t.app.ctx.importer.wait(imported.json<{ id: string }>().id);
  const group = await t.request('POST', `/api/orgs/${org.id}/target-groups`, { cookie, body: { name: `Alla ${first}`, listIds: [imported.json<{ id: string }>().id], filters: [] } });
  const campaign = await createCampaign(t.db, t.clock, organizer.id, org.id, { name: `Ringkväll ${first}`, callingWindow: ALWAYS_WINDOW, targetGroupIds: [group.json<{ id: string }>().id] });
  await changeStatus(t.db, t.clock, organizer.id, campaign.id, 'active');
  return campaign.id;
}

async function connect(url: string, cookie: string, campaignId: string): Promise<Client> {
  const socket: Client = io(url, { path: '/socket.io', transports: ['websocket'], extraHeaders: { cookie, origin: t.origin }, reconnection: false, forceNew: true, timeout: WAIT_MS });
  sockets.push(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  const joined = await ask(socket, 'campaign:join', { campaignId });
  if (!joined.ok) throw new Error(joined.error.code);
  return socket;
}

function data<T>(answer: Ack<T>): T {
  if (!answer.ok) throw new Error(`${answer.error.code}: ${answer.error.message}`);
  return answer.data;
}

const OUTCOMES = ['no-answer', 'no-answer', 'busy', 'voicemail', 'conversation', 'refused', 'wrong-number', 'do-not-call'];

test.each([
  { servers: 1, first: 4_000_000 },
  { servers: 2, first: 5_000_000 },
])(
  `${CALLERS} callers at once on $servers server(s): never one person with two callers, every acknowledged call saved once, the rules kept`,
  async ({ servers: serverCount, first }) => {
    const campaignId = await campaignOf(first);
    callerCookies = await Promise.all(users.map((user) => t.login(user)));
    /** Callers are spread over the servers; each reconnect goes to the next one. */
    const serverOf = (caller: number, connection: number) => servers[(caller + connection) % serverCount] as string;
    /** Who holds each person, as the answers told the callers. */
    const holder = new Map<number, number>();
    const violations: string[] = [];
    const acknowledged = new Map<string, string>(); // key → callId
    let resent = 0;
    let reconnects = 0;

    const take = (caller: number, assignment: Assignment | null | undefined) => {
      if (!assignment) return;
      const current = holder.get(assignment.contact.id);
      if (current !== undefined && current !== caller) violations.push(`person ${assignment.contact.id} given to ${caller} while ${current} held them`);
      holder.set(assignment.contact.id, caller);
    };
    const drop = (caller: number, assignment: Assignment) => {
      if (holder.get(assignment.contact.id) === caller) holder.delete(assignment.contact.id);
    };

    async function work(caller: number): Promise<void> {
      let connection = 0;
      let socket = await connect(serverOf(caller, connection), callerCookies[caller] as string, campaignId);
      let current = (data<NextAnswer>(await ask(socket, 'contact:next', { campaignId }))).assignment;
      take(caller, current);
      for (let step = 0; step < 6 && current; step++) {
        const roll = random();
        if (roll < 0.1) {
          // Gives the person back.
          const held: Assignment = current;
          drop(caller, held);
          data(await ask(socket, 'contact:release', { assignmentId: held.id }));
          current = data<NextAnswer>(await ask(socket, 'contact:next', { campaignId })).assignment;
          take(caller, current);
          continue;
        }
        if (roll < 0.2) {
          // The connection drops; the caller comes back and gets the same person.
          socket.disconnect();
          reconnects += 1;
          connection += 1;
          socket = await connect(serverOf(caller, connection), callerCookies[caller] as string, campaignId);
          const back = data<NextAnswer>(await ask(socket, 'contact:next', { campaignId })).assignment;
          if (back?.id !== current.id) violations.push(`caller ${caller} came back to ${back?.id ?? 'nobody'} instead of ${current.id}`);
          continue;
        }
        const held: Assignment = current;
        const key = randomUUID();
        const request = { assignmentId: held.id, key, outcome: OUTCOMES[Math.floor(random() * OUTCOMES.length)] as string, answers: {}, next: true };
        // The holder is cleared before the save: once it commits, the person may go to anyone.
        drop(caller, held);
        const saved = data<CompleteAnswer>(await ask(socket, 'call:complete', request));
        acknowledged.set(key, saved.callId);
        if (random() < 0.2) {
          // The answer did not arrive (as the client sees it): the same save again.
          resent += 1;
          const again = data<CompleteAnswer>(await ask(socket, 'call:complete', request));
          if (again.callId !== saved.callId) violations.push(`key ${key} saved twice`);
          if (again.next?.id !== saved.next?.id) violations.push(`key ${key} answered with another next person`);
        }
        current = saved.next ?? null;
        take(caller, current);
      }
      if (current) {
        drop(caller, current);
        data(await ask(socket, 'contact:release', { assignmentId: current.id }));
      }
      socket.disconnect();
    }

    for (let round = 0; round < ROUNDS; round++) {
      await Promise.all(Array.from({ length: CALLERS }, (_, caller) => work(caller)));
      // Retries come due after 4 hours.
      t.clock.advance(5 * 3_600_000);
      for (const socket of sockets) socket.disconnect();
      // Sessions idle for longer than 8 hours end: sign in again for the next round.
      callerCookies = await Promise.all(users.map((user) => t.login(user)));
    }

    expect(violations).toEqual([]);
    expect(resent).toBeGreaterThan(50);
    expect(reconnects).toBeGreaterThan(50);

    const calls = await t.db.selectFrom('call').selectAll().where('campaignId', '=', campaignId).orderBy('createdAt').execute();
    // Every acknowledged call exactly once, and no call that was not acknowledged.
    expect(calls.length).toBe(acknowledged.size);
    expect(new Set(calls.map((call) => call.idempotencyKey))).toEqual(new Set(acknowledged.keys()));
    for (const call of calls) expect(acknowledged.get(call.idempotencyKey)).toBe(call.id);
    // One call per lease: no lease was used twice.
    expect(new Set(calls.map((call) => call.leaseId)).size).toBe(calls.length);

    const byPerson = new Map<number, typeof calls>();
    for (const call of calls) byPerson.set(call.personId as number, [...(byPerson.get(call.personId as number) ?? []), call]);
    for (const [personId, personCalls] of byPerson) {
      expect(personCalls.length, `person ${personId}`).toBeLessThanOrEqual(3);
      for (let i = 1; i < personCalls.length; i++) {
        const before = personCalls[i - 1] as (typeof calls)[number];
        const after = personCalls[i] as (typeof calls)[number];
        // Only a retry outcome lets a person be called again, and not before 4 hours.
        expect(['no-answer', 'busy', 'voicemail'], `person ${personId}`).toContain(before.outcome);
        expect(new Date(after.createdAt).getTime() - new Date(before.createdAt).getTime()).toBeGreaterThanOrEqual(4 * 3_600_000);
      }
    }
    // After a do-not-call, that number was never called again, and it is on the register.
    const objections = calls.filter((call) => call.outcome === 'do-not-call');
    expect(objections.length).toBeGreaterThan(10);
    const register = await t.db.selectFrom('doNotCall').select('phone').execute();
    const phones = new Map((await t.db.selectFrom('person').select(['id', 'phone']).execute()).map((person) => [person.id, person.phone]));
    // No number was called after it went on the register (in this campaign or the one before).
    const objectedAt = new Map(objections.map((call) => [phones.get(call.personId as number), new Date(call.createdAt).getTime()]));
    for (const call of calls) {
      const at = objectedAt.get(phones.get(call.personId as number));
      if (at !== undefined) expect(new Date(call.createdAt).getTime()).toBeLessThanOrEqual(at);
    }
    for (const objection of objections) expect(register.map((entry) => entry.phone)).toContain(phones.get(objection.personId as number));
    // Nobody is held once every caller has given their person back.
    const held = await t.db.selectFrom('campaignContact').select('personId').where('campaignId', '=', campaignId).where('state', '=', 'held').execute();
    expect(held).toEqual([]);
  },
  240_000,
);


test('between the servers: a lease revoked on one reaches its caller on the other; callers online count both; signing out on one cuts the socket on the other', async () => {
  const campaignId = await campaignOf(6_000_000);
  const callerCookie = await t.login(users[0] as TestUser);
  const caller = await connect(servers[0] as string, callerCookie, campaignId);
  const held = data<NextAnswer>(await ask(caller, 'contact:next', { campaignId })).assignment as Assignment;
  const organizerCookie = await t.login(organizer);
  const watcher: Client = io(servers[1] as string, { path: '/socket.io', transports: ['websocket'], extraHeaders: { cookie: organizerCookie, origin: t.origin }, reconnection: false, forceNew: true });
  sockets.push(watcher);
  expect(await ask(watcher, 'campaign:watch', { campaignId })).toMatchObject({ ok: true, data: { callersOnline: 1 } });

  const revoked = new Promise<RevokedEvent>((resolve) => caller.on('assignment:revoked', resolve));
  const added = await second.inject({ method: 'POST', url: `/api/orgs/${org.id}/do-not-call`, headers: { cookie: organizerCookie, origin: t.origin }, payload: { phone: held.contact.phone } });
  expect(added.statusCode, added.body).toBe(201);
  expect(await revoked).toEqual({ assignmentId: held.id, reason: 'do-not-call' });

  const cut = new Promise<void>((resolve) => caller.once('disconnect', () => resolve()));
  const loggedOut = await second.inject({ method: 'POST', url: '/api/auth/logout', headers: { cookie: callerCookie, origin: t.origin } });
  expect(loggedOut.statusCode).toBeLessThan(300);
  await cut;
});
