import { expect, test } from 'vitest';
import { NumberIndex } from './number-index';

test('the first row of each number; a repeat gets that row, however many numbers it holds', () => {
  const index = new NumberIndex(4); // grows many times on the way
  const first = new Map<string, number>();
  let repeats = 0;
  for (let row = 2; row < 200_000; row++) {
    // Swedish and Danish numbers, close together so that many share their high digits, a third repeated.
    const e164 = row % 3 === 0 ? `+4670${String((row * 7) % 50_000).padStart(7, '0')}` : `+45${String(20_000_000 + row)}`;
    const expected = first.get(e164);
    if (expected === undefined) first.set(e164, row);
    else repeats += 1;
    expect(index.firstOrAdd(e164, row)).toBe(expected);
  }
  expect(index.size).toBe(first.size);
  expect(repeats).toBeGreaterThan(10_000);
  // The longest numbers E.164 allows stay apart.
  expect(index.firstOrAdd('+123456789012345', 1)).toBeUndefined();
  expect(index.firstOrAdd('+123456789012344', 2)).toBeUndefined();
  expect(index.firstOrAdd('+123456789012345', 3)).toBe(1);
});
