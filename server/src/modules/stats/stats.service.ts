import { EventEmitter } from 'node:events';
import { sql } from 'kysely';
import type { Database } from '../../../../db/database';
import type { Clock } from '../../clock';
import { badRequest, notFound } from '../../errors';
import { authorize } from '../organisations/organisations.service';
import type { QuestionValue } from '../campaigns/campaigns.schemas';
import { csvLine, DELIMITERS } from '../exports/exports.csv';
import { countryLanguage, type Language } from '../../contract/language';
import type { Country } from '../../contract/api';
import { STATS_CSV_TEXTS } from './stats.texts';
import type { SeparatorValue } from '../exports/exports.schemas';
import { suppressSmallGroups } from './small-groups';
import * as repository from './stats.repository';
import type { FigureRow, MetricName } from './stats.repository';

// Recruitment statistics: folded from the saved calls as they are saved (see the statistics
// migration), read from the roll-ups only. A district's figures are the sum of its subtree.

/** How often the roller folds what has been saved. */
const ROLL_MS = 250;
/** Deltas per statement: large enough to catch up fast, small enough to keep each commit short. */
const BATCH = 20_000;
/** The longest period one request may ask for (days). */
const MAX_DAYS = 3 * 366;
/** Goals an organisation may keep at once (each is counted on every look at its statistics). */
const MAX_GOALS = 50;


export interface StatsEvents {
  /** Figures moved for these organisations (the ones calls were made in; their ancestors follow) and campaigns. */
  changed: [{ organisations: string[]; campaigns: string[] }];
}

export interface Totals extends Record<MetricName, number> {
  callerHours: number;
  /** Reached per dial, recruits per conversation, calls per caller-hour; null with nothing to divide by. */
  rates: { reachedPerDial: number | null; recruitsPerConversation: number | null; callsPerCallerHour: number | null };
}

export type GoalMetric = 'dials' | 'reached' | 'conversations' | 'recruits' | 'volunteers' | 'events' | 'supporters' | 'activeCallers';
/** Goal metrics as goal.metric stores them. */
const GOAL_COLUMNS: Record<GoalMetric, string> = {
  dials: 'dials',
  reached: 'reached',
  conversations: 'conversations',
  recruits: 'recruits',
  volunteers: 'volunteers',
  events: 'events',
  supporters: 'supporters',
  activeCallers: 'active_callers',
};
export type GoalStatus = 'upcoming' | 'on-track' | 'behind' | 'reached' | 'missed';

export interface GoalProgress {
  id: string;
  metric: GoalMetric;
  target: number;
  label: string;
  startsOn: string;
  endsOn: string;
  value: number;
  /** Where a steady pace would be today. */
  expected: number;
  /** Days still to go, today included while the goal runs. */
  daysLeft: number;
  /** What is still needed per remaining day; null when there is nothing left to do or no day left. */
  neededPerDay: number | null;
  status: GoalStatus;
}

type FixedAnswerQuestion = Exclude<QuestionValue, { kind: 'text' }>;

const DAY = /^\d{4}-\d{2}-\d{2}$/;

function totalsOf(row: FigureRow): Totals {
  const figures = Object.fromEntries(repository.METRICS.map(([, name]) => [name, Number(row[name] ?? 0)])) as Record<MetricName, number>;
  const callerHours = Number(row.callerHours ?? 0);
  const ratio = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 1000) / 1000 : null);
  return {
    ...figures,
    callerHours,
    rates: {
      reachedPerDial: ratio(figures.reached, figures.dials),
      recruitsPerConversation: ratio(figures.recruits, figures.conversations),
      callsPerCallerHour: ratio(figures.dials, callerHours),
    },
  };
}

/** Today's date in a time zone, as YYYY-MM-DD. */
export function localDay(instant: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(instant);
}

function dayNumber(day: string): number {
  return Math.round(Date.parse(`${day}T00:00:00Z`) / 86_400_000);
}

function validDay(day: string): boolean {
  return DAY.test(day) && day >= '1900-01-01' && day <= '2100-12-31' && !Number.isNaN(Date.parse(`${day}T00:00:00Z`)) && new Date(`${day}T00:00:00Z`).toISOString().startsWith(day);
}

/**
 * Progress against a goal on `today`: a steady pace from its first to its last day, where today counts
 * as done for the pace and as still to go for what is needed (the day is not over). Missed only once
 * its last day has passed.
 */
export function progress(goal: { target: number; startsOn: string; endsOn: string }, value: number, today: string): Pick<GoalProgress, 'expected' | 'daysLeft' | 'neededPerDay' | 'status'> {
  const total = dayNumber(goal.endsOn) - dayNumber(goal.startsOn) + 1;
  const elapsed = Math.min(total, Math.max(0, dayNumber(today) - dayNumber(goal.startsOn) + 1));
  const over = dayNumber(today) > dayNumber(goal.endsOn);
  const daysLeft = over ? 0 : total - Math.max(0, elapsed - 1);
  const expected = Math.round((goal.target * elapsed) / total);
  const left = Math.max(0, goal.target - value);
  const neededPerDay = left > 0 && daysLeft > 0 ? Math.ceil((left / daysLeft) * 10) / 10 : null;
  let status: GoalStatus;
  if (value >= goal.target) status = 'reached';
  else if (elapsed === 0) status = 'upcoming';
  else if (over) status = 'missed';
  else status = value >= expected ? 'on-track' : 'behind';
  return { expected, daysLeft, neededPerDay, status };
}

export class StatsService extends EventEmitter<StatsEvents> {
  private timer: ReturnType<typeof setInterval> | null = null;

  private rolling: Promise<void> | null = null;

  /** When this process last folded (performance.now()), for the roller's lag in /metrics. */
  private lastFold: number | null = null;

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly onError: (error: unknown) => void = () => {},
  ) {
    super();
  }

  /** Starts folding saved calls into the figures a few times a second. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.roll().catch(this.onError), ROLL_MS);
    this.timer.unref();
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.rolling?.catch(() => {});
  }

  /** One round of folding (skipped while one runs); resolves when it is done. */
  roll(): Promise<void> {
    if (!this.rolling) {
      this.rolling = this.foldAll().finally(() => {
        this.rolling = null;
      });
    }
    return this.rolling;
  }

  /**
   * How far the figures are behind the saved calls: the changes not yet folded (counted up to `cap`),
   * and the seconds since this process last folded (null before its first fold; with several
   * processes one folds at a time, so the smallest of theirs is the roller's).
   */
  async lag(cap = 1_000_000): Promise<{ pending: number; secondsSinceFold: number | null }> {
    const pending = await repository.pendingCount(this.db, cap);
    return { pending, secondsSinceFold: this.lastFold === null ? null : (performance.now() - this.lastFold) / 1000 };
  }

  /** Folds until nothing waits: what tests and benchmarks call before comparing figures. */
  async flush(): Promise<void> {
    await this.rolling?.catch(() => {});
    while (await repository.pending(this.db)) {
      await this.roll();
      // Another process may hold the lock and fold meanwhile.
      if (await repository.pending(this.db)) await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /**
   * Folds in batches, each in its own short transaction under an advisory lock, so one process at a
   * time folds (the others skip). Says which organisations' figures moved.
   */
  private async foldAll(): Promise<void> {
    const moved = new Set<string>();
    const campaigns = new Set<string>();
    for (let round = 0; round < 50; round++) {
      const result = await this.db.transaction().execute(async (trx) => {
        const { rows } = await sql<{ locked: boolean }>`select pg_try_advisory_xact_lock(hashtext('ringa.stats.roller')) as locked`.execute(trx);
        if (!rows[0]?.locked) return null;
        if (round === 0) await repository.countTalkTime(trx, this.clock.now());
        return repository.fold(trx, BATCH);
      });
      if (!result) break;
      this.lastFold = performance.now();
      for (const organisationId of result.organisations) moved.add(organisationId);
      for (const campaignId of result.campaigns) campaigns.add(campaignId);
      if (result.folded < BATCH) break;
    }
    if (moved.size > 0) this.emit('changed', { organisations: [...moved], campaigns: [...campaigns] });
  }

  private async organisation(organisationId: string) {
    const row = await this.db.selectFrom('organisation').select(['id', 'name', 'kind', 'timeZone', 'country']).where('id', '=', organisationId).executeTakeFirst();
    if (!row) throw notFound('The organisation');
    return row;
  }

  /** The days asked for: both given or neither (then this year until today, in the organisation's time zone). */
  private range(timeZone: string, from: string | undefined, to: string | undefined): repository.DayRange {
    const today = localDay(this.clock.now(), timeZone);
    const range = { from: from ?? `${today.slice(0, 4)}-01-01`, to: to ?? today };
    if (!validDay(range.from) || !validDay(range.to)) throw badRequest('invalid_range', 'Give days as YYYY-MM-DD.');
    if (range.from > range.to) throw badRequest('invalid_range', 'The first day must not be after the last.');
    if (dayNumber(range.to) - dayNumber(range.from) + 1 > MAX_DAYS) throw badRequest('invalid_range', 'Ask for at most three years at a time.');
    return range;
  }

  /** An organisation's statistics: its subtree's totals, each child's, its own campaigns', per day, and its goals. */
  async organisationStats(userId: string, organisationId: string, from?: string, to?: string) {
    await authorize(this.db, userId, organisationId, 'organizer');
    const organisation = await this.organisation(organisationId);
    const range = this.range(organisation.timeZone, from, to);
    const [totals, children, campaigns, series, goals, goalsAbove] = await Promise.all([
      repository.subtreeTotals(this.db, organisationId, range),
      repository.childTotals(this.db, organisationId, range),
      repository.campaignTotals(this.db, organisationId, range),
      repository.subtreeSeries(this.db, organisationId, range),
      this.goalsOf(organisation),
      this.higherGoals(userId, organisation),
    ]);
    return {
      organisation: { id: organisation.id, name: organisation.name, kind: organisation.kind },
      from: range.from,
      to: range.to,
      totals: totalsOf(totals),
      children: children.map(({ id, name, kind, ...row }) => ({ id, name, kind, ...totalsOf(row) })),
      campaigns: campaigns.map(({ id, name, status, ...row }) => ({ id, name, status, ...totalsOf(row) })),
      series: series.map(({ day, ...row }) => ({ day, ...totalsOf(row) })),
      goals,
      goalsAbove,
    };
  }

  /**
   * The goals of every organisation above this one, nearest first, each with this organisation's share
   * of it; the whole organisation's figure only for someone who may see its statistics.
   */
  private async higherGoals(userId: string, organisation: { id: string; timeZone: string }) {
    const ancestors = await this.db
      .selectFrom('organisationClosure')
      .innerJoin('organisation', 'organisation.id', 'organisationClosure.ancestorId')
      .select(['organisation.id', 'organisation.name', 'organisation.timeZone'])
      .where('organisationClosure.descendantId', '=', organisation.id)
      .where('organisationClosure.depth', '>', 0)
      .orderBy('organisationClosure.depth')
      .execute();
    const perAncestor = await Promise.all(
      ancestors.map(async (ancestor) => {
        const seesWhole = await authorize(this.db, userId, ancestor.id, 'organizer').then(
          () => true,
          () => false,
        );
        return Promise.all(
          (await this.goalsOf(ancestor)).map(async ({ id, metric, target, label, startsOn, endsOn, value }) => ({
            organisationId: ancestor.id,
            organisationName: ancestor.name,
            goal: { id, metric, target, label, startsOn, endsOn },
            whole: seesWhole ? value : null,
            share: await this.doneOf(organisation, { metric, startsOn, endsOn }),
          })),
        );
      }),
    );
    return perAncestor.flat();
  }

  /** What an organisation's subtree has done of a goal's metric in the goal's days. */
  private async doneOf(organisation: { id: string; timeZone: string }, goal: { metric: GoalMetric; startsOn: string; endsOn: string }): Promise<number> {
    return goal.metric === 'activeCallers'
      ? repository.activeCallers(this.db, organisation.id, goal.startsOn, goal.endsOn, organisation.timeZone)
      : Number((await repository.subtreeTotals(this.db, organisation.id, { from: goal.startsOn, to: goal.endsOn }))[goal.metric]);
  }

  /**
   * The statistics of every organisation in the subtree as a CSV file for Excel (UTF-8 with a BOM; with
   * `;` the decimals have a comma, as Excel in Sweden and Denmark reads them): one row per organisation,
   * its whole subtree's figures, in the tree's order. Aggregates only, so anyone who may see the
   * statistics may take them.
   */
  async organisationStatsCsv(
    userId: string,
    organisationId: string,
    from: string | undefined,
    to: string | undefined,
    separator: SeparatorValue,
    language: (fallback: Language) => Language,
  ) {
    await authorize(this.db, userId, organisationId, 'organizer');
    const organisation = await this.organisation(organisationId);
    const texts = STATS_CSV_TEXTS[language(countryLanguage(organisation.country as Country))];
    const range = this.range(organisation.timeZone, from, to);
    const rows = await repository.everyNodeTotals(this.db, organisationId, range);
    const byId = new Map(rows.map((row) => [row.id, row]));
    const pathOf = (id: string): string[] => {
      const row = byId.get(id);
      if (!row) return [];
      return id === organisationId || !row.parentId ? [row.name] : [...pathOf(row.parentId), row.name];
    };
    const delimiter = DELIMITERS[separator];
    const decimal = (value: number | null) => (value === null ? '' : separator === 'semicolon' ? String(value).replace('.', ',') : String(value));
    const lines = rows
      .map((row) => ({ row, path: pathOf(row.id) }))
      .sort((a, b) => a.path.join('\u0000').localeCompare(b.path.join('\u0000'), 'sv'))
      .map(({ row, path }) => {
        const totals = totalsOf(row);
        return csvLine(
          [
            path.join(' › '),
            row.kind,
            range.from,
            range.to,
            ...[totals.dials, totals.reached, totals.conversations, totals.recruits, totals.volunteers, totals.events, totals.supporters, totals.doNotCall, totals.wrongNumbers].map(String),
            String(Math.round(totals.talkSeconds / 60)),
            String(totals.callerHours),
            decimal(totals.rates.reachedPerDial),
            decimal(totals.rates.recruitsPerConversation),
            decimal(totals.rates.callsPerCallerHour),
          ],
          delimiter,
        );
      });
    const name = organisation.name.replace(/[^\p{L}\p{N} _-]/gu, '').replace(/\s+/g, ' ').trim().slice(0, 100) || texts.noName;
    return { fileName: `${name} ${texts.fileWord} ${range.from} ${range.to}.csv`, text: `\uFEFF${csvLine(texts.header, delimiter)}${lines.join('')}` };
  }

  private async goalsOf(organisation: { id: string; timeZone: string }): Promise<GoalProgress[]> {
    const rows = await this.db
      .selectFrom('goal')
      .select(['id', 'metric', 'target', 'label', sql<string>`to_char(starts_on, 'YYYY-MM-DD')`.as('startsOn'), sql<string>`to_char(ends_on, 'YYYY-MM-DD')`.as('endsOn')])
      .where('organisationId', '=', organisation.id)
      .orderBy('endsOn')
      .execute();
    const today = localDay(this.clock.now(), organisation.timeZone);
    return Promise.all(
      rows.map(async (goal) => {
        const metric = (Object.keys(GOAL_COLUMNS) as GoalMetric[]).find((name) => GOAL_COLUMNS[name] === goal.metric) ?? 'dials';
        const value = await this.doneOf(organisation, { metric, startsOn: goal.startsOn, endsOn: goal.endsOn });
        const pace = progress(goal, value, today);
        // A headcount is not made a day at a time: no pace per day for a team of callers.
        return { ...goal, metric, value, ...pace, ...(metric === 'activeCallers' ? { neededPerDay: null } : {}) };
      }),
    );
  }

  async listGoals(userId: string, organisationId: string): Promise<GoalProgress[]> {
    await authorize(this.db, userId, organisationId, 'organizer');
    return this.goalsOf(await this.organisation(organisationId));
  }

  async createGoal(userId: string, organisationId: string, input: { metric: GoalMetric; target: number; startsOn: string; endsOn: string; label?: string | undefined }): Promise<GoalProgress> {
    await authorize(this.db, userId, organisationId, 'organizer');
    const organisation = await this.organisation(organisationId);
    if (!validDay(input.startsOn) || !validDay(input.endsOn)) throw badRequest('invalid_goal', 'Give the goal’s first and last day as YYYY-MM-DD.');
    if (input.startsOn > input.endsOn) throw badRequest('invalid_goal', 'The goal’s first day must not be after its last.');
    if (dayNumber(input.endsOn) - dayNumber(input.startsOn) + 1 > MAX_DAYS) throw badRequest('invalid_goal', 'A goal may span at most three years.');
    const column = GOAL_COLUMNS[input.metric];
    const { count } = await this.db.selectFrom('goal').select((eb) => eb.fn.countAll<number>().as('count')).where('organisationId', '=', organisationId).executeTakeFirstOrThrow();
    if (Number(count) >= MAX_GOALS) throw badRequest('too_many_goals', `An organisation may keep at most ${MAX_GOALS} goals; remove one that is over first.`);
    const row = await this.db
      .insertInto('goal')
      .values({ organisationId, metric: column, target: input.target, startsOn: input.startsOn, endsOn: input.endsOn, label: input.label?.trim() ?? '', createdAt: this.clock.now(), createdBy: userId })
      .returning('id')
      .executeTakeFirstOrThrow();
    const made = (await this.goalsOf(organisation)).find((goal) => goal.id === row.id);
    if (!made) throw notFound('The goal');
    return made;
  }

  async deleteGoal(userId: string, organisationId: string, goalId: string): Promise<void> {
    await authorize(this.db, userId, organisationId, 'organizer');
    const result = await this.db.deleteFrom('goal').where('id', '=', goalId).where('organisationId', '=', organisationId).executeTakeFirst();
    if (Number(result.numDeletedRows) === 0) throw notFound('The goal');
  }

  /**
   * A campaign's statistics: totals, per day, per hour of one day (the last with calls unless asked),
   * per caller, its goals, and how the people called answered its fixed-answer questions (small
   * groups hidden cell by cell: see breakdownByAnswer).
   */
  async campaignStats(userId: string, campaignId: string, day?: string, withAnswers = true) {
    const campaign = await this.db
      .selectFrom('campaign')
      .innerJoin('organisation', 'organisation.id', 'campaign.organisationId')
      .select(['campaign.id', 'campaign.name', 'campaign.status', 'campaign.organisationId', 'campaign.goals', 'organisation.timeZone'])
      .where('campaign.id', '=', campaignId)
      .executeTakeFirst();
    if (!campaign) throw notFound('The campaign');
    await authorize(this.db, userId, campaign.organisationId, 'organizer');
    if (day !== undefined && !validDay(day)) throw badRequest('invalid_range', 'Give the day as YYYY-MM-DD.');
    const version = await this.db.selectFrom('campaignVersion').select('questions').where('campaignId', '=', campaignId).orderBy('version', 'desc').limit(1).executeTakeFirst();
    const questions = ((version?.questions ?? []) as QuestionValue[]).filter((question): question is FixedAnswerQuestion => question.kind !== 'text');
    const [total, series, callers, organisations, counts] = await Promise.all([
      repository.campaignTotal(this.db, campaignId),
      repository.campaignSeries(this.db, campaignId),
      repository.campaignCallers(this.db, campaignId),
      repository.campaignByCallerOrganisation(this.db, campaignId),
      // The one count over calls here (every call's answers): only when asked, not on every live refresh.
      withAnswers ? repository.answerCounts(this.db, campaignId, questions.map((question) => question.id)) : { answers: [], respondents: [] },
    ]);
    const shownDay = day ?? series.at(-1)?.day ?? localDay(this.clock.now(), campaign.timeZone);
    const hours = await repository.campaignHours(this.db, campaignId, shownDay, campaign.timeZone);
    const totals = totalsOf(total);
    const goals = ((campaign.goals ?? []) as { metric: MetricName; target: number }[]).map((goal) => ({ ...goal, value: totals[goal.metric] ?? 0 }));
    return {
      campaign: { id: campaign.id, name: campaign.name, status: campaign.status, organisationId: campaign.organisationId },
      totals,
      series: series.map(({ day: seriesDay, ...row }) => ({ day: seriesDay, ...totalsOf(row) })),
      day: shownDay,
      hours: hours.map(({ hour, callers: active, ...row }) => ({ hour: new Date(hour).toISOString(), callers: active, ...totalsOf(row) })),
      callers: callers.map(({ callerId, name, ...row }) => ({ callerId, name: name ?? '', ...totalsOf(row) })),
      organisations: organisations.map(({ id, name, ...row }) => ({ id, name: name ?? '', ...totalsOf(row) })),
      goals,
      answers: withAnswers ? breakdownByAnswer(questions, counts) : [],
    };
  }
}

/**
 * How the people called answered each question with fixed answers, with every answer given by fewer
 * than five people hidden and whatever would reveal it (suppressSmallGroups), the counts the figures
 * give (tagged answers) taken as known. A question asked only after answers of which one is hidden is
 * hidden whole: how many answered it would bound the hidden one.
 */
export function breakdownByAnswer(
  questions: FixedAnswerQuestion[],
  counts: { answers: { question: string; answer: string; people: number }[]; respondents: { question: string; people: number }[] },
) {
  const hiddenAnswers = new Map<string, Set<string>>();
  return questions.map((question) => {
    const choices = question.kind === 'yes-no' ? [{ value: 'true' }, { value: 'false' }] : question.choices.map((choice) => ({ value: choice.value, label: choice.label }));
    const respondents = counts.respondents.find((row) => row.question === question.id)?.people ?? 0;
    const people = choices.map((choice) => counts.answers.find((row) => row.question === question.id && row.answer === choice.value)?.people ?? 0);
    const after = question.when ? hiddenAnswers.get(question.when.question) : undefined;
    const behindHidden = question.when !== undefined && after !== undefined && question.when.values.some((value) => after.has(value));
    // A tagged answer is counted in the campaign's figures (new members, volunteers …): a reader has its count anyway.
    const counted = question.kind === 'yes-no' ? [question.tags.length > 0, false] : question.choices.map((choice) => choice.tags.length > 0);
    const result = behindHidden ? suppressSmallGroups(0, people) : suppressSmallGroups(respondents, people, counted);
    hiddenAnswers.set(question.id, new Set(choices.filter((_, index) => result.cells[index]?.hidden).map((choice) => choice.value)));
    return {
      questionId: question.id,
      text: question.text,
      respondents: result.respondents,
      hidden: result.hidden,
      counts: result.hidden ? [] : choices.map((choice, index) => ({ ...choice, people: result.cells[index]?.people ?? null, hidden: result.cells[index]?.hidden ?? null })),
    };
  });
}
