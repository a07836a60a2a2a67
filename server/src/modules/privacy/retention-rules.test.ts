import { describe, expect, test } from 'vitest';
import { addMonths, answersDeleteAt, personDeleteAt } from './retention-rules';

const at = (iso: string) => new Date(iso);

describe('addMonths', () => {
  test('calendar months in UTC; the 31st becomes the last day of a shorter month', () => {
    expect(addMonths(at('2025-03-15T10:00:00Z'), 12).toISOString()).toBe('2026-03-15T10:00:00.000Z');
    expect(addMonths(at('2025-01-31T00:00:00Z'), 1).toISOString()).toBe('2025-02-28T00:00:00.000Z');
    expect(addMonths(at('2024-01-31T00:00:00Z'), 1).toISOString()).toBe('2024-02-29T00:00:00.000Z');
    expect(addMonths(at('2025-11-30T23:59:00Z'), 24).toISOString()).toBe('2027-11-30T23:59:00.000Z');
  });
});

describe('answers', () => {
  test('kept while the campaign runs; then the months after it finished', () => {
    expect(answersDeleteAt(null, 12)).toBeNull();
    expect(answersDeleteAt(at('2025-06-01T00:00:00Z'), 12)?.toISOString()).toBe('2026-06-01T00:00:00.000Z');
  });
});

describe('people', () => {
  const months = 24;
  test('after the last campaign that called them finished', () => {
    expect(personDeleteAt({ calledBy: [{ finishedAt: at('2025-01-01T00:00:00Z') }, { finishedAt: at('2025-05-01T00:00:00Z') }], listsImportedAt: [at('2024-01-01T00:00:00Z')], createdAt: at('2023-06-01T00:00:00Z'), onRunningCampaign: false, months })).toEqual({
      deleteAt: at('2027-05-01T00:00:00Z'),
      after: 'last-campaign',
    });
  });
  test('never called: after the newest import of their lists', () => {
    expect(personDeleteAt({ calledBy: [], listsImportedAt: [at('2024-01-01T00:00:00Z'), at('2024-03-01T00:00:00Z')], createdAt: at('2023-06-01T00:00:00Z'), onRunningCampaign: false, months })).toEqual({
      deleteAt: at('2026-03-01T00:00:00Z'),
      after: 'last-import',
    });
  });
  test('on no list any more (their lists were deleted) and never called: after they came into Ringa', () => {
    expect(personDeleteAt({ calledBy: [], listsImportedAt: [], createdAt: at('2024-02-10T08:00:00Z'), onRunningCampaign: false, months })).toEqual({
      deleteAt: at('2026-02-10T08:00:00Z'),
      after: 'last-import',
    });
  });
  test('not while a running campaign uses their list, nor while a campaign that called them is unfinished', () => {
    expect(personDeleteAt({ calledBy: [], listsImportedAt: [at('2020-01-01T00:00:00Z')], createdAt: at('2023-06-01T00:00:00Z'), onRunningCampaign: true, months })).toEqual({ deleteAt: null, because: 'running-campaign' });
    expect(personDeleteAt({ calledBy: [{ finishedAt: at('2020-01-01T00:00:00Z') }, { finishedAt: null }], listsImportedAt: [], createdAt: at('2023-06-01T00:00:00Z'), onRunningCampaign: false, months })).toEqual({
      deleteAt: null,
      because: 'unfinished-campaign',
    });
  });
});
