import { sql, type Expression, type Insertable, type SqlBool, type Updateable } from 'kysely';
import type { Static } from 'typebox';
import type { Database } from '../../../../db/database';
import { onDoNotCallRegister } from '../lists/lists.service';
import type { TargetGroup } from '../../../../db/schema';
import type { Filter } from './target-groups.schemas';

type FilterValue = Static<typeof Filter>;

/** One filter as SQL over person.attributes; values are always bound parameters. */
function condition(filter: FilterValue): Expression<SqlBool> {
  const value = sql<string>`btrim(person.attributes ->> ${filter.attribute})`;
  switch (filter.op) {
    case 'equals':
      return sql<SqlBool>`lower(${value}) = lower(btrim(${filter.value}))`;
    case 'oneOf':
      return sql<SqlBool>`lower(${value}) = any(${filter.values.map((v) => v.trim().toLowerCase())}::text[])`;
    case 'prefix':
      // "Postnr 602" matches "602 34" and "60234": spaces do not count.
      return sql<SqlBool>`replace(${value}, ' ', '') like ${`${filter.value.replace(/\s/g, '').replace(/[\\%_]/g, (c) => `\\${c}`)}%`}`;
    case 'range': {
      const number = sql`(case when ${value} ~ '^-?[0-9]+([.,][0-9]+)?$' then replace(${value}, ',', '.')::numeric end)`;
      const parts = [sql`${number} is not null`];
      if (filter.min !== undefined) parts.push(sql`${number} >= ${filter.min}`);
      if (filter.max !== undefined) parts.push(sql`${number} <= ${filter.max}`);
      return sql<SqlBool>`(${sql.join(parts, sql` and `)})`;
    }
  }
}

/** People on any of the lists who pass every filter, and how many of them are on the do-not-call register. */
export async function countGroup(db: Database, listIds: string[], filters: FilterValue[]): Promise<{ size: number; doNotCall: number }> {
  const row = await db
    .selectFrom('person')
    .where((eb) => eb.exists(eb.selectFrom('listPerson').select('listPerson.personId').whereRef('listPerson.personId', '=', 'person.id').where('listPerson.listId', 'in', listIds)))
    .where((eb) => eb.and(filters.map(condition)))
    .select((eb) => [
      eb.fn.countAll<number>().as('size'),
      sql<number>`count(*) filter (where ${onDoNotCallRegister('person')})::int`.as('doNotCall'),
    ])
    .executeTakeFirstOrThrow();
  return { size: Number(row.size), doNotCall: row.doNotCall };
}

/** The ids of the people on any of the lists who pass every filter, as a query to build on. */
export function memberIds(db: Database, listIds: string[], filters: FilterValue[]) {
  return db
    .selectFrom('person')
    .where((eb) => eb.exists(eb.selectFrom('listPerson').select('listPerson.personId').whereRef('listPerson.personId', '=', 'person.id').where('listPerson.listId', 'in', listIds)))
    .where((eb) => eb.and(filters.map(condition)))
    .select('person.id');
}

export async function attributeSummary(db: Database, listIds: string[]) {
  const { rows } = await sql<{ name: string; value: string; count: number; numeric: boolean }>`
    with kv as (
      select a.key as name, btrim(a.value) as value
      from person p
      cross join lateral jsonb_each_text(p.attributes) a
      -- exists, not a join: a person on two of the lists is one person, counted once (as countGroup does).
      where exists (select 1 from list_person lp where lp.person_id = p.id and lp.list_id = any(${listIds}::uuid[]))
        and btrim(a.value) <> ''
    ),
    counted as (
      select name, value, count(*)::int as count,
             row_number() over (partition by name order by count(*) desc, value) as rank
      from kv group by name, value
    ),
    numeric as (
      select name, bool_and(value ~ '^-?[0-9]+([.,][0-9]+)?$') as numeric from kv group by name
    )
    select c.name, c.value, c.count, n.numeric from counted c join numeric n using (name)
    where c.rank <= 20 order by c.name, c.rank`.execute(db);
  const byName = new Map<string, { name: string; values: { value: string; count: number }[]; numeric: boolean }>();
  for (const row of rows) {
    const entry = byName.get(row.name) ?? { name: row.name, values: [], numeric: row.numeric };
    entry.values.push({ value: row.value, count: row.count });
    byName.set(row.name, entry);
  }
  return [...byName.values()];
}

/** The lists among these ids that belong to the organisation or beneath it. */
export async function listsWithin(db: Database, organisationId: string, listIds: string[]): Promise<string[]> {
  const rows = await db
    .selectFrom('targetList')
    .innerJoin('organisationClosure', 'organisationClosure.descendantId', 'targetList.organisationId')
    .select('targetList.id')
    .where('organisationClosure.ancestorId', '=', organisationId)
    .where('targetList.id', 'in', listIds)
    .where('targetList.status', '=', 'ready')
    .execute();
  return rows.map((row) => row.id);
}

export function insertGroup(db: Database, group: Insertable<TargetGroup>) {
  return db.insertInto('targetGroup').values(group).returningAll().executeTakeFirstOrThrow();
}

export function updateGroup(db: Database, id: string, changes: Updateable<TargetGroup>) {
  return db.updateTable('targetGroup').set(changes).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

export async function deleteGroup(db: Database, id: string): Promise<void> {
  await db.deleteFrom('targetGroup').where('id', '=', id).execute();
}

export function findGroup(db: Database, id: string) {
  return db.selectFrom('targetGroup').selectAll().where('id', '=', id).executeTakeFirst();
}

export function groupsOf(db: Database, organisationId: string) {
  return db.selectFrom('targetGroup').selectAll().where('organisationId', '=', organisationId).orderBy('createdAt', 'desc').execute();
}
