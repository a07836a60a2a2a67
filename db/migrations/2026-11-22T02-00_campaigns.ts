import { sql, type Kysely } from 'kysely';

// Frozen: campaigns, their versioned scripts and questions, the calling queue and the calls.
//
// The queue (campaign_contact) is the engine's one hot table: a row per person per campaign, claimed
// with FOR UPDATE SKIP LOCKED through partial indexes that hold only the rows a claim can take, so
// that claims stay fast as a campaign drains (finished rows are in no claim index). A claim is a
// lease: lease_id is the assignment's id and fences completions from a caller who lost it.
//
// Calls keep the person's id for the organizer, but statistics (later) count them by campaign,
// organisation and caller: erasing a person (GDPR) nulls call.person_id and leaves the counts.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen in time and must not know the app's schema
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table campaign (
      id uuid primary key default gen_random_uuid(),
      organisation_id uuid not null references organisation (id) on delete cascade,
      name text not null check (length(btrim(name)) between 1 and 200),
      briefing text not null default '' check (length(briefing) <= 20000),
      starts_at timestamptz,
      ends_at timestamptz check (ends_at is null or starts_at is null or ends_at > starts_at),
      -- { mon: [["09:00","20:00"]], … } in the organisation's time zone; empty days have no calling.
      calling_window jsonb not null,
      dialing text not null default 'own-phone' check (dialing in ('own-phone', 'twilio', 'simulated')),
      status text not null default 'draft' check (status in ('draft', 'active', 'paused', 'finished')),
      max_attempts smallint not null default 3 check (max_attempts between 1 and 20),
      -- Minimum hours before trying again, per outcome code.
      retry_hours jsonb not null default '{"no-answer": 4, "busy": 4, "voicemail": 4}'::jsonb,
      -- The attributes callers see; the rest stay with the organizer.
      shown_attributes text[] not null default '{}',
      goals jsonb not null default '[]'::jsonb,
      created_by uuid references app_user (id) on delete set null,
      created_at timestamptz not null,
      updated_at timestamptz not null
    );
    create index campaign_organisation on campaign (organisation_id, created_at desc);

    create table campaign_target_group (
      campaign_id uuid not null references campaign (id) on delete cascade,
      target_group_id uuid not null references target_group (id) on delete restrict,
      primary key (campaign_id, target_group_id)
    );
    create index campaign_target_group_group on campaign_target_group (target_group_id);

    -- Script, questions and outcomes change together; every call keeps the version it was made under.
    create table campaign_version (
      id bigint generated always as identity primary key,
      campaign_id uuid not null references campaign (id) on delete cascade,
      version integer not null,
      script text not null default '' check (length(script) <= 50000),
      questions jsonb not null default '[]'::jsonb,
      outcomes jsonb not null,
      created_by uuid references app_user (id) on delete set null,
      created_at timestamptz not null,
      unique (campaign_id, version)
    );

    create table campaign_contact (
      campaign_id uuid not null references campaign (id) on delete cascade,
      person_id bigint not null,
      -- The person's number and organisation, copied so that a claim checks the do-not-call register
      -- and the numbers other callers hold without a join.
      phone text collate "C" not null,
      organisation_id uuid not null,
      state text not null default 'queued' check (state in ('queued', 'held', 'done')),
      -- 0: a callback, 1: never called, 2: a retry.
      priority smallint not null default 1 check (priority between 0 and 2),
      -- When the contact may be claimed by anyone (a callback: 15 minutes after its time).
      due_at timestamptz not null default '-infinity',
      attempts smallint not null default 0,
      callback_at timestamptz,
      callback_caller_id uuid,
      held_by uuid,
      lease_id uuid,
      lease_expires_at timestamptz,
      last_outcome text,
      last_call_at timestamptz,
      done_reason text,
      primary key (campaign_id, person_id),
      check ((state = 'held') = (lease_id is not null and held_by is not null and lease_expires_at is not null))
    );
    -- The claim: the next queued contact of a campaign in priority order, due first.
    create index campaign_contact_claim on campaign_contact (campaign_id, priority, due_at) where state = 'queued';
    -- A caller's own callbacks, offered to them from their time.
    create index campaign_contact_callback on campaign_contact (campaign_id, callback_caller_id, callback_at) where state = 'queued' and priority = 0;
    -- One caller at a time per number, in every campaign.
    create unique index campaign_contact_held_phone on campaign_contact (phone) where state = 'held';
    create unique index campaign_contact_lease on campaign_contact (lease_id) where state = 'held';
    create index campaign_contact_expiry on campaign_contact (lease_expires_at) where state = 'held';
    -- Queued contacts by number, for a do-not-call entry to take them out at once.
    create index campaign_contact_phone on campaign_contact (phone) where state <> 'done';
    create index campaign_contact_person on campaign_contact (person_id);

    create table call (
      id uuid primary key default gen_random_uuid(),
      campaign_id uuid not null references campaign (id) on delete cascade,
      organisation_id uuid not null,
      person_id bigint,
      caller_id uuid references app_user (id) on delete set null,
      version_id bigint not null references campaign_version (id),
      -- The client's idempotency key: the same key from the same caller saves nothing new.
      idempotency_key text not null check (length(idempotency_key) between 8 and 100),
      lease_id uuid not null,
      outcome text not null,
      answers jsonb not null default '{}'::jsonb,
      notes text not null default '' check (length(notes) <= 5000),
      note_for_next text not null default '' check (length(note_for_next) <= 1000),
      flagged boolean not null default false,
      flag_note text not null default '' check (length(flag_note) <= 1000),
      flag_resolved_at timestamptz,
      callback_at timestamptz,
      created_at timestamptz not null,
      corrected_at timestamptz,
      unique (caller_id, idempotency_key)
    );
    create index call_campaign on call (campaign_id, created_at);
    create index call_person on call (person_id, created_at) where person_id is not null;
    create index call_flagged on call (campaign_id) where flagged and flag_resolved_at is null;

    -- A person erased: their place in every queue goes, their calls stay for the counts without them.
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

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    create or replace function person_deleted_memberships() returns trigger language plpgsql as $$
    begin
      delete from list_person where person_id in (select id from deleted);
      return null;
    end $$;
    drop table call, campaign_contact, campaign_version, campaign_target_group, campaign;
  `.execute(db);
}
