import type { Country } from '../../contract/api';
import { classifyRow } from './classify';
import { phoneColumns, type ColumnMapping } from './columns';
import { NumberIndex } from './number-index';
import type { ProblemReason } from './problems.texts';
import type { Table } from './table-reader';

// The staging table's rows, as COPY text: every row of the file once, classified as valid (each
// number's first row), invalid or duplicate (with the reason's code and values as JSON). The merge then does the rest in the database.

export interface ReadProgress {
  rowsRead: number;
  /** 0–1 of the file read. */
  fraction: number;
}

const NAME_FIELDS = new Set(['firstName', 'lastName', 'email']);

/** The staging table's COPY lines, a batch of rows at a time. `progress` is kept up to date; `report` hears of it every 20,000 rows. */
export async function* stagingLines(
  table: Table,
  mapping: ColumnMapping,
  country: Country,
  progress: ReadProgress,
  report: (progress: ReadProgress) => void,
  /** Told how many rows' numbers were repaired (Excel had dropped their leading zero). */
  tally: { repaired: number } = { repaired: 0 },
): AsyncGenerator<string> {
  const phoneIdx = phoneColumns(mapping);
  const index = (field: string) => mapping.columns.find((column) => column.field === field && !column.ignore)?.index;
  const firstName = index('firstName');
  const lastName = index('lastName');
  const email = index('email');
  const phoneSet = new Set(phoneIdx);
  // Everything else a row holds is kept as attributes named by their header, for scripts and target groups.
  const attributeColumns = attributeNames(
    mapping.columns.filter((column) => !column.ignore && !phoneSet.has(column.index) && !(column.field !== null && NAME_FIELDS.has(column.field))),
  ).map((attribute) => ({ ...attribute, key: `${JSON.stringify(attribute.name)}:` }));
  const headers = table.header;
  // The first row of each number: later rows with it are duplicates. In memory (24 MB for a million
  // numbers), because a join over the staged rows costs seconds more.
  const firstRowOf = new NumberIndex();
  let lastReport = 0;

  for await (const batch of table.batches()) {
    let chunk = '';
    for (const row of batch) {
      const cells = row.cells;
      const result = classifyRow(cells, phoneIdx, country);
      if (result.kind === 'invalid') {
        const column = result.column === null ? null : (headers[result.column] ?? null);
        chunk += `${row.rowNumber}\tinvalid\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t${copyText(column)}\t${copyText(result.raw)}\t${copyText(JSON.stringify(result.reason))}\n`;
        continue;
      }
      if (result.repaired) tally.repaired += 1;
      const column = copyText(headers[result.column] ?? null);
      const raw = copyText(cells[result.column] ?? '');
      const first = firstRowOf.firstOrAdd(result.e164, row.rowNumber);
      if (first !== undefined) {
        chunk += `${row.rowNumber}\tduplicate\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t${column}\t${raw}\t${copyText(JSON.stringify({ code: 'duplicate', number: result.e164, row: first } satisfies ProblemReason))}\n`;
        continue;
      }
      // The attributes' JSON, written directly rather than through an object per row to stringify.
      let attributes = '{';
      for (const attribute of attributeColumns) {
        const value = cells[attribute.index];
        if (value) attributes += (attributes.length > 1 ? ',' : '') + attribute.key + JSON.stringify(value);
      }
      attributes += '}';
      chunk +=
        `${row.rowNumber}\tvalid\t${result.e164}\t${result.type}\t${copyText(cell(cells, firstName))}\t${copyText(cell(cells, lastName))}\t` +
        `${copyText(cell(cells, email) || null)}\t${copyText(attributes)}\t${column}\t${raw}\t\\N\n`;
    }
    progress.rowsRead += batch.length;
    progress.fraction = table.fractionRead();
    if (progress.rowsRead - lastReport >= 20_000) {
      lastReport = progress.rowsRead;
      report({ ...progress });
    }
    yield chunk;
  }
}

/** Attribute names from the headers; a repeated header gets a number ("Kommentar (2)") so no column is lost. */
export function attributeNames(columns: { index: number; header: string }[]): { index: number; name: string }[] {
  const seen = new Map<string, number>();
  return columns.map((column) => {
    const base = column.header.trim() || `Column ${column.index + 1}`;
    const count = (seen.get(base) ?? 0) + 1;
    seen.set(base, count);
    return { index: column.index, name: count === 1 ? base : `${base} (${count})` };
  });
}

function cell(cells: string[], index: number | undefined): string {
  return index === undefined ? '' : (cells[index] ?? '');
}

const NEEDS_ESCAPE = /[\\\t\n\r]/;

/** A value in COPY's text format: \N for null; backslash, tab and line breaks escaped. */
export function copyText(value: string | null): string {
  if (value === null) return '\\N';
  if (!NEEDS_ESCAPE.test(value)) return value;
  return value.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}
