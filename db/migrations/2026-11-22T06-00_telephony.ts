import { sql, type Kysely } from 'kysely';

// Frozen: telephony. Each organisation may have its own Twilio account (secrets encrypted by the
// app, never stored in clear); callers get an opaque identity for Twilio that maps back to them; every
// call placed through Twilio or the simulated line keeps its latest status, ranked so that a late or
// repeated status never moves a call back. No phone number is stored here: the lease leads to it.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen in time and must not know the app's schema
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table telephony_settings (
      organisation_id uuid primary key references organisation (id) on delete cascade,
      account_sid text not null check (account_sid ~ '^AC[0-9a-f]{32}$'),
      api_key text not null check (api_key ~ '^SK[0-9a-f]{32}$'),
      twiml_app_sid text not null check (twiml_app_sid ~ '^AP[0-9a-f]{32}$'),
      caller_id text not null check (caller_id ~ '^\\+[1-9][0-9]{6,14}$'),
      auth_token_encrypted text not null,
      api_secret_encrypted text not null,
      updated_at timestamptz not null,
      updated_by uuid references app_user (id) on delete set null
    );
    create index telephony_settings_account on telephony_settings (account_sid);

    create table telephony_identity (
      identity text primary key,
      user_id uuid not null unique references app_user (id) on delete cascade
    );

    create table telephony_call (
      call_sid text primary key,
      provider text not null check (provider in ('twilio', 'simulated')),
      lease_id uuid not null,
      campaign_id uuid not null references campaign (id) on delete cascade,
      person_id bigint,
      caller_id uuid not null references app_user (id) on delete cascade,
      status text not null check (status in ('queued', 'ringing', 'in-progress', 'completed', 'busy', 'no-answer', 'failed', 'canceled')),
      status_rank smallint not null check (status_rank between 0 and 3),
      duration_seconds integer check (duration_seconds >= 0),
      started_at timestamptz not null,
      updated_at timestamptz not null
    );
    create index telephony_call_lease on telephony_call (lease_id);
  `.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    drop table telephony_call;
    drop table telephony_identity;
    drop table telephony_settings;
  `.execute(db);
}
