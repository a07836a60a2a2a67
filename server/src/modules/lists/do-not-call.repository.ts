import { sql, type Insertable } from 'kysely';
import type { Database } from '../../../../db/database';
import type { DoNotCall } from '../../../../db/schema';

/**
 * True when the number of the row `alias` (with columns phone and organisation_id) is on the
 * do-not-call register of its organisation or of any organisation above it: the one rule, wherever
 * a query must leave such numbers out.
 */
export const onRegister = (alias: string) => sql<boolean>`exists (
  select 1 from do_not_call d join organisation_closure oc on oc.ancestor_id = d.organisation_id
  where oc.descendant_id = ${sql.ref(`${alias}.organisation_id`)} and d.phone = ${sql.ref(`${alias}.phone`)})`;

export function insertEntry(db: Database, entry: Insertable<DoNotCall>) {
  // Adding a number twice keeps the first entry (and its reason) and answers with it.
  return db
    .insertInto('doNotCall')
    .values(entry)
    .onConflict((oc) => oc.columns(['organisationId', 'phone']).doUpdateSet({ phone: (eb) => eb.ref('excluded.phone') }))
    .returningAll()
    .executeTakeFirstOrThrow();
}

/**
 * An organisation's entries and, with `inherited`, those of every organisation above it (a register
 * binds the whole subtree). Own entries first, then the nearest ancestor's, each newest first.
 */
export async function entriesPage(
  db: Database,
  organisationId: string,
  options: { digits: string; inherited: boolean; limit: number; offset: number },
) {
  const { digits, limit, offset } = options;
  const base = db
    .selectFrom('doNotCall')
    .innerJoin('organisationClosure', 'organisationClosure.ancestorId', 'doNotCall.organisationId')
    .where('organisationClosure.descendantId', '=', organisationId)
    .$if(!options.inherited, (qb) => qb.where('organisationClosure.depth', '=', 0))
    .$if(digits !== '', (qb) => qb.where('doNotCall.phone', 'like', `%${digits}%`));
  const [rows, totals] = await Promise.all([
    base
      .innerJoin('organisation', 'organisation.id', 'doNotCall.organisationId')
      .selectAll('doNotCall')
      .select(['organisation.name as organisationName', 'organisationClosure.depth'])
      .orderBy('organisationClosure.depth')
      .orderBy('doNotCall.createdAt', 'desc')
      .orderBy('doNotCall.id', 'desc')
      .limit(limit)
      .offset(offset)
      .execute(),
    base
      .select((eb) => [
        eb.fn.countAll<string>().as('total'),
        eb.fn.countAll<string>().filterWhere('organisationClosure.depth', '>', 0).as('inherited'),
      ])
      .executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(totals.total), inherited: Number(totals.inherited) };
}

export async function deleteEntry(db: Database, organisationId: string, entryId: number): Promise<boolean> {
  const result = await db.deleteFrom('doNotCall').where('id', '=', entryId).where('organisationId', '=', organisationId).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** Adds numbers not already on the organisation's register, in one transaction; returns how many were new. */
export async function insertMany(
  db: Database,
  organisationId: string,
  phones: string[],
  source: 'file' | 'call',
  createdBy: string | null,
  at: Date,
): Promise<number> {
  return db.transaction().execute(async (trx) => {
    let added = 0;
    for (let start = 0; start < phones.length; start += 5000) {
      const chunk = phones.slice(start, start + 5000);
      const result = await sql<{ count: number }>`
        with added as (
          insert into do_not_call (organisation_id, phone, reason, source, created_by, created_at)
          select ${organisationId}::uuid, phone, '', ${source}, ${createdBy}::uuid, ${at}::timestamptz from unnest(${chunk}::text[]) as phone
          on conflict (organisation_id, phone) do nothing
          returning 1
        ) select count(*)::int as count from added`.execute(trx);
      added += result.rows[0]?.count ?? 0;
    }
    return added;
  });
}

/**
 * An erased person's number stays on the registers that bind their organisation (its own and those above)
 * saying only that it is kept at an erasure request: no reason, no one who added it. With `add`, it is
 * put on the organisation's own register when no entry binds it yet. Returns whether it is on one now.
 */
export async function keepErasedNumber(db: Database, organisationId: string, phone: string, add: boolean, at: Date): Promise<boolean> {
  const { rows } = await sql<{ id: number }>`
    update do_not_call d set source = 'erasure', reason = '', created_by = null
    from organisation_closure oc
    where oc.descendant_id = ${organisationId} and oc.ancestor_id = d.organisation_id and d.phone = ${phone}
    returning d.id`.execute(db);
  if (rows.length > 0) return true;
  if (!add) return false;
  await db.insertInto('doNotCall').values({ organisationId, phone, reason: '', source: 'erasure', createdBy: null, createdAt: at }).execute();
  return true;
}
