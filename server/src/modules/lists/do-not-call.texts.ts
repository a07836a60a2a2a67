// What the do-not-call register says for an entry Ringa made itself (it stores no words, only the source).
import type { Language } from '../../contract/language';

/** The reason of an entry made when the person asked during a call (source 'call', no reason stored). */
export const ASKED_DURING_A_CALL: Record<Language, string> = {
  sv: 'Bad under ett samtal att inte bli uppringd igen.',
  da: 'Bad under et opkald om ikke at blive ringet op igen.',
  nb: 'Ba under en samtale om ikke å bli oppringt igjen.',
  en: 'Asked during a call not to be called again.',
};

/** An entry's reason as a reader sees it: what was written, else the words for where it came from. */
export function doNotCallReasonText(entry: { reason: string; source: string }, language: Language): string {
  if (entry.reason !== '' || entry.source !== 'call') return entry.reason;
  return ASKED_DURING_A_CALL[language];
}
