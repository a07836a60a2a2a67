import { sql } from 'kysely';
import type { Database } from '../../../../db/database';
import type { Clock } from '../../clock';
import type { CallingEngine } from '../calling/calling.service';
import { deletePeople } from '../lists/lists.service';
import { DEFAULT_ANSWERS_RETENTION_MONTHS, DEFAULT_PEOPLE_RETENTION_MONTHS, privacySettings } from './privacy-settings';
import { answersDeleteAt, personDeleteAt } from './retention-rules';

// The retention purge (GDPR Art. 5(1)(e)): what retention-rules.ts says, done. A campaign's calls lose
// their answers, notes, notes for the next caller, flag notes and callback times; people whose time has
// come are deleted by erasure's path (their memberships, queue places, calls' personal content, phone-line
// records and import problem rows), without a do-not-call entry: the register keeps the numbers it has.
// The calls stay, so every figure stays the same. SQL finds the candidates; the rules decide each one.

/** Erased leases are kept this long for a caller's late save, then forgotten. */
const ERASED_LEASE_DAYS = 7;
/** People are deleted this many at a time, each batch in a transaction of its own. */
const PEOPLE_BATCH = 1000;

interface Settings {
  answers: number;
  people: number;
}

/** The effective retention months of organisations, read once per run. */
class SettingsCache {
  private readonly cache = new Map<string, Promise<Settings>>();
  constructor(private readonly db: Database) {}
  get(organisationId: string): Promise<Settings> {
    let found = this.cache.get(organisationId);
    if (!found) {
      found = privacySettings(this.db, organisationId).then((settings) => ({ answers: settings.answersRetentionMonths.value, people: settings.peopleRetentionMonths.value }));
      this.cache.set(organisationId, found);
    }
    return found;
  }
}

export interface DueCampaign {
  campaignId: string;
  organisationId: string;
  deleteAt: Date;
}

export interface DuePerson {
  id: number;
  organisationId: string;
  phone: string;
  firstName: string;
  lastName: string;
  deleteAt: Date;
}

/** `months` months after `column`, in UTC as addMonths counts them (the SQL side of the candidate search). */
const plusMonths = (column: ReturnType<typeof sql>, months: ReturnType<typeof sql>) => sql`((${column} at time zone 'UTC') + make_interval(months => ${months})) at time zone 'UTC'`;

/** Effective months per organisation: its own, else the nearest above that set them, else the default. */
const effectiveMonths = (column: 'answers_retention_months' | 'people_retention_months', fallback: number, organisation: string) => sql<number>`coalesce((
  select a.${sql.raw(column)} from organisation_closure oc join organisation a on a.id = oc.ancestor_id
  where oc.descendant_id = ${sql.ref(organisation)} and a.${sql.raw(column)} is not null order by oc.depth limit 1), ${fallback})`;

/** Subtree filter: every organisation at or below `within`, or all when null. */
const inSubtree = (within: string | null, organisation: string) =>
  within === null ? sql`true` : sql`${sql.ref(organisation)} in (select descendant_id from organisation_closure where ancestor_id = ${within})`;

/** Finished campaigns whose calls still hold answers or notes and whose answers retention ends by `horizon`. */
export async function campaignsDue(db: Database, horizon: Date, within: string | null = null): Promise<DueCampaign[]> {
  const { rows } = await sql<{ id: string; organisationId: string; finishedAt: Date }>`
    select c.id, c.organisation_id as "organisationId", c.finished_at as "finishedAt" from campaign c
    where c.finished_at is not null and ${inSubtree(within, 'c.organisation_id')}
      and ${plusMonths(sql`c.finished_at`, effectiveMonths('answers_retention_months', DEFAULT_ANSWERS_RETENTION_MONTHS, 'c.organisation_id'))} <= ${horizon}
      and exists (select 1 from call k where k.campaign_id = c.id
        and (k.answers <> '{}'::jsonb or k.notes <> '' or k.note_for_next <> '' or k.flag_note <> '' or k.callback_at is not null))`.execute(db);
  const settings = new SettingsCache(db);
  const due: DueCampaign[] = [];
  for (const row of rows) {
    const deleteAt = answersDeleteAt(new Date(row.finishedAt), (await settings.get(row.organisationId)).answers);
    if (deleteAt !== null && deleteAt <= horizon) due.push({ campaignId: row.id, organisationId: row.organisationId, deleteAt });
  }
  return due;
}

/** People whose retention ends by `horizon`, by the rules of personDeleteAt. */
export async function peopleDue(db: Database, horizon: Date, within: string | null = null): Promise<DuePerson[]> {
  const { rows } = await sql<{
    id: string;
    organisationId: string;
    phone: string;
    firstName: string;
    lastName: string;
    lastImport: Date | null;
    createdAt: Date;
    called: boolean;
    unfinished: boolean;
    lastFinished: Date | null;
    onRunning: boolean;
  }>`
    with running_lists as (
      select distinct unnest(tg.list_ids) as list_id from campaign c
      join campaign_target_group ctg on ctg.campaign_id = c.id join target_group tg on tg.id = ctg.target_group_id
      where c.status in ('active', 'paused')
    ), facts as (
      select p.id, p.organisation_id, p.phone, p.first_name, p.last_name, p.created_at,
        (select max(coalesce(l.finished_at, l.created_at)) from list_person lp join target_list l on l.id = lp.list_id where lp.person_id = p.id) as last_import,
        called.any as called, called.unfinished, called.last_finished,
        exists (select 1 from list_person lp where lp.person_id = p.id and lp.list_id in (select list_id from running_lists)) as on_running
      from person p
      cross join lateral (
        select count(*) > 0 as any, coalesce(bool_or(c.finished_at is null), false) as unfinished, max(c.finished_at) as last_finished
        from campaign c where c.id in (select k.campaign_id from call k where k.person_id = p.id)
      ) called
      where ${inSubtree(within, 'p.organisation_id')}
    )
    select id, organisation_id as "organisationId", phone, first_name as "firstName", last_name as "lastName", last_import as "lastImport",
      created_at as "createdAt", called, unfinished, last_finished as "lastFinished", on_running as "onRunning"
    from facts
    where not on_running and not unfinished
      and ${plusMonths(sql`case when called then last_finished else coalesce(last_import, created_at) end`, effectiveMonths('people_retention_months', DEFAULT_PEOPLE_RETENTION_MONTHS, 'facts.organisation_id'))} <= ${horizon}`.execute(db);
  const settings = new SettingsCache(db);
  const due: DuePerson[] = [];
  for (const row of rows) {
    const rule = personDeleteAt({
      calledBy: row.called ? [{ finishedAt: row.unfinished ? null : row.lastFinished }] : [],
      listsImportedAt: row.lastImport === null ? [] : [new Date(row.lastImport)],
      createdAt: new Date(row.createdAt),
      onRunningCampaign: row.onRunning,
      months: (await settings.get(row.organisationId)).people,
    });
    if (rule.deleteAt !== null && rule.deleteAt <= horizon) {
      due.push({ id: Number(row.id), organisationId: row.organisationId, phone: row.phone, firstName: row.firstName, lastName: row.lastName, deleteAt: rule.deleteAt });
    }
  }
  return due;
}

export interface PurgeSummary {
  asOf: string;
  dryRun: boolean;
  /** Campaigns whose calls lost (or, dry, would lose) their answers and notes, and how many calls that was. */
  answers: { campaigns: number; calls: number };
  /** People deleted (or, dry, who would be), and the import problem rows that quoted them. */
  people: { people: number; problemRows: number };
}

export interface PurgeDeps {
  db: Database;
  calling: CallingEngine;
}

/**
 * Runs the rules as of `asOf` in the caller's transaction: deletes what is due, or with `dryRun` only counts
 * it. Call `announce` once the transaction has committed: it tells callers who held someone deleted.
 */
async function purge(deps: PurgeDeps, asOf: Date, dryRun: boolean): Promise<{ summary: PurgeSummary; announce: () => void }> {
  const announcements: (() => void)[] = [];
  const announce = () => {
    for (const tell of announcements) tell();
  };
  const campaigns = await campaignsDue(deps.db, asOf);
  const people = await peopleDue(deps.db, asOf);
  const summary: PurgeSummary = { asOf: asOf.toISOString(), dryRun, answers: { campaigns: campaigns.length, calls: 0 }, people: { people: people.length, problemRows: 0 } };
  if (dryRun) {
    summary.answers.calls = await countPersonalCalls(deps.db, campaigns.map((campaign) => campaign.campaignId));
    return { summary, announce };
  }
  summary.answers.calls = await clearPersonalContent(deps.db, campaigns.map((campaign) => campaign.campaignId));
  const byOrganisation = new Map<string, DuePerson[]>();
  for (const person of people) byOrganisation.set(person.organisationId, [...(byOrganisation.get(person.organisationId) ?? []), person]);
  for (const [organisationId, theirs] of byOrganisation) {
    for (let start = 0; start < theirs.length; start += PEOPLE_BATCH) {
      const batch = theirs.slice(start, start + PEOPLE_BATCH);
      announcements.push(await deps.calling.withdrawPeople(deps.db, batch.map((person) => person.id)));
      summary.people.problemRows += (await deletePeople(deps.db, organisationId, batch)).problemRows;
    }
  }
  await deps.calling.forgetErasedLeases(deps.db, new Date(asOf.getTime() - ERASED_LEASE_DAYS * 86_400_000));
  return { summary, announce };
}

const personalContent = sql<boolean>`(answers <> '{}'::jsonb or notes <> '' or note_for_next <> '' or flag_note <> '' or callback_at is not null)`;

async function countPersonalCalls(db: Database, campaignIds: string[]): Promise<number> {
  if (campaignIds.length === 0) return 0;
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from call where campaign_id = any(${campaignIds}::uuid[]) and ${personalContent}`.execute(db);
  return rows[0]?.n ?? 0;
}

/** The calls keep their outcome and what they count for (the figures), nothing of what was said. */
async function clearPersonalContent(db: Database, campaignIds: string[]): Promise<number> {
  if (campaignIds.length === 0) return 0;
  const result = await sql`
    update call set answers = '{}'::jsonb, notes = '', note_for_next = '', flag_note = '', callback_at = null
    where campaign_id = any(${campaignIds}::uuid[]) and ${personalContent}`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}

/** One run at a time across every server process and the command line: a transaction-scoped advisory lock. */
const PURGE_LOCK = sql`pg_try_advisory_xact_lock(hashtext('ringa.privacy-purge'))`;

/**
 * The daily purge: the first process to get there on a day (UTC) runs it, one at a time, and records the
 * day in privacy_purge; others find the day done or the lock taken and do nothing. Returns the summary
 * when this call ran it.
 */
export async function purgeToday(deps: PurgeDeps, now: Date): Promise<PurgeSummary | null> {
  const day = now.toISOString().slice(0, 10);
  const { result, announce } = await deps.db.transaction().execute(async (trx) => {
    const { rows } = await sql<{ locked: boolean }>`select ${PURGE_LOCK} as locked`.execute(trx);
    if (!rows[0]?.locked) return { result: null, announce: () => {} };
    const started = await sql`insert into privacy_purge (day, started_at) values (${day}::date, ${now}) on conflict (day) do nothing`.execute(trx);
    if (Number(started.numAffectedRows ?? 0) === 0) return { result: null, announce: () => {} };
    const { summary, announce } = await purge({ ...deps, db: trx }, now, false);
    await sql`update privacy_purge set finished_at = ${new Date()}, summary = ${JSON.stringify(summary)}::jsonb where day = ${day}::date`.execute(trx);
    return { result: summary, announce };
  });
  announce();
  return result;
}

/** On demand (the command line): the same purge under the same lock, as of any day; nothing is recorded. */
export async function purgeNow(deps: PurgeDeps, asOf: Date, dryRun: boolean): Promise<PurgeSummary | 'busy'> {
  const ran = await deps.db.transaction().execute(async (trx) => {
    const { rows } = await sql<{ locked: boolean }>`select ${PURGE_LOCK} as locked`.execute(trx);
    if (!rows[0]?.locked) return 'busy' as const;
    return purge({ ...deps, db: trx }, asOf, dryRun);
  });
  if (ran === 'busy') return ran;
  ran.announce();
  return ran.summary;
}

/** The daily purge in a server process: looked at every hour (and soon after start), on a timer that never keeps the process alive. */
export class PrivacyPurger {
  private timer: NodeJS.Timeout | undefined;
  private first: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly deps: PurgeDeps & { clock: Clock },
    private readonly log: (summary: PurgeSummary) => void,
    private readonly failed: (error: unknown) => void,
  ) {}

  start(): void {
    this.first = setTimeout(() => this.tick(), 10_000).unref();
    this.timer = setInterval(() => this.tick(), 3_600_000).unref();
  }

  private tick(): void {
    if (this.closed) return;
    this.running = this.runDue().catch(this.failed);
  }

  /** Runs today's purge if no process has (tests call this after moving their clock). */
  async runDue(): Promise<PurgeSummary | null> {
    const summary = await purgeToday(this.deps, this.deps.clock.now());
    if (summary) this.log(summary);
    return summary;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.first);
    clearInterval(this.timer);
    await this.running;
  }
}
