import type { Writable } from 'node:stream';
import { sql, type Insertable, type Updateable } from 'kysely';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Database } from '../../../../db/database';
import type { TargetList } from '../../../../db/schema';
import type { ListFileErrorCode } from './table-reader';

// The import runs on one raw client in one transaction: a temporary staging table filled by COPY,
// then one set-based merge. Nothing of a list's people is visible until it commits.

export interface ImportCounts {
  rows: number;
  imported: number;
  invalid: number;
  duplicates: number;
  suppressed: number;
}

export async function insertList(db: Database, list: Insertable<TargetList>) {
  return db.insertInto('targetList').values(list).returning('id').executeTakeFirstOrThrow();
}

export async function createStaging(client: pg.PoolClient): Promise<void> {
  await client.query(`
    create temp table import_staging (
      row_number integer not null,
      kind text not null,
      phone text collate "C",
      phone_type text,
      first_name text,
      last_name text,
      email text,
      attributes jsonb,
      column_name text,
      raw_value text,
      reason jsonb
    ) on commit drop`);
}

/** A writable stream of COPY text-format lines into the staging table. */
export function copyIntoStaging(client: pg.PoolClient): Writable {
  return client.query(
    copyFrom(
      'copy import_staging (row_number, kind, phone, phone_type, first_name, last_name, email, attributes, column_name, raw_value, reason) from stdin',
    ),
  );
}

/**
 * The set-based merge. Staging holds every row: 'valid' ones (each number once, its first
 * occurrence in the file), 'invalid' and 'duplicate' ones. Numbers on the do-not-call register of
 * the organisation or any organisation above it are suppressed; the others update or create one
 * person per number per organisation and join the list.
 */
export async function mergeStaging(
  connection: pg.PoolClient,
  listId: string,
  organisationId: string,
  now: Date,
): Promise<{ counts: ImportCounts; timings: Record<string, number> }> {
  // Each step's time, for the benchmark to print: the merge is where a million rows spend most of theirs.
  const timings: Record<string, number> = {};
  const client = {
    query: async <R extends pg.QueryResultRow>(text: string, values?: unknown[]) => {
      const started = performance.now();
      const result = await connection.query<R>(text, values);
      const step = text.trim().split('\n')[0]?.slice(0, 40) ?? text;
      timings[step] = Math.round(performance.now() - started);
      return result;
    },
  };
  // One merge per organisation at a time, so that update-then-insert needs no ON CONFLICT (which costs a third more).
  await client.query(`select pg_advisory_xact_lock(hashtextextended('ringa:person:' || $1, 0))`, [organisationId]);
  // A million-row hash join fits in memory instead of spilling to disk in batches.
  await client.query(`set local work_mem = '256MB'`);
  // Temporary tables get no statistics unless asked; without them the planner picks nested loops over a million rows.
  await client.query('analyze import_staging (kind, phone)');
  await client.query(
    `
    create temp table import_suppressed on commit drop as
      select s.phone from import_staging s
      where s.kind = 'valid' and s.phone in (
        select d.phone from do_not_call d
        join organisation_closure c on c.ancestor_id = d.organisation_id
        where c.descendant_id = $1
      )`,
    [organisationId],
  );
  await client.query('analyze import_suppressed');
  await client.query(
    `
    insert into list_row_problem (list_id, row_number, kind, column_name, raw_value, reason)
      select $1::uuid, row_number, kind, column_name, raw_value, reason
      from import_staging where kind <> 'valid'
    union all
      select $1::uuid, s.row_number, 'suppressed', s.column_name, s.raw_value, jsonb_build_object('code', 'suppressed', 'number', s.phone)
      from import_staging s join import_suppressed x on x.phone = s.phone
      where s.kind = 'valid'`,
    [listId],
  );
  await client.query(`delete from import_staging s using import_suppressed x where s.kind = 'valid' and s.phone = x.phone`);
  await client.query(
    `
    update person p set
      phone_type = s.phone_type,
      first_name = coalesce(s.first_name, ''),
      last_name = coalesce(s.last_name, ''),
      email = coalesce(s.email, p.email),
      attributes = p.attributes || coalesce(s.attributes, '{}'::jsonb),
      updated_at = $2::timestamptz
    from import_staging s
    where s.kind = 'valid' and p.organisation_id = $1::uuid and p.phone = s.phone`,
    [organisationId, now],
  );
  // People already in the organisation join the list first; the new ones below take their ids
  // from the insert itself, with no join of a million staged rows back to person.
  await client.query(
    `
    insert into list_person (list_id, person_id)
    select $1::uuid, p.id
    from import_staging s join person p on p.organisation_id = $2::uuid and p.phone = s.phone
    where s.kind = 'valid'`,
    [listId, organisationId],
  );
  await client.query(
    `
    with inserted as (
      insert into person (organisation_id, phone, phone_type, first_name, last_name, email, attributes, created_at, updated_at)
      select $1::uuid, s.phone, s.phone_type, coalesce(s.first_name, ''), coalesce(s.last_name, ''), s.email, coalesce(s.attributes, '{}'::jsonb), $2::timestamptz, $2::timestamptz
      from import_staging s
      where s.kind = 'valid' and not exists (select 1 from person p where p.organisation_id = $1::uuid and p.phone = s.phone)
      -- The (organisation, phone) index then grows at its end.
      order by s.phone
      returning id
    )
    insert into list_person (list_id, person_id) select $3::uuid, id from inserted`,
    [organisationId, now, listId],
  );
  const { rows } = await client.query<Omit<ImportCounts, 'suppressed'>>(`
    select
      count(*)::int + (select count(*) from import_suppressed)::int as rows,
      (count(*) filter (where kind = 'valid'))::int as imported,
      (count(*) filter (where kind = 'invalid'))::int as invalid,
      (count(*) filter (where kind = 'duplicate'))::int as duplicates
    from import_staging`);
  const { rows: suppressedRows } = await client.query<{ suppressed: number }>('select count(*)::int as suppressed from import_suppressed');
  const counts = { ...rows[0], suppressed: suppressedRows[0]?.suppressed ?? 0 } as ImportCounts;
  await client.query(
    `update target_list set status = 'ready', rows = $2, imported = $3, invalid = $4, duplicates = $5, suppressed = $6, finished_at = $7 where id = $1`,
    [listId, counts.rows, counts.imported, counts.invalid, counts.duplicates, counts.suppressed, now],
  );
  return { counts, timings };
}

/** How many rows' numbers the import repaired (Excel had dropped their leading zero), in the import's transaction. */
export async function setRepaired(client: pg.PoolClient, listId: string, repaired: number): Promise<void> {
  await client.query('update target_list set repaired = $2 where id = $1', [listId, repaired]);
}

/**
 * Why a list failed, as a stable code for programs and translations: a file problem found mid-import
 * (broken_quoting …), or 'interrupted', 'cancelled', 'server_stopped', 'internal'.
 */
export type ListFailureCode = ListFileErrorCode | 'interrupted' | 'cancelled' | 'server_stopped' | 'internal';

export interface ListFailure {
  code: ListFailureCode;
  /** In English, for the API and the CLI. */
  message: string;
  /** The row of the file the problem points at, when there is one. */
  row?: number | undefined;
}

export async function markListFailed(db: Database, listId: string, failure: ListFailure, at: Date): Promise<void> {
  await db
    .updateTable('targetList')
    .set({ status: 'failed', error: failure.message, errorCode: failure.code, errorRow: failure.row ?? null, finishedAt: at })
    .where('id', '=', listId)
    .execute();
}

/** Imports that were running when the process stopped can never finish: their transaction is gone. */
export async function failInterruptedImports(db: Database, at: Date): Promise<number> {
  const result = await db
    .updateTable('targetList')
    .set({
      status: 'failed',
      error: 'The import was interrupted (the server stopped). Nothing of it was kept; import the file again.',
      errorCode: 'interrupted' satisfies ListFailureCode,
      errorRow: null,
      finishedAt: at,
    })
    .where('status', '=', 'importing')
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

// The day a list was bought as the text it was given: a JS Date would shift it with the process's time zone.
const sourceDay = sql<string | null>`to_char(source_date, 'YYYY-MM-DD')`.as('sourceDay');

export function findList(db: Database, listId: string) {
  return db.selectFrom('targetList').selectAll().select(sourceDay).where('id', '=', listId).executeTakeFirst();
}

export function listsOf(db: Database, organisationId: string) {
  return db.selectFrom('targetList').selectAll().select(sourceDay).where('organisationId', '=', organisationId).orderBy('createdAt', 'desc').execute();
}

export async function setListSource(
  db: Database,
  listId: string,
  source: Pick<Updateable<TargetList>, 'sourceKind' | 'sourceName' | 'sourceDate' | 'legalBasis'>,
): Promise<void> {
  await db.updateTable('targetList').set(source).where('id', '=', listId).execute();
}

/** A list's problem rows in row order, a page at a time, so a report of a million rows stays small in memory. */
export async function* problemsOf(db: Database, listId: string, pageSize = 5000) {
  let after = 0;
  for (;;) {
    const page = await db
      .selectFrom('listRowProblem')
      .selectAll()
      .where('listId', '=', listId)
      .where('rowNumber', '>', after)
      .orderBy('rowNumber')
      .limit(pageSize)
      .execute();
    yield* page;
    const last = page.at(-1);
    if (!last || page.length < pageSize) return;
    after = last.rowNumber;
  }
}

/** Deletes a list; its people go unless another list holds them. The do-not-call register stays. */
export async function deleteList(db: Database, listId: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const people = trx.selectFrom('listPerson').select('personId').where('listId', '=', listId);
    await trx
      .deleteFrom('person')
      .where('id', 'in', people)
      .where((eb) =>
        eb.not(
          eb.exists(
            eb.selectFrom('listPerson as other').select('other.personId').whereRef('other.personId', '=', 'person.id').where('other.listId', '<>', listId),
          ),
        ),
      )
      .execute();
    await trx.deleteFrom('targetList').where('id', '=', listId).execute();
  });
}

/** A person as erasure finds them (locked until the erasure commits). */
export function lockPerson(db: Database, personId: number, lock = true) {
  return db
    .selectFrom('person')
    .select(['id', 'organisationId', 'phone', 'firstName', 'lastName'])
    .where('id', '=', personId)
    .$if(lock, (qb) => qb.forUpdate())
    .executeTakeFirst();
}

export function personByPhone(db: Database, organisationId: string, phone: string) {
  return db.selectFrom('person').select(['id', 'organisationId']).where('organisationId', '=', organisationId).where('phone', '=', phone).executeTakeFirst();
}

/**
 * Deletes the rows of the organisation's lists' problem reports that quote one of these people: their
 * number in any form it is written (only its digits compared, with or without country code or trunk
 * zero), their number in the reason, or their full name. Returns how many went.
 */
export async function deleteProblemRowsQuoting(
  db: Database,
  organisationId: string,
  quoted: { digitForms: string[]; e164: string[]; fullNames: string[] },
): Promise<number> {
  const result = await sql`
    delete from list_row_problem p using target_list l
    where l.id = p.list_id and l.organisation_id = ${organisationId} and (
      regexp_replace(coalesce(p.raw_value, ''), '[^0-9]', '', 'g') = any(${quoted.digitForms}::text[])
      or exists (select 1 from unnest(${quoted.e164}::text[]) e where strpos(p.reason::text, e) > 0)
      or exists (select 1 from unnest(${quoted.fullNames}::text[]) n where n <> '' and strpos(lower(coalesce(p.raw_value, '')), lower(n)) > 0)
    )`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}

/** Deletes people; the database's trigger takes them out of lists, queues, calls and the phone line's records. */
export async function deletePeople(db: Database, personIds: number[]): Promise<number> {
  if (personIds.length === 0) return 0;
  const result = await db.deleteFrom('person').where('id', 'in', personIds).executeTakeFirst();
  return Number(result.numDeletedRows);
}
