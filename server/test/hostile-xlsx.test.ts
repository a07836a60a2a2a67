// Hostile .xlsx files against a real server process, its memory read from /proc/<pid>/status: a zip
// bomb (600 MB of shared texts deflated to about 2 MB) and the same bomb whose zip headers declare
// every part as 4 KB, each sent to the preview, the import and the do-not-call upload, all six at
// once. Each is refused with 413 file_too_large, nothing is stored, and the server grows by less
// than 300 MB (before the caps it passed that within seconds). A real 300,000-row list still imports.
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { TestContext, type TestUser } from './harness';
import { memory, signIn, startChildServer, upload, type ChildServer } from './child-server';
import { bombParts, realListParts, writeZip } from './xlsx-files';

const LIMIT_MB = 300;

let t: TestContext;
let workDir: string;
let server: ChildServer;
let cookie: string;
let district: { id: string };
let organizer: TestUser;

beforeAll(async () => {
  t = await TestContext.create();
  workDir = await mkdtemp(path.join(os.tmpdir(), 'ringa-hostile-xlsx-'));
  district = await t.newOrg({ name: 'Region Bomb', kind: 'district' });
  organizer = await t.newUser([{ org: district, role: 'organizer' }]);
  server = await startChildServer(t.databaseUrl, path.join(workDir, 'data'));
  cookie = await signIn(server, organizer.email);
}, 120_000);
afterAll(async () => {
  await server.stop();
  await t.close();
  await rm(workDir, { recursive: true, force: true });
});

/**
 * The server's peak memory growth over `work`, in MB: from its resident memory before, to its peak
 * during (VmHWM, reset first through clear_refs; also sampled every 20 ms where that reset is not
 * allowed). Fails as soon as a sample passes the limit, rather than waiting for a server in trouble.
 */
async function growth<T>(work: () => Promise<T>): Promise<{ result: T; growthMb: number }> {
  const before = memory(server.pid).rss;
  let sampled = before;
  let resetPeak = true;
  try {
    writeFileSync(`/proc/${server.pid}/clear_refs`, '5');
  } catch {
    resetPeak = false;
  }
  let sampler: NodeJS.Timeout | undefined;
  const overLimit = new Promise<never>((_, reject) => {
    sampler = setInterval(() => {
      try {
        sampled = Math.max(sampled, memory(server.pid).rss);
      } catch {
        reject(new Error('the server process is gone'));
      }
      if (sampled - before >= LIMIT_MB) reject(new Error(`the server grew by ${Math.round(sampled - before)} MB (limit ${LIMIT_MB} MB)`));
    }, 20);
  });
  try {
    const result = await Promise.race([work(), overLimit]);
    const peak = Math.max(sampled, resetPeak ? memory(server.pid).peak : 0);
    return { result, growthMb: Math.round(peak - before) };
  } finally {
    clearInterval(sampler);
  }
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

test('zip bombs, honest and lying about their sizes, to the preview, the import and the do-not-call upload at once: each 413, nothing stored, memory bounded', { timeout: 180_000 }, async () => {
  const org = await t.newOrg({ parent: district, name: 'Bombed' });
  const honest = path.join(workDir, 'bomb.xlsx');
  const lying = path.join(workDir, 'lying.xlsx');
  const honestSize = await writeZip(honest, bombParts(600));
  const lyingSize = await writeZip(lying, bombParts(600, { lie: true }));
  expect(honestSize).toBeLessThan(4 * 1024 * 1024);
  expect(lyingSize).toBe(honestSize);

  // Warm: the reader's code loaded, as on a server that has imported before.
  const warm = await upload(server, cookie, `/api/orgs/${org.id}/lists/preview`, { name: 'warm.xlsx', content: await smallList() });
  expect(warm.status, JSON.stringify(warm.body)).toBe(200);

  const files = [
    { name: 'bomb.xlsx', content: readFileSync(honest) },
    { name: 'lying.xlsx', content: readFileSync(lying) },
  ];
  const { result, growthMb } = await growth(() =>
    Promise.all(
      files.flatMap((file) => [
        upload(server, cookie, `/api/orgs/${org.id}/lists/preview`, file),
        upload(server, cookie, `/api/orgs/${org.id}/lists`, file),
        // The do-not-call register takes files through the same reader.
        upload(server, cookie, `/api/orgs/${org.id}/do-not-call/file`, file),
      ]),
    ),
  );
  for (const response of result) {
    expect(response.status, JSON.stringify(response.body)).toBe(413);
    expect(response.body.error?.code).toBe('file_too_large');
  }
  console.log(`zip bombs: the server grew by ${growthMb} MB`);
  expect(growthMb).toBeLessThan(LIMIT_MB);

  expect(await t.db.selectFrom('targetList').select('id').where('organisationId', '=', org.id).execute()).toEqual([]);
  expect(await t.db.selectFrom('person').select('id').where('organisationId', '=', org.id).execute()).toEqual([]);
  expect(await t.db.selectFrom('doNotCall').select('id').where('organisationId', '=', org.id).execute()).toEqual([]);
  expect(await readdir(path.join(workDir, 'data', 'uploads'))).toEqual([]);
  // The server still serves.
  expect((await fetch(`${server.url}/api/health`)).status).toBe(200);
});

test('a real 300,000-row list as .xlsx (15 MB) still imports whole, letters intact, within the same memory bound', { timeout: 300_000 }, async () => {
  const org = await t.newOrg({ parent: district, name: 'Köpt lista' });
  const file = path.join(workDir, 'real.xlsx');
  const size = await writeZip(file, realListParts(300_000));
  expect(size).toBeGreaterThan(10 * 1024 * 1024);

  const { result: list, growthMb } = await growth(async () => {
    const response = await upload(server, cookie, `/api/orgs/${org.id}/lists`, { name: 'real.xlsx', content: readFileSync(file) });
    expect(response.status, JSON.stringify(response.body)).toBe(202);
    return until(
      'the import to end',
      async () => {
        const row = await t.db.selectFrom('targetList').selectAll().where('id', '=', response.body.id as string).executeTakeFirstOrThrow();
        return row.status === 'importing' ? undefined : row;
      },
      240_000,
    );
  });
  console.log(`300,000-row xlsx: the server grew by ${growthMb} MB`);
  expect(list.status, list.error ?? '').toBe('ready');
  expect({ rows: list.rows, imported: list.imported, invalid: list.invalid }).toEqual({ rows: 300_000, imported: 300_000, invalid: 0 });
  expect(growthMb).toBeLessThan(LIMIT_MB);
  // A letter split between two inflated chunks used to come out as two U+FFFD.
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from person where organisation_id = ${org.id} and (last_name like '%\uFFFD%' or attributes::text like '%\uFFFD%')`.execute(t.db);
  expect(rows[0]?.n).toBe(0);
  const person = await t.db.selectFrom('person').select(['firstName', 'lastName', 'attributes']).where('organisationId', '=', org.id).where('phone', '=', '+46700004567').executeTakeFirstOrThrow();
  expect(person).toEqual({ firstName: 'Örjan', lastName: 'Sjögren', attributes: { Adress: 'Björkvägen 9, lgh 5567', Postnr: '88980', Ort: 'Malmö', Födelseår: '1997' } });
});

async function smallList(): Promise<Buffer> {
  const file = path.join(workDir, 'small.xlsx');
  await writeZip(file, realListParts(10));
  return readFileSync(file);
}
