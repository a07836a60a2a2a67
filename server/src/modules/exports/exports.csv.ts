// The pieces of an exported CSV file that are made in TypeScript: the header line and the file's name.
// The rows come from PostgreSQL's COPY (exports.repository.ts), under the same rules.
import MarkdownIt from 'markdown-it';
import type { SeparatorValue } from './exports.schemas';
import { CALLS_EXPORT_TEXTS } from './exports.texts';

export const DELIMITERS: Record<SeparatorValue, ';' | ','> = { semicolon: ';', comma: ',' };

/** Excel (and LibreOffice, Google Sheets) take a cell beginning with one of these for a formula: = + - @ tab CR. */
export const FORMULA_STARTS = ['=', '+', '-', '@', '\t', '\r'] as const;

/** A cell as text a spreadsheet will not run: a leading ' when it begins like a formula. */
export function neutralise(value: string): string {
  return (FORMULA_STARTS as readonly string[]).includes(value.charAt(0)) ? `'${value}` : value;
}

/** One CSV record quoted as PostgreSQL's COPY quotes (delimiter, quote, CR or LF inside), cells neutralised, CRLF-less: COPY ends its lines with LF. */
export function csvLine(cells: readonly string[], delimiter: ';' | ','): string {
  return `${cells
    .map((cell) => {
      const safe = neutralise(cell);
      return safe.includes(delimiter) || /["\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
    })
    .join(delimiter)}\n`;
}

const markdown = new MarkdownIt({ html: false, linkify: false });

/** A question as written (inline Markdown with {merge fields}) as plain text on one line: **Vill** du → Vill du. */
export function plainText(text: string): string {
  const children = markdown.parseInline(text, {})[0]?.children ?? [];
  const parts = children.map((token) => {
    switch (token.type) {
      case 'text':
      case 'code_inline':
        return token.content;
      case 'softbreak':
      case 'hardbreak':
        return ' ';
      case 'image':
        return token.children?.map((child) => child.content).join('') ?? '';
      default:
        return '';
    }
  });
  return parts.join('').replace(/\s+/g, ' ').trim();
}

/** "Medlemsringning hösten 2026 samtal 2026-10-04.csv": the campaign's name without what a file name cannot hold, in the reader's words. */
export function exportFileName(campaignName: string, date: string, words: { fileWord: string; noName: string } = CALLS_EXPORT_TEXTS.en): string {
  const name = campaignName.replace(/[^\p{L}\p{N} _-]/gu, '').replace(/\s+/g, ' ').trim().slice(0, 100).trim();
  return `${name || words.noName} ${words.fileWord} ${date}.csv`;
}

/** The day (YYYY-MM-DD) in a time zone. */
export function localDate(at: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(at);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')}`;
}
