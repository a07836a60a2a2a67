import { EventEmitter } from 'node:events';
import { rm } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { rawClient, type Database } from '../../../../db/database';
import type { Static } from 'typebox';
import type { Clock } from '../../clock';
import type { Country } from '../../contract/api';
import { notFound } from '../../errors';
import { proposeMapping, requirePhoneColumn, validateMapping, type ColumnMapping } from './columns';
import { sourceColumns, type ListSourceValue } from './list-source';
import * as repository from './lists.repository';
import type { ListProgressEvent } from './lists.schemas';
import { stagingLines } from './staging';
import { ListFileError, openTable, type Table } from './table-reader';

export interface ImportRequest {
  organisationId: string;
  name: string;
  country: Country;
  filePath: string;
  originalName?: string | undefined;
  /** The organizer's mapping from the web app; proposed from the header when absent. */
  mapping?: unknown;
  createdBy: string | null;
  /** Where the list came from and on what legal basis (checked with checkListSource). */
  source: ListSourceValue;
  /** Delete the file when done (an upload's temporary file). */
  removeFile: boolean;
}

export type ImportProgress = Static<typeof ListProgressEvent>;

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
      ...sourceColumns(request.source),
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
    running.abort.abort(new ImportStopped('cancelled', 'The import was cancelled.'));
    await running.done;
  }

  /** How many imports run in this process now (for /metrics). */
  get runningCount(): number {
    return this.running.size;
  }

  /** Cancels every running import (their transactions roll back) and waits for them. */
  async close(): Promise<void> {
    for (const running of this.running.values()) running.abort.abort(new ImportStopped('server_stopped', 'The server is stopping; the import was cancelled.'));
    await Promise.all([...this.running.values()].map((running) => running.done));
  }

  private async run(listId: string, request: ImportRequest, table: Table, mapping: ColumnMapping, signal: AbortSignal): Promise<void> {
    const progress: ImportProgress = { listId, organisationId: request.organisationId, phase: 'reading', rowsRead: 0, fraction: 0 };
    const started = performance.now();
    const client = await rawClient(this.db);
    try {
      await client.query('begin');
      await repository.createStaging(client);
      const tally = { repaired: 0 };
      const lines = Readable.from(stagingLines(table, mapping, request.country, progress, () => this.emit('progress', { ...progress }), tally));
      await pipeline(lines, repository.copyIntoStaging(client), { signal });
      signal.throwIfAborted();
      this.emit('progress', { ...progress, phase: 'merging', fraction: 1 });
      const readMs = Math.round(performance.now() - started);
      const { timings } = await repository.mergeStaging(client, listId, request.organisationId, this.clock.now());
      if (tally.repaired > 0) await repository.setRepaired(client, listId, tally.repaired);
      signal.throwIfAborted();
      const commitStarted = performance.now();
      await client.query('commit');
      this.lastTimings = { 'read and copy': readMs, ...timings, commit: Math.round(performance.now() - commitStarted) };
      this.emit('progress', { ...progress, phase: 'ready', fraction: 1 });
    } catch (error) {
      await client.query('rollback').catch(() => {});
      if (!signal.aborted) this.logFailure(listId, error); // a cancel or a stop is no failure of ours
      await repository.markListFailed(this.db, listId, describe(signal.aborted ? signal.reason : error), this.clock.now());
      this.emit('progress', { ...progress, phase: 'failed' });
    } finally {
      client.release();
      if (request.removeFile) await rm(request.filePath, { force: true });
    }
  }
}

/** Why an import was stopped: the reason its AbortController is given. */
class ImportStopped extends Error {
  constructor(
    readonly code: 'cancelled' | 'server_stopped',
    message: string,
  ) {
    super(message);
    this.name = 'ImportStopped';
  }
}

function describe(error: unknown): repository.ListFailure {
  if (error instanceof ImportStopped) return { code: error.code, message: error.message };
  if (error instanceof ListFileError) return { code: error.code, message: error.message, row: error.row }; // found mid-file
  return {
    code: 'internal',
    message: 'The import failed on our side; nothing of it was kept. Try again, and tell the administrator if it happens again.',
  };
}

