import { sql, type Insertable } from 'kysely';
import type { Database } from '../../../../db/database';
import type { DoNotCall } from '../../../../db/schema';

export function insertEntry(db: Database, entry: Insertable<DoNotCall>) {
  // Adding a number twice keeps the first entry (and its reason) and answers with it.
  return db
    .insertInto('doNotCall')
    .values(entry)
    .onConflict((oc) => oc.columns(['organisationId', 'phone']).doUpdateSet({ phone: (eb) => eb.ref('excluded.phone') }))
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function entriesPage(db: Database, organisationId: string, digits: string, limit: number, offset: number) {
  const base = db
    .selectFrom('doNotCall')
    .where('organisationId', '=', organisationId)
    .$if(digits !== '', (qb) => qb.where('phone', 'like', `%${digits}%`));
  const [rows, total] = await Promise.all([
    base.selectAll().orderBy('createdAt', 'desc').orderBy('id', 'desc').limit(limit).offset(offset).execute(),
    base.select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: total.count };
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
