import { sql, type Kysely } from 'kysely';

// Frozen: a Twilio account's limits held across server processes. Each process queues its own calls,
// but several processes may dial through one account: dialer_twilio_account keeps the account's next
// free start time, which each call reserves (moving it on by 1/calls-per-second) before it is created,
// so that together they start no more calls a second than the account allows. A line's started_at
// (when it took its start) lets any process count the account's live calls against its concurrent-call
// cap. Both are in PostgreSQL's clock, the one every process shares.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen in time and must not know the app's schema
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table dialer_twilio_account (
      account_sid text primary key,
      next_at timestamptz not null
    );

    alter table dialer_twilio_line add column started_at timestamptz;
    create index dialer_twilio_line_live on dialer_twilio_line (account_sid) where started_at is not null and status_rank < 3;
  `.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- as above
export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    drop index dialer_twilio_line_live;
    alter table dialer_twilio_line drop column started_at;
    drop table dialer_twilio_account;
  `.execute(db);
}
