import { sql } from 'kysely';
import type { Database } from '../../../../db/database';
import type { Clock } from '../../clock';
import { badRequest, notFound } from '../../errors';
import { authorize, isOwnOrganizer } from '../organisations/organisations.service';
import { localDay } from './stats.service';

// New-member welcome calls. DOMAIN: "Every new member is welcomed with a call within two weeks and
// invited to an activity within a month." A campaign that names the list column with each person's
// join date (campaign.welcome_attribute) is a welcome campaign; each of its people is measured
// against their own deadline: reached (someone answered) within 14 days of joining, and invited to an
// activity (a call counting as an event) within 30. Counted on request over the welcome campaigns'
// own people and calls, which are few (a year's new members), never over all calls.

export const WELCOME_DAYS = 14;
export const INVITE_DAYS = 30;

export type WelcomeStatus = 'in-time' | 'late' | 'overdue' | 'open';

export interface WelcomeFigures {
  /** People in the campaign(s) with a join date. */
  people: number;
  /** People whose join date could not be read (they count nowhere else). */
  withoutDate: number;
  inTime: number;
  late: number;
  /** Not reached, and their two weeks are over. */
  overdue: number;
  /** Not reached yet, still within their two weeks. */
  open: number;
  invitedInTime: number;
  /** Reached in time of those whose two weeks are over or who were reached: null when none are due. */
  shareInTime: number | null;
}

/**
 * A join date as organisations write them: 2026-10-04 (with a time after it, as Excel exports do),
 * 4.10.2026, 04/10/2026 (day first, as in Sweden and Denmark), 20261004. Null when it is not a date.
 */
export function parseJoinDate(text: string | null | undefined): string | null {
  const value = (text ?? '').trim();
  let match = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$/.exec(value);
  let parts: [string, string, string] | null = match ? [match[1] as string, match[2] as string, match[3] as string] : null;
  if (!parts) {
    match = /^(\d{1,2})[./-](\d{1,2})[./-](\d{4})$/.exec(value);
    if (match) parts = [match[3] as string, match[2] as string, match[1] as string];
  }
  if (!parts) {
    match = /^(\d{4})(\d{2})(\d{2})$/.exec(value);
    if (match) parts = [match[1] as string, match[2] as string, match[3] as string];
  }
  if (!parts) return null;
  const [year, month, day] = parts.map(Number) as [number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  if (year < 1900 || year > 2100 || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  return date.toISOString().slice(0, 10);
}

function addDays(day: string, days: number): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

interface PersonRow {
  campaignId: string;
  organisationId: string;
  personId: number;
  firstName: string;
  lastName: string;
  joined: string | null;
  reachedAt: Date | null;
  invitedAt: Date | null;
  timeZone: string;
}

export interface WelcomePerson {
  personId: number;
  firstName: string;
  lastName: string;
  joinedOn: string;
  deadline: string;
  reachedOn: string | null;
  invitedOn: string | null;
  status: WelcomeStatus;
}

/** Each person of the welcome campaigns with their join date, first reach and first invitation. */
async function peopleOf(db: Database, campaignIds: string[]): Promise<PersonRow[]> {
  if (campaignIds.length === 0) return [];
  const { rows } = await sql<PersonRow>`
    select cc.campaign_id as "campaignId", k.organisation_id as "organisationId", cc.person_id as "personId",
      p.first_name as "firstName", p.last_name as "lastName", p.attributes ->> k.welcome_attribute as joined,
      (select min(c.created_at) from call c where c.campaign_id = cc.campaign_id and c.person_id = cc.person_id and c.reached) as "reachedAt",
      (select min(c.created_at) from call c where c.campaign_id = cc.campaign_id and c.person_id = cc.person_id and 'event' = any (c.tags)) as "invitedAt",
      o.time_zone as "timeZone"
    from campaign_contact cc
    join campaign k on k.id = cc.campaign_id
    join organisation o on o.id = k.organisation_id
    join person p on p.id = cc.person_id
    where cc.campaign_id = any(${campaignIds}::uuid[])`.execute(db);
  return rows;
}

function measure(row: PersonRow, today: string): WelcomePerson | null {
  const joinedOn = parseJoinDate(row.joined);
  if (!joinedOn) return null;
  const deadline = addDays(joinedOn, WELCOME_DAYS);
  const reachedOn = row.reachedAt ? localDay(new Date(row.reachedAt), row.timeZone) : null;
  const invitedOn = row.invitedAt ? localDay(new Date(row.invitedAt), row.timeZone) : null;
  const status: WelcomeStatus = reachedOn ? (reachedOn <= deadline ? 'in-time' : 'late') : today > deadline ? 'overdue' : 'open';
  return { personId: Number(row.personId), firstName: row.firstName, lastName: row.lastName, joinedOn, deadline, reachedOn, invitedOn, status };
}

function figuresOf(rows: PersonRow[], today: string): { figures: WelcomeFigures; people: WelcomePerson[] } {
  const people: WelcomePerson[] = [];
  let withoutDate = 0;
  for (const row of rows) {
    const measured = measure(row, today);
    if (measured) people.push(measured);
    else withoutDate += 1;
  }
  const count = (status: WelcomeStatus) => people.filter((person) => person.status === status).length;
  const inTime = count('in-time');
  const late = count('late');
  const overdue = count('overdue');
  const due = inTime + late + overdue;
  return {
    figures: {
      people: people.length,
      withoutDate,
      inTime,
      late,
      overdue,
      open: count('open'),
      invitedInTime: people.filter((person) => person.invitedOn !== null && person.invitedOn <= addDays(person.joinedOn, INVITE_DAYS)).length,
      shareInTime: due > 0 ? Math.round((inTime / due) * 1000) / 1000 : null,
    },
    people,
  };
}

/**
 * A welcome campaign's report: the figures, and — for organizers and admins of the campaign's own
 * organisation, who call these people — who is overdue or still open, most urgent first.
 */
export async function campaignWelcome(db: Database, clock: Clock, userId: string, campaignId: string) {
  const campaign = await db
    .selectFrom('campaign')
    .innerJoin('organisation', 'organisation.id', 'campaign.organisationId')
    .select(['campaign.id', 'campaign.organisationId', 'campaign.welcomeAttribute', 'organisation.timeZone'])
    .where('campaign.id', '=', campaignId)
    .executeTakeFirst();
  if (!campaign) throw notFound('The campaign');
  await authorize(db, userId, campaign.organisationId, 'organizer');
  if (!campaign.welcomeAttribute) throw badRequest('not_a_welcome_campaign', 'This campaign is not a new-member welcome campaign: choose the column with the join date in its settings.');
  const today = localDay(clock.now(), campaign.timeZone);
  const { figures, people } = figuresOf(await peopleOf(db, [campaign.id]), today);
  const mayName = await isOwnOrganizer(db, userId, campaign.organisationId);
  const toCall = people.filter((person) => person.status === 'overdue' || person.status === 'open').sort((a, b) => a.deadline.localeCompare(b.deadline));
  return { campaignId: campaign.id, joinedAttribute: campaign.welcomeAttribute, today, welcomeDays: WELCOME_DAYS, inviteDays: INVITE_DAYS, ...figures, toCall: mayName ? toCall : null };
}

/** The share welcomed in time across the welcome campaigns of an organisation's subtree, and per child organisation. */
export async function organisationWelcome(db: Database, clock: Clock, userId: string, organisationId: string) {
  await authorize(db, userId, organisationId, 'organizer');
  const organisation = await db.selectFrom('organisation').select(['id', 'name', 'timeZone']).where('id', '=', organisationId).executeTakeFirst();
  if (!organisation) throw notFound('The organisation');
  const campaigns = await sql<{ id: string; organisationId: string }>`
    select k.id, k.organisation_id as "organisationId" from campaign k
    join organisation_closure c on c.descendant_id = k.organisation_id
    where c.ancestor_id = ${organisationId} and k.welcome_attribute is not null`.execute(db);
  const rows = await peopleOf(db, campaigns.rows.map((campaign) => campaign.id));
  const today = localDay(clock.now(), organisation.timeZone);
  const children = await sql<{ id: string; name: string; descendants: string[] }>`
    select ch.id, ch.name, array_agg(c.descendant_id) as descendants
    from organisation ch join organisation_closure c on c.ancestor_id = ch.id
    where ch.parent_id = ${organisationId} group by ch.id order by ch.name`.execute(db);
  return {
    organisationId,
    today,
    welcomeDays: WELCOME_DAYS,
    inviteDays: INVITE_DAYS,
    campaigns: campaigns.rows.length,
    ...figuresOf(rows, today).figures,
    children: children.rows.map((child) => {
      const within = new Set(child.descendants);
      return { id: child.id, name: child.name, ...figuresOf(rows.filter((row) => within.has(row.organisationId)), today).figures };
    }),
  };
}
