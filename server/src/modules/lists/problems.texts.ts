// Why an import did not use a row: a code and the values it names, stored as they are
// (list_row_problem.reason) and written in the reader's language only when shown.
import type { Country } from '../../contract/api';
import type { Language } from '../../contract/language';

export type ProblemReason =
  | { code: 'empty' }
  | { code: 'no-number' }
  | { code: 'scientific-notation'; value: string }
  | { code: 'not-a-number'; value: string }
  | { code: 'lost-leading-zero'; value: string; digits: string }
  | NumberReason<'too-short'>
  | NumberReason<'too-long'>
  | NumberReason<'invalid'>
  | { code: 'unknown-country-code'; value: string }
  | { code: 'duplicate'; number: string; row: number }
  | { code: 'suppressed'; number: string }
  /** A reason stored as English prose before reasons were codes, which the migration could not read back. */
  | { code: 'text'; text: string };

/** country null: the number was written internationally (+ or 00), so no country is meant. */
interface NumberReason<Code extends string> {
  code: Code;
  value: string;
  country: Country | null;
}

export type ProblemKind = 'invalid' | 'duplicate' | 'suppressed';

interface ProblemTexts {
  header: readonly [string, string, string, string, string];
  /** The file's name after the list's: "Medlemmar - problem.csv". */
  fileWord: string;
  noName: string;
  kinds: Record<ProblemKind, string>;
  /** "a Swedish phone number" for a country, "a phone number" for none; "a valid …" when asked. */
  aNumber: (country: Country | null, valid: boolean) => string;
  reasons: { [Code in Exclude<ProblemReason['code'], 'text'>]: (reason: Extract<ProblemReason, { code: Code }>, aNumber: string) => string };
}

export const PROBLEM_TEXTS: Record<Language, ProblemTexts> = {
  sv: {
    header: ['Rad', 'Kolumn', 'Värde', 'Problem', 'Orsak'],
    fileWord: 'problem',
    noName: 'lista',
    kinds: { invalid: 'Ogiltigt nummer', duplicate: 'Dubblett', suppressed: 'På spärrlistan' },
    aNumber: (country, valid) => `ett ${valid ? 'giltigt ' : ''}${country === null ? '' : `${{ SE: 'svenskt', DK: 'danskt', NO: 'norskt', FI: 'finskt' }[country]} `}telefonnummer`,
    reasons: {
      empty: () => 'Telefonnumret är tomt.',
      'no-number': () => 'Raden har inget telefonnummer.',
      'scientific-notation': (r) => `Excel har gjort om numret till grundpotensform (${r.value}); siffrorna är borta.`,
      'not-a-number': (r) => `”${r.value}” är inget telefonnummer.`,
      'lost-leading-zero': (r) =>
        `Numret har tappat sin inledande nolla (${r.value}); det var troligen 0${r.digits}. Formatera kolumnen som text i Excel, skriv in numret igen och exportera en gång till.`,
      'too-short': (r, aNumber) => `${r.value} är för kort för att vara ${aNumber}.`,
      'too-long': (r, aNumber) => `${r.value} är för långt för att vara ${aNumber}.`,
      invalid: (r, aNumber) => `${r.value} är inte ${aNumber}.`,
      'unknown-country-code': (r) => `${r.value} börjar inte med någon känd landskod.`,
      duplicate: (r) => `Numret ${r.number} finns redan på rad ${r.row} i filen.`,
      suppressed: (r) => `Numret ${r.number} står på spärrlistan.`,
    },
  },
  da: {
    header: ['Række', 'Kolonne', 'Værdi', 'Problem', 'Årsag'],
    fileWord: 'problemer',
    noName: 'liste',
    kinds: { invalid: 'Ugyldigt nummer', duplicate: 'Dublet', suppressed: 'På ring ikke-listen' },
    aNumber: (country, valid) => `et ${valid ? 'gyldigt ' : ''}${country === null ? '' : `${{ SE: 'svensk', DK: 'dansk', NO: 'norsk', FI: 'finsk' }[country]} `}telefonnummer`,
    reasons: {
      empty: () => 'Telefonnummeret er tomt.',
      'no-number': () => 'Rækken har intet telefonnummer.',
      'scientific-notation': (r) => `Excel har lavet nummeret om til videnskabelig notation (${r.value}); cifrene er tabt.`,
      'not-a-number': (r) => `"${r.value}" er ikke et telefonnummer.`,
      'lost-leading-zero': (r) =>
        `Nummeret har mistet sit indledende nul (${r.value}); det var sandsynligvis 0${r.digits}. Formatér kolonnen som tekst i Excel, skriv nummeret igen, og eksportér én gang til.`,
      'too-short': (r, aNumber) => `${r.value} er for kort til at være ${aNumber}.`,
      'too-long': (r, aNumber) => `${r.value} er for langt til at være ${aNumber}.`,
      invalid: (r, aNumber) => `${r.value} er ikke ${aNumber}.`,
      'unknown-country-code': (r) => `${r.value} begynder ikke med en kendt landekode.`,
      duplicate: (r) => `Nummeret ${r.number} står allerede i række ${r.row} i filen.`,
      suppressed: (r) => `Nummeret ${r.number} står på ring ikke-listen.`,
    },
  },
  nb: {
    header: ['Rad', 'Kolonne', 'Verdi', 'Problem', 'Årsak'],
    fileWord: 'problemer',
    noName: 'liste',
    kinds: { invalid: 'Ugyldig nummer', duplicate: 'Duplikat', suppressed: 'På sperrelisten' },
    aNumber: (country, valid) => `et ${valid ? 'gyldig ' : ''}${country === null ? '' : `${{ SE: 'svensk', DK: 'dansk', NO: 'norsk', FI: 'finsk' }[country]} `}telefonnummer`,
    reasons: {
      empty: () => 'Telefonnummeret er tomt.',
      'no-number': () => 'Raden har ikke noe telefonnummer.',
      'scientific-notation': (r) => `Excel har gjort om nummeret til standardform (${r.value}); sifrene er tapt.`,
      'not-a-number': (r) => `«${r.value}» er ikke et telefonnummer.`,
      'lost-leading-zero': (r) =>
        `Nummeret har mistet nullen foran (${r.value}); det var trolig 0${r.digits}. Formater kolonnen som tekst i Excel, skriv inn nummeret på nytt og eksporter én gang til.`,
      'too-short': (r, aNumber) => `${r.value} er for kort til å være ${aNumber}.`,
      'too-long': (r, aNumber) => `${r.value} er for langt til å være ${aNumber}.`,
      invalid: (r, aNumber) => `${r.value} er ikke ${aNumber}.`,
      'unknown-country-code': (r) => `${r.value} begynner ikke med en kjent landskode.`,
      duplicate: (r) => `Nummeret ${r.number} står allerede på rad ${r.row} i filen.`,
      suppressed: (r) => `Nummeret ${r.number} står på sperrelisten.`,
    },
  },
  en: {
    header: ['Row', 'Column', 'Value', 'Problem', 'Reason'],
    fileWord: 'problems',
    noName: 'list',
    kinds: { invalid: 'Invalid number', duplicate: 'Duplicate', suppressed: 'On the do-not-call register' },
    aNumber: (country, valid) => `a ${valid ? 'valid ' : ''}${country === null ? '' : `${{ SE: 'Swedish', DK: 'Danish', NO: 'Norwegian', FI: 'Finnish' }[country]} `}phone number`,
    reasons: {
      empty: () => 'The phone number is empty.',
      'no-number': () => 'The row has no phone number.',
      'scientific-notation': (r) => `Excel turned this number into scientific notation (${r.value}); the digits are lost.`,
      'not-a-number': (r) => `"${r.value}" is not a phone number.`,
      'lost-leading-zero': (r) =>
        `This number has lost its leading zero (${r.value}); it was probably 0${r.digits}. Format the column as text in Excel, type the number again and export once more.`,
      'too-short': (r, aNumber) => `${r.value} is too short to be ${aNumber}.`,
      'too-long': (r, aNumber) => `${r.value} is too long to be ${aNumber}.`,
      invalid: (r, aNumber) => `${r.value} is not ${aNumber}.`,
      'unknown-country-code': (r) => `${r.value} does not start with a known country code.`,
      duplicate: (r) => `The number ${r.number} is already on row ${r.row} of this file.`,
      suppressed: (r) => `The number ${r.number} is on the do-not-call register.`,
    },
  },
};

/** A problem's reason in words of the language. */
export function problemReasonText(reason: ProblemReason, language: Language): string {
  const texts = PROBLEM_TEXTS[language];
  switch (reason.code) {
    case 'text':
      return reason.text;
    case 'too-short':
    case 'too-long':
    case 'invalid': {
      const write = texts.reasons[reason.code] as (reason: NumberReason<string>, aNumber: string) => string;
      return write(reason, texts.aNumber(reason.country, reason.code === 'invalid'));
    }
    default: {
      const write = texts.reasons[reason.code] as (reason: ProblemReason, aNumber: string) => string;
      return write(reason, '');
    }
  }
}

/** A stored reason as a ProblemReason: what the database holds is trusted, an unknown shape is shown as its text. */
export function readProblemReason(stored: unknown): ProblemReason {
  if (typeof stored === 'object' && stored !== null && 'code' in stored && typeof stored.code === 'string' && Object.hasOwn(PROBLEM_TEXTS.en.reasons, stored.code)) {
    return stored as ProblemReason;
  }
  if (typeof stored === 'object' && stored !== null && 'text' in stored && typeof stored.text === 'string') return { code: 'text', text: stored.text };
  return { code: 'text', text: typeof stored === 'string' ? stored : JSON.stringify(stored) };
}
