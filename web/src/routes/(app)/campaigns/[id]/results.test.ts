import { describe, expect, test } from 'vitest';
import { answerText, barWidth, byName, dayRangeText, goalOutcome, hourText, plainQuestion, shareOf, usedTagFigures } from './results';

describe('goalOutcome', () => {
  test('a goal met or passed is reached, by how much over; one not met says how far short', () => {
    expect(goalOutcome({ target: 20, value: 24 })).toEqual({ kind: 'reached', over: 4 });
    expect(goalOutcome({ target: 10, value: 10 })).toEqual({ kind: 'reached', over: 0 });
    expect(goalOutcome({ target: 10, value: 4 })).toEqual({ kind: 'short', short: 6, share: 0.4 });
    expect(goalOutcome({ target: 10, value: 0 })).toEqual({ kind: 'short', short: 10, share: 0 });
  });
});

describe('plainQuestion', () => {
  const names: Record<string, string> = { first_name: 'First name' };
  const fieldName = (field: string) => names[field] ?? field;

  test('names merge fields and drops Markdown emphasis and links', () => {
    expect(plainQuestion('Would **{first_name}** like to become a member?', fieldName)).toBe('Would [First name] like to become a member?');
    expect(plainQuestion('Does *{attr:Ort}* need a [bus](https://example.org)?', fieldName)).toBe('Does [Ort] need a bus?');
    expect(plainQuestion('Is 5 * 3 more than 2?', fieldName)).toBe('Is 5 * 3 more than 2?');
  });
});

describe('shares and bars', () => {
  test('a share of nothing is unknown; bars are relative to the largest, a sliver for anything above none', () => {
    expect(shareOf(3, 0)).toBeNull();
    expect(shareOf(5, 8)).toBe(0.625);
    expect(barWidth(0, 10)).toBe(0);
    expect(barWidth(10, 10)).toBe(100);
    expect(barWidth(1, 1000)).toBe(1.5);
    expect(barWidth(5, 0)).toBe(0);
  });
});

describe('words for answers, hours and callers', () => {
  test('yes/no values read as words, choices by their label', () => {
    const words = { yes: 'Ja', no: 'Nej' };
    expect(answerText({ value: 'true' }, words)).toBe('Ja');
    expect(answerText({ value: 'false' }, words)).toBe('Nej');
    expect(answerText({ value: 'maybe', label: 'Kanske' }, words)).toBe('Kanske');
    expect(answerText({ value: 'maybe', label: ' ' }, words)).toBe('maybe');
  });

  test('an hour in the organisation’s time zone, and callers by name', () => {
    expect(hourText('2026-10-04T16:00:00.000Z', 'Europe/Stockholm', 'sv-SE')).toBe('18:00–19:00');
    expect(byName([{ name: 'Örjan' }, { name: 'Anna' }, { name: 'Åsa' }], 'sv-SE').map((row) => row.name)).toEqual(['Anna', 'Åsa', 'Örjan']);
  });
});

describe('days and the figures shown', () => {
  test('the days with calls as one range', () => {
    expect(dayRangeText('2026-10-04', '2026-10-25', 'en-GB')).toMatch(/^4\s?–\s?25 Oct 2026$/);
    expect(dayRangeText('2026-10-04', '2026-10-04', 'en-GB')).toBe('4 Oct 2026');
  });

  test('a tag’s figure is shown when calls counted for it or a goal asks for it', () => {
    const totals = { volunteers: 0, events: 2, supporters: 0 } as Parameters<typeof usedTagFigures>[0];
    expect(usedTagFigures(totals, [])).toEqual(['events']);
    expect(usedTagFigures(totals, [{ metric: 'supporters' }])).toEqual(['events', 'supporters']);
  });
});
