// Defaults that follow from the country an organisation is in.
import type { Country } from '$contract/api';
import type { Locale } from '$lib/i18n/index.svelte';

export const countries: readonly Country[] = ['SE', 'DK', 'NO', 'FI'];

export const countryTimeZone: Record<Country, string> = {
  SE: 'Europe/Stockholm',
  DK: 'Europe/Copenhagen',
  NO: 'Europe/Oslo',
  FI: 'Europe/Helsinki',
};

/** The country a first organisation is most likely in, from the language its admin reads (English: Sweden, Ringa's first). */
export const localeCountry: Record<Locale, Country> = { sv: 'SE', da: 'DK', nb: 'NO', en: 'SE' };

/** Words parties use for their levels, in the country's own language(s); offered, never required. */
export const kindSuggestions: Record<Country, readonly string[]> = {
  SE: ['partidistrikt', 'arbetarekommun', 'krets', 'förening', 'S-förening', 'region'],
  DK: ['region', 'storkreds', 'kreds', 'partiforening', 'lokalafdeling'],
  NO: ['fylkeslag', 'lokallag', 'kommuneparti'],
  FI: ['piiri', 'kunnallisjärjestö', 'yhdistys', 'distrikt', 'förening'],
};

/** The time zones to offer: the Nordic ones, plus the browser's and the current value. */
export function timeZoneOptions(current?: string): string[] {
  const zones = new Set<string>(Object.values(countryTimeZone));
  try {
    zones.add(Intl.DateTimeFormat().resolvedOptions().timeZone);
  } catch {
    // No time zone support: the Nordic ones will do.
  }
  if (current) zones.add(current);
  return [...zones].sort();
}
