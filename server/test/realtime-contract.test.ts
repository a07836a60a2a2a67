// The socket contract (contract/realtime.ts) is derived from TypeBox schemas in the modules: what the
// server really sends must fit them, or the web app's types say one thing and the wire another. A
// caller and an organizer go through every answer and every event the server sends on its own, each
// checked against its schema.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { io } from 'socket.io-client';
import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import type { Ack } from '../src/contract/realtime';
import * as Calling from '../src/modules/calling/calling.schemas';
import { LEASE_MS } from '../src/modules/calling/calling.service';
import * as Lists from '../src/modules/lists/lists.schemas';
import * as Stats from '../src/modules/stats/stats.schemas';
import { ask, type Client } from './ask';
import { TestContext, type TestUser } from './harness';

let t: TestContext;
let url: string;
let organisation: { id: string };
let organizer: TestUser;
let caller: TestUser;
const opened: Client[] = [];

beforeAll(async () => {
  t = await TestContext.create();
  url = await t.app.listen({ port: 0, host: '127.0.0.1' });
  organisation = await t.newOrg({ name: 'S-föreningen Kontraktet', kind: 'association', country: 'SE' });
  organizer = await t.newUser([{ org: organisation, role: 'organizer' }]);
  caller = await t.newUser([{ org: organisation, role: 'caller' }]);
});
afterAll(async () => {
  for (const socket of opened) socket.disconnect();
  await t.close();
});

async function connect(user: TestUser): Promise<Client> {
  const socket: Client = io(url, { path: '/socket.io', transports: ['websocket'], extraHeaders: { cookie: await t.login(user), origin: t.origin }, reconnection: false, forceNew: true });
  opened.push(socket);
  await new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(null));
    socket.once('connect_error', reject);
  });
  return socket;
}

/** The answer's data, which must fit the schema (the first misfit is named). */
function fits<T>(schema: TSchema, answer: Ack<T>): T {
  if (!answer.ok) throw new Error(`${answer.error.code}: ${answer.error.message}`);
  expect([...Compile(schema).Errors(answer.data)].map((error) => `${error.instancePath} ${error.message}`)).toEqual([]);
  return answer.data;
}

function fitsEvent(schema: TSchema, event: unknown): void {
  expect([...Compile(schema).Errors(event)].map((error) => `${error.instancePath} ${error.message}`)).toEqual([]);
}

/** The next `event` the socket hears, within 5 s. */
function heard(socket: Client, event: 'list:progress' | 'campaign:stats' | 'stats:changed' | 'assignment:revoked'): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} within 5 s`)), 5000);
    (socket as unknown as { once(event: string, listener: (payload: unknown) => void): void }).once(event, (payload) => {
      clearTimeout(timer);
      resolve(payload);
    });
  });
}

test('every answer and event of a calling evening fits its schema', async () => {
  const watcher = await connect(organizer);
  expect((await ask(watcher, 'lists:watch', { organisationId: organisation.id })).ok).toBe(true);
  expect((await ask(watcher, 'stats:watch', { organisationId: organisation.id })).ok).toBe(true);
  const progress: unknown[] = [];
  watcher.on('list:progress', (event) => progress.push(event));
  const campaignId = await t.newOpenCampaign(organisation, organizer, { people: 4, firstNumber: 4_300_000 });
  expect(progress.length).toBeGreaterThan(0);
  for (const event of progress) fitsEvent(Lists.ListProgressEvent, event);
  expect(progress.at(-1)).toMatchObject({ phase: 'ready', rowsRead: 4 });

  fits(Calling.CampaignStatsEvent, await ask(watcher, 'campaign:watch', { campaignId }));

  const socket = await connect(caller);
  const joined = fits(Calling.JoinAnswer, await ask(socket, 'campaign:join', { campaignId }));
  expect(joined.opening).toEqual({ closed: null, opensAt: null });
  const first = fits(Calling.NextAnswer, await ask(socket, 'contact:next', { campaignId }));
  if (!first.assignment) throw new Error('nobody to call');
  expect(first.assignment.contact.history).toEqual([]);

  const stats = heard(watcher, 'campaign:stats');
  const changed = heard(watcher, 'stats:changed');
  const saved = fits(
    Calling.CompleteAnswer,
    await ask(socket, 'call:complete', { assignmentId: first.assignment.id, key: 'contract-1', outcome: 'no-answer', answers: {}, next: true }),
  );
  expect(saved.next).not.toBeNull();
  fitsEvent(Calling.CampaignStatsEvent, await stats);
  fitsEvent(Stats.StatsChangedEvent, await changed);
  fits(Calling.CorrectAnswer, await ask(socket, 'call:correct', { callId: saved.callId, outcome: 'busy', answers: {} }));

  const held = saved.next;
  if (!held) throw new Error('no next person');
  const skipped = fits(Calling.SkipAnswer, await ask(socket, 'contact:skip', { assignmentId: held.id, reason: 'knows-person' }));
  if (!skipped.next) throw new Error('no one after the skip');

  // The lease runs out (no heartbeat moved it on): the caller is told.
  const revoked = heard(socket, 'assignment:revoked');
  t.clock.advance(LEASE_MS + 1000);
  await t.app.ctx.calling.reap();
  const event = await revoked;
  fitsEvent(Calling.RevokedEvent, event);
  expect(event).toEqual({ assignmentId: skipped.next.id, reason: 'expired' });
});
