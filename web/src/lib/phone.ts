// Phone numbers as people read them. Ringa keeps every number in E.164 (+46700054856); people know
// theirs in the national form (070-005 48 56, 12 34 56 78, 912 34 567), so that is what is shown.
import { parsePhoneNumberFromString } from 'libphonenumber-js/min';

/**
 * A number as people in its country write it (libphonenumber's national form). Given the country
 * of the people reading (the organisation's), a number from another country is shown in its
 * international form instead, since only that one can be dialled from here.
 */
export function phoneAsKnown(e164: string, country?: string | null): string {
  const number = parsePhoneNumberFromString(e164);
  if (!number) return e164;
  return country && number.country !== country ? number.formatInternational() : number.formatNational();
}

/** The international form, spaced for reading: +46 70 005 48 56. */
export function phoneInternational(e164: string): string {
  return parsePhoneNumberFromString(e164)?.formatInternational() ?? e164;
}
