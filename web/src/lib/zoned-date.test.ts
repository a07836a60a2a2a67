import { expect, test } from 'vitest';
import { dateIn, lastDateBefore, startOfDate } from './zoned-date';

test('midnight in Stockholm, in summer and winter time', () => {
  expect(startOfDate('2026-10-04', 'Europe/Stockholm')).toBe('2026-10-03T22:00:00.000Z');
  expect(startOfDate('2026-12-01', 'Europe/Stockholm')).toBe('2026-11-30T23:00:00.000Z');
  // The period's end: midnight after the last day, across the change to winter time on 25 October.
  expect(startOfDate('2026-10-25', 'Europe/Stockholm', 1)).toBe('2026-10-25T23:00:00.000Z');
  expect(startOfDate('2026-10-31', 'Europe/Stockholm', 1)).toBe('2026-10-31T23:00:00.000Z');
  expect(startOfDate('not a date', 'Europe/Stockholm')).toBeNull();
});

test('dates read back in the zone, whatever the browser’s own', () => {
  expect(dateIn('2026-10-03T22:00:00.000Z', 'Europe/Stockholm')).toBe('2026-10-04');
  expect(dateIn('2026-10-03T22:00:00.000Z', 'UTC')).toBe('2026-10-03');
  expect(lastDateBefore('2026-10-25T23:00:00.000Z', 'Europe/Stockholm')).toBe('2026-10-25');
  expect(lastDateBefore('2026-12-31T23:00:00.000Z', 'Europe/Copenhagen')).toBe('2026-12-31');
});
