import { sql, type Kysely } from 'kysely';

// Frozen: why a list failed, as a stable code the web app translates (the English `error` text
// stays for the API and the CLI), and the row of the file a problem points at, when there is one.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen in time and must not know the app's schema
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    alter table target_list add column error_code text;
    alter table target_list add column error_row integer;
  `.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    alter table target_list drop column error_row;
    alter table target_list drop column error_code;
  `.execute(db);
}
