// Signing in and staying signed in: one answer for every failed sign-in, limits per account and per
// address, sessions that end when idle, when old, at sign-out, at the next sign-in, and when disabled.
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { AuditEventView } from '../src/contract/api';
import { PASSWORD, TestContext, errorCode, sessionCookie, type TestUser } from './harness';

// Tests move the clock by hours and days, so the admin signs in afresh whenever needed.
const adminCookie = () => t.login(admin);

const MINUTE = 60 * 1000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

let t: TestContext;
let org: { id: string; name: string };
let admin: TestUser;

beforeAll(async () => {
  t = await TestContext.create();
  org = await t.newOrg({ name: 'Region Nord', kind: 'district', country: 'DK' });
  admin = await t.newUser([{ org, role: 'admin' }], { name: 'Ada Admin' });
});
afterAll(() => t.close());

function signIn(email: string, password: string, options: { remoteAddress?: string; cookie?: string } = {}) {
  return t.request('POST', '/api/auth/login', { body: { email, password }, ...options });
}

async function meStatus(cookie: string): Promise<number> {
  return (await t.request('GET', '/api/me', { cookie })).statusCode;
}

function answer(response: LightMyRequestResponse) {
  return { status: response.statusCode, body: response.json<unknown>(), setsCookie: response.cookies.length > 0 };
}

async function auditOf(orgId: string): Promise<AuditEventView[]> {
  const response = await t.request('GET', `/api/orgs/${orgId}/audit?limit=500`, { cookie: await adminCookie() });
  expect(response.statusCode).toBe(200);
  return response.json<{ events: AuditEventView[] }>().events;
}

describe('sign-in', () => {
  test('the right password signs in and sets an HttpOnly, SameSite cookie that lasts 30 days', async () => {
    const user = await t.newUser([{ org, role: 'caller' }]);
    const response = await signIn(user.email.toUpperCase(), PASSWORD);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ user: { id: user.id, email: user.email } });
    const cookie = response.cookies.find((c) => c.name === 'ringa_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/', maxAge: 30 * 24 * 60 * 60 });
    expect((await t.me(sessionCookie(response))).user.id).toBe(user.id);
  });

  test('an unknown email, a wrong password and a disabled account get the same answer', async () => {
    const user = await t.newUser([{ org, role: 'caller' }]);
    const disabled = await t.newUser([{ org, role: 'caller' }]);
    const off = await t.request('POST', `/api/orgs/${org.id}/users/${disabled.id}/disable`, { cookie: await adminCookie() });
    expect(off.statusCode).toBe(204);

    const unknown = await signIn('nobody-here@example.org', PASSWORD, { remoteAddress: '10.0.0.1' });
    const wrong = await signIn(user.email, 'not the password at all', { remoteAddress: '10.0.0.1' });
    const disabledRight = await signIn(disabled.email, PASSWORD, { remoteAddress: '10.0.0.1' });

    expect(answer(unknown)).toEqual({
      status: 401,
      body: { error: { code: 'invalid_credentials', message: 'The email or password is wrong.' } },
      setsCookie: false,
    });
    expect(answer(wrong)).toEqual(answer(unknown));
    expect(answer(disabledRight)).toEqual(answer(unknown));
  });

  test('after 5 failures the account is locked for 15 minutes, even with the right password and from another address', async () => {
    const user = await t.newUser([{ org, role: 'caller' }]);
    for (let i = 1; i <= 5; i++) {
      const response = await signIn(user.email, `wrong password ${i}`, { remoteAddress: `10.1.0.${i}` });
      expect(response.statusCode).toBe(401);
    }
    const sessionsBefore = (await t.tableCounts()).session;

    const locked = await signIn(user.email, PASSWORD, { remoteAddress: '10.1.0.99' });
    expect(locked.statusCode).toBe(429);
    expect(errorCode(locked)).toBe('rate_limited');
    expect(locked.headers['retry-after']).toBe('900');
    expect(locked.json<{ error: { message: string } }>().error.message).toContain('15 minutes');
    expect(locked.cookies).toEqual([]);

    t.clock.advance(14 * MINUTE);
    const stillLocked = await signIn(user.email, PASSWORD, { remoteAddress: '10.1.0.99' });
    expect(stillLocked.statusCode).toBe(429);
    expect(stillLocked.headers['retry-after']).toBe('60');
    expect((await t.tableCounts()).session).toBe(sessionsBefore);

    // Someone else's account is not affected by this one's lock.
    const other = await t.newUser([{ org, role: 'caller' }]);
    expect((await signIn(other.email, PASSWORD, { remoteAddress: '10.1.0.99' })).statusCode).toBe(200);

    t.clock.advance(1 * MINUTE);
    const released = await signIn(user.email, PASSWORD, { remoteAddress: '10.1.0.99' });
    expect(released.statusCode).toBe(200);
    expect(await meStatus(sessionCookie(released))).toBe(200);
  });

  test('after 30 failures from one address across different emails, that address is locked for 15 minutes', async () => {
    const user = await t.newUser([{ org, role: 'caller' }]);
    const address = '10.2.0.1';
    for (let i = 1; i <= 30; i++) {
      const response = await signIn(`guess-${i}@example.org`, 'some password guess', { remoteAddress: address });
      expect(response.statusCode).toBe(401);
    }

    const locked = await signIn(user.email, PASSWORD, { remoteAddress: address });
    expect(locked.statusCode).toBe(429);
    expect(errorCode(locked)).toBe('rate_limited');
    expect(Number(locked.headers['retry-after'])).toBe(900);

    // The same account from another address is fine: the lock is on the address.
    expect((await signIn(user.email, PASSWORD, { remoteAddress: '10.2.0.2' })).statusCode).toBe(200);

    t.clock.advance(15 * MINUTE);
    expect((await signIn(user.email, PASSWORD, { remoteAddress: address })).statusCode).toBe(200);
  });

  test('a failed and a successful sign-in appear in the audit log with the person named', async () => {
    const user = await t.newUser([{ org, role: 'caller' }], { name: 'Signe Signin' });
    expect((await signIn(user.email, 'wrong wrong wrong', { remoteAddress: '10.3.0.1' })).statusCode).toBe(401);
    expect((await signIn(user.email, PASSWORD, { remoteAddress: '10.3.0.1' })).statusCode).toBe(200);

    const events = (await auditOf(org.id)).filter((e) => e.targetName === 'Signe Signin' && e.action.startsWith('auth.'));
    expect(events.map((e) => ({ action: e.action, actorName: e.actorName, targetName: e.targetName }))).toEqual([
      { action: 'auth.login', actorName: 'Signe Signin', targetName: 'Signe Signin' },
      { action: 'auth.login-failed', actorName: null, targetName: 'Signe Signin' },
    ]);
  });
});

describe('sessions', () => {
  test('a session ends after 8 hours without requests; activity within 8 hours keeps it alive', async () => {
    const user = await t.newUser([{ org, role: 'caller' }]);
    const cookie = await t.login(user);

    t.clock.advance(8 * HOUR - MINUTE);
    expect(await meStatus(cookie)).toBe(200);
    t.clock.advance(8 * HOUR - MINUTE);
    expect(await meStatus(cookie)).toBe(200); // 16 hours after sign-in, alive because it was used

    t.clock.advance(8 * HOUR);
    const expired = await t.request('GET', '/api/me', { cookie });
    expect(expired.statusCode).toBe(401);
    expect(errorCode(expired)).toBe('unauthenticated');
    // The browser is told to drop the dead cookie.
    expect(expired.cookies).toContainEqual(expect.objectContaining({ name: 'ringa_session', value: '' }));

    // A fresh session without any activity ends after 8 hours too.
    const idle = await t.login(user);
    t.clock.advance(8 * HOUR);
    expect(await meStatus(idle)).toBe(401);
  });

  test('a session ends 30 days after sign-in even when used all the time', async () => {
    const user = await t.newUser([{ org, role: 'caller' }]);
    const cookie = await t.login(user);
    let elapsed = 0;
    while (elapsed + 7 * HOUR < 30 * DAY) {
      t.clock.advance(7 * HOUR);
      elapsed += 7 * HOUR;
      expect(await meStatus(cookie)).toBe(200);
    }
    t.clock.advance(30 * DAY - elapsed); // less than 8 hours since the last request
    expect(await meStatus(cookie)).toBe(401);
  });

  test('signing out ends the session; the same account in another browser stays signed in', async () => {
    const user = await t.newUser([{ org, role: 'caller' }]);
    const laptop = await t.login(user);
    const phone = await t.login(user);

    const out = await t.request('POST', '/api/auth/logout', { cookie: laptop });
    expect(out.statusCode).toBe(204);
    expect(out.cookies).toContainEqual(expect.objectContaining({ name: 'ringa_session', value: '' }));

    const after = await t.request('GET', '/api/me', { cookie: laptop });
    expect(after.statusCode).toBe(401);
    expect(errorCode(after)).toBe('unauthenticated');
    expect(await meStatus(phone)).toBe(200);
  });

  test('each sign-in gets a new session id, and the cookie sent along with a sign-in stops working', async () => {
    const user = await t.newUser([{ org, role: 'caller' }]);
    const first = await t.login(user);
    const second = await t.login(user); // another browser
    expect(second).not.toBe(first);

    const again = await signIn(user.email, PASSWORD, { cookie: first }); // the first browser signs in again
    expect(again.statusCode).toBe(200);
    const third = sessionCookie(again);
    expect(third).not.toBe(first);
    expect(third).not.toBe(second);

    expect(await meStatus(first)).toBe(401);
    expect(await meStatus(third)).toBe(200);
    expect(await meStatus(second)).toBe(200);
  });

  test('signing in with an expired cookie in the browser gives a working new one', async () => {
    const user = await t.newUser([{ org, role: 'caller' }]);
    const stale = await t.login(user);
    t.clock.advance(9 * HOUR);
    const response = await signIn(user.email, PASSWORD, { cookie: stale });
    expect(response.statusCode).toBe(200);
    expect(response.cookies.filter((c) => c.name === 'ringa_session')).toHaveLength(1);
    expect(await meStatus(sessionCookie(response))).toBe(200);
  });

  test('disabling an account ends all its sessions at once, and it cannot sign in again', async () => {
    const user = await t.newUser([{ org, role: 'caller' }]);
    const laptop = await t.login(user);
    const phone = await t.login(user);
    expect(await meStatus(laptop)).toBe(200);

    const response = await t.request('POST', `/api/orgs/${org.id}/users/${user.id}/disable`, { cookie: await adminCookie() });
    expect(response.statusCode).toBe(204);

    // Ended at once, not only refused when next used.
    const left = await t.db.selectFrom('session').select('id').where('userId', '=', user.id).execute();
    expect(left).toEqual([]);
    expect(await meStatus(laptop)).toBe(401);
    expect(await meStatus(phone)).toBe(401);
    const retry = await signIn(user.email, PASSWORD, { remoteAddress: '10.4.0.1' });
    expect(retry.statusCode).toBe(401);
    expect(errorCode(retry)).toBe('invalid_credentials');

    const members = await t.request('GET', `/api/orgs/${org.id}/members`, { cookie: await adminCookie() });
    expect(members.json<{ members: { userId: string; disabled: boolean }[] }>().members).toContainEqual(
      expect.objectContaining({ userId: user.id, disabled: true }),
    );
  });
});

test('signing out is recorded in the audit log', async () => {
  const person = await t.newUser([{ org, role: 'caller' }], { name: 'Sigrid Signout' });
  const cookie = await t.login(person);
  expect((await t.request('POST', '/api/auth/logout', { cookie })).statusCode).toBe(204);
  const events = await auditOf(org.id);
  expect(events.some((event) => event.action === 'auth.logout' && event.targetName === 'Sigrid Signout')).toBe(true);
});

test('behind a trusted proxy (TRUST_PROXY), the per-address limit counts the forwarded address, not the proxy', async () => {
  const proxied = await TestContext.create({ trustProxy: ['127.0.0.1'] });
  try {
    const home = await proxied.newOrg();
    const person = await proxied.newUser([{ org: home, role: 'caller' }]);
    const from = (address: string, email: string, password: string) =>
      proxied.request('POST', '/api/auth/login', { body: { email, password }, headers: { 'x-forwarded-for': address } });
    for (let i = 0; i < 30; i += 1) expect((await from('203.0.113.7', `guess-${i}@example.org`, 'a wrong guess')).statusCode).toBe(401);
    expect((await from('203.0.113.7', person.email, PASSWORD)).statusCode).toBe(429);
    // Everyone else behind the same proxy still signs in.
    expect((await from('198.51.100.20', person.email, PASSWORD)).statusCode).toBe(200);
  } finally {
    await proxied.close();
  }
});

describe('language', () => {
  test('the language a person chooses is kept on their account and read back in every browser', async () => {
    const person = await t.newUser([{ org, role: 'caller' }], { name: 'Lars Lund' });
    const laptop = await t.login(person);
    const before = await t.request('GET', '/api/me', { cookie: laptop });
    expect(before.json<{ user: { language: string | null } }>().user.language).toBeNull();

    const chosen = await t.request('PUT', '/api/me', { cookie: laptop, body: { language: 'nb' } });
    expect(chosen.statusCode).toBe(200);
    expect(chosen.json<{ user: { language: string } }>().user.language).toBe('nb');

    const phone = await t.login(person);
    expect((await t.request('GET', '/api/me', { cookie: phone })).json<{ user: { language: string } }>().user.language).toBe('nb');

    const wrong = await t.request('PUT', '/api/me', { cookie: laptop, body: { language: 'fi' } });
    expect(wrong.statusCode).toBe(400);
    expect(errorCode(wrong)).toBe('validation');
    expect((await t.request('GET', '/api/me', { cookie: laptop })).json<{ user: { language: string } }>().user.language).toBe('nb');

    expect((await t.request('PUT', '/api/me', { body: { language: 'sv' } })).statusCode).toBe(401);
  });
});
