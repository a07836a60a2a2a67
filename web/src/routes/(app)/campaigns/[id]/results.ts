// A campaign's results in words and shapes, shared by its Results tab and its evaluation report so the
// two agree: shares, how far a goal came, bar widths, a question as plain text, hours and days as
// people read them. No state and no texts of their own: the screens pass the words in.
import type { CampaignStats } from '$contract/api';

export type CampaignFigures = CampaignStats['totals'];
export type QuestionBreakdown = CampaignStats['answers'][number];
export type CampaignGoalProgress = CampaignStats['goals'][number];

/** A part of a whole (0 to 1 and more); null with nothing to divide by. */
export function shareOf(part: number, whole: number): number | null {
  return whole > 0 ? part / whole : null;
}

/** How wide a bar is drawn, in percent of the largest value; any value above nothing shows a sliver. */
export function barWidth(value: number, largest: number): number {
  if (value <= 0 || largest <= 0) return 0;
  return Math.max(1.5, Math.min(100, Math.round((value / largest) * 1000) / 10));
}

export type GoalOutcome = { kind: 'reached'; over: number } | { kind: 'short'; short: number; share: number };

/** A goal against its figure: reached (and by how much over), or how far short. */
export function goalOutcome(goal: Pick<CampaignGoalProgress, 'target' | 'value'>): GoalOutcome {
  if (goal.value >= goal.target) return { kind: 'reached', over: goal.value - goal.target };
  return { kind: 'short', short: goal.target - goal.value, share: goal.target > 0 ? goal.value / goal.target : 0 };
}

const FIELD = /\{([^{}\n]{1,200})\}/g;

/**
 * A question as plain text for a table or a printout: merge fields named ("{first_name}" becomes
 * "[First name]", "{attr:Ort}" "[Ort]"), Markdown's emphasis and link syntax dropped.
 */
export function plainQuestion(text: string, fieldName: (field: string) => string): string {
  return text
    .replace(FIELD, (_match, inner: string) => {
      const name = inner.trim();
      const attribute = /^attr:(.+)$/s.exec(name)?.[1]?.trim();
      return `[${attribute ?? fieldName(name)}]`;
    })
    .replace(/\[([^\]\n]+)\]\((?:[^)\s]+)\)/g, '$1')
    .replace(/(\*{1,3}|_{2,3})(\S(?:[^\n]*?\S)?)\1/g, '$2')
    .replace(/`([^`\n]+)`/g, '$1')
    .replace(/^#{1,6}\s+/, '')
    .trim();
}

/** An answer's words: yes and no for a yes/no question, the choice's label otherwise. */
export function answerText(count: Pick<QuestionBreakdown['counts'][number], 'value' | 'label'>, words: { yes: string; no: string }): string {
  if (count.value === 'true') return words.yes;
  if (count.value === 'false') return words.no;
  return count.label?.trim() || count.value;
}

/** A local day (YYYY-MM-DD) as people write it, with or without the weekday. */
export function dayText(day: string, locale: string, weekday = false): string {
  const [year, month, date] = day.split('-').map(Number);
  const instant = new Date(Date.UTC(year ?? 1970, (month ?? 1) - 1, date ?? 1));
  const options: Intl.DateTimeFormatOptions = weekday
    ? { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' }
    : { dateStyle: 'medium', timeZone: 'UTC' };
  return new Intl.DateTimeFormat(locale, options).format(instant);
}

/** The first and last day with calls as one range, "21–22 Nov 2026". */
export function dayRangeText(first: string, last: string, locale: string): string {
  const at = (day: string) => {
    const [year, month, date] = day.split('-').map(Number);
    return new Date(Date.UTC(year ?? 1970, (month ?? 1) - 1, date ?? 1));
  };
  const format = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' });
  return first === last ? format.format(at(first)) : format.formatRange(at(first), at(last));
}

const TAG_FIGURES = ['volunteers', 'events', 'supporters'] as const;
export type TagFigure = (typeof TAG_FIGURES)[number];

/** The figures of the tags a campaign uses: any call counted for one, or a goal set for it. */
export function usedTagFigures(totals: CampaignFigures, goals: readonly Pick<CampaignGoalProgress, 'metric'>[]): TagFigure[] {
  return TAG_FIGURES.filter((key) => totals[key] > 0 || goals.some((goal) => goal.metric === key));
}

/** An hour of the day in the organisation's time zone, "18:00–19:00". */
export function hourText(iso: string, timeZone: string, locale: string): string {
  const format = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', hour12: false, timeZone });
  const start = new Date(iso);
  return `${format.format(start)}–${format.format(new Date(start.getTime() + 3_600_000))}`;
}

/** Callers listed by name, so the order says nothing about who called most. */
export function byName<Row extends { name: string }>(rows: readonly Row[], locale: string): Row[] {
  return [...rows].sort((a, b) => a.name.localeCompare(b.name, locale));
}

/** Seconds as whole hours and minutes. */
export function hoursAndMinutes(seconds: number): { hours: number; minutes: number } {
  const minutes = Math.floor(Math.max(0, seconds) / 60);
  return { hours: Math.floor(minutes / 60), minutes: minutes % 60 };
}
