// PostgreSQL goes away and comes back under load, as in a restart, a minor upgrade or a failover:
// two real server processes on one database, 20 real socket.io callers saving calls and resending
// unacknowledged saves under their keys (as the web app's outbox does). The cluster is the test's own
// (stopping the shared test cluster would stop every other test file), on a fixed port across the restart.
import { randomUUID } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { freePort } from '../../db/database';
import { EmbeddedPostgres } from '../../db/embedded';
import { migrateToLatest } from '../../db/migrate';
import { createDatabase } from '../../db/database';
import { startServer, stopServer } from '../../scripts/bench/server-process';
import type { Assignment } from '../src/contract/realtime';
import { ask, connectAt, signInAt, type Client } from './ask';
import { PASSWORD, TestContext, type TestUser } from './harness';

const CALLERS = 20;
const SESSION_SECRET = 'r'.repeat(40);

let workDir: string;
let postgres: EmbeddedPostgres;
let t: TestContext;
const servers: { child: ChildProcess; url: string; output: string[] }[] = [];
const sockets: Client[] = [];
let org: { id: string };
let organizer: TestUser;
const callers: TestUser[] = [];
let campaignId: string;

beforeAll(async () => {
  workDir = await mkdtemp(path.join(os.tmpdir(), 'ringa-restart-'));
  postgres = new EmbeddedPostgres({
    dir: path.join(workDir, 'postgres'),
    port: await freePort(),
    password: 'restart-test',
    user: 'postgres',
    settings: ['fsync=off'],
    ownProcessGroup: false,
  });
  await postgres.initialise();
  await postgres.start();
  const admin = new pg.Client({ host: '127.0.0.1', port: postgres.options.port, user: 'postgres', password: 'restart-test', database: 'postgres' });
  await admin.connect();
  await admin.query('create database ringa');
  await admin.end();
  const url = `postgres://postgres:restart-test@127.0.0.1:${postgres.options.port}/ringa`;
  const migrating = createDatabase(url, { max: 1 });
  await migrateToLatest(migrating);
  await migrating.destroy();

  // Seeded in this process, on the real clock (the servers run on it).
  t = await TestContext.create({ databaseUrl: url, now: new Date() });
  org = await t.newOrg({ name: 'Ringkväll', country: 'SE' });
  organizer = await t.newUser([{ org, role: 'organizer' }]);
  for (let i = 0; i < CALLERS; i++) callers.push(await t.newUser([{ org, role: 'caller' }]));
  campaignId = await t.newOpenCampaign(org, organizer, { people: 2_000, firstNumber: 6_000_000 });

  for (let i = 0; i < 2; i++) {
    const output: string[] = [];
    const started = await startServer(url, SESSION_SECRET, workDir, (line) => output.push(line));
    servers.push({ ...started, output });
  }
}, 180_000);

afterAll(async () => {
  for (const socket of sockets) socket.disconnect();
  for (const server of servers) await stopServer(server.child);
  await t?.close();
  await postgres?.stop();
  await rm(workDir, { recursive: true, force: true });
});

const signIn = (server: { url: string }, user: TestUser) => signInAt(server.url, user.email, PASSWORD);

async function connect(server: { url: string }, cookie: string): Promise<Client> {
  const socket = await connectAt(server.url, cookie);
  sockets.push(socket);
  return socket;
}

const status = async (url: string) => (await fetch(url).catch(() => undefined))?.status;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('PostgreSQL restarts under 20 callers on two processes: nobody exits, 503 while it is away, serving again within 5 s, every acknowledged save once, broadcasts again', async () => {
  const acknowledged = new Set<string>();
  const refusals = new Map<string, number>();
  let stopCalling = false;

  /** A caller as the web app's outbox behaves: a save goes again under its key until the server answers it. */
  async function call(caller: number): Promise<void> {
    const server = servers[caller % 2] as (typeof servers)[number];
    const socket = await connect(server, await signIn(server, callers[caller] as TestUser));
    for (;;) {
      const joined = await ask(socket, 'campaign:join', { campaignId });
      if (joined.ok) break;
      await sleep(300);
    }
    let current: Assignment | null = null;
    while (!stopCalling) {
      if (!current) {
        const next = await ask(socket, 'contact:next', { campaignId }).catch(() => undefined);
        if (next?.ok) current = next.data.assignment ?? null;
        else if (next) refusals.set(next.error.code, (refusals.get(next.error.code) ?? 0) + 1);
        if (!current) await sleep(200);
        continue;
      }
      const request = { assignmentId: current.id, key: randomUUID(), outcome: 'no-answer', answers: {}, next: true };
      for (;;) {
        const answer = await ask(socket, 'call:complete', request, 5_000).catch(() => undefined);
        if (answer?.ok) {
          acknowledged.add(request.key);
          current = answer.data.next ?? null;
          break;
        }
        if (answer) refusals.set(answer.error.code, (refusals.get(answer.error.code) ?? 0) + 1);
        if (answer && answer.error.code !== 'database_unavailable' && answer.error.code !== 'rate_limited') throw new Error(`save refused: ${answer.error.code}`);
        await sleep(250);
      }
      await sleep(100);
    }
  }

  const calling = Promise.all(Array.from({ length: CALLERS }, (_, caller) => call(caller)));
  // Everyone signed in (argon2 takes its time) and calling.
  const deadline = Date.now() + 60_000;
  while (acknowledged.size < 3 * CALLERS && Date.now() < deadline) await sleep(200);
  const beforeRestart = acknowledged.size;
  expect(beforeRestart).toBeGreaterThanOrEqual(3 * CALLERS);

  const spareCookie = await signIn(servers[0] as (typeof servers)[number], organizer);
  await postgres.stop();
  const stoppedAt = Date.now();
  // While it is away: alive, not ready, and the saves are answered as an outage.
  await sleep(1_500);
  for (const server of servers) {
    expect(await status(`${server.url}/api/health`)).toBe(200);
    expect(await status(`${server.url}/api/ready`)).toBe(503);
  }
  // A socket that connects meanwhile is told the database is away, not that its session is gone (at which the web app would stop trying).
  await expect(connectAt(servers[0]?.url ?? '', spareCookie)).rejects.toThrow('database_unavailable');
  const login = await fetch(`${servers[0]?.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: servers[0]?.url ?? '' },
    body: JSON.stringify({ email: organizer.email, password: PASSWORD }),
  });
  expect(login.status).toBe(503);
  expect(((await login.json()) as { error: { code: string } }).error.code).toBe('database_unavailable');
  await sleep(Math.max(0, 3_000 - (Date.now() - stoppedAt)));

  await postgres.start();
  const restartedAt = Date.now();
  for (const server of servers) {
    while ((await status(`${server.url}/api/ready`)) !== 200) {
      expect(Date.now() - restartedAt, 'ready again within 5 s').toBeLessThan(5_000);
      await sleep(100);
    }
  }
  const readyAfterMs = Date.now() - restartedAt;

  // Saves go on after the restart.
  const atRestart = acknowledged.size;
  await sleep(5_000);
  stopCalling = true;
  await calling;
  expect(acknowledged.size).toBeGreaterThan(atRestart + 20);
  expect(refusals.get('database_unavailable') ?? 0, 'the outage was seen by the callers').toBeGreaterThan(0);
  expect(refusals.get('internal') ?? 0).toBe(0);

  // Every acknowledged save exactly once, and nothing that was not acknowledged.
  const saved = await t.db.selectFrom('call').select('idempotencyKey').where('campaignId', '=', campaignId).execute();
  expect(saved.length).toBe(acknowledged.size);
  expect(new Set(saved.map((row) => row.idempotencyKey))).toEqual(acknowledged);

  // Broadcasts between the processes work again: signing out through one cuts a socket held by the other.
  const cookie = await signIn(servers[0] as (typeof servers)[number], organizer);
  const other = await connect(servers[1] as (typeof servers)[number], cookie);
  const cut = new Promise<string>((resolve) => other.once('disconnect', (reason) => resolve(reason)));
  const out = await fetch(`${servers[0]?.url}/api/auth/logout`, { method: 'POST', headers: { cookie, origin: servers[0]?.url ?? '' } });
  expect(out.status).toBeLessThan(300);
  expect(await Promise.race([cut, sleep(10_000).then(() => 'not cut within 10 s')])).toBe('io server disconnect');

  // No process exited, and none logged a crash.
  for (const server of servers) {
    expect(server.child.exitCode).toBeNull();
    expect(server.output.join('\n')).not.toMatch(/Unhandled|uncaught/i);
  }
  console.log(JSON.stringify({ saves_before: beforeRestart, saves: acknowledged.size, ready_after_ms: readyAfterMs, outage_answers: refusals.get('database_unavailable') }));
}, 120_000);
