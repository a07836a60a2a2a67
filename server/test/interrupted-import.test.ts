// An import killed half-way (the process, not a mock) leaves no trace of the list's people: the
// merge is one transaction, and a dead connection's transaction rolls back. The list record stays
// as "importing" until the next start marks it failed.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { generateSwedishList } from '../../scripts/bench/generate-list';
import { failInterruptedImports, listView } from '../src/modules/lists/lists.service';
import { TestContext, root } from './harness';

let t: TestContext;
let workDir: string;
beforeAll(async () => {
  t = await TestContext.create();
  workDir = await mkdtemp(path.join(os.tmpdir(), 'ringa-interrupt-'));
});
afterAll(async () => {
  await t.close();
  await rm(workDir, { recursive: true, force: true });
});

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test('killing the importing process half-way leaves no people, memberships or problem rows behind', async () => {
  const file = path.join(workDir, 'big.csv');
  await generateSwedishList(file, 400_000);
  const org = await t.newOrg({ name: 'Avbruten import', kind: 'district' });

  const child = spawn(
    path.join(root, 'node_modules', '.bin', 'tsx'),
    ['scripts/cli.ts', 'list:import', file, '--org', 'Avbruten import', '--name', 'Halvvägs', '--source', 'members', '--basis', 'members'],
    { cwd: root, env: { ...process.env, DATABASE_URL: t.databaseUrl }, detached: true, stdio: 'ignore' },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  // Half-way: the list exists and its rows are streaming into PostgreSQL.
  const list = await until('the list record', () =>
    t.db.selectFrom('targetList').select(['id', 'status']).where('organisationId', '=', org.id).executeTakeFirst(),
  );
  await until('the COPY to be running', async () => {
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where datname = current_database() and state = 'active' and query ilike 'copy import_staging%'`.execute(t.db);
    return (rows[0]?.n ?? 0) > 0 ? true : undefined;
  });
  expect(list.status).toBe('importing');
  if (child.pid === undefined) throw new Error('no child process');
  process.kill(-child.pid, 'SIGKILL'); // the whole process group: tsx and the node process it runs
  await exited;

  // PostgreSQL notices the dead connection and rolls its transaction back.
  await until('the dead connection to be gone', async () => {
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where datname = current_database() and query ilike 'copy import_staging%' and state <> 'idle'`.execute(t.db);
    return rows[0]?.n === 0 ? true : undefined;
  });
  const count = async (table: 'person' | 'listPerson' | 'listRowProblem') =>
    (await t.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n;
  expect(await count('person')).toBe(0);
  expect(await count('listPerson')).toBe(0);
  expect(await count('listRowProblem')).toBe(0);

  // The next start marks what was interrupted.
  expect(await failInterruptedImports(t.db, new Date())).toBe(1);
  const after = await listView(t.db, list.id);
  expect(after.status).toBe('failed');
  expect(after.error).toMatch(/interrupted/);
  expect(after.errorCode).toBe('interrupted');
  expect(after.errorRow).toBeUndefined();
});
