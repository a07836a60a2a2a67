// The language of the interface: chosen by the browser's languages, switchable, remembered.
import { ApiError } from '$lib/api/client';
import { da } from './da';
import { en, type Messages } from './en';
import { sv } from './sv';

export type { Messages };
export const locales = ['sv', 'da', 'en'] as const;
export type Locale = (typeof locales)[number];

const dictionaries: Record<Locale, Messages> = { sv, da, en };
/** The formatting locale for dates and numbers. */
const formatTags: Record<Locale, string> = { sv: 'sv-SE', da: 'da-DK', en: 'en-GB' };
const STORAGE_KEY = 'ringa.locale';

function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (locales as readonly string[]).includes(value);
}

/** The first of the browser's languages that Ringa speaks; English otherwise. */
export function detectLocale(languages: readonly string[]): Locale {
  for (const tag of languages) {
    const language = tag.toLowerCase().split('-')[0];
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

  /** A message a person can act on: translated for the codes we know, the server's words otherwise. */
  error(error: unknown): string {
    const errors = this.t.errors;
    if (!(error instanceof ApiError)) return errors.internal;
    switch (error.code) {
      case 'network':
        return errors.network;
      case 'rate_limited':
        return error.retryAfterSeconds !== null
          ? errors.rateLimitedIn(Math.max(1, Math.ceil(error.retryAfterSeconds / 60)))
          : errors.rate_limited;
      case 'unauthenticated':
      case 'invalid_credentials':
      case 'setup_token_invalid':
      case 'setup_done':
      case 'weak_password':
      case 'invite_not_found':
      case 'invite_expired':
      case 'invite_used_up':
      case 'invite_revoked':
      case 'email_taken':
      case 'already_member':
      case 'forbidden':
      case 'not_found':
      case 'origin_mismatch':
      case 'origin_required':
      case 'organisation_exists':
      case 'last_admin':
      case 'own_membership':
      case 'own_account':
      case 'invalid_time_zone':
      case 'validation':
      case 'body_too_large':
      case 'invalid_payload':
      case 'internal':
        return errors[error.code];
      default:
        return error.message || errors.internal;
    }
  }
}

export const i18n = new I18n();
