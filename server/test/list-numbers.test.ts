// Numbers as people have them: an .xlsx whose mobile column Excel stored as numbers (the leading zero
// gone) imports whole, the repaired rows counted apart from the problems; what could be read two ways
// stays a problem. The Danish sample previewed as Swedish is caught before anything is imported, with
// Denmark suggested, and imports whole as Danish.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import type { Static } from 'typebox';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { DoNotCallFileResult, ListPreview, ListView } from '../src/modules/lists/lists.schemas';
import { TestContext, root, type TestUser } from './harness';
import { listImport, multipart } from './multipart';

type List = Static<typeof ListView>;

let t: TestContext;
let district: { id: string };
let organizer: TestUser;
let cookie: string;

beforeAll(async () => {
  t = await TestContext.create();
  district = await t.newOrg({ name: 'Region Syd', kind: 'district', country: 'SE' });
  organizer = await t.newUser([{ org: district, role: 'organizer' }]);
  cookie = await t.login(organizer);
});
afterAll(() => t.close());

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** A workbook as Excel saves it when the phone column was never formatted as text: numbers, not strings. */
async function workbook(rows: (string | number)[][]): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet('Blad1');
  sheet.addRow(['Förnamn', 'Efternamn', 'Mobil']);
  for (const row of rows) sheet.addRow(row);
  return Buffer.from(await book.xlsx.writeBuffer());
}

async function imported(orgId: string, file: { name: string; content: Buffer; type?: string }, fields: Record<string, string> = {}): Promise<List> {
  const body = listImport({ name: file.name, ...fields }, { field: 'file', filename: file.name, content: file.content, type: file.type ?? XLSX });
  const response = await t.request('POST', `/api/orgs/${orgId}/lists`, { cookie, body: body.payload, headers: { 'content-type': body.contentType } });
  expect(response.statusCode, response.body).toBe(202);
  const { id } = response.json<{ id: string }>();
  await t.app.ctx.importer.wait(id);
  const list = await t.request('GET', `/api/lists/${id}`, { cookie });
  expect(list.statusCode).toBe(200);
  return list.json<List>();
}

async function preview(orgId: string, file: { name: string; content: Buffer; type?: string }) {
  const body = multipart({}, { field: 'file', filename: file.name, content: file.content, type: file.type ?? XLSX });
  const response = await t.request('POST', `/api/orgs/${orgId}/lists/preview`, { cookie, body: body.payload, headers: { 'content-type': body.contentType } });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<Static<typeof ListPreview>>();
}

async function problemsCsv(listId: string): Promise<string[]> {
  const response = await t.request('GET', `/api/lists/${listId}/errors.csv`, { cookie });
  expect(response.statusCode).toBe(200);
  return response.body.replace(/^\uFEFF/, '').trim().split('\r\n');
}

test('59 rows, 7 of them mobiles Excel stored as numbers (729006390): all 59 imported, 7 counted as repaired, none as problems', async () => {
  const org = await t.newOrg({ parent: district, name: 'Excel-föreningen' });
  const rows: (string | number)[][] = [];
  for (let i = 0; i < 52; i++) rows.push([`Person${i}`, 'Text', `070-${String(100 + i).padStart(3, '0')} 45 67`]);
  const lost = [729006390, 701112233, 702345678, 703456789, 736543210, 761234567, 793456789];
  for (const [i, number] of lost.entries()) rows.push([`Siffra${i}`, 'Tal', number]);
  const list = await imported(org.id, { name: 'excel-mobil.xlsx', content: await workbook(rows) });

  expect(list.status, list.error).toBe('ready');
  expect(list.counts).toEqual({ rows: 59, imported: 59, invalid: 0, duplicates: 0, suppressed: 0 });
  expect(list.repaired).toBe(7);
  expect(await problemsCsv(list.id)).toHaveLength(1); // the header only
  const people = await t.db.selectFrom('person').select(['firstName', 'phone', 'phoneType']).where('organisationId', '=', org.id).where('firstName', 'like', 'Siffra%').orderBy('firstName').execute();
  expect(people.map((person) => [person.phone, person.phoneType])).toEqual(lost.map((number) => [`+46${number}`, 'mobile']));
  // The list's page (the lists of the organisation) shows the same count.
  const lists = await t.request('GET', `/api/orgs/${org.id}/lists`, { cookie });
  expect(lists.json<{ lists: List[] }>().lists[0]?.repaired).toBe(7);
});

test('numbers that could be read two ways are not repaired: they stay problems with their reason, and the repaired count says so', async () => {
  const org = await t.newOrg({ parent: district, name: 'Tvetydiga' });
  const list = await imported(org.id, {
    name: 'tvetydiga.xlsx',
    content: await workbook([
      ['Anna', 'Mobil', 729006390], // repaired
      ['Bo', 'Fast', 81187629], // 08-118 76 29, or a Danish number
      ['Cia', 'Personsökare', 741234567], // 074 is no mobile series
      ['Dan', 'Kort', 70123456], // 8 digits: no mobile
      ['Eva', 'Dubblett', '072-900 63 90'], // Anna's number once more
    ]),
  });
  expect(list.counts).toEqual({ rows: 5, imported: 1, invalid: 3, duplicates: 1, suppressed: 0 });
  expect(list.repaired).toBe(1);
  const report = await problemsCsv(list.id);
  // The problem file speaks the organisation's language (Swedish), its reasons too.
  expect(report.map((line) => line.split(';').slice(0, 3).join(';'))).toEqual([
    'Rad;Kolumn;Värde',
    '3;Mobil;81187629',
    '4;Mobil;741234567',
    '5;Mobil;70123456',
    '6;Mobil;072-900 63 90',
  ]);
});

test('Finland: a 9-digit mobile stored as a number (401234567) is repaired as +358 40 123 4567', async () => {
  const org = await t.newOrg({ parent: district, name: 'Suomi-seura', country: 'FI' });
  const list = await imported(org.id, { name: 'fi.xlsx', content: await workbook([['Aino', 'Virtanen', 401234567], ['Eero', 'Nieminen', 501234567]]) }, { country: 'FI' });
  expect(list.counts).toMatchObject({ rows: 2, imported: 2, invalid: 0 });
  expect(list.repaired).toBe(2);
});

test('the do-not-call upload reads the same way: a mobile stored as a number goes on the register, counted as repaired', async () => {
  const org = await t.newOrg({ parent: district, name: 'Spärrlistan' });
  const body = multipart({}, { field: 'file', filename: 'spärr.xlsx', content: await workbook([['Anna', 'A', 729006390], ['Bo', 'B', 81187629]]), type: XLSX });
  const response = await t.request('POST', `/api/orgs/${org.id}/do-not-call/file`, { cookie, body: body.payload, headers: { 'content-type': body.contentType } });
  expect(response.statusCode, response.body).toBe(200);
  expect(response.json<Static<typeof DoNotCallFileResult>>()).toEqual({ rows: 2, added: 1, alreadyListed: 0, invalid: 1, repaired: 1 });
  const stored = await t.db.selectFrom('doNotCall').select('phone').where('organisationId', '=', org.id).execute();
  expect(stored).toEqual([{ phone: '+46729006390' }]);
});

test('the Danish sample previewed in a Swedish organisation: the preview suggests Denmark and nothing is imported; as Danish it imports whole', async () => {
  const org = await t.newOrg({ parent: district, name: 'Dansk forening i Malmö' });
  const file = { name: 'dk-ringeliste.csv', content: readFileSync(path.resolve(root, '../shared/data/dk-ringeliste.csv')), type: 'text/csv' };

  const answer = await preview(org.id, file);
  expect(answer.numbers.sampled).toBe(200);
  expect(answer.numbers.readable).toMatchObject({ SE: 109, DK: 199 });
  expect(answer.numbers.suggestions.SE).toBe('DK');
  expect(answer.numbers.suggestions.DK).toBeNull();
  const before = await t.db.selectFrom('targetList').select('id').where('organisationId', '=', org.id).execute();
  expect(before).toEqual([]);

  const list = await imported(org.id, file, { country: 'DK' });
  expect(list.country).toBe('DK');
  expect(list.counts).toEqual({ rows: 200, imported: 199, invalid: 1, duplicates: 0, suppressed: 0 });
  expect(list.repaired).toBe(0);
});

test('a Swedish sample previewed in its own country suggests nothing', async () => {
  const content = readFileSync(path.resolve(root, '../shared/data/se-malgrupp-utf8-bom.csv'));
  const answer = await preview(district.id, { name: 'se.csv', content, type: 'text/csv' });
  expect(answer.numbers.suggestions.SE).toBeNull();
  expect(answer.numbers.suggestions.DK).toBe('SE');
});
