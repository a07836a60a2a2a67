// The .xlsx caps one at a time, each with a small file that unpacks past one of them: a parser never
// gets to hold the oversized piece, and the organizer is told the file is too large (413).
import { mkdtempSync, rmSync, truncateSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { sheetXml, sharedStringsXml, workbookParts, writeZip, type ZipPart } from '../../../test/xlsx-files';
import { ListFileError, openTable } from './table-reader';
import { XLSX_LIMITS } from './xlsx';

const dir = mkdtempSync(path.join(os.tmpdir(), 'ringa-xlsx-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
let files = 0;

async function refusal(parts: ZipPart[]): Promise<{ status: number; code: string; message: string }> {
  const file = path.join(dir, `${(files += 1)}.xlsx`);
  await writeZip(file, parts);
  try {
    const table = await openTable(file, { maxBytes: 200 * 1024 * 1024, originalName: 'lista.xlsx' });
    for await (const batch of table.batches()) void batch;
  } catch (error) {
    if (error instanceof ListFileError) return { status: error.statusCode, code: error.code, message: error.message };
    throw error;
  }
  throw new Error('the file was read');
}

function tooLarge(refused: { status: number; code: string; message: string }, message: RegExp): void {
  expect(refused.status).toBe(413);
  expect(refused.code).toBe('file_too_large');
  expect(refused.message).toMatch(message);
}

const header = () => sheetXml(() => [[{ shared: 0 }, { shared: 1 }], [{ shared: 2 }, 701234567]]);
const texts = () => `<sst xmlns="${MAIN}"><si><t>Namn</t></si><si><t>Mobil</t></si><si><t>Anna</t></si></sst>`;

describe('refused as too large', () => {
  test('one shared text of more than a megabyte', async () => {
    const shared = () => sharedStringsXml(3, () => ['Namn', 'Mobil', 'A'.repeat(XLSX_LIMITS.sharedStringItem + 10)]);
    tooLarge(await refusal(workbookParts(header, shared)), /single text or tag of more than 1 MB|one text of more than 1 MB/);
  });

  test('one shared text made of many small runs (rich text)', async () => {
    const runs = '<r><t>a</t></r>'.repeat(Math.ceil(XLSX_LIMITS.sharedStringItem / 15) + 10);
    const shared = `<sst xmlns="${MAIN}"><si><t>Namn</t></si><si><t>Mobil</t></si><si>${runs}</si></sst>`;
    tooLarge(await refusal(workbookParts(header, shared)), /./);
  });

  test('a row of more markup than a row can hold', async () => {
    const cells = '<c r="A2"><v>1</v></c>'.repeat(Math.ceil(XLSX_LIMITS.rowBytes / 22) + 10);
    const sheet = `<worksheet xmlns="${MAIN}"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row><row r="2">${cells}</row></sheetData></worksheet>`;
    tooLarge(await refusal(workbookParts(sheet, texts)), /a row of more than 2 MB/);
  });

  test('a row whose cells repeat long shared texts past a million characters', async () => {
    const long = 'L'.repeat(30_000);
    const shared = () => sharedStringsXml(3, () => ['Namn', 'Mobil', long]);
    const sheet = () => sheetXml(() => [[{ shared: 0 }, { shared: 1 }], Array.from({ length: 40 }, () => ({ shared: 2 }))]);
    tooLarge(await refusal(workbookParts(sheet, shared)), /Row 2 of "lista.xlsx" holds more than 1,000,000 characters/);
  });

  test('megabytes of column settings before the first row', async () => {
    const cols = '<col min="1" max="1" width="9"/>'.repeat(Math.ceil(XLSX_LIMITS.sheetHeadBytes / 32) + 10);
    const sheet = `<worksheet xmlns="${MAIN}"><cols>${cols}</cols><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>`;
    tooLarge(await refusal(workbookParts(sheet, texts)), /before the first row/);
  });

  test('a text or tag of more than a megabyte', async () => {
    const sheet = `<worksheet xmlns="${MAIN}" ${'x'.repeat(XLSX_LIMITS.markupRun + 10)}="1"><sheetData/></worksheet>`;
    tooLarge(await refusal(workbookParts(sheet, texts)), /single text or tag/);
  });

  test('more shared texts than a list holds', async () => {
    // Empty texts, and a picture that makes the file large enough for their markup.
    const shared = function* () {
      yield `<sst xmlns="${MAIN}"><si><t>Namn</t></si><si><t>Mobil</t></si><si><t>Anna</t></si>`;
      for (let i = 0; i < XLSX_LIMITS.sharedStrings / 10_000; i++) yield '<si/>'.repeat(10_000);
      yield '</sst>';
    };
    const picture: ZipPart = { name: 'xl/media/image1.png', content: randomBytes(1536 * 1024).toString('base64') };
    tooLarge(await refusal([...workbookParts(header, shared), picture]), /4,000,000 different texts/);
  }, 60_000);
});

test('shared texts unpacking to far more than 20 times the file are refused before anything is inflated, by the sizes the directory declares', async () => {
  const shared = () => sharedStringsXml(3, function* () {
    yield* ['Namn', 'Mobil', 'Anna'];
    for (let i = 0; i < 400_000; i++) yield 'samma text om och om igen';
  });
  tooLarge(await refusal(workbookParts(header, shared)), /shared texts unpack to \d+ MB/);
});

test('a file that is no zip at the end (cut short) is damaged, not too large', async () => {
  const file = path.join(dir, 'cut.xlsx');
  const size = await writeZip(file, workbookParts(header, texts));
  truncateSync(file, size - 30);
  await expect(openTable(file, { maxBytes: 1024 * 1024 })).rejects.toMatchObject({ statusCode: 415, code: 'not_a_table' });
});

test('a cell beyond Excel\'s last column is damaged (415), as ExcelJS reads it', async () => {
  const sheet = `<worksheet xmlns="${MAIN}"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row><row r="2"><c r="XFE2"><v>1</v></c></row></sheetData></worksheet>`;
  const file = path.join(dir, 'xfe.xlsx');
  await writeZip(file, workbookParts(sheet, texts));
  await expect(openTable(file, { maxBytes: 1024 * 1024 }).then(async (table) => { for await (const batch of table.batches()) void batch; })).rejects.toMatchObject({ statusCode: 415, code: 'not_a_table' });
});
