// Backup and restore as an operator uses them: callers save calls over socket.io while a backup is
// taken from the running app; the backup goes into a new empty database and, through the command
// line, into a fresh DATA_DIR with its own embedded PostgreSQL; the restored servers have the same
// people, calls and figures and sign in the same users. A non-empty target and a damaged file are
// refused and change nothing.
import { spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { inject } from 'vitest';
import { BackupError, backupDatabase, restoreDatabase } from '../../db/backup';
import { applicationDatabaseUrl, createDatabase, rawClient, startCluster, withDatabase, type Database } from '../../db/database';
import { buildApp, type App } from '../src/app';
import type { Ack, CompleteAnswer, NextAnswer } from '../src/contract/realtime';
import { changeStatus, createCampaign } from '../src/modules/campaigns/campaigns.service';
import { ALWAYS_WINDOW } from '../src/modules/campaigns/outcomes';
import { ask, type Client } from './ask';
import { PASSWORD, root, sessionCookie, TestContext, type TestUser } from './harness';
import { listImport } from './multipart';

let t: TestContext;
let url: string;
let workDir: string;
let district: { id: string };
let organizer: TestUser;
const callers: TestUser[] = [];
const campaignIds: string[] = [];
const sockets: Client[] = [];
const dataDirs: string[] = [];
const OUTCOMES = ['no-answer', 'busy', 'conversation', 'refused', 'callback', 'wrong-number'] as const;

beforeAll(async () => {
  t = await TestContext.create();
  url = await t.app.listen({ port: 0, host: '127.0.0.1' });
  workDir = await mkdtemp(path.join(os.tmpdir(), 'ringa-backup-'));
  district = await t.newOrg({ name: 'Distriktet', kind: 'district', country: 'SE' });
  const north = await t.newOrg({ parent: district, name: 'Norra kommunen', kind: 'municipality' });
  const centrum = await t.newOrg({ parent: north, name: 'S-föreningen Centrum' });
  organizer = await t.newUser([{ org: district, role: 'organizer' }]);
  for (let i = 0; i < 3; i++) callers.push(await t.newUser([{ org: district, role: 'caller' }]));
  campaignIds.push(await campaignIn(centrum, 'Centrum'), await campaignIn(north, 'Norra'));
  for (const caller of callers) sockets.push(await connect(await t.login(caller)));
});
afterAll(async () => {
  for (const socket of sockets) socket.disconnect();
  await t.close();
  await rm(workDir, { recursive: true, force: true });
  for (const dataDir of dataDirs) await rm(dataDir, { recursive: true, force: true });
});

async function campaignIn(org: { id: string }, name: string): Promise<string> {
  const cookie = await t.login(organizer);
  const rows = Array.from({ length: 150 }, (_, i) => `Person;${name} ${i};070${String(3_000_000 + campaignIds.length * 1000 + i)}`).join('\r\n');
  const body = listImport({ name: `Lista ${name}` }, { field: 'file', filename: 'lista.csv', content: `Förnamn;Efternamn;Mobil\r\n${rows}\r\n` });
  const list = await t.request('POST', `/api/orgs/${org.id}/lists`, { cookie, body: body.payload, headers: { 'content-type': body.contentType } });
  expect(list.statusCode, list.body).toBe(202);
  await t.app.ctx.importer.wait(list.json<{ id: string }>().id);
  const group = await t.request('POST', `/api/orgs/${org.id}/target-groups`, { cookie, body: { name: `Grupp ${name}`, listIds: [list.json<{ id: string }>().id], filters: [] } });
  expect(group.statusCode, group.body).toBe(201);
  const campaign = await createCampaign(t.db, t.clock, organizer.id, org.id, {
    name: `Kampanj ${name}`,
    callingWindow: ALWAYS_WINDOW,
    dialing: 'own-phone',
    script: 'Hej {first_name}!',
    maxAttempts: 6,
    questions: [{ id: 'member', kind: 'yes-no', text: 'Vill du bli medlem?', tags: ['recruit'] }],
    targetGroupIds: [group.json<{ id: string }>().id],
  });
  await changeStatus(t.db, t.clock, organizer.id, campaign.id, 'active');
  return campaign.id;
}

function connect(cookie: string): Promise<Client> {
  const socket: Client = io(url, { path: '/socket.io', transports: ['websocket'], extraHeaders: { cookie, origin: t.origin }, reconnection: false, forceNew: true });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

function data<T>(answer: Ack<T>): T {
  if (!answer.ok) throw new Error(`${answer.error.code}: ${answer.error.message}`);
  return answer.data;
}

let made = 0;
/** One call through the socket protocol: claim, save (a conversation sometimes recruits). */
async function oneCall(socket: Client, campaignId: string): Promise<void> {
  made += 1;
  await ask(socket, 'campaign:join', { campaignId });
  const { assignment } = data<NextAnswer>(await ask(socket, 'contact:next', { campaignId }));
  if (!assignment) throw new Error('the queue ran dry');
  const outcome = OUTCOMES[made % OUTCOMES.length] ?? 'busy';
  data<CompleteAnswer>(
    await ask(socket, 'call:complete', {
      assignmentId: assignment.id,
      key: randomUUID(),
      outcome,
      answers: outcome === 'conversation' ? { member: made % 3 === 0 } : {},
    }),
  );
}

async function calls(perCaller: number): Promise<void> {
  await Promise.all(sockets.map(async (socket, i) => {
    for (let n = 0; n < perCaller; n++) await oneCall(socket, campaignIds[(i + n) % campaignIds.length] ?? '');
  }));
}

async function emptyDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const clusterUrl = inject('clusterUrl');
  const name = `ringa_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: clusterUrl });
  await admin.connect();
  await admin.query(`create database ${name} template template0`);
  await admin.end();
  return {
    url: withDatabase(clusterUrl, name),
    drop: async () => {
      const client = new pg.Client({ connectionString: clusterUrl });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}

async function withClient<T>(connectionString: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

async function relationsIn(connectionString: string): Promise<number> {
  return withClient(connectionString, async (client) => {
    const { rows } = await client.query<{ n: number }>(`select count(*)::int as n from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'public'`);
    return rows[0]?.n ?? -1;
  });
}

async function rowsOf(db: Database, query: ReturnType<typeof sql>): Promise<unknown[]> {
  return (await query.execute(db)).rows;
}

const PEOPLE = sql`select id, organisation_id, first_name, last_name, phone, attributes from person order by id`;
const USERS = sql`select id, email, name, password_hash from app_user order by id`;
const MEMBERSHIPS = sql`select user_id, organisation_id, role from membership order by 1, 2`;
const CALLS = sql`select id, campaign_id, person_id, caller_id, outcome, answers, tags, created_at from call order by id`;

async function restoredApp(db: Database): Promise<App> {
  const app = await buildApp({ db, clock: t.clock, publicUrl: t.publicUrl, sessionSecret: 'z'.repeat(40) });
  await app.ready();
  return app;
}

async function login(app: App, user: TestUser): Promise<string> {
  const response = await app.inject({ method: 'POST', url: '/api/auth/login', headers: { origin: t.origin }, payload: { email: user.email, password: PASSWORD } });
  expect(response.statusCode, response.body).toBe(200);
  return sessionCookie(response);
}

async function statsOn(app: App, cookie: string, path: string): Promise<unknown> {
  const response = await app.inject({ method: 'GET', url: path, headers: { cookie } });
  expect(response.statusCode, response.body).toBe(200);
  const body = response.json<Record<string, unknown>>();
  // Callers with equal figures come in no particular order (by calls, without ranking): compare them by id.
  if (Array.isArray(body.callers)) body.callers = (body.callers as { callerId: string }[]).toSorted((a, b) => a.callerId.localeCompare(b.callerId));
  return body;
}

function cli(env: Record<string, string>, ...args: string[]) {
  const { DATABASE_URL: _omitted, DATA_DIR: _also, ...inherited } = process.env;
  const result = spawnSync(path.join(root, 'node_modules', '.bin', 'tsx'), ['scripts/cli.ts', ...args], { cwd: root, env: { ...inherited, ...env }, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

test('a backup taken while callers save restores into an empty database with the same people, calls and figures, consistent with each other', async () => {
  await calls(8);
  const before = Number((await sql<{ n: number }>`select count(*)::int as n from call`.execute(t.db)).rows[0]?.n);
  expect(before).toBe(24);

  // Callers go on saving while the backup runs.
  let saving = true;
  const during = Promise.all(sockets.map(async (socket, i) => {
    for (let n = 0; saving && n < 30; n++) {
      await oneCall(socket, campaignIds[(i + n) % campaignIds.length] ?? '');
      // At a caller's pace: within the socket's rate limit (10 events a second, 3 per call).
      await new Promise((resolve) => setTimeout(resolve, 400));
    }
  }));
  const file = path.join(workDir, 'during.ringa-backup');
  const client = await rawClient(t.db);
  const summary = await backupDatabase(client, file).finally(() => client.release());
  saving = false;
  await during;
  expect(summary.file).toBe(file);
  expect(summary.migration).toMatch(/^\d{4}-/);
  expect((await stat(file)).mode & 0o777).toBe(0o600);

  const target = await emptyDatabase();
  try {
    const restored = await withClient(target.url, (c) => restoreDatabase(c, file));
    expect(restored.rows).toBe(summary.rows);
    const db = createDatabase(target.url, { max: 3 });
    const app = await restoredApp(db);
    try {
      expect(await rowsOf(db, PEOPLE)).toEqual(await rowsOf(t.db, PEOPLE));
      expect(await rowsOf(db, USERS)).toEqual(await rowsOf(t.db, USERS));
      expect(await rowsOf(db, MEMBERSHIPS)).toEqual(await rowsOf(t.db, MEMBERSHIPS));
      // The calls of the snapshot: at least those saved before it, each exactly as saved.
      const restoredCalls = (await rowsOf(db, CALLS)) as { id: string }[];
      expect(restoredCalls.length).toBeGreaterThanOrEqual(before);
      const original = new Map(((await rowsOf(t.db, CALLS)) as { id: string }[]).map((row) => [row.id, row]));
      for (const call of restoredCalls) expect(call).toEqual(original.get(call.id));

      // The figures folded on the restored side agree with its calls: the calls and the deltas came from one snapshot.
      await app.ctx.stats.flush();
      const cookie = await login(app, organizer);
      const stats = (await statsOn(app, cookie, `/api/orgs/${district.id}/stats`)) as { totals: Record<string, number> };
      const { rows } = await sql<Record<string, number>>`
        select count(*)::int as dials, count(*) filter (where outcome = 'conversation')::int as conversations,
          count(*) filter (where 'recruit' = any (tags))::int as recruits from call`.execute(db);
      expect(stats.totals).toMatchObject(rows[0] ?? {});
      expect(stats.totals.dials).toBe(restoredCalls.length);
      // Every caller signs in with their password.
      for (const caller of callers) await login(app, caller);
    } finally {
      await app.close();
      await db.destroy();
    }
  } finally {
    await target.drop();
  }
}, 120_000);

test('the command line backs up and restores into a fresh DATA_DIR; the restored server gives the same figures and signs in the same users', async () => {
  await t.app.ctx.stats.flush();
  const file = path.join(workDir, 'cli.ringa-backup');
  const backedUp = cli({ DATABASE_URL: t.databaseUrl }, 'backup', '--out', file, '--json');
  expect(backedUp.status, backedUp.stderr).toBe(0);
  const printed = JSON.parse(backedUp.stdout) as { file: string; tables: number; rows: number };
  expect(printed.file).toBe(file);
  expect(printed.tables).toBeGreaterThan(20);
  expect(printed.rows).toBeGreaterThan(300);
  expect((await stat(file)).mode & 0o777).toBe(0o600);

  // Its own folder under the system's temporary one: as root, PostgreSQL runs as "postgres", which must reach it.
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'ringa-restored-'));
  dataDirs.push(dataDir);
  const restored = cli({ DATA_DIR: dataDir }, 'restore', '--from', file);
  expect(restored.status, restored.stderr).toBe(0);
  expect(restored.stdout).toMatch(/^Restored \d+ tables, \d+ rows from /);

  const location = { databaseUrl: undefined, dataDir };
  const cluster = await startCluster(location);
  const db = createDatabase(applicationDatabaseUrl(location, cluster), { max: 3 });
  const app = await restoredApp(db);
  try {
    await app.ctx.stats.flush();
    const here = await login(app, organizer);
    const there = await t.login(organizer);
    for (const route of [`/api/orgs/${district.id}/stats`, ...campaignIds.map((id) => `/api/campaigns/${id}/stats`)]) {
      expect(await statsOn(app, here, route)).toEqual(await statsOn(t.app, there, route));
    }
    expect(await rowsOf(db, CALLS)).toEqual(await rowsOf(t.db, CALLS));
    for (const caller of callers) await login(app, caller);

    // The backup of a running embedded PostgreSQL: the command attaches to it.
    const again = cli({ DATA_DIR: dataDir }, 'backup', '--out', path.join(workDir, 'embedded.ringa-backup'));
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/^Backed up \d+ tables/);

    // Restoring over it is refused: the DATA_DIR is no longer empty.
    const twice = cli({ DATA_DIR: dataDir }, 'restore', '--from', file);
    expect(twice.status).toBe(1);
    expect(twice.stderr).toContain('The database to restore into is not empty');
  } finally {
    await app.close();
    await db.destroy();
    await cluster.stop();
  }
}, 180_000);

test('a restore into a database that is not empty is refused and changes nothing', async () => {
  const file = path.join(workDir, 'refused.ringa-backup');
  const client = await rawClient(t.db);
  await backupDatabase(client, file).finally(() => client.release());
  const before = await rowsOf(t.db, sql`select (select count(*) from call) as calls, (select count(*) from person) as people, (select count(*) from kysely_migration) as migrations`);
  await expect(withClient(t.databaseUrl, (c) => restoreDatabase(c, file))).rejects.toThrow(/The database to restore into is not empty: it has \d+ tables/);
  const refused = cli({ DATABASE_URL: t.databaseUrl }, 'restore', '--from', file);
  expect(refused.status).toBe(1);
  expect(refused.stderr).toContain('Restore only into an empty database or a new DATA_DIR. Nothing was changed.');
  expect(await rowsOf(t.db, sql`select (select count(*) from call) as calls, (select count(*) from person) as people, (select count(*) from kysely_migration) as migrations`)).toEqual(before);
});

test('a truncated, a damaged and a foreign file are refused with the reason and leave the target empty', async () => {
  const file = path.join(workDir, 'whole.ringa-backup');
  const client = await rawClient(t.db);
  await backupDatabase(client, file).finally(() => client.release());
  const whole = await readFile(file);
  const damaged = Buffer.from(whole);
  for (let i = Math.floor(whole.length / 2); i < Math.floor(whole.length / 2) + 64; i++) damaged[i] = (damaged[i] ?? 0) ^ 0x5a;
  const cases: [string, Buffer, RegExp][] = [
    ['truncated', whole.subarray(0, Math.floor(whole.length * 0.6)), /is damaged or incomplete/],
    ['damaged', damaged, /is damaged or incomplete/],
    ['foreign', Buffer.from('Förnamn;Mobil\r\nAnna;0701234567\r\n'), /is not a Ringa backup/],
  ];
  const target = await emptyDatabase();
  try {
    for (const [name, bytes, message] of cases) {
      const broken = path.join(workDir, `${name}.ringa-backup`);
      await writeFile(broken, bytes);
      const refused = await withClient(target.url, (c) => restoreDatabase(c, broken)).then(() => null, (error: unknown) => error);
      expect(refused, name).toBeInstanceOf(BackupError);
      expect((refused as Error).message, name).toMatch(message);
      expect(await relationsIn(target.url), name).toBe(0);
    }
    const cut = cli({ DATABASE_URL: target.url }, 'restore', '--from', path.join(workDir, 'truncated.ringa-backup'));
    expect(cut.status).toBe(1);
    expect(cut.stderr).toMatch(/^The backup file .* is damaged or incomplete \(.*\); nothing was restored\.\n$/);
    expect(await relationsIn(target.url)).toBe(0);
    // The whole file still restores into the same database afterwards.
    await withClient(target.url, (c) => restoreDatabase(c, file));
    expect(await relationsIn(target.url)).toBeGreaterThan(20);
  } finally {
    await target.drop();
  }
}, 60_000);
