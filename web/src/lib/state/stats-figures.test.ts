import { describe, expect, test } from 'vitest';
import { addDays, busiestDay, everyDay, hoursMinutes, isDay, perHour, periodProblem, presetOf, presetPeriod, ratio, todayIn } from './stats-figures';

const row = (day: string, dials: number, conversations = 0, recruits = 0) => ({
  day,
  dials,
  reached: 0,
  conversations,
  recruits,
  volunteers: 0,
  events: 0,
  supporters: 0,
  doNotCall: 0,
  wrongNumbers: 0,
  talkSeconds: 0,
  callerHours: 0,
  rates: { reachedPerDial: null, recruitsPerConversation: null, callsPerCallerHour: null },
});

describe('periods', () => {
  test('quick choices end today; last 30 days holds 30 days', () => {
    expect(presetPeriod('this-year', '2026-10-04')).toEqual({ from: '2026-01-01', to: '2026-10-04' });
    expect(presetPeriod('this-month', '2026-10-04')).toEqual({ from: '2026-10-01', to: '2026-10-04' });
    expect(presetPeriod('last-30-days', '2026-03-01')).toEqual({ from: '2026-01-31', to: '2026-03-01' });
  });

  test('a period is recognised as its quick choice; this year wins in January', () => {
    expect(presetOf({ from: '2026-09-05', to: '2026-10-04' }, '2026-10-04')).toBe('last-30-days');
    expect(presetOf({ from: '2026-01-01', to: '2026-01-20' }, '2026-01-20')).toBe('this-year');
    expect(presetOf({ from: '2026-01-01', to: '2026-10-03' }, '2026-10-04')).toBeNull();
  });

  test('today is the organisation’s day, not the browser’s', () => {
    const lateEvening = new Date('2026-12-31T23:30:00Z');
    expect(todayIn('Europe/Stockholm', lateEvening)).toBe('2027-01-01');
    expect(todayIn('America/New_York', lateEvening)).toBe('2026-12-31');
  });

  test('days typed in are checked as the server checks them', () => {
    expect(isDay('2026-02-29')).toBe(false);
    expect(isDay('2028-02-29')).toBe(true);
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(periodProblem({ from: '', to: '2026-01-01' })).toBe('from-missing');
    expect(periodProblem({ from: '2026-01-02', to: '2026-01-01' })).toBe('order');
    expect(periodProblem({ from: '2020-01-01', to: '2026-01-01' })).toBe('too-long');
    expect(periodProblem({ from: '2026-01-01', to: '2026-01-01' })).toBeNull();
  });
});

describe('figures in words', () => {
  test('talk time as h:mm', () => {
    expect(hoursMinutes(0)).toBe('0:00');
    expect(hoursMinutes(59)).toBe('0:00');
    expect(hoursMinutes(3 * 3600 + 5 * 60 + 30)).toBe('3:05');
    expect(hoursMinutes(125 * 3600)).toBe('125:00');
  });

  test('rates as a person says them', () => {
    expect(ratio(null)).toEqual({ kind: 'no-data' });
    expect(ratio(0)).toEqual({ kind: 'none' });
    expect(ratio(0.2)).toEqual({ kind: 'one-in', n: 5 });
    expect(ratio(0.333)).toEqual({ kind: 'one-in', n: 3 });
    expect(ratio(0.5)).toEqual({ kind: 'one-in', n: 2 });
    expect(ratio(0.667)).toEqual({ kind: 'in-ten', n: 7 });
    expect(ratio(0.97)).toEqual({ kind: 'in-hundred', n: 97 });
    expect(ratio(0.999)).toEqual({ kind: 'in-hundred', n: 99 });
    expect(ratio(1)).toEqual({ kind: 'all' });
    expect(ratio(1.25)).toEqual({ kind: 'more', n: 1.3 });
    expect(perHour(28.4)).toBe(28);
    expect(perHour(7.25)).toBe(7.3);
  });
});

describe('days', () => {
  test('every day of the period, days without calls as zeros', () => {
    const days = everyDay([row('2026-10-02', 5, 2, 1)], { from: '2026-10-01', to: '2026-10-03' });
    expect(days).toEqual([
      { day: '2026-10-01', dials: 0, conversations: 0, recruits: 0 },
      { day: '2026-10-02', dials: 5, conversations: 2, recruits: 1 },
      { day: '2026-10-03', dials: 0, conversations: 0, recruits: 0 },
    ]);
  });

  test('the busiest day is the first with the most calls; none without calls', () => {
    expect(busiestDay([row('2026-10-03', 4), row('2026-10-01', 4), row('2026-10-02', 1)])).toEqual({ day: '2026-10-01', dials: 4 });
    expect(busiestDay([row('2026-10-03', 0)])).toBeNull();
  });
});
