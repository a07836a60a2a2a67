import { expect, test } from 'vitest';
import { openingWords } from './opening';

test('today, tomorrow or the day and date, with the time in the reader’s language', () => {
  // The test runs on the machine's clock and zone: build the instants from local times.
  const now = new Date(2026, 9, 4, 19, 0);
  expect(openingWords(new Date(2026, 9, 4, 20, 30).toISOString(), now, 'sv-SE')).toEqual({ day: 'today', date: 'söndag 4 oktober', time: '20:30' });
  expect(openingWords(new Date(2026, 9, 5, 10, 0).toISOString(), now, 'sv-SE')).toMatchObject({ day: 'tomorrow', time: '10:00' });
  expect(openingWords(new Date(2026, 9, 7, 9, 0).toISOString(), now, 'sv-SE')).toEqual({ day: 'later', date: 'onsdag 7 oktober', time: '09:00' });
  expect(openingWords(new Date(2026, 9, 7, 9, 0).toISOString(), now, 'da-DK')).toMatchObject({ date: 'onsdag 7. oktober', time: '09.00' });
});
