import { sql, type Kysely } from 'kysely';

// Frozen: new-member welcome campaigns. "Every new member is welcomed with a call within two weeks and
// invited to an activity within a month" (DOMAIN): a campaign that names the list column holding each
// person's join date is a welcome campaign, and its report measures each person against that date.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen in time and must not know the app's schema
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    alter table campaign add column welcome_attribute text
      check (welcome_attribute is null or length(welcome_attribute) between 1 and 200);
  `.execute(db);
}
