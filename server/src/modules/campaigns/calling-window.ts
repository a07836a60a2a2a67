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
