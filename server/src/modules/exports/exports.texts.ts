// The words of a campaign's calls export, in every language Ringa speaks. Outcome labels, tags and
// yes/no come from campaigns/outcome-texts.ts, shared with every other file.
import type { Language } from '../../contract/language';

export interface CallsExportTexts {
  /** The header's fixed columns, in the order the rows have them; the questions follow. */
  columns: readonly [string, string, string, string, string, string, string, string, string, string, string];
  /** The word after the campaign's name in the file name: "Höstens ringning samtal 2026-10-04.csv". */
  fileWord: string;
  /** The file's name when the campaign's name has nothing a file name can hold. */
  noName: string;
}

export const CALLS_EXPORT_TEXTS: Record<Language, CallsExportTexts> = {
  sv: {
    columns: ['Tid', 'Ringare', 'Förnamn', 'Efternamn', 'Telefon', 'Utfall', 'Räknas som', 'Anteckningar', 'Anteckning till nästa ringare', 'Flaggat för kampanjledaren', 'Ring tillbaka'],
    fileWord: 'samtal',
    noName: 'kampanj',
  },
  da: {
    columns: ['Tidspunkt', 'Ringer', 'Fornavn', 'Efternavn', 'Telefon', 'Udfald', 'Tæller som', 'Noter', 'Note til næste ringer', 'Markeret til tovholderen', 'Ring tilbage'],
    fileWord: 'opkald',
    noName: 'kampagne',
  },
  nb: {
    columns: ['Tid', 'Ringer', 'Fornavn', 'Etternavn', 'Telefon', 'Utfall', 'Teller som', 'Notater', 'Notat til neste ringer', 'Flagget til kampanjelederen', 'Ring tilbake'],
    fileWord: 'samtaler',
    noName: 'kampanje',
  },
  en: {
    columns: ['Time', 'Caller', 'First name', 'Last name', 'Phone', 'Outcome', 'Tags', 'Notes', 'Note for the next caller', 'Flag note', 'Callback'],
    fileWord: 'calls',
    noName: 'campaign',
  },
};
