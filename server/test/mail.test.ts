// Accounts by mail, against a real SMTP server in the test (smtp-server on 127.0.0.1): a forgotten
// password mailed as a one-time link in the account's language, the link used once and within its
// hour, every session and socket of the account ended by the new password, unknown addresses
// answered exactly as known ones, the limits; invitations by mail; and, without SMTP, links made by
// an organizer or the command line.
import { createHash } from 'node:crypto';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { CreatedInvite, Me, ResetLink } from '../src/contract/api';
import { PASSWORD, TestContext, errorCode, runCli, sessionCookie, type TestUser } from './harness';
import { startMailServer, type TestMailServer } from './mail-server';

const NEW_PASSWORD = 'lingonberry pancake tuesday';
const HOUR = 60 * 60 * 1000;

let smtp: TestMailServer;
let t: TestContext;
let org: { id: string };
let norwegianOrg: { id: string };
let url: string;

beforeAll(async () => {
  smtp = await startMailServer();
  t = await TestContext.create({ mail: smtp.settings });
  url = await t.app.listen({ port: 0, host: '127.0.0.1' });
  org = await t.newOrg({ name: 'Luleå Centrum', country: 'SE' });
  norwegianOrg = await t.newOrg({ name: 'Tromsø Ap', country: 'NO' });
});
afterAll(async () => {
  await t.close();
  await smtp.close();
});

/** Asks for a link as the login page does, and waits until the mail (if any) has been handed to the SMTP server. */
async function askForLink(email: string, options: { remoteAddress?: string; headers?: Record<string, string> } = {}) {
  const response = await t.request('POST', '/api/auth/password-reset', { body: { email }, ...options });
  await t.app.ctx.passwordResets.settled();
  return response;
}

function confirm(token: string, password: string, cookie?: string) {
  return t.request('POST', '/api/auth/password-reset/confirm', { body: { token, password }, ...(cookie ? { cookie } : {}) });
}

const tokenOf = (link: string) => decodeURIComponent(new URL(link).hash.slice(1));

describe('a forgotten password, by mail', () => {
  let swede: TestUser;
  let norwegian: TestUser;

  beforeAll(async () => {
    swede = await t.newUser([{ org, role: 'caller' }], { name: 'Stina Ström', email: 'stina@example.se' });
    // A Norwegian who chose Bokmål in the web app, in a Swedish organisation: the account's choice wins.
    norwegian = await t.newUser([{ org, role: 'caller' }], { name: 'Nils Nordmann', email: 'nils@example.no' });
    expect((await t.request('PUT', '/api/me', { cookie: await t.login(norwegian), body: { language: 'nb' } })).statusCode).toBe(200);
  });

  test('the mail comes in the account\'s language, says who sent it and why, as plain text and HTML, with a one-time link', async () => {
    expect((await askForLink('Stina@Example.se ')).statusCode).toBe(202);
    const swedish = await smtp.next(swede.email);
    expect(swedish.from).toBe('Ringa <ringa@ringa.test>');
    expect(swedish.subject).toBe('Välj ett nytt lösenord till Ringa');
    expect(swedish.text).toContain('Hej Stina Ström!');
    expect(swedish.text).toContain('ditt konto i Ringa på http://ringa.test');
    expect(swedish.text).toContain('Länken gäller i en timme och kan bara användas en gång');
    expect(swedish.text).toContain('Mejlet skickades av Ringa, ringverktyget på http://ringa.test, eftersom din e-postadress angavs under ”Glömt lösenordet?”.');
    expect(swedish.link).toMatch(/^http:\/\/ringa\.test\/reset-password#[A-Za-z0-9_-]{43}$/);
    expect(swedish.html).toContain(`<a href="${swedish.link}">`);
    expect(swedish.html).toContain('<p>Hej Stina Ström!</p>');

    // Her browser says English; her account has no language, her organisation is Swedish. The account's choice wins over both for Nils.
    expect((await askForLink(norwegian.email, { headers: { 'accept-language': 'en-GB,en;q=0.9' } })).statusCode).toBe(202);
    const norsk = await smtp.next(norwegian.email);
    expect(norsk.subject).toBe('Velg et nytt passord til Ringa');
    expect(norsk.text).toContain('Hei Nils Nordmann!');
    expect(norsk.text).toContain('Lenken gjelder i én time og kan bare brukes én gang');
    expect(norsk.text).toContain('under «Glemt passordet?»');
    expect(norsk.html).toContain(`<a href="${norsk.link}">`);

    // Only the token's hash is kept.
    const rows = await t.db.selectFrom('passwordReset').select('tokenHash').where('userId', '=', swede.id).execute();
    const hash = createHash('sha256').update(tokenOf(swedish.link)).digest('hex');
    expect(rows.map((row) => row.tokenHash)).toEqual([hash]);
  });

  test('the link sets a password by the sign-up rules, signs in, works once, and ends every other session and socket', async () => {
    const user = await t.newUser([{ org, role: 'caller' }], { name: 'Greta Glömsk', email: 'greta@example.se' });
    const oldCookie = await t.login(user);
    const otherCookie = await t.login(user);
    const socket = io(url, { path: '/socket.io', transports: ['websocket'], extraHeaders: { cookie: oldCookie, origin: t.origin }, reconnection: false, forceNew: true });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    const ended = new Promise<string[]>((resolve) => {
      const seen: string[] = [];
      socket.once('session:ended', () => seen.push('session:ended'));
      socket.once('disconnect', (reason) => resolve([...seen, `disconnect: ${reason}`]));
    });

    await askForLink(user.email);
    const token = tokenOf((await smtp.next(user.email)).link);

    // A weak password is refused with the sign-up rule and leaves the link usable.
    const weak = await confirm(token, 'password123');
    expect([weak.statusCode, errorCode(weak)]).toEqual([400, 'weak_password']);
    expect((await t.request('GET', '/api/me', { cookie: oldCookie })).statusCode).toBe(200);

    const done = await confirm(token, NEW_PASSWORD);
    expect(done.statusCode, done.body).toBe(200);
    expect(done.json<Me>().user.email).toBe(user.email);
    const newCookie = sessionCookie(done);
    expect((await t.request('GET', '/api/me', { cookie: newCookie })).statusCode).toBe(200);

    // Every session from before is gone, and the open socket with it.
    for (const cookie of [oldCookie, otherCookie]) {
      const me = await t.request('GET', '/api/me', { cookie });
      expect([me.statusCode, errorCode(me)]).toEqual([401, 'unauthenticated']);
    }
    expect(await ended).toEqual(['session:ended', 'disconnect: io server disconnect']);

    // The old password no longer signs in; the new one does.
    expect((await t.request('POST', '/api/auth/login', { body: { email: user.email, password: PASSWORD } })).statusCode).toBe(401);
    expect((await t.request('POST', '/api/auth/login', { body: { email: user.email, password: NEW_PASSWORD } })).statusCode).toBe(200);

    // Used once: the second use is refused with one clear code and changes nothing.
    const again = await confirm(token, 'another fine long password');
    expect([again.statusCode, errorCode(again)]).toEqual([400, 'reset_link_invalid']);
    expect((await t.request('POST', '/api/auth/login', { body: { email: user.email, password: NEW_PASSWORD } })).statusCode).toBe(200);
    const unknown = await confirm('not-a-token-anyone-was-given', NEW_PASSWORD);
    expect([unknown.statusCode, errorCode(unknown)]).toEqual([400, 'reset_link_invalid']);

    // Audited, with no token in the details.
    const audit = await t.db.selectFrom('auditEvent').select(['action', 'details']).where('targetUserId', '=', user.id).where('action', 'in', ['auth.reset-link-mailed', 'auth.password-reset']).orderBy('id').execute();
    expect(audit).toEqual([
      { action: 'auth.reset-link-mailed', details: { language: 'sv', sent: true } },
      { action: 'auth.password-reset', details: {} },
    ]);
  });

  test('a mailed link works for one hour and no longer', async () => {
    const user = await t.newUser([{ org: norwegianOrg, role: 'caller' }], { name: 'Ola Sen', email: 'ola@example.no' });
    await askForLink(user.email);
    const late = await smtp.next(user.email);
    // No language chosen, no browser language: the organisation's (Norway's) Bokmål.
    expect(late.subject).toBe('Velg et nytt passord til Ringa');
    t.clock.advance(HOUR);
    const expired = await confirm(tokenOf(late.link), NEW_PASSWORD);
    expect([expired.statusCode, errorCode(expired)]).toEqual([400, 'reset_link_invalid']);

    await askForLink(user.email);
    const inTime = await smtp.next(user.email);
    t.clock.advance(HOUR - 60_000);
    expect((await confirm(tokenOf(inTime.link), NEW_PASSWORD)).statusCode).toBe(200);
  });

  test('an unknown address is answered exactly as a known one, and nobody gets a mail', async () => {
    const known = await t.newUser([{ org, role: 'caller' }], { email: 'known@example.se' });
    const before = smtp.received.length;
    const unknownAnswer = await askForLink('nobody-here@example.se');
    expect(smtp.received.length).toBe(before);
    const knownAnswer = await askForLink(known.email);
    await smtp.next(known.email);
    expect(smtp.received.length).toBe(before + 1);
    const shape = (response: typeof knownAnswer) => ({ status: response.statusCode, body: response.body, type: response.headers['content-type'] });
    expect(shape(unknownAnswer)).toEqual(shape(knownAnswer));
    expect(shape(knownAnswer)).toEqual({ status: 202, body: '{"accepted":true}', type: 'application/json; charset=utf-8' });
    // One link was made, for the known account only.
    expect(await t.db.selectFrom('passwordReset').select('id').where('userId', '=', known.id).execute()).toHaveLength(1);
  });

  test('three requests per address asked for, ten per client, in 15 minutes; then 429 rate_limited with Retry-After, for known and unknown alike', async () => {
    const user = await t.newUser([{ org, role: 'caller' }], { email: 'often@example.se' });
    for (const email of [user.email, 'often-unknown@example.se']) {
      for (let i = 0; i < 3; i++) expect((await askForLink(email, { remoteAddress: `10.0.0.${i + 1}` })).statusCode).toBe(202);
      const limited = await askForLink(email, { remoteAddress: '10.0.0.9' });
      expect([limited.statusCode, errorCode(limited)]).toEqual([429, 'rate_limited']);
      expect(limited.headers['retry-after']).toBe('900');
    }
    const mails = smtp.received.filter((mail) => mail.to.includes(user.email));
    expect(mails).toHaveLength(3);

    // One client trying many addresses: ten, then refused.
    for (let i = 0; i < 10; i++) expect((await askForLink(`someone-${i}@example.se`, { remoteAddress: '10.9.9.9' })).statusCode).toBe(202);
    const byAddress = await askForLink('someone-else@example.se', { remoteAddress: '10.9.9.9' });
    expect([byAddress.statusCode, errorCode(byAddress)]).toEqual([429, 'rate_limited']);

    // Sign-in is counted apart: the requests did not use up the account's sign-ins.
    expect((await t.request('POST', '/api/auth/login', { body: { email: user.email, password: PASSWORD } })).statusCode).toBe(200);
    t.clock.advance(15 * 60 * 1000);
    expect((await askForLink(user.email, { remoteAddress: '10.0.0.9' })).statusCode).toBe(202);
  });
});

describe('invitations by mail', () => {
  test('the organizer\'s invitation arrives in the language they chose (default: the organisation\'s), saying who sent it and why; the audit keeps only the domain', async () => {
    const organizer = await t.newUser([{ org: norwegianOrg, role: 'organizer' }], { name: 'Kari Organisator' });
    const cookie = await t.login(organizer);
    const sent = await t.request('POST', `/api/orgs/${norwegianOrg.id}/invites`, { cookie, body: { role: 'caller', expiresInDays: 7, mail: { to: 'ny.ringer@example.no' } } });
    expect(sent.statusCode, sent.body).toBe(201);
    const created = sent.json<CreatedInvite>();
    expect(created.mailed).toBe(true);
    const mail = await smtp.next('ny.ringer@example.no');
    expect(mail.subject).toBe('Kari Organisator inviterer deg til Tromsø Ap i Ringa');
    expect(mail.text).toContain('Kari Organisator har invitert deg til Tromsø Ap i Ringa, verktøyet for ringekampanjer, som ringer.');
    expect(mail.text).toContain('Den gjelder til og med 11. oktober 2026');
    expect(mail.text).toContain('E-posten ble sendt av Ringa på http://ringa.test på vegne av Kari Organisator');
    expect(mail.link).toBe(created.url);
    expect(mail.html).toContain(`<a href="${created.url}">`);
    // The link in the mail is the invitation.
    const preview = await t.request('POST', '/api/invites/preview', { body: { token: tokenOf(mail.link) } });
    expect(preview.json()).toMatchObject({ organisationName: 'Tromsø Ap', role: 'caller' });

    const swedish = await t.request('POST', `/api/orgs/${norwegianOrg.id}/invites`, { cookie, body: { role: 'caller', mail: { to: 'svensk@example.se', language: 'sv' } } });
    expect(swedish.statusCode).toBe(201);
    const svMail = await smtp.next('svensk@example.se');
    expect(svMail.subject).toBe('Kari Organisator bjuder in dig till Tromsø Ap i Ringa');
    expect(svMail.text).toContain('som ringare');

    const audit = await t.db.selectFrom('auditEvent').select('details').where('action', '=', 'invite.mailed').where('organisationId', '=', norwegianOrg.id).orderBy('id').execute();
    expect(audit.map((row) => row.details)).toEqual([
      { role: 'caller', language: 'nb', domain: 'example.no', sent: true },
      { role: 'caller', language: 'sv', domain: 'example.se', sent: true },
    ]);
  });

  test('a mail server that refuses: the invitation is made, the organizer is told it was not mailed and gets the link to pass on', async () => {
    const refusing = await TestContext.create({ mail: { ...smtp.settings, smtpUrl: new URL(smtp.settings.smtpUrl.toString().replace('mail-secret', 'wrong-secret')) } });
    try {
      const home = await refusing.newOrg({ name: 'Kiruna', country: 'SE' });
      const organizer = await refusing.newUser([{ org: home, role: 'organizer' }]);
      const response = await refusing.request('POST', `/api/orgs/${home.id}/invites`, { cookie: await refusing.login(organizer), body: { role: 'caller', mail: { to: 'x@example.se' } } });
      expect(response.statusCode).toBe(201);
      const created = response.json<CreatedInvite>();
      expect(created.mailed).toBe(false);
      expect(created.url).toContain('/invite#');
      // Asking for a password link still answers as always.
      expect((await refusing.request('POST', '/api/auth/password-reset', { body: { email: organizer.email } })).statusCode).toBe(202);
      await refusing.app.ctx.passwordResets.settled();
      expect(smtp.received.some((mail) => mail.to.includes('x@example.se') || mail.to.includes(organizer.email))).toBe(false);
    } finally {
      await refusing.close();
    }
  });
});

describe('without SMTP', () => {
  let plain: TestContext;
  let home: { id: string };
  let admin: TestUser;
  let adminCookie: string;
  beforeAll(async () => {
    plain = await TestContext.create();
    home = await plain.newOrg({ name: 'Gällivare', country: 'SE' });
    admin = await plain.newUser([{ org: home, role: 'admin' }]);
    adminCookie = await plain.login(admin);
  });
  afterAll(() => plain.close());

  test('the web app is told there is no mail; asking for a mailed link or mailing an invitation is refused with what to do instead', async () => {
    expect((await plain.request('GET', '/api/setup')).json()).toEqual({ needed: false, mail: false });
    expect((await t.request('GET', '/api/setup')).json()).toEqual({ needed: false, mail: true });
    const asked = await plain.request('POST', '/api/auth/password-reset', { body: { email: admin.email } });
    expect([asked.statusCode, errorCode(asked)]).toEqual([409, 'mail_not_configured']);
    const counts = await plain.tableCounts();
    const invite = await plain.request('POST', `/api/orgs/${home.id}/invites`, { cookie: adminCookie, body: { role: 'caller', mail: { to: 'x@example.se' } } });
    expect([invite.statusCode, errorCode(invite)]).toEqual([409, 'mail_not_configured']);
    expect(await plain.tableCounts()).toEqual(counts);
  });

  test('an admin makes a one-time link for a member (valid a day); it sets the password once', async () => {
    const member = await plain.newUser([{ org: home, role: 'caller' }], { name: 'Glömde Gunnar' });
    const memberCookie = await plain.login(member);
    const made = await plain.request('POST', `/api/orgs/${home.id}/members/${member.id}/reset-link`, { cookie: adminCookie });
    expect(made.statusCode, made.body).toBe(201);
    const link = made.json<ResetLink>();
    expect(link.url).toMatch(/^http:\/\/ringa\.test\/reset-password#[A-Za-z0-9_-]{43}$/);
    expect(new Date(link.expiresAt).getTime() - plain.clock.now().getTime()).toBe(24 * HOUR);
    const audit = await plain.db.selectFrom('auditEvent').select(['actorUserId', 'organisationId', 'details']).where('action', '=', 'user.reset-link-created').where('targetUserId', '=', member.id).execute();
    expect(audit).toEqual([{ actorUserId: admin.id, organisationId: home.id, details: {} }]);

    const done = await plain.request('POST', '/api/auth/password-reset/confirm', { body: { token: tokenOf(link.url), password: NEW_PASSWORD } });
    expect(done.statusCode).toBe(200);
    expect((await plain.request('GET', '/api/me', { cookie: memberCookie })).statusCode).toBe(401);
    const again = await plain.request('POST', '/api/auth/password-reset/confirm', { body: { token: tokenOf(link.url), password: NEW_PASSWORD } });
    expect(errorCode(again)).toBe('reset_link_invalid');
  });

  test('nobody makes a link for an account they do not wholly manage: their own, a higher role, one that also belongs elsewhere', async () => {
    const organizer = await plain.newUser([{ org: home, role: 'organizer' }]);
    const organizerCookie = await plain.login(organizer);
    const otherAdmin = await plain.newUser([{ org: home, role: 'admin' }]);
    const elsewhere = await plain.newOrg({ name: 'Jokkmokk', country: 'SE' });
    const twoPlaces = await plain.newUser([{ org: home, role: 'caller' }, { org: elsewhere, role: 'caller' }]);
    const child = await plain.newOrg({ parent: home, name: 'Malmberget' });
    const adminBelow = await plain.newUser([{ org: home, role: 'caller' }, { org: child, role: 'admin' }]);
    const cases: [string, string, number, string][] = [
      [organizerCookie, organizer.id, 409, 'own_membership'],
      [organizerCookie, otherAdmin.id, 403, 'forbidden'],
      [adminCookie, twoPlaces.id, 403, 'forbidden'],
      [organizerCookie, adminBelow.id, 403, 'forbidden'],
    ];
    for (const [cookie, target, status, code] of cases) {
      const counts = await plain.tableCounts();
      const refused = await plain.request('POST', `/api/orgs/${home.id}/members/${target}/reset-link`, { cookie });
      expect([refused.statusCode, errorCode(refused)]).toEqual([status, code]);
      expect(await plain.tableCounts()).toEqual(counts);
    }
    expect(await plain.db.selectFrom('passwordReset').select('id').where('userId', 'in', [organizer.id, otherAdmin.id, twoPlaces.id, adminBelow.id]).execute()).toEqual([]);
    // The admin of both may.
    expect((await plain.request('POST', `/api/orgs/${home.id}/members/${adminBelow.id}/reset-link`, { cookie: adminCookie })).statusCode).toBe(201);
  });

  test('npm run cli -- user:reset-link --email E prints a link that works', async () => {
    const member = await plain.newUser([{ org: home, role: 'caller' }], { email: 'cli-person@example.se' });
    const printed = runCli(plain.databaseUrl, 'user:reset-link', '--email', 'CLI-person@example.se');
    expect(printed.status, printed.stderr).toBe(0);
    expect(printed.stdout).toMatch(/A one-time link for cli-person@example\.se to set a new password \(valid until .*; it works once\):\n {2}http:\/\/localhost:3000\/reset-password#[A-Za-z0-9_-]{43}\n/);
    const link = /http:\/\/\S+/.exec(printed.stdout)?.[0] ?? '';
    const done = await plain.request('POST', '/api/auth/password-reset/confirm', { body: { token: tokenOf(link), password: NEW_PASSWORD } });
    expect(done.statusCode).toBe(200);
    expect(done.json<Me>().user.id).toBe(member.id);

    const unknown = runCli(plain.databaseUrl, 'user:reset-link', '--email', 'nobody@example.se');
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain('No account has the email nobody@example.se.');
  });
});
