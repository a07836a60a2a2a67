// Invite links: created by organizers, previewed and accepted by the people they are sent to, and
// refused once expired, used up or revoked. A refused acceptance leaves no account and no use behind.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { CreatedInvite, InviteView, Me } from '../src/contract/api';
import { PASSWORD, TestContext, errorCode, sessionCookie, type TestUser } from './harness';

const DAY = 24 * 60 * 60 * 1000;

let t: TestContext;
let org: { id: string; name: string };
let organizer: TestUser;
let n = 0;

beforeAll(async () => {
  t = await TestContext.create();
  const top = await t.newOrg({ name: 'Region Syd', kind: 'district' });
  org = await t.newOrg({ parent: top, name: 'Malmö Centrum' });
  organizer = await t.newUser([{ org, role: 'organizer' }], { name: 'Olga Organizer' });
});
afterAll(() => t.close());

// Tests move the clock by days, so the organizer signs in afresh for each request.
const organizerCookie = () => t.login(organizer);

async function createInvite(body: { role: 'caller' | 'organizer'; maxUses?: number; expiresInDays?: number }) {
  const response = await t.request('POST', `/api/orgs/${org.id}/invites`, { cookie: await organizerCookie(), body });
  expect(response.statusCode, response.body).toBe(201);
  const created = response.json<CreatedInvite>();
  const token = created.url.split('#')[1] ?? '';
  return { ...created, token };
}

async function listed(inviteId: string): Promise<InviteView | undefined> {
  const response = await t.request('GET', `/api/orgs/${org.id}/invites`, { cookie: await organizerCookie() });
  expect(response.statusCode).toBe(200);
  return response.json<{ invites: InviteView[] }>().invites.find((i) => i.id === inviteId);
}

function newAccount(overrides: Partial<{ name: string; email: string; password: string }> = {}) {
  n += 1;
  return { name: `Ny Ringare ${n}`, email: `ny-${n}@example.org`, password: PASSWORD, ...overrides };
}

function accept(token: string, account?: ReturnType<typeof newAccount>, cookie?: string) {
  return t.request('POST', '/api/invites/accept', { body: { token, ...(account ? { account } : {}) }, ...(cookie ? { cookie } : {}) });
}

async function userIdByEmail(email: string): Promise<string | undefined> {
  return (await t.db.selectFrom('appUser').select('id').where('email', '=', email).executeTakeFirst())?.id;
}

/** Accepting must fail with this status and code, and write nothing: no account, no membership, no use. */
async function expectRefusedAcceptance(token: string, inviteId: string, status: number, code: string, account?: ReturnType<typeof newAccount>, cookie?: string) {
  const uses = async () => (await t.db.selectFrom('invite').select('uses').where('id', '=', inviteId).executeTakeFirstOrThrow()).uses;
  const countsBefore = await t.tableCounts();
  const usesBefore = await uses();
  const response = await accept(token, account, cookie);
  expect(response.statusCode, response.body).toBe(status);
  expect(errorCode(response)).toBe(code);
  expect(response.cookies).toEqual([]);
  expect(await t.tableCounts()).toEqual(countsBefore);
  expect(await uses()).toBe(usesBefore);
  if (account) expect(await userIdByEmail(account.email)).toBeUndefined();
}

describe('creating and previewing', () => {
  test('an organizer creates a link that carries its token after #, shown once and stored only as a hash', async () => {
    const before = t.clock.now().getTime();
    const { invite, url, token } = await createInvite({ role: 'caller', maxUses: 5, expiresInDays: 3 });
    expect(url.startsWith('http://ringa.test/invite#')).toBe(true);
    expect(token.length).toBeGreaterThanOrEqual(40);
    expect(invite).toMatchObject({ organisationId: org.id, role: 'caller', status: 'active', maxUses: 5, uses: 0, createdByName: 'Olga Organizer' });
    expect(new Date(invite.expiresAt).getTime()).toBe(before + 3 * DAY);

    expect(await listed(invite.id)).toEqual(invite);
    const stored = await t.db.selectFrom('invite').selectAll().where('id', '=', invite.id).executeTakeFirstOrThrow();
    expect(JSON.stringify(stored)).not.toContain(token);
  });

  test('by default a link is good for one use within 7 days', async () => {
    const { invite } = await createInvite({ role: 'caller' });
    expect(invite.maxUses).toBe(1);
    expect(new Date(invite.expiresAt).getTime() - new Date(invite.createdAt).getTime()).toBe(7 * DAY);
  });

  test('anyone with the link sees where it leads and with which role; a wrong token is not found', async () => {
    const { token } = await createInvite({ role: 'organizer' });
    const preview = await t.request('POST', '/api/invites/preview', { body: { token } });
    expect(preview.statusCode).toBe(200);
    expect(preview.json()).toEqual({ organisationName: 'Malmö Centrum', organisationPath: 'Region Syd / Malmö Centrum', role: 'organizer' });

    const wrong = await t.request('POST', '/api/invites/preview', { body: { token: `${token.slice(0, -2)}xx` } });
    expect(wrong.statusCode).toBe(404);
    expect(errorCode(wrong)).toBe('invite_not_found');
  });
});

describe('accepting', () => {
  test('a new person creates an account, is signed in, and is a member with the invite’s role', async () => {
    const { invite, token } = await createInvite({ role: 'organizer' });
    const account = newAccount({ name: 'Nora Newcomer', email: 'Nora@Example.org' });
    const response = await accept(token, account);
    expect(response.statusCode, response.body).toBe(200);
    const me = response.json<Me>();
    expect(me.user).toMatchObject({ name: 'Nora Newcomer', email: 'nora@example.org' });
    expect(me.memberships).toEqual([expect.objectContaining({ organisationId: org.id, role: 'organizer' })]);

    const cookie = sessionCookie(response);
    expect((await t.me(cookie)).user.id).toBe(me.user.id);
    expect((await listed(invite.id))?.uses).toBe(1);
    // The new account's password works for signing in later.
    await expect(t.login({ email: 'nora@example.org' })).resolves.toMatch(/^ringa_session=/);
  });

  test('a signed-in person joins with their own account and keeps their session', async () => {
    const other = await t.newOrg({ name: 'Lund' });
    const person = await t.newUser([{ org: other, role: 'admin' }]);
    const cookie = await t.login(person);
    const { invite, token } = await createInvite({ role: 'caller' });
    const usersBefore = (await t.tableCounts()).app_user;

    const response = await accept(token, undefined, cookie);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.cookies).toEqual([]);
    const me = response.json<Me>();
    expect(me.user.id).toBe(person.id);
    expect(me.memberships.map((m) => [m.organisationId, m.role]).sort()).toEqual(
      [
        [other.id, 'admin'],
        [org.id, 'caller'],
      ].sort(),
    );
    expect((await t.tableCounts()).app_user).toBe(usersBefore);
    expect((await listed(invite.id))?.uses).toBe(1);
  });

  test('a caller who accepts an organizer invite becomes organizer', async () => {
    const caller = await t.newUser([{ org, role: 'caller' }]);
    const { token } = await createInvite({ role: 'organizer' });
    const response = await accept(token, undefined, await t.login(caller));
    expect(response.statusCode).toBe(200);
    expect(response.json<Me>().memberships).toEqual([expect.objectContaining({ organisationId: org.id, role: 'organizer' })]);
  });

  test('someone who already has that role here is told so, and the use is not counted', async () => {
    const caller = await t.newUser([{ org, role: 'caller' }]);
    const { invite, token } = await createInvite({ role: 'caller' });
    await expectRefusedAcceptance(token, invite.id, 409, 'already_member', undefined, await t.login(caller));
  });

  test('without a session and without account details the answer is 401', async () => {
    const { invite, token } = await createInvite({ role: 'caller' });
    await expectRefusedAcceptance(token, invite.id, 401, 'unauthenticated');
  });
});

describe('limits', () => {
  test('a link expires after its days: preview and acceptance answer 410 invite_expired', async () => {
    const { invite, token } = await createInvite({ role: 'caller', expiresInDays: 2 });
    t.clock.advance(2 * DAY - 60_000);
    expect((await t.request('POST', '/api/invites/preview', { body: { token } })).statusCode).toBe(200);

    t.clock.advance(60_000);
    const preview = await t.request('POST', '/api/invites/preview', { body: { token } });
    expect(preview.statusCode).toBe(410);
    expect(errorCode(preview)).toBe('invite_expired');
    await expectRefusedAcceptance(token, invite.id, 410, 'invite_expired', newAccount());
    expect((await listed(invite.id))?.status).toBe('expired');
  });

  test('a link for 2 uses lets two people in and refuses the third with 410 invite_used_up', async () => {
    const { invite, token } = await createInvite({ role: 'caller', maxUses: 2 });
    expect((await accept(token, newAccount())).statusCode).toBe(200);
    expect((await listed(invite.id))).toMatchObject({ uses: 1, status: 'active' });
    expect((await accept(token, newAccount())).statusCode).toBe(200);
    expect((await listed(invite.id))).toMatchObject({ uses: 2, status: 'used-up' });

    await expectRefusedAcceptance(token, invite.id, 410, 'invite_used_up', newAccount());
    const preview = await t.request('POST', '/api/invites/preview', { body: { token } });
    expect(errorCode(preview)).toBe('invite_used_up');
  });

  test('a revoked link answers 410 invite_revoked', async () => {
    const { invite, token } = await createInvite({ role: 'caller', maxUses: 10 });
    const revoke = await t.request('DELETE', `/api/orgs/${org.id}/invites/${invite.id}`, { cookie: await organizerCookie() });
    expect(revoke.statusCode).toBe(204);

    const preview = await t.request('POST', '/api/invites/preview', { body: { token } });
    expect(preview.statusCode).toBe(410);
    expect(errorCode(preview)).toBe('invite_revoked');
    await expectRefusedAcceptance(token, invite.id, 410, 'invite_revoked', newAccount());
    const view = await listed(invite.id);
    expect(view?.status).toBe('revoked');
    expect(view?.revokedAt).not.toBeNull();
  });
});

describe('nothing half-written', () => {
  test('an email that already has an account answers 409 email_taken', async () => {
    const existing = await t.newUser([], { email: 'taken@example.org' });
    const { invite, token } = await createInvite({ role: 'caller' });
    await expectRefusedAcceptance(token, invite.id, 409, 'email_taken', newAccount({ email: 'Taken@Example.org' }));
    expect(await userIdByEmail('taken@example.org')).toBe(existing.id);
    const memberships = await t.db.selectFrom('membership').select('organisationId').where('userId', '=', existing.id).execute();
    expect(memberships).toEqual([]);
  });

  test.each([
    ['too short', 'kort9'],
    ['on the common-password list', 'password123'],
    ['the email address', 'weak-pw@example.org'],
  ])('a password that is %s answers 400 weak_password and leaves no account', async (_why, password) => {
    const { invite, token } = await createInvite({ role: 'caller' });
    await expectRefusedAcceptance(token, invite.id, 400, 'weak_password', newAccount({ email: 'weak-pw@example.org', password }));
    // The link still works afterwards.
    expect((await accept(token, newAccount())).statusCode).toBe(200);
  });
});

test('an organizer cannot withdraw an invite to a role above their own; an admin can', async () => {
  const admin = await t.newUser([{ org, role: 'admin' }]);
  const adminCookie = await t.login(admin);
  const created = await t.request('POST', `/api/orgs/${org.id}/invites`, { cookie: adminCookie, body: { role: 'admin' } });
  expect(created.statusCode).toBe(201);
  const { invite } = created.json<CreatedInvite>();

  const byOrganizer = await t.request('DELETE', `/api/orgs/${org.id}/invites/${invite.id}`, { cookie: await organizerCookie() });
  expect(byOrganizer.statusCode).toBe(403);
  expect((await listed(invite.id))?.status).toBe('active');

  const byAdmin = await t.request('DELETE', `/api/orgs/${org.id}/invites/${invite.id}`, { cookie: adminCookie });
  expect(byAdmin.statusCode).toBe(204);
  expect((await listed(invite.id))?.status).toBe('revoked');
});

test('two sign-ups with the same email at the same moment make one account; the other is told the email is taken', async () => {
  const { token } = await createInvite({ role: 'caller', maxUses: 2 });
  const account = newAccount();
  const answers = await Promise.all([accept(token, account), accept(token, { ...account, name: 'Someone Else' })]);
  expect(answers.map((answer) => answer.statusCode).sort()).toEqual([200, 409]);
  expect(answers.map((answer) => errorCode(answer)).filter(Boolean)).toEqual(['email_taken']);
  const rows = await t.db.selectFrom('appUser').select('id').where('email', '=', account.email).execute();
  expect(rows).toHaveLength(1);
});
