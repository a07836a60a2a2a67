import { sql, type Kysely } from 'kysely';

// Frozen: whether anyone has called under a script version decides if saving the script edits that
// version or makes the next one, so finding one call of a version must not read the campaign's calls.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen in time and must not know the app's schema
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create index call_version on call (version_id);
  `.execute(db);
}
