// A CSV parser for the lists organizers export from Excel: RFC 4180 quoting, with Excel's leniency.
// It replaced csv-parse on the import's path, where parsing was most of the time spent reading a
// million-row list (3.0 s of 3.9 s; this parser takes about a third of that, measured by
// npm run bench:import). Its rules are csv-parse's with relax_quotes, relax_column_count and trim,
// and csv.test.ts checks the two agree on thousands of generated files.
//
// - A cell that starts with a quote (after spaces) runs to the matching quote; "" inside is one quote,
//   and it may hold delimiters and line breaks. After the closing quote only spaces may come before
//   the delimiter or the end of the line.
// - A quote inside an unquoted cell is just a character (12" skärm), as Excel reads it.
// - Records end at CRLF, LF or CR. Cells are trimmed of white space, also inside quotes.
// - Rows may have any number of cells.

export type CsvSyntaxErrorCode = 'quote_not_closed' | 'record_too_long' | 'invalid_closing_quote';

export class CsvSyntaxError extends Error {
  constructor(
    readonly code: CsvSyntaxErrorCode,
    /** How many records were complete before the one that failed. */
    readonly records: number,
  ) {
    super(`CSV syntax error (${code}) in the record after record ${records}`);
    this.name = 'CsvSyntaxError';
  }
}

const QUOTE = 34;
const LF = 10;
const CR = 13;
const SPACE = 32;
const TAB = 9;

export class CsvParser {
  /** The start of a record whose end has not come yet, from the previous chunk. */
  private rest = '';
  /** Complete records so far. */
  private records = 0;
  private readonly delimiter: number;

  constructor(
    delimiter: ',' | ';' | '\t',
    private readonly maxRecordChars: number,
  ) {
    this.delimiter = delimiter.charCodeAt(0);
  }

  /** The complete records in `text` and what was left before it; the rest waits for the next chunk. */
  push(text: string): string[][] {
    return this.parse(this.rest + text, false);
  }

  /** The last record, at the end of the input. */
  end(): string[][] {
    return this.parse(this.rest, true);
  }

  private parse(buffer: string, final: boolean): string[][] {
    const out: string[][] = [];
    const length = buffer.length;
    let position = 0;
    while (position < length) {
      const end = this.record(buffer, position, final, out);
      if (end < 0) break; // incomplete: wait for more
      if (end - position > this.maxRecordChars) throw new CsvSyntaxError('record_too_long', this.records);
      this.records += 1;
      position = end;
    }
    this.rest = position < length ? buffer.slice(position) : '';
    if (this.rest.length > this.maxRecordChars) throw new CsvSyntaxError('record_too_long', this.records);
    return out;
  }

  /** Reads the record at `start` into `out`; returns where the next one starts, or -1 when it does not end within the buffer yet. */
  private record(buffer: string, start: number, final: boolean, out: string[][]): number {
    const delimiter = this.delimiter;
    const length = buffer.length;
    const cells: string[] = [];
    let i = start;
    for (;;) {
      // Spaces (and tabs, unless they separate cells) may come before an opening quote.
      let j = i;
      for (;;) {
        const c = buffer.charCodeAt(j);
        if (c === SPACE || (c === TAB && delimiter !== TAB)) j++;
        else break;
      }
      let c: number;
      if (buffer.charCodeAt(j) === QUOTE) {
        let value = '';
        let k = j + 1;
        for (;;) {
          const quote = buffer.indexOf('"', k);
          if (quote < 0 || quote + 1 >= length) {
            if (!final) return -1;
            if (quote < 0) throw new CsvSyntaxError('quote_not_closed', this.records);
          }
          if (buffer.charCodeAt(quote + 1) === QUOTE) {
            value += buffer.slice(k, quote + 1);
            k = quote + 2;
            continue;
          }
          value += buffer.slice(k, quote);
          k = quote + 1;
          break;
        }
        // Only white space between the closing quote and what ends the cell.
        for (;;) {
          c = buffer.charCodeAt(k);
          if (c === SPACE || (c === TAB && delimiter !== TAB)) k++;
          else break;
        }
        if (k >= length && !final) return -1;
        if (k < length && c !== delimiter && c !== LF && c !== CR) throw new CsvSyntaxError('invalid_closing_quote', this.records);
        cells.push(value.trim());
        i = k;
      } else {
        let k = i;
        for (;;) {
          c = buffer.charCodeAt(k);
          if (c === delimiter || c === LF || c === CR || k >= length) break;
          k++;
        }
        if (k >= length && !final) return -1;
        cells.push(buffer.slice(i, k).trim());
        i = k;
      }
      // i is at a delimiter, a line break or the end of the input.
      if (i >= length) {
        // White space after the last line break is no record.
        if (cells.length > 1 || buffer.slice(start).trim() !== '') out.push(cells);
        return length;
      }
      c = buffer.charCodeAt(i);
      if (c === delimiter) {
        i++;
        continue;
      }
      if (c === CR) {
        if (i + 1 >= length && !final) return -1; // an LF may follow in the next chunk
        out.push(cells);
        return buffer.charCodeAt(i + 1) === LF ? i + 2 : i + 1;
      }
      out.push(cells); // LF
      return i + 1;
    }
  }
}
