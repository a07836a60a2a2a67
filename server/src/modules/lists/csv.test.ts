import { CsvError, parse } from 'csv-parse/sync';
import { describe, expect, test } from 'vitest';
import { CsvParser, CsvSyntaxError } from './csv';

/** Parses `text` fed in chunks of the given sizes (cycled), as the reader feeds a file. */
function parseInChunks(text: string, delimiter: ',' | ';' | '\t', sizes: number[] = [text.length || 1], max = 1024 * 1024): string[][] {
  const parser = new CsvParser(delimiter, max);
  const records: string[][] = [];
  let at = 0;
  for (let n = 0; at < text.length; n++) {
    const size = sizes[n % sizes.length] ?? 1;
    records.push(...parser.push(text.slice(at, at + size)));
    at += size;
  }
  records.push(...parser.end());
  return records;
}

function failure(run: () => unknown): { code: string; records: number } | null {
  try {
    run();
    return null;
  } catch (error) {
    if (error instanceof CsvSyntaxError) return { code: error.code, records: error.records };
    throw error;
  }
}

describe('the CSV parser', () => {
  test('quoted cells hold delimiters, line breaks and doubled quotes; a quote inside a plain cell is text', () => {
    const text = 'Namn;Anteckning;Mobil\r\n"Svensson; Anna";"ring efter 18\r\ninte helger";070-123 45 67\r\nÖberg;12" skärm;"""citat"""\r\n';
    expect(parseInChunks(text, ';')).toEqual([
      ['Namn', 'Anteckning', 'Mobil'],
      ['Svensson; Anna', 'ring efter 18\r\ninte helger', '070-123 45 67'],
      ['Öberg', '12" skärm', '"citat"'],
    ]);
  });

  test('records end at CRLF, LF or CR; an empty line is a record of one empty cell; the last line needs no break', () => {
    expect(parseInChunks('a,b\r\nc,d\ne,f\rg,h', ',')).toEqual([['a', 'b'], ['c', 'd'], ['e', 'f'], ['g', 'h']]);
    expect(parseInChunks('a\n\nb\n', ',')).toEqual([['a'], [''], ['b']]);
    expect(parseInChunks('a;\n', ';')).toEqual([['a', '']]);
  });

  test('cells are trimmed, inside quotes too; spaces around a quoted cell are allowed', () => {
    expect(parseInChunks('  a  ; " b "  ;\u00a0c\u00a0\n', ';')).toEqual([['a', 'b', 'c']]);
    expect(parseInChunks('a\t "b" \tc\n', '\t')).toEqual([['a', 'b', 'c']]);
  });

  test('a record split anywhere between chunks, even between CR and LF or inside "", comes out whole', () => {
    const text = 'x;"a""b";"c\r\nd"\r\ny;z\r\n';
    for (let size = 1; size <= text.length; size++) {
      expect(parseInChunks(text, ';', [size])).toEqual([
        ['x', 'a"b', 'c\r\nd'],
        ['y', 'z'],
      ]);
    }
  });

  test('a quote that never closes, text after a closing quote, and a record over the limit are errors naming the record before', () => {
    expect(failure(() => parseInChunks('h\n"a\nb', ','))).toEqual({ code: 'quote_not_closed', records: 1 });
    expect(failure(() => parseInChunks('h\nx\n"a"b,c\n', ','))).toEqual({ code: 'invalid_closing_quote', records: 2 });
    expect(failure(() => parseInChunks(`h\n"${'x'.repeat(200)}\n`, ',', [16], 100))).toEqual({ code: 'record_too_long', records: 1 });
    expect(failure(() => parseInChunks(`h\n${'x'.repeat(200)}\n`, ',', [1000], 100))).toEqual({ code: 'record_too_long', records: 1 });
  });

  test('agrees with csv-parse (relax_quotes, relax_column_count, trim) on 5,000 generated files, whatever the chunking', () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x80000000;
    };
    const pick = <T,>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const plainCell = () => Array.from({ length: Math.floor(random() * 5) }, () => pick(['a', 'Ö', ' ', '"', '1', '+', '='])).join('').replace(/^\s*"/, 'q');
    const quotedCell = (delimiter: string, eol: string) =>
      `${pick(['', ' '])}"${Array.from({ length: Math.floor(random() * 5) }, () => pick(['a', delimiter, eol, '""', ' ', 'å'])).join('')}"${pick(['', ' '])}`;
    let disagreements = 0;
    let refused = 0;
    for (let file = 0; file < 5000; file++) {
      const delimiter = pick([',', ';', '\t'] as const);
      const eol = pick(['\n', '\r\n']);
      let text: string;
      if (random() < 0.25) {
        // Anything at all from a few characters: broken quoting included.
        text = Array.from({ length: Math.floor(random() * 30) }, () => pick(['a', delimiter, '"', ' ', '\n'])).join('');
      } else {
        const records = Array.from({ length: 1 + Math.floor(random() * 5) }, () =>
          Array.from({ length: 1 + Math.floor(random() * 4) }, () => (random() < 0.4 ? quotedCell(delimiter, eol) : plainCell())).join(delimiter),
        );
        text = records.join(eol) + pick(['', eol]);
      }
      let expected: { records: string[][] } | { code: string; records: number };
      try {
        const records: string[][] = parse(text, { delimiter, relax_column_count: true, relax_quotes: true, trim: true, bom: false });
        expected = { records: records.map((cells) => cells.map((cell) => cell.trim())) };
      } catch (error) {
        if (!(error instanceof CsvError)) throw error;
        expected = { code: String(error.code), records: Number(error.records) };
        refused += 1;
      }
      const sizes = [1 + Math.floor(random() * 7), 1 + Math.floor(random() * 40)];
      const actual = failure(() => parseInChunks(text, delimiter, sizes)) ?? { records: parseInChunks(text, delimiter, sizes) };
      // Both refuse the same broken files at the same record; which of the two quoting messages a
      // file gets may differ where csv-parse's reading of stray quotes is its own (` "" "`).
      const same =
        'code' in expected && 'code' in actual ? expected.records === actual.records : JSON.stringify(actual) === JSON.stringify(expected);
      if (!same) {
        disagreements += 1;
        if (disagreements <= 3) expect({ text, actual }).toEqual({ text, actual: expected });
      }
    }
    expect(disagreements).toBe(0);
    expect(refused).toBeGreaterThan(500); // broken files are well represented (685 of 5,000)
  });
});
