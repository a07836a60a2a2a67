// `npm run bench:callers [-- --people N --callers N --seconds N --warmup N --pgbench-seconds N --statements]`:
// the calling engine under a phone bank's load. A fresh database with a campaign of --people (200,000)
// and --callers (1,000) callers, the server in a process of its own, and as many real socket.io
// clients on loopback, in phases of --warmup (5) unmeasured and --seconds (30) measured seconds:
// - latency: every caller saves a call with `next: true` every 2 s on average (500 calls/s offered at
//   1,000 callers) and times each answer at the client, from the emit to the ack: the save and the
//   claim of the next person, which is how the web app asks for the next person; p50 and p99;
// - throughput: callers save back to back; calls saved per second at saturation (before the drain,
//   which leaves too few people for a saturated phase);
// - drained: the campaign brought to 90 % done through the engine's tables, vacuumed, then the
//   latency phase again;
// - pgbench -N on the same PostgreSQL for --pgbench-seconds (20), the yardstick for calls per second.
// Progress goes to stderr; one JSON line of figures to stdout. --statements loads pg_stat_statements
// into the embedded cluster (a restart) and prints the statements that took the time in each phase.
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import pg from 'pg';
import { createDatabase, startCluster, withDatabase, type Cluster, type Database } from '../../db/database';
import { migrateToLatest } from '../../db/migrate';
import { connectCallers, percentile, runPhase, type Caller, type PhaseOptions, type PhaseResult } from './callers-load';
import { cpuOf, cpuOfCluster, loadStatements, pgbench, resetStatements, statementsAvailable, topStatements } from './callers-postgres';
import { drainCampaign, seedCallers, seedCampaign } from './callers-seed';
import { startServer, stopServer } from './server-process';

const { values } = parseArgs({
  options: {
    people: { type: 'string', default: '200000' },
    callers: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '30' },
    warmup: { type: 'string', default: '5' },
    'pgbench-seconds': { type: 'string', default: '20' },
    statements: { type: 'boolean', default: false },
  },
});
const PEOPLE = Number(values.people);
const CALLERS = Number(values.callers);
const SECONDS = Number(values.seconds);
const WARMUP = Number(values.warmup);
const PGBENCH_SECONDS = Number(values['pgbench-seconds']);
const DRAINED = 0.9;
/** A caller saves a call every this many ms on average: 2 s, 500 calls/s for 1,000 callers. */
const MEAN_INTERVAL_MS = 2000;
for (const [name, value] of Object.entries({ people: PEOPLE, callers: CALLERS, seconds: SECONDS, warmup: WARMUP, 'pgbench-seconds': PGBENCH_SECONDS })) {
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} must be a whole number`);
}

const log = (line: string) => process.stderr.write(`${line}\n`);
const round = (value: number, digits = 1) => Number(value.toFixed(digits));

// Everything started is stopped again, in reverse order, on success, failure or Ctrl-C.
const cleanups: (() => Promise<unknown>)[] = [];
let cleaning: Promise<void> | undefined;
function cleanUp(): Promise<void> {
  cleaning ??= (async () => {
    for (const step of cleanups.reverse()) await step().catch((error: unknown) => log(`cleanup: ${String(error)}`));
  })();
  return cleaning;
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: cleaning up…`);
    void cleanUp().finally(() => process.exit(130));
  });
}

async function startServerHere(databaseUrl: string, sessionSecret: string, workDir: string): Promise<{ child: ChildProcess; url: string }> {
  const server = await startServer(databaseUrl, sessionSecret, path.join(workDir, 'server'), log);
  cleanups.push(() => stopServer(server.child));
  return server;
}

async function vacuum(db: Database): Promise<void> {
  await sql`vacuum analyze`.execute(db);
}

function postmasterPid(workDir: string, cluster: Cluster): number | undefined {
  const pidFile = path.join(workDir, 'postgres', 'postmaster.pid');
  if (!cluster.startedHere || !existsSync(pidFile)) return undefined;
  return Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
}

/** Runs a phase and says on stderr what it measured and which process used the CPU. */
async function phase(
  name: string,
  callers: Caller[],
  options: PhaseOptions,
  processes: { server: number; postgres: number | undefined },
  db: Database,
  statements: boolean,
): Promise<PhaseResult> {
  const offered = options.meanIntervalMs === null ? 'back to back' : `${round((callers.length * 1000) / options.meanIntervalMs)} calls/s offered`;
  log(`Phase ${name}: ${offered}, ${options.warmupSeconds} s warm-up, ${options.seconds} s measured…`);
  if (statements) await resetStatements(db);
  const cpu = () => ({ server: cpuOf(processes.server), postgres: processes.postgres ? cpuOfCluster(processes.postgres) : 0, clients: process.cpuUsage() });
  const before = cpu();
  const started = performance.now();
  const result = await runPhase(callers, options);
  const wall = (performance.now() - started) / 1000;
  const after = cpu();
  const clients = (after.clients.user + after.clients.system - before.clients.user - before.clients.system) / 1e6;
  const l = result.latencies;
  log(
    `  ${result.completed} calls saved in ${result.seconds} s (${round(result.completed / result.seconds)} /s); ` +
      `answer ms p50 ${round(percentile(l, 50))} p90 ${round(percentile(l, 90))} p99 ${round(percentile(l, 99))} max ${round(percentile(l, 100))} (n ${l.length})`,
  );
  log(
    `  CPU over ${round(wall)} s on ${os.cpus().length} cores: server ${round(after.server - before.server)} s, postgres ${round(after.postgres - before.postgres)} s, ` +
      `clients ${round(clients)} s; client event-loop delay p99 ${round(result.clientLoopP99Ms)} ms`,
  );
  if (options.meanIntervalMs !== null && result.completed / result.seconds < (0.95 * callers.length * 1000) / options.meanIntervalMs) {
    log('  the engine did not keep up with the offered rate: callers fell behind, and the answer times include the queue');
  }
  if (Object.keys(result.errors).length > 0) log(`  errors: ${JSON.stringify(result.errors)}`);
  if (Object.keys(result.noNext).length > 0) log(`  answers without a next person: ${JSON.stringify(result.noNext)}`);
  if (statements) for (const line of await topStatements(db)) log(`  ${line}`);
  return result;
}

const workDir = await mkdtemp(path.join(os.tmpdir(), 'ringa-bench-callers-'));
cleanups.push(() => rm(workDir, { recursive: true, force: true }));

try {
  let cluster = await startCluster({ databaseUrl: process.env.DATABASE_URL, dataDir: workDir }, log, { handlesSignals: true });
  cleanups.push(() => cluster.stop());
  const adminUrl = () => (process.env.DATABASE_URL ? withDatabase(process.env.DATABASE_URL, 'postgres') : cluster.urlFor('postgres'));
  if (values.statements && cluster.startedHere) {
    log('Loading pg_stat_statements (restarts the embedded cluster)…');
    await loadStatements(adminUrl());
    await cluster.stop();
    cluster = await startCluster({ databaseUrl: undefined, dataDir: workDir }, log, { handlesSignals: true });
  }

  const database = `ringa_callers_${process.pid}`;
  const pgbenchDatabase = `ringa_pgbench_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl() });
  await admin.connect();
  cleanups.push(async () => {
    await admin.query(`drop database if exists ${database} with (force)`);
    await admin.query(`drop database if exists ${pgbenchDatabase} with (force)`);
    await admin.end();
  });
  await admin.query(`create database ${database}`);
  const url = process.env.DATABASE_URL ? withDatabase(process.env.DATABASE_URL, database) : cluster.urlFor(database);
  const db = createDatabase(url, { max: 4 });
  cleanups.push(() => db.destroy());
  await migrateToLatest(db);
  const statements = values.statements && (await statementsAvailable(db));
  if (values.statements && !statements) log('pg_stat_statements is not loaded in this PostgreSQL; no statement figures.');

  log(`Seeding ${PEOPLE.toLocaleString('en')} people and opening the campaign…`);
  let started = performance.now();
  const world = await seedCampaign(db, PEOPLE);
  log(`  ${world.queued.toLocaleString('en')} contacts queued in ${round((performance.now() - started) / 1000)} s`);
  const sessionSecret = randomBytes(32).toString('base64url');
  const sessions = await seedCallers(db, world.organisationId, CALLERS, sessionSecret);
  // As autovacuum would have by the time callers come: statistics and a visibility map for the new rows.
  await vacuum(db);

  log('Starting the server…');
  const server = await startServerHere(url, sessionSecret, workDir);
  const processes = { server: server.child.pid ?? 0, postgres: postmasterPid(workDir, cluster) };
  log(`Connecting ${CALLERS} callers to ${server.url}…`);
  started = performance.now();
  const target = { url: server.url, origin: server.url, campaignId: world.campaignId };
  const callers = await connectCallers(target, sessions.map((session) => session.cookie), log);
  cleanups.push(async () => callers.forEach((caller) => caller?.close()));
  log(`  connected, joined and holding a person each in ${round((performance.now() - started) / 1000)} s`);

  const base = { seconds: SECONDS, warmupSeconds: WARMUP, campaignId: world.campaignId };
  const latency = await phase('latency', callers, { ...base, meanIntervalMs: MEAN_INTERVAL_MS }, processes, db, statements);
  const throughput = await phase('throughput', callers, { ...base, meanIntervalMs: null }, processes, db, statements);

  log(`Draining the campaign to ${DRAINED * 100} % done…`);
  started = performance.now();
  const drained = await drainCampaign(db, world.campaignId, DRAINED, sessions.map((session) => session.userId));
  await vacuum(db);
  const state = await sql<{ state: string; n: number }>`select state, count(*)::int as n from campaign_contact where campaign_id = ${world.campaignId} group by state order by state`.execute(db);
  log(
    `  ${drained.done.toLocaleString('en')} contacts done, ${drained.retries.toLocaleString('en')} due for a retry, ${drained.calls.toLocaleString('en')} calls written, ` +
      `vacuumed in ${round((performance.now() - started) / 1000)} s; now ${state.rows.map((row) => `${row.state} ${row.n}`).join(', ')}`,
  );
  const latencyDrained = await phase('drained', callers, { ...base, meanIntervalMs: MEAN_INTERVAL_MS }, processes, db, statements);

  for (const caller of callers) caller.close();
  await stopServer(server.child);

  await admin.query(`create database ${pgbenchDatabase}`);
  const tps = await pgbench(process.env.DATABASE_URL ? withDatabase(process.env.DATABASE_URL, pgbenchDatabase) : cluster.urlFor(pgbenchDatabase), PGBENCH_SECONDS, log);

  process.stdout.write(
    `${JSON.stringify({
      callers: CALLERS,
      p50_ms: round(percentile(latency.latencies, 50)),
      p99_ms: round(percentile(latency.latencies, 99)),
      p99_ms_drained: round(percentile(latencyDrained.latencies, 99)),
      calls_per_s: Math.round(throughput.completed / throughput.seconds),
      pgbench_tps: Math.round(tps),
    })}\n`,
  );
} finally {
  await cleanUp();
}
