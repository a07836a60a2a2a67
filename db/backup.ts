// Backup and restore of Ringa's database without pg_dump (the embedded PostgreSQL ships none, and an
// older system pg_dump refuses a newer server): a logical copy Ringa makes itself.
//
// A backup is one REPEATABLE READ, READ ONLY transaction, so every table is read from one snapshot
// (the calls and the figures folded from them agree) while Ringa keeps running. The file is gzip'd:
// a magic line, then records of [type: 1 byte][length: 4 bytes, big-endian][payload]:
//   H  header (JSON): format, version, when, the applied migrations, the tables and their columns, the sequences
//   T  a table begins (JSON: its name)         D  COPY text rows of that table (up to 1 MB a record)
//   E  the table ends (JSON: its row count)    Z  the end (JSON: tables and rows in all)
//
// A restore reads the header, creates the schema on the empty target by running the same migrations
// up to the backup's last, loads every table with COPY (user triggers off, so the statistics trigger
// does not count the calls twice; foreign keys dropped and added back afterwards, which checks them),
// sets the sequences, applies any newer migrations, and commits: one transaction, all or nothing.
import { createReadStream, createWriteStream } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import { once } from 'node:events';
import { finished, pipeline } from 'node:stream/promises';
import type { Writable } from 'node:stream';
import { createGunzip, createGzip } from 'node:zlib';
import { CamelCasePlugin, Kysely, PostgresDialect, type PostgresPool, type PostgresPoolClient } from 'kysely';
import type pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { knownMigrations, migrateInTransaction } from './migrate';

const MAGIC = Buffer.from('RINGA-BACKUP\n');
const FORMAT = 'ringa-backup';
const VERSION = 1;
/** Rows are gathered into records of about this size. */
const CHUNK_BYTES = 1024 * 1024;
/** No record is larger than this; a larger length means the file is damaged. */
const MAX_RECORD = 64 * 1024 * 1024;
/** Kept out of a backup: the migrator's own tables (a restore's migrations write them) and socket.io's passing messages. */
const SKIPPED = new Set(['kysely_migration', 'kysely_migration_lock', 'socket_io_attachments']);

type RecordType = 'H' | 'T' | 'D' | 'E' | 'Z';

interface TableInfo {
  name: string;
  columns: string[];
}

interface Header {
  format: typeof FORMAT;
  version: number;
  createdAt: string;
  postgres: string;
  migrations: string[];
  tables: TableInfo[];
  sequences: { name: string; value: number; isCalled: boolean }[];
}

export interface BackupSummary {
  file: string;
  bytes: number;
  tables: number;
  rows: number;
  /** The last migration the backed-up database had. */
  migration: string | null;
}

export interface RestoreSummary {
  tables: number;
  rows: number;
  createdAt: string;
  /** Migrations applied after the load, when this Ringa is newer than the backup. */
  migrated: string[];
}

/** A backup or restore refused or failed for a reason the operator can act on; nothing was changed. */
export class BackupError extends Error {
  override name = 'BackupError';
}

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Ordinary tables of the public schema and their (non-generated) columns, by name. */
async function tablesOf(client: pg.ClientBase): Promise<TableInfo[]> {
  const { rows } = await client.query<TableInfo>(`
    select c.relname::text as name, array_agg(a.attname::text order by a.attnum) as columns
    from pg_class c
    join pg_namespace n on n.oid = c.relnamespace
    join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped and a.attgenerated = ''
    where n.nspname = 'public' and c.relkind = 'r'
    group by c.relname
    order by c.relname`);
  return rows.filter((table) => !SKIPPED.has(table.name));
}

/**
 * Writes a consistent backup of the database `client` is connected to into `out` (mode 600: it holds
 * personal data), through a temporary file renamed into place when complete, so a failed backup never
 * leaves a partial file under the name and an earlier backup there stays until the new one is whole.
 */
export async function backupDatabase(client: pg.ClientBase, out: string, now = new Date()): Promise<BackupSummary> {
  const partial = `${out}.partial-${process.pid}`;
  const gzip = createGzip();
  const written = pipeline(gzip, createWriteStream(partial, { flags: 'wx', mode: 0o600, flush: true }));
  let failure: Error | undefined;
  written.catch((error: unknown) => (failure = error instanceof Error ? error : new Error(String(error))));
  const put = async (type: RecordType, payload: Buffer) => {
    if (failure) throw failure;
    const head = Buffer.alloc(5);
    head.write(type, 0, 'latin1');
    head.writeUInt32BE(payload.length, 1);
    const room = gzip.write(Buffer.concat([head, payload]));
    if (!room) await Promise.race([once(gzip, 'drain'), written]);
  };
  const json = (type: RecordType, value: unknown) => put(type, Buffer.from(JSON.stringify(value)));

  let began = false;
  try {
    gzip.write(MAGIC);
    // One snapshot for every table: taken by the first statement after BEGIN and kept to the end.
    await client.query('begin transaction isolation level repeatable read, read only');
    began = true;
    const migrations = (await client.query<{ name: string }>('select name from kysely_migration order by name').catch(() => {
      throw new BackupError('This database has no Ringa tables (no migrations were applied); there is nothing to back up.');
    })).rows.map((row) => row.name);
    const tables = await tablesOf(client);
    const sequenceNames = (
      await client.query<{ name: string }>(`select c.relname::text as name from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'public' and c.relkind = 'S' order by 1`)
    ).rows.map((row) => row.name);
    const sequences: Header['sequences'] = [];
    for (const name of sequenceNames) {
      // Sequences are outside the snapshot: their value now is at least every value the snapshot holds.
      const { rows } = await client.query<{ value: string; isCalled: boolean }>(`select last_value::text as value, is_called as "isCalled" from ${ident(name)}`);
      const row = rows[0];
      if (row) sequences.push({ name, value: Number(row.value), isCalled: row.isCalled });
    }
    const { rows: version } = await client.query<{ version: string }>('show server_version');
    const header: Header = { format: FORMAT, version: VERSION, createdAt: now.toISOString(), postgres: version[0]?.version ?? '', migrations, tables, sequences };
    await json('H', header);

    let total = 0;
    for (const table of tables) {
      await json('T', { table: table.name });
      const copy = client.query(copyTo(`copy ${ident(table.name)} (${table.columns.map(ident).join(', ')}) to stdout`));
      let pending: Buffer[] = [];
      let size = 0;
      for await (const chunk of copy as AsyncIterable<Buffer>) {
        pending.push(chunk);
        size += chunk.length;
        if (size >= CHUNK_BYTES) {
          await put('D', Buffer.concat(pending));
          pending = [];
          size = 0;
        }
      }
      if (size > 0) await put('D', Buffer.concat(pending));
      await json('E', { rows: copy.rowCount });
      total += copy.rowCount;
    }
    await json('Z', { tables: tables.length, rows: total });
    await client.query('commit');
    began = false;
    gzip.end();
    await written;
    await rename(partial, out);
    return { file: out, bytes: (await stat(out)).size, tables: tables.length, rows: total, migration: migrations.at(-1) ?? null };
  } catch (error) {
    if (began) await client.query('rollback').catch(() => {});
    gzip.destroy();
    await written.catch(() => {});
    await rm(partial, { force: true });
    if (error instanceof BackupError) throw error;
    const code = (error as { code?: unknown }).code;
    if (code === 'EEXIST' || code === 'EACCES' || code === 'ENOENT' || code === 'ENOSPC' || code === 'EROFS') {
      throw new BackupError(`Could not write the backup to ${out}: ${(error as Error).message}`);
    }
    throw error;
  }
}

/** Splits the decompressed stream into records; throws when it is not a Ringa backup or is damaged. */
class RecordReader {
  private buffer: Buffer = Buffer.alloc(0);
  private sawMagic = false;

  constructor(private readonly file: string) {}

  *push(chunk: Buffer): Generator<{ type: RecordType; payload: Buffer }> {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    if (!this.sawMagic) {
      if (this.buffer.length < MAGIC.length) return;
      if (!this.buffer.subarray(0, MAGIC.length).equals(MAGIC)) throw new BackupError(`${this.file} is not a Ringa backup (it does not begin as one does); nothing was restored.`);
      this.sawMagic = true;
      this.buffer = this.buffer.subarray(MAGIC.length);
    }
    let at = 0;
    while (this.buffer.length - at >= 5) {
      const type = String.fromCharCode(this.buffer[at] ?? 0);
      const length = this.buffer.readUInt32BE(at + 1);
      if (!'HTDEZ'.includes(type) || length > MAX_RECORD) throw damaged(this.file, 'a record has an unknown type or size');
      if (this.buffer.length - at - 5 < length) break;
      yield { type: type as RecordType, payload: this.buffer.subarray(at + 5, at + 5 + length) };
      at += 5 + length;
    }
    this.buffer = this.buffer.subarray(at);
  }

  get leftover(): number {
    return this.buffer.length;
  }
}

function damaged(file: string, why: string): BackupError {
  return new BackupError(`The backup file ${file} is damaged or incomplete (${why}); nothing was restored.`);
}

function parseJson<T>(file: string, payload: Buffer): T {
  try {
    return JSON.parse(payload.toString('utf8')) as T;
  } catch {
    throw damaged(file, 'a record is not readable');
  }
}

/** Kysely over the one client of the restore, so the migrations run inside its transaction. */
function onClient(client: pg.ClientBase): Kysely<unknown> {
  const pool: PostgresPool = {
    connect: async (): Promise<PostgresPoolClient> => ({
      query: client.query.bind(client) as unknown as PostgresPoolClient['query'],
      release: () => {},
    }),
    end: async () => {},
  };
  return new Kysely<unknown>({ dialect: new PostgresDialect({ pool }), plugins: [new CamelCasePlugin()] });
}

/** Writes to a stream, waiting while it is full; throws the stream's error. */
async function write(stream: Writable, chunk: Buffer, done: Promise<void>): Promise<void> {
  if (!stream.write(chunk)) await Promise.race([once(stream, 'drain'), done]);
}

/**
 * Restores a backup into the empty database `client` is connected to, in one transaction. Refuses a
 * database that already has tables, a file that is not a Ringa backup, one made by a newer Ringa, and
 * a damaged or truncated one; in each case nothing is changed.
 */
export async function restoreDatabase(client: pg.ClientBase, from: string): Promise<RestoreSummary> {
  const opened = await open(from).catch(() => {
    throw new BackupError(`There is no backup file at ${from}.`);
  });
  try {
    const { buffer } = await opened.read(Buffer.alloc(2), 0, 2, 0);
    // gzip's own magic: anything else (a CSV, a pg_dump file) is named as what it is not.
    if (buffer[0] !== 0x1f || buffer[1] !== 0x8b) throw new BackupError(`${from} is not a Ringa backup (npm run cli -- backup writes those); nothing was restored.`);
  } finally {
    await opened.close();
  }
  const reader = new RecordReader(from);
  const kysely = onClient(client);
  let header: Header | undefined;
  let ended: { tables: number; rows: number } | undefined;
  let began = false;
  const loaded = new Set<string>();
  let table: TableInfo | undefined;
  let copy: ReturnType<typeof copyFrom> | undefined;
  let copyDone: Promise<void> = Promise.resolve();
  let rows = 0;
  const foreignKeys: { table: string; name: string; definition: string }[] = [];
  let migrated: string[] = [];
  let createdAt = '';

  const begin = async (found: Header) => {
    const known = knownMigrations();
    const unknown = found.migrations.find((name, i) => known[i] !== name);
    if (unknown !== undefined) {
      throw new BackupError(
        known.includes(unknown)
          ? `The backup's migrations are not in this Ringa's order (${unknown}); restore it with the version of Ringa that made it. Nothing was restored.`
          : `This backup was made by a newer Ringa (its migration ${unknown} is unknown here); restore it with that version or a later one. Nothing was restored.`,
      );
    }
    await client.query('begin');
    began = true;
    const { rows: present } = await client.query<{ name: string }>(
      `select c.relname::text as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where n.nspname = 'public' and c.relkind in ('r', 'p', 'v', 'm', 'S', 'f') order by 1`,
    );
    if (present.length > 0) {
      const names = present.slice(0, 3).map((row) => row.name).join(', ');
      throw new BackupError(
        `The database to restore into is not empty: it has ${present.length} tables or sequences (${names}${present.length > 3 ? ', …' : ''}). ` +
          'Restore only into an empty database or a new DATA_DIR. Nothing was changed.',
      );
    }
    const last = found.migrations.at(-1);
    if (last !== undefined) await migrateInTransaction(kysely, last);
    const target = await tablesOf(client);
    const mismatch = (a: TableInfo[], b: TableInfo[]) =>
      a.find((one) => {
        const other = b.find((candidate) => candidate.name === one.name);
        return !other || one.columns.length !== other.columns.length || one.columns.some((column) => !other.columns.includes(column));
      });
    const odd = mismatch(found.tables, target) ?? mismatch(target, found.tables);
    if (odd) throw damaged(from, `its table ${odd.name} does not match the schema its migrations make`);
    // Rows come in table by table, so foreign keys are checked when all are in (adding them back checks every row).
    const { rows: keys } = await client.query<{ table: string; name: string; definition: string }>(
      `select c.conrelid::regclass::text as table, c.conname::text as name, pg_get_constraintdef(c.oid) as definition
       from pg_constraint c where c.contype = 'f' and c.connamespace = 'public'::regnamespace order by 1, 2`,
    );
    foreignKeys.push(...keys);
    for (const key of keys) await client.query(`alter table ${key.table} drop constraint ${ident(key.name)}`);
    // The statistics trigger would count every restored call again on top of the restored figures.
    for (const { name } of target) await client.query(`alter table ${ident(name)} disable trigger user`);
  };

  const handle = async (type: RecordType, payload: Buffer) => {
    if (!header) {
      if (type !== 'H') throw damaged(from, 'it does not begin with its header');
      const found = parseJson<Header>(from, payload);
      if (found.format !== FORMAT || !Array.isArray(found.migrations) || !Array.isArray(found.tables)) throw damaged(from, 'its header is not readable');
      if (found.version > VERSION) throw new BackupError(`This backup is in a newer format (${found.version}) than this Ringa reads (${VERSION}); restore it with a later Ringa. Nothing was restored.`);
      header = found;
      createdAt = found.createdAt;
      await begin(found);
      return;
    }
    if (ended) throw damaged(from, 'something follows its end');
    switch (type) {
      case 'T': {
        if (table) throw damaged(from, `the table ${table.name} does not end`);
        const { table: name } = parseJson<{ table: string }>(from, payload);
        const info = header.tables.find((candidate) => candidate.name === name);
        if (!info || loaded.has(name)) throw damaged(from, `an unexpected table ${String(name)}`);
        table = info;
        const stream = client.query(copyFrom(`copy ${ident(info.name)} (${info.columns.map(ident).join(', ')}) from stdin`));
        copy = stream;
        copyDone = finished(stream);
        copyDone.catch(() => {}); // awaited at the table's end; a failure meanwhile surfaces at the next write
        return;
      }
      case 'D':
        if (!copy) throw damaged(from, 'rows outside a table');
        await write(copy, payload, copyDone);
        return;
      case 'E': {
        if (!copy || !table) throw damaged(from, 'a table ends that did not begin');
        const expected = parseJson<{ rows: number }>(from, payload).rows;
        copy.end();
        await copyDone.catch((error: unknown) => {
          throw damaged(from, `the rows of ${table?.name ?? ''} could not be loaded: ${error instanceof Error ? error.message : String(error)}`);
        });
        if (copy.rowCount !== expected) throw damaged(from, `${table.name} has ${copy.rowCount} rows where ${expected} were written`);
        rows += copy.rowCount;
        loaded.add(table.name);
        table = undefined;
        copy = undefined;
        return;
      }
      case 'Z':
        if (table) throw damaged(from, `the table ${table.name} does not end`);
        ended = parseJson<{ tables: number; rows: number }>(from, payload);
        return;
      case 'H':
        throw damaged(from, 'a second header');
    }
  };

  // pipeline reports an error thrown by its last step as an AbortError of the steps before; keep the real one.
  let stopped: unknown;
  try {
    await pipeline(createReadStream(from), createGunzip(), async (source: AsyncIterable<Buffer>) => {
      try {
        for await (const chunk of source) for (const record of reader.push(chunk)) await handle(record.type, record.payload);
      } catch (error) {
        stopped ??= error;
        throw error;
      }
    }).catch((error: unknown) => {
      throw stopped ?? error;
    });
    if (!header) throw damaged(from, 'it ends before its header');
    if (!ended || reader.leftover > 0) throw damaged(from, table ? `it ends inside the table ${table.name}` : 'it ends before its last table');
    if (ended.tables !== loaded.size || ended.rows !== rows || loaded.size !== header.tables.length) throw damaged(from, 'its tables do not add up');
    for (const sequence of header.sequences) {
      await client.query(`select setval($1::regclass, $2, $3)`, [ident(sequence.name), sequence.value, sequence.isCalled]);
    }
    for (const key of foreignKeys) await client.query(`alter table ${key.table} add constraint ${ident(key.name)} ${key.definition}`);
    for (const { name } of header.tables) await client.query(`alter table ${ident(name)} enable trigger user`);
    // A backup from an older Ringa gets the newer migrations, as a start would give it.
    migrated = await migrateInTransaction(kysely);
    await client.query('commit');
    began = false;
  } catch (error) {
    copy?.destroy();
    if (began) await client.query('rollback').catch(() => {});
    if (error instanceof BackupError) throw error;
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('Z_')) throw damaged(from, (error as Error).message);
    throw error;
  } finally {
    await kysely.destroy();
  }
  // Fresh planner statistics: the claim keeps its plan, and a plan made over empty-looking tables would be slow.
  // Best effort: the data is in, and autovacuum analyzes later anyway.
  await client.query('analyze').catch(() => {});
  return { tables: loaded.size, rows, createdAt, migrated };
}
