import { sql, type Kysely } from 'kysely';

// Frozen: a caller may skip a person without calling them ("Hoppa över"), saying why. The person goes
// back to the queue as a give-back does; the latest reason (a code, rendered in the reader's language,
// and the caller's own words for "other") stays with the campaign contact for its organizers.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen in time and must not know the app's schema
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    alter table campaign_contact
      add column skips integer not null default 0,
      add column skip_reason text check (skip_reason in ('knows-person', 'number-looks-wrong', 'earlier-note', 'other')),
      add column skip_note text not null default '' check (length(skip_note) <= 500),
      add column skipped_at timestamptz;
  `.execute(db);
}
