import type { CallingWindowValue } from './campaigns.schemas';
import { DEFAULT_WINDOW } from './outcomes';

type Day = 'sun' | 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat';

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The weekday and minute of the day at `instant` in `timeZone`, daylight saving included. */
export function localTime(instant: Date, timeZone: string): { day: Day; minute: number } {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(timeZone, format);
  }
  let day: Day = 'mon';
  let hour = 0;
  let minute = 0;
  for (const part of format.formatToParts(instant)) {
    if (part.type === 'weekday') day = part.value.slice(0, 3).toLowerCase() as Day;
    else if (part.type === 'hour') hour = Number(part.value);
    else if (part.type === 'minute') minute = Number(part.value);
  }
  return { day, minute: hour * 60 + minute };
}

function minutes(clock: string): number {
  const [hours, mins] = clock.split(':');
  return Number(hours) * 60 + Number(mins);
}

/** Whether calls may be made at `instant`: inside one of the day's spans, start included, end not. */
export function insideWindow(window: CallingWindowValue, timeZone: string, instant: Date): boolean {
  const { day, minute } = localTime(instant, timeZone);
  return window[day].some(([from, to]) => minute >= minutes(from) && minute < minutes(to));
}

/** Whether the window reaches outside the normal hours (DOMAIN's, or the country's), which the editor warns about. */
export function outsideNormalHours(window: CallingWindowValue, normal: CallingWindowValue = DEFAULT_WINDOW): boolean {
  return (Object.keys(window) as (keyof CallingWindowValue)[]).some((day) =>
    window[day].some(([from, to]) => !normal[day].some(([normalFrom, normalTo]) => minutes(from) >= minutes(normalFrom) && minutes(to) <= minutes(normalTo))),
  );
}

/** Spans that end before they start are refused rather than read as overnight. */
export function windowProblem(window: CallingWindowValue): string | null {
  for (const day of Object.keys(window) as (keyof CallingWindowValue)[]) {
    for (const [from, to] of window[day]) {
      if (minutes(to) <= minutes(from)) return `The calling hours on ${day} end (${to}) before they start (${from}).`;
    }
  }
  return null;
}

/**
 * When calling opens next, at or after `from`: `from` itself when it is inside the window, else the
 * start of the next span (looked for up to eight days ahead); null when the window has no span at all.
 * Jumps from span to span rather than minute by minute.
 */
export function nextOpening(window: CallingWindowValue, timeZone: string, from: Date): Date | null {
  let instant = new Date(Math.ceil(from.getTime() / 60_000) * 60_000);
  if (insideWindow(window, timeZone, from)) return from;
  for (let step = 0; step < 40; step++) {
    if (insideWindow(window, timeZone, instant)) return instant;
    const { day, minute } = localTime(instant, timeZone);
    const later = window[day].map(([start]) => minutes(start)).filter((start) => start > minute);
    const target = later.length > 0 ? Math.min(...later) : 24 * 60;
    instant = new Date(instant.getTime() + (target - minute) * 60_000);
    // Across a daylight-saving change the same day's clock moved by the difference: put it right.
    const landed = localTime(instant, timeZone);
    if (target < 24 * 60 && landed.day === day && landed.minute !== target) instant = new Date(instant.getTime() - (landed.minute - target) * 60_000);
    if (instant.getTime() - from.getTime() > 8 * 86_400_000) return null;
  }
  return null;
}
