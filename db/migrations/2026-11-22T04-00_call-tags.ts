import { sql, type Kysely } from 'kysely';

// Frozen: what a call counts for (recruit, volunteer, event, supporter), from its outcome and answers
// under the script version it was made under, kept on the call so that figures are one count.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen in time and must not know the app's schema
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table call add column tags text[] not null default '{}'`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table call drop column tags`.execute(db);
}
