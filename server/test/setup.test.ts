// First run: a new installation has no accounts; the one-time link the server prints names the
// top organisation and creates its first admin, all or nothing, and only once.
import { afterEach, beforeEach, expect, test } from 'vitest';
import type { Me, OrganisationView } from '../src/contract/api';
import { createSetupLink } from '../src/modules/accounts/accounts.service';
import { TestContext, errorCode, sessionCookie } from './harness';

const HOUR = 60 * 60 * 1000;

// Every test starts from an empty installation of its own.
let t: TestContext;
beforeEach(async () => {
  t = await TestContext.create();
});
afterEach(() => t.close());

async function setupToken(): Promise<string> {
  const link = await createSetupLink(t.db, t.clock, t.publicUrl);
  expect(link.startsWith('http://ringa.test/setup#')).toBe(true);
  return link.split('#')[1] ?? '';
}

function setupBody(token: string, overrides: { organisation?: object; user?: object } = {}) {
  return {
    token,
    organisation: { name: 'Socialdemokraterna i Skåne', kind: 'district', country: 'SE', ...overrides.organisation },
    user: { name: 'Sara Setup', email: 'sara@example.org', password: 'a long and unusual passphrase', ...overrides.user },
  };
}

async function setupNeeded(): Promise<boolean> {
  const response = await t.request('GET', '/api/setup');
  expect(response.statusCode).toBe(200);
  return response.json<{ needed: boolean }>().needed;
}

/** A refused setup answers with this status and code, writes nothing (the link's use included), and setup is still needed. */
async function expectRefused(body: unknown, status: number, code: string): Promise<void> {
  const countsBefore = await t.tableCounts();
  const setupTokensBefore = await t.db.selectFrom('setupToken').selectAll().orderBy('createdAt').execute();
  const response = await t.request('POST', '/api/setup', { body });
  expect(response.statusCode, response.body).toBe(status);
  expect(errorCode(response)).toBe(code);
  expect(response.cookies).toEqual([]);
  expect(await t.tableCounts()).toEqual(countsBefore);
  expect(await t.db.selectFrom('setupToken').selectAll().orderBy('createdAt').execute()).toEqual(setupTokensBefore);
}

test('the link creates the top organisation, its first admin and a session', async () => {
  expect(await setupNeeded()).toBe(true);
  const response = await t.request('POST', '/api/setup', { body: setupBody(await setupToken()) });
  expect(response.statusCode, response.body).toBe(200);

  const me = response.json<Me>();
  expect(me.user).toMatchObject({ name: 'Sara Setup', email: 'sara@example.org' });
  expect(me.memberships).toEqual([
    expect.objectContaining({ organisationName: 'Socialdemokraterna i Skåne', organisationKind: 'district', role: 'admin' }),
  ]);
  const cookie = sessionCookie(response);
  expect((await t.me(cookie)).user.id).toBe(me.user.id);

  const orgs = await t.request('GET', '/api/orgs', { cookie });
  expect(orgs.json<{ organisations: OrganisationView[] }>().organisations).toEqual([
    expect.objectContaining({ name: 'Socialdemokraterna i Skåne', parentId: null, country: 'SE', timeZone: 'Europe/Stockholm', myRole: 'admin' }),
  ]);
  expect(await setupNeeded()).toBe(false);
  // The admin can sign in later with the chosen password.
  await expect(t.login({ email: 'sara@example.org' }, 'a long and unusual passphrase')).resolves.toMatch(/^ringa_session=/);
});

test('a second setup is refused with 409 setup_done, with the used link and with a fresh one', async () => {
  const token = await setupToken();
  expect((await t.request('POST', '/api/setup', { body: setupBody(token) })).statusCode).toBe(200);

  await expectRefused(setupBody(token, { user: { email: 'mallory@example.org' } }), 409, 'setup_done');
  await expectRefused(setupBody(await setupToken(), { user: { email: 'mallory@example.org' } }), 409, 'setup_done');
  expect(await setupNeeded()).toBe(false);
});

test('a link older than 24 hours is refused with 403 setup_token_invalid', async () => {
  const token = await setupToken();
  t.clock.advance(24 * HOUR);
  await expectRefused(setupBody(token), 403, 'setup_token_invalid');
  expect(await setupNeeded()).toBe(true);
});

test('a link still works just before 24 hours', async () => {
  const token = await setupToken();
  t.clock.advance(24 * HOUR - 60_000);
  expect((await t.request('POST', '/api/setup', { body: setupBody(token) })).statusCode).toBe(200);
});

test('a wrong token, or a link replaced by a newer one, is refused with 403 setup_token_invalid', async () => {
  const older = await setupToken();
  const newer = await setupToken();
  await expectRefused(setupBody(`${newer.slice(0, -3)}abc`), 403, 'setup_token_invalid');
  await expectRefused(setupBody(older), 403, 'setup_token_invalid');
  expect((await t.request('POST', '/api/setup', { body: setupBody(newer) })).statusCode).toBe(200);
});

test('bad details write nothing, and the same link works once they are corrected', async () => {
  const token = await setupToken();
  await expectRefused(setupBody(token, { user: { password: 'short' } }), 400, 'weak_password');
  // The account would be valid; the organisation is not, so the account must not be left behind.
  await expectRefused(setupBody(token, { organisation: { timeZone: 'Europe/Atlantis' } }), 400, 'invalid_time_zone');
  await expectRefused(setupBody(token, { organisation: { country: 'DE' } }), 400, 'validation');
  await expectRefused(setupBody(token, { user: { email: 'not an email' } }), 400, 'validation');
  expect(await setupNeeded()).toBe(true);

  const response = await t.request('POST', '/api/setup', { body: setupBody(token, { organisation: { country: 'FI' } }) });
  expect(response.statusCode, response.body).toBe(200);
  expect(await t.request('GET', '/api/orgs', { cookie: sessionCookie(response) }).then((r) => r.json<unknown>())).toMatchObject({
    organisations: [{ country: 'FI', timeZone: 'Europe/Helsinki' }],
  });
});
