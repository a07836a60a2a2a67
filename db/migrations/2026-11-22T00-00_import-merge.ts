import { sql, type Kysely } from 'kysely';

// Frozen: three changes for the import's merge, measured with npm run bench:import.
// - A membership no longer keeps the file's row number. Nothing read it, and without it the merge
//   takes the new people's ids straight from its INSERT … RETURNING instead of joining a million
//   staged rows back to person (about 2 s of a 1,000,000-row import). The rows an import did not use
//   keep theirs in list_row_problem, for the error report.
// - Memberships are found by list (the primary key) and by list and person together; the index on
//   person alone goes. It cost about 0.9 s of every million memberships written, and what used it
//   (erasing a person, deleting a list) runs once per request as one set-based statement that can
//   scan list_person instead.
// - Phone numbers compare byte by byte (collation "C") rather than through the C.UTF-8 locale: E.164
//   is ASCII digits, where both orders agree, and sorting a million of them need not ask the locale.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen in time and must not know the app's schema
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    alter table list_person drop column row_number;
    drop index list_person_person;
    alter table person alter column phone type text collate "C";
    alter table do_not_call alter column phone type text collate "C";
  `.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    alter table do_not_call alter column phone type text collate "default";
    alter table person alter column phone type text collate "default";
    create index list_person_person on list_person (person_id);
    alter table list_person add column row_number integer not null default 0;
    alter table list_person alter column row_number drop default;
  `.execute(db);
}
