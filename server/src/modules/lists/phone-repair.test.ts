import { expect, test } from 'vitest';
import { classifyRow } from './classify';
import { repairLostZero } from './phone-repair';

test('Sweden: a 9-digit mobile that lost its zero (7xxxxxxxx) is repaired; nothing else is', () => {
  expect(repairLostZero('729006390', 'SE')).toEqual({ e164: '+46729006390', type: 'mobile' });
  expect(repairLostZero('701234567', 'SE')).toEqual({ e164: '+46701234567', type: 'mobile' });
  expect(repairLostZero('761234567', 'SE')).toEqual({ e164: '+46761234567', type: 'mobile' });
  // 074 is a pager series, not a mobile; 8 or 10 digits are no mobile that lost a zero.
  expect(repairLostZero('741234567', 'SE')).toBeUndefined();
  expect(repairLostZero('70123456', 'SE')).toBeUndefined();
  expect(repairLostZero('7012345678', 'SE')).toBeUndefined();
  // Fixed lines: 81187629 may be Stockholm's 08-118 76 29 or a Danish number; 8123456 a short one.
  expect(repairLostZero('81187629', 'SE')).toBeUndefined();
  expect(repairLostZero('812345678', 'SE')).toBeUndefined();
  // Only what Excel leaves: digits, no separators, no +.
  expect(repairLostZero('70-123 45 67', 'SE')).toBeUndefined();
  expect(repairLostZero('+729006390', 'SE')).toBeUndefined();
});

test('Finland: a 9-digit mobile 4x/50 that lost its zero is repaired; 8 digits (like every Danish and Norwegian number) are not', () => {
  expect(repairLostZero('401234567', 'FI')).toEqual({ e164: '+358401234567', type: 'mobile' });
  expect(repairLostZero('451234567', 'FI')).toEqual({ e164: '+358451234567', type: 'mobile' });
  expect(repairLostZero('501234567', 'FI')).toEqual({ e164: '+358501234567', type: 'mobile' });
  expect(repairLostZero('41234567', 'FI')).toBeUndefined(); // 041 234567, or a Danish 41 23 45 67
  expect(repairLostZero('491234567', 'FI')).toBeUndefined(); // 049 is no mobile series
  expect(repairLostZero('912345678', 'FI')).toBeUndefined(); // a Helsinki fixed line 09 …: not repaired
  // A Swedish number whose + was lost (+46 8 123 45 67 read as 46 …) is no Finnish 046 mobile.
  expect(repairLostZero('468123456', 'FI')).toBeUndefined();
});

test('Denmark and Norway: 8 digits and no trunk zero, so Excel loses nothing and nothing is repaired', () => {
  expect(repairLostZero('81187629', 'DK')).toBeUndefined();
  expect(repairLostZero('729006390', 'DK')).toBeUndefined();
  expect(repairLostZero('91234567', 'NO')).toBeUndefined();
  expect(repairLostZero('401234567', 'NO')).toBeUndefined();
});

test('a row: the repaired number is valid and marked; a valid number is never marked; an ambiguous one stays a problem', () => {
  expect(classifyRow(['Anna', '729006390'], [1], 'SE')).toEqual({ kind: 'valid', e164: '+46729006390', type: 'mobile', column: 1, repaired: true });
  expect(classifyRow(['Anna', '0729006390'], [1], 'SE')).toEqual({ kind: 'valid', e164: '+46729006390', type: 'mobile', column: 1 });
  expect(classifyRow(['Anna', '81187629'], [1], 'SE')).toMatchObject({ kind: 'invalid', raw: '81187629' });
});
