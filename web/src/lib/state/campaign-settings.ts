// A campaign's settings as the form holds them (text as typed, dates in the organisation's time
// zone), checked here the way the server checks them, and turned into what the server takes.
import type { CallingWindow, CampaignDialing, CampaignDialMode, CampaignGoal, CampaignSettings, CampaignView, Country } from '$contract/api';
import { dateIn, lastDateBefore, startOfDate } from '$lib/zoned-date';
import { normalWindow } from '../../../../server/src/modules/campaigns/outcomes';
import { strayPlaceholder } from './notice';

export const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Day = (typeof DAYS)[number];
export type Span = [string, string];

export const DIALING: readonly CampaignDialing[] = ['own-phone', 'twilio', 'simulated'];
export const DIAL_MODES: readonly CampaignDialMode[] = ['preview', 'power', 'predictive'];
export const LINES_PER_CALLER: readonly number[] = [1, 2, 3];

/** How calls are dialled on a line: the server dials for callers only on a line it places calls on, never on their own phones. */
export function dialModeOn(dialing: CampaignDialing, dialMode: CampaignDialMode): CampaignDialMode {
  return dialing === 'own-phone' ? 'preview' : dialMode;
}
export type GoalMetric = CampaignGoal['metric'];
export const GOAL_METRICS: readonly GoalMetric[] = ['conversations', 'recruits', 'volunteers', 'events', 'supporters', 'dials'];

/** The normal calling hours in a country, as the server has them (that file holds constants only, nothing else of the server's). */
export const normalHours: (country: Country) => CallingWindow = normalWindow;

export const MAX_SPANS = 4;

function minutes(clock: string): number {
  const [hours, mins] = clock.split(':');
  return Number(hours) * 60 + Number(mins);
}

/** Times offered for calling hours: every quarter of an hour, and midnight as an end. */
export const CLOCK_TIMES: readonly string[] = Array.from({ length: 97 }, (_, i) => {
  const total = i * 15;
  return `${String(Math.floor(total / 60)).padStart(2, '0')}:${String(total % 60).padStart(2, '0')}`;
});

/** Whether hours reach outside the country's normal ones: the server's `windowWarning`, known while typing. */
export function outsideNormalHours(window: CallingWindow, country: Country): boolean {
  const normal = normalHours(country);
  return DAYS.some((day) =>
    window[day].some(([from, to]) => !normal[day].some(([normalFrom, normalTo]) => minutes(from) >= minutes(normalFrom) && minutes(to) <= minutes(normalTo))),
  );
}

export interface GoalDraft {
  key: number;
  metric: GoalMetric;
  target: string;
}

export interface SettingsDraft {
  name: string;
  briefing: string;
  /** YYYY-MM-DD in the organisation's time zone, or '' for none. */
  startDate: string;
  /** The last day of calling, included. */
  endDate: string;
  window: CallingWindow;
  dialing: CampaignDialing;
  /** Kept while the line is own-phone (then preview is sent), so that choosing a browser line again brings it back. */
  dialMode: CampaignDialMode;
  linesPerCaller: number;
  maxAttempts: string;
  /** Hours to wait before trying again, by outcome code. */
  retryHours: Record<string, string>;
  goals: GoalDraft[];
  shownAttributes: string[];
  /** The list column with each person's join date, for a new-member welcome campaign; '' for none. */
  welcomeAttribute: string;
  targetGroupIds: string[];
  callerTeamIds: string[];
  /** The campaign has a first-contact notice of its own (else its organisation's), and its text. */
  ownNotice: boolean;
  notice: string;
}

/** What the calling engine waits when a campaign names no time for an outcome. */
export const DEFAULT_RETRY_HOURS = 4;

/** The outcomes after which a person is tried again by the retry rules (a callback has its own time). */
export function retried(outcomes: CampaignView['outcomes']): string[] {
  return outcomes.filter((outcome) => !outcome.final && outcome.code !== 'callback').map((outcome) => outcome.code);
}

let goalKey = 0;
export function newGoal(metric: GoalMetric = 'conversations', target = ''): GoalDraft {
  goalKey += 1;
  return { key: goalKey, metric, target };
}

export function settingsDraftOf(view: CampaignView, timeZone: string): SettingsDraft {
  return {
    name: view.name,
    briefing: view.briefing,
    startDate: view.startsAt ? dateIn(view.startsAt, timeZone) : '',
    endDate: view.endsAt ? lastDateBefore(view.endsAt, timeZone) : '',
    window: copyWindow(view.callingWindow),
    dialing: view.dialing,
    dialMode: view.dialMode,
    linesPerCaller: view.linesPerCaller,
    maxAttempts: String(view.maxAttempts),
    // In the order of the outcomes, as callers see them.
    retryHours: Object.fromEntries(
      [...new Set([...retried(view.outcomes), ...Object.keys(view.retryHours)])].map((code) => [code, String(view.retryHours[code] ?? DEFAULT_RETRY_HOURS)]),
    ),
    goals: view.goals.map((goal) => newGoal(goal.metric, String(goal.target))),
    shownAttributes: [...view.shownAttributes],
    welcomeAttribute: view.welcomeAttribute ?? '',
    targetGroupIds: [...view.targetGroupIds],
    callerTeamIds: view.callerTeams.map((team) => team.id),
    ownNotice: view.notice !== null,
    notice: view.notice ?? '',
  };
}

export type SettingsProblem =
  | { field: 'name'; code: 'required' }
  | { field: 'period'; code: 'endBeforeStart' | 'badDate' }
  | { field: 'window'; code: 'endBeforeStart'; day: Day }
  | { field: 'maxAttempts'; code: 'wholeNumber' }
  | { field: 'retryHours'; code: 'hours'; outcome: string }
  | { field: 'goals'; code: 'target' | 'twice'; key: number }
  | { field: 'targetGroupIds'; code: 'required' }
  | { field: 'notice'; code: 'required' }
  | { field: 'notice'; code: 'placeholder'; fragment: string };

/** A number as people write it: 2,5 is 2.5; blank is not a number. */
function readNumber(text: string): number | null {
  const trimmed = text.trim().replace(/\s/g, '').replace(',', '.');
  if (trimmed === '') return null;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : null;
}

/** The settings to send, or what to put right first, next to its field. */
export function settingsInput(
  draft: SettingsDraft,
  timeZone: string,
): { input: CampaignSettings; problems: [] } | { input: null; problems: SettingsProblem[] } {
  const problems: SettingsProblem[] = [];
  const name = draft.name.trim();
  if (!name) problems.push({ field: 'name', code: 'required' });

  const startsAt = draft.startDate ? startOfDate(draft.startDate, timeZone) : null;
  const endsAt = draft.endDate ? startOfDate(draft.endDate, timeZone, 1) : null;
  if ((draft.startDate && !startsAt) || (draft.endDate && !endsAt)) problems.push({ field: 'period', code: 'badDate' });
  else if (startsAt && endsAt && endsAt <= startsAt) problems.push({ field: 'period', code: 'endBeforeStart' });

  for (const day of DAYS) {
    if (draft.window[day].some(([from, to]) => minutes(to) <= minutes(from))) problems.push({ field: 'window', code: 'endBeforeStart', day });
  }

  const maxAttempts = readNumber(draft.maxAttempts);
  if (maxAttempts === null || !Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 20) problems.push({ field: 'maxAttempts', code: 'wholeNumber' });

  const retryHours: Record<string, number> = {};
  for (const [code, text] of Object.entries(draft.retryHours)) {
    const hours = readNumber(text);
    if (hours === null || hours < 0 || hours > 720) problems.push({ field: 'retryHours', code: 'hours', outcome: code });
    else retryHours[code] = hours;
  }

  const goals: CampaignGoal[] = [];
  const metrics = new Set<GoalMetric>();
  for (const goal of draft.goals) {
    const target = readNumber(goal.target);
    if (target === null || !Number.isInteger(target) || target < 1 || target > 10_000_000) problems.push({ field: 'goals', code: 'target', key: goal.key });
    else if (metrics.has(goal.metric)) problems.push({ field: 'goals', code: 'twice', key: goal.key });
    else goals.push({ metric: goal.metric, target });
    metrics.add(goal.metric);
  }

  if (draft.targetGroupIds.length === 0) problems.push({ field: 'targetGroupIds', code: 'required' });

  const notice = draft.ownNotice ? draft.notice.trim() : null;
  const stray = notice === null ? null : strayPlaceholder(notice);
  if (notice === '') problems.push({ field: 'notice', code: 'required' });
  else if (stray !== null) problems.push({ field: 'notice', code: 'placeholder', fragment: stray });

  if (problems.length > 0) return { input: null, problems };
  return {
    input: {
      name,
      briefing: draft.briefing,
      startsAt,
      endsAt,
      callingWindow: copyWindow(draft.window),
      dialing: draft.dialing,
      dialMode: dialModeOn(draft.dialing, draft.dialMode),
      linesPerCaller: draft.linesPerCaller,
      maxAttempts: maxAttempts ?? 3,
      retryHours,
      goals,
      shownAttributes: [...draft.shownAttributes],
      welcomeAttribute: draft.welcomeAttribute || null,
      targetGroupIds: [...draft.targetGroupIds],
      callerTeamIds: [...draft.callerTeamIds],
      notice,
    },
    problems: [],
  };
}

/** A plain copy of a window (it may be a Svelte state proxy, which structuredClone refuses). */
export function copyWindow(window: CallingWindow): CallingWindow {
  return Object.fromEntries(DAYS.map((day) => [day, window[day].map(([from, to]) => [from, to] as Span)])) as CallingWindow;
}

/** Whether the form says the same as the campaign. */
export function settingsUnchanged(draft: SettingsDraft, view: CampaignView, timeZone: string): boolean {
  const a = settingsInput(draft, timeZone);
  const b = settingsInput(settingsDraftOf(view, timeZone), timeZone);
  if (!a.input || !b.input) return false;
  return JSON.stringify(a.input) === JSON.stringify(b.input);
}
