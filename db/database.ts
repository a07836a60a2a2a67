import { createHash } from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import { CamelCasePlugin, Kysely, PostgresDialect, type PostgresPool, type PostgresPoolClient } from 'kysely';
import pg from 'pg';
import { readOrCreateSecret } from '../server/src/config';
import { isDatabaseUnavailable } from './availability';
import { EmbeddedPostgres, livePostmaster } from './embedded';
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
   * The caller stops the cluster itself on SIGINT/SIGTERM, after its own connections: PostgreSQL runs
   * in a process group of its own so that a Ctrl-C reaches the caller only. Otherwise a SIGINT or
   * SIGTERM stops the cluster and ends the process.
   */
  handlesSignals?: boolean;
  /**
   * The embedded PostgreSQL died and could not be started again (5 times within 2 minutes): the
   * process should end, so that whatever supervises it starts both again. Default: say so and exit 1.
   */
  onGiveUp?: (message: string) => void;
}

const SHUTDOWN_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/** The database Ringa uses inside the cluster. */
export function applicationDatabaseUrl(location: DatabaseLocation, cluster: Cluster): string {
  return location.databaseUrl ?? cluster.urlFor(EMBEDDED_DATABASE);
}

/** Restarts of a dead embedded PostgreSQL allowed within RESTART_WINDOW_MS before Ringa gives up. */
const RESTARTS = 5;
const RESTART_WINDOW_MS = 2 * 60_000;

export async function startEmbeddedCluster(
  clusterDir: string,
  secretDir: string,
  log: (line: string) => void,
  options: ClusterOptions = {},
): Promise<Cluster> {
  const password = readOrCreateSecret(secretDir, 'postgres-password');
  const running = livePostmaster(clusterDir);
  const server = new EmbeddedPostgres({
    dir: clusterDir,
    port: running?.port ?? (await freePort()),
    password,
    user: EMBEDDED_USER,
    settings: EMBEDDED_SETTINGS,
    ownProcessGroup: options.handlesSignals ?? false,
  });

  if (running) {
    log(`Using the embedded PostgreSQL already running on port ${running.port}`);
  } else {
    if (!server.initialised) {
      log(`Creating the embedded PostgreSQL cluster in ${clusterDir}`);
      await server.initialise();
    }
    await server.start();
    log(`Embedded PostgreSQL started on 127.0.0.1:${server.options.port}`);
    await ensureDatabase(server.options.port, password, EMBEDDED_DATABASE);
  }

  // Whoever started it or attached to it keeps it running: when it dies (killed, out of memory), the
  // first Ringa process on this DATA_DIR to notice starts it again on the same port.
  let stopping = false;
  const restarts: number[] = [];
  const giveUp =
    options.onGiveUp ??
    ((message: string) => {
      process.stderr.write(`${message}\n`);
      process.exit(1);
    });
  let checking = false;
  const check = async () => {
    if (stopping || checking || server.running || livePostmaster(clusterDir)) return;
    checking = true;
    try {
      const now = Date.now();
      while (restarts.length > 0 && (restarts[0] ?? now) < now - RESTART_WINDOW_MS) restarts.shift();
      if (restarts.length >= RESTARTS) {
        stopping = true;
        clearInterval(watch);
        giveUp(`Ringa's PostgreSQL in ${clusterDir} stopped ${RESTARTS} times within 2 minutes and could not be kept running; Ringa stops too, so that its supervisor can start both again. PostgreSQL's last words: ${server.lastWords.split('\n').at(-1) ?? '(none)'}`);
        return;
      }
      restarts.push(now);
      log(`The embedded PostgreSQL is not running; starting it again on port ${server.options.port}.`);
      await server.start();
      log('The embedded PostgreSQL is running again.');
    } catch (error) {
      log(`Starting the embedded PostgreSQL again failed: ${describe(error)}`);
    } finally {
      checking = false;
    }
  };
  const watch = setInterval(() => void check(), 2_000);
  watch.unref();
  server.on('died', ({ code, signal }) => {
    log(`The embedded PostgreSQL stopped unexpectedly (${signal ?? `exit code ${code}`}).`);
    // A postmaster killed outright leaves its sessions' processes for a moment; they end once they notice.
    setTimeout(() => void check(), 500).unref();
  });

  const stop = async () => {
    stopping = true;
    clearInterval(watch);
    await server.stop();
  };
  if (!options.handlesSignals && !running) {
    for (const signal of SHUTDOWN_SIGNALS) {
      process.once(signal, () => {
        void stop().finally(() => process.exit(130));
      });
    }
  }
  return embeddedCluster(server.options.port, password, stop, !running);
}

function embeddedCluster(port: number, password: string, stop: () => Promise<void>, startedHere: boolean): Cluster {
  return {
    urlFor: (database) =>
      `postgres://${EMBEDDED_USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`,
    stop,
    startedHere,
  };
}

async function ensureDatabase(port: number, password: string, name: string): Promise<void> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: EMBEDDED_USER, password, database: 'postgres' });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (found.rowCount === 0) await client.query(`create database ${client.escapeIdentifier(name)}`);
  } finally {
    await client.end();
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

export interface DatabaseOptions {
  max?: number;
  /** Where the one line per outage goes ("unreachable", then "reachable again"); default stderr. */
  log?: (line: string) => void;
}

/**
 * Whether a Database's PostgreSQL is reachable, as last seen. An outage is said once when it starts
 * and once when it ends, however many requests fail in between; while it lasts a probe runs every second.
 */
class Reachability {
  private down = false;
  private probe: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly log: (line: string) => void,
  ) {}

  get reachable(): boolean {
    return !this.down;
  }

  /** A query or connection failed because PostgreSQL is away. */
  lost(error: Error): void {
    if (this.down || this.closed) return;
    this.down = true;
    const code = (error as Error & { code?: unknown }).code;
    this.log(`PostgreSQL is unreachable (${typeof code === 'string' ? code : error.message}); requests get 503 until it is back.`);
    let probing = false;
    this.probe = setInterval(() => {
      if (probing) return; // a connection attempt may take up to 5 s: one at a time
      probing = true;
      this.pool
        .query('select 1')
        .then(
          () => this.back(),
          () => {},
        )
        .finally(() => (probing = false));
    }, 1_000);
    this.probe.unref();
  }

  back(): void {
    if (!this.down) return;
    this.down = false;
    clearInterval(this.probe);
    if (!this.closed) this.log('PostgreSQL is reachable again.');
  }

  close(): void {
    this.closed = true;
    clearInterval(this.probe);
  }
}

const reachability = new WeakMap<Database, Reachability>();

export function createDatabase(connectionString: string, options: DatabaseOptions = {}): Database {
  // A connection that cannot be made in 5 s fails (503) rather than leaving the request waiting.
  const pool = new pg.Pool({ connectionString, max: options.max ?? 10, connectionTimeoutMillis: 5_000 });
  const status = new Reachability(pool, options.log ?? ((line) => process.stderr.write(`${line}\n`)));
  // An idle connection that the server closes (restart, shutdown) must not crash the process; the pool replaces it.
  pool.on('error', (error) => {
    if (isDatabaseUnavailable(error)) status.lost(error);
  });
  // A connection lost while checked out between two statements (a transaction's, an import's, an
  // export's) emits 'error' with nobody listening, which would end the process; its next query fails instead.
  pool.on('connect', (client) => {
    client.on('error', (error) => {
      if (isDatabaseUnavailable(error)) status.lost(error);
    });
  });
  const db = new Kysely<DB>({
    dialect: new PostgresDialect({ pool: preparing(pool) }),
    plugins: [new CamelCasePlugin()],
  });
  const destroy = db.destroy.bind(db);
  db.destroy = async () => {
    status.close();
    await destroy();
  };
  pools.set(db, pool);
  reachability.set(db, status);
  return db;
}

/**
 * Notes an error of a query on this Database: when it says PostgreSQL is away, the outage is logged
 * (once) and followed until it ends. Returns whether it was such an error.
 */
export function noteDatabaseError(db: Database, error: unknown): boolean {
  if (!isDatabaseUnavailable(error)) return false;
  reachability.get(db)?.lost(error as Error);
  return true;
}

/** Whether PostgreSQL answers now (within 2 s); an answer ends a logged outage. */
export async function databaseAnswers(db: Database): Promise<boolean> {
  const pool = poolOf(db);
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      pool.query('select 1'),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('timeout exceeded when trying to connect')), 2_000);
      }),
    ]);
    reachability.get(db)?.back();
    return true;
  } catch (error) {
    noteDatabaseError(db, error);
    return false;
  } finally {
    clearTimeout(timer);
  }
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
