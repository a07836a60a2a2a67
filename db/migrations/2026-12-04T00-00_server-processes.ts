import { sql, type Kysely } from 'kysely';

// Frozen: which server process holds which caller. Each process beats (seen_at) every few seconds and
// records the callers whose sockets it holds per campaign; when a process stops beating (killed, out
// of memory, power lost), any live process gives that process's callers' people the grace period
// from its last beat, as a live process does when a caller's socket goes away.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen in time and must not know the app's schema
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table server_process (
      id uuid primary key,
      started_at timestamptz not null,
      seen_at timestamptz not null
    );

    create table caller_presence (
      process_id uuid not null,
      user_id uuid not null references app_user (id) on delete cascade,
      campaign_id uuid not null references campaign (id) on delete cascade,
      primary key (process_id, user_id, campaign_id)
    );
    create index caller_presence_caller on caller_presence (user_id, campaign_id);
  `.execute(db);
}
