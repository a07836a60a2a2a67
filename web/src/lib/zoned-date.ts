// Calendar dates in an organisation's time zone, whatever the browser's: a campaign "from 4 to
// 25 October" in Stockholm starts at midnight Stockholm time on the 4th and ends at midnight after
// the 25th.

const formatters = new Map<string, Intl.DateTimeFormat>();

function parts(instant: Date, timeZone: string): { year: number; month: number; day: number; hour: number; minute: number; second: number } {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
    formatters.set(timeZone, format);
  }
  const out = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const part of format.formatToParts(instant)) {
    if (part.type in out) out[part.type as keyof typeof out] = Number(part.value);
  }
  return out;
}

/** How far the zone's clock is ahead of UTC at `instant`, in milliseconds. */
function offset(instant: Date, timeZone: string): number {
  const p = parts(instant, timeZone);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(instant.getTime() / 1000) * 1000;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Midnight at the start of `date` (YYYY-MM-DD) in the zone, as an ISO instant; `days` moves the date first. */
export function startOfDate(date: string, timeZone: string, days = 0): string | null {
  const match = DATE.exec(date);
  if (!match) return null;
  const wall = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]) + days);
  if (Number.isNaN(wall)) return null;
  // The offset at the guess, then again at the answer: a daylight-saving change may lie between.
  let instant = wall - offset(new Date(wall), timeZone);
  instant = wall - offset(new Date(instant), timeZone);
  return new Date(instant).toISOString();
}

/** The date (YYYY-MM-DD) of an instant in the zone. */
export function dateIn(iso: string, timeZone: string): string {
  const p = parts(new Date(iso), timeZone);
  return `${String(p.year).padStart(4, '0')}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
}

/** The last day of a period that ends (exclusively) at `endsAt`. */
export function lastDateBefore(endsAt: string, timeZone: string): string {
  return dateIn(new Date(new Date(endsAt).getTime() - 1).toISOString(), timeZone);
}
