import type { Country } from '../../contract/api';
import { classifyRow } from './classify';

const COUNTRIES: readonly Country[] = ['SE', 'DK', 'NO', 'FI'];

export interface CountryCheck {
  /** Rows of the sample with a phone number (up to the first 500 of the file). */
  sampled: number;
  /** How many of them each country reads as a valid number. */
  readable: Record<Country, number>;
  /** For each country an organizer may choose, the country these numbers look like instead, or null. */
  suggestions: Record<Country, Country | null>;
}

/**
 * Which country a file's numbers belong to, from its first rows: the Danish sample read as Swedish
 * loses 91 of 200 rows, because an 8-digit Danish number is no Swedish one. Another country is suggested
 * when at least a fifth of the sample fails for the chosen one, that country reads most of those, and
 * it reads more of the whole sample. Numbers with a country code read the same for every choice.
 */
export function checkCountries(rows: readonly (readonly string[])[], phoneIdx: readonly number[]): CountryCheck {
  const sample = rows.filter((cells) => phoneIdx.some((column) => (cells[column] ?? '') !== ''));
  const valid = Object.fromEntries(
    COUNTRIES.map((country) => [country, sample.map((cells) => classifyRow(cells, phoneIdx, country).kind === 'valid')]),
  ) as Record<Country, boolean[]>;
  const readable = Object.fromEntries(COUNTRIES.map((country) => [country, valid[country].filter(Boolean).length])) as Record<Country, number>;
  const suggestions = Object.fromEntries(
    COUNTRIES.map((chosen) => {
      const failing = sample.length - readable[chosen];
      if (failing === 0 || failing * 5 < sample.length) return [chosen, null];
      let best: { country: Country; rescued: number } | null = null;
      for (const other of COUNTRIES) {
        if (other === chosen || readable[other] <= readable[chosen]) continue;
        const rescued = valid[other].filter((ok, row) => ok && !valid[chosen][row]).length;
        if (rescued * 2 > failing && (best === null || rescued > best.rescued)) best = { country: other, rescued };
      }
      return [chosen, best?.country ?? null];
    }),
  ) as Record<Country, Country | null>;
  return { sampled: sample.length, readable, suggestions };
}
