// The do-not-call register through the API as organizers use it: numbers are stored as the
// organisation's country writes them, once each; the list can be searched and paged; entries are
// removed only in their own organisation; a file adds many at once with exact counts; who may do
// what; an entry suppresses the number beneath its organisation and nowhere else, and outlives the
// list the number came from; asked to, an organisation's register also lists the entries it inherits
// from the organisations above it, which only those organisations can remove. Refused requests store nothing.
import type { LightMyRequestResponse } from 'fastify';
import type { Static } from 'typebox';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { DoNotCallEntry, DoNotCallListedEntry, ListView } from '../src/modules/lists/lists.schemas';
import { TestContext, errorCode, type TestUser } from './harness';
import { listImport, multipart } from './multipart';

type Entry = Static<typeof DoNotCallEntry>;
type Listed = Static<typeof DoNotCallListedEntry>;
type List = Static<typeof ListView>;

let t: TestContext;
let district: { id: string };
let orgA: { id: string };
let orgB: { id: string };
let danish: { id: string };
const users = {} as Record<'admin' | 'organizerA' | 'callerA' | 'organizerB' | 'organizerDK', TestUser>;
const cookies = {} as Record<keyof typeof users, string>;

beforeAll(async () => {
  t = await TestContext.create();
  district = await t.newOrg({ name: 'Region Nord', kind: 'district', country: 'SE' });
  orgA = await t.newOrg({ parent: district, name: 'Förening A' });
  orgB = await t.newOrg({ parent: district, name: 'Förening B' });
  danish = await t.newOrg({ name: 'Region Syd', kind: 'district', country: 'DK' });
  users.admin = await t.newUser([{ org: district, role: 'admin' }]);
  users.organizerA = await t.newUser([{ org: orgA, role: 'organizer' }]);
  users.callerA = await t.newUser([{ org: orgA, role: 'caller' }]);
  users.organizerB = await t.newUser([{ org: orgB, role: 'organizer' }]);
  users.organizerDK = await t.newUser([{ org: danish, role: 'organizer' }]);
  for (const key of Object.keys(users) as (keyof typeof users)[]) cookies[key] = await t.login(users[key]);
});
afterAll(() => t.close());

/** cookie null: not signed in. */
function add(orgId: string, body: unknown, cookie: string | null = cookies.organizerA) {
  return t.request('POST', `/api/orgs/${orgId}/do-not-call`, { cookie: cookie ?? undefined, body });
}

/** The register a page at a time, found by a number sent in the body (never the URL). */
async function entries(orgId: string, search: object = {}, cookie = cookies.admin): Promise<{ entries: Listed[]; total: number; inheritedTotal: number }> {
  const response = await t.request('POST', `/api/orgs/${orgId}/do-not-call/search`, { cookie, body: search });
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
}

/** The register's rows straight from the database: what the API says must be what is stored. */
async function stored(orgId: string) {
  return t.db.selectFrom('doNotCall').select(['phone', 'reason', 'source']).where('organisationId', '=', orgId).orderBy('phone').execute();
}

function uploadFile(orgId: string, content: string, cookie: string | null = cookies.organizerA, filename = 'register.csv') {
  const body = multipart({}, { field: 'file', filename, content });
  return t.request('POST', `/api/orgs/${orgId}/do-not-call/file`, { cookie: cookie ?? undefined, body: body.payload, headers: { 'content-type': body.contentType } });
}

async function importList(orgId: string, content: string): Promise<List> {
  const body = listImport({ name: 'Medlemmar' }, { field: 'file', filename: 'medlemmar.csv', content });
  const response = await t.request('POST', `/api/orgs/${orgId}/lists`, { cookie: cookies.admin, body: body.payload, headers: { 'content-type': body.contentType } });
  expect(response.statusCode, response.body).toBe(202);
  const { id } = response.json<{ id: string }>();
  await t.app.ctx.importer.wait(id);
  const list = await t.request('GET', `/api/lists/${id}`, { cookie: cookies.admin });
  return list.json<List>();
}

async function registerCount(): Promise<number> {
  const row = await t.db.selectFrom('doNotCall').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

describe('adding a number', () => {
  test('a Swedish organisation stores the number in international form, with the reason trimmed', async () => {
    const org = await t.newOrg({ parent: district, name: 'Normalising SE' });
    const response = await add(org.id, { phone: '070-123 45 67', reason: '  Bad 2025-09: asked not to be called  ' }, cookies.admin);
    expect(response.statusCode, response.body).toBe(201);
    const entry = response.json<Entry>();
    expect(entry).toEqual({
      id: expect.any(Number) as number,
      phone: '+46701234567',
      reason: 'Bad 2025-09: asked not to be called',
      source: 'manual',
      organisationId: org.id,
      createdAt: '2026-10-04T17:00:00.000Z',
    });
    expect(await stored(org.id)).toEqual([{ phone: '+46701234567', reason: 'Bad 2025-09: asked not to be called', source: 'manual' }]);
  });

  test('a Danish organisation reads eight digits as a Danish number; the same digits are no Swedish number', async () => {
    const response = await add(danish.id, { phone: '20 12 34 56' }, cookies.organizerDK);
    expect(response.statusCode, response.body).toBe(201);
    expect(response.json<Entry>()).toMatchObject({ phone: '+4520123456', reason: '', organisationId: danish.id });
    const international = await add(danish.id, { phone: '+46 70 123 45 67' }, cookies.organizerDK);
    expect(international.json<Entry>().phone).toBe('+46701234567');
    expect((await stored(danish.id)).map((row) => row.phone)).toEqual(['+4520123456', '+46701234567']);

    const before = await registerCount();
    const swedish = await add(orgA.id, { phone: '20 12 34 56' });
    expect(swedish.statusCode).toBe(400);
    expect(errorCode(swedish)).toBe('invalid_phone');
    const national = await add(danish.id, { phone: '070-123 45 67' }, cookies.organizerDK);
    expect(national.statusCode).toBe(400);
    expect(errorCode(national)).toBe('invalid_phone');
    expect(await registerCount()).toBe(before);
  });

  test.each([
    ['letters', 'ring inte'],
    ['too few digits', '070-12'],
    ['Excel scientific notation', '4,67E+10'],
    ['a lost leading zero', '701234567'],
    ['no valid Danish series', '12345678'],
  ])('%s: 400 invalid_phone saying what is wrong, nothing stored', async (_what, phone) => {
    const before = { counts: await t.tableCounts(), register: await registerCount() };
    const response = await add(orgA.id, { phone, reason: 'x' });
    expect(response.statusCode, response.body).toBe(400);
    expect(errorCode(response)).toBe('invalid_phone');
    expect(response.json<{ error: { message: string } }>().error.message).toContain(`"${phone}"`);
    expect({ counts: await t.tableCounts(), register: await registerCount() }).toEqual(before);
  });

  test('an empty number or an unknown field is a validation error, nothing stored', async () => {
    const before = await registerCount();
    for (const body of [{ phone: '' }, { phone: '0701234567', note: 'x' }, { reason: 'no number' }]) {
      const response = await add(orgA.id, body);
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
      expect(errorCode(response)).toBe('validation');
    }
    expect(await registerCount()).toBe(before);
  });

  test('the same number twice, however written, stays one entry with the first reason', async () => {
    const org = await t.newOrg({ parent: district, name: 'Twice' });
    const first = await add(org.id, { phone: '0702 22 33 44', reason: 'Asked on the phone' }, cookies.admin);
    t.clock.advance(60_000);
    const second = await add(org.id, { phone: '+46 70 222 33 44', reason: 'Asked again' }, cookies.admin);
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(201);
    expect(second.json<Entry>()).toEqual(first.json<Entry>());
    const register = await entries(org.id);
    expect(register.total).toBe(1);
    expect(register.entries.map((e) => [e.phone, e.reason])).toEqual([['+46702223344', 'Asked on the phone']]);
  });
});

describe('reading the register', () => {
  let org: { id: string };
  // Added in this order, a minute apart; the register lists the newest first.
  const phones = ['0701110001', '0701110002', '0702220003', '0701110004', '0703330005'];

  beforeAll(async () => {
    org = await t.newOrg({ parent: district, name: 'Paging' });
    for (const phone of phones) {
      t.clock.advance(60_000);
      expect((await add(org.id, { phone }, cookies.admin)).statusCode).toBe(201);
    }
  });

  test('newest first, with the total', async () => {
    const register = await entries(org.id);
    expect(register.total).toBe(5);
    expect(register.entries.map((e) => e.phone)).toEqual(['+46703330005', '+46701110004', '+46702220003', '+46701110002', '+46701110001']);
  });

  test('limit and offset page through it; total stays the number of all matches', async () => {
    const first = await entries(org.id, { limit: 2 });
    const second = await entries(org.id, { limit: 2, offset: 2 });
    const last = await entries(org.id, { limit: 2, offset: 4 });
    const beyond = await entries(org.id, { limit: 2, offset: 5 });
    expect(first.entries.map((e) => e.phone)).toEqual(['+46703330005', '+46701110004']);
    expect(second.entries.map((e) => e.phone)).toEqual(['+46702220003', '+46701110002']);
    expect(last.entries.map((e) => e.phone)).toEqual(['+46701110001']);
    expect(beyond.entries).toEqual([]);
    expect([first.total, second.total, last.total, beyond.total]).toEqual([5, 5, 5, 5]);
  });

  test('search finds by digits, ignoring spaces and dashes, and pages within the matches', async () => {
    const ones = await entries(org.id, { search: '111-000' });
    expect(ones.total).toBe(3);
    expect(ones.entries.map((e) => e.phone)).toEqual(['+46701110004', '+46701110002', '+46701110001']);
    const paged = await entries(org.id, { search: '111000', limit: 1, offset: 1 });
    expect(paged).toMatchObject({ total: 3, entries: [{ phone: '+46701110002' }] });
    const international = await entries(org.id, { search: '+46 70 222' });
    expect(international.entries.map((e) => e.phone)).toEqual(['+46702220003']);
    const none = await entries(org.id, { search: '999' });
    expect(none).toEqual({ entries: [], total: 0, inheritedTotal: 0 });
  });

  test('search finds a number written as on a Swedish list, with its leading zero', async () => {
    const whole = await entries(org.id, { search: '070-222 00 03' });
    expect(whole.entries.map((e) => e.phone)).toEqual(['+46702220003']);
    const start = await entries(org.id, { search: '0701110' });
    expect(start.entries.map((e) => e.phone)).toEqual(['+46701110004', '+46701110002', '+46701110001']);
  });

  test('a limit over 500, a negative offset, an inherited that is not true or false, or an unknown field is refused', async () => {
    for (const body of [{ limit: 501 }, { limit: 0 }, { offset: -1 }, { inherited: 'maybe' }, { search: '1'.repeat(41) }, { phone: '0701110001' }]) {
      const response = await t.request('POST', `/api/orgs/${org.id}/do-not-call/search`, { cookie: cookies.admin, body });
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
      expect(errorCode(response)).toBe('validation');
    }
  });

  test('the number is searched in the body only: the old search in the URL no longer exists', async () => {
    for (const url of [`/api/orgs/${org.id}/do-not-call?search=0701110`, `/api/orgs/${org.id}/do-not-call`, `/api/orgs/${org.id}/do-not-call/search?search=0701110`]) {
      const response = await t.request('GET', url, { cookie: cookies.admin });
      expect(response.statusCode, url).toBe(404);
      expect(response.body).not.toContain('+4670111');
    }
    // A search in the URL of the POST is refused too, so no client keeps sending one.
    const queried = await t.request('POST', `/api/orgs/${org.id}/do-not-call/search?search=0701110`, { cookie: cookies.admin, body: {} });
    expect(queried.statusCode).toBe(400);
    expect(errorCode(queried)).toBe('validation');
  });

  test("an organisation's register shows only its own entries, marked as its own", async () => {
    const own = (await entries(org.id)).entries;
    expect(own).toHaveLength(5);
    expect(own.every((e) => e.organisationId === org.id && !e.inherited && e.organisationName === 'Paging')).toBe(true);
    expect((await entries(district.id)).entries.map((e) => e.phone)).not.toContain('+46703330005');
  });
});

describe('entries inherited from the organisations above', () => {
  // A tree of its own, so other tests' entries do not show: Region Väst → Kommun → Förening C, and sibling D.
  let top: { id: string };
  let municipality: { id: string };
  let assocC: { id: string };
  let assocD: { id: string };
  let topAdmin: string;
  let organizerC: string;
  let atTop: Entry;
  let atMunicipality: Entry;
  let atC: Entry;

  beforeAll(async () => {
    top = await t.newOrg({ name: 'Region Väst', kind: 'district', country: 'SE' });
    municipality = await t.newOrg({ parent: top, name: 'Kommun Väst', kind: 'municipality' });
    assocC = await t.newOrg({ parent: municipality, name: 'Förening C' });
    assocD = await t.newOrg({ parent: municipality, name: 'Förening D' });
    topAdmin = await t.login(await t.newUser([{ org: top, role: 'admin' }]));
    organizerC = await t.login(await t.newUser([{ org: assocC, role: 'organizer' }]));
    const added = async (orgId: string, phone: string, reason: string) => {
      t.clock.advance(60_000);
      const response = await add(orgId, { phone, reason }, topAdmin);
      expect(response.statusCode, response.body).toBe(201);
      return response.json<Entry>();
    };
    atTop = await added(top.id, '0709100001', 'Asked the district');
    atMunicipality = await added(municipality.id, '0709100002', 'Asked the municipality');
    atC = await added(assocC.id, '0709100003', 'Asked C');
    await added(assocD.id, '0709100004', 'Asked D');
  });

  test('without inherited: true an association lists only its own entries, as before', async () => {
    expect(await entries(assocC.id, {}, organizerC)).toEqual({ entries: [{ ...atC, organisationName: 'Förening C', inherited: false }], total: 1, inheritedTotal: 0 });
  });

  test('an association lists its own entries first, then the municipality’s and the district’s, each marked with where it comes from', async () => {
    const register = await entries(assocC.id, { inherited: true }, organizerC);
    expect(register.total).toBe(3);
    expect(register.inheritedTotal).toBe(2);
    expect(register.entries).toEqual([
      { ...atC, organisationName: 'Förening C', inherited: false },
      { ...atMunicipality, organisationId: municipality.id, organisationName: 'Kommun Väst', inherited: true },
      { ...atTop, organisationId: top.id, organisationName: 'Region Väst', inherited: true },
    ]);
  });

  test('a sibling’s entries do not appear, and an association’s entries do not reach the organisations above it', async () => {
    expect((await entries(assocC.id, { inherited: true }, organizerC)).entries.map((e) => e.phone)).not.toContain('+46709100004');
    const d = await entries(assocD.id, { inherited: true }, topAdmin);
    expect(d.entries.map((e) => [e.phone, e.inherited])).toEqual([
      ['+46709100004', false],
      ['+46709100002', true],
      ['+46709100001', true],
    ]);
    const atMunicipalityItself = await entries(municipality.id, { inherited: true }, topAdmin);
    expect(atMunicipalityItself).toMatchObject({ total: 2, inheritedTotal: 1 });
    expect(atMunicipalityItself.entries.map((e) => [e.phone, e.inherited])).toEqual([
      ['+46709100002', false],
      ['+46709100001', true],
    ]);
    expect(await entries(top.id, { inherited: true }, topAdmin)).toMatchObject({ total: 1, inheritedTotal: 0, entries: [{ phone: '+46709100001', inherited: false }] });
  });

  test('search and paging run over own and inherited entries together', async () => {
    const found = await entries(assocC.id, { inherited: true, search: '070-910 00 01' }, organizerC);
    expect(found).toMatchObject({ total: 1, inheritedTotal: 1, entries: [{ phone: '+46709100001', organisationName: 'Region Väst', inherited: true }] });
    const second = await entries(assocC.id, { inherited: true, limit: 1, offset: 1 }, organizerC);
    expect(second).toMatchObject({ total: 3, inheritedTotal: 2, entries: [{ phone: '+46709100002', inherited: true }] });
  });

  test('the association’s organizer cannot remove the district’s entry, neither through the association nor through the district; nothing changes', async () => {
    const before = { counts: await t.tableCounts(), register: await registerCount(), top: await stored(top.id) };
    const viaC = await t.request('DELETE', `/api/orgs/${assocC.id}/do-not-call/${atTop.id}`, { cookie: organizerC });
    expect(viaC.statusCode).toBe(404);
    expect(errorCode(viaC)).toBe('not_found');
    const viaTop = await t.request('DELETE', `/api/orgs/${top.id}/do-not-call/${atTop.id}`, { cookie: organizerC });
    expect(viaTop.statusCode).toBe(404);
    expect(errorCode(viaTop)).toBe('not_found');
    // Even the district's admin removes it at the district, not through the association.
    const adminViaC = await t.request('DELETE', `/api/orgs/${assocC.id}/do-not-call/${atTop.id}`, { cookie: topAdmin });
    expect(adminViaC.statusCode).toBe(404);
    expect({ counts: await t.tableCounts(), register: await registerCount(), top: await stored(top.id) }).toEqual(before);
    expect((await entries(assocC.id, { inherited: true }, organizerC)).entries.map((e) => e.id)).toContain(atTop.id);
  });

  test('removed at the district, the entry no longer applies to the association', async () => {
    const removed = await t.request('DELETE', `/api/orgs/${top.id}/do-not-call/${atTop.id}`, { cookie: topAdmin });
    expect(removed.statusCode, removed.body).toBe(204);
    const register = await entries(assocC.id, { inherited: true }, organizerC);
    expect(register).toMatchObject({ total: 2, inheritedTotal: 1 });
    expect(register.entries.map((e) => e.id)).not.toContain(atTop.id);
  });
});

describe('removing a number', () => {
  test('DELETE removes the entry; a second DELETE is 404', async () => {
    const org = await t.newOrg({ parent: district, name: 'Removing' });
    const keep = (await add(org.id, { phone: '0704440001' }, cookies.admin)).json<Entry>();
    const gone = (await add(org.id, { phone: '0704440002' }, cookies.admin)).json<Entry>();
    const deleted = await t.request('DELETE', `/api/orgs/${org.id}/do-not-call/${gone.id}`, { cookie: cookies.admin });
    expect(deleted.statusCode, deleted.body).toBe(204);
    expect((await entries(org.id)).entries.map((e) => e.id)).toEqual([keep.id]);
    const again = await t.request('DELETE', `/api/orgs/${org.id}/do-not-call/${gone.id}`, { cookie: cookies.admin });
    expect(again.statusCode).toBe(404);
    expect(errorCode(again)).toBe('not_found');
  });

  test("another organisation's entry is 404 through this organisation's address, even for an admin of both, and stays", async () => {
    const entry = (await add(orgA.id, { phone: '0704440003' })).json<Entry>();
    // The district admin manages B too, but the entry belongs to A.
    const viaB = await t.request('DELETE', `/api/orgs/${orgB.id}/do-not-call/${entry.id}`, { cookie: cookies.admin });
    expect(viaB.statusCode).toBe(404);
    expect(errorCode(viaB)).toBe('not_found');
    const viaDistrict = await t.request('DELETE', `/api/orgs/${district.id}/do-not-call/${entry.id}`, { cookie: cookies.admin });
    expect(viaDistrict.statusCode).toBe(404);
    // B's organizer, through B (theirs) and through A (not theirs).
    const byB = await t.request('DELETE', `/api/orgs/${orgB.id}/do-not-call/${entry.id}`, { cookie: cookies.organizerB });
    expect(byB.statusCode).toBe(404);
    const byBviaA = await t.request('DELETE', `/api/orgs/${orgA.id}/do-not-call/${entry.id}`, { cookie: cookies.organizerB });
    expect(byBviaA.statusCode).toBe(404);
    expect((await stored(orgA.id)).map((row) => row.phone)).toContain('+46704440003');
  });
});

describe('a file of numbers', () => {
  test('adds each valid number once and counts rows, added, already listed and invalid exactly', async () => {
    const org = await t.newOrg({ parent: district, name: 'From a file' });
    await add(org.id, { phone: '0705550002', reason: 'By hand' }, cookies.admin);
    const content = [
      'Namn;Mobil',
      'Anna;070-555 00 01',
      'Bo;+46 70 555 00 01', // the same number as Anna's
      'Cecilia;0705550002', // already on the register
      'David;ring inte',
      'Eva;',
      'Frida;0705550003',
      '',
    ].join('\r\n');
    const response = await uploadFile(org.id, content, cookies.admin);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toEqual({ rows: 6, added: 2, alreadyListed: 1, invalid: 2, repaired: 0 });
    expect(await stored(org.id)).toEqual([
      { phone: '+46705550001', reason: '', source: 'file' },
      { phone: '+46705550002', reason: 'By hand', source: 'manual' },
      { phone: '+46705550003', reason: '', source: 'file' },
    ]);
    const again = await uploadFile(org.id, content, cookies.admin);
    expect(again.json()).toEqual({ rows: 6, added: 0, alreadyListed: 3, invalid: 2, repaired: 0 });
    expect(await stored(org.id)).toHaveLength(3);
  });

  test('a Danish organisation reads the file as Danish numbers', async () => {
    const org = await t.newOrg({ parent: danish, name: 'Danish file' });
    const response = await uploadFile(org.id, 'Navn,Telefon\nPer,33 12 34 56\nLise,0701234567\n', cookies.organizerDK);
    expect(response.json()).toEqual({ rows: 2, added: 1, alreadyListed: 0, invalid: 1, repaired: 0 });
    expect((await stored(org.id)).map((row) => row.phone)).toEqual(['+4533123456']);
  });

  test.each([
    ['no phone column', 'Namn;Ort\r\nAnna;Luleå\r\n', 400, 'no_phone_column'],
    ['an empty file', '', 400, 'empty_file'],
    ['a header only', 'Namn;Mobil\r\n', 400, 'header_only'],
  ] as const)('%s: refused, nothing stored', async (_what, content, status, code) => {
    const before = await registerCount();
    const response = await uploadFile(orgA.id, content);
    expect(response.statusCode, response.body).toBe(status);
    expect(errorCode(response)).toBe(code);
    expect(await registerCount()).toBe(before);
  });

  test('a request without a file is refused', async () => {
    const body = multipart({ name: 'x' });
    const response = await t.request('POST', `/api/orgs/${orgA.id}/do-not-call/file`, {
      cookie: cookies.organizerA,
      body: body.payload,
      headers: { 'content-type': body.contentType },
    });
    expect(response.statusCode).toBe(400);
    expect(errorCode(response)).toBe('no_file');
  });
});

describe('who may use the register', () => {
  const FILE = 'Mobil\r\n0706660009\r\n';

  async function attempt(orgId: string, cookie: string): Promise<number[]> {
    const entry = await t.db
      .insertInto('doNotCall')
      .values({ organisationId: orgId, phone: '+46706660001', source: 'manual', createdAt: t.clock.now() })
      .onConflict((oc) => oc.columns(['organisationId', 'phone']).doUpdateSet({ reason: '' }))
      .returning('id')
      .executeTakeFirstOrThrow();
    const responses: LightMyRequestResponse[] = [
      await add(orgId, { phone: '0706660002' }, cookie),
      await t.request('POST', `/api/orgs/${orgId}/do-not-call/search`, { cookie, body: {} }),
      await uploadFile(orgId, FILE, cookie),
      await t.request('DELETE', `/api/orgs/${orgId}/do-not-call/${entry.id}`, { cookie }),
    ];
    return responses.map((r) => r.statusCode);
  }

  test("an organizer of the association, and an admin above it, may add, read, upload and remove", async () => {
    expect(await attempt(orgA.id, cookies.organizerA)).toEqual([201, 200, 200, 204]);
    expect(await attempt(orgB.id, cookies.admin)).toEqual([201, 200, 200, 204]);
    expect((await stored(orgA.id)).map((row) => row.phone)).toEqual(expect.arrayContaining(['+46706660002', '+46706660009']));
    expect((await stored(orgA.id)).map((row) => row.phone)).not.toContain('+46706660001');
    expect((await stored(orgB.id)).map((row) => row.phone)).toEqual(['+46706660002', '+46706660009']);
  });

  test.each([
    ['a caller of the association', 'callerA', 'orgA', 403, 'forbidden'],
    ["a sibling association's organizer", 'organizerB', 'orgA', 404, 'not_found'],
    ['an organizer of an association, at the district above it', 'organizerA', 'district', 404, 'not_found'],
    ['anyone not signed in', 'anonymous', 'orgA', 401, 'unauthenticated'],
  ] as const)('%s: the same refusal on every route, nothing written', async (_who, actor, orgKey, status, code) => {
    const orgId = { orgA: orgA.id, district: district.id }[orgKey];
    const cookie = actor === 'anonymous' ? null : cookies[actor];
    // The entry to try to delete exists before the attempt.
    await t.db
      .insertInto('doNotCall')
      .values({ organisationId: orgId, phone: '+46706660001', source: 'manual', createdAt: t.clock.now() })
      .onConflict((oc) => oc.columns(['organisationId', 'phone']).doNothing())
      .execute();
    const before = { counts: await t.tableCounts(), register: await stored(orgId), all: await registerCount() };
    const entry = await t.db.selectFrom('doNotCall').select('id').where('organisationId', '=', orgId).where('phone', '=', '+46706660001').executeTakeFirstOrThrow();
    const responses = [
      await add(orgId, { phone: '0706660003' }, cookie),
      await t.request('POST', `/api/orgs/${orgId}/do-not-call/search`, { cookie: cookie ?? undefined, body: {} }),
      await uploadFile(orgId, FILE, cookie),
      await t.request('DELETE', `/api/orgs/${orgId}/do-not-call/${entry.id}`, { cookie: cookie ?? undefined }),
    ];
    expect(responses.map((r) => r.statusCode)).toEqual([status, status, status, status]);
    expect(responses.map(errorCode)).toEqual([code, code, code, code]);
    expect({ counts: await t.tableCounts(), register: await stored(orgId), all: await registerCount() }).toEqual(before);
  });
});

describe('where an entry applies', () => {
  test('an entry at the district suppresses the number in a new list in an association beneath it; an entry in A does not in sibling B', async () => {
    expect((await add(district.id, { phone: '070-777 00 01', reason: 'District-wide' }, cookies.admin)).statusCode).toBe(201);
    expect((await add(orgA.id, { phone: '070-777 00 02', reason: 'Only A' })).statusCode).toBe(201);
    const content = 'Förnamn;Mobil\r\nAnna;0707770001\r\nBo;0707770002\r\nCecilia;0707770003\r\n';

    const inA = await importList(orgA.id, content);
    expect(inA.status).toBe('ready');
    expect(inA.counts).toEqual({ rows: 3, imported: 1, invalid: 0, duplicates: 0, suppressed: 2 });
    const inB = await importList(orgB.id, content);
    expect(inB.status).toBe('ready');
    expect(inB.counts).toEqual({ rows: 3, imported: 2, invalid: 0, duplicates: 0, suppressed: 1 });

    const people = await t.db
      .selectFrom('person')
      .select(['organisationId', 'phone'])
      .where('phone', 'in', ['+46707770001', '+46707770002', '+46707770003'])
      .execute();
    const name = (id: string) => (id === orgA.id ? 'A' : id === orgB.id ? 'B' : id);
    expect(people.map((p) => `${name(p.organisationId)} ${p.phone}`).sort()).toEqual(['A +46707770003', 'B +46707770002', 'B +46707770003']);
  });

  test('an entry in an association does not suppress in the district above it', async () => {
    expect((await add(orgA.id, { phone: '0707770011' })).statusCode).toBe(201);
    const list = await importList(district.id, 'Mobil\r\n0707770011\r\n');
    expect(list.counts).toEqual({ rows: 1, imported: 1, invalid: 0, duplicates: 0, suppressed: 0 });
  });

  test('an entry outlives the list the number came from: delete the list, and importing it again still suppresses the number', async () => {
    const org = await t.newOrg({ parent: district, name: 'Outliving' });
    const content = 'Förnamn;Mobil\r\nGun;0708880001\r\nHans;0708880002\r\n';
    const list = await importList(org.id, content);
    expect(list.counts.imported).toBe(2);
    expect((await add(org.id, { phone: '0708880001', reason: 'Said so on the call' }, cookies.admin)).statusCode).toBe(201);

    const deleted = await t.request('DELETE', `/api/lists/${list.id}`, { cookie: cookies.admin });
    expect(deleted.statusCode).toBe(204);
    const register = await entries(org.id);
    expect(register.entries.map((e) => [e.phone, e.reason])).toEqual([['+46708880001', 'Said so on the call']]);

    const again = await importList(org.id, content);
    expect(again.counts).toEqual({ rows: 2, imported: 1, invalid: 0, duplicates: 0, suppressed: 1 });
  });
});
