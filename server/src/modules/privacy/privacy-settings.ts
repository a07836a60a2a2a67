import { countryLanguage, type Language } from '../../contract/language';
import type { Database } from '../../../../db/database';
import type { Country } from '../../contract/api';

// An organisation's privacy settings — its first-contact notice (GDPR Art. 14) and its retention
// rules — are inherited down the tree: an organisation that has not set one uses the nearest
// organisation above that has, and at the top Ringa's defaults.

/** Answers, notes, notes for the next caller, flag notes and callback times: months after the campaign finished. */
export const DEFAULT_ANSWERS_RETENTION_MONTHS = 12;
export const ANSWERS_RETENTION_RANGE = { min: 1, max: 60 } as const;
/** People: months after the last campaign that called them (or their list's import, if never called) finished. */
export const DEFAULT_PEOPLE_RETENTION_MONTHS = 24;
export const PEOPLE_RETENTION_RANGE = { min: 1, max: 120 } as const;

/** The language the people an organisation calls hear: its country's. */
export type NoticeLanguage = Language;
export const noticeLanguage = countryLanguage;

/**
 * What the caller says at the first contact when the organisation has written nothing: who is calling,
 * where the number came from ({source}, filled from the person's list), that the person may object and
 * be removed, and where to read more. {organisation} is the calling organisation's name.
 */
export const DEFAULT_NOTICE: Record<NoticeLanguage, string> = {
  sv:
    'Jag ringer från {organisation}. Vi har ditt nummer från {source}. ' +
    'Vill du inte bli kontaktad av oss igen säger du bara det, så tar vi bort dig direkt. ' +
    'Du har också rätt att få veta vilka uppgifter vi har om dig och att få dem raderade. ' +
    'Mer om hur vi hanterar personuppgifter finns på vår webbplats.',
  da:
    'Jeg ringer fra {organisation}. Vi har dit nummer fra {source}. ' +
    'Hvis du ikke vil kontaktes af os igen, så sig det bare, så fjerner vi dig med det samme. ' +
    'Du har også ret til at få at vide, hvilke oplysninger vi har om dig, og til at få dem slettet. ' +
    'Du kan læse mere om, hvordan vi behandler personoplysninger, på vores hjemmeside.',
  nb:
    'Jeg ringer fra {organisation}. Vi har nummeret ditt fra {source}. ' +
    'Hvis du ikke vil bli kontaktet av oss igjen, er det bare å si fra, så fjerner vi deg med en gang. ' +
    'Du har også rett til å få vite hvilke opplysninger vi har om deg, og til å få dem slettet. ' +
    'Du kan lese mer om hvordan vi behandler personopplysninger på nettsiden vår.',
  en:
    "I'm calling from {organisation}. We have your number from {source}. " +
    "If you would rather we didn't contact you again, just say so and we will remove you at once. " +
    'You also have the right to know what we hold about you and to have it deleted. ' +
    'You can read more about how we handle personal data on our website.',
};

/** A setting and where it comes from: the organisation that set it, or null for Ringa's default. */
export interface Inherited<T> {
  value: T;
  fromOrganisationId: string | null;
}

export interface PrivacySettings {
  organisationId: string;
  language: NoticeLanguage;
  /** The notice as the organisation (or one above) wrote it, with its {placeholders}. */
  notice: Inherited<string>;
  answersRetentionMonths: Inherited<number>;
  peopleRetentionMonths: Inherited<number>;
}

/** The organisation's own settings merged with those of the organisations above it, nearest first. */
export async function privacySettings(db: Database, organisationId: string): Promise<PrivacySettings> {
  const path = await db
    .selectFrom('organisationClosure')
    .innerJoin('organisation', 'organisation.id', 'organisationClosure.ancestorId')
    .select(['organisation.id', 'organisation.country', 'organisation.notice', 'organisation.answersRetentionMonths', 'organisation.peopleRetentionMonths', 'organisationClosure.depth'])
    .where('organisationClosure.descendantId', '=', organisationId)
    .orderBy('organisationClosure.depth', 'asc')
    .execute();
  const own = path[0];
  if (!own || own.id !== organisationId) throw new Error(`No organisation ${organisationId}`);
  const language = noticeLanguage(own.country as Country);
  const nearest = <T>(pick: (row: (typeof path)[number]) => T | null, fallback: T): Inherited<T> => {
    for (const row of path) {
      const value = pick(row);
      if (value !== null) return { value, fromOrganisationId: row.id };
    }
    return { value: fallback, fromOrganisationId: null };
  };
  return {
    organisationId,
    language,
    notice: nearest((row) => row.notice, DEFAULT_NOTICE[language]),
    answersRetentionMonths: nearest((row) => row.answersRetentionMonths, DEFAULT_ANSWERS_RETENTION_MONTHS),
    peopleRetentionMonths: nearest((row) => row.peopleRetentionMonths, DEFAULT_PEOPLE_RETENTION_MONTHS),
  };
}
