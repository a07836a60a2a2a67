// An uploaded list (names, numbers, birth years) lives only as long as its import: kept in a private
// folder under DATA_DIR, never the system's temporary folder; removed when the import succeeds or
// fails; and when a server is killed mid-import (SIGKILL, a real process), the next start removes it.
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { generateSwedishList } from '../../scripts/bench/generate-list';
import { TestContext, type TestUser } from './harness';
import { signIn, startChildServer, upload, type ChildServer } from './child-server';

let t: TestContext;
let workDir: string;
let dataDir: string;
let organizer: TestUser;
let org: { id: string };
const servers: ChildServer[] = [];

beforeAll(async () => {
  t = await TestContext.create();
  workDir = await mkdtemp(path.join(os.tmpdir(), 'ringa-uploads-test-'));
  dataDir = path.join(workDir, 'data');
  org = await t.newOrg({ name: 'Uppladdningar', kind: 'district' });
  organizer = await t.newUser([{ org, role: 'organizer' }]);
});
afterAll(async () => {
  for (const server of servers) await server.stop();
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

async function start(): Promise<ChildServer> {
  const server = await startChildServer(t.databaseUrl, dataDir);
  servers.push(server);
  return server;
}

const uploadDir = () => path.join(dataDir, 'uploads');

test('an upload killed mid-import stays until the next start, which removes it; the folder is private to Ringa', { timeout: 180_000 }, async () => {
  const file = path.join(workDir, 'big.csv');
  await generateSwedishList(file, 400_000);
  const first = await start();
  const cookie = await signIn(first, organizer.email);

  const response = await upload(first, cookie, `/api/orgs/${org.id}/lists`, { name: 'big.csv', content: readFileSync(file) });
  expect(response.status, JSON.stringify(response.body)).toBe(202);
  await until('the COPY to be running', async () => {
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where datname = current_database() and state = 'active' and query ilike 'copy import_staging%'`.execute(t.db);
    return (rows[0]?.n ?? 0) > 0 ? true : undefined;
  });
  const during = await readdir(uploadDir());
  expect(during).toHaveLength(1);
  expect(during[0]).toMatch(new RegExp(`^${first.pid}-`));
  expect((await stat(path.join(uploadDir(), during[0] as string))).mode & 0o777).toBe(0o600);
  expect((await stat(uploadDir())).mode & 0o777).toBe(0o700);

  const exited = new Promise((resolve) => first.child.once('exit', resolve));
  first.child.kill('SIGKILL');
  await exited;
  // A crash leaves the file behind: nothing ran to remove it.
  expect(await readdir(uploadDir())).toEqual(during);

  const second = await start();
  expect(await readdir(uploadDir())).toEqual([]);
  expect((await stat(uploadDir())).mode & 0o777).toBe(0o700);
  await second.stop();
});

test('after a successful import, a failed one, a refused file and a preview, the folder is empty', { timeout: 60_000 }, async () => {
  const server = await start();
  const cookie = await signIn(server, organizer.email);
  // The file goes right after the list's status is written, in the import's last step.
  const emptied = () => until('the upload folder to be empty', async () => ((await readdir(uploadDir())).length === 0 ? true : undefined), 5_000);
  const waitFor = async (id: string) =>
    until('the import to end', async () => {
      const list = await t.db.selectFrom('targetList').select('status').where('id', '=', id).executeTakeFirstOrThrow();
      return list.status === 'importing' ? undefined : list.status;
    });

  const good = await upload(server, cookie, `/api/orgs/${org.id}/lists`, { name: 'good.csv', content: Buffer.from('Förnamn;Mobil\r\nAnna;070-123 45 67\r\n') });
  expect(good.status).toBe(202);
  expect(await waitFor(good.body.id as string)).toBe('ready');
  await emptied();

  // Fails in the background: a quote that never closes, found only at the end of the file.
  const rows = Array.from({ length: 20_000 }, (_, i) => `Person ${i};070-${String(1_000_000 + i).slice(1)}`).join('\r\n');
  const bad = await upload(server, cookie, `/api/orgs/${org.id}/lists`, { name: 'bad.csv', content: Buffer.from(`Förnamn;Mobil\r\n${rows}\r\n"Trasig;070-999 99 99\r\n`) });
  expect(bad.status, JSON.stringify(bad.body)).toBe(202);
  expect(await waitFor(bad.body.id as string)).toBe('failed');
  await emptied();

  const refused = await upload(server, cookie, `/api/orgs/${org.id}/lists`, { name: 'no-phone.csv', content: Buffer.from('Förnamn;Ort\r\nAnna;Luleå\r\n') });
  expect(refused.status).toBe(400);
  const preview = await upload(server, cookie, `/api/orgs/${org.id}/lists/preview`, { name: 'good.csv', content: Buffer.from('Förnamn;Mobil\r\nAnna;070-123 45 67\r\n') });
  expect(preview.status).toBe(200);
  const dnc = await upload(server, cookie, `/api/orgs/${org.id}/do-not-call/file`, { name: 'dnc.csv', content: Buffer.from('Mobil\r\n070-123 45 99\r\n') });
  expect(dnc.status).toBe(200);
  expect(await readdir(uploadDir())).toEqual([]);
  await server.stop();
});
