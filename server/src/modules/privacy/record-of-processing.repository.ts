import { sql } from 'kysely';
import type { Database } from '../../../../db/database';

// What a record of processing reads: counts and descriptions of an organisation's own data, never a
// person's name, number or answers.

/** The people on the organisation's ready lists by their lists' source (a person on two lists counts under each). */
export async function peopleBySource(db: Database, organisationId: string) {
  const { rows } = await sql<{ sourceKind: string | null; lists: number; people: number }>`
    select l.source_kind as "sourceKind", count(distinct l.id)::int as lists, count(distinct lp.person_id)::int as people
    from target_list l left join list_person lp on lp.list_id = l.id
    where l.organisation_id = ${organisationId} and l.status = 'ready'
    group by l.source_kind
    order by l.source_kind nulls last`.execute(db);
  return rows;
}

export async function counts(db: Database, organisationId: string) {
  const { rows } = await sql<{ people: number; doNotCall: number; callsWithAnswers: number; callsWithNotes: number }>`
    select
      (select count(*) from person where organisation_id = ${organisationId})::int as people,
      (select count(*) from do_not_call where organisation_id = ${organisationId})::int as "doNotCall",
      (select count(*) from call c join campaign k on k.id = c.campaign_id
        where k.organisation_id = ${organisationId} and c.answers <> '{}'::jsonb)::int as "callsWithAnswers",
      (select count(*) from call c join campaign k on k.id = c.campaign_id
        where k.organisation_id = ${organisationId} and (c.notes <> '' or c.note_for_next <> '' or c.flag_note <> ''))::int as "callsWithNotes"`.execute(db);
  return rows[0] ?? { people: 0, doNotCall: 0, callsWithAnswers: 0, callsWithNotes: 0 };
}

/** The organisation's ready lists, newest first, with how many people each holds now and its columns. */
export async function lists(db: Database, organisationId: string) {
  const { rows } = await sql<{
    id: string;
    name: string;
    people: number;
    importedAt: Date;
    sourceKind: string | null;
    sourceName: string;
    sourceDate: string | null;
    legalBasis: string | null;
    columns: unknown;
  }>`
    select l.id, l.name, (select count(*) from list_person lp where lp.list_id = l.id)::int as people,
      coalesce(l.finished_at, l.created_at) as "importedAt", l.source_kind as "sourceKind", l.source_name as "sourceName",
      to_char(l.source_date, 'YYYY-MM-DD') as "sourceDate", l.legal_basis as "legalBasis", l.columns
    from target_list l
    where l.organisation_id = ${organisationId} and l.status = 'ready'
    order by l.created_at desc, l.name`.execute(db);
  return rows;
}

/** The organisation's own campaigns, newest first, with their calls and the questions of their latest script. */
export async function campaigns(db: Database, organisationId: string) {
  const { rows } = await sql<{
    id: string;
    name: string;
    status: string;
    startsAt: Date | null;
    endsAt: Date | null;
    finishedAt: Date | null;
    dialing: string;
    questions: number;
    freeTextQuestions: number;
    calls: number;
  }>`
    select k.id, k.name, k.status, k.dialing, k.starts_at as "startsAt", k.ends_at as "endsAt", k.finished_at as "finishedAt",
      coalesce(jsonb_array_length(v.questions), 0)::int as questions,
      coalesce((select count(*) from jsonb_array_elements(v.questions) q where q->>'kind' = 'text'), 0)::int as "freeTextQuestions",
      (select count(*) from call c where c.campaign_id = k.id)::int as calls
    from campaign k
    left join lateral (select questions from campaign_version where campaign_id = k.id order by version desc limit 1) v on true
    where k.organisation_id = ${organisationId}
    order by k.created_at desc, k.name`.execute(db);
  return rows;
}

/**
 * Who has access, as counts of users: by role in the organisation itself; admins and organizers of the
 * organisations above it (rights flow down the tree); members of the organisations its campaigns
 * invite as caller teams. Disabled accounts are not counted.
 */
export async function access(db: Database, organisationId: string) {
  const { rows } = await sql<{ organisationId: string; organisationName: string; relation: 'own' | 'above' | 'team'; role: string; users: number; depth: number }>`
    with reach as (
      select c.ancestor_id as organisation_id, case when c.depth = 0 then 'own' else 'above' end as relation, c.depth
      from organisation_closure c where c.descendant_id = ${organisationId}
      union
      select t.organisation_id, 'team', -1
      from campaign_caller_team t join campaign k on k.id = t.campaign_id
      where k.organisation_id = ${organisationId} and t.organisation_id <> ${organisationId}
    )
    select r.organisation_id as "organisationId", o.name as "organisationName", r.relation, m.role, count(distinct m.user_id)::int as users, r.depth
    from reach r
    join organisation o on o.id = r.organisation_id
    join membership m on m.organisation_id = r.organisation_id
    join app_user u on u.id = m.user_id and u.disabled_at is null
    where r.relation <> 'above' or m.role in ('admin', 'organizer')
    group by r.organisation_id, o.name, r.relation, m.role, r.depth
    order by case r.relation when 'own' then 0 when 'above' then 1 else 2 end, r.depth, o.name,
      case m.role when 'admin' then 0 when 'organizer' then 1 else 2 end`.execute(db);
  return rows;
}

export async function children(db: Database, organisationId: string) {
  return db.selectFrom('organisation').select(['id', 'name']).where('parentId', '=', organisationId).orderBy('name').execute();
}

export async function organisationNames(db: Database, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('organisation').select(['id', 'name']).where('id', 'in', ids).execute();
  return new Map(rows.map((row) => [row.id, row.name]));
}
