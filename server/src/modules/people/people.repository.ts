import { sql } from 'kysely';
import type { Database } from '../../../../db/database';

/** `%` and `_` mean "anything" to LIKE; a name or number typed by a person means itself. */
function likeText(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export interface PersonMatchQuery {
  /** Words each of which must be in the first or the last name. */
  words: string[];
  /** The number as E.164, when the query reads as a whole number. */
  phone: string | null;
  /** Digits that must be in the number (a part of it), without a leading 0 or 00. */
  digits: string | null;
}

/** People of the organisation's subtree matching a name or a number, in name order, at most `limit`. */
export function searchPeople(db: Database, organisationId: string, query: PersonMatchQuery, limit: number) {
  return db
    .selectFrom('person')
    .innerJoin('organisationClosure', 'organisationClosure.descendantId', 'person.organisationId')
    .innerJoin('organisation', 'organisation.id', 'person.organisationId')
    .select(['person.id', 'person.firstName', 'person.lastName', 'person.phone', 'person.organisationId', 'organisation.name as organisationName'])
    .where('organisationClosure.ancestorId', '=', organisationId)
    .where((eb) => {
      const ors = [];
      if (query.phone !== null) ors.push(eb('person.phone', '=', query.phone));
      if (query.digits !== null) ors.push(eb('person.phone', 'like', `%${likeText(query.digits)}%`));
      if (query.words.length > 0) {
        ors.push(
          eb.and(
            query.words.map((word) =>
              eb.or([eb('person.firstName', 'ilike', `%${likeText(word)}%`), eb('person.lastName', 'ilike', `%${likeText(word)}%`)]),
            ),
          ),
        );
      }
      return ors.length > 0 ? eb.or(ors) : eb.val(false);
    })
    .orderBy('person.lastName')
    .orderBy('person.firstName')
    .orderBy('person.id')
    .limit(limit)
    .execute();
}

export function findPerson(db: Database, personId: number) {
  return db
    .selectFrom('person')
    .innerJoin('organisation', 'organisation.id', 'person.organisationId')
    .selectAll('person')
    .select(['organisation.name as organisationName', 'organisation.country', 'organisation.timeZone'])
    .where('person.id', '=', personId)
    .executeTakeFirst();
}

/** The lists the person is on, with where each came from. */
export function listsOf(db: Database, personId: number) {
  return db
    .selectFrom('listPerson')
    .innerJoin('targetList', 'targetList.id', 'listPerson.listId')
    .innerJoin('organisation', 'organisation.id', 'targetList.organisationId')
    .select([
      'targetList.id',
      'targetList.name',
      'targetList.organisationId',
      'organisation.name as organisationName',
      sql<Date>`coalesce(target_list.finished_at, target_list.created_at)`.as('importedAt'),
      'targetList.sourceKind',
      'targetList.sourceName',
      'targetList.sourceDate',
      'targetList.legalBasis',
    ])
    .where('listPerson.personId', '=', personId)
    .orderBy('importedAt')
    .execute();
}

/** Every campaign that holds the person in its queue or has called them. */
export function campaignsOf(db: Database, personId: number) {
  return db
    .selectFrom('campaign')
    .innerJoin('organisation', 'organisation.id', 'campaign.organisationId')
    .select(['campaign.id', 'campaign.name', 'campaign.organisationId', 'organisation.name as organisationName', 'campaign.status', 'campaign.finishedAt', 'campaign.createdAt'])
    .where((eb) =>
      eb.or([
        eb.exists(eb.selectFrom('campaignContact').select(sql`1`.as('one')).whereRef('campaignContact.campaignId', '=', 'campaign.id').where('campaignContact.personId', '=', personId)),
        eb.exists(eb.selectFrom('call').select(sql`1`.as('one')).whereRef('call.campaignId', '=', 'campaign.id').where('call.personId', '=', personId)),
      ]),
    )
    .orderBy('campaign.createdAt')
    .execute();
}

export function contactsOf(db: Database, personId: number) {
  return db
    .selectFrom('campaignContact')
    .select(['campaignId', 'state', 'attempts', 'lastCallAt', 'lastOutcome', 'callbackAt', 'doneReason', 'skips', 'skipReason', 'skipNote', 'skippedAt'])
    .where('personId', '=', personId)
    .execute();
}

/** The person's calls, oldest first, with the script version each was saved under. */
export function callsOf(db: Database, personId: number) {
  return db
    .selectFrom('call')
    .leftJoin('appUser', 'appUser.id', 'call.callerId')
    .innerJoin('campaignVersion', 'campaignVersion.id', 'call.versionId')
    .select([
      'call.id',
      'call.campaignId',
      'call.createdAt',
      'call.outcome',
      'call.reached',
      'call.noticeGiven',
      'call.answers',
      'call.notes',
      'call.noteForNext',
      'call.flagged',
      'call.flagNote',
      'call.callbackAt',
      'appUser.name as callerName',
      'campaignVersion.outcomes',
      'campaignVersion.questions',
    ])
    .where('call.personId', '=', personId)
    .orderBy('call.createdAt')
    .orderBy('call.id')
    .execute();
}

/** The register entries that keep the number from being called: of the person's organisation and of those above it. */
export function doNotCallEntriesOf(db: Database, organisationId: string, phone: string) {
  return db
    .selectFrom('doNotCall')
    .innerJoin('organisationClosure', 'organisationClosure.ancestorId', 'doNotCall.organisationId')
    .innerJoin('organisation', 'organisation.id', 'doNotCall.organisationId')
    .select(['doNotCall.id', 'doNotCall.organisationId', 'organisation.name as organisationName', 'doNotCall.createdAt', 'doNotCall.reason', 'doNotCall.source'])
    .where('organisationClosure.descendantId', '=', organisationId)
    .where('doNotCall.phone', '=', phone)
    .orderBy('doNotCall.createdAt')
    .execute();
}

export function telephonyCallsOf(db: Database, personId: number) {
  return db
    .selectFrom('telephonyCall')
    .select(['callSid', 'campaignId', 'provider', 'startedAt', 'status', 'durationSeconds'])
    .where('personId', '=', personId)
    .orderBy('startedAt')
    .execute();
}

export async function updatePerson(
  db: Database,
  personId: number,
  changes: { firstName?: string; lastName?: string; email?: string | null; attributes?: Record<string, string> },
  at: Date,
): Promise<void> {
  await db
    .updateTable('person')
    .set({
      ...(changes.firstName !== undefined ? { firstName: changes.firstName } : {}),
      ...(changes.lastName !== undefined ? { lastName: changes.lastName } : {}),
      ...(changes.email !== undefined ? { email: changes.email } : {}),
      ...(changes.attributes !== undefined ? { attributes: JSON.stringify(changes.attributes) } : {}),
      updatedAt: at,
    })
    .where('id', '=', personId)
    .execute();
}

/** The person with this number in the organisation (a number is one person per organisation). */
export function findPersonByPhone(db: Database, organisationId: string, phone: string) {
  return db.selectFrom('person').select('id').where('organisationId', '=', organisationId).where('phone', '=', phone).executeTakeFirst();
}
