// Reads the first sheet of an .xlsx with bounded memory, whatever the file claims. The zip is read
// through its central directory; every part we read is measured twice: by the sizes the directory
// declares (before anything is inflated) and by the bytes actually inflated (stopping at the cap,
// since a directory can lie). The XML itself is parsed by ExcelJS's streaming reader, part by part.
import { createReadStream, type ReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { createInflateRaw } from 'node:zlib';
import ExcelJS from 'exceljs';

const MiB = 1024 * 1024;

/** What an .xlsx may unpack to. A 300,000-row list (15–30 MB) stays far below each. */
export const XLSX_LIMITS = {
  /** All parts read (workbook, styles, shared texts, the first sheet), per read of the file … */
  totalBytes: 1024 * MiB,
  /** … and at most this many times the file's size (plus `floorBytes`): real workbooks compress 5–15 times. */
  ratio: 100,
  floorBytes: 8 * MiB,
  /** xl/sharedStrings.xml: kept in memory, so it has a cap of its own, absolute and relative to the file. */
  sharedStringsBytes: 160 * MiB,
  sharedStringsRatio: 20,
  /** The shared texts kept, as UTF-8, and how many. */
  sharedTextBytes: 64 * MiB,
  sharedStrings: 4_000_000,
  /** workbook.xml, its relationships and styles.xml, which are read whole into objects. */
  smallPartBytes: 10 * MiB,
  /** Non-empty cells of the sheet. */
  cells: 30_000_000,
  /** The characters of one row (ExcelJS itself refuses a cell beyond Excel's last column, XFD). */
  rowChars: 1_000_000,
  /** Markup a parser holds whole: one tag or text, one shared text, one row, the sheet's head before its rows. */
  markupRun: 1 * MiB,
  sharedStringItem: 1 * MiB,
  rowBytes: 2 * MiB,
  sheetHeadBytes: 4 * MiB,
  entries: 10_000,
};

/** Why a workbook is refused; table-reader turns it into the organizer's message. */
export class WorkbookRefused extends Error {
  constructor(
    readonly reason: 'too_large' | 'unreadable',
    message: string,
    readonly row?: number,
  ) {
    super(message);
    this.name = 'WorkbookRefused';
  }
}

const tooLarge = (message: string, row?: number) => new WorkbookRefused('too_large', message, row);
const unreadable = (message: string) => new WorkbookRefused('unreadable', message);

// --- the zip directory --------------------------------------------------------------------------

export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  /** As declared; never trusted alone. */
  size: number;
  localOffset: number;
}

async function readDirectory(file: FileHandle, fileSize: number): Promise<Map<string, ZipEntry>> {
  const tailLength = Math.min(fileSize, 65_557);
  const tail = await readAt(file, fileSize - tailLength, tailLength);
  let end = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === 0x06054b50) {
      end = i;
      break;
    }
  }
  if (end < 0) throw unreadable('no zip directory');
  let count = tail.readUInt16LE(end + 10);
  let directorySize = tail.readUInt32LE(end + 12);
  let directoryOffset = tail.readUInt32LE(end + 16);
  if (count === 0xffff || directorySize === 0xffffffff || directoryOffset === 0xffffffff) {
    // ZIP64: the real figures are in the ZIP64 end record the locator before this one points at.
    const locator = end - 20;
    if (locator < 0 || tail.readUInt32LE(locator) !== 0x07064b50) throw unreadable('ZIP64 locator missing');
    const record = await readAt(file, Number(tail.readBigUInt64LE(locator + 8)), 56);
    if (record.length < 56 || record.readUInt32LE(0) !== 0x06064b50) throw unreadable('ZIP64 end record missing');
    count = Number(record.readBigUInt64LE(32));
    directorySize = Number(record.readBigUInt64LE(40));
    directoryOffset = Number(record.readBigUInt64LE(48));
  }
  if (count > XLSX_LIMITS.entries) throw unreadable('too many entries');
  if (directoryOffset + directorySize > fileSize) throw unreadable('directory outside the file');
  const directory = await readAt(file, directoryOffset, directorySize);
  const entries = new Map<string, ZipEntry>();
  let at = 0;
  for (let i = 0; i < count; i++) {
    if (at + 46 > directory.length || directory.readUInt32LE(at) !== 0x02014b50) throw unreadable('damaged directory');
    const flags = directory.readUInt16LE(at + 8);
    const method = directory.readUInt16LE(at + 10);
    let compressedSize = directory.readUInt32LE(at + 20);
    let size = directory.readUInt32LE(at + 24);
    const nameLength = directory.readUInt16LE(at + 28);
    const extraLength = directory.readUInt16LE(at + 30);
    const commentLength = directory.readUInt16LE(at + 32);
    let localOffset = directory.readUInt32LE(at + 42);
    const name = directory.toString('utf8', at + 46, at + 46 + nameLength);
    // ZIP64 extra field: the 64-bit values of the fields that are all ones, in this order.
    let extra = at + 46 + nameLength;
    const extraEnd = extra + extraLength;
    while (extra + 4 <= extraEnd && extraEnd <= directory.length) {
      const id = directory.readUInt16LE(extra);
      const length = directory.readUInt16LE(extra + 2);
      if (id === 0x0001) {
        let field = extra + 4;
        const next = () => {
          const value = field + 8 <= extra + 4 + length ? Number(directory.readBigUInt64LE(field)) : Number.NaN;
          field += 8;
          return value;
        };
        if (size === 0xffffffff) size = next();
        if (compressedSize === 0xffffffff) compressedSize = next();
        if (localOffset === 0xffffffff) localOffset = next();
      }
      extra += 4 + length;
    }
    if (flags & 1) throw unreadable('encrypted');
    if (!Number.isFinite(size) || !Number.isFinite(compressedSize) || !Number.isFinite(localOffset)) throw unreadable('damaged ZIP64 field');
    entries.set(name.replace(/^\/+/, ''), { name, method, compressedSize, size, localOffset });
    at = extraEnd + commentLength;
  }
  return entries;
}

async function readAt(file: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await file.read(buffer, 0, length, position);
  return buffer.subarray(0, bytesRead);
}

// --- measuring what is inflated ----------------------------------------------------------------

/** Inflated bytes left for one read of the file; shared by its parts. */
interface Budget {
  left: number;
  limit: number;
}

interface PartRules {
  /** The most this part may inflate to, whatever the directory says. */
  maxBytes: number;
  what: string;
  /**
   * One item a parser holds whole (a shared text, a row) may span at most `maxBytes` from its `start`;
   * with `head`, at most that many bytes come before the first item, and none are counted after `end`.
   */
  item?: { start: Buffer; maxBytes: number; what: string; end?: Buffer; head?: number };
}

/**
 * Watches the inflated bytes of one part: the budget, the part's own cap, and the stretches a
 * parser would hold whole (a tag or text with no `<` or `>`, one shared text, one row).
 */
class PartMeter {
  private bytes = 0;
  private sinceOpen = 0;
  private sinceClose = 0;
  private sinceItem = 0;
  private state: 'head' | 'items' | 'tail';
  private carry = Buffer.alloc(0);

  constructor(
    private readonly rules: PartRules,
    private readonly budget: Budget,
  ) {
    this.state = rules.item?.head === undefined ? 'items' : 'head';
  }

  measure(chunk: Buffer): void {
    this.bytes += chunk.length;
    this.budget.left -= chunk.length;
    if (this.budget.left < 0) {
      throw tooLarge(`The Excel file unpacks to more than ${megabytes(this.budget.limit)}, more than a list of this size can hold.`);
    }
    if (this.bytes > this.rules.maxBytes) throw tooLarge(`Its ${this.rules.what} unpack to more than ${megabytes(this.rules.maxBytes)}.`);
    this.sinceOpen = run(chunk, 0x3c, this.sinceOpen);
    this.sinceClose = run(chunk, 0x3e, this.sinceClose);
    if (Math.max(this.sinceOpen, this.sinceClose) > XLSX_LIMITS.markupRun) {
      throw tooLarge(`Its ${this.rules.what} hold a single text or tag of more than ${megabytes(XLSX_LIMITS.markupRun)}.`);
    }
    const item = this.rules.item;
    if (!item || this.state === 'tail') return;
    // A marker may straddle two chunks: the end of the last one is searched too.
    const window = this.carry.length > 0 ? Buffer.concat([this.carry, chunk]) : chunk;
    const offset = this.carry.length;
    const first = window.indexOf(item.start);
    const last = window.lastIndexOf(item.start);
    // The bytes of this chunk that still belong to the head, or to the item that was open.
    const before = first >= 0 ? Math.max(0, first - offset) : chunk.length;
    if (this.state === 'head' && item.head !== undefined && this.bytes - chunk.length + before > item.head) {
      throw tooLarge(`Its ${this.rules.what} hold more than ${megabytes(item.head)} before the first row.`);
    }
    if (this.state === 'items' && this.sinceItem + before > item.maxBytes) {
      throw tooLarge(`Its ${this.rules.what} hold ${item.what} of more than ${megabytes(item.maxBytes)}.`);
    }
    if (last >= 0) {
      this.state = 'items';
      this.sinceItem = window.length - last;
    } else if (this.state === 'items') this.sinceItem += chunk.length;
    if (item.end && window.lastIndexOf(item.end) > last) this.state = 'tail';
    const keep = Math.max(item.start.length, item.end?.length ?? 0) - 1;
    this.carry = Buffer.from(window.subarray(window.length - keep));
  }
}

/** The bytes since the last `byte`, after this chunk. */
function run(chunk: Buffer, byte: number, before: number): number {
  const first = chunk.indexOf(byte);
  if (first < 0) return before + chunk.length;
  if (before + first > XLSX_LIMITS.markupRun) return before + first;
  return chunk.length - 1 - chunk.lastIndexOf(byte);
}

/** One part, inflated, measured and decoded as UTF-8 (a letter split between chunks waits for its other half). */
async function* partText(filePath: string, file: FileHandle, entry: ZipEntry, meter: PartMeter, onInput?: (input: ReadStream) => void): AsyncGenerator<string> {
  const header = await readAt(file, entry.localOffset, 30);
  if (header.length < 30 || header.readUInt32LE(0) !== 0x04034b50) throw unreadable('damaged entry');
  const start = entry.localOffset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
  if (entry.method !== 0 && entry.method !== 8) throw unreadable('unknown compression');
  if (entry.compressedSize === 0) return;
  const input = createReadStream(filePath, { start, end: start + entry.compressedSize - 1, highWaterMark: 64 * 1024 });
  onInput?.(input);
  const bytes: AsyncIterable<Buffer> = entry.method === 8 ? input.pipe(createInflateRaw()) : input;
  const decoder = new TextDecoder('utf-8');
  try {
    for await (const chunk of bytes) {
      meter.measure(chunk);
      const text = decoder.decode(chunk, { stream: true });
      if (text) yield text;
    }
    const rest = decoder.decode();
    if (rest) yield rest;
  } finally {
    input.destroy();
  }
}

// --- the workbook, through ExcelJS's streaming reader ------------------------------------------

/**
 * The part of ExcelJS's streaming WorkbookReader (4.x) that parses one part each. It is fed parts we
 * inflated and measured ourselves, instead of its own zip reader, which trusts the file and writes
 * sheets it meets before the shared texts to the system's temporary folder.
 */
interface PartParsers {
  options: { sharedStrings: string; styles: string; hyperlinks: string; worksheets: string };
  model?: ExcelJS.WorkbookModel & { sheets?: { id: number; rId: string }[] };
  workbookRels?: { Id: string; Target: string }[];
  sharedStrings?: unknown;
  _parseRels(stream: Readable): Promise<void>;
  _parseWorkbook(stream: Readable): Promise<void>;
  _parseStyles(stream: Readable): Promise<void>;
  _parseSharedStrings(stream: Readable): AsyncGenerator<{ index: number; text: SharedText }>;
  _parseWorksheet(chunks: AsyncIterable<string>, sheetNo: string): Generator<{ eventType: string; value: AsyncIterable<ExcelJS.Row> }>;
}

type SharedText = string | null | { richText: { text: string | null }[] };

/** The shared texts as UTF-8 in one growing buffer: a few bytes a text instead of a string object each. */
class SharedStrings {
  private data = Buffer.allocUnsafe(MiB);
  private starts = new Uint32Array(1024);
  count = 0;
  private end = 0;

  add(text: string): void {
    if (this.count + 1 >= this.starts.length) {
      const starts = new Uint32Array(this.starts.length * 2);
      starts.set(this.starts);
      this.starts = starts;
    }
    const needed = this.end + Buffer.byteLength(text);
    if (needed > this.data.length) {
      const data = Buffer.allocUnsafe(Math.max(needed, Math.min(this.data.length * 2, XLSX_LIMITS.sharedTextBytes)));
      this.data.copy(data, 0, 0, this.end);
      this.data = data;
    }
    this.starts[this.count] = this.end;
    this.end += this.data.write(text, this.end);
    this.count += 1;
    this.starts[this.count] = this.end;
  }

  get bytes(): number {
    return this.end;
  }

  get(index: number): string | undefined {
    if (!(index >= 0 && index < this.count)) return undefined;
    return this.data.toString('utf8', this.starts[index], this.starts[index + 1]);
  }

  /** What ExcelJS's sheet reader indexes (sharedStrings[i]). */
  asArray(): unknown {
    return new Proxy([], { get: (_, key) => (typeof key === 'string' && /^\d+$/.test(key) ? this.get(Number(key)) : undefined) });
  }
}

export interface Workbook {
  parsers: PartParsers;
  sheet: ZipEntry;
  /** Bytes the shared parts took of the budget; each read of the sheet has the rest. */
  used: number;
  limit: number;
}

/** Reads the workbook's structure, styles and shared texts once; the sheet is read by `sheetRows` as often as needed. */
export async function openWorkbook(filePath: string, fileSize: number): Promise<Workbook> {
  const file = await open(filePath, 'r');
  try {
    const entries = await readDirectory(file, fileSize);
    const part = (name: string) => entries.get(name);
    const workbookEntry = part('xl/workbook.xml');
    const relsEntry = part('xl/_rels/workbook.xml.rels');
    if (!workbookEntry || !relsEntry) throw unreadable('no workbook');
    const limit = Math.min(XLSX_LIMITS.totalBytes, XLSX_LIMITS.ratio * fileSize + XLSX_LIMITS.floorBytes);
    const sharedLimit = Math.min(XLSX_LIMITS.sharedStringsBytes, XLSX_LIMITS.sharedStringsRatio * fileSize + XLSX_LIMITS.floorBytes);
    const budget: Budget = { left: limit, limit };
    const small = (what: string): PartRules => ({ maxBytes: XLSX_LIMITS.smallPartBytes, what });

    const parsers = new ExcelJS.stream.xlsx.WorkbookReader(filePath, {
      sharedStrings: 'emit',
      styles: 'cache', // to tell dates and zero-padded numbers from plain numbers
      hyperlinks: 'ignore',
      worksheets: 'emit',
      entries: 'ignore',
    }) as unknown as PartParsers;
    const stream = (entry: ZipEntry, rules: PartRules) => Readable.from(partText(filePath, file, entry, new PartMeter(rules, budget)));

    // Measured before anything is inflated: the sizes the directory declares.
    const stylesEntry = part('xl/styles.xml');
    const sharedEntry = part('xl/sharedStrings.xml');
    for (const [entry, what] of [
      [workbookEntry, 'workbook parts'],
      [relsEntry, 'workbook parts'],
      [stylesEntry, 'styles'],
    ] as const) {
      if (entry && entry.size > XLSX_LIMITS.smallPartBytes) throw tooLarge(`Its ${what} unpack to ${megabytes(entry.size)}.`);
    }
    if (sharedEntry && sharedEntry.size > sharedLimit) throw tooLarge(`Its shared texts unpack to ${megabytes(sharedEntry.size)}, more than a list of this size can hold.`);

    await parsers._parseRels(stream(relsEntry, small('workbook parts')));
    await parsers._parseWorkbook(stream(workbookEntry, small('workbook parts')));
    // The first tab in the workbook's order, wherever its part lies in the zip.
    const first = parsers.model?.sheets?.[0];
    const target = parsers.workbookRels?.find((rel) => rel.Id === first?.rId)?.Target;
    const sheet = target === undefined ? undefined : part(target.startsWith('/') ? target.slice(1) : path('xl', target));
    if (!sheet) throw unreadable('no first sheet');
    const declared = [workbookEntry, relsEntry, stylesEntry, sharedEntry, sheet].reduce((sum, entry) => sum + (entry?.size ?? 0), 0);
    if (declared > limit) throw tooLarge(`The Excel file unpacks to ${megabytes(declared)}, more than a list of this size can hold.`);

    if (stylesEntry) await parsers._parseStyles(stream(stylesEntry, small('styles')));
    const strings = new SharedStrings();
    if (sharedEntry) {
      const rules: PartRules = {
        maxBytes: sharedLimit,
        what: 'shared texts',
        item: { start: Buffer.from('<si'), maxBytes: XLSX_LIMITS.sharedStringItem, what: 'one text' },
      };
      for await (const { text } of parsers._parseSharedStrings(stream(sharedEntry, rules))) {
        strings.add(typeof text === 'string' ? text : text === null ? '' : text.richText.map((run) => run.text ?? '').join(''));
        if (strings.count > XLSX_LIMITS.sharedStrings) throw tooLarge(`It has more than ${XLSX_LIMITS.sharedStrings.toLocaleString('en')} different texts.`);
        if (strings.bytes > XLSX_LIMITS.sharedTextBytes) throw tooLarge(`Its different texts add up to more than ${megabytes(XLSX_LIMITS.sharedTextBytes)}.`);
      }
    }
    parsers.sharedStrings = strings.asArray();
    return { parsers, sheet, used: limit - budget.left, limit };
  } catch (error) {
    throw asRefusal(error);
  } finally {
    await file.close();
  }
}

/** The first sheet's rows, streamed, with the cell and row caps kept. */
export async function* sheetRows(filePath: string, workbook: Workbook, onInput: (input: ReadStream) => void): AsyncGenerator<ExcelJS.Row> {
  const file = await open(filePath, 'r');
  try {
    const budget: Budget = { left: workbook.limit - workbook.used, limit: workbook.limit };
    const meter = new PartMeter(
      {
        maxBytes: workbook.limit,
        what: 'sheet cells',
        item: { start: Buffer.from('<row'), end: Buffer.from('</sheetData'), maxBytes: XLSX_LIMITS.rowBytes, what: 'a row', head: XLSX_LIMITS.sheetHeadBytes },
      },
      budget,
    );
    const chunks = partText(filePath, file, workbook.sheet, meter, onInput);
    let cells = 0;
    for (const { value: reader } of workbook.parsers._parseWorksheet(chunks, '1')) {
      for await (const row of reader) {
        cells += row.actualCellCount;
        if (cells > XLSX_LIMITS.cells) throw tooLarge(`It has more than ${XLSX_LIMITS.cells.toLocaleString('en')} filled cells.`, row.number);
        yield row;
      }
      return;
    }
  } catch (error) {
    throw asRefusal(error);
  } finally {
    await file.close();
  }
}

function asRefusal(error: unknown): unknown {
  if (error instanceof WorkbookRefused) return error;
  // ExcelJS and zlib errors, and their wrappers, carry ours as their cause.
  const cause = (error as { cause?: unknown } | null)?.cause;
  if (cause instanceof WorkbookRefused) return cause;
  return unreadable(error instanceof Error ? error.message : String(error));
}

function path(base: string, relative: string): string {
  const parts = base.split('/');
  for (const piece of relative.split('/')) {
    if (piece === '..') parts.pop();
    else if (piece !== '.' && piece !== '') parts.push(piece);
  }
  return parts.join('/');
}

function megabytes(bytes: number): string {
  return `${Math.ceil(bytes / MiB).toLocaleString('en')} MB`;
}
