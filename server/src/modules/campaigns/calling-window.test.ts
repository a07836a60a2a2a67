import { describe, expect, test } from 'vitest';
import { insideWindow, localTime, nextOpening, outsideNormalHours, windowProblem } from './calling-window';
import { ALWAYS_WINDOW, DEFAULT_WINDOW } from './outcomes';

const STOCKHOLM = 'Europe/Stockholm';

describe('the calling window, in the organisation’s time zone', () => {
  test('weekday 09:00 is inside, 08:59 and 20:00 are not (Stockholm in winter is UTC+1)', () => {
    // Monday 2026-11-23.
    expect(insideWindow(DEFAULT_WINDOW, STOCKHOLM, new Date('2026-11-23T08:00:00Z'))).toBe(true); // 09:00
    expect(insideWindow(DEFAULT_WINDOW, STOCKHOLM, new Date('2026-11-23T07:59:00Z'))).toBe(false); // 08:59
    expect(insideWindow(DEFAULT_WINDOW, STOCKHOLM, new Date('2026-11-23T18:59:00Z'))).toBe(true); // 19:59
    expect(insideWindow(DEFAULT_WINDOW, STOCKHOLM, new Date('2026-11-23T19:00:00Z'))).toBe(false); // 20:00
  });

  test('the weekend has its own hours, 11–17', () => {
    // Saturday 2026-11-28, 10:30 and 11:30 local.
    expect(insideWindow(DEFAULT_WINDOW, STOCKHOLM, new Date('2026-11-28T09:30:00Z'))).toBe(false);
    expect(insideWindow(DEFAULT_WINDOW, STOCKHOLM, new Date('2026-11-28T10:30:00Z'))).toBe(true);
  });

  test('across the daylight-saving change the local hour counts, not UTC', () => {
    // Sunday 2026-03-29 clocks go from 02:00 to 03:00 in Stockholm (UTC+1 → UTC+2).
    // 10:30 UTC on Saturday 28 March is 11:30 local (UTC+1): inside. 09:30 UTC on Sunday 29 March is 11:30 local (UTC+2): inside.
    expect(insideWindow(DEFAULT_WINDOW, STOCKHOLM, new Date('2026-03-28T10:30:00Z'))).toBe(true);
    expect(insideWindow(DEFAULT_WINDOW, STOCKHOLM, new Date('2026-03-29T09:30:00Z'))).toBe(true);
    // 15:30 UTC: Saturday 16:30 local (inside), Sunday 17:30 local (outside).
    expect(insideWindow(DEFAULT_WINDOW, STOCKHOLM, new Date('2026-03-28T15:30:00Z'))).toBe(true);
    expect(insideWindow(DEFAULT_WINDOW, STOCKHOLM, new Date('2026-03-29T15:30:00Z'))).toBe(false);
    expect(localTime(new Date('2026-03-29T15:30:00Z'), STOCKHOLM)).toEqual({ day: 'sun', minute: 17 * 60 + 30 });
  });

  test('Copenhagen and Stockholm share a zone; a window open all day is open at midnight', () => {
    expect(insideWindow(ALWAYS_WINDOW, 'Europe/Copenhagen', new Date('2026-11-23T23:00:00Z'))).toBe(true);
  });

  test('a window outside the usual hours is flagged for a warning; one that ends before it starts is refused', () => {
    expect(outsideNormalHours(DEFAULT_WINDOW)).toBe(false);
    expect(outsideNormalHours({ ...DEFAULT_WINDOW, mon: [['18:00', '21:00']] })).toBe(true);
    expect(outsideNormalHours({ ...DEFAULT_WINDOW, sat: [] })).toBe(false);
    expect(windowProblem({ ...DEFAULT_WINDOW, tue: [['20:00', '09:00']] })).toMatch(/tue/);
    expect(windowProblem(DEFAULT_WINDOW)).toBeNull();
  });
});

describe('nextOpening', () => {
  const zone = 'Europe/Stockholm';
  test('inside the window: now; before it opens: today at the start; after it closes: the next day with a span', () => {
    // Friday 5 December 2025: 12:00 and 07:30 and 21:00 local (UTC+1).
    expect(nextOpening(DEFAULT_WINDOW, zone, new Date('2025-12-05T11:00:00Z'))?.toISOString()).toBe('2025-12-05T11:00:00.000Z');
    expect(nextOpening(DEFAULT_WINDOW, zone, new Date('2025-12-05T06:30:00Z'))?.toISOString()).toBe('2025-12-05T08:00:00.000Z');
    // Friday 21:00 → Saturday 11:00 local.
    expect(nextOpening(DEFAULT_WINDOW, zone, new Date('2025-12-05T20:00:00Z'))?.toISOString()).toBe('2025-12-06T10:00:00.000Z');
    // A weekday-only window, Friday evening → Monday 09:00.
    const weekdays = { ...DEFAULT_WINDOW, sat: [], sun: [] };
    expect(nextOpening(weekdays, zone, new Date('2025-12-05T20:00:00Z'))?.toISOString()).toBe('2025-12-08T08:00:00.000Z');
  });

  test('across a change to summer time the opening is at the local hour; a window with no span never opens', () => {
    // Saturday 28 March 2026 20:00 local (UTC+1) → Sunday 29 March 11:00 local, now UTC+2.
    expect(nextOpening(DEFAULT_WINDOW, zone, new Date('2026-03-28T19:00:00Z'))?.toISOString()).toBe('2026-03-29T09:00:00.000Z');
    const never = { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] };
    expect(nextOpening(never, zone, new Date('2025-12-05T20:00:00Z'))).toBeNull();
  });
});
