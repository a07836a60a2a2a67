import { sql } from 'kysely';
import type { Database } from '../../../../db/database';
import { privacySettings } from './privacy-settings';

// When personal data is deleted (GDPR Art. 5(1)(e)): the rules the daily purge enforces and a person's
// page and access export state. One place, so that what Ringa says and what it does agree.
//
// - The answers, notes, notes for the next caller, flag notes and callback times of a campaign's calls:
//   the campaign's organisation's answers retention (default 12 months) after the campaign finished.
// - A person: their organisation's people retention (default 24 months) after the last campaign that
//   called them finished, or, if no campaign called them, after the newest import of a list they are
//   on — but never while a list they are on is used by a running (active or paused) campaign, and not
//   while a campaign that called them has not finished.
// - The do-not-call register keeps numbers (the objection must be honoured), with nothing else.

/** `months` calendar months after `from`, in UTC; the 31st becomes the month's last day (as PostgreSQL's interval arithmetic does). */
export function addMonths(from: Date, months: number): Date {
  const year = from.getUTCFullYear();
  const month = from.getUTCMonth() + months;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const day = Math.min(from.getUTCDate(), lastDay);
  return new Date(Date.UTC(year, month, day, from.getUTCHours(), from.getUTCMinutes(), from.getUTCSeconds(), from.getUTCMilliseconds()));
}

/** When a campaign's calls lose their answers and notes; null while it has not finished. */
export function answersDeleteAt(finishedAt: Date | null, months: number): Date | null {
  return finishedAt === null ? null : addMonths(finishedAt, months);
}

export interface PersonRetentionFacts {
  /** The campaigns that called the person, with when each finished (null: not yet). */
  calledBy: readonly { finishedAt: Date | null }[];
  /** When each list the person is on was imported. */
  listsImportedAt: readonly Date[];
  /** When the person came into Ringa: the date to count from when they are on no list any more (their lists were deleted). */
  createdAt: Date;
  /** Whether a list the person is on is used by an active or paused campaign. */
  onRunningCampaign: boolean;
  months: number;
}

export type PersonRetention =
  | { deleteAt: Date; after: 'last-campaign' | 'last-import' }
  | { deleteAt: null; because: 'running-campaign' | 'unfinished-campaign' };

export function personDeleteAt(facts: PersonRetentionFacts): PersonRetention {
  if (facts.onRunningCampaign) return { deleteAt: null, because: 'running-campaign' };
  if (facts.calledBy.length > 0) {
    let last = 0;
    for (const campaign of facts.calledBy) {
      if (campaign.finishedAt === null) return { deleteAt: null, because: 'unfinished-campaign' };
      last = Math.max(last, campaign.finishedAt.getTime());
    }
    return { deleteAt: addMonths(new Date(last), facts.months), after: 'last-campaign' };
  }
  // On no list any more: from when they were imported at all (not from 1970, which deleted them at once).
  const imported = facts.listsImportedAt.length > 0 ? Math.max(...facts.listsImportedAt.map((at) => at.getTime())) : facts.createdAt.getTime();
  return { deleteAt: addMonths(new Date(imported), facts.months), after: 'last-import' };
}

/** The facts about one person the rules need, read from the database. */
export async function personRetention(db: Database, personId: number): Promise<PersonRetention | undefined> {
  const person = await db.selectFrom('person').select(['id', 'organisationId', 'createdAt']).where('id', '=', personId).executeTakeFirst();
  if (!person) return undefined;
  const calledBy = await db
    .selectFrom('campaign')
    .select(['campaign.finishedAt'])
    .where((eb) => eb.exists(eb.selectFrom('call').select(sql`1`.as('one')).whereRef('call.campaignId', '=', 'campaign.id').where('call.personId', '=', personId)))
    .execute();
  const lists = await db
    .selectFrom('listPerson')
    .innerJoin('targetList', 'targetList.id', 'listPerson.listId')
    .select(['targetList.id', sql<Date>`coalesce(target_list.finished_at, target_list.created_at)`.as('importedAt')])
    .where('listPerson.personId', '=', personId)
    .execute();
  const listIds = lists.map((list) => list.id);
  const running =
    listIds.length > 0 &&
    (await db
      .selectFrom('campaign')
      .innerJoin('campaignTargetGroup', 'campaignTargetGroup.campaignId', 'campaign.id')
      .innerJoin('targetGroup', 'targetGroup.id', 'campaignTargetGroup.targetGroupId')
      .select('campaign.id')
      .where('campaign.status', 'in', ['active', 'paused'])
      .where(sql<boolean>`target_group.list_ids && ${sql.val(listIds)}::uuid[]`)
      .executeTakeFirst()) !== undefined;
  const settings = await privacySettings(db, person.organisationId);
  return personDeleteAt({
    calledBy,
    listsImportedAt: lists.map((list) => list.importedAt),
    createdAt: new Date(person.createdAt),
    onRunningCampaign: running,
    months: settings.peopleRetentionMonths.value,
  });
}
