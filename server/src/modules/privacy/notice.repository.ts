import { sql } from 'kysely';
import type { Database } from '../../../../db/database';
import type { ListSource } from './notice';

// The queries of the first-contact notice: an organisation's own notice, the sources of a person's
// lists, whether anyone has answered a call to the person before, and a campaign's figures.

export async function organisationName(db: Database, organisationId: string): Promise<string | undefined> {
  const row = await db.selectFrom('organisation').select('name').where('id', '=', organisationId).executeTakeFirst();
  return row?.name;
}

export async function parentOf(db: Database, organisationId: string): Promise<string | null> {
  const row = await db.selectFrom('organisation').select('parentId').where('id', '=', organisationId).executeTakeFirst();
  return row?.parentId ?? null;
}

export async function organisationNames(db: Database, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('organisation').select(['id', 'name']).where('id', 'in', ids).execute();
  return new Map(rows.map((row) => [row.id, row.name]));
}

export async function setOrganisationNotice(db: Database, organisationId: string, notice: string | null): Promise<void> {
  await db.updateTable('organisation').set({ notice }).where('id', '=', organisationId).execute();
}

/** Whether someone answered a call to the person before, in any campaign (then they have heard the notice, or should have). */
export async function answeredBefore(db: Database, personId: number): Promise<boolean> {
  const { rows } = await sql<{ answered: boolean }>`
    select exists (select 1 from call where person_id = ${personId} and reached) as answered`.execute(db);
  return rows[0]?.answered ?? false;
}

/** The sources of the lists the person is on, oldest list first. */
export async function personSources(db: Database, personId: number): Promise<ListSource[]> {
  const rows = await db
    .selectFrom('listPerson')
    .innerJoin('targetList', 'targetList.id', 'listPerson.listId')
    .select(['targetList.sourceKind', 'targetList.sourceName'])
    .where('listPerson.personId', '=', personId)
    .orderBy('targetList.createdAt')
    .execute();
  return rows.map((row) => ({ kind: row.sourceKind as ListSource['kind'], name: row.sourceName }));
}

export async function noticeFigures(db: Database, campaignId: string): Promise<{ firstCalls: number; given: number }> {
  return db
    .selectFrom('call')
    .where('campaignId', '=', campaignId)
    .where('noticeGiven', 'is not', null)
    .select([sql<number>`count(*)::int`.as('firstCalls'), sql<number>`(count(*) filter (where notice_given))::int`.as('given')])
    .executeTakeFirstOrThrow();
}
