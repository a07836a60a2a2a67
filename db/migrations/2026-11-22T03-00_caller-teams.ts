import { sql, type Kysely } from 'kysely';

// Frozen: the teams (other organisations) invited to call in a campaign besides the people of its own
// organisation, and who handled a flagged call; and the table @socket.io/postgres-adapter keeps its
// larger broadcasts in, when several server processes share the work.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen in time and must not know the app's schema
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table campaign_caller_team (
      campaign_id uuid not null references campaign (id) on delete cascade,
      organisation_id uuid not null references organisation (id) on delete cascade,
      primary key (campaign_id, organisation_id)
    );
    create index campaign_caller_team_organisation on campaign_caller_team (organisation_id);
    alter table call add column flag_resolved_by uuid references app_user (id) on delete set null;
    create table socket_io_attachments (
      id bigserial unique,
      created_at timestamptz default now(),
      payload bytea
    );
  `.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    drop table socket_io_attachments;
    alter table call drop column flag_resolved_by;
    drop table campaign_caller_team;
  `.execute(db);
}
