import { EventEmitter } from 'node:events';
import { rm } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { rawClient, type Database } from '../../../../db/database';
import type { Clock } from '../../clock';
import type { Country } from '../../contract/api';
import { notFound } from '../../errors';
import { classifyRow } from './classify';
import { phoneColumns, proposeMapping, requirePhoneColumn, validateMapping, type ColumnMapping } from './columns';
import * as repository from './lists.repository';
import { openTable, type Table } from './table-reader';

export interface ImportRequest {
  organisationId: string;
  name: string;
  country: Country;
  filePath: string;
  originalName?: string | undefined;
  /** The organizer's mapping from the web app; proposed from the header when absent. */
  mapping?: unknown;
  createdBy: string | null;
  /** Delete the file when done (an upload's temporary file). */
  removeFile: boolean;
}

export interface ImportProgress {
  listId: string;
  organisationId: string;
  phase: 'reading' | 'merging' | 'ready' | 'failed';
  rowsRead: number;
  /** 0–1 of the file read, when the size is known. */
  fraction: number;
}

interface Running {
  done: Promise<void>;
  abort: AbortController;
}

/**
 * Imports target lists: the file is checked first (whole-file problems answer 4xx and store
 * nothing), then read, staged by COPY and merged in one transaction in the background.
 * Emits 'progress' (ImportProgress) as it goes.
 */
export class ListImporter extends EventEmitter<{ progress: [ImportProgress] }> {
  private readonly running = new Map<string, Running>();
  /** Milliseconds per step of the last import that finished, for the benchmark. */
  lastTimings: Record<string, number> = {};

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly maxBytes: number,
    /** Told of failures that are ours rather than the file's; gets no cell values. */
    private readonly onFailure: (failure: { listId: string; name: string; code: unknown; message: string }) => void = () => {},
  ) {
    super();
  }

  private logFailure(listId: string, error: unknown): void {
    if (error instanceof Error && 'statusCode' in error) return; // a problem in the file, reported on the list itself
    const { name, message, code } = error instanceof Error ? (error as Error & { code?: unknown }) : { name: 'Error', message: String(error), code: undefined };
    this.onFailure({ listId, name, code, message });
  }

  /** Checks the file and starts the import; returns the new list's id. */
  async start(request: ImportRequest): Promise<string> {
    let table: Table;
    let mapping: ColumnMapping;
    try {
      table = await openTable(request.filePath, { originalName: request.originalName, maxBytes: this.maxBytes });
      mapping = request.mapping === undefined ? proposeMapping(table.header) : validateMapping(request.mapping, table.header);
      requirePhoneColumn(mapping);
    } catch (error) {
      if (request.removeFile) await rm(request.filePath, { force: true });
      throw error;
    }
    const { id } = await repository.insertList(this.db, {
      organisationId: request.organisationId,
      name: request.name.trim(),
      country: request.country,
      status: 'importing',
      fileName: request.originalName ?? null,
      columns: JSON.stringify(mapping.columns),
      createdBy: request.createdBy,
      createdAt: this.clock.now(),
    });
    const abort = new AbortController();
    const done = this.run(id, request, table, mapping, abort.signal).finally(() => this.running.delete(id));
    this.running.set(id, { done, abort });
    return id;
  }

  /** Resolves when the import has ended, whichever way. */
  async wait(listId: string): Promise<void> {
    await this.running.get(listId)?.done;
  }

  isRunning(listId: string): boolean {
    return this.running.has(listId);
  }

  async cancel(listId: string): Promise<void> {
    const running = this.running.get(listId);
    if (!running) throw notFound('A running import of this list');
    running.abort.abort(new Error('The import was cancelled.'));
    await running.done;
  }

  /** Cancels every running import (their transactions roll back) and waits for them. */
  async close(): Promise<void> {
    for (const running of this.running.values()) running.abort.abort(new Error('The server is stopping; the import was cancelled.'));
    await Promise.all([...this.running.values()].map((running) => running.done));
  }

  private async run(listId: string, request: ImportRequest, table: Table, mapping: ColumnMapping, signal: AbortSignal): Promise<void> {
    const progress: ImportProgress = { listId, organisationId: request.organisationId, phase: 'reading', rowsRead: 0, fraction: 0 };
    const started = performance.now();
    const client = await rawClient(this.db);
    try {
      await client.query('begin');
      await repository.createStaging(client);
      const lines = Readable.from(stagingLines(table, mapping, request.country, progress, (update) => this.emit('progress', update)));
      await pipeline(lines, repository.copyIntoStaging(client), { signal });
      signal.throwIfAborted();
      this.emit('progress', { ...progress, phase: 'merging', fraction: 1 });
      const readMs = Math.round(performance.now() - started);
      const { timings } = await repository.mergeStaging(client, listId, request.organisationId, this.clock.now());
      signal.throwIfAborted();
      const commitStarted = performance.now();
      await client.query('commit');
      this.lastTimings = { 'read and copy': readMs, ...timings, commit: Math.round(performance.now() - commitStarted) };
      this.emit('progress', { ...progress, phase: 'ready', fraction: 1 });
    } catch (error) {
      await client.query('rollback').catch(() => {});
      this.logFailure(listId, error);
      const message = signal.aborted && signal.reason instanceof Error ? signal.reason.message : describe(error);
      await repository.markListFailed(this.db, listId, message, this.clock.now());
      this.emit('progress', { ...progress, phase: 'failed' });
    } finally {
      client.release();
      if (request.removeFile) await rm(request.filePath, { force: true });
    }
  }
}

function describe(error: unknown): string {
  if (error instanceof Error && 'statusCode' in error) return error.message; // a ListFileError found mid-file
  return 'The import failed on our side; nothing of it was kept. Try again, and tell the administrator if it happens again.';
}

const NAME_FIELDS = new Set(['firstName', 'lastName', 'email']);

/** The staging table's COPY lines, a batch of rows at a time. */
async function* stagingLines(
  table: Table,
  mapping: ColumnMapping,
  country: Country,
  progress: ImportProgress,
  report: (progress: ImportProgress) => void,
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
  );
  const headers = table.header;
  // The first row of each number: later rows with it are duplicates. In memory (about 100 MB for a
  // million numbers), because a join over the staged rows costs seconds more.
  const firstRowOf = new Map<string, number>();
  let lastReport = 0;

  for await (const batch of table.batches()) {
    let chunk = '';
    for (const row of batch) {
      const cells = row.cells;
      const result = classifyRow(cells, phoneIdx, country);
      if (result.kind === 'invalid') {
        const column = result.column === null ? null : (headers[result.column] ?? null);
        chunk += `${row.rowNumber}\tinvalid\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t${copyText(column)}\t${copyText(result.raw)}\t${copyText(result.reason)}\n`;
        continue;
      }
      const column = copyText(headers[result.column] ?? null);
      const raw = copyText(cells[result.column] ?? '');
      const first = firstRowOf.get(result.e164);
      if (first !== undefined) {
        chunk += `${row.rowNumber}\tduplicate\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t${column}\t${raw}\tThe number ${result.e164} is already on row ${first} of this file.\n`;
        continue;
      }
      firstRowOf.set(result.e164, row.rowNumber);
      let attributes = '{}';
      if (attributeColumns.length > 0) {
        const values: Record<string, string> = {};
        for (const attribute of attributeColumns) {
          const value = cells[attribute.index];
          if (value) values[attribute.name] = value;
        }
        attributes = JSON.stringify(values);
      }
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
