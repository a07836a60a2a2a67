// A realistic purchased Swedish list, for the import benchmark and the interrupted-import test.
// Deterministic: the same rows every run.
import { createWriteStream } from 'node:fs';
import iconv from 'iconv-lite';

const FIRST = ['Anna', 'Märta', 'Ingrid', 'Johan', 'Elin', 'Fatima', 'Björn', 'Örjan', 'Karin', 'Ali', 'Åsa', 'Mohammed', 'Linnéa', 'Erik', 'Sven'];
const LAST = ['Johansson', 'Öberg', 'Andersson', 'Sjögren', 'Gustafsson', 'Bäckström', 'Lindström', 'Jönsson', 'Persson', 'Nilsson', 'Åberg'];
const TOWNS = ['Västerås', 'Luleå', 'Norrköping', 'Göteborg', 'Umeå', 'Piteå', 'Kiruna', 'Malmö', 'Örebro', 'Skellefteå'];
const MOBILE_PREFIXES = ['70', '72', '73', '76', '79'];

/** mulberry32: a small deterministic generator that stays exact in 32-bit integer arithmetic. */
let seed = 42;
function random(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
const digits = (count: number) => Array.from({ length: count }, () => Math.floor(random() * 10)).join('');

/** A Swedish mobile number's national digits after the 0 (9 digits), written one of the ways people write it. */
function written(national: string): string {
  const a = national.slice(0, 2);
  const b = national.slice(2, 5);
  const c = national.slice(5, 7);
  const d = national.slice(7, 9);
  switch (Math.floor(random() * 7)) {
    case 0:
      return `0${national}`;
    case 1:
      return `0${a}-${b} ${c} ${d}`;
    case 2:
      return `+46${national}`;
    case 3:
      return `+46 ${a} ${b} ${c} ${d}`;
    case 4:
      return `0046${national}`;
    case 5:
      return `46${national}`;
    default:
      return `0${a}-${b}${c}${d}`;
  }
}

/**
 * Writes a purchased Swedish list as Excel saves it (Windows-1252, `;`, CRLF): 2 % invalid numbers,
 * 3 % numbers repeated in another writing, and 1 % of the numbers returned for the do-not-call register.
 */
export async function generateSwedishList(file: string, rows: number): Promise<{ dncNumbers: string[] }> {
  seed = 42;
  const out = createWriteStream(file);
  const encoder = (text: string) => iconv.encode(text, 'win1252');
  out.write(encoder('Förnamn;Efternamn;Mobilnummer;Telefon hem;Postnr;Ort;Födelseår\r\n'));
  const earlier: string[] = [];
  const dncNumbers: string[] = [];
  let chunk = '';
  for (let row = 0; row < rows; row += 1) {
    const roll = random();
    let mobile: string;
    let home = '';
    if (roll < 0.02) {
      // Invalid: Excel's scientific notation, a lost leading zero, or too few digits.
      mobile = pick([`4,67E+10`, `${pick(MOBILE_PREFIXES)}${digits(7)}`, digits(5)]);
    } else if (roll < 0.05 && earlier.length > 0) {
      mobile = written(pick(earlier)); // the same number again, written another way
    } else {
      const national = `${pick(MOBILE_PREFIXES)}${digits(7)}`;
      if (earlier.length < 100_000) earlier.push(national);
      else earlier[Math.floor(random() * earlier.length)] = national;
      if (random() < 0.0101) dncNumbers.push(`+46${national}`);
      mobile = written(national);
      if (random() < 0.15) home = `08-${digits(3)} ${digits(3)} ${digits(2)}`;
    }
    chunk += `${pick(FIRST)};${pick(LAST)};${mobile};${home};${digits(3)} ${digits(2)};${pick(TOWNS)};${1940 + Math.floor(random() * 66)}\r\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(encoder(chunk))) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
      chunk = '';
    }
  }
  out.end(encoder(chunk));
  await new Promise<void>((resolve) => out.once('finish', () => resolve()));
  return { dncNumbers };
}
