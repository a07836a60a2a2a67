// NUL characters and lone halves of UTF-16 pairs in an imported list (CSV in each encoding, .xlsx as
// Excel writes them): PostgreSQL can store neither, so they are cleaned from names and attributes,
// the list imports, and the people read as the organizer would expect. Before, such a file failed
// with "internal" (PostgreSQL 22021 / 22P02 / 22P05) or was refused as binary data.
import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import type { Static } from 'typebox';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ListView } from '../src/modules/lists/lists.schemas';
import { TestContext, errorCode, type TestUser } from './harness';
import { listImport } from './multipart';
import { sheetXml, workbookParts, writeZip } from './xlsx-files';

let t: TestContext;
let organizer: TestUser;
let cookie: string;
let workDir: string;
let district: { id: string };
beforeAll(async () => {
  t = await TestContext.create();
  workDir = await mkdtemp(path.join(os.tmpdir(), 'ringa-bad-text-'));
  district = await t.newOrg({ name: 'Region Nul', kind: 'district', country: 'SE' });
  organizer = await t.newUser([{ org: district, role: 'organizer' }]);
  cookie = await t.login(organizer);
});
afterAll(async () => {
  await t.close();
  await rm(workDir, { recursive: true, force: true });
});

function post(url: string, file: { name: string; content: Buffer }) {
  const body = listImport({ name: file.name }, { field: 'file', filename: file.name, content: file.content });
  return t.request('POST', url, { cookie, body: body.payload, headers: { 'content-type': body.contentType } });
}

async function imported(file: { name: string; content: Buffer }) {
  const org = await t.newOrg({ parent: district, name: `Org for ${file.name}` });
  const preview = await post(`/api/orgs/${org.id}/lists/preview`, file);
  expect(preview.statusCode, preview.body).toBe(200);
  const response = await post(`/api/orgs/${org.id}/lists`, file);
  expect(response.statusCode, response.body).toBe(202);
  const { id } = response.json<{ id: string }>();
  await t.app.ctx.importer.wait(id);
  const list = (await t.request('GET', `/api/lists/${id}`, { cookie })).json<Static<typeof ListView>>();
  const people = await t.db.selectFrom('person').select(['firstName', 'lastName', 'phone', 'attributes']).where('organisationId', '=', org.id).orderBy('phone').execute();
  return { list, people, preview: preview.json<{ header: string[]; sample: string[][] }>() };
}

// A name and an attribute (and an attribute's name) with a NUL, and one with a lone surrogate.
const HEADER = ['Förnamn', 'Efternamn', 'Mobil', 'O\u0000rt'];
const ROWS = [
  ['An\u0000na', 'Berg', '070-123 45 67', 'Lu\u0000leå'],
  ['Bo', 'E\ud800k', '070-123 45 68', 'Pi\udc00teå'],
  ['Cecilia', 'Lind', '070-123 45 69', 'Kiruna'],
];
const CLEAN = [
  { firstName: 'Anna', lastName: 'Berg', phone: '+46701234567', attributes: { Ort: 'Luleå' } },
  { firstName: 'Bo', lastName: 'E\ufffdk', phone: '+46701234568', attributes: { Ort: 'Pi\ufffdteå' } },
  { firstName: 'Cecilia', lastName: 'Lind', phone: '+46701234569', attributes: { Ort: 'Kiruna' } },
];

function csv(rows: string[][], options: { padding?: number; header?: string[] } = {}): string {
  const filler = Array.from({ length: options.padding ?? 0 }, (_, i) => `Fyll;Rad;070-200 ${String(10_000 + i).slice(1)};Umeå`);
  return [options.header ?? HEADER, ...filler.map((line) => line.split(';')), ...rows].map((row) => row.join(';')).join('\r\n') + '\r\n';
}

describe('CSV', () => {
  test('UTF-8: NUL in a name, an attribute and a header is dropped; a lone surrogate (not UTF-8) cannot occur and is not invented', async () => {
    const { list, people } = await imported({ name: 'nul-utf8.csv', content: Buffer.from(csv(ROWS.slice(0, 1).concat(ROWS.slice(2)))) });
    expect(list.status, list.error).toBe('ready');
    expect(list.counts.imported).toBe(2);
    expect(people).toEqual([CLEAN[0], CLEAN[2]]);
  });

  test('UTF-8: a NUL far into a large file (past the part read to detect the encoding) is dropped too', async () => {
    const { list, people } = await imported({ name: 'nul-late.csv', content: Buffer.from(csv(ROWS.slice(0, 1), { padding: 3000, header: ['Förnamn', 'Efternamn', 'Mobil', 'Ort'] })) });
    expect(list.status, list.error).toBe('ready');
    expect(list.counts.imported).toBe(3001);
    expect(people.find((person) => person.phone === '+46701234567')).toEqual(CLEAN[0]);
  });

  test('UTF-16 (Excel\'s "Unicode text"): NUL dropped, lone surrogates become U+FFFD', async () => {
    const text = csv(ROWS).replace(/;/g, '\t');
    const { list, people } = await imported({ name: 'nul-utf16.txt', content: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]) });
    expect(list.status, list.error).toBe('ready');
    expect(people).toEqual(CLEAN);
  });

  test('Windows-1252: a NUL byte is dropped', async () => {
    const { list, people } = await imported({ name: 'nul-1252.csv', content: iconv.encode(csv(ROWS.slice(0, 1)), 'win1252') });
    expect(list.status, list.error).toBe('ready');
    expect(people).toEqual([CLEAN[0]]);
  });
});

describe('xlsx', () => {
  async function workbook(name: string, texts: string[][]): Promise<Buffer> {
    const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;');
    const all = texts.flat();
    const shared = `<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">${all.map((text) => `<si><t>${escape(text)}</t></si>`).join('')}</sst>`;
    let index = 0;
    const sheet = [...sheetXml(() => texts.map((row) => row.map(() => ({ shared: index++ }))))].join('');
    const file = path.join(workDir, name);
    await writeZip(file, workbookParts(sheet, shared));
    return readFileSync(file);
  }

  test('as Excel writes them (_x0000_, _xD800_): cleaned like CSV', async () => {
    const excel = (text: string) => text.replace(new RegExp('[\\0\\ud800-\\udfff]', 'g'), (c) => `_x${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}_`);
    const { list, people, preview } = await imported({ name: 'nul.xlsx', content: await workbook('nul.xlsx', [HEADER, ...ROWS].map((row) => row.map(excel))) });
    expect(preview.header).toEqual(['Förnamn', 'Efternamn', 'Mobil', 'Ort']);
    expect(preview.sample[0]).toEqual(['Anna', 'Berg', '070-123 45 67', 'Luleå']);
    expect(list.status, list.error).toBe('ready');
    expect(people).toEqual(CLEAN);
  });

  test('Excel\'s other escapes read as the text they stand for (a line break, a literal "_x0041_")', async () => {
    const { list, people } = await imported({
      name: 'escapes.xlsx',
      content: await workbook('escapes.xlsx', [
        ['Förnamn', 'Mobil', 'Anteckning'],
        ['Dag', '070-123 45 70', 'rad 1_x000D_\nrad 2 _x005F_x0041_'],
      ]),
    });
    expect(list.status, list.error).toBe('ready');
    expect(people[0]?.attributes).toEqual({ Anteckning: 'rad 1\r\nrad 2 _x0041_' });
  });

  test('a NUL written raw or as &#0; is not XML: the file is refused as damaged (415), not a 500', async () => {
    const org = await t.newOrg({ parent: district, name: 'Org for raw NUL' });
    for (const [name, bad] of [
      ['raw.xlsx', 'An\u0000na'],
      ['charref.xlsx', 'An&#0;na'],
    ] as const) {
      const shared = `<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>Namn</t></si><si><t>Mobil</t></si><si><t>${bad}</t></si></sst>`;
      const sheet = [...sheetXml(() => [[{ shared: 0 }, { shared: 1 }], [{ shared: 2 }, 701234567]])].join('');
      await writeZip(path.join(workDir, name), workbookParts(sheet, shared));
      const response = await post(`/api/orgs/${org.id}/lists`, { name, content: readFileSync(path.join(workDir, name)) });
      expect(response.statusCode, response.body).toBe(415);
      expect(errorCode(response)).toBe('not_a_table');
    }
    expect(await t.db.selectFrom('targetList').select('id').where('organisationId', '=', org.id).execute()).toEqual([]);
  });
});
