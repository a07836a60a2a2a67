// Target lists through the API as organizers use them: the shared sample files import with exactly
// the counts expected.json gives; one person per number per organisation; the do-not-call register
// suppresses numbers in the whole subtree; the error report; deleting a list; refused files store nothing.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Static } from 'typebox';
import type { ListView } from '../src/modules/lists/lists.schemas';
import { TestContext, errorCode, root, type TestUser } from './harness';
import { listImport } from './multipart';

type List = Static<typeof ListView>;

const samples = path.resolve(root, '../shared/data');
const expected = JSON.parse(readFileSync(path.join(samples, 'expected.json'), 'utf8')) as Record<
  string,
  { country: string; rows: number; imported: number; invalid: number; duplicates: number; suppressed: number }
>;

let t: TestContext;
let district: { id: string };
let association: { id: string };
let organizer: TestUser;
let cookie: string;

beforeAll(async () => {
  t = await TestContext.create();
  district = await t.newOrg({ name: 'Region Nord', kind: 'district', country: 'SE' });
  association = await t.newOrg({ parent: district, name: 'S-föreningen Centrum' });
  organizer = await t.newUser([{ org: district, role: 'organizer' }]);
  cookie = await t.login(organizer);
});
afterAll(() => t.close());

async function importFile(orgId: string, file: { name: string; content: Buffer | string }, fields: Record<string, string> = {}) {
  const body = listImport({ name: fields.name ?? file.name, ...fields }, { field: 'file', filename: file.name, content: file.content });
  return t.request('POST', `/api/orgs/${orgId}/lists`, { cookie, body: body.payload, headers: { 'content-type': body.contentType } });
}

/** Imports and waits for the end; returns the list as GET /api/lists/:id shows it. */
async function imported(orgId: string, file: { name: string; content: Buffer | string }, fields: Record<string, string> = {}): Promise<List> {
  const response = await importFile(orgId, file, fields);
  expect(response.statusCode, response.body).toBe(202);
  const { id } = response.json<{ id: string }>();
  await t.app.ctx.importer.wait(id);
  const list = await t.request('GET', `/api/lists/${id}`, { cookie });
  expect(list.statusCode).toBe(200);
  return list.json<List>();
}

describe('the shared samples import with exactly the expected counts', () => {
  test.each(Object.entries(expected))('%s', async (fileName, counts) => {
    const org = await t.newOrg({ parent: district, name: `For ${fileName}`, country: counts.country as 'SE' | 'DK' });
    const list = await imported(org.id, { name: fileName, content: readFileSync(path.join(samples, fileName)) }, { country: counts.country });
    expect(list.status, list.error).toBe('ready');
    expect(list.counts).toEqual({ rows: counts.rows, imported: counts.imported, invalid: counts.invalid, duplicates: counts.duplicates, suppressed: counts.suppressed });
    const people = await t.db.selectFrom('person').select((eb) => eb.fn.countAll<number>().as('n')).where('organisationId', '=', org.id).executeTakeFirstOrThrow();
    expect(people.n).toBe(counts.imported);
  });
});

test('one person per number per organisation: a second list updates the name and attributes and counts the person as imported', async () => {
  const org = await t.newOrg({ parent: district, name: 'Two lists' });
  const first = await imported(org.id, { name: 'a.csv', content: 'Förnamn;Efternamn;Mobil;Ort\r\nAnna;Berg;070-123 45 67;Luleå\r\nBo;Ek;0701112233;Piteå\r\n' });
  const second = await imported(org.id, { name: 'b.csv', content: 'Förnamn;Efternamn;Mobil;Ort\r\nAnna;Lind;+46 70 123 45 67;Kiruna\r\n' });
  expect(first.counts.imported).toBe(2);
  expect(second.counts).toEqual({ rows: 1, imported: 1, invalid: 0, duplicates: 0, suppressed: 0 });
  const people = await t.db.selectFrom('person').selectAll().where('organisationId', '=', org.id).orderBy('phone').execute();
  expect(people.map((p) => [p.phone, p.firstName, p.lastName, (p.attributes as Record<string, string>).Ort])).toEqual([
    ['+46701112233', 'Bo', 'Ek', 'Piteå'],
    ['+46701234567', 'Anna', 'Lind', 'Kiruna'],
  ]);
  const memberships = await t.db.selectFrom('listPerson').select('listId').where('personId', '=', people[1]?.id ?? 0).execute();
  expect(memberships).toHaveLength(2);
});

test('a number on the do-not-call register of the district is suppressed in an association beneath it', async () => {
  const add = await t.request('POST', `/api/orgs/${district.id}/do-not-call`, { cookie, body: { phone: '070-999 88 77', reason: 'Asked not to be called' } });
  expect(add.statusCode, add.body).toBe(201);
  expect(add.json<{ phone: string }>().phone).toBe('+46709998877');
  const list = await imported(association.id, { name: 'c.csv', content: 'Förnamn;Mobil\r\nCecilia;0709998877\r\nDavid;0709998876\r\n' });
  expect(list.counts).toEqual({ rows: 2, imported: 1, invalid: 0, duplicates: 0, suppressed: 1 });
  const suppressed = await t.db.selectFrom('person').select('id').where('phone', '=', '+46709998877').execute();
  expect(suppressed).toHaveLength(0);
});

test('the error report lists every invalid and duplicate row with row, column, value and reason, opening in Excel', async () => {
  const list = await imported(association.id, {
    name: 'd.csv',
    content: 'Förnamn;Mobil\r\nEva;0701231231\r\nFrida;4,67E+10\r\nGun;+46701231231\r\nHans;=HYPERLINK("x")\r\n',
  });
  expect(list.counts).toEqual({ rows: 4, imported: 1, invalid: 2, duplicates: 1, suppressed: 0 });
  const report = await t.request('GET', `/api/lists/${list.id}/errors.csv`, { cookie });
  expect(report.statusCode).toBe(200);
  expect(report.headers['content-type']).toContain('text/csv');
  // In Swedish, the organisation's country's language (file-languages.test.ts reads it in the others).
  expect(report.body.startsWith('\uFEFFRad;Kolumn;Värde;Problem;Orsak\r\n')).toBe(true);
  const lines = report.body.trim().split('\r\n').slice(1);
  expect(lines).toHaveLength(3);
  expect(lines[0]).toBe('3;Mobil;4,67E+10;Ogiltigt nummer;"Excel har gjort om numret till grundpotensform (4,67E+10); siffrorna är borta."');
  expect(lines[1]).toMatch(/^4;Mobil;'\+46701231231;Dubblett;Numret \+46701231231 finns redan på rad 2/);
  expect(lines[2]).toMatch(/^5;Mobil;"'=HYPERLINK\(""x""\)";Ogiltigt nummer;/);
});

test('a longer list: repeats far apart, a suppressed number, a known person updated; imported again, the same counts and no new people', async () => {
  const org = await t.newOrg({ parent: district, name: 'Longer list' });
  // Known before: 0702000050 (to be updated) and, on the register, 0702000060.
  await imported(org.id, { name: 'earlier.csv', content: 'Förnamn;Mobil;Ort\r\nTidigare;0702000050;Kalix\r\n' });
  await t.request('POST', `/api/orgs/${org.id}/do-not-call`, { cookie, body: { phone: '0702000060' } });
  // 3,500 rows: a number repeats every 500 rows, the known numbers come among the rest.
  const rows: string[] = [];
  for (let i = 0; i < 3500; i++) {
    if (i % 500 === 499) rows.push(`Igen ${i};070-200 00 ${String(i % 100).padStart(2, '0')}`); // a repeat of row i % 100 + 2
    else if (i % 700 === 3) rows.push(`Fel ${i};4,67E+10`);
    else rows.push(`Person ${i};070${String(2_000_000 + i)}`);
  }
  const content = `Förnamn;Mobil\r\n${rows.join('\r\n')}\r\n`;
  const list = await imported(org.id, { name: 'longer.csv', content });
  // 3,500 rows: 5 invalid (rows where i % 700 = 3), 7 repeats (i % 500 = 499), 1 suppressed (0702000060), the rest imported.
  expect(list.counts).toEqual({ rows: 3500, imported: 3487, invalid: 5, duplicates: 7, suppressed: 1 });
  const people = await t.db.selectFrom('person').select(['phone', 'firstName']).where('organisationId', '=', org.id).execute();
  expect(people).toHaveLength(3487); // the earlier person is the same person as row 52's
  expect(people.find((p) => p.phone === '+46702000050')?.firstName).toBe('Person 50');
  expect(people.some((p) => p.phone === '+46702000060')).toBe(false);
  const members = await t.db.selectFrom('listPerson').select((eb) => eb.fn.countAll<number>().as('n')).where('listId', '=', list.id).executeTakeFirstOrThrow();
  expect(members.n).toBe(3487);
  const again = await imported(org.id, { name: 'longer.csv', content });
  expect(again.counts).toEqual(list.counts);
  const after = await t.db.selectFrom('person').select((eb) => eb.fn.countAll<number>().as('n')).where('organisationId', '=', org.id).executeTakeFirstOrThrow();
  expect(after.n).toBe(3487);
});

test('deleting a list removes its people unless another list holds them; the do-not-call register stays', async () => {
  const org = await t.newOrg({ parent: district, name: 'Deleting' });
  const keep = await imported(org.id, { name: 'keep.csv', content: 'Mobil\r\n0702223344\r\n' });
  const gone = await imported(org.id, { name: 'gone.csv', content: 'Mobil\r\n0702223344\r\n0705556677\r\n' });
  await t.request('POST', `/api/orgs/${org.id}/do-not-call`, { cookie, body: { phone: '0705556677' } });
  const deleted = await t.request('DELETE', `/api/lists/${gone.id}`, { cookie });
  expect(deleted.statusCode).toBe(204);
  const phones = (await t.db.selectFrom('person').select('phone').where('organisationId', '=', org.id).execute()).map((p) => p.phone);
  expect(phones).toEqual(['+46702223344']);
  expect((await t.request('GET', `/api/lists/${gone.id}`, { cookie })).statusCode).toBe(404);
  expect((await t.request('GET', `/api/lists/${keep.id}`, { cookie })).statusCode).toBe(200);
  const register = await t.request('POST', `/api/orgs/${org.id}/do-not-call/search`, { cookie, body: {} });
  expect(register.json<{ entries: { phone: string }[] }>().entries.map((e) => e.phone)).toEqual(['+46705556677']);
});

describe('whole-file problems answer 4xx with a clear message and store nothing', () => {
  test.each([
    ['an empty file', 'empty.csv', '', 400, 'empty_file'],
    ['a header only', 'header.csv', 'Förnamn;Mobil\r\n', 400, 'header_only'],
    ['no phone column', 'nophone.csv', 'Förnamn;Ort\r\nAnna;Luleå\r\n', 400, 'no_phone_column'],
    ['a PNG renamed .csv', 'image.csv', Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex'), 415, 'not_a_table'],
  ] as const)('%s', async (_what, name, content, status, code) => {
    const before = await t.tableCounts();
    const lists = await t.db.selectFrom('targetList').select('id').execute();
    const response = await importFile(association.id, { name, content });
    expect(response.statusCode, response.body).toBe(status);
    expect(errorCode(response)).toBe(code);
    expect(response.json<{ error: { message: string } }>().error.message.length).toBeGreaterThan(20);
    expect(await t.tableCounts()).toEqual(before);
    expect(await t.db.selectFrom('targetList').select('id').execute()).toHaveLength(lists.length);
  });

  test('a file over the size limit', async () => {
    const small = await (await import('../src/app')).buildApp({ db: t.db, clock: t.clock, publicUrl: t.publicUrl, sessionSecret: 'x'.repeat(40), importMaxBytes: 1024 });
    try {
      const body = listImport({ name: 'big' }, { field: 'file', filename: 'big.csv', content: `Mobil\r\n${'0701234567\r\n'.repeat(200)}` });
      const response = await small.inject({ method: 'POST', url: `/api/orgs/${association.id}/lists`, headers: { cookie, origin: t.origin, 'content-type': body.contentType }, payload: body.payload });
      expect(response.statusCode).toBe(413);
      expect(errorCode(response)).toBe('file_too_large');
    } finally {
      await small.close();
    }
  });
});

describe('a file that breaks after the first megabyte fails mid-import with a stable code and the row to look at', () => {
  // More than one read chunk (1 MB) of good rows first, so the preview and the start pass and the import itself meets the break.
  const good = Array.from({ length: 40_000 }, (_, i) => `Person ${i + 1};070${String(1_000_000 + i)};Luleå`);
  const brokenRow = good.length + 2; // the header is row 1
  test.each([
    ['a quote that never closes', ['Per;0709999999;"Luleå', 'Eva;0709999998;Piteå']],
    ['quotes that do not pair up', ['Per;0709999999;"Lu"leå"', 'Eva;0709999998;Piteå']],
    ['a quoted cell that swallows whole rows', ['Per;0709999999;"Luleå', 'Eva;0709999998;Piteå', 'Bo;0709999997;Kiruna"', 'Ada;0709999996;Boden']],
  ] as const)('%s', async (what, tail) => {
    const org = await t.newOrg({ parent: district, name: `Broken: ${what}` });
    const list = await imported(org.id, { name: 'trasig.csv', content: ['Förnamn;Mobil;Ort', ...good, ...tail, ''].join('\r\n') });
    expect(list.status).toBe('failed');
    expect(list.errorCode).toBe('broken_quoting');
    expect(list.errorRow).toBe(brokenRow);
    // The English text stays as it was, naming the same row.
    expect(list.error).toMatch(new RegExp(`\\brow ${brokenRow}\\b`, 'i'));
    const people = await t.db.selectFrom('person').select((eb) => eb.fn.countAll<number>().as('n')).where('organisationId', '=', org.id).executeTakeFirstOrThrow();
    expect(people.n).toBe(0);
    const listed = await t.request('GET', `/api/orgs/${org.id}/lists`, { cookie });
    expect(listed.json<{ lists: List[] }>().lists[0]).toMatchObject({ errorCode: 'broken_quoting', errorRow: brokenRow });
  });
});

test('a cancelled import and one the server’s stop ended fail as cancelled and server_stopped, with no row', async () => {
  const org = await t.newOrg({ parent: district, name: 'Stopped imports' });
  const rows = Array.from({ length: 200_000 }, (_, i) => `Person ${i + 1};070${String(1_000_000 + i)};Luleå`);
  const content = ['Förnamn;Mobil;Ort', ...rows, ''].join('\r\n');
  const stopped = async (stop: (id: string) => Promise<void>) => {
    const response = await importFile(org.id, { name: 'lang.csv', content });
    expect(response.statusCode, response.body).toBe(202);
    const { id } = response.json<{ id: string }>();
    expect(t.app.ctx.importer.isRunning(id)).toBe(true);
    await stop(id);
    return (await t.request('GET', `/api/lists/${id}`, { cookie })).json<List>();
  };
  const cancelled = await stopped((id) => t.app.ctx.importer.cancel(id));
  expect(cancelled).toMatchObject({ status: 'failed', errorCode: 'cancelled', error: 'The import was cancelled.' });
  expect(cancelled.errorRow).toBeUndefined();
  const serverStopped = await stopped(() => t.app.ctx.importer.close());
  expect(serverStopped).toMatchObject({ status: 'failed', errorCode: 'server_stopped', error: 'The server is stopping; the import was cancelled.' });
  expect(serverStopped.errorRow).toBeUndefined();
});

test('a caller can neither import nor read lists', async () => {
  const caller = await t.newUser([{ org: association, role: 'caller' }]);
  const callerCookie = await t.login(caller);
  const body = listImport({ name: 'x' }, { field: 'file', filename: 'x.csv', content: 'Mobil\r\n0701234567\r\n' });
  const response = await t.request('POST', `/api/orgs/${association.id}/lists`, { cookie: callerCookie, body: body.payload, headers: { 'content-type': body.contentType } });
  expect(response.statusCode).toBe(403);
  expect((await t.request('GET', `/api/orgs/${association.id}/lists`, { cookie: callerCookie })).statusCode).toBe(403);
});

test('two columns with the same header both keep their values, the second numbered; an unnamed column is left out', async () => {
  const org = await t.newOrg({ parent: district, name: 'Same headers' });
  const list = await imported(org.id, { name: 'same.csv', content: 'Mobil;Kommentar;Kommentar;\r\n0703334455;ringde i maj;vill ha info;extra\r\n' });
  expect(list.counts.imported).toBe(1);
  const person = await t.db.selectFrom('person').select('attributes').where('organisationId', '=', org.id).executeTakeFirstOrThrow();
  expect(person.attributes).toEqual({ Kommentar: 'ringde i maj', 'Kommentar (2)': 'vill ha info' });
});
