import { sql, type Kysely } from 'kysely';

// Frozen: the dialer's state in PostgreSQL, so that another process takes a campaign over when the
// one pacing it stops (issue 15).
// - dialer_owner: which process paces a campaign's dialing, until when (renewed every second); an
//   expired row is anyone's to take.
// - dialer_seat: a caller who opened their line in a power or predictive campaign. What the caller
//   asks (wants: dial / pause; the saves and hang-ups they made, counted) is written by the process their
//   socket is on; state is the pacing process's (waiting, talking, wrapping, paused).
// - dialer_line: each call the dialer placed, by its lease (no number and no person: the lease leads
//   to them while it is held); what became of it, for the 24-hour abandonment figure (Ofcom's measure:
//   abandoned ÷ answered by a person) and for a process taking the campaign over.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen in time and must not know the app's schema
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table dialer_owner (
      campaign_id uuid primary key references campaign (id) on delete cascade,
      process_id uuid not null,
      expires_at timestamptz not null
    );

    create table dialer_seat (
      id uuid primary key,
      campaign_id uuid not null references campaign (id) on delete cascade,
      user_id uuid not null references app_user (id) on delete cascade,
      wants text not null default 'dial' check (wants in ('dial', 'pause')),
      -- The caller's own line is up (Twilio: their browser is in their conference; the simulated line always).
      line_up boolean not null default false,
      -- How many saves and hang-ups the caller has made: the pacing process acts on each new one.
      saves integer not null default 0,
      hangups integer not null default 0,
      state text not null default 'waiting' check (state in ('waiting', 'talking', 'wrapping', 'paused')),
      line_id uuid,
      since timestamptz not null,
      unique (campaign_id, user_id)
    );

    create table dialer_line (
      id uuid primary key,
      campaign_id uuid not null references campaign (id) on delete cascade,
      lease_id uuid not null,
      -- Who held the lease while it rang (the caller it was claimed for).
      caller_id uuid not null,
      attempt integer not null,
      provider text not null check (provider in ('twilio', 'simulated')),
      provider_call_id text,
      state text not null check (state in ('placing', 'ringing', 'answered', 'bridged', 'abandoned', 'machine', 'ended')),
      placed_at timestamptz not null,
      answered_at timestamptz,
      -- Detection said a person answered; and whether no caller was free for them.
      human boolean not null default false,
      abandoned boolean not null default false,
      seat_id uuid,
      outcome text,
      ended_at timestamptz
    );
    create index dialer_line_open on dialer_line (campaign_id) where state <> 'ended';
    create index dialer_line_answered on dialer_line (campaign_id, answered_at) where answered_at is not null;
    create index dialer_line_provider_call on dialer_line (provider_call_id);
  `.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table dialer_line; drop table dialer_seat; drop table dialer_owner;`.execute(db);
}
