// The language of the interface: chosen by the browser's languages, switchable, remembered.
import { ApiError } from '$lib/api/client';
import { da } from './da';
import { en, type Messages } from './en';
import { errorTexts } from './error-texts';
import { isErrorCode, type ErrorCode } from '$contract/errors';
import { nb } from './nb';
import { sv } from './sv';

export type { Messages };
export const locales = ['sv', 'da', 'nb', 'en'] as const;
export type Locale = (typeof locales)[number];

const dictionaries: Record<Locale, Messages> = { sv, da, nb, en };
/** The formatting locale for dates and numbers. */
const formatTags: Record<Locale, string> = { sv: 'sv-SE', da: 'da-DK', nb: 'nb-NO', en: 'en-GB' };
const STORAGE_KEY = 'ringa.locale';

function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (locales as readonly string[]).includes(value);
}

/** The first of the browser's languages that Ringa speaks (Norwegian "no" and Nynorsk read as Bokmål); English otherwise. */
export function detectLocale(languages: readonly string[]): Locale {
  for (const tag of languages) {
    const base = tag.toLowerCase().split('-')[0];
    const language = base === 'no' || base === 'nn' ? 'nb' : base;
    if (isLocale(language)) return language;
  }
  return 'en';
}

function initialLocale(): Locale {
  try {
    const stored = localStorage.getItem(STORAGE_KEY);
    if (isLocale(stored)) return stored;
  } catch {
    // Storage can be blocked; the browser's language will do.
  }
  return detectLocale(navigator.languages.length > 0 ? navigator.languages : [navigator.language]);
}

class I18n {
  locale = $state<Locale>(initialLocale());
  readonly t: Messages = $derived(dictionaries[this.locale]);
  readonly formatTag: string = $derived(formatTags[this.locale]);

  constructor() {
    document.documentElement.lang = this.locale;
  }

  setLocale(locale: Locale): void {
    this.locale = locale;
    document.documentElement.lang = locale;
    try {
      localStorage.setItem(STORAGE_KEY, locale);
    } catch {
      // Not remembered, but still switched.
    }
  }

  date(iso: string): string {
    return new Intl.DateTimeFormat(this.formatTag, { dateStyle: 'medium' }).format(new Date(iso));
  }

  dateTime(iso: string): string {
    return new Intl.DateTimeFormat(this.formatTag, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
  }

  /** What an error code means, in this language. */
  errorText(code: ErrorCode): string {
    return errorTexts[this.locale][code];
  }

  /** What a refusal's code means (a socket ack's or a request's), in this language. */
  codeText(code: string): string {
    if (code === 'network') return this.t.errors.network;
    return this.errorText(isErrorCode(code) ? code : 'internal');
  }

  /** A message a person can act on, in their language, for every code the server answers with. */
  error(error: unknown): string {
    if (!(error instanceof ApiError)) return this.errorText('internal');
    if (error.code === 'rate_limited' && error.retryAfterSeconds !== null) {
      return this.t.errors.rateLimitedIn(Math.max(1, Math.ceil(error.retryAfterSeconds / 60)));
    }
    return this.codeText(error.code);
  }
}

export const i18n = new I18n();
