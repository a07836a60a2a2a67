import { describe, expect, test } from 'vitest';
import { AppError } from '../../errors';
import { checkListSource, sourceOf } from './list-source';

const TODAY = '2026-03-02';

function refusal(input: Parameters<typeof checkListSource>[0]): string {
  try {
    checkListSource(input, TODAY);
  } catch (error) {
    if (error instanceof AppError && error.statusCode === 400) return error.code;
    throw error;
  }
  throw new Error('accepted');
}

describe('checkListSource', () => {
  test('a broker needs its name and the day bought, today at the latest; the name is trimmed', () => {
    expect(checkListSource({ kind: 'broker', name: ' Adressbolaget AB ', date: '2026-03-02', basis: 'legitimate-interest' }, TODAY)).toEqual({
      kind: 'broker',
      name: 'Adressbolaget AB',
      date: '2026-03-02',
      basis: 'legitimate-interest',
    });
    expect(refusal({ kind: 'broker', date: '2026-03-01', basis: 'consent' })).toBe('source_name_required');
    expect(refusal({ kind: 'broker', name: 'A', basis: 'consent' })).toBe('source_date_required');
    expect(refusal({ kind: 'broker', name: 'A', date: '2026-03-03', basis: 'consent' })).toBe('source_date_in_future');
  });

  test('a date must be a real day, written YYYY-MM-DD', () => {
    expect(checkListSource({ kind: 'signup', date: '2024-02-29', basis: 'consent' }, TODAY).date).toBe('2024-02-29');
    for (const date of ['2026-02-29', '2026-13-01', '1/3 2026', '2026-3-1']) expect(refusal({ kind: 'signup', date, basis: 'consent' }), date).toBe('invalid_source_date');
  });

  test('the member register and sign-ups need neither name nor date; "other" needs a description', () => {
    expect(checkListSource({ kind: 'members', name: '', date: '', basis: 'members' }, TODAY)).toEqual({ kind: 'members', name: null, date: null, basis: 'members' });
    expect(refusal({ kind: 'other', name: '   ', basis: 'consent' })).toBe('source_name_required');
  });

  test('source and basis are required and must be known', () => {
    expect(refusal({ basis: 'members' })).toBe('source_required');
    expect(refusal({ kind: 'bought', basis: 'members' })).toBe('source_required');
    expect(refusal({ kind: 'members' })).toBe('basis_required');
    expect(refusal({ kind: 'members', basis: 'contract' })).toBe('basis_required');
  });

  test('a row with no source reads as not recorded', () => {
    expect(sourceOf({ sourceKind: null, sourceName: '', sourceDay: null, legalBasis: null })).toBeNull();
    expect(sourceOf({ sourceKind: 'members', sourceName: '', sourceDay: null, legalBasis: 'members' })).toEqual({ kind: 'members', name: null, date: null, basis: 'members' });
  });
});
