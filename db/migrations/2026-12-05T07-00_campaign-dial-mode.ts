import { sql, type Kysely } from 'kysely';

// Frozen: how a campaign's calls are dialled. 'preview': the caller asks for the next person and dials;
// 'power': the server rings lines_per_caller numbers for each free caller; 'predictive': the server paces
// the lines for the whole group. The server can dial only on a line it places calls on (twilio, simulated):
// the service keeps power and predictive off 'own-phone', and this check keeps the pair consistent.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen in time and must not know the app's schema
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    alter table campaign
      add column dial_mode text not null default 'preview' check (dial_mode in ('preview', 'power', 'predictive')),
      add column lines_per_caller smallint not null default 2 check (lines_per_caller between 1 and 3),
      add constraint campaign_dial_mode_line check (dial_mode = 'preview' or dialing <> 'own-phone');
  `.execute(db);
}
