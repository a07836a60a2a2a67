// PostgreSQL's side of `npm run bench:callers`: pgbench on the same cluster, the statements that took
// the time (pg_stat_statements, when loaded), and the CPU each process used, to say where time goes.
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import pg from 'pg';
import type { Database } from '../../db/database';

const run = promisify(execFile);

function pgEnvironment(url: string): NodeJS.ProcessEnv {
  const parsed = new URL(url);
  return {
    ...process.env,
    PGHOST: parsed.hostname,
    PGPORT: parsed.port || '5432',
    PGUSER: decodeURIComponent(parsed.username),
    PGPASSWORD: decodeURIComponent(parsed.password),
    PGDATABASE: decodeURIComponent(parsed.pathname.slice(1)),
  };
}

/**
 * pgbench -N (TPC-B without the updates of the two small tables, so that clients do not queue on a
 * handful of rows) against a database of its own. Ten clients, the size of the server's connection
 * pool, so that PostgreSQL sees the same concurrency from both; two threads, one per core.
 */
export async function pgbench(url: string, seconds: number, log: (line: string) => void): Promise<number> {
  const env = pgEnvironment(url);
  log('pgbench: initialising (scale 10)…');
  await run('pgbench', ['-i', '-s', '10', '-q'], { env });
  log(`pgbench -N -c 10 -j 2 -T ${seconds}…`);
  const { stdout } = await run('pgbench', ['-N', '-c', '10', '-j', '2', '-T', String(seconds)], { env });
  const tps = /tps = ([\d.]+)/.exec(stdout)?.[1];
  if (!tps) throw new Error(`pgbench printed no tps:\n${stdout}`);
  return Number(tps);
}

/**
 * Loads pg_stat_statements, with planning times, into a cluster from its next start. Diagnosis only:
 * it costs a little on every statement.
 */
export async function loadStatements(adminUrl: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`alter system set shared_preload_libraries = pg_stat_statements`);
    await admin.query(`alter system set pg_stat_statements.track_planning = on`);
  } finally {
    await admin.end();
  }
}

/** Whether pg_stat_statements is loaded and its view exists in this database. */
export async function statementsAvailable(db: Database): Promise<boolean> {
  const { rows } = await sql<{ loaded: boolean }>`select current_setting('shared_preload_libraries') like '%pg_stat_statements%' as loaded`.execute(db);
  if (!rows[0]?.loaded) return false;
  await sql`create extension if not exists pg_stat_statements`.execute(db);
  return true;
}

export async function resetStatements(db: Database): Promise<void> {
  await sql`select pg_stat_statements_reset()`.execute(db);
}

/** The statements that took the most time (planning and execution) since the last reset, one line each, after the totals. */
export async function topStatements(db: Database, limit = 12): Promise<string[]> {
  const { rows } = await sql<{ calls: number; plan: number; exec: number; share: number; query: string }>`
    select calls::bigint as calls, total_plan_time / calls as plan, total_exec_time / calls as exec,
      100 * (total_plan_time + total_exec_time) / nullif(sum(total_plan_time + total_exec_time) over (), 0) as share, query
    from pg_stat_statements where dbid = (select oid from pg_database where datname = current_database()) and calls > 0
    order by total_plan_time + total_exec_time desc`.execute(db);
  const total = (pick: (row: (typeof rows)[number]) => number) => rows.reduce((sum, row) => sum + pick(row) * row.calls, 0) / 1000;
  return [
    `statements: ${rows.reduce((sum, row) => sum + Number(row.calls), 0)} run, planning ${total((row) => row.plan).toFixed(2)} s, executing ${total((row) => row.exec).toFixed(2)} s; share, calls, plan ms, exec ms:`,
    ...rows
      .slice(0, limit)
      .map(
        (row) =>
          `${row.share.toFixed(1).padStart(5)} % ${String(row.calls).padStart(7)} ${row.plan.toFixed(3).padStart(7)} ${row.exec.toFixed(3).padStart(7)}  ${row.query.replace(/\s+/g, ' ').slice(0, 140)}`,
      ),
  ];
}

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

interface ProcStat {
  pid: number;
  ppid: number;
  /** CPU seconds of the process itself, and of its children it has waited for. */
  own: number;
  children: number;
}

function procStat(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses; the fields after its last ')' do not.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const at = (field: number) => Number(fields[field - 3]);
    return { pid, ppid: at(4), own: (at(14) + at(15)) / TICKS_PER_SECOND, children: (at(16) + at(17)) / TICKS_PER_SECOND };
  } catch {
    return undefined;
  }
}

/** CPU seconds a process has used so far. */
export function cpuOf(pid: number): number {
  return procStat(pid)?.own ?? 0;
}

/** CPU seconds a postmaster and all its backends have used so far (ended backends are in its children's time). */
export function cpuOfCluster(postmasterPid: number): number {
  const postmaster = procStat(postmasterPid);
  if (!postmaster) return 0;
  let total = postmaster.own + postmaster.children;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = procStat(Number(entry));
    if (stat?.ppid === postmasterPid) total += stat.own;
  }
  return total;
}
