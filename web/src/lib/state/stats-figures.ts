// The results page's arithmetic, kept apart from the screen: periods of local days, talk time as h:mm,
// rates as plain phrases ("1 in 5"), and the days of a period with their figures, none left out.
import type { GoalProgress, OrganisationStats } from '$contract/api';
import { dateIn } from '../zoned-date';

/** What a goal counts, and where it stands. */
export type ResultsGoalMetric = GoalProgress['metric'];
export type GoalStatus = GoalProgress['status'];
export const GOAL_METRICS: readonly ResultsGoalMetric[] = ['recruits', 'conversations', 'dials', 'reached', 'volunteers', 'events', 'supporters', 'activeCallers'];

export type PeriodPreset = 'this-month' | 'last-30-days' | 'this-year';
export const PERIOD_PRESETS: readonly PeriodPreset[] = ['this-month', 'last-30-days', 'this-year'];

export interface Period {
  from: string;
  to: string;
}

/** The longest period the server answers for (days), as it counts them. */
export const MAX_PERIOD_DAYS = 3 * 366;

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A real calendar day written YYYY-MM-DD (not 2026-02-30). */
export function isDay(value: string): boolean {
  const match = DAY.exec(value);
  if (!match) return false;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return date.toISOString().slice(0, 10) === value;
}

function dayNumber(day: string): number {
  return Math.round(Date.parse(`${day}T00:00:00Z`) / 86_400_000);
}

/** The day `days` after (or before) a day. */
export function addDays(day: string, days: number): string {
  return new Date((dayNumber(day) + days) * 86_400_000).toISOString().slice(0, 10);
}

/** How many days a period holds, both ends counted. */
export function daysIn(period: Period): number {
  return dayNumber(period.to) - dayNumber(period.from) + 1;
}

/** Today in the organisation's time zone. */
export function todayIn(timeZone: string, now: Date = new Date()): string {
  return dateIn(now.toISOString(), timeZone);
}

/** The days of a quick choice, until today. */
export function presetPeriod(preset: PeriodPreset, today: string): Period {
  switch (preset) {
    case 'this-month':
      return { from: `${today.slice(0, 7)}-01`, to: today };
    case 'last-30-days':
      return { from: addDays(today, -29), to: today };
    case 'this-year':
      return { from: `${today.slice(0, 4)}-01-01`, to: today };
  }
}

/** The quick choice a period is, if it is one. This year wins over this month in January. */
export function presetOf(period: Period, today: string): PeriodPreset | null {
  for (const preset of ['this-year', 'this-month', 'last-30-days'] as const) {
    const candidate = presetPeriod(preset, today);
    if (candidate.from === period.from && candidate.to === period.to) return preset;
  }
  return null;
}

export type PeriodProblem = 'from-missing' | 'to-missing' | 'order' | 'too-long';

/** What is wrong with a period typed in, or null when the server will take it. */
export function periodProblem(period: Period): PeriodProblem | null {
  if (!isDay(period.from)) return 'from-missing';
  if (!isDay(period.to)) return 'to-missing';
  if (period.from > period.to) return 'order';
  if (daysIn(period) > MAX_PERIOD_DAYS) return 'too-long';
  return null;
}

/** Seconds as hours and minutes, "12:05" (minutes rounded down). */
export function hoursMinutes(seconds: number): string {
  const minutes = Math.floor(Math.max(0, seconds) / 60);
  return `${Math.floor(minutes / 60)}:${String(minutes % 60).padStart(2, '0')}`;
}

/**
 * A share as people say it: "1 in 5" up to a half, "7 in 10" above, "96 in 100" when tenths would
 * round it to all, "all" only when it is all; "more" past one (1.5 recruits per conversation).
 */
export type Ratio =
  | { kind: 'no-data' }
  | { kind: 'none' }
  | { kind: 'one-in'; n: number }
  | { kind: 'in-ten'; n: number }
  | { kind: 'in-hundred'; n: number }
  | { kind: 'all' }
  | { kind: 'more'; n: number };

export function ratio(rate: number | null): Ratio {
  if (rate === null || !Number.isFinite(rate)) return { kind: 'no-data' };
  if (rate <= 0) return { kind: 'none' };
  if (rate === 1) return { kind: 'all' };
  if (rate > 1) return { kind: 'more', n: Math.round(rate * 10) / 10 };
  if (rate <= 0.5) return { kind: 'one-in', n: Math.round(1 / rate) };
  const tenths = Math.round(rate * 10);
  if (tenths < 10) return { kind: 'in-ten', n: tenths };
  return { kind: 'in-hundred', n: Math.min(99, Math.round(rate * 100)) };
}

/** Calls per caller-hour, rounded as a person would say it: whole numbers from ten up. */
export function perHour(rate: number): number {
  return rate >= 10 ? Math.round(rate) : Math.round(rate * 10) / 10;
}

/** A share as a whole percentage; null with nothing to divide by. */
export function percent(rate: number | null): number | null {
  return rate === null ? null : Math.round(rate * 100);
}

export interface DayFigures {
  day: string;
  dials: number;
  conversations: number;
  recruits: number;
}

/** Every day of the period with its calls, conversations and recruits; days without calls as zeros. */
export function everyDay(series: OrganisationStats['series'], period: Period): DayFigures[] {
  const byDay = new Map(series.map((row) => [row.day, row]));
  const days = Math.min(daysIn(period), MAX_PERIOD_DAYS);
  const out: DayFigures[] = [];
  for (let index = 0; index < days; index++) {
    const day = addDays(period.from, index);
    const row = byDay.get(day);
    out.push({ day, dials: row?.dials ?? 0, conversations: row?.conversations ?? 0, recruits: row?.recruits ?? 0 });
  }
  return out;
}

/** The day with the most calls (the first of equals), or null when no day has any. */
export function busiestDay(series: OrganisationStats['series']): { day: string; dials: number } | null {
  let best: { day: string; dials: number } | null = null;
  for (const row of series) {
    if (row.dials > 0 && (best === null || row.dials > best.dials || (row.dials === best.dials && row.day < best.day))) best = { day: row.day, dials: row.dials };
  }
  return best;
}
