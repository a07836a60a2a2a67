import { isAscii, isUtf8 } from 'node:buffer';
import { createReadStream, type ReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import type ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { AppError } from '../../errors';
import { CsvParser, CsvSyntaxError } from './csv';
import { openWorkbook, sheetRows, WorkbookRefused, XLSX_LIMITS, type Workbook } from './xlsx';

export type TableEncoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';

export interface TableInfo {
  format: 'csv' | 'xlsx';
  encoding: TableEncoding | null;
  delimiter: ',' | ';' | '\t' | null;
  header: string[];
}

export interface TableRow {
  /** As a spreadsheet shows it: the header is row 1, the first data row 2; a quoted line break adds none. */
  rowNumber: number;
  /** Trimmed; at least as many as the header has (short rows are padded with ''), extra cells kept. */
  cells: string[];
}

export interface Table extends TableInfo {
  /** The data rows, in batches of about 1000, read from the file anew on each call. Rows with no text are left out. */
  batches(): AsyncIterable<TableRow[]>;
  /** How much of the file the running batches() has read, 0–1. */
  fractionRead(): number;
}

export type ListFileErrorCode =
  | 'file_too_large'
  | 'empty_file'
  | 'header_only'
  | 'not_a_table'
  | 'unknown_encoding'
  | 'broken_quoting'
  | 'no_header'
  | 'invalid_mapping'
  | 'no_phone_column';

/** A whole-file problem of an uploaded list, in words the organizer can act on. */
export class ListFileError extends AppError {
  constructor(
    statusCode: number,
    public override readonly code: ListFileErrorCode,
    message: string,
    /** The row the message points at (as a spreadsheet numbers rows), kept as data for a failed list. */
    public readonly row?: number,
  ) {
    super(statusCode, code, message);
    this.name = 'ListFileError';
  }
}

const BATCH_SIZE = 1000;
const PEEK_SIZE = 8;
const HEAD_BYTES = 64 * 1024;
const READ_CHUNK = 1024 * 1024;
/** A record longer than this is a quote that never closes, not a real row. */
const MAX_RECORD_CHARS = 1024 * 1024;

/**
 * Opens a target list (CSV in any of the encodings and delimiters Excel writes, or .xlsx) and
 * reads its header and first data row, so that whole-file problems surface before any import starts.
 * Reads stream from the file; nothing holds the whole file in memory.
 */
export async function openTable(filePath: string, options: { originalName?: string | undefined; maxBytes: number }): Promise<Table> {
  const { size } = await stat(filePath);
  if (size > options.maxBytes) {
    throw new ListFileError(
      413,
      'file_too_large',
      `${theFile(options.originalName, true)} is ${megabytes(size)}; the largest file we take is ${megabytes(options.maxBytes)}. Split the list into smaller files, or remove columns you do not need, and upload again.`,
    );
  }
  if (size === 0) throw emptyFile(options.originalName);
  const head = await readBytes(filePath, 0, HEAD_BYTES);
  if (isZip(head)) {
    await checkWorkbook(filePath, size, head);
    // The structure and shared texts are read once, for the first rows and again for the import.
    const workbook = await openWorkbook(filePath, size).catch((error: unknown) => {
      throw workbookError(error, options.originalName);
    });
    return openSource({ format: 'xlsx', encoding: null, delimiter: null }, size, options.originalName, (progress, batchSize) =>
      xlsxRows(filePath, workbook, options.originalName, progress, batchSize),
    );
  }
  refuseKnownFormats(head);
  const { encoding, skip } = await detectEncoding(filePath, head);
  const text = decodeSample(head.subarray(skip), encoding);
  if (text.trim() === '') throw emptyFile(options.originalName);
  refuseMarkup(text);
  const delimiter = detectDelimiter(text, head.length < size);
  return openSource({ format: 'csv', encoding, delimiter }, size, options.originalName, (progress, batchSize) =>
    csvRows(filePath, { encoding, skip, delimiter }, progress, batchSize),
  );
}

// --- the shared part: header, first row, batches ------------------------------------------------

interface RawRow {
  rowNumber: number;
  cells: string[];
}

/** Reads a file's rows from its start, a batch at a time. */
type RowSource = (progress: Progress, batchSize: number) => AsyncGenerator<RawRow[]>;

/** The file stream a read goes through, for fractionRead(). */
interface Progress {
  input: ReadStream | null;
  /** The bytes that stream will read: the file, or an .xlsx's sheet. */
  total?: number;
}

/** A batch also ends at this many characters, so that rows of long texts never pile up in memory. */
const BATCH_CHARS = 4_000_000;

async function openSource(
  info: Omit<TableInfo, 'header'>,
  size: number,
  originalName: string | undefined,
  source: RowSource,
): Promise<Table> {
  let header: string[] | undefined;
  let hasData = false;
  // Only as far as the first data row: a preview may be given just the first part of a file.
  const peek = source({ input: null }, PEEK_SIZE);
  try {
    for await (const rows of peek) {
      for (const row of rows) {
        if (header === undefined) {
          if (row.rowNumber !== 1 || isBlank(row.cells)) {
            throw new ListFileError(
              400,
              'no_header',
              `Row 1 of ${theFile(originalName)} is empty. The first row must hold the column names (Förnamn, Mobil …): delete the empty rows above them and upload again.`,
              1,
            );
          }
          header = cleanCells(row.cells);
        } else if (!isBlank(row.cells)) {
          hasData = true;
          break;
        }
      }
      if (hasData) break;
    }
  } finally {
    await peek.return(undefined);
  }
  if (header === undefined) throw emptyFile(originalName);
  if (!hasData) {
    throw new ListFileError(400, 'header_only', `${theFile(originalName, true)} has column names but no rows below them. Check that you exported the whole list.`);
  }
  const columns = header.length;
  const progress: Progress = { input: null };
  return {
    ...info,
    header,
    fractionRead: () => Math.min(1, (progress.input?.bytesRead ?? 0) / (progress.total ?? size)),
    async *batches() {
      let first = true;
      let batch: TableRow[] = [];
      let chars = 0;
      for await (const rows of source(progress, BATCH_SIZE)) {
        for (const row of rows) {
          if (first) {
            first = false; // the header
            continue;
          }
          if (isBlank(row.cells)) continue;
          row.cells = cleanCells(row.cells);
          while (row.cells.length < columns) row.cells.push('');
          batch.push(row);
          chars += textLength(row.cells);
          if (batch.length === BATCH_SIZE || chars >= BATCH_CHARS) {
            yield batch;
            batch = [];
            chars = 0;
          }
        }
      }
      if (batch.length > 0) yield batch;
    },
  };
}

function isBlank(cells: string[]): boolean {
  for (const cell of cells) if (cell !== '') return false;
  return true;
}

function textLength(cells: string[]): number {
  let length = 0;
  for (const cell of cells) length += cell.length;
  return length;
}

const BAD_TEXT = new RegExp('[\\0\\ud800-\\udfff]'); // a RegExp of a string: the linter forbids a literal NUL
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * NUL characters, which PostgreSQL cannot store, are dropped, and a lone half of a UTF-16 pair
 * (from a broken UTF-16 file) becomes U+FFFD: neither is a letter anybody typed.
 */
export function cleanCells(cells: string[]): string[] {
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i] as string;
    if (BAD_TEXT.test(cell)) cells[i] = cell.replaceAll('\0', '').replace(LONE_SURROGATE, '\ufffd').trim();
  }
  return cells;
}

// --- CSV ---------------------------------------------------------------------------------------

interface CsvShape {
  encoding: TableEncoding;
  /** Bytes of byte order mark to skip. */
  skip: number;
  delimiter: ',' | ';' | '\t';
}

/** The file's records as trimmed cells, numbered as a spreadsheet numbers rows. */
async function* csvRows(filePath: string, shape: CsvShape, progress: Progress, batchSize: number): AsyncGenerator<RawRow[]> {
  const input = createReadStream(filePath, { start: shape.skip, highWaterMark: READ_CHUNK });
  progress.input = input;
  const decode = decoder(shape.encoding);
  const parser = new CsvParser(shape.delimiter, MAX_RECORD_CHARS);
  let rowNumber = 0;
  let columns = 0;
  let rows: RawRow[] = [];
  const take = (records: string[][]) => {
    for (const cells of records) {
      rowNumber += 1;
      if (rowNumber === 1) columns = cells.length;
      for (const cell of cells) if (cell.includes('\n')) checkMultiline(cell, rowNumber, shape.delimiter, columns);
      rows.push({ rowNumber, cells });
    }
  };
  try {
    for await (const chunk of input as AsyncIterable<Buffer>) {
      take(parser.push(decode(chunk, false)));
      // Every row a chunk completed, so that a reader stopping early (the preview) never waits for the end.
      for (let i = 0; i < rows.length; i += batchSize) yield rows.slice(i, i + batchSize);
      rows = [];
    }
    take(parser.push(decode(Buffer.alloc(0), true)));
    take(parser.end());
    for (let i = 0; i < rows.length; i += batchSize) yield rows.slice(i, i + batchSize);
  } catch (error) {
    throw brokenQuoting(error, rowNumber);
  } finally {
    input.destroy();
  }
}

/** Text from a file's bytes, chunk by chunk: a letter split between chunks waits for its other half. */
function decoder(encoding: TableEncoding): (bytes: Buffer, last: boolean) => string {
  if (encoding === 'utf-8') {
    const utf8 = new TextDecoder('utf-8');
    return (bytes, last) => utf8.decode(bytes, { stream: !last });
  }
  const other = iconv.getDecoder(encoding, { stripBOM: false });
  return (bytes, last) => other.write(bytes) + (last ? (other.end() ?? '') : '');
}

/** A quote that opens at the start of a cell and never closes swallows the rows after it: refuse that. */
function checkMultiline(cell: string, rowNumber: number, delimiter: string, columns: number): void {
  if (columns < 3) return;
  let delimiters = 0;
  for (let i = cell.indexOf(delimiter); i >= 0; i = cell.indexOf(delimiter, i + 1)) delimiters += 1;
  if (delimiters < columns - 1) return;
  const lines = cell.split('\n').length;
  throw new ListFileError(
    400,
    'broken_quoting',
    `Row ${rowNumber} has a quoted cell that runs over ${lines} lines and holds whole rows: a quote (") in row ${rowNumber} probably never closes. Check for a stray " in that row.`,
    rowNumber,
  );
}

/** The parser's errors, as the row a person should look at. */
function brokenQuoting(error: unknown, consumed: number): unknown {
  if (!(error instanceof CsvSyntaxError)) return error;
  // The record that failed is the one after those the parser finished (the header counts as one).
  const rowNumber = Math.max(error.records, consumed) + 1;
  switch (error.code) {
    case 'quote_not_closed':
      return new ListFileError(
        400,
        'broken_quoting',
        `The file ends inside a quoted cell that starts on row ${rowNumber}. Check for a stray " in that row.`,
        rowNumber,
      );
    case 'record_too_long':
      return new ListFileError(
        400,
        'broken_quoting',
        `Row ${rowNumber} runs on for more than a megabyte: a quoted cell in it probably never closes. Check for a stray " in that row.`,
        rowNumber,
      );
    case 'invalid_closing_quote':
      return new ListFileError(
        400,
        'broken_quoting',
        `Row ${rowNumber} has quotes (") that do not pair up. Check the quotes in that row: a cell that holds a quote must be quoted itself, with the quote doubled ("").`,
        rowNumber,
      );
  }
}

// --- encodings ---------------------------------------------------------------------------------

async function detectEncoding(filePath: string, head: Buffer): Promise<{ encoding: TableEncoding; skip: number }> {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) {
    const check = await checkUtf8(filePath, 3);
    if (!check.ok && !check.cutShort) {
      const line = await lineAt(filePath, check.offset);
      throw unknownEncoding(`The file says it is UTF-8, but line ${line} is not.`);
    }
    return { encoding: 'utf-8', skip: 3 };
  }
  if (head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf-16le', skip: 2 };
  if (head[0] === 0xfe && head[1] === 0xff) return { encoding: 'utf-16be', skip: 2 };
  const utf16 = utf16WithoutBom(head);
  if (utf16) return { encoding: utf16, skip: 0 };
  // A stray NUL in a text file is cleaned from its cell; binary files are full of them.
  if (countByte(head, 0) > head.length * 0.05 + 10) throw notATable(`The file holds binary data, not text. ${AS_TABLE}`);
  refuseBinary(head);

  const check = await checkUtf8(filePath, 0);
  if (check.ok) return { encoding: 'utf-8', skip: 0 };
  if (check.mixed) {
    const line = await lineAt(filePath, check.offset);
    throw unknownEncoding(`Most of the file is UTF-8, but line ${line} is in another encoding.`);
  }
  // Not UTF-8: Windows-1252 (Excel's "CSV (semikolonavgränsad)"), unless the bytes say otherwise.
  const sample = check.offset < head.length ? head : await readBytes(filePath, check.offset, HEAD_BYTES);
  if (!looksLikeWindows1252(sample)) {
    throw unknownEncoding('Its letters are in an old encoding we cannot tell apart (perhaps from DOS or an old Mac).');
  }
  return { encoding: 'windows-1252', skip: 0 };
}

/** Excel's "Unicode text" without its byte order mark: every other byte of Latin text is 0. */
function utf16WithoutBom(head: Buffer): TableEncoding | null {
  const pairs = Math.min(head.length, 4096) >> 1;
  if (pairs < 2) return null;
  let evenZero = 0;
  let oddZero = 0;
  for (let i = 0; i < pairs; i++) {
    if (head[2 * i] === 0) evenZero++;
    if (head[2 * i + 1] === 0) oddZero++;
  }
  if (oddZero > pairs * 0.4 && evenZero < pairs * 0.05) return 'utf-16le';
  if (evenZero > pairs * 0.4 && oddZero < pairs * 0.05) return 'utf-16be';
  return null;
}

/** In Windows-1252 Swedish and Danish letters are 0xC0–0xFF; DOS and Mac encodings put them in 0x80–0x9F. */
function looksLikeWindows1252(sample: Buffer): boolean {
  let letters = 0;
  let low = 0;
  for (const byte of sample) {
    if (byte === 0x81 || byte === 0x8d || byte === 0x8f || byte === 0x90 || byte === 0x9d) return false; // undefined in Windows-1252
    if (byte >= 0xc0) letters++;
    else if (byte >= 0x80 && byte < 0xa0) low++;
  }
  return !(low >= 5 && low > letters);
}

/** cutShort: all is UTF-8 but for the start of a character at the very end (as in the first part of a file). */
type Utf8Check = { ok: true } | { ok: false; offset: number; mixed: boolean; cutShort: boolean };

/** Whether the file is UTF-8 from `start` on, chunk by chunk; a sequence cut off at the very end is allowed (a file cut short). */
async function checkUtf8(filePath: string, start: number): Promise<Utf8Check> {
  const input = createReadStream(filePath, { start, highWaterMark: READ_CHUNK });
  let carry: Buffer = Buffer.alloc(0);
  let base = start; // file offset of the first byte of `carry`
  let multibyte = false;
  try {
    for await (const chunk of input as AsyncIterable<Buffer>) {
      const data = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
      const complete = completeLength(data);
      const body = data.subarray(0, complete);
      if (!isUtf8(body)) {
        const bad = firstInvalidUtf8(body);
        return { ok: false, offset: base + bad, mixed: multibyte || !isAscii(body.subarray(0, bad)), cutShort: false };
      }
      if (!multibyte && !isAscii(body)) multibyte = true;
      carry = Buffer.from(data.subarray(complete));
      base += complete;
    }
  } finally {
    input.destroy();
  }
  // A partial character at the very end: fine if the rest was UTF-8 with letters, else it is a Windows-1252 letter.
  if (carry.length > 0 && !multibyte) return { ok: false, offset: base, mixed: false, cutShort: true };
  return { ok: true };
}

/** The length of `data` without a multi-byte sequence cut off at its end. */
function completeLength(data: Buffer): number {
  let i = data.length - 1;
  const stop = Math.max(0, data.length - 4);
  while (i >= stop && ((data[i] as number) & 0xc0) === 0x80) i--;
  if (i < 0) return data.length;
  const lead = data[i] as number;
  const needed = lead >= 0xf0 && lead <= 0xf4 ? 4 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xc2 && lead <= 0xdf ? 2 : 1;
  return data.length - i < needed ? i : data.length;
}

/** Where UTF-8 first goes wrong in `data` (known to be invalid). */
function firstInvalidUtf8(data: Buffer): number {
  let i = 0;
  while (i < data.length) {
    const byte = data[i] as number;
    if (byte < 0x80) {
      i++;
      continue;
    }
    let needed: number;
    let low = 0x80;
    let high = 0xbf;
    if (byte >= 0xc2 && byte <= 0xdf) needed = 1;
    else if (byte >= 0xe0 && byte <= 0xef) {
      needed = 2;
      if (byte === 0xe0) low = 0xa0;
      if (byte === 0xed) high = 0x9f;
    } else if (byte >= 0xf0 && byte <= 0xf4) {
      needed = 3;
      if (byte === 0xf0) low = 0x90;
      if (byte === 0xf4) high = 0x8f;
    } else return i;
    for (let k = 1; k <= needed; k++) {
      const next = data[i + k];
      if (next === undefined || next < (k === 1 ? low : 0x80) || next > (k === 1 ? high : 0xbf)) return i;
    }
    i += needed + 1;
  }
  return 0;
}

/** The 1-based line of a byte offset, for messages. */
async function lineAt(filePath: string, offset: number): Promise<number> {
  let line = 1;
  const input = createReadStream(filePath, { end: Math.max(0, offset - 1), highWaterMark: READ_CHUNK });
  try {
    for await (const chunk of input as AsyncIterable<Buffer>) {
      for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) line++;
    }
  } finally {
    input.destroy();
  }
  return offset === 0 ? 1 : line;
}

function decodeSample(bytes: Buffer, encoding: TableEncoding): string {
  const even = encoding === 'utf-16le' || encoding === 'utf-16be' ? bytes.subarray(0, bytes.length & ~1) : bytes;
  return iconv.decode(even, encoding, { stripBOM: false });
}

// --- delimiters --------------------------------------------------------------------------------

const DELIMITERS = [';', ',', '\t'] as const;

/**
 * The delimiter that splits the header, and then the first records, most consistently.
 * Quotes are respected; `truncated` drops the last record of the sample, which may be cut short.
 */
export function detectDelimiter(text: string, truncated: boolean): ',' | ';' | '\t' {
  const records = countDelimiters(text, 50);
  if (truncated && records.length > 1) records.pop();
  const header = records[0];
  if (header === undefined) return ',';
  const rows = records.slice(1).filter((counts) => counts.some((count) => count > 0));
  let best: ',' | ';' | '\t' = ',';
  let bestScore = -1;
  DELIMITERS.forEach((delimiter, d) => {
    const inHeader = header[d] as number;
    const consistent = rows.filter((counts) => (inHeader > 0 ? counts[d] === inHeader : (counts[d] as number) > 0)).length;
    const share = rows.length > 0 ? consistent / rows.length : inHeader > 0 ? 1 : 0;
    // A delimiter in the header outranks one only in the rows (a headerless or one-column file).
    const score = inHeader > 0 ? 2 + share + inHeader / 1000 : share > 0.5 ? share : 0;
    if (score > bestScore && (inHeader > 0 || share > 0.5)) {
      best = delimiter;
      bestScore = score;
    }
  });
  return best;
}

/** Per record of the sample, how many of each candidate delimiter stand outside quotes. */
function countDelimiters(text: string, maxRecords: number): number[][] {
  const records: number[][] = [];
  let counts = [0, 0, 0];
  let quoted = false;
  let empty = true;
  for (let i = 0; i < text.length && records.length < maxRecords; i++) {
    const c = text[i];
    if (c === '"') {
      quoted = !quoted;
      empty = false;
    } else if (quoted) continue;
    else if (c === '\n' || c === '\r') {
      if (!empty) records.push(counts);
      counts = [0, 0, 0];
      empty = true;
    } else {
      empty = false;
      if (c === ';') counts[0]! += 1;
      else if (c === ',') counts[1]! += 1;
      else if (c === '\t') counts[2]! += 1;
    }
  }
  if (!empty && records.length < maxRecords) records.push(counts);
  return records;
}

// --- what is not a table -----------------------------------------------------------------------

const MAGIC: { bytes: number[]; offset?: number; what: string }[] = [
  { bytes: [0x89, 0x50, 0x4e, 0x47], what: 'a PNG image' },
  { bytes: [0xff, 0xd8, 0xff], what: 'a JPEG image' },
  { bytes: [0x47, 0x49, 0x46, 0x38], what: 'a GIF image' },
  { bytes: [0x25, 0x50, 0x44, 0x46], what: 'a PDF document' },
  { bytes: [0x1f, 0x8b], what: 'a compressed (gzip) file' },
  { bytes: [0x37, 0x7a, 0xbc, 0xaf], what: 'a compressed (7-Zip) file' },
  { bytes: [0x52, 0x61, 0x72, 0x21], what: 'a compressed (RAR) file' },
  { bytes: [0x66, 0x74, 0x79, 0x70], offset: 4, what: 'a photo or video' },
];

function refuseKnownFormats(head: Buffer): void {
  if (startsWith(head, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) {
    throw notATable(
      'This is an Excel 97–2003 workbook (.xls) or a password-protected file, which we cannot read. Open it in Excel and save it as .xlsx (without a password) or as CSV.',
    );
  }
  for (const magic of MAGIC) {
    if (startsWith(head, magic.bytes, magic.offset ?? 0)) throw notATable(`This is ${magic.what}, not a table. ${AS_TABLE}`);
  }
}

/** Text in a one-byte encoding has hardly any control characters; binary files are full of them. */
function refuseBinary(head: Buffer): void {
  let control = 0;
  for (const byte of head) if ((byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d && byte !== 0x00) || byte === 0x7f) control++;
  if (control > head.length * 0.02 + 2) throw notATable(`The file holds binary data, not text. ${AS_TABLE}`);
}

function isZip(head: Buffer): boolean {
  return startsWith(head, [0x50, 0x4b, 0x03, 0x04]);
}

/** A ZIP must be an Excel workbook: its entries (named at the start and again at the end) include xl/. */
async function checkWorkbook(filePath: string, size: number, head: Buffer): Promise<void> {
  const tail = size > head.length ? await readBytes(filePath, Math.max(0, size - HEAD_BYTES), HEAD_BYTES) : head;
  const names = head.toString('latin1') + tail.toString('latin1');
  if (names.includes('xl/')) return;
  if (names.includes('opendocument.spreadsheet')) {
    throw notATable('This is an OpenDocument spreadsheet (.ods). Open it and save it as .xlsx or CSV.');
  }
  if (names.includes('word/')) throw notATable('This is a Word document, not a table. Save the list from Excel as .xlsx or CSV.');
  throw notATable('This is a ZIP archive, not a table. Unpack it and upload the list inside (.xlsx or CSV).');
}

/** Some systems export web pages or XML under a spreadsheet's name. */
function refuseMarkup(text: string): void {
  const start = text.trimStart().slice(0, 512).toLowerCase();
  if (start.startsWith('<!doctype html') || start.startsWith('<html') || start.startsWith('<table')) {
    throw notATable('This is a web page (HTML) saved under a spreadsheet name, not a table file. Open it in Excel and save it as .xlsx or CSV.');
  }
  if (start.startsWith('<?xml')) {
    throw notATable('This is an XML file (perhaps an Excel 2003 XML spreadsheet), not a table file. Open it in Excel and save it as .xlsx or CSV.');
  }
}

function countByte(buffer: Buffer, byte: number): number {
  let count = 0;
  for (let i = buffer.indexOf(byte); i >= 0; i = buffer.indexOf(byte, i + 1)) count++;
  return count;
}

function startsWith(buffer: Buffer, bytes: number[], offset = 0): boolean {
  if (buffer.length < offset + bytes.length) return false;
  return bytes.every((byte, i) => buffer[offset + i] === byte);
}

// --- xlsx --------------------------------------------------------------------------------------

/** The first sheet's rows as displayed text, streamed. */
async function* xlsxRows(
  filePath: string,
  workbook: Workbook,
  originalName: string | undefined,
  progress: Progress,
  batchSize: number,
): AsyncGenerator<RawRow[]> {
  let rows: RawRow[] = [];
  let chars = 0;
  try {
    for await (const row of sheetRows(filePath, workbook, (input) => {
      progress.input = input;
      progress.total = workbook.sheet.compressedSize;
    })) {
      const cells: string[] = [];
      let length = 0;
      row.eachCell({ includeEmpty: false }, (cell, column) => {
        while (cells.length < column - 1) cells.push('');
        const text = cellText(cell.value, cell.numFmt).trim();
        cells[column - 1] = text;
        length += text.length;
      });
      if (length > XLSX_LIMITS.rowChars) {
        throw new ListFileError(
          413,
          'file_too_large',
          `Row ${row.number} of ${theFile(originalName)} holds more than ${XLSX_LIMITS.rowChars.toLocaleString('en')} characters. Check that row, or save the list as CSV and upload that.`,
          row.number,
        );
      }
      rows.push({ rowNumber: row.number, cells });
      chars += length;
      if (rows.length >= batchSize || chars >= BATCH_CHARS) {
        yield rows;
        rows = [];
        chars = 0;
      }
    }
    if (rows.length > 0) yield rows;
  } catch (error) {
    if (error instanceof ListFileError) throw error;
    throw workbookError(error, originalName);
  }
}

/** The reader's refusals, in words the organizer can act on. */
function workbookError(error: unknown, originalName: string | undefined): ListFileError {
  if (error instanceof WorkbookRefused && error.reason === 'too_large') {
    return new ListFileError(
      413,
      'file_too_large',
      `${theFile(originalName, true)} is too large when unpacked: ${error.message} Split the list into smaller files, or save it as CSV, and upload again.`,
      error.row,
    );
  }
  return notATable('The Excel file could not be read; it may be damaged or cut short. Open it in Excel, save it again as .xlsx and upload that.');
}

/** A cell as Excel shows it: numbers as their text, dates as YYYY-MM-DD, formulas as their last result. */
export function cellText(value: ExcelJS.CellValue, numFmt?: string): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return excelEscapes(value);
  if (typeof value === 'number') return numberText(value, numFmt);
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (value instanceof Date) return dateText(value);
  if ('richText' in value) return excelEscapes(value.richText.map((part) => part.text).join(''));
  if ('error' in value) return String(value.error);
  if ('formula' in value || 'sharedFormula' in value) {
    const result = value.result;
    if (typeof result === 'number' && numFmt !== undefined && isDateFormat(numFmt)) return dateText(excelDate(result));
    return result === undefined ? '' : cellText(result, numFmt);
  }
  if ('hyperlink' in value) return value.text;
  return '';
}

/** Excel writes characters XML cannot hold (a carriage return, a NUL) as _xHHHH_, and a literal "_x" as _x005F_x. */
function excelEscapes(text: string): string {
  if (!text.includes('_x')) return text;
  return text.replace(/_x([0-9A-Fa-f]{4})_/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

function numberText(value: number, numFmt: string | undefined): string {
  // Excel shows 15 significant digits; this also hides binary fractions such as 0.30000000000000004.
  const text = String(Number(value.toPrecision(15)));
  // A phone column formatted "0000000000" shows the leading zero Excel keeps out of the value.
  if (numFmt && /^[0\s-]+$/.test(numFmt) && Number.isInteger(value) && value >= 0) {
    const zeros = numFmt.replace(/[^0]/g, '').length;
    if (text.length > zeros) return text;
    const digits = text.padStart(zeros, '0');
    let out = '';
    let d = 0;
    for (const char of numFmt) out += char === '0' ? digits[d++] : char;
    return out;
  }
  return text;
}

function dateText(date: Date): string {
  const iso = date.toISOString(); // exceljs gives dates as UTC
  const time = iso.slice(11, 19);
  if (time === '00:00:00') return iso.slice(0, 10);
  return `${iso.slice(0, 10)} ${time.endsWith(':00') ? time.slice(0, 5) : time}`;
}

function isDateFormat(numFmt: string): boolean {
  const bare = numFmt.replace(/"[^"]*"|\[[^\]]*\]|\\./g, '');
  return /[dmyhs]/i.test(bare) && !/^general$/i.test(bare);
}

function excelDate(serial: number): Date {
  return new Date(Math.round((serial - 25569) * 86_400_000));
}

// --- small helpers -----------------------------------------------------------------------------

async function readBytes(filePath: string, position: number, length: number): Promise<Buffer> {
  const file = await open(filePath, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await file.read(buffer, 0, length, position);
    return buffer.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}

/** The file as a message names it: its name when known. */
function theFile(originalName: string | undefined, start = false): string {
  if (originalName) return `"${originalName}"`;
  return start ? 'The file' : 'the file';
}

function megabytes(bytes: number): string {
  if (bytes < 1024 * 1024) return `${Math.ceil(bytes / 1024)} kB`;
  return `${Math.ceil(bytes / (1024 * 1024))} MB`;
}

function emptyFile(originalName: string | undefined): ListFileError {
  return new ListFileError(400, 'empty_file', `${theFile(originalName, true)} is empty. Export the list again and check that it has rows.`);
}

function notATable(message: string): ListFileError {
  return new ListFileError(415, 'not_a_table', message);
}

const AS_TABLE = 'Upload the list as .xlsx or as CSV.';

function unknownEncoding(what: string): ListFileError {
  return new ListFileError(
    400,
    'unknown_encoding',
    `We cannot tell how the file's letters are encoded. ${what} Open it in Excel and save it as "CSV UTF-8", or as .xlsx, and upload that.`,
  );
}
