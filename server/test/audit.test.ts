// The audit log tells an admin who did what to whom: setup, invites, role changes and sign-ins, with
// names. It never holds a password or a token, and neither does any other table.
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { AuditEventView, CreatedInvite, Me } from '../src/contract/api';
import { createSetupLink } from '../src/modules/accounts/accounts.service';
import { TestContext, sessionCookie } from './harness';

const ADMIN_PASSWORD = 'Sommarstugan vid sjön 1987';
const NEW_PASSWORD = 'Vinterbadet i hamnen 2004';
const WRONG_PASSWORD = 'Vinterbadet i hamnen 2005';

let t: TestContext;
let events: AuditEventView[];
let auditBody: string;
/** Every secret that passed through the API in this file. */
const secrets: string[] = [ADMIN_PASSWORD, NEW_PASSWORD, WRONG_PASSWORD];
let orgId: string;

beforeAll(async () => {
  t = await TestContext.create();

  const setupToken = (await createSetupLink(t.db, t.clock, t.publicUrl)).split('#')[1] ?? '';
  const setup = await t.request('POST', '/api/setup', {
    body: {
      token: setupToken,
      organisation: { name: 'Venstre Nord', kind: 'district', country: 'DK' },
      user: { name: 'Sara Admin', email: 'sara@example.org', password: ADMIN_PASSWORD },
    },
  });
  expect(setup.statusCode).toBe(200);
  const admin = sessionCookie(setup);
  orgId = setup.json<Me>().memberships[0]?.organisationId ?? '';

  const created = await t.request('POST', `/api/orgs/${orgId}/invites`, { cookie: admin, body: { role: 'organizer' } });
  const inviteToken = created.json<CreatedInvite>().url.split('#')[1] ?? '';
  const unused = await t.request('POST', `/api/orgs/${orgId}/invites`, { cookie: admin, body: { role: 'caller', maxUses: 3 } });
  const unusedInvite = unused.json<CreatedInvite>();

  const accepted = await t.request('POST', '/api/invites/accept', {
    body: { token: inviteToken, account: { name: 'Nils Nyman', email: 'nils@example.org', password: NEW_PASSWORD } },
  });
  expect(accepted.statusCode).toBe(200);
  const nils = accepted.json<Me>().user;
  const nilsCookie = sessionCookie(accepted);

  const demoted = await t.request('PATCH', `/api/orgs/${orgId}/members/${nils.id}`, { cookie: admin, body: { role: 'caller' } });
  expect(demoted.statusCode).toBe(200);
  const revoked = await t.request('DELETE', `/api/orgs/${orgId}/invites/${unusedInvite.invite.id}`, { cookie: admin });
  expect(revoked.statusCode).toBe(204);

  expect((await t.request('POST', '/api/auth/logout', { cookie: nilsCookie })).statusCode).toBe(204);
  const failed = await t.request('POST', '/api/auth/login', { body: { email: 'nils@example.org', password: WRONG_PASSWORD } });
  expect(failed.statusCode).toBe(401);
  const signedIn = await t.request('POST', '/api/auth/login', { body: { email: 'nils@example.org', password: NEW_PASSWORD } });
  expect(signedIn.statusCode).toBe(200);

  secrets.push(setupToken, inviteToken, unusedInvite.url.split('#')[1] ?? '');
  for (const cookie of [admin, nilsCookie, sessionCookie(signedIn)]) secrets.push(cookie.replace('ringa_session=', ''));

  const audit = await t.request('GET', `/api/orgs/${orgId}/audit`, { cookie: admin });
  expect(audit.statusCode).toBe(200);
  auditBody = audit.body;
  events = audit.json<{ events: AuditEventView[] }>().events;
});
afterAll(() => t.close());

function find(action: AuditEventView['action']): Omit<AuditEventView, 'id' | 'at'>[] {
  return events.filter((e) => e.action === action).map(({ id: _id, at: _at, ...rest }) => rest);
}

test('setup appears with the first admin as actor', () => {
  expect(find('setup.completed')).toEqual([
    { action: 'setup.completed', organisationId: orgId, organisationName: 'Venstre Nord', actorName: 'Sara Admin', targetName: null, details: {} },
  ]);
});

test('invites appear: created, accepted by the new person, revoked', () => {
  expect(find('invite.created')).toEqual([
    expect.objectContaining({ actorName: 'Sara Admin', organisationName: 'Venstre Nord', details: { role: 'caller', maxUses: 3, expiresInDays: 7 } }),
    expect.objectContaining({ actorName: 'Sara Admin', organisationName: 'Venstre Nord', details: { role: 'organizer', maxUses: 1, expiresInDays: 7 } }),
  ]);
  expect(find('invite.accepted')).toEqual([
    expect.objectContaining({ actorName: 'Nils Nyman', targetName: 'Nils Nyman', details: { role: 'organizer', newAccount: true } }),
  ]);
  expect(find('invite.revoked')).toEqual([expect.objectContaining({ actorName: 'Sara Admin', details: { role: 'caller' } })]);
});

test('memberships and role changes appear with who changed whom', () => {
  expect(find('membership.added')).toEqual([
    expect.objectContaining({ actorName: 'Nils Nyman', targetName: 'Nils Nyman', details: { role: 'organizer' } }),
    expect.objectContaining({ actorName: 'Sara Admin', targetName: 'Sara Admin', details: { role: 'admin' } }),
  ]);
  expect(find('membership.role-changed')).toEqual([
    { action: 'membership.role-changed', organisationId: orgId, organisationName: 'Venstre Nord', actorName: 'Sara Admin', targetName: 'Nils Nyman', details: { from: 'organizer', to: 'caller' } },
  ]);
});

test('sign-ins appear, failed and successful, naming the account', () => {
  expect(find('auth.login-failed')).toEqual([expect.objectContaining({ actorName: null, targetName: 'Nils Nyman', organisationId: null })]);
  expect(find('auth.login')).toEqual([expect.objectContaining({ actorName: 'Nils Nyman', targetName: 'Nils Nyman' })]);
});

test('the log is newest first', () => {
  const ids = events.map((e) => e.id);
  expect(ids).toEqual([...ids].sort((a, b) => b - a));
  expect(events[0]?.action).toBe('auth.login');
});

test('no password or token appears in the audit log, as stored or as shown', async () => {
  expect(secrets.every((s) => s.length >= 20)).toBe(true);
  const stored = JSON.stringify(await t.db.selectFrom('auditEvent').selectAll().execute());
  expect(stored).toContain('invite.created'); // the search runs over real events
  for (const secret of secrets) {
    expect(stored).not.toContain(secret);
    expect(auditBody).not.toContain(secret);
  }
});

test('no password or token is stored in plain anywhere in the database', async () => {
  const tables = ['organisation', 'app_user', 'membership', 'session', 'invite', 'setup_token', 'audit_event'] as const;
  const { rows } = await sql
    .raw<{ row: string }>(tables.map((table) => `select to_jsonb(x)::text as row from ${table} x`).join(' union all '))
    .execute(t.db);
  const dump = JSON.stringify(rows);
  expect(dump).toContain('nils@example.org');
  for (const secret of secrets) expect(dump).not.toContain(secret);
});
