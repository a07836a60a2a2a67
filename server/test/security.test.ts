// The edges of the API: changes only from Ringa's own origin, bad input refused with one error shape
// and nothing written, and the headers that keep answers out of caches and pages out of frames.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { PASSWORD, TestContext, errorCode, type TestUser } from './harness';

let t: TestContext;
let org: { id: string; name: string };
let admin: TestUser;
let member: TestUser;
let cookie: string;

beforeAll(async () => {
  t = await TestContext.create();
  org = await t.newOrg({ name: 'Oslo Øst', kind: 'association', country: 'NO' });
  admin = await t.newUser([{ org, role: 'admin' }]);
  member = await t.newUser([{ org, role: 'caller' }]);
  cookie = await t.login(admin);
});
afterAll(() => t.close());

async function roleOfMember(): Promise<string | undefined> {
  const row = await t.db
    .selectFrom('membership')
    .select('role')
    .where('userId', '=', member.id)
    .where('organisationId', '=', org.id)
    .executeTakeFirst();
  return row?.role;
}

describe('CSRF: a change with a session cookie must come from PUBLIC_URL', () => {
  const changes = [
    { what: 'create an invite', method: 'POST', url: () => `/api/orgs/${org.id}/invites`, body: { role: 'caller' } },
    { what: 'change a role', method: 'PATCH', url: () => `/api/orgs/${org.id}/members/${member.id}`, body: { role: 'organizer' } },
    { what: 'remove a member', method: 'DELETE', url: () => `/api/orgs/${org.id}/members/${member.id}` },
    { what: 'sign out', method: 'POST', url: () => '/api/auth/logout' },
  ] as const;

  test.each(changes)('$what: a foreign Origin gets 403 origin_mismatch, no Origin gets 403 origin_required, and nothing changes', async (change) => {
    for (const [origin, code] of [
      ['https://evil.example', 'origin_mismatch'],
      ['http://ringa.test.evil.example', 'origin_mismatch'],
      ['https://ringa.test', 'origin_mismatch'],
      ['http://ringa.test:8080', 'origin_mismatch'],
      ['null', 'origin_mismatch'],
      [null, 'origin_required'],
    ] as const) {
      const countsBefore = await t.tableCounts();
      const response = await t.request(change.method, change.url(), { cookie, origin, ...('body' in change ? { body: change.body } : {}) });
      expect(response.statusCode, `${origin}: ${response.body}`).toBe(403);
      expect(errorCode(response)).toBe(code);
      expect(await t.tableCounts()).toEqual(countsBefore);
      expect(await roleOfMember()).toBe('caller');
      expect((await t.request('GET', '/api/me', { cookie })).statusCode).toBe(200);
    }
  });

  test('the same changes from the right Origin work', async () => {
    const invite = await t.request('POST', `/api/orgs/${org.id}/invites`, { cookie, body: { role: 'caller' } });
    expect(invite.statusCode).toBe(201);
    const patch = await t.request('PATCH', `/api/orgs/${org.id}/members/${member.id}`, { cookie, body: { role: 'organizer' } });
    expect(patch.statusCode).toBe(200);
    expect(await roleOfMember()).toBe('organizer');
    const back = await t.request('PATCH', `/api/orgs/${org.id}/members/${member.id}`, { cookie, body: { role: 'caller' } });
    expect(back.statusCode).toBe(200);

    const own = await t.login(admin);
    const out = await t.request('POST', '/api/auth/logout', { cookie: own });
    expect(out.statusCode).toBe(204);
    expect((await t.request('GET', '/api/me', { cookie: own })).statusCode).toBe(401);
  });

  test('a sign-in from a foreign page is refused; one without a cookie or Origin (a script) is allowed', async () => {
    const body = { email: member.email, password: PASSWORD };
    const foreign = await t.request('POST', '/api/auth/login', { body, origin: 'https://evil.example' });
    expect(foreign.statusCode).toBe(403);
    expect(errorCode(foreign)).toBe('origin_mismatch');
    expect(foreign.cookies).toEqual([]);

    const script = await t.request('POST', '/api/auth/login', { body, origin: null });
    expect(script.statusCode).toBe(200);
  });

  test('reading needs no Origin', async () => {
    const response = await t.request('GET', `/api/orgs/${org.id}/members`, { cookie, headers: { origin: 'https://evil.example' } });
    expect(response.statusCode).toBe(200);
  });
});

describe('bad input answers 400 { error: { code, message } } and writes nothing', () => {
  const orgUrl = () => `/api/orgs/${org.id}`;
  const cases: { what: string; method: 'POST' | 'PATCH' | 'GET'; url: () => string; body?: unknown; raw?: string; code: string; signedIn?: boolean }[] = [
    { what: 'a missing field', method: 'POST', url: () => '/api/auth/login', body: { email: 'a@example.org' }, code: 'validation' },
    { what: 'an empty body', method: 'POST', url: () => `${orgUrl()}/invites`, body: {}, code: 'validation', signedIn: true },
    { what: 'an object for a string', method: 'POST', url: () => '/api/auth/login', body: { email: { $ne: '' }, password: PASSWORD }, code: 'validation' },
    { what: 'a number for a string', method: 'POST', url: () => '/api/auth/login', body: { email: 42, password: PASSWORD }, code: 'validation' },
    { what: 'a list for a role', method: 'PATCH', url: () => `${orgUrl()}/members/${member.id}`, body: { role: ['admin'] }, code: 'validation', signedIn: true },
    { what: 'a string for a number', method: 'POST', url: () => `${orgUrl()}/invites`, body: { role: 'caller', maxUses: '2' }, code: 'validation', signedIn: true },
    { what: 'true for a number', method: 'POST', url: () => `${orgUrl()}/invites`, body: { role: 'caller', expiresInDays: true }, code: 'validation', signedIn: true },
    { what: 'a number out of range', method: 'POST', url: () => `${orgUrl()}/invites`, body: { role: 'caller', expiresInDays: 365 }, code: 'validation', signedIn: true },
    { what: 'an unknown role', method: 'PATCH', url: () => `${orgUrl()}/members/${member.id}`, body: { role: 'owner' }, code: 'validation', signedIn: true },
    { what: 'an extra property', method: 'POST', url: () => '/api/auth/login', body: { email: 'a@example.org', password: PASSWORD, admin: true }, code: 'validation' },
    { what: 'an extra property on a change', method: 'PATCH', url: () => `${orgUrl()}/members/${member.id}`, body: { role: 'organizer', userId: '00000000-0000-4000-8000-000000000000' }, code: 'validation', signedIn: true },
    { what: 'an invalid email', method: 'POST', url: () => '/api/invites/accept', body: { token: 'x'.repeat(43), account: { name: 'N', email: 'not-an-email', password: PASSWORD } }, code: 'validation' },
    { what: 'an unknown time zone', method: 'POST', url: () => `${orgUrl()}/children`, body: { name: 'Grünerløkka', kind: 'group', timeZone: 'Europe/Atlantis' }, code: 'invalid_time_zone', signedIn: true },
    { what: 'an unknown country', method: 'POST', url: () => `${orgUrl()}/children`, body: { name: 'Grünerløkka', kind: 'group', country: 'DE' }, code: 'validation', signedIn: true },
    { what: 'a blank name', method: 'POST', url: () => `${orgUrl()}/children`, body: { name: '   ', kind: 'group' }, code: 'validation', signedIn: true },
    { what: 'invalid JSON', method: 'POST', url: () => '/api/auth/login', raw: '{"email": "a@example.org", "password": ', code: 'invalid_json' },
    { what: 'a non-uuid :orgId', method: 'GET', url: () => '/api/orgs/1', code: 'validation', signedIn: true },
    { what: 'a non-uuid :orgId on a change', method: 'PATCH', url: () => `/api/orgs/not-a-uuid/members/${member.id}`, body: { role: 'organizer' }, code: 'validation', signedIn: true },
    { what: 'a non-uuid :userId', method: 'PATCH', url: () => `${orgUrl()}/members/${member.id}x`, body: { role: 'organizer' }, code: 'validation', signedIn: true },
    { what: 'a bad query number', method: 'GET', url: () => `${orgUrl()}/audit?limit=lots`, code: 'validation', signedIn: true },
    { what: 'an unknown query parameter', method: 'GET', url: () => `${orgUrl()}/audit?offset=5`, code: 'validation', signedIn: true },
  ];

  test.each(cases)('$what', async ({ method, url, body, raw, code, signedIn }) => {
    const countsBefore = await t.tableCounts();
    const response = await t.request(method, url(), {
      ...(signedIn ? { cookie } : {}),
      ...(raw !== undefined ? { body: raw, headers: { 'content-type': 'application/json' } } : body !== undefined ? { body } : {}),
    });
    expect(response.statusCode, response.body).toBe(400);
    const error = response.json<{ error: { code: string; message: string } }>();
    expect(Object.keys(error)).toEqual(['error']);
    expect(error.error.code).toBe(code);
    expect(error.error.message.length).toBeGreaterThan(10);
    expect(await t.tableCounts()).toEqual(countsBefore);
    expect(await roleOfMember()).toBe('caller');
  });

  test.each([
    ['too short', 'short1'],
    ['common', 'password123'],
    ['one character repeated', 'aaaaaaaaaaaa'],
  ])('a %s password gets 400 weak_password that says what to change', async (_what, password) => {
    const created = await t.request('POST', `/api/orgs/${org.id}/invites`, { cookie, body: { role: 'caller' } });
    const token = created.json<{ url: string }>().url.split('#')[1];
    const countsBefore = await t.tableCounts();
    const response = await t.request('POST', '/api/invites/accept', {
      body: { token, account: { name: 'Nils', email: 'nils@example.org', password } },
    });
    expect(response.statusCode).toBe(400);
    expect(errorCode(response)).toBe('weak_password');
    expect(response.json<{ error: { message: string } }>().error.message).toMatch(/password/i);
    expect(await t.tableCounts()).toEqual(countsBefore);
  });

  test('a body over 1 MiB gets 413 and nothing is read', async () => {
    const countsBefore = await t.tableCounts();
    const response = await t.request('POST', '/api/auth/login', {
      body: JSON.stringify({ email: 'a@example.org', password: 'x'.repeat(1024 * 1024) }),
      headers: { 'content-type': 'application/json' },
    });
    expect(response.statusCode).toBe(413);
    expect(errorCode(response)).toBe('body_too_large');
    expect(await t.tableCounts()).toEqual(countsBefore);
  });

  test('an unknown address gets 404 with the same error shape', async () => {
    for (const method of ['GET', 'POST'] as const) {
      const response = await t.request(method, '/api/no-such-thing?x=1', { cookie });
      expect(response.statusCode).toBe(404);
      expect(response.json()).toEqual({ error: { code: 'not_found', message: `No such address: ${method} /api/no-such-thing` } });
    }
  });
});

describe('headers', () => {
  test.each([
    ['a success', 'GET', '/api/health', 200],
    ['a signed-in answer', 'GET', '/api/me', 200],
    ['an error', 'GET', '/api/orgs/1', 400],
    ['an unknown address', 'GET', '/api/nothing-here', 404],
    ['a refused change', 'POST', '/api/auth/logout', 403],
  ] as const)('%s under /api is never cached and carries the security headers', async (_what, method, url, status) => {
    const response = await t.request(method, url, { cookie, origin: 'https://evil.example' });
    expect(response.statusCode).toBe(status);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['referrer-policy']).toBe('same-origin');
    expect(response.headers['x-frame-options']).toBe('DENY');

    const csp = String(response.headers['content-security-policy']);
    const directives = new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name, values]));
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(csp).not.toContain('unsafe-eval');
  });

  test('over plain http the cookie is not marked Secure and no HSTS is sent (local installs)', async () => {
    const response = await t.request('POST', '/api/auth/login', { body: { email: member.email, password: PASSWORD }, remoteAddress: '10.9.0.1' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['strict-transport-security']).toBeUndefined();
    expect(response.cookies.find((c) => c.name === 'ringa_session')?.secure).toBeFalsy();
  });
});

test('the API is described by OpenAPI at /api/docs, every route with its schemas', async () => {
  const response = await t.request('GET', '/api/docs/json');
  expect(response.statusCode).toBe(200);
  const spec = response.json<{ openapi: string; paths: Record<string, Record<string, { requestBody?: unknown; responses: Record<string, unknown> }>> }>();
  expect(spec.openapi).toMatch(/^3\./);
  expect(Object.keys(spec.paths)).toEqual(
    expect.arrayContaining(['/api/health', '/api/auth/login', '/api/me', '/api/orgs/{orgId}/members', '/api/orgs/{orgId}/invites', '/api/orgs/{orgId}/audit', '/api/invites/accept']),
  );
  expect(spec.paths['/api/auth/login']?.post?.requestBody).toBeDefined();
  expect(Object.keys(spec.paths['/api/auth/login']?.post?.responses ?? {})).toEqual(expect.arrayContaining(['200', '401', '429']));
  expect((await t.request('GET', '/api/docs/')).statusCode).toBe(200);
});
