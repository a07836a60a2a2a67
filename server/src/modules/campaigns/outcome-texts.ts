// The words for what Ringa itself names in a campaign (its built-in outcomes, the tags a call counts
// for, a yes or a no), in every language Ringa speaks: one place for every file and text the server
// writes, so a call export, a person's export and the statistics say the same as the screens.
import type { Language } from '../../contract/language';
import type { TagValue } from './campaigns.schemas';

export type BuiltInOutcome = 'no-answer' | 'busy' | 'voicemail' | 'wrong-number' | 'conversation' | 'callback' | 'refused' | 'do-not-call';

export const OUTCOME_LABELS: Record<Language, Record<BuiltInOutcome, string>> = {
  sv: {
    'no-answer': 'Inget svar',
    busy: 'Upptaget',
    voicemail: 'Röstbrevlåda',
    'wrong-number': 'Fel nummer',
    conversation: 'Samtal',
    callback: 'Ring tillbaka senare',
    refused: 'Ville inte prata',
    'do-not-call': 'Ring inte igen',
  },
  da: {
    'no-answer': 'Intet svar',
    busy: 'Optaget',
    voicemail: 'Telefonsvarer',
    'wrong-number': 'Forkert nummer',
    conversation: 'Samtale',
    callback: 'Ring tilbage senere',
    refused: 'Ville ikke tale',
    'do-not-call': 'Ring ikke igen',
  },
  nb: {
    'no-answer': 'Ikke svar',
    busy: 'Opptatt',
    voicemail: 'Telefonsvarer',
    'wrong-number': 'Feil nummer',
    conversation: 'Samtale',
    callback: 'Ring tilbake senere',
    refused: 'Ville ikke snakke',
    'do-not-call': 'Ikke ring igjen',
  },
  en: {
    'no-answer': 'No answer',
    busy: 'Busy',
    voicemail: 'Voicemail',
    'wrong-number': 'Wrong number',
    conversation: 'Conversation',
    callback: 'Call back later',
    refused: 'Did not want to talk',
    'do-not-call': 'Do not call again',
  },
};

export const TAG_NAMES: Record<Language, Record<TagValue, string>> = {
  sv: { recruit: 'Ny medlem', volunteer: 'Volontär', event: 'Aktivitet', supporter: 'Sympatisör' },
  da: { recruit: 'Nyt medlem', volunteer: 'Frivillig', event: 'Arrangement', supporter: 'Sympatisør' },
  nb: { recruit: 'Nytt medlem', volunteer: 'Frivillig', event: 'Arrangement', supporter: 'Sympatisør' },
  en: { recruit: 'New member', volunteer: 'Volunteer', event: 'Event', supporter: 'Supporter' },
};

export const YES_NO: Record<Language, { yes: string; no: string }> = {
  sv: { yes: 'Ja', no: 'Nej' },
  da: { yes: 'Ja', no: 'Nej' },
  nb: { yes: 'Ja', no: 'Nei' },
  en: { yes: 'Yes', no: 'No' },
};

function isBuiltIn(code: string): code is BuiltInOutcome {
  return Object.hasOwn(OUTCOME_LABELS.en, code);
}

/** An outcome as a reader sees it: the organizer's own label as written, else the built-in outcome's words, else its code. */
export function outcomeLabel(code: string, label: string, language: Language): string {
  if (label.trim() !== '') return label;
  return isBuiltIn(code) ? OUTCOME_LABELS[language][code] : code;
}

/** A tag's name in the language; an unknown tag as it is. */
export function tagName(tag: string, language: Language): string {
  const names: Record<string, string> = TAG_NAMES[language];
  return names[tag] ?? tag;
}

/** A yes/no answer in words. */
export function yesNo(answer: boolean, language: Language): string {
  return answer ? YES_NO[language].yes : YES_NO[language].no;
}
