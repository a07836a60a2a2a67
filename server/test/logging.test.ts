// What reaches the log: one line per request naming the route pattern, never the URL with its ids,
// and for a failure the error's name and message, never the values a driver error carries.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { buildApp, type App } from '../src/app';
import { TestContext } from './harness';

let t: TestContext;
let app: App;
const lines: string[] = [];

beforeAll(async () => {
  t = await TestContext.create();
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  app = await buildApp({ db: t.db, clock: t.clock, publicUrl: t.publicUrl, sessionSecret: 'z'.repeat(40), logger: { level: 'info', stream } });
  // A route that fails the way a database constraint does, with personal data in the driver's detail.
  app.get('/api/test/fail', async () => {
    throw Object.assign(new Error('duplicate key value violates unique constraint "app_user_email_unique"'), {
      code: '23505',
      detail: 'Key (email)=(kim.andersson@example.org) already exists.',
    });
  });
  await app.ready();
});
afterAll(async () => {
  await app.close();
  await t.close();
});

test('a failure answers 500 without internals and logs no personal data', async () => {
  const response = await app.inject({ method: 'GET', url: '/api/test/fail' });
  expect(response.statusCode).toBe(500);
  expect(response.json()).toEqual({ error: { code: 'internal', message: 'Something went wrong on our side. Please try again.' } });
  const log = lines.join('');
  expect(log).toContain('request failed');
  expect(log).toContain('app_user_email_unique');
  expect(log).not.toContain('kim.andersson@example.org');
});

test('request lines name the route pattern, not the URL with ids, and no body or cookie', async () => {
  const org = await t.newOrg();
  const user = await t.newUser([{ org, role: 'organizer' }], { email: 'olle.organizer@example.org' });
  lines.length = 0;
  const login = await app.inject({
    method: 'POST',
    url: '/api/auth/login',
    headers: { origin: t.origin },
    payload: { email: user.email, password: 'correct horse battery' },
  });
  expect(login.statusCode).toBe(200);
  const cookie = `ringa_session=${login.cookies[0]?.value ?? ''}`;
  const members = await app.inject({ method: 'GET', url: `/api/orgs/${org.id}/members`, headers: { cookie } });
  expect(members.statusCode).toBe(200);
  const log = lines.join('');
  expect(log).toContain('"route":"/api/orgs/:orgId/members"');
  expect(log).not.toContain(org.id);
  expect(log).not.toContain('olle.organizer@example.org');
  expect(log).not.toContain('correct horse battery');
  expect(log).not.toContain(login.cookies[0]?.value ?? 'no cookie');
});
