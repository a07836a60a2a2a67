import { badRequest } from '../../errors';
import type { NoticeLanguage } from './privacy-settings';

// The first-contact notice (GDPR Art. 14) as text: the placeholders an organisation may write, and
// the notice filled for one person, in the language the people an organisation calls hear.

export const NOTICE_PLACEHOLDERS = ['organisation', 'source'] as const;

/** A list's source as recorded with it; kind null = not recorded (lists imported before sources were asked). */
export interface ListSource {
  kind: 'broker' | 'members' | 'signup' | 'other' | null;
  /** The broker's name, or for "other" the description. */
  name: string;
}

/**
 * The notice as an organizer wrote it, trimmed; a 400 naming the first thing in braces that is not
 * {organisation} or {source} (a typo would otherwise be read out to the person as it stands).
 */
export function checkNotice(text: string): string {
  const trimmed = text.trim();
  if (!trimmed) throw badRequest('notice_empty', 'The notice is empty. Write what the caller says, or send null to use the one above.');
  const stray = strayPlaceholder(trimmed);
  if (stray !== null) {
    throw badRequest(
      'unknown_placeholder',
      `The notice has "${stray}", which Ringa cannot fill. Use {organisation} for the calling organisation's name and {source} for where the number came from.`,
    );
  }
  return trimmed;
}

/** The first thing in braces that is not {organisation} or {source} (or a lone brace), or null. Also the web app's check. */
export function strayPlaceholder(text: string): string | null {
  return /\{[^{}]{0,40}\}?|\}/.exec(text.replace(/\{(organisation|source)\}/g, ''))?.[0] ?? null;
}

const PHRASES: Record<NoticeLanguage, { broker: (name: string) => string; members: string; signup: string; unknown: string; and: string }> = {
  sv: {
    broker: (name) => (name ? `en adresslista som vi köpt från ${name}` : 'en adresslista som vi köpt'),
    members: 'vårt medlemsregister',
    signup: 'din anmälan till oss',
    unknown: 'en av våra kontaktlistor',
    and: 'och',
  },
  da: {
    broker: (name) => (name ? `en adresseliste, som vi har købt hos ${name}` : 'en adresseliste, som vi har købt'),
    members: 'vores medlemsregister',
    signup: 'din tilmelding hos os',
    unknown: 'en af vores kontaktlister',
    and: 'og',
  },
  nb: {
    broker: (name) => (name ? `en adresseliste vi har kjøpt fra ${name}` : 'en adresseliste vi har kjøpt'),
    members: 'medlemsregisteret vårt',
    signup: 'påmeldingen din til oss',
    unknown: 'en av kontaktlistene våre',
    and: 'og',
  },
  en: {
    broker: (name) => (name ? `an address list we bought from ${name}` : 'an address list we bought'),
    members: 'our membership register',
    signup: 'your sign-up with us',
    unknown: 'one of our contact lists',
    and: 'and',
  },
};

/** One list's source as the person hears it. */
export function sourcePhrase(language: NoticeLanguage, source: ListSource): string {
  const phrases = PHRASES[language];
  const name = source.name.trim();
  switch (source.kind) {
    case 'broker':
      return phrases.broker(name);
    case 'members':
      return phrases.members;
    case 'signup':
      return phrases.signup;
    case 'other':
      return name || phrases.unknown;
    case null:
      return phrases.unknown;
  }
}

/**
 * Where the number came from, over all the person's lists: each source once, recorded ones first
 * ("not recorded" only when nothing is), joined as the language joins a list.
 */
export function sourcesPhrase(language: NoticeLanguage, sources: ListSource[]): string {
  const recorded = sources.filter((source) => source.kind !== null);
  const phrases = [...new Set((recorded.length > 0 ? recorded : [{ kind: null, name: '' }]).map((source) => sourcePhrase(language, source)))];
  if (phrases.length === 1) return phrases[0] ?? '';
  return `${phrases.slice(0, -1).join(', ')} ${PHRASES[language].and} ${phrases.at(-1) ?? ''}`;
}

/** The notice with its placeholders filled. */
export function fillNotice(template: string, values: { organisation: string; source: string }): string {
  return template.replace(/\{(organisation|source)\}/g, (_, name: 'organisation' | 'source') => values[name]);
}

/** Examples of {source} for an organisation's preview: each kind of list as its people would hear it. */
export function sourceExamples(language: NoticeLanguage): { kind: ListSource['kind'] | 'other'; text: string }[] {
  const broker = { sv: 'Företaget AB', da: 'Firmaet A/S', nb: 'Firmaet AS', en: 'Company Ltd' }[language];
  return [
    { kind: 'broker', text: sourcePhrase(language, { kind: 'broker', name: broker }) },
    { kind: 'members', text: sourcePhrase(language, { kind: 'members', name: '' }) },
    { kind: 'signup', text: sourcePhrase(language, { kind: 'signup', name: '' }) },
    { kind: null, text: sourcePhrase(language, { kind: null, name: '' }) },
  ];
}
