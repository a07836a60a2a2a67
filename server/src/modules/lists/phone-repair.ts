import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import type { Country } from '../../contract/api';
import type { PhoneType } from './phone';

/**
 * The digits a number keeps when Excel stored it as a number and dropped its trunk zero, per country,
 * where no other reading exists: a length that no neighbour's number has once its zero is gone.
 * - SE: mobiles 07x xxx xx xx lose the zero as 7xxxxxxxx (9 digits; Danish and Norwegian numbers have 8).
 *   Fixed lines are not repaired: 8123456 or 81187629 may as well be a Danish or Norwegian number or a short one.
 * - FI: mobiles 04x xxx xxxx and 050 xxx xxxx lose it as 4xxxxxxxx / 50xxxxxxx (9 digits). Shorter
 *   mobiles (041 234567) would have 8, like every Danish and Norwegian number, and are not repaired.
 * - DK, NO: national numbers are 8 digits with no trunk zero and never start with 0: Excel loses nothing.
 */
const LOST_ZERO: Record<Country, RegExp | null> = {
  SE: /^7\d{8}$/,
  FI: /^(?:4\d|50)\d{7}$/,
  DK: null,
  NO: null,
};

export interface RepairedNumber {
  e164: string;
  type: PhoneType;
}

/**
 * A number Excel stored as digits without its leading zero, repaired for the list's country, or undefined
 * when the cell is anything else or could be read another way. Repairs only when the number with the zero
 * is a valid mobile and the digits are no number as they stand (not a country code that lost its +).
 */
export function repairLostZero(raw: string, country: Country): RepairedNumber | undefined {
  const shape = LOST_ZERO[country];
  if (shape === null || !shape.test(raw)) return undefined;
  const repaired = parsePhoneNumberFromString(`0${raw}`, country);
  if (!repaired?.isValid() || repaired.getType() !== 'MOBILE') return undefined;
  if (parsePhoneNumberFromString(`+${raw}`)?.isValid()) return undefined;
  return { e164: repaired.number, type: 'mobile' };
}
