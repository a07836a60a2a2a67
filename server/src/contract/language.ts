// The languages Ringa speaks. Everything a person reads is in one of them: screens, errors, files,
// mails and the texts Ringa stores.
import type { Country } from './api';

export const LANGUAGES = ['sv', 'da', 'nb', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

/** The language of an organisation's country: what its files and defaults are written in. */
export function countryLanguage(country: Country): Language {
  if (country === 'SE') return 'sv';
  if (country === 'DK') return 'da';
  if (country === 'NO') return 'nb';
  // Finland has two languages and Ringa speaks neither Finnish nor knows which one is meant.
  return 'en';
}

/** The first of an Accept-Language header's languages that Ringa speaks (Norwegian "no"/"nn" read as Bokmål). */
export function acceptedLanguage(header: string | undefined): Language | null {
  if (!header) return null;
  const tags = header
    .split(',')
    .map((part) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      return { tag: tag.toLowerCase(), q: q ? Number(q.slice(2)) || 0 : 1 };
    })
    .filter((entry) => entry.q > 0)
    .sort((a, b) => b.q - a.q);
  for (const { tag } of tags) {
    const base = tag.split('-')[0];
    const language = base === 'no' || base === 'nn' ? 'nb' : base;
    if (isLanguage(language)) return language;
  }
  return null;
}
