import { sql, type RawBuilder } from 'kysely';
import type { Database } from '../../../../db/database';

/** The counted figures, as columns of stat_delta, stat_hour and stat_day (snake_case) and in the API (camelCase). */
export const METRICS = [
  ['dials', 'dials'],
  ['reached', 'reached'],
  ['conversations', 'conversations'],
  ['recruits', 'recruits'],
  ['volunteers', 'volunteers'],
  ['events', 'events'],
  ['supporters', 'supporters'],
  ['do_not_call', 'doNotCall'],
  ['wrong_numbers', 'wrongNumbers'],
  ['talk_seconds', 'talkSeconds'],
] as const;

export type MetricName = (typeof METRICS)[number][1];
export type Figures = Record<MetricName, number>;

const columns = METRICS.map(([column]) => column);
const list = (make: (column: string) => string) => sql.raw(columns.map(make).join(', '));
/** `sum(x.dials)::int as "dials", …` for a table alias. */
const sums = (alias: string): RawBuilder<unknown> => list((column) => `coalesce(sum(${alias}.${column}), 0)::bigint as "${camel(column)}"`);

function camel(column: string): string {
  return column.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

const ZERO_CALLER = '00000000-0000-0000-0000-000000000000';

/**
 * Folds up to `batch` deltas into the roll-ups and deletes them, in one statement: per campaign, caller
 * and hour, and per organisation, campaign and local day (with the caller-hours the new hour rows
 * add). Returns how many were folded and the organisations whose figures moved.
 */
export async function fold(db: Database, batch: number): Promise<{ folded: number; organisations: string[]; campaigns: string[] }> {
  const { rows } = await sql<{ folded: number; organisations: string[] | null; campaigns: string[] | null }>`
    with d as (
      delete from stat_delta where id in (select id from stat_delta order by id limit ${batch} for update skip locked)
      returning *
    ),
    hours as (
      insert into stat_hour as s (campaign_id, caller_id, hour, organisation_id, ${list((c) => c)})
      select campaign_id, coalesce(caller_id, ${ZERO_CALLER}::uuid), date_trunc('hour', at, 'UTC'), organisation_id, ${list((c) => `sum(${c})`)}
      from d group by 1, 2, 3, 4
      on conflict (campaign_id, caller_id, hour) do update set ${list((c) => `${c} = s.${c} + excluded.${c}`)}
      returning s.campaign_id, s.hour, s.organisation_id, (s.xmax = 0) as inserted
    ),
    days as (
      insert into stat_day as s (organisation_id, campaign_id, day, ${list((c) => c)}, caller_hours)
      select organisation_id, campaign_id, day, ${list((c) => `sum(${c})`)}, sum(caller_hours)
      from (
        select d.organisation_id, d.campaign_id, (d.at at time zone o.time_zone)::date as day, ${list((c) => `d.${c}`)}, 0 as caller_hours
        from d join organisation o on o.id = d.organisation_id
        union all
        select h.organisation_id, h.campaign_id, (h.hour at time zone o.time_zone)::date, ${list(() => '0')}, 1
        from hours h join organisation o on o.id = h.organisation_id where h.inserted
      ) x
      group by 1, 2, 3
      on conflict (organisation_id, day, campaign_id) do update set ${list((c) => `${c} = s.${c} + excluded.${c}`)}, caller_hours = s.caller_hours + excluded.caller_hours
      returning s.organisation_id, s.campaign_id
    )
    select (select count(*) from d)::int as folded, (select array_agg(distinct organisation_id) from days) as organisations,
      (select array_agg(distinct campaign_id) from days) as campaigns`.execute(db);
  const row = rows[0];
  return { folded: row?.folded ?? 0, organisations: row?.organisations ?? [], campaigns: row?.campaigns ?? [] };
}

/**
 * Talk time: telephony calls that have ended, once their lease has a saved call, become deltas on that
 * call's caller and time, once. Ended calls whose lease never led to a saved call are let go after a day.
 */
export async function countTalkTime(db: Database, now: Date): Promise<void> {
  await sql`
    with counted as (
      update telephony_call tc set counted = true
      from call c
      where not tc.counted and tc.status_rank = 3
        and c.campaign_id = tc.campaign_id and c.person_id = tc.person_id and c.lease_id = tc.lease_id
      returning c.organisation_id, c.campaign_id, c.caller_id, c.created_at, coalesce(tc.duration_seconds, 0) as seconds
    )
    insert into stat_delta (organisation_id, campaign_id, caller_id, at, talk_seconds)
    select organisation_id, campaign_id, caller_id, created_at, seconds from counted where seconds > 0`.execute(db);
  // Only those no saved call matches: one committed between the two statements (a seeded evening of
  // old calls, say) would otherwise be let go uncounted; it is counted by the first on the next round.
  await sql`
    update telephony_call tc set counted = true
    where not tc.counted and tc.status_rank = 3 and tc.started_at < ${new Date(now.getTime() - 86_400_000)}
      and not exists (select 1 from call c where c.campaign_id = tc.campaign_id and c.person_id = tc.person_id and c.lease_id = tc.lease_id)`.execute(db);
}

/** Whether deltas wait to be folded (the figures are not yet up to date). */
/** The changes waiting to be folded, counted up to `cap` (a backlog of millions is not counted on every look). */
export async function pendingCount(db: Database, cap: number): Promise<number> {
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from (select 1 from stat_delta limit ${cap}) d`.execute(db);
  return rows[0]?.n ?? 0;
}

export async function pending(db: Database): Promise<boolean> {
  const row = await db.selectFrom('statDelta').select('id').limit(1).executeTakeFirst();
  return row !== undefined;
}

// --- reading ------------------------------------------------------------------------------------

export type FigureRow = Record<MetricName, number> & { callerHours: number };

/** Days are local days of the organisations, as text (YYYY-MM-DD), both ends included. */
export interface DayRange {
  from: string;
  to: string;
}

/** The subtree's totals over the days. */
export async function subtreeTotals(db: Database, organisationId: string, range: DayRange): Promise<FigureRow> {
  const { rows } = await sql<FigureRow>`
    select ${sums('s')}, coalesce(sum(s.caller_hours), 0)::bigint as "callerHours"
    from organisation_closure c join stat_day s on s.organisation_id = c.descendant_id
    where c.ancestor_id = ${organisationId} and s.day between ${range.from}::date and ${range.to}::date`.execute(db);
  return rows[0] as FigureRow;
}

/** Each child organisation's subtree totals (children without calls too). */
export async function childTotals(db: Database, organisationId: string, range: DayRange) {
  const { rows } = await sql<FigureRow & { id: string; name: string; kind: string }>`
    select ch.id, ch.name, ch.kind, ${sums('s')}, coalesce(sum(s.caller_hours), 0)::bigint as "callerHours"
    from organisation ch
    left join organisation_closure c on c.ancestor_id = ch.id
    left join stat_day s on s.organisation_id = c.descendant_id and s.day between ${range.from}::date and ${range.to}::date
    where ch.parent_id = ${organisationId}
    group by ch.id
    order by ch.name`.execute(db);
  return rows;
}

/** The organisation's own campaigns (not those beneath it), with their totals over the days. */
export async function campaignTotals(db: Database, organisationId: string, range: DayRange) {
  const { rows } = await sql<FigureRow & { id: string; name: string; status: string }>`
    select k.id, k.name, k.status, ${sums('s')}, coalesce(sum(s.caller_hours), 0)::bigint as "callerHours"
    from campaign k
    left join stat_day s on s.campaign_id = k.id and s.day between ${range.from}::date and ${range.to}::date
    where k.organisation_id = ${organisationId}
    group by k.id
    order by k.created_at desc`.execute(db);
  return rows;
}

/** Every organisation of the subtree with its own subtree's totals over the days (for the CSV file). */
export async function everyNodeTotals(db: Database, organisationId: string, range: DayRange) {
  const { rows } = await sql<FigureRow & { id: string; name: string; kind: string; parentId: string | null }>`
    select o.id, o.name, o.kind, o.parent_id as "parentId", ${sums('s')}, coalesce(sum(s.caller_hours), 0)::bigint as "callerHours"
    from organisation_closure node
    join organisation o on o.id = node.descendant_id
    join organisation_closure below on below.ancestor_id = o.id
    left join stat_day s on s.organisation_id = below.descendant_id and s.day between ${range.from}::date and ${range.to}::date
    where node.ancestor_id = ${organisationId}
    group by o.id`.execute(db);
  return rows;
}

/** The subtree's figures per day that had any. */
export async function subtreeSeries(db: Database, organisationId: string, range: DayRange) {
  const { rows } = await sql<FigureRow & { day: string }>`
    select to_char(s.day, 'YYYY-MM-DD') as day, ${sums('s')}, coalesce(sum(s.caller_hours), 0)::bigint as "callerHours"
    from organisation_closure c join stat_day s on s.organisation_id = c.descendant_id
    where c.ancestor_id = ${organisationId} and s.day between ${range.from}::date and ${range.to}::date
    group by s.day order by s.day`.execute(db);
  return rows;
}

/** How many callers made a call in the subtree over the local days (in `timeZone`), both ends included. */
export async function activeCallers(db: Database, organisationId: string, from: string, to: string, timeZone: string): Promise<number> {
  const { rows } = await sql<{ callers: number }>`
    select count(distinct h.caller_id)::int as callers
    from organisation_closure c join stat_hour h on h.organisation_id = c.descendant_id
    where c.ancestor_id = ${organisationId} and h.dials > 0 and h.caller_id <> ${ZERO_CALLER}::uuid
      and h.hour >= (${from}::date::timestamp at time zone ${timeZone})
      and h.hour < ((${to}::date + 1)::timestamp at time zone ${timeZone})`.execute(db);
  return rows[0]?.callers ?? 0;
}

/** A campaign's figures per day. */
export async function campaignSeries(db: Database, campaignId: string) {
  const { rows } = await sql<FigureRow & { day: string }>`
    select to_char(s.day, 'YYYY-MM-DD') as day, ${sums('s')}, coalesce(sum(s.caller_hours), 0)::bigint as "callerHours"
    from stat_day s where s.campaign_id = ${campaignId}
    group by s.day order by s.day`.execute(db);
  return rows;
}

/** A campaign's figures per hour of one local day (a calling evening). */
export async function campaignHours(db: Database, campaignId: string, day: string, timeZone: string) {
  const { rows } = await sql<FigureRow & { hour: Date; callers: number }>`
    select h.hour, ${sums('h')}, count(*)::int as "callerHours", count(distinct h.caller_id)::int as callers
    from stat_hour h where h.campaign_id = ${campaignId}
      and h.hour >= (${day}::date::timestamp at time zone ${timeZone})
      and h.hour < ((${day}::date + 1)::timestamp at time zone ${timeZone})
    group by h.hour order by h.hour`.execute(db);
  return rows;
}

/** A campaign's figures per caller (name as it is now; a removed account has none). */
export async function campaignCallers(db: Database, campaignId: string) {
  const { rows } = await sql<FigureRow & { callerId: string; name: string | null }>`
    select h.caller_id as "callerId", u.name, ${sums('h')}, count(*)::int as "callerHours"
    from stat_hour h left join app_user u on u.id = h.caller_id
    where h.campaign_id = ${campaignId}
    group by h.caller_id, u.name
    order by sum(h.dials) desc`.execute(db);
  return rows;
}

/**
 * A campaign's figures by the callers' organisations: each caller counts for the deepest organisation
 * of the campaign's own tree they belong to (an association before its district); callers with no
 * membership there any more, under none. Memberships elsewhere (another party) are never looked at.
 */
export async function campaignByCallerOrganisation(db: Database, campaignId: string) {
  const { rows } = await sql<FigureRow & { id: string | null; name: string | null }>`
    with callers as (
      select h.caller_id, ${list((c) => `sum(h.${c}) as ${c}`)}, count(*) as caller_hours
      from stat_hour h where h.campaign_id = ${campaignId} group by h.caller_id
    ),
    tree as (
      select c.ancestor_id as id from campaign k
      join organisation_closure c on c.descendant_id = k.organisation_id
      join organisation r on r.id = c.ancestor_id and r.parent_id is null
      where k.id = ${campaignId}
    ),
    home as (
      select distinct on (m.user_id) m.user_id, o.id, o.name
      from membership m
      join organisation o on o.id = m.organisation_id
      join organisation_closure t on t.descendant_id = o.id and t.ancestor_id = (select id from tree)
      join lateral (select max(depth) as depth from organisation_closure where descendant_id = o.id) d on true
      where m.user_id in (select caller_id from callers)
      order by m.user_id, d.depth desc, o.name
    )
    select home.id, home.name, ${sums('callers')}, coalesce(sum(callers.caller_hours), 0)::bigint as "callerHours"
    from callers left join home on home.user_id = callers.caller_id
    group by home.id, home.name
    order by sum(callers.dials) desc`.execute(db);
  return rows;
}

/** A campaign's totals, all time. */
export async function campaignTotal(db: Database, campaignId: string): Promise<FigureRow> {
  const { rows } = await sql<FigureRow>`
    select ${sums('s')}, coalesce(sum(s.caller_hours), 0)::bigint as "callerHours"
    from stat_day s where s.campaign_id = ${campaignId}`.execute(db);
  return rows[0] as FigureRow;
}

/**
 * How the people called in a campaign answered its questions that have fixed answers (yes/no and
 * choices): per question and answer, and per question how many answered at all. Counted over the
 * campaign's calls (one campaign, by its index), for the campaign page only.
 */
export async function answerCounts(db: Database, campaignId: string, questionIds: string[]) {
  if (questionIds.length === 0) return { answers: [], respondents: [] };
  const person = sql`coalesce(c.person_id::text, c.id::text)`;
  const [answers, respondents] = await Promise.all([
    sql<{ question: string; answer: string; people: number }>`
      select a.key as question, e.value #>> '{}' as answer, count(distinct ${person})::int as people
      from call c
      cross join lateral jsonb_each(c.answers) a
      cross join lateral jsonb_array_elements(case when jsonb_typeof(a.value) = 'array' then a.value else jsonb_build_array(a.value) end) e
      where c.campaign_id = ${campaignId} and a.key = any(${questionIds})
      group by 1, 2`.execute(db),
    sql<{ question: string; people: number }>`
      select a.key as question, count(distinct ${person})::int as people
      from call c cross join lateral jsonb_each(c.answers) a
      where c.campaign_id = ${campaignId} and a.key = any(${questionIds})
      group by 1`.execute(db),
  ]);
  return { answers: answers.rows, respondents: respondents.rows };
}
