import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { describe, expect, test } from 'vitest';
import type { Country } from '../../contract/api';
import { normalisePhone, normalisePhoneFast, normalisePhoneWithLibrary, type PhoneProblem } from './phone';
import { problemReasonText } from './problems.texts';

const valid = (e164: string, type: 'mobile' | 'fixed' | 'unknown') => ({ ok: true, e164, type });

describe('every way people write a Swedish number', () => {
  test.each([
    ['+46 70 123 45 67', '+46701234567'],
    ['+46701234567', '+46701234567'],
    ['0046701234567', '+46701234567'],
    ['0046 70 123 45 67', '+46701234567'],
    ['46701234567', '+46701234567'],
    ['070-123 45 67', '+46701234567'],
    ['070-1234567', '+46701234567'],
    ['0701234567', '+46701234567'],
    ['070 123 45 67', '+46701234567'],
    ['  070-123 45 67  ', '+46701234567'],
    ['+46 (0)70 123 45 67', '+46701234567'],
    ['073-577 30 61', '+46735773061'],
    ['0767392001', '+46767392001'],
    ['079-661 29 29', '+46796612929'],
    ['0721615468', '+46721615468'],
  ])('%s is the mobile %s', (raw, e164) => {
    expect(normalisePhone(raw, 'SE')).toEqual(valid(e164, 'mobile'));
  });

  test.each([
    ['(08) 123 456', '+468123456'],
    ['08-659 138 85', '+46865913885'],
    ['08-635 717 09', '+46863571709'],
    ['011-71 71 22', '+4611717122'],
    ['0920-545 67', '+4692054567'],
    ['+46 8 659 138 85', '+46865913885'],
  ])('%s is the fixed line %s', (raw, e164) => {
    expect(normalisePhone(raw, 'SE')).toEqual(valid(e164, 'fixed'));
  });
});

describe('Danish numbers', () => {
  test.each([
    ['20123456', '+4520123456'],
    ['20 12 34 56', '+4520123456'],
    ['+45 20 12 34 56', '+4520123456'],
    ['+4561373780', '+4561373780'],
    ['004521871043', '+4521871043'],
    ['0045 21 87 10 43', '+4521871043'],
    ['4520123456', '+4520123456'],
    ['81187629', '+4581187629'],
  ])('%s is %s, a series that is both fixed and mobile', (raw, e164) => {
    expect(normalisePhone(raw, 'DK')).toEqual(valid(e164, 'unknown'));
  });

  test('a Swedish mobile in a Danish list, written internationally, is the Swedish mobile', () => {
    expect(normalisePhone('+46 70 123 45 67', 'DK')).toEqual(valid('+46701234567', 'mobile'));
    expect(normalisePhone('0046701234567', 'DK')).toEqual(valid('+46701234567', 'mobile'));
  });

  test('invalid Danish numbers are refused', () => {
    expect(normalisePhone('20012345', 'DK')).toMatchObject({ ok: false, problem: 'invalid' }); // no 200 series
    expect(normalisePhone('01234567', 'DK')).toMatchObject({ ok: false });
    expect(normalisePhone('1234567', 'DK')).toMatchObject({ ok: false, problem: 'too-short' });
    expect(normalisePhone('ukendt', 'DK')).toMatchObject({ ok: false, problem: 'not-a-number' });
  });
});

describe('Norway and Finland go through the library', () => {
  test('Norwegian mobiles, national and international', () => {
    expect(normalisePhone('412 34 567', 'NO')).toEqual(valid('+4741234567', 'mobile'));
    expect(normalisePhone('+47 412 34 567', 'NO')).toEqual(valid('+4741234567', 'mobile'));
  });

  test('Finnish numbers have a trunk 0 like Swedish ones, so a missing 0 is a lost zero', () => {
    expect(normalisePhone('040 123 4567', 'FI')).toEqual(valid('+358401234567', 'mobile'));
    expect(normalisePhone('358401234567', 'FI')).toEqual(valid('+358401234567', 'mobile'));
    expect(normalisePhone('401234567', 'FI')).toMatchObject({ ok: false, problem: 'lost-leading-zero' });
  });
});

describe('numbers that cannot be used, each with its problem', () => {
  test.each<[string, PhoneProblem]>([
    ['', 'empty'],
    ['   ', 'empty'],
    ['4.67E+10', 'scientific-notation'],
    ['4,67E+10', 'scientific-notation'],
    ['4.67012E+10', 'scientific-notation'],
    ['701234567', 'lost-leading-zero'],
    ['70-123 45 67', 'lost-leading-zero'],
    ['8123456', 'lost-leading-zero'],
    ['865913885', 'lost-leading-zero'],
    ['N/A', 'not-a-number'],
    ['saknas', 'not-a-number'],
    ['-', 'not-a-number'],
    ['123', 'too-short'],
    ['070-12', 'too-short'],
    ['+46 70 123', 'too-short'],
    ['070 123 45 67 / 08 123 456', 'too-long'],
    ['7012345678', 'invalid'],
    ['00000000', 'invalid'],
    ['0741234567', 'invalid'],
  ])('%j: %s', (raw, problem) => {
    const result = normalisePhone(raw, 'SE');
    expect(result).toMatchObject({ ok: false, problem });
    if (!result.ok) expect(problemReasonText(result.reason, 'en')).toMatch(/\.$/);
  });

  test('the reasons say what happened in words a person can act on', () => {
    expect(normalisePhone('4.67E+10', 'SE')).toEqual({ ok: false, problem: 'scientific-notation', reason: { code: 'scientific-notation', value: '4.67E+10' } });
    const reason = (raw: string) => {
      const result = normalisePhone(raw, 'SE');
      return result.ok ? '' : problemReasonText(result.reason, 'en');
    };
    expect(reason('4.67E+10')).toBe('Excel turned this number into scientific notation (4.67E+10); the digits are lost.');
    expect(reason('701234567')).toContain('it was probably 0701234567');
    expect(reason('123')).toBe('123 is too short to be a Swedish phone number.');
  });

  test('a lost leading zero is never fixed silently, even though the library would read it as valid', () => {
    expect(parsePhoneNumberFromString('701234567', 'SE')?.isValid()).toBe(true);
    expect(normalisePhone('701234567', 'SE').ok).toBe(false);
  });
});

/** A small deterministic generator, so a failure can be reproduced. */
function generator(seed: number) {
  let state = seed;
  const random = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
  const digits = (count: number) => Array.from({ length: count }, () => Math.floor(random() * 10)).join('');
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  return { random, digits, pick };
}

/** A national significant number written the ways people write it, with and without the country code. */
function writings(code: string, nsn: string, trunk: string): string[] {
  const pairs = nsn.match(/.{1,2}/g)?.join(' ') ?? nsn;
  const [a, b, c] = [nsn.slice(0, 2), nsn.slice(2, 5), nsn.slice(5)];
  return [
    `${trunk}${nsn}`,
    `${trunk}${a}-${b} ${c}`,
    `${trunk}${a}-${nsn.slice(2)}`,
    `(${trunk}${a}) ${b} ${c}`,
    `${trunk}${a}/${b}.${c}`,
    `${trunk}${pairs}`,
    `+${code}${nsn}`,
    `+${code} ${a} ${b} ${c}`,
    `+${code} ${pairs}`,
    `+${code} (0)${nsn}`,
    `00${code}${nsn}`,
    `00${code} ${pairs}`,
    `${code}${nsn}`,
    `${code} ${pairs}`,
    ` ${trunk}${nsn}\u00a0`,
    `${trunk}${a}\u00a0${b}\u00a0${c}`,
  ];
}

describe('the fast path agrees with libphonenumber-js', () => {
  const countries: Country[] = ['SE', 'DK', 'NO', 'FI'];

  /** Compares the fast path with the library path wherever the fast path answers; returns how often it did. */
  function compare(inputs: string[], country: Country): number {
    let fast = 0;
    for (const raw of inputs) {
      const quick = normalisePhoneFast(raw, country);
      if (quick === undefined) continue;
      fast += 1;
      const slow = normalisePhoneWithLibrary(raw, country);
      if (JSON.stringify(quick) !== JSON.stringify(slow)) expect({ raw, country, quick }).toEqual({ raw, country, quick: slow });
      // And with the library used plainly, which reads these writings the same way.
      const plain = parsePhoneNumberFromString(raw, country);
      if (quick.ok && !(plain?.isValid() && plain.number === quick.e164)) expect({ raw, country, e164: quick.e164 }).toEqual({ raw, country, e164: plain?.number });
    }
    return fast;
  }

  test('Swedish mobiles and fixed lines of every prefix, length and writing', () => {
    const { digits } = generator(1);
    const inputs: string[] = [];
    for (let prefix = 0; prefix < 1000; prefix++) {
      const head = String(prefix).padStart(3, '0');
      for (const length of [6, 7, 8, 9, 10]) {
        for (const nsn of [head + digits(length - 3), head + digits(length - 3)]) inputs.push(...writings('46', nsn, '0'));
      }
    }
    expect(inputs.length).toBeGreaterThan(150_000);
    let fast = 0;
    for (const country of countries) fast += compare(country === 'SE' ? inputs : inputs.filter((raw) => /^\s*(\+|00)/.test(raw)), country);
    expect(fast).toBeGreaterThan(50_000); // the fast path does take the common shapes
  });

  test('Danish numbers of every three-digit prefix and writing', () => {
    const { digits } = generator(2);
    const inputs: string[] = [];
    for (let prefix = 0; prefix < 1000; prefix++) {
      const head = String(prefix).padStart(3, '0');
      for (let k = 0; k < 4; k++) inputs.push(...writings('45', head + digits(5), ''));
      inputs.push(...writings('45', head + digits(4), ''), ...writings('45', head + digits(6), ''));
    }
    let fast = 0;
    for (const country of countries) fast += compare(country === 'DK' ? inputs : inputs.filter((raw) => /^\s*(\+|00)/.test(raw)), country);
    expect(fast).toBeGreaterThan(20_000);
  });

  test('odd strings near the common shapes', () => {
    const { digits, pick, random } = generator(3);
    const alphabet = ['0', '7', '4', '6', '5', '+', ' ', '-', '(', ')', '.', '/', 'a', 'E', ',', '\u00a0'];
    const inputs: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      const base = pick(['070', '+4670', '004670', '4670', '+45', '0045', '45', '2', '08', '+468']) + digits(Math.floor(random() * 10));
      let raw = base;
      if (random() < 0.5) raw = raw.slice(0, Math.floor(random() * raw.length)) + pick(alphabet) + raw.slice(Math.floor(random() * raw.length));
      inputs.push(raw);
    }
    for (const country of countries) compare(inputs, country);
  });

  test('common shapes do take the fast path', () => {
    for (const raw of ['+46 70 123 45 67', '0046701234567', '46701234567', '070-123 45 67', '0701234567', '08-659 138 85', '(08) 123 456']) {
      expect(normalisePhoneFast(raw, 'SE'), raw).toBeDefined();
    }
    for (const raw of ['20123456', '20 12 34 56', '+45 20 12 34 56', '004520123456', '+4520123456']) {
      expect(normalisePhoneFast(raw, 'DK'), raw).toBeDefined();
    }
    expect(normalisePhoneFast('+46701234567', 'NO')).toBeDefined(); // E.164 is fast whatever the list's country
  });
});
