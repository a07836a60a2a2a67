// When calling opens next, as the caller reads it: today, tomorrow, or the day and date, with the time,
// in the reader's language and on their own clock.

export interface OpeningWords {
  day: 'today' | 'tomorrow' | 'later';
  /** The weekday and date ("måndag 12 oktober"), for a day after tomorrow. */
  date: string;
  time: string;
}

function dayNumber(date: Date): number {
  return Math.floor((date.getTime() - date.getTimezoneOffset() * 60_000) / 86_400_000);
}

export function openingWords(opensAt: string, now: Date, formatTag: string): OpeningWords {
  const at = new Date(opensAt);
  const days = dayNumber(at) - dayNumber(now);
  return {
    day: days <= 0 ? 'today' : days === 1 ? 'tomorrow' : 'later',
    date: new Intl.DateTimeFormat(formatTag, { weekday: 'long', day: 'numeric', month: 'long' }).format(at),
    time: new Intl.DateTimeFormat(formatTag, { hour: '2-digit', minute: '2-digit' }).format(at),
  };
}

/** The dictionary's words for when calling opens. */
export interface OpeningTexts {
  opens: { today: (time: string) => string; tomorrow: (time: string) => string; later: (date: string, time: string) => string };
}

/** "Ringningen öppnar i morgon kl. 10:00.", or null when no time is known. */
export function openingText(opensAt: string | null, texts: OpeningTexts, formatTag: string, now = new Date()): string | null {
  if (!opensAt) return null;
  const words = openingWords(opensAt, now, formatTag);
  return words.day === 'later' ? texts.opens.later(words.date, words.time) : texts.opens[words.day](words.time);
}
