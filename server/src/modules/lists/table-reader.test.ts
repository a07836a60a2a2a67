import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import iconv from 'iconv-lite';
import { describe, expect, test } from 'vitest';
import { requirePhoneColumn, proposeMapping } from './columns';
import { detectDelimiter, openTable, ListFileError, type TableRow } from './table-reader';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../../..');
const shared = path.resolve(root, '../shared/data');
const fixture = (name: string) => path.join(here, 'fixtures', name);
const MB = 1024 * 1024;

async function read(file: string, maxBytes = 10 * MB) {
  const table = await openTable(file, { maxBytes });
  const rows: TableRow[] = [];
  for await (const batch of table.batches()) rows.push(...batch);
  return { format: table.format, encoding: table.encoding, delimiter: table.delimiter, header: table.header, rows, fraction: table.fractionRead() };
}

/** The ListFileError reading a file gives, wherever it surfaces (opening or reading). */
async function failure(file: string, options: { maxBytes?: number; originalName?: string } = {}) {
  try {
    const table = await openTable(file, { maxBytes: options.maxBytes ?? 10 * MB, originalName: options.originalName });
    for await (const batch of table.batches()) void batch;
  } catch (error) {
    expect(error).toBeInstanceOf(ListFileError);
    const { statusCode, code, message } = error as ListFileError;
    return { statusCode, code, message };
  }
  throw new Error(`${file} was read without an error`);
}

function tempFile(name: string, bytes: Buffer | string): string {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'ringa-table-')), name);
  writeFileSync(file, bytes);
  return file;
}

describe('the shared sample lists', () => {
  test('Swedish Excel CSV: Windows-1252, ";", CRLF, a quoted line break, formula-looking cells', async () => {
    const table = await read(path.join(shared, 'se-malgrupp-excel-cp1252.csv'));
    expect(table).toMatchObject({ format: 'csv', encoding: 'windows-1252', delimiter: ';' });
    expect(table.header).toEqual(['Förnamn', 'Efternamn', 'Mobilnummer', 'Telefon hem', 'Postnr', 'Ort', 'Födelseår']);
    expect(table.rows).toHaveLength(300);
    expect(table.rows[0]).toEqual({ rowNumber: 2, cells: ['Anna', 'Johansson', '0046725721751', '', '711 52', 'Västerås', '2004'] });
    expect(table.rows.find((row) => row.rowNumber === 85)?.cells).toEqual(['Håkan', 'Jönsson', '0737966932', '', '904 80', 'Stockholm\nc/o Andersson', '1980']);
    expect(table.rows.find((row) => row.rowNumber === 216)?.cells[1]).toBe('+SUM(1,2)');
    expect(table.rows.at(-1)).toEqual({ rowNumber: 301, cells: ['Håkan', 'Åberg', '+46707667572', '', '761 87', 'Umeå', '1952'] });
    expect(table.fraction).toBe(1);
  });

  test('the same kind of list as UTF-8 with a BOM', async () => {
    const table = await read(path.join(shared, 'se-malgrupp-utf8-bom.csv'));
    expect(table).toMatchObject({ format: 'csv', encoding: 'utf-8', delimiter: ';' });
    expect(table.header[0]).toBe('Förnamn'); // no BOM left on the first header
    expect(table.rows).toHaveLength(300);
    expect(table.rows.map((row) => row.rowNumber)).toEqual(Array.from({ length: 300 }, (_, i) => i + 2));
    expect(table.rows.find((row) => row.rowNumber === 121)?.cells[1]).toBe('@cmd');
    expect(table.rows.find((row) => row.rowNumber === 216)?.cells[5]).toBe('Örebro\nc/o Andersson');
  });

  test('the Danish list: UTF-8, ","', async () => {
    const table = await read(path.join(shared, 'dk-ringeliste.csv'));
    expect(table).toMatchObject({ format: 'csv', encoding: 'utf-8', delimiter: ',' });
    expect(table.header).toEqual(['Fornavn', 'Efternavn', 'Telefon', 'Postnummer', 'By', 'Medlem siden']);
    expect(table.rows).toHaveLength(200);
    expect(table.rows[0]?.cells).toEqual(['Mads', 'Rasmussen', '81187629', '6284', 'København', '2026-10-08']);
    expect(table.rows.at(-1)).toEqual({ rowNumber: 201, cells: ['Ørsted', 'Pedersen', '53 48 14 37', '1329', 'Odense', '2026-08-15'] });
  });

  test('new members', async () => {
    const table = await read(path.join(shared, 'se-nya-medlemmar.csv'));
    expect(table).toMatchObject({ format: 'csv', encoding: 'utf-8', delimiter: ';' });
    expect(table.header).toEqual(['Förnamn', 'Efternamn', 'Mobil', 'E-post', 'Medlem sedan', 'Förening']);
    expect(table.rows).toHaveLength(120);
  });
});

describe('encodings and delimiters', () => {
  test('Windows-1252 with ";" and CRLF: å ä ö æ ø come out right', async () => {
    expect(await read(fixture('windows-1252-semicolon-crlf.csv'))).toEqual({
      format: 'csv',
      encoding: 'windows-1252',
      delimiter: ';',
      header: ['Förnamn', 'Efternamn', 'Mobilnummer', 'Ort'],
      rows: [
        { rowNumber: 2, cells: ['Åsa', 'Öberg', '070-123 45 67', 'Västerås'] },
        { rowNumber: 3, cells: ['Søren', 'Ærø', '+46 73 123 45 67', 'Luleå'] },
        { rowNumber: 4, cells: ['Märta', 'Bäckström', '0046761234567', 'Malmö'] },
      ],
      fraction: 1,
    });
  });

  test('UTF-8 with a BOM and ","', async () => {
    const table = await read(fixture('utf-8-bom.csv'));
    expect(table).toMatchObject({ encoding: 'utf-8', delimiter: ',', header: ['Fornavn', 'Efternavn', 'Telefon', 'By'] });
    expect(table.rows).toEqual([
      { rowNumber: 2, cells: ['Freja', 'Ærø', '20 12 34 56', 'København'] },
      { rowNumber: 3, cells: ['Jens', 'Sørensen', '+45 61373780', 'Næstved'] },
    ]);
  });

  test('UTF-16 LE with a BOM and tabs (Excel "Unicode text")', async () => {
    const table = await read(fixture('utf-16le-bom-tabs.txt'));
    expect(table).toMatchObject({ encoding: 'utf-16le', delimiter: '\t', header: ['Förnamn', 'Efternamn', 'Mobil'] });
    expect(table.rows).toEqual([
      { rowNumber: 2, cells: ['Åsa', 'Öberg', '0701234567'] },
      { rowNumber: 3, cells: ['Ørjan', 'Æbelø', '0731234567'] },
    ]);
  });

  test('UTF-16 BE with a BOM', async () => {
    const table = await read(fixture('utf-16be-bom.csv'));
    expect(table).toMatchObject({ encoding: 'utf-16be', delimiter: ';', header: ['Förnamn', 'Mobil'] });
    expect(table.rows).toEqual([
      { rowNumber: 2, cells: ['Åsa', '0701234567'] },
      { rowNumber: 3, cells: ['Örjan', '0731234567'] },
    ]);
  });

  test('UTF-16 with a BOM is text whatever its letters (Cyrillic code units hold bytes below 0x20)', async () => {
    const file = tempFile('cyrillic.txt', Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode('Имя\tМобил\r\nОльга\t0701234567\r\n', 'utf-16le')]));
    expect(await read(file)).toMatchObject({ encoding: 'utf-16le', header: ['Имя', 'Мобил'], rows: [{ rowNumber: 2, cells: ['Ольга', '0701234567'] }] });
  });

  test('UTF-16 LE without a BOM is recognised by its zero bytes', async () => {
    const file = tempFile('no-bom.txt', iconv.encode('Förnamn\tMobil\r\nÅsa\t0701234567\r\n', 'utf-16le'));
    expect(await read(file)).toMatchObject({ encoding: 'utf-16le', delimiter: '\t', rows: [{ rowNumber: 2, cells: ['Åsa', '0701234567'] }] });
  });

  test('a Windows-1252 letter far into an otherwise plain file still makes it Windows-1252', async () => {
    const plain = Array.from({ length: 20_000 }, (_, i) => `Anna;07012${String(i).padStart(5, '0')}\r\n`).join('');
    const file = tempFile('late.csv', Buffer.concat([Buffer.from(`Fornamn;Mobil\r\n${plain}`), iconv.encode('Åsa;0709999999\r\n', 'windows-1252')]));
    const table = await read(file);
    expect(table.encoding).toBe('windows-1252');
    expect(table.rows.at(-1)?.cells).toEqual(['Åsa', '0709999999']);
  });

  test('the first part of a UTF-8 file, cut inside a letter, is still UTF-8 (the web app previews just that)', async () => {
    const whole = Buffer.from('Förnamn;Mobil\nÅsa;0701234567\nBjörn;0702345678\n');
    const cut = whole.subarray(0, whole.indexOf('ö', 20) + 1); // the first of ö's two bytes
    expect(await read(tempFile('cut.csv', cut))).toMatchObject({ encoding: 'utf-8', rows: [{ cells: ['Åsa', '0701234567'] }, { cells: ['Bj\ufffd', ''] }] });
    const ascii = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('Namn;Mobil\nAnna;0701234567\nBj'), Buffer.from([0xc3])]);
    expect(await read(tempFile('cut-bom.csv', ascii))).toMatchObject({ encoding: 'utf-8', rows: [{ cells: ['Anna', '0701234567'] }, { cells: ['Bj\ufffd', ''] }] });
  });

  test('a file that is UTF-8 but for one line is refused rather than garbled', async () => {
    expect(await failure(fixture('mixed-encoding.csv'))).toEqual({
      statusCode: 400,
      code: 'unknown_encoding',
      message:
        'We cannot tell how the file\'s letters are encoded. Most of the file is UTF-8, but line 3 is in another encoding. Open it in Excel and save it as "CSV UTF-8", or as .xlsx, and upload that.',
    });
  });

  test('an old DOS encoding (Å is 0x8F, undefined in Windows-1252) is refused', async () => {
    const file = tempFile('dos.csv', Buffer.from([...Buffer.from('Namn;Mobil\r\n'), 0x8f, 0x73, 0x61, ...Buffer.from(';0701234567\r\n')]));
    expect(await failure(file)).toMatchObject({ statusCode: 400, code: 'unknown_encoding' });
  });

  test('the delimiter is the one that splits the header and rows alike, quotes respected', () => {
    expect(detectDelimiter('Namn;Mobil;Ort\nAnna;070;Umeå\n', false)).toBe(';');
    expect(detectDelimiter('"Efternamn, förnamn";Mobil\n"Ek, Anna";070\n', false)).toBe(';');
    expect(detectDelimiter('Namn,Mobil\t\n"A;B",070\t\n', false)).toBe(',');
    expect(detectDelimiter('Namn\tMobil\nAnna\t070\n', false)).toBe('\t');
    expect(detectDelimiter('Mobil\n0701234567\n', false)).toBe(',');
    expect(detectDelimiter('Namn;Adress;Mobil\nAnna;"Gata 1\nc/o Ek, Bo";070\nBo;Väg 2;070\nCecilia;Torg, 3;07', true)).toBe(';');
  });
});

describe('rows', () => {
  test('quoted line breaks stay in their cell and do not add rows', async () => {
    const table = await read(fixture('quoted-line-breaks.csv'));
    expect(table.rows).toEqual([
      { rowNumber: 2, cells: ['Anna', '0701234567', 'Storgatan 1'] },
      { rowNumber: 3, cells: ['Bo', '0702345678', 'Lillgatan 2\nc/o Ek'] },
      { rowNumber: 4, cells: ['Cecilia', '0703456789', 'Torget'] },
      { rowNumber: 5, cells: ['David', '0704567890', 'Väg 3\n\nLägenhet 4'] },
      { rowNumber: 6, cells: ['Eva', '0705678901', 'Gränd 5'] },
    ]);
  });

  test('ragged rows: short ones padded, extra cells kept, blank rows left out but counted', async () => {
    const table = await read(fixture('ragged.csv'));
    expect(table.rows).toEqual([
      { rowNumber: 2, cells: ['Anna', 'Ek', '0701234567'] },
      { rowNumber: 3, cells: ['Bo', '', ''] },
      { rowNumber: 4, cells: ['Cecilia', 'Lund', '0703456789', 'extra', 'more'] },
      { rowNumber: 7, cells: ['David', 'Berg', '0704567890'] },
    ]);
  });

  test('formula-looking cells are kept as plain text; cells are trimmed', async () => {
    const table = await read(fixture('formulas.csv'));
    expect(table.rows).toEqual([
      { rowNumber: 2, cells: ['Anna', '=HYPERLINK("http://example.org","x")', '+46701234567', '-'] },
      { rowNumber: 3, cells: ['@x', '+SUM(1,2)', '=1+2', 'spaced'] },
    ]);
  });

  test('rows come in batches of 1000; batches() reads the file again each time; fractionRead reaches 1', async () => {
    const body = Array.from({ length: 2500 }, (_, i) => `Anna;07${String(i).padStart(8, '0')}\n`).join('');
    const table = await openTable(tempFile('many.csv', `Namn;Mobil\n${body}`), { maxBytes: MB });
    for (let pass = 0; pass < 2; pass++) {
      const sizes: number[] = [];
      let last = 0;
      for await (const batch of table.batches()) {
        sizes.push(batch.length);
        last = batch.at(-1)?.rowNumber ?? last;
      }
      expect(sizes).toEqual([1000, 1000, 500]);
      expect(last).toBe(2501);
      expect(table.fractionRead()).toBe(1);
    }
  });

  test('stopping early releases the file and a new read starts over', async () => {
    const table = await openTable(path.join(shared, 'se-malgrupp-utf8-bom.csv'), { maxBytes: MB });
    for await (const batch of table.batches()) {
      expect(batch[0]?.rowNumber).toBe(2);
      break;
    }
    let rows = 0;
    for await (const batch of table.batches()) rows += batch.length;
    expect(rows).toBe(300);
  });
});

describe('xlsx', () => {
  test('the first sheet, cells as displayed: numbers as text, dates as YYYY-MM-DD, formulas as their result', async () => {
    expect(await read(fixture('list.xlsx'))).toEqual({
      format: 'xlsx',
      encoding: null,
      delimiter: null,
      header: ['Förnamn', 'Efternamn', 'Mobil', 'Telefon', 'Medlem sedan', 'Födelseår', 'Aktiv'],
      rows: [
        { rowNumber: 2, cells: ['Åsa', 'Öberg', '46701234567', '08-123 456 78', '2026-03-15', '1980', 'TRUE'] },
        { rowNumber: 3, cells: ['Bo', 'Bäckström', '0702345678', '', '2025-12-01', '1975', 'FALSE'] },
        // A number formatted 0000000000 shows its leading zero, as in Excel.
        { rowNumber: 4, cells: ['Cecilia', 'Lund', '0703456789', '', '', '1991', ''] },
        { rowNumber: 6, cells: ['David', 'Ek', '+46 70 456 78 90', '', '', '', ''] },
      ],
      fraction: 1,
    });
  });

  test('the first tab, even when its sheet is not the first in the file', async () => {
    expect(await read(fixture('tab-order.xlsx'))).toMatchObject({ header: ['Förnamn', 'Mobil'], rows: [{ rowNumber: 2, cells: ['Åsa', '0701234567'] }] });
  });

  test('a workbook with only a header row', async () => {
    expect(await failure(fixture('header-only.xlsx'))).toMatchObject({ statusCode: 400, code: 'header_only' });
  });

  test('a damaged workbook', async () => {
    const file = tempFile('cut.xlsx', readFileSync(fixture('list.xlsx')).subarray(0, 3000));
    expect(await failure(file)).toMatchObject({ statusCode: 415, code: 'not_a_table' });
  });
});

describe('whole-file problems, each with its code', () => {
  test('over the size limit: 413, checked before reading', async () => {
    expect(await failure(path.join(shared, 'dk-ringeliste.csv'), { maxBytes: 10_000, originalName: 'dk-ringeliste.csv' })).toEqual({
      statusCode: 413,
      code: 'file_too_large',
      message: '"dk-ringeliste.csv" is 11 kB; the largest file we take is 10 kB. Split the list into smaller files, or remove columns you do not need, and upload again.',
    });
  });

  test('an empty file, and one of blank lines only', async () => {
    expect(await failure(fixture('empty.csv'))).toEqual({
      statusCode: 400,
      code: 'empty_file',
      message: 'The file is empty. Export the list again and check that it has rows.',
    });
    expect(await failure(fixture('blank-lines.csv'))).toMatchObject({ statusCode: 400, code: 'empty_file' });
  });

  test('column names and no rows (blank rows do not count)', async () => {
    expect(await failure(fixture('header-only.csv'), { originalName: 'lista.csv' })).toEqual({
      statusCode: 400,
      code: 'header_only',
      message: '"lista.csv" has column names but no rows below them. Check that you exported the whole list.',
    });
  });

  test('a first row without column names', async () => {
    expect(await failure(fixture('no-header.csv'))).toEqual({
      statusCode: 400,
      code: 'no_header',
      message: 'Row 1 of the file is empty. The first row must hold the column names (Förnamn, Mobil …): delete the empty rows above them and upload again.',
    });
  });

  test('a PNG renamed .csv', async () => {
    expect(await failure(fixture('image.csv'))).toEqual({
      statusCode: 415,
      code: 'not_a_table',
      message: 'This is a PNG image, not a table. Upload the list as .xlsx or as CSV.',
    });
  });

  test('an old .xls, a ZIP that is no workbook, binary data, a web page', async () => {
    expect(await failure(fixture('old-excel.csv'))).toMatchObject({ statusCode: 415, code: 'not_a_table', message: expect.stringContaining('.xls') as string });
    const zip = tempFile('doc.xlsx', Buffer.concat([Buffer.from('504b0304', 'hex'), Buffer.from('\0'.repeat(26) + 'word/document.xml')]));
    expect(await failure(zip)).toMatchObject({ code: 'not_a_table', message: expect.stringContaining('Word') as string });
    const binary = tempFile('data.csv', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)));
    expect(await failure(binary)).toMatchObject({ statusCode: 415, code: 'not_a_table' });
    const html = tempFile('export.xls', '<html><body><table><tr><td>Mobil</td></tr></table></body></html>');
    expect(await failure(html)).toMatchObject({ statusCode: 415, code: 'not_a_table', message: expect.stringContaining('HTML') as string });
    const xml = tempFile('export.xls', '<?xml version="1.0"?>\n<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"></Workbook>');
    expect(await failure(xml)).toMatchObject({ statusCode: 415, code: 'not_a_table', message: expect.stringContaining('XML') as string });
  });

  test('a quote that never closes, with the row it starts on', async () => {
    expect(await failure(fixture('unbalanced-quotes.csv'))).toEqual({
      statusCode: 400,
      code: 'broken_quoting',
      message: 'The file ends inside a quoted cell that starts on row 4. Check for a stray " in that row.',
    });
  });

  test('a stray quote that swallows whole rows before another quote closes it', async () => {
    expect(await failure(fixture('swallowed-rows.csv'))).toMatchObject({
      statusCode: 400,
      code: 'broken_quoting',
      message: expect.stringContaining('Row 3 ') as string,
    });
  });

  test('a quote that never closes deep in a large file fails on its row without reading the rest into memory', async () => {
    const rows = Array.from({ length: 5000 }, (_, i) => `Anna;07${String(i).padStart(8, '0')};Umeå\n`);
    rows[4000] = 'Bo;0701234567;"Kiruna\n';
    const tail = 'x'.repeat(100) + '\n';
    const file = tempFile('deep.csv', `Namn;Mobil;Ort\n${rows.join('')}${tail.repeat(12_000)}`);
    expect(await failure(file)).toMatchObject({ code: 'broken_quoting', message: expect.stringContaining('Row 4002 ') as string });
  });

  test('no phone column (found by the mapping)', async () => {
    const table = await openTable(fixture('no-phone-column.csv'), { maxBytes: MB });
    let error: unknown;
    try {
      requirePhoneColumn(proposeMapping(table.header));
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ListFileError);
    expect(error).toMatchObject({
      statusCode: 400,
      code: 'no_phone_column',
      message: 'No column holds phone numbers (the columns are: Namn, Ort, Kommentar). Name the column "Mobil" or "Telefon" in the file, or choose it as the phone column when you upload.',
    });
  });
});
