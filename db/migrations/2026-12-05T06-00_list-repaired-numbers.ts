import { sql, type Kysely } from 'kysely';

// Frozen: how many of a list's rows had a number Excel stored without its leading zero, repaired at
// import (a Swedish 7xxxxxxxx as +467xxxxxxxx). Counted apart from the problems, which these rows are not.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen in time and must not know the app's schema
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    alter table target_list add column repaired integer not null default 0 check (repaired >= 0);
  `.execute(db);
}
