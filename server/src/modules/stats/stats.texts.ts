// The words of the statistics file, in every language Ringa speaks (the same words as the screens' figures).
import type { Language } from '../../contract/language';

export interface StatsCsvTexts {
  /** One per column, in the order the rows have them. */
  header: readonly string[];
  /** The word in the file's name: "Malmö statistik 2026-01-01 2026-10-04.csv". */
  fileWord: string;
  noName: string;
}

export const STATS_CSV_TEXTS: Record<Language, StatsCsvTexts> = {
  sv: {
    header: ['Organisation', 'Typ', 'Från', 'Till', 'Uppringningar', 'Svarade', 'Samtal', 'Nya medlemmar', 'Volontärer', 'Anmälda till aktiviteter', 'Sympatisörer', 'Bad att inte bli uppringda igen', 'Fel nummer', 'Tid i telefon (minuter)', 'Ringtimmar', 'Svarade per uppringning', 'Nya medlemmar per samtal', 'Uppringningar per ringtimme'],
    fileWord: 'statistik',
    noName: 'organisation',
  },
  da: {
    header: ['Organisation', 'Type', 'Fra', 'Til', 'Opkald', 'Besvaret', 'Samtaler', 'Nye medlemmer', 'Frivillige', 'Tilmeldte til arrangementer', 'Sympatisører', 'Bad om ikke at blive ringet op igen', 'Forkerte numre', 'Tid i telefonen (minutter)', 'Ringetimer', 'Besvaret pr. opkald', 'Nye medlemmer pr. samtale', 'Opkald pr. ringetime'],
    fileWord: 'statistik',
    noName: 'organisation',
  },
  nb: {
    header: ['Organisasjon', 'Type', 'Fra', 'Til', 'Oppringninger', 'Besvart', 'Samtaler', 'Nye medlemmer', 'Frivillige', 'Påmeldte til arrangementer', 'Sympatisører', 'Ba om ikke å bli oppringt igjen', 'Feil nummer', 'Tid i telefonen (minutter)', 'Ringetimer', 'Besvart per oppringning', 'Nye medlemmer per samtale', 'Oppringninger per ringetime'],
    fileWord: 'statistikk',
    noName: 'organisasjon',
  },
  en: {
    header: ['Organisation', 'Kind', 'From', 'To', 'Calls', 'Reached', 'Conversations', 'New members', 'Volunteers', 'Event sign-ups', 'Supporters', 'Do not call', 'Wrong numbers', 'Talk time (minutes)', 'Caller-hours', 'Reached per call', 'New members per conversation', 'Calls per caller-hour'],
    fileWord: 'statistics',
    noName: 'organisation',
  },
};
