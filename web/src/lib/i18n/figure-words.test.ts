// One word per figure: the calls someone answered are called the same on the dashboard, the campaign
// page, its report, the goals and the tables, in every language (it was "Nådde någon" here, "Svarade" there).
import { expect, test } from 'vitest';
import { da } from './da';
import { en } from './en';
import { sv } from './sv';

test.each([
  ['sv', sv, 'Svarade'],
  ['da', da, 'Besvaret'],
  ['en', en, 'Answered'],
] as const)('%s: the answered calls have one name everywhere', (_language, messages, word) => {
  expect([
    messages.results.totals.reached,
    messages.results.columns.reached,
    messages.results.goals.metrics.reached,
    messages.campaignResults.figures.reached,
    messages.campaignResults.answered,
  ]).toEqual([word, word, word, word, word]);
});
