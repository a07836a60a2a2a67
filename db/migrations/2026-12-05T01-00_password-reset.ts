import { sql, type Kysely } from 'kysely';

// Frozen: one-time links to set a new password, mailed to the account's address or made by an
// organizer. Only a hash of the token is kept; a link is used once and ends at expires_at.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen in time and must not know the app's schema
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table password_reset (
      id uuid primary key default gen_random_uuid(),
      user_id uuid not null references app_user (id) on delete cascade,
      token_hash text not null unique,
      created_at timestamptz not null,
      expires_at timestamptz not null,
      used_at timestamptz
    );
    create index password_reset_user on password_reset (user_id) where used_at is null;
  `.execute(db);
}
