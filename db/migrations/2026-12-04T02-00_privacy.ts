import { sql, type Kysely } from 'kysely';

// Frozen: what the law asks of political opinions (GDPR Art. 9, 14, 15, 17), as columns.
//
// - Every list says where it came from and on what legal basis; lists imported before this are
//   "not recorded" (null) and shown so to their organizers.
// - An organisation's first-contact notice and retention rules: null inherits from the organisation
//   above (and at the top, Ringa's defaults); a campaign may have a notice of its own.
// - A call says whether the notice was given: null when none was due (not the person's first call).
// - A campaign knows when it finished, from which its calls' answers and notes are kept 12 months.
// - A purge runs once a day in whichever process gets there first; each day's run is one row.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen in time and must not know the app's schema
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    alter table target_list
      add column source_kind text check (source_kind in ('broker', 'members', 'signup', 'other')),
      add column source_name text not null default '' check (length(source_name) <= 200),
      add column source_date date,
      add column legal_basis text check (legal_basis in ('members', 'consent', 'legitimate-interest')),
      add constraint target_list_source_complete check ((source_kind is null) = (legal_basis is null));

    alter table organisation
      add column notice text check (length(notice) between 1 and 4000),
      add column answers_retention_months integer check (answers_retention_months between 1 and 60),
      add column people_retention_months integer check (people_retention_months between 1 and 120);

    alter table campaign
      add column notice text check (length(notice) between 1 and 4000),
      add column finished_at timestamptz;
    update campaign set finished_at = updated_at where status = 'finished';

    alter table call add column notice_given boolean;

    create table privacy_purge (
      day date primary key,
      started_at timestamptz not null,
      finished_at timestamptz,
      summary jsonb not null default '{}'::jsonb
    );
  `.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    drop table privacy_purge;
    alter table call drop column notice_given;
    alter table campaign drop column notice, drop column finished_at;
    alter table organisation drop column notice, drop column answers_retention_months, drop column people_retention_months;
    alter table target_list drop constraint target_list_source_complete, drop column source_kind, drop column source_name,
      drop column source_date, drop column legal_basis;
  `.execute(db);
}
