import type { Static } from 'typebox';
import type { Database } from '../../../../db/database';
import type { Clock } from '../../clock';
import { badRequest } from '../../errors';
import { recordAudit } from '../audit/audit.service';
import { authorize, organisationNames, setRetentionMonths } from '../organisations/organisations.service';
import { ANSWERS_RETENTION_RANGE, PEOPLE_RETENTION_RANGE, privacySettings, type Inherited } from './privacy-settings';
import type { RetentionInput, RetentionView } from './privacy.schemas';
import { campaignsDue, peopleDue } from './retention';

/** How far ahead an organisation's settings show what will be deleted. */
const UPCOMING_DAYS = 30;

/** Counts by UTC day, in order. */
function byDay<T extends { deleteAt: Date }>(items: T[]): { day: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const item of items) {
    const day = item.deleteAt.toISOString().slice(0, 10);
    counts.set(day, (counts.get(day) ?? 0) + 1);
  }
  return [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([day, count]) => ({ day, count }));
}

/** The organisation's retention rules, where they come from, and what goes in the next 30 days (admins of the organisation or above). */
export async function retentionView(db: Database, clock: Clock, userId: string, organisationId: string): Promise<Static<typeof RetentionView>> {
  await authorize(db, userId, organisationId, 'admin');
  const settings = await privacySettings(db, organisationId);
  const names = await organisationNames(db, [settings.answersRetentionMonths.fromOrganisationId, settings.peopleRetentionMonths.fromOrganisationId].flatMap((id) => (id ? [id] : [])));
  const effective = (inherited: Inherited<number>) => ({
    months: inherited.value,
    own: inherited.fromOrganisationId === organisationId ? inherited.value : null,
    from: inherited.fromOrganisationId === null ? null : { id: inherited.fromOrganisationId, name: names.get(inherited.fromOrganisationId) ?? '' },
  });
  const until = new Date(clock.now().getTime() + UPCOMING_DAYS * 86_400_000);
  const [campaigns, people] = await Promise.all([campaignsDue(db, until, organisationId), peopleDue(db, until, organisationId)]);
  return {
    organisationId,
    answers: effective(settings.answersRetentionMonths),
    people: effective(settings.peopleRetentionMonths),
    ranges: { answers: { ...ANSWERS_RETENTION_RANGE }, people: { ...PEOPLE_RETENTION_RANGE } },
    upcoming: {
      until: until.toISOString(),
      answers: { campaigns: campaigns.length, days: byDay(campaigns).map(({ day, count }) => ({ day, campaigns: count })) },
      people: { people: people.length, days: byDay(people).map(({ day, count }) => ({ day, people: count })) },
    },
  };
}

/** An admin sets the organisation's own retention months; null inherits from above. */
export async function setRetention(db: Database, clock: Clock, userId: string, organisationId: string, input: Static<typeof RetentionInput>): Promise<Static<typeof RetentionView>> {
  await authorize(db, userId, organisationId, 'admin');
  const check = (value: number | null, range: { min: number; max: number }, code: 'answers_retention_out_of_range' | 'people_retention_out_of_range', what: string) => {
    if (value !== null && (value < range.min || value > range.max)) throw badRequest(code, `${what} are kept between ${range.min} and ${range.max} months (or inherited: null); ${value} is outside that.`);
  };
  check(input.answersMonths, ANSWERS_RETENTION_RANGE, 'answers_retention_out_of_range', "A campaign's answers and notes");
  check(input.peopleMonths, PEOPLE_RETENTION_RANGE, 'people_retention_out_of_range', 'People');
  await db.transaction().execute(async (trx) => {
    await setRetentionMonths(trx, organisationId, { answers: input.answersMonths, people: input.peopleMonths });
    await recordAudit(trx, { at: clock.now(), action: 'organisation.retention-changed', organisationId, actorUserId: userId, details: { answersMonths: input.answersMonths, peopleMonths: input.peopleMonths } });
  });
  return retentionView(db, clock, userId, organisationId);
}
