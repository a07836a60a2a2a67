import { parsePhoneNumberFromString, validatePhoneNumberLength, type NumberType } from 'libphonenumber-js/max';
import type { Country } from '../../contract/api';
import type { ProblemReason } from './problems.texts';

export type PhoneType = 'mobile' | 'fixed' | 'unknown';
export type PhoneProblem = 'empty' | 'scientific-notation' | 'lost-leading-zero' | 'not-a-number' | 'too-short' | 'too-long' | 'invalid';
/** A refusal's reason is a code and the values it names (problems.texts.ts words it in each language). */
export type PhoneResult = { ok: true; e164: string; type: PhoneType } | { ok: false; problem: PhoneProblem; reason: ProblemReason };

/**
 * A phone number as E.164, read the way people in the list's country write it: `+46 70 123 45 67`,
 * `0046701234567`, `46701234567`, `070-123 45 67`, `(08) 123 456`, Danish `12 34 56 78`.
 * Numbers that spreadsheets mangled (scientific notation, a lost leading zero) are refused, never
 * guessed at. Common shapes take a fast path by digit patterns; the rest go to libphonenumber-js.
 */
export function normalisePhone(raw: string, country: Country): PhoneResult {
  return normalisePhoneFast(raw, country) ?? normalisePhoneWithLibrary(raw, country);
}

const CALLING_CODE: Record<Country, string> = { SE: '46', DK: '45', NO: '47', FI: '358' };
// Countries whose national numbers are written with a trunk prefix '0' (07x, 08, 040 …); Denmark and Norway have none.
const TRUNK_ZERO: Record<Country, boolean> = { SE: true, DK: false, NO: false, FI: true };

const ZERO = 48;
const NINE = 57;
const PLUS = 43;
const SPACE = 32;
const HYPHEN = 45;
const OPEN = 40;
const CLOSE = 41;
const DOT = 46;
const SLASH = 47;
const NBSP = 160;

/**
 * The fast path: Swedish mobiles and fixed lines and Danish numbers, in every common writing, by digit patterns
 * copied from libphonenumber-js's metadata (phone.test.ts checks they agree). Answers undefined
 * for anything it is not sure of, which then goes to the library.
 */
export function normalisePhoneFast(raw: string, country: Country): PhoneResult | undefined {
  const length = raw.length;
  if (length < 8 || length > 24) return undefined;
  let digits = '';
  let plus = false;
  let start = -1; // where the digits begin; until a separator, they are raw.slice(start, i)
  let separated = false;
  for (let i = 0; i < length; i++) {
    const c = raw.charCodeAt(i);
    if (c >= ZERO && c <= NINE) {
      if (start < 0) start = i;
      if (separated) digits += raw[i];
      continue;
    }
    if (c === SPACE || c === HYPHEN || c === OPEN || c === CLOSE || c === DOT || c === SLASH || c === NBSP) {
      if (start >= 0 && !separated) {
        digits = raw.slice(start, i);
        separated = true;
      }
      continue;
    }
    if (c === PLUS && start < 0 && !plus) {
      plus = true;
      continue;
    }
    return undefined;
  }
  if (start < 0) return undefined;
  // Without separators the digits are one slice of the input (a separator after the digits would have set separated).
  if (!separated) digits = raw.slice(start);

  if (plus) return international(digits);
  if (digits.charCodeAt(0) === ZERO && digits.charCodeAt(1) === ZERO) return international(digits.slice(2));
  switch (country) {
    case 'SE':
      // 0 + 7 to 9 digits; or 467… written without + or 00 (read nationally it has 11 digits, which no Swedish number has).
      if (digits.length >= 8 && digits.length <= 10 && digits.charCodeAt(0) === ZERO) return swedish(digits.slice(1));
      if (digits.length === 11 && digits.startsWith('467')) return swedish(digits.slice(2));
      return undefined;
    case 'DK':
      if (digits.length === 8) return danish(digits);
      if (digits.length === 10 && digits.startsWith('45')) return danish(digits.slice(2));
      return undefined;
    case 'NO':
    case 'FI':
      return undefined;
  }
}

function international(digits: string): PhoneResult | undefined {
  if (digits.length >= 9 && digits.length <= 11 && digits.startsWith('46')) return swedish(digits.slice(2));
  if (digits.length === 10 && digits.startsWith('45')) return danish(digits.slice(2));
  return undefined;
}

// libphonenumber-js SE patterns (metadata 1.13): the whole plan, and its fixed lines (of 7 to 9 digits).
const SE_NATIONAL = /^(?:(?:[26]\d\d|9)\d{9}|[1-9]\d{8}|[1-689]\d{7}|[1-4689]\d{6}|2\d{5})$/;
const SE_FIXED =
  /^(?:(?:(?:[12][136]|3[356]|4[0246]|6[03]|8\d)\d|90[1-9])\d{4,6}|(?:1(?:2[0-35]|4[0-4]|5[0-25-9]|7[13-6]|[89]\d)|2(?:2[0-7]|4[0136-8]|5[0138]|7[018]|8[01]|9[0-57])|3(?:0[0-4]|1\d|2[0-25]|4[056]|7[0-2]|8[0-3]|9[023])|4(?:1[013-8]|3[0135]|5[14-79]|7[0-246-9]|8[0156]|9[0-689])|5(?:0[0-6]|[15][0-5]|2[0-68]|3[0-4]|4\d|6[03-5]|7[013]|8[0-79]|9[01])|6(?:1[1-3]|2[0-4]|4[02-57]|5[0-37]|6[0-3]|7[0-2]|8[0247]|9[0-356])|9(?:1[0-68]|2\d|3[02-5]|4[0-3]|5[0-4]|[68][01]|7[0135-8]))\d{5,6})$/;

/** A Swedish national significant number: mobile 7[023689] + 7 digits, or a fixed line; else unsure. */
function swedish(nsn: string): PhoneResult | undefined {
  if (nsn.charCodeAt(0) === 55 /* 7 */) {
    if (nsn.length !== 9) return undefined;
    const second = nsn.charCodeAt(1) - ZERO;
    if (second === 0 || second === 2 || second === 3 || second === 6 || second === 8 || second === 9) {
      return { ok: true, e164: `+46${nsn}`, type: 'mobile' };
    }
    return undefined; // 074 pagers, 075 VoIP, 077 … and invalid ones: the library knows
  }
  // The library types a number FIXED_LINE before it tries any other type, so a fixed-line match settles it.
  if (nsn.length >= 7 && nsn.length <= 9 && SE_FIXED.test(nsn) && SE_NATIONAL.test(nsn)) {
    return { ok: true, e164: `+46${nsn}`, type: 'fixed' };
  }
  return undefined;
}

// libphonenumber-js DK patterns (metadata 1.13): every type but these two is a whole 80/90 series.
const DK_FIXED =
  /^(?:2(?:[0-59][1-9]|[6-8]\d)|3(?:[0-3][1-9]|4[13]|5[1-58]|6[1347-9]|8[1-8]|9[1-79])|4(?:[0-25][1-9]|[34][2-9]|6[13-579]|7[13579]|8[1-47]|9[127])|5(?:[0-36][1-9]|4[146-9]|5[3-57-9]|7[568]|8[1-358]|9[1-69])|6(?:[0135][1-9]|2[1-68]|4[2-8]|6[1689]|[78]\d|9[15689])|7(?:[0-69][1-9]|7[3-9]|8[147])|8(?:[16-9][1-9]|2[1-58])|9(?:[1-47-9][1-9]|6\d))\d{5}$/;
const DK_MOBILE = /^(?:(?:2[6-8]|6[78]|96)\d{6}|(?:2[0-59]|3[0-689]|[457]\d|6[0-69]|8[126-9]|9[1-47-9])[1-9]\d{5})$/;

/** A Danish number of 8 digits. Most series are both fixed and mobile (numbers move between them): 'unknown'. */
function danish(nsn: string): PhoneResult | undefined {
  const fixed = DK_FIXED.test(nsn);
  const mobile = DK_MOBILE.test(nsn);
  if (!fixed && !mobile) return undefined; // invalid or a special series: let the library explain
  return { ok: true, e164: `+45${nsn}`, type: fixed && mobile ? 'unknown' : fixed ? 'fixed' : 'mobile' };
}

const SCIENTIFIC = /^[+-]?\d+(?:[.,]\d+)?[eE][+-]?\d+$/;
const HAS_DIGIT = /\d/;
const NOT_DIGIT = /\D/g;
const SHOWN_LENGTH = 40;

/** The full reading, by libphonenumber-js: fixed lines, Norway, Finland, odd writings, and every refusal. */
export function normalisePhoneWithLibrary(raw: string, country: Country): PhoneResult {
  const text = raw.trim();
  if (text === '') return refuse('empty', { code: 'empty' });
  const shown = text.length > SHOWN_LENGTH ? `${text.slice(0, SHOWN_LENGTH)}…` : text;
  if (SCIENTIFIC.test(text)) {
    return refuse('scientific-notation', { code: 'scientific-notation', value: shown });
  }
  if (!HAS_DIGIT.test(text)) return refuse('not-a-number', { code: 'not-a-number', value: shown });

  const digits = text.replace(NOT_DIGIT, '');
  const international = text.startsWith('+') || digits.startsWith('00');
  if (!international && TRUNK_ZERO[country] && !digits.startsWith('0')) {
    // Written without 0, + or 00: either the spreadsheet dropped the leading zero, or the country code lacks its +.
    const code = CALLING_CODE[country];
    if (isNationalNumber(digits, country)) {
      return refuse('lost-leading-zero', { code: 'lost-leading-zero', value: shown, digits });
    }
    if (digits.startsWith(code)) {
      const withPlus = accept(parsePhoneNumberFromString(`+${digits}`));
      if (withPlus) return withPlus;
    }
    return describeInvalid(text, shown, country);
  }
  const parsed = accept(parsePhoneNumberFromString(text, country));
  if (parsed) return parsed;
  // Denmark and Norway: a 10-digit 45…/47… may be the country code without its + (the library tries this too).
  if (!international && digits.startsWith(CALLING_CODE[country])) {
    const withPlus = accept(parsePhoneNumberFromString(`+${digits}`));
    if (withPlus) return withPlus;
  }
  return describeInvalid(text, shown, country);
}

/** Whether these digits are a valid national significant number, i.e. valid once a trunk 0 is put in front. */
function isNationalNumber(digits: string, country: Country): boolean {
  const parsed = parsePhoneNumberFromString(`+${CALLING_CODE[country]}${digits}`);
  return parsed !== undefined && parsed.isValid() && parsed.nationalNumber === digits;
}

function accept(parsed: ReturnType<typeof parsePhoneNumberFromString>): PhoneResult | undefined {
  if (!parsed?.isValid()) return undefined;
  return { ok: true, e164: parsed.number, type: phoneType(parsed.getType()) };
}

function phoneType(type: NumberType): PhoneType {
  switch (type) {
    case 'MOBILE':
      return 'mobile';
    case 'FIXED_LINE':
      return 'fixed';
    default:
      // FIXED_LINE_OR_MOBILE (most of Denmark), VoIP, toll-free, personal numbers …
      return 'unknown';
  }
}

function describeInvalid(text: string, shown: string, country: Country): PhoneResult {
  // Written internationally, the number is no country's in particular.
  const of = text.startsWith('+') || text.replace(NOT_DIGIT, '').startsWith('00') ? null : country;
  switch (validatePhoneNumberLength(text, country)) {
    case 'TOO_SHORT':
      return refuse('too-short', { code: 'too-short', value: shown, country: of });
    case 'TOO_LONG':
      return refuse('too-long', { code: 'too-long', value: shown, country: of });
    case 'NOT_A_NUMBER':
      return refuse('not-a-number', { code: 'not-a-number', value: shown });
    case 'INVALID_COUNTRY':
      return refuse('invalid', { code: 'unknown-country-code', value: shown });
    case 'INVALID_LENGTH':
    case undefined:
      return refuse('invalid', { code: 'invalid', value: shown, country: of });
  }
}

function refuse(problem: PhoneProblem, reason: ProblemReason): PhoneResult {
  return { ok: false, problem, reason };
}
