import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import type { Country } from '../../contract/api';
import { classifyRow } from './classify';
import { problemReasonText } from './problems.texts';
import { phoneColumns, proposeMapping } from './columns';
import { openTable } from './table-reader';

const here = path.dirname(fileURLToPath(import.meta.url));
const shared = path.resolve(here, '../../../..', '../shared/data');

interface Expected {
  country: Country;
  rows: number;
  imported: number;
  invalid: number;
  duplicates: number;
  suppressed: number;
}

const expected = JSON.parse(readFileSync(path.join(shared, 'expected.json'), 'utf8')) as Record<string, Expected>;

/** The import's verdict on a list, with duplicates decided by a Set as the database decides them by a unique key. */
async function importCounts(file: string, country: Country) {
  const table = await openTable(path.join(shared, file), { maxBytes: 10 * 1024 * 1024 });
  const phoneIdx = phoneColumns(proposeMapping(table.header));
  const seen = new Set<string>();
  const counts = { rows: 0, imported: 0, invalid: 0, duplicates: 0, suppressed: 0 };
  const invalid: { row: number; raw: string; reason: string }[] = [];
  for await (const batch of table.batches()) {
    for (const row of batch) {
      counts.rows += 1;
      const result = classifyRow(row.cells, phoneIdx, country);
      if (result.kind === 'invalid') {
        counts.invalid += 1;
        invalid.push({ row: row.rowNumber, raw: result.raw, reason: problemReasonText(result.reason, 'en') });
      } else if (seen.has(result.e164)) counts.duplicates += 1;
      else {
        seen.add(result.e164);
        counts.imported += 1;
      }
    }
  }
  return { counts, invalid };
}

describe('the oracle: each shared sample imports exactly as expected.json says', () => {
  test.each(Object.entries(expected))('%s', async (file, expectation) => {
    const { counts } = await importCounts(file, expectation.country);
    const { country: _country, ...numbers } = expectation;
    expect(counts).toEqual(numbers);
  });

  test('the Swedish Excel list: which rows are invalid, and why', async () => {
    const { invalid } = await importCounts('se-malgrupp-excel-cp1252.csv', 'SE');
    expect(invalid).toEqual([
      { row: 84, raw: '123', reason: '123 is too short to be a Swedish phone number.' },
      { row: 158, raw: '123', reason: '123 is too short to be a Swedish phone number.' },
      { row: 221, raw: 'saknas', reason: '"saknas" is not a phone number.' },
    ]);
  });

  test('the UTF-8 list: scientific notation, a number without its zero, placeholders', async () => {
    const { invalid } = await importCounts('se-malgrupp-utf8-bom.csv', 'SE');
    expect(invalid.map(({ row, raw }) => [row, raw])).toEqual([
      [38, '7012345678'],
      [80, '123'],
      [96, '123'],
      [132, '4.67E+10'],
      [196, 'N/A'],
      [197, '123'],
      [200, 'N/A'],
      [261, '00000000'],
      [272, '070-12'],
      [278, '+46 70 123'],
    ]);
    expect(invalid.find(({ row }) => row === 132)?.reason).toBe('Excel turned this number into scientific notation (4.67E+10); the digits are lost.');
  });

  test('new members all import', async () => {
    const { counts } = await importCounts('se-nya-medlemmar.csv', 'SE');
    expect(counts).toEqual({ rows: 120, imported: 120, invalid: 0, duplicates: 0, suppressed: 0 });
  });
});

describe('classifyRow', () => {
  test('the first valid number wins, mobile before home', () => {
    expect(classifyRow(['Anna', '070-123 45 67', '08-123 456 78'], [1, 2], 'SE')).toEqual({ kind: 'valid', e164: '+46701234567', type: 'mobile', column: 1 });
  });

  test('an invalid mobile falls back to a valid home number', () => {
    expect(classifyRow(['Anna', '123', '08-123 456 78'], [1, 2], 'SE')).toEqual({ kind: 'valid', e164: '+46812345678', type: 'fixed', column: 2 });
  });

  test('no valid number: the first filled phone cell says why', () => {
    expect(classifyRow(['Anna', '', '4.67E+10', '123'], [1, 2, 3], 'SE')).toEqual({
      kind: 'invalid',
      column: 2,
      raw: '4.67E+10',
      reason: { code: 'scientific-notation', value: '4.67E+10' },
    });
  });

  test('no number at all', () => {
    expect(classifyRow(['Anna', '', '  '], [1, 2], 'SE')).toMatchObject({ kind: 'invalid', column: 2, raw: '  ' });
    expect(classifyRow(['Anna', ''], [1, 5], 'SE')).toEqual({ kind: 'invalid', column: null, raw: '', reason: { code: 'no-number' } });
  });
});
