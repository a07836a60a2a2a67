import { sql, type Kysely } from 'kysely';

// Frozen: erasure (GDPR Art. 17) and the retention purge.
//
// - A person deleted (erased, or their retention ran out) leaves nothing of them in their calls: besides
//   answers and notes, the note of a flag and the agreed callback time go, and the phone line's records
//   forget whom they were for. The calls stay, tied to no one, so that every figure stays the same.
// - A lease held on an erased person is remembered without the person (lease, campaign, caller, when), so
//   that a save sent later under it (a caller's outbox) is counted in the figures and keeps nothing.
// - A number kept on the do-not-call register at an erasure says only that: source 'erasure', no reason,
//   no one who added it.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen in time and must not know the app's schema
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create or replace function person_deleted_memberships() returns trigger language plpgsql as $$
    begin
      delete from list_person where person_id in (select id from deleted);
      delete from campaign_contact where person_id in (select id from deleted);
      update call set person_id = null, notes = '', note_for_next = '', answers = '{}'::jsonb, flag_note = '', callback_at = null
        where person_id in (select id from deleted);
      update telephony_call set person_id = null where person_id in (select id from deleted);
      return null;
    end $$;

    create table erased_lease (
      lease_id uuid primary key,
      campaign_id uuid not null references campaign (id) on delete cascade,
      organisation_id uuid not null references organisation (id) on delete cascade,
      caller_id uuid not null references app_user (id) on delete cascade,
      erased_at timestamptz not null
    );
    create index erased_lease_erased_at on erased_lease (erased_at);

    alter table do_not_call drop constraint do_not_call_source_check;
    alter table do_not_call add constraint do_not_call_source_check check (source in ('manual', 'file', 'call', 'erasure'));
  `.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    delete from do_not_call where source = 'erasure';
    alter table do_not_call drop constraint do_not_call_source_check;
    alter table do_not_call add constraint do_not_call_source_check check (source in ('manual', 'file', 'call'));
    drop table erased_lease;
    create or replace function person_deleted_memberships() returns trigger language plpgsql as $$
    begin
      delete from list_person where person_id in (select id from deleted);
      delete from campaign_contact where person_id in (select id from deleted);
      update call set person_id = null, notes = '', note_for_next = '', answers = '{}'::jsonb
        where person_id in (select id from deleted);
      return null;
    end $$;
  `.execute(db);
}
