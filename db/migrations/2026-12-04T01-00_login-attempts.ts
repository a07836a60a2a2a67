import { sql, type Kysely } from 'kysely';

// Frozen: sign-in limits kept in the database, so that every server process counts the same failures
// and a restart forgives nothing. Only keyed hashes of the account's email and of the client's
// address are stored, and only for as long as the limit's window.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen in time and must not know the app's schema
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table login_failure (
      key_hash text not null check (length(key_hash) = 64),
      at timestamptz not null
    );
    create index login_failure_by_key on login_failure (key_hash, at desc);
    create index login_failure_by_time on login_failure (at);

    -- A key refused now, and the one audit row that counts its refused attempts.
    create table login_block (
      key_hash text primary key check (length(key_hash) = 64),
      blocked_until timestamptz not null,
      audit_event_id bigint references audit_event (id) on delete set null
    );
  `.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table login_block, login_failure;`.execute(db);
}
