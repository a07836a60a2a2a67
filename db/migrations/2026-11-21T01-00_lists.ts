import { sql, type Kysely } from 'kysely';

// Frozen: target lists, the people on them, the rows an import could not use, the do-not-call
// register and target groups.
//
// Erasure (GDPR): personal data lives in `person` (and the row problems that quote a list's cells);
// deleting a person removes it everywhere through the cascades, while statistics (later) count calls
// by campaign and organisation without needing the person. The do-not-call register keeps only the
// number and why, so that an objection outlives every list and every erasure.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen in time and must not know the app's schema
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table target_list (
      id uuid primary key default gen_random_uuid(),
      organisation_id uuid not null references organisation (id) on delete cascade,
      name text not null check (length(btrim(name)) between 1 and 200),
      country text not null check (country in ('SE', 'DK', 'NO', 'FI')),
      status text not null check (status in ('importing', 'ready', 'failed')),
      error text,
      file_name text,
      columns jsonb not null default '[]'::jsonb,
      rows integer not null default 0,
      imported integer not null default 0,
      invalid integer not null default 0,
      duplicates integer not null default 0,
      suppressed integer not null default 0,
      created_by uuid references app_user (id) on delete set null,
      created_at timestamptz not null,
      finished_at timestamptz
    );
    create index target_list_organisation on target_list (organisation_id, created_at desc);

    -- One person per number per organisation; a later list updates names and attributes.
    -- person and list_person are bulk-loaded a million rows at a time, where a row-level foreign key
    -- costs more than the load itself (17 s of a 1,000,000-row import, measured): their references
    -- are kept by the statement-level delete triggers below, and rows come only from the import's merge.
    create table person (
      id bigint generated always as identity primary key,
      organisation_id uuid not null,
      -- E.164 from the importer's normaliser; a regular expression here would cost a second a million rows.
      phone text not null check (left(phone, 1) = '+' and length(phone) between 8 and 16),
      phone_type text not null check (phone_type in ('mobile', 'fixed', 'unknown')),
      first_name text not null default '',
      last_name text not null default '',
      email text,
      attributes jsonb not null default '{}'::jsonb,
      created_at timestamptz not null,
      updated_at timestamptz not null,
      constraint person_phone_unique unique (organisation_id, phone)
    );

    create table list_person (
      list_id uuid not null,
      person_id bigint not null,
      row_number integer not null,
      primary key (list_id, person_id)
    );
    create index list_person_person on list_person (person_id);

    create function organisation_deleted_people() returns trigger language plpgsql as $$
    begin
      delete from person where organisation_id in (select id from deleted);
      return null;
    end $$;
    create trigger organisation_deleted_people after delete on organisation
      referencing old table as deleted for each statement execute function organisation_deleted_people();

    create function target_list_deleted_memberships() returns trigger language plpgsql as $$
    begin
      delete from list_person where list_id in (select id from deleted);
      return null;
    end $$;
    create trigger target_list_deleted_memberships after delete on target_list
      referencing old table as deleted for each statement execute function target_list_deleted_memberships();

    create function person_deleted_memberships() returns trigger language plpgsql as $$
    begin
      delete from list_person where person_id in (select id from deleted);
      return null;
    end $$;
    create trigger person_deleted_memberships after delete on person
      referencing old table as deleted for each statement execute function person_deleted_memberships();

    -- Every row an import did not use, for the list's error report.
    create table list_row_problem (
      list_id uuid not null references target_list (id) on delete cascade,
      row_number integer not null,
      kind text not null check (kind in ('invalid', 'duplicate', 'suppressed')),
      column_name text,
      raw_value text,
      reason text not null,
      primary key (list_id, row_number)
    );

    -- Applies to the organisation's whole subtree; outlives the lists the numbers came from.
    create table do_not_call (
      id bigint generated always as identity primary key,
      organisation_id uuid not null references organisation (id) on delete cascade,
      phone text not null check (phone ~ '^\\+[1-9][0-9]{6,14}$'),
      reason text not null default '',
      source text not null check (source in ('manual', 'file', 'call')),
      created_by uuid references app_user (id) on delete set null,
      created_at timestamptz not null,
      constraint do_not_call_unique unique (organisation_id, phone)
    );
    create index do_not_call_phone on do_not_call (phone);

    -- The people a campaign calls: lists, narrowed by attribute filters.
    create table target_group (
      id uuid primary key default gen_random_uuid(),
      organisation_id uuid not null references organisation (id) on delete cascade,
      name text not null check (length(btrim(name)) between 1 and 200),
      list_ids uuid[] not null check (cardinality(list_ids) >= 1),
      filters jsonb not null default '[]'::jsonb,
      created_by uuid references app_user (id) on delete set null,
      created_at timestamptz not null,
      updated_at timestamptz not null
    );
    create index target_group_organisation on target_group (organisation_id);
  `.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    drop trigger organisation_deleted_people on organisation;
    drop table target_group, do_not_call, list_row_problem, list_person, person, target_list;
    drop function organisation_deleted_people, target_list_deleted_memberships, person_deleted_memberships;
  `.execute(db);
}
