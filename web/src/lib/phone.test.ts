import { expect, test } from 'vitest';
import { phoneAsKnown, phoneInternational } from './phone';

test('numbers in the national form people know, per country', () => {
  expect(phoneAsKnown('+46700054856')).toBe('070-005 48 56');
  expect(phoneAsKnown('+46812345678')).toBe('08-123 456 78');
  expect(phoneAsKnown('+4581187629')).toBe('81 18 76 29');
  // libphonenumber writes Norwegian numbers in pairs, mobiles too.
  expect(phoneAsKnown('+4791234567', 'NO')).toBe('91 23 45 67');
  expect(phoneAsKnown('+358401234567', 'FI')).toBe('040 1234567');
});

test("a number from another country than the reader's is shown internationally; the international form is spaced for reading", () => {
  expect(phoneAsKnown('+4581187629', 'SE')).toBe('+45 81 18 76 29');
  expect(phoneAsKnown('+46700054856', 'SE')).toBe('070-005 48 56');
  expect(phoneInternational('+46700054856')).toBe('+46 70 005 48 56');
  expect(phoneAsKnown('not a number')).toBe('not a number');
});
