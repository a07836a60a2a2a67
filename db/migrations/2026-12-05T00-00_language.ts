import { sql, type Kysely } from 'kysely';

// Frozen: a person's language is kept on their account, so that downloads and mails follow it on
// any device. Null until they choose one (the browser's language, then the organisation's, applies).
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen in time and must not know the app's schema
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    alter table app_user add column language text check (language in ('sv', 'da', 'nb', 'en'));
  `.execute(db);
}
