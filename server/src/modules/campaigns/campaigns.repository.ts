import { sql, type Insertable, type Selectable, type SelectQueryBuilder, type Updateable } from 'kysely';
import type { Database } from '../../../../db/database';
import type { Campaign, CampaignVersion, DB } from '../../../../db/schema';

export type CampaignRow = Selectable<Campaign>;
export type VersionRow = Selectable<CampaignVersion>;

export function insertCampaign(db: Database, campaign: Insertable<Campaign>) {
  return db.insertInto('campaign').values(campaign).returningAll().executeTakeFirstOrThrow();
}

export function updateCampaign(db: Database, campaignId: string, changes: Updateable<Campaign>) {
  return db.updateTable('campaign').set(changes).where('id', '=', campaignId).returningAll().executeTakeFirstOrThrow();
}

export function findCampaign(db: Database, campaignId: string) {
  return db.selectFrom('campaign').selectAll().where('id', '=', campaignId).executeTakeFirst();
}

/** The campaign, locked until the transaction ends: status moves, settings and versions take turns. */
export function lockCampaign(trx: Database, campaignId: string) {
  return trx.selectFrom('campaign').selectAll().where('id', '=', campaignId).forUpdate().executeTakeFirst();
}

/**
 * Takes out of the queue the people never called who are in none of `members` (the target groups
 * as they are now). Someone a caller holds, has tried or booked a callback with stays.
 */
export async function dropUncalled(db: Database, campaignId: string, members: SelectQueryBuilder<DB, 'person', { id: number }>[]): Promise<number> {
  let query = db.deleteFrom('campaignContact').where('campaignId', '=', campaignId).where('state', '=', 'queued').where('priority', '=', 1).where('attempts', '=', 0);
  const [first, ...more] = members;
  if (first) query = query.where('personId', 'not in', more.reduce((ids, next) => ids.union(next), first));
  const result = await query.executeTakeFirst();
  return Number(result.numDeletedRows);
}

export function campaignsOf(db: Database, organisationId: string) {
  return db.selectFrom('campaign').selectAll().where('organisationId', '=', organisationId).orderBy('createdAt', 'desc').execute();
}

/** Saves a new version of the script, questions and outcomes, numbered after the last. */
export async function insertVersion(db: Database, version: Omit<Insertable<CampaignVersion>, 'version'>) {
  return db
    .insertInto('campaignVersion')
    .values({
      ...version,
      version: sql<number>`(select coalesce(max(version), 0) + 1 from campaign_version where campaign_id = ${version.campaignId})`,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function currentVersion(db: Database, campaignId: string) {
  return db.selectFrom('campaignVersion').selectAll().where('campaignId', '=', campaignId).orderBy('version', 'desc').limit(1).executeTakeFirstOrThrow();
}

/** The current version, locked: a call being saved under it finishes first, and one saved after waits for the edit. */
export function lockCurrentVersion(trx: Database, campaignId: string) {
  return trx.selectFrom('campaignVersion').selectAll().where('campaignId', '=', campaignId).orderBy('version', 'desc').limit(1).forUpdate().executeTakeFirstOrThrow();
}

/** Whether any call was saved under the version: a version nobody has called is edited, not followed by another. */
export async function versionCalled(db: Database, versionId: number): Promise<boolean> {
  const row = await db.selectFrom('call').select('id').where('versionId', '=', versionId).limit(1).executeTakeFirst();
  return row !== undefined;
}

export function updateVersion(trx: Database, versionId: number, changes: Updateable<CampaignVersion>) {
  return trx.updateTable('campaignVersion').set(changes).where('id', '=', versionId).execute();
}

export function findVersion(db: Database, versionId: number) {
  return db.selectFrom('campaignVersion').selectAll().where('id', '=', versionId).executeTakeFirst();
}

export async function setTargetGroups(db: Database, campaignId: string, groupIds: string[]): Promise<void> {
  await db.deleteFrom('campaignTargetGroup').where('campaignId', '=', campaignId).execute();
  if (groupIds.length > 0) await db.insertInto('campaignTargetGroup').values(groupIds.map((targetGroupId) => ({ campaignId, targetGroupId }))).execute();
}

export async function targetGroupIds(db: Database, campaignId: string): Promise<string[]> {
  const rows = await db.selectFrom('campaignTargetGroup').select('targetGroupId').where('campaignId', '=', campaignId).execute();
  return rows.map((row) => row.targetGroupId);
}

export async function setCallerTeams(db: Database, campaignId: string, organisationIds: string[]): Promise<void> {
  await db.deleteFrom('campaignCallerTeam').where('campaignId', '=', campaignId).execute();
  if (organisationIds.length > 0) await db.insertInto('campaignCallerTeam').values(organisationIds.map((organisationId) => ({ campaignId, organisationId }))).execute();
}

export function callerTeams(db: Database, campaignId: string) {
  return db
    .selectFrom('campaignCallerTeam')
    .innerJoin('organisation', 'organisation.id', 'campaignCallerTeam.organisationId')
    .select(['organisation.id', 'organisation.name'])
    .where('campaignCallerTeam.campaignId', '=', campaignId)
    .orderBy('organisation.name')
    .execute();
}

/** The calls saved so far: all, conversations, and those counting for each tag. */
export async function callFigures(db: Database, campaignId: string) {
  // From the statistics' roll-up per day (the stats roller folds saved calls into it within a second),
  // never by counting the campaign's calls.
  const sum = (column: 'dials' | 'conversations' | 'recruits' | 'volunteers' | 'events' | 'supporters') => sql<number>`coalesce(sum(${sql.ref(column)}), 0)::int`;
  return db
    .selectFrom('statDay')
    .where('campaignId', '=', campaignId)
    .select([
      sum('dials').as('calls'),
      sum('conversations').as('conversations'),
      sum('recruits').as('recruit'),
      sum('volunteers').as('volunteer'),
      sum('events').as('event'),
      sum('supporters').as('supporter'),
    ])
    .executeTakeFirstOrThrow();
}

/** The queue's figures at `now`, from the queue itself (one pass over the campaign's contacts). */
export async function queueFigures(db: Database, campaignId: string, now: Date) {
  const row = await db
    .selectFrom('campaignContact')
    .where('campaignId', '=', campaignId)
    .select([
      sql<number>`count(*)::int`.as('total'),
      sql<number>`(count(*) filter (where state = 'queued' and priority = 1))::int`.as('fresh'),
      sql<number>`(count(*) filter (where state = 'queued' and priority <> 1 and due_at <= ${now}))::int`.as('due'),
      sql<number>`(count(*) filter (where state = 'queued' and priority <> 1 and due_at > ${now}))::int`.as('waiting'),
      sql<number>`(count(*) filter (where state = 'queued' and priority = 0))::int`.as('callbacks'),
      sql<number>`(count(*) filter (where state = 'held'))::int`.as('held'),
      sql<number>`(count(*) filter (where state = 'done'))::int`.as('done'),
      sql<number>`(count(*) filter (where state = 'done' and done_reason = 'do-not-call'))::int`.as('doNotCall'),
    ])
    .executeTakeFirstOrThrow();
  return row;
}
