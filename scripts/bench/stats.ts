// `npm run bench:stats [-- --calls N --requests N --samples N]`: the district's dashboard on a year of
// calling. A fresh database with 201 organisations, 500 campaigns and --calls (10,000,000) saved calls
// (bench/stats-seed.ts; the figures folded by the roller's own fold), the server in a process of its
// own, and then:
// - p95_ms: the district's GET /api/orgs/:orgId/stats (this year, its whole tree), --requests (200)
//   times after a warm-up, one at a time, timed at the client;
// - freshness_ms: the worst of --samples (20) times from a call saved over socket.io (its ack) to the
//   district's figures showing it, as the dashboard sees them: it waits for stats:changed and fetches;
// - export: the district's big campaign (a tenth of the calls) downloaded as CSV by its organizer,
//   timed to the last byte, with the server's peak RSS (VmHWM, reset before the download).
// Progress goes to stderr; one JSON line of figures to stdout.
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import pg from 'pg';
import { io } from 'socket.io-client';
import { createDatabase, startCluster, withDatabase } from '../../db/database';
import { migrateToLatest } from '../../db/migrate';
import type { Assignment } from '../../server/src/contract/realtime';
import { systemClock } from '../../server/src/clock';
import { SessionService } from '../../server/src/modules/accounts/sessions.service';
import { ask, type Client } from '../../server/test/ask';
import { percentile as ofSorted } from './callers-load';
import { seedCallers, seedCampaign } from './callers-seed';
import { startServer, stopServer } from './server-process';
import { seedCalls, seedTree } from './stats-seed';

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '10000000' },
    requests: { type: 'string', default: '200' },
    samples: { type: 'string', default: '20' },
  },
});
const CALLS = Number(values.calls);
const REQUESTS = Number(values.requests);
const SAMPLES = Number(values.samples);
for (const [name, value] of Object.entries({ calls: CALLS, requests: REQUESTS, samples: SAMPLES })) {
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a whole number above 0`);
}

const log = (line: string) => process.stderr.write(`${line}\n`);
const round = (value: number, digits = 1) => Number(value.toFixed(digits));
const percentile = (values: number[], p: number) => ofSorted([...values].sort((a, b) => a - b), p);

const cleanups: (() => Promise<unknown>)[] = [];
async function cleanUp(): Promise<void> {
  for (const step of cleanups.reverse()) await step().catch((error: unknown) => log(`cleanup: ${String(error)}`));
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void cleanUp().finally(() => process.exit(130)));
}

/** GET with a cookie; the body as text and the time to its last byte. */
function get(url: string, cookie: string): Promise<{ status: number; body: string; ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers: { cookie } }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - started }));
        response.on('error', reject);
      })
      .on('error', reject);
  });
}

/** Downloads a file, counting its lines without keeping it; seconds to the last byte. */
function download(url: string, cookie: string): Promise<{ status: number; lines: number; bytes: number; seconds: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers: { cookie } }, (response) => {
        let lines = 0;
        let bytes = 0;
        response.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          for (let index = chunk.indexOf(10); index !== -1; index = chunk.indexOf(10, index + 1)) lines += 1;
        });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, lines, bytes, seconds: (performance.now() - started) / 1000 }));
        response.on('error', reject);
      })
      .on('error', reject);
  });
}

function vmHwmMb(pid: number): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : 0;
}

const workDir = await mkdtemp(path.join(os.tmpdir(), 'ringa-bench-stats-'));
cleanups.push(() => rm(workDir, { recursive: true, force: true }));

try {
  const cluster = await startCluster({ databaseUrl: process.env.DATABASE_URL, dataDir: workDir }, log, { handlesSignals: true });
  cleanups.push(() => cluster.stop());
  const adminUrl = process.env.DATABASE_URL ? withDatabase(process.env.DATABASE_URL, 'postgres') : cluster.urlFor('postgres');
  const database = `ringa_stats_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  cleanups.push(async () => {
    await admin.query(`drop database if exists ${database} with (force)`);
    await admin.end();
  });
  await admin.query(`create database ${database}`);
  const url = process.env.DATABASE_URL ? withDatabase(process.env.DATABASE_URL, database) : cluster.urlFor(database);
  const db = createDatabase(url, { max: 4 });
  cleanups.push(() => db.destroy());
  await migrateToLatest(db);

  // The district, with an open campaign of its own that callers can call in now (for freshness).
  let started = performance.now();
  log('Seeding the tree, 500 campaigns and 2,000 callers…');
  const live = await seedCampaign(db, 20_000);
  const districtId = live.organisationId;
  const tree = await seedTree(db, districtId);
  const sessionSecret = randomBytes(32).toString('base64url');
  const callers = await seedCallers(db, districtId, 2_000, sessionSecret);
  const people = (await db.selectFrom('person').select('id').where('organisationId', '=', districtId).limit(20_000).execute()).map((row) => row.id);
  log(`  in ${round((performance.now() - started) / 1000)} s`);
  log(`Seeding ${CALLS.toLocaleString('en')} calls…`);
  started = performance.now();
  await seedCalls(db, { campaigns: tree.campaigns, callers: callers.map((caller) => caller.userId), people, calls: CALLS, until: new Date(), log });
  const seedSeconds = (performance.now() - started) / 1000;
  log(`  seeded and folded in ${round(seedSeconds)} s; vacuum analyze…`);
  await sql`vacuum analyze`.execute(db);

  // The district's organizer (also organizer of the big campaign, which is the district's own).
  const organizer = await db.insertInto('appUser').values({ email: 'distrikt@bench.example', name: 'Distriktets organisatör', passwordHash: 'not a hash', createdAt: new Date() }).returning('id').executeTakeFirstOrThrow();
  await db.insertInto('membership').values({ userId: organizer.id, organisationId: districtId, role: 'organizer', createdAt: new Date() }).execute();
  const sessions = new SessionService(db, systemClock, sessionSecret);
  const organizerCookie = `ringa_session=${(await sessions.start(organizer.id)).token}`;

  log('Starting the server…');
  const server = await startServer(url, sessionSecret, path.join(workDir, 'server'), log);
  cleanups.push(() => stopServer(server.child));
  const pid = server.child.pid ?? 0;

  // The dashboard's data request.
  const statsUrl = `${server.url}/api/orgs/${districtId}/stats`;
  for (let i = 0; i < 20; i++) {
    const warm = await get(statsUrl, organizerCookie);
    if (warm.status !== 200) throw new Error(`stats answered ${warm.status}: ${warm.body.slice(0, 200)}`);
  }
  const times: number[] = [];
  for (let i = 0; i < REQUESTS; i++) times.push((await get(statsUrl, organizerCookie)).ms);
  const district = JSON.parse((await get(statsUrl, organizerCookie)).body) as { totals: { dials: number }; children: unknown[]; series: unknown[] };
  log(`  district stats: ${district.totals.dials.toLocaleString('en')} calls this year, ${district.children.length} children, ${district.series.length} days`);
  log(`  ms p50 ${round(percentile(times, 50))} p95 ${round(percentile(times, 95))} max ${round(percentile(times, 100))} (n ${times.length})`);
  for (const [level, id] of [
    ['municipality', tree.municipalities[0]],
    ['association', tree.associations[0]],
  ] as const) {
    const levelTimes: number[] = [];
    for (let i = 0; i < 50; i++) levelTimes.push((await get(`${server.url}/api/orgs/${id}/stats`, organizerCookie)).ms);
    log(`  ${level} stats ms p50 ${round(percentile(levelTimes, 50))} p95 ${round(percentile(levelTimes, 95))}`);
  }

  // Freshness: a call saved, then the district's figures as its dashboard sees them.
  const connect = (cookie: string) =>
    new Promise<Client>((resolve, reject) => {
      const socket: Client = io(server.url, { path: '/socket.io', transports: ['websocket'], extraHeaders: { cookie, origin: server.url }, reconnection: false, forceNew: true });
      socket.once('connect', () => resolve(socket));
      socket.once('connect_error', reject);
    });
  const watcher = await connect(organizerCookie);
  const watched = await ask(watcher, 'stats:watch', { organisationId: districtId });
  if (!watched.ok) throw new Error(`stats:watch: ${watched.error.message}`);
  const caller = await connect((callers[0] as { cookie: string }).cookie);
  const joined = await ask(caller, 'campaign:join', { campaignId: live.campaignId });
  if (!joined.ok) throw new Error(`campaign:join: ${joined.error.message}`);
  const first = await ask(caller, 'contact:next', { campaignId: live.campaignId });
  if (!first.ok || !first.data.assignment) throw new Error('no one to call in the live campaign');
  let assignment: Assignment = first.data.assignment;
  let dials = district.totals.dials;
  const freshness: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const changed = new Promise<void>((resolve) => watcher.once('stats:changed', () => resolve()));
    const saved = await ask(caller, 'call:complete', { assignmentId: assignment.id, key: randomBytes(8).toString('hex'), outcome: 'conversation', answers: {}, next: true });
    const savedAt = performance.now();
    if (!saved.ok || !saved.data.next) throw new Error(`call:complete: ${saved.ok ? 'no next person' : saved.error.message}`);
    assignment = saved.data.next;
    await changed;
    for (;;) {
      const now = JSON.parse((await get(statsUrl, organizerCookie)).body) as { totals: { dials: number } };
      if (now.totals.dials > dials) {
        dials = now.totals.dials;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    freshness.push(performance.now() - savedAt);
    // Calls a few seconds apart, as a caller makes them; stats:changed comes at most once a second.
    await new Promise((resolve) => setTimeout(resolve, 1_200));
  }
  watcher.close();
  caller.close();
  log(`  freshness ms p50 ${round(percentile(freshness, 50))} max ${round(percentile(freshness, 100))} (n ${freshness.length})`);

  // The export of the big campaign.
  writeFileSync(`/proc/${pid}/clear_refs`, '5'); // resets VmHWM to the RSS now
  const baseline = vmHwmMb(pid);
  log(`Exporting the big campaign (server RSS ${round(baseline)} MB)…`);
  const exported = await download(`${server.url}/api/campaigns/${tree.campaigns[0]}/calls.csv`, organizerCookie);
  if (exported.status !== 200) throw new Error(`The export answered ${exported.status}`);
  const peak = vmHwmMb(pid);
  log(`  ${(exported.bytes / 1024 / 1024).toFixed(0)} MB, ${(exported.lines - 1).toLocaleString('en')} rows in ${round(exported.seconds, 2)} s; server VmHWM ${round(peak)} MB`);

  const calls = Number((await sql<{ n: number }>`select count(*)::bigint as n from call`.execute(db)).rows[0]?.n ?? 0);
  process.stdout.write(
    `${JSON.stringify({
      calls,
      p95_ms: round(percentile(times, 95)),
      freshness_ms: Math.round(percentile(freshness, 100)),
      export_rows: exported.lines - 1,
      export_seconds: round(exported.seconds, 2),
      export_peak_rss_mb: Math.round(peak),
    })}\n`,
  );
} finally {
  await cleanUp();
}
