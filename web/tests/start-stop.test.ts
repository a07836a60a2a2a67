// The run command as a new user meets it: `npm start` on an empty DATA_DIR starts an embedded
// PostgreSQL, prints the first-run link and serves the app; the CLI works beside it; SIGTERM stops
// everything; a second start keeps the data.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { freePort, withDatabase } from '../../db/database';
import { migrations } from '../../db/migrations';
import { root } from '../../server/test/harness';

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
