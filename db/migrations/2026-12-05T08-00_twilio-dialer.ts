import { sql, type Kysely } from 'kysely';

// Frozen: the dialer's Twilio side. Each organisation's Twilio account has a calls-per-second rate
// (Twilio's default is 1) and may cap concurrent calls; Ringa queues its own calls to them. The calls the
// dialer places are kept by line (no phone number), with their status rank so that a repeated, late or
// out-of-order callback changes nothing; a caller's conference is kept by Twilio's conference SID so that
// its join and end are told once.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen in time and must not know the app's schema
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    alter table telephony_settings
      add column calls_per_second integer not null default 1 check (calls_per_second between 1 and 100),
      add column max_concurrent_calls integer check (max_concurrent_calls between 1 and 10000);

    create table dialer_twilio_line (
      line_id text primary key,
      organisation_id uuid not null references organisation (id) on delete cascade,
      account_sid text not null,
      call_sid text unique,
      status text not null,
      status_rank integer not null,
      answered_at timestamptz,
      answered_by text,
      decision text,
      seat_id uuid,
      talk_seconds integer,
      created_at timestamptz not null,
      updated_at timestamptz not null
    );

    create table dialer_twilio_conference (
      conference_sid text primary key,
      seat_id uuid not null,
      joined_at timestamptz,
      ended_at timestamptz
    );
    create index dialer_twilio_conference_seat on dialer_twilio_conference (seat_id);
  `.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- as above
export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    drop table dialer_twilio_conference;
    drop table dialer_twilio_line;
    alter table telephony_settings drop column calls_per_second, drop column max_concurrent_calls;
  `.execute(db);
}
