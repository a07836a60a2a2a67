import { expect, test } from 'vitest';
import { checkCountries } from './country-check';

const rows = (numbers: string[]) => numbers.map((number) => ['Namn', number]);

test('Danish numbers, half of them without +45: Denmark is suggested instead of Sweden, Norway or Finland, and nothing instead of Denmark', () => {
  const danish = rows([...Array.from({ length: 9 }, (_, i) => `2${i}345678`), ...Array.from({ length: 11 }, (_, i) => `+45 6${i % 10} 12 34 56`)]);
  const check = checkCountries(danish, [1]);
  expect(check.sampled).toBe(20);
  expect(check.readable.DK).toBe(20);
  expect(check.readable.SE).toBe(11);
  expect(check.suggestions).toMatchObject({ SE: 'DK', DK: null });
});

test('a Swedish list with a few bad numbers suggests nothing; read as Danish, Sweden is suggested', () => {
  const swedish = rows([...Array.from({ length: 18 }, (_, i) => `070-12${i % 10} 45 6${i % 10}`), '123', 'abc']);
  const check = checkCountries(swedish, [1]);
  expect(check.readable.SE).toBe(18);
  expect(check.suggestions.SE).toBeNull();
  expect(check.suggestions.DK).toBe('SE');
});

test('rows without a number are not counted, and an empty sample suggests nothing', () => {
  expect(checkCountries([['Anna', ''], ['Bo', '']], [1])).toEqual({
    sampled: 0,
    readable: { SE: 0, DK: 0, NO: 0, FI: 0 },
    suggestions: { SE: null, DK: null, NO: null, FI: null },
  });
});
