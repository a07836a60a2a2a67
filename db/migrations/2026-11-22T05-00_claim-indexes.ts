import { sql, type Kysely } from 'kysely';

// Frozen: indexes the engine's hot queries pick whatever the statistics say. A lease is found by its id
// through an index over every row (the partial one, like the held-number index, looked empty to the
// planner after an ANALYZE taken while nobody held anyone, and it then scanned the held numbers);
// a caller's held people by caller and campaign; a person's earlier calls in a campaign by both.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen in time and must not know the app's schema
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    drop index campaign_contact_lease;
    create unique index campaign_contact_lease on campaign_contact (lease_id);
    create index campaign_contact_held_by on campaign_contact (held_by, campaign_id) where state = 'held';
    create index call_campaign_person on call (campaign_id, person_id, created_at);
  `.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    drop index call_campaign_person;
    drop index campaign_contact_held_by;
    drop index campaign_contact_lease;
    create unique index campaign_contact_lease on campaign_contact (lease_id) where state = 'held';
  `.execute(db);
}
