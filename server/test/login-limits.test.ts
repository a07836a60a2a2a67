// Sign-in limits kept in PostgreSQL: two server processes on one database count the same failures, a
// server started after the first has stopped still refuses, a burst of refused attempts is one audit
// row with a count, and only keyed hashes are stored, for no longer than the window.
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { App } from '../src/app';
import { PASSWORD, TestContext, errorCode, type TestUser } from './harness';

const MINUTE = 60 * 1000;

let t: TestContext;
let org: { id: string };

beforeAll(async () => {
  t = await TestContext.create();
  org = await t.newOrg({ name: 'Region Syd', kind: 'district' });
});
afterAll(() => t.close());

/** A sign-in through one server's own HTTP stack, from a given client address. */
function signIn(app: App, email: string, password: string, remoteAddress: string): Promise<LightMyRequestResponse> {
  return app.inject({ method: 'POST', url: '/api/auth/login', headers: { origin: t.origin }, payload: { email, password }, remoteAddress });
}

function answer(response: LightMyRequestResponse) {
  return { status: response.statusCode, body: response.json<unknown>(), retryAfter: response.headers['retry-after'] };
}

async function rateLimitedRows(targetUserId: string | null, since: Date) {
  return t.db
    .selectFrom('auditEvent')
    .select(['targetUserId', 'details', 'at'])
    .where('action', '=', 'auth.rate-limited')
    .where('at', '>=', since)
    .$if(targetUserId !== null, (qb) => qb.where('targetUserId', '=', targetUserId))
    .$if(targetUserId === null, (qb) => qb.where('targetUserId', 'is', null))
    .orderBy('id')
    .execute();
}

test('two servers on one database share the per-account limit: 5 failures in all, not 5 on each', async () => {
  const other = await t.anotherServer();
  const user: TestUser = await t.newUser([{ org, role: 'caller' }]);
  for (let i = 1; i <= 5; i += 1) {
    const app = i % 2 === 0 ? other.app : t.app;
    expect((await signIn(app, user.email, `wrong password ${i}`, `10.10.0.${i}`)).statusCode).toBe(401);
  }
  // With the limits in process memory each server allowed 5 (10 in all); now both refuse the 6th.
  for (const app of [t.app, other.app]) {
    const locked = await signIn(app, user.email, PASSWORD, '10.10.0.99');
    expect(locked.statusCode).toBe(429);
    expect(errorCode(locked)).toBe('rate_limited');
    expect(locked.headers['retry-after']).toBe('900');
  }
  await t.stopServer(other.app);
});

test('two servers share the per-address limit: 30 failures from one address in all', async () => {
  const other = await t.anotherServer();
  const user = await t.newUser([{ org, role: 'caller' }]);
  const address = '10.11.0.1';
  for (let i = 1; i <= 30; i += 1) {
    const app = i <= 15 ? t.app : other.app;
    expect((await signIn(app, `guess-${i}@example.org`, 'a wrong guess', address)).statusCode).toBe(401);
  }
  expect((await signIn(t.app, user.email, PASSWORD, address)).statusCode).toBe(429);
  expect((await signIn(other.app, user.email, PASSWORD, address)).statusCode).toBe(429);
  expect((await signIn(other.app, user.email, PASSWORD, '10.11.0.2')).statusCode).toBe(200);
  await t.stopServer(other.app);
});

test('a server started after the one that counted the failures has stopped still refuses, until the window has passed', async () => {
  const first = await t.anotherServer();
  const user = await t.newUser([{ org, role: 'caller' }]);
  for (let i = 1; i <= 5; i += 1) expect((await signIn(first.app, user.email, `wrong ${i}`, '10.12.0.1')).statusCode).toBe(401);
  await t.stopServer(first.app);

  const next = await t.anotherServer();
  const locked = await signIn(next.app, user.email, PASSWORD, '10.12.0.2');
  expect(locked.statusCode).toBe(429);
  expect(locked.headers['retry-after']).toBe('900');

  t.clock.advance(15 * MINUTE);
  expect((await signIn(next.app, user.email, PASSWORD, '10.12.0.2')).statusCode).toBe(200);
  await t.stopServer(next.app);
});

test('50 refused attempts on two servers, half of them at once, are one audit row counting 50', async () => {
  const other = await t.anotherServer();
  const user = await t.newUser([{ org, role: 'caller' }], { name: 'Bo Blocked' });
  const since = t.clock.now();
  for (let i = 1; i <= 5; i += 1) expect((await signIn(t.app, user.email, `wrong ${i}`, `10.13.0.${i}`)).statusCode).toBe(401);

  const started = performance.now();
  const sequential: number[] = [];
  for (let i = 0; i < 25; i += 1) sequential.push((await signIn(i % 2 ? other.app : t.app, user.email, PASSWORD, '10.13.1.1')).statusCode);
  const parallel = await Promise.all(
    Array.from({ length: 25 }, (_, i) => signIn(i % 2 ? other.app : t.app, user.email, `guess ${i}`, `10.13.2.${i}`).then((r) => r.statusCode)),
  );
  const elapsedMs = performance.now() - started;
  expect([...sequential, ...parallel]).toEqual(Array.from({ length: 50 }, () => 429));

  const rows = await rateLimitedRows(user.id, since);
  expect(rows).toHaveLength(1);
  expect(rows[0]?.details).toEqual({ attempts: 50 });
  // The admin reads it in the audit log, with the person named.
  const admin = await t.newUser([{ org, role: 'admin' }]);
  const audit = await t.request('GET', `/api/orgs/${org.id}/audit?limit=500`, { cookie: await t.login(admin) });
  const shown = audit.json<{ events: { action: string; targetName: string | null; details: unknown }[] }>().events.filter((e) => e.action === 'auth.rate-limited' && e.targetName === 'Bo Blocked');
  expect(shown).toEqual([expect.objectContaining({ details: { attempts: 50 } })]);
  console.log(JSON.stringify({ refusedAttempts: 50, auditRows: rows.length, elapsedMs: Math.round(elapsedMs) }));

  // A block that begins after the last one ended is a row of its own.
  t.clock.advance(15 * MINUTE);
  for (let i = 1; i <= 5; i += 1) expect((await signIn(other.app, user.email, `wrong again ${i}`, '10.13.3.1')).statusCode).toBe(401);
  for (let i = 0; i < 3; i += 1) expect((await signIn(t.app, user.email, PASSWORD, '10.13.3.1')).statusCode).toBe(429);
  expect((await rateLimitedRows(user.id, since)).map((row) => row.details)).toEqual([
    { attempts: 50 },
    { attempts: 3 },
  ]);
  await t.stopServer(other.app);
});

test('an address refused for many emails is one audit row naming no one', async () => {
  const address = '10.14.0.1';
  const since = t.clock.now();
  const users = await Promise.all(Array.from({ length: 3 }, () => t.newUser([{ org, role: 'caller' }])));
  for (let i = 1; i <= 30; i += 1) expect((await signIn(t.app, `probe-${i}@example.org`, 'a wrong guess', address)).statusCode).toBe(401);
  for (let i = 0; i < 20; i += 1) {
    const email = i < users.length ? (users[i] as TestUser).email : `probe-more-${i}@example.org`;
    expect((await signIn(t.app, email, PASSWORD, address)).statusCode).toBe(429);
  }
  expect((await rateLimitedRows(null, since)).map((row) => row.details)).toEqual([{ attempts: 20, scope: 'address' }]);
  for (const user of users) expect(await rateLimitedRows(user.id, since)).toEqual([]);
});

test('a blocked unknown email gets exactly the answer of a blocked account', async () => {
  const user = await t.newUser([{ org, role: 'caller' }]);
  const unknown = 'nobody-at-all@example.org';
  for (let i = 1; i <= 5; i += 1) {
    expect((await signIn(t.app, user.email, `wrong ${i}`, `10.15.0.${i}`)).statusCode).toBe(401);
    expect((await signIn(t.app, unknown, `wrong ${i}`, `10.15.1.${i}`)).statusCode).toBe(401);
  }
  const known = answer(await signIn(t.app, user.email, PASSWORD, '10.15.2.1'));
  expect(known.status).toBe(429);
  expect(answer(await signIn(t.app, unknown, PASSWORD, '10.15.2.2'))).toEqual(known);
});

test('only keyed hashes are stored, and failures older than the window are deleted', async () => {
  const user = await t.newUser([{ org, role: 'caller' }]);
  const address = '10.16.0.1';
  for (let i = 1; i <= 5; i += 1) await signIn(t.app, user.email, `wrong ${i}`, address);
  expect((await signIn(t.app, user.email, PASSWORD, address)).statusCode).toBe(429);

  const failures = await t.db.selectFrom('loginFailure').selectAll().execute();
  const blocks = await t.db.selectFrom('loginBlock').selectAll().execute();
  expect(failures.length).toBeGreaterThan(0);
  expect(blocks.length).toBeGreaterThan(0);
  const stored = JSON.stringify([failures, blocks]);
  for (const secret of [user.email, user.email.split('@')[0], address]) expect(stored).not.toContain(secret);
  for (const row of failures) expect(row.keyHash).toMatch(/^[0-9a-f]{64}$/);

  // The next failure after the window has passed sweeps what is older than it.
  t.clock.advance(15 * MINUTE + 1000);
  const now = t.clock.now();
  await signIn(t.app, 'someone-else@example.org', 'a wrong guess', '10.16.0.2');
  expect(await t.db.selectFrom('loginFailure').select('at').where('at', '<=', new Date(now.getTime() - 15 * MINUTE)).execute()).toEqual([]);
  expect(await t.db.selectFrom('loginBlock').select('blockedUntil').where('blockedUntil', '<=', now).execute()).toEqual([]);
  expect(await t.db.selectFrom('loginFailure').select('at').execute()).toHaveLength(2);
});
