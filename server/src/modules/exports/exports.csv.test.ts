import { expect, test } from 'vitest';
import { csvLine, exportFileName, localDate, neutralise, plainText } from './exports.csv';
import { CALLS_EXPORT_TEXTS } from './exports.texts';

test('a cell beginning like a formula gets a leading apostrophe; others stay as they are', () => {
  for (const start of ['=', '+', '-', '@', '\t', '\r']) expect(neutralise(`${start}1`)).toBe(`'${start}1`);
  for (const value of ['', 'Åsa', ' =1', "'=1", '1-2', 'a@b']) expect(neutralise(value)).toBe(value);
});

test('a header line is quoted as COPY quotes its rows: only cells with the delimiter, a quote or a line break', () => {
  expect(csvLine(['Tid', 'a;b', 'a,b', 'sa "hej"', 'rad\nny', '=1'], ';')).toBe('Tid;"a;b";a,b;"sa ""hej""";"rad\nny";\'=1\n');
  expect(csvLine(['a;b', 'a,b'], ',')).toBe('a;b,"a,b"\n');
});

test('a question as plain text on one line: Markdown emphasis, code and links give their text; merge fields stay as written', () => {
  expect(plainText('Vill du bli **medlem**, {first_name}?')).toBe('Vill du bli medlem, {first_name}?');
  expect(plainText('Läs [mer](https://example.org) om `förslaget`\nsen')).toBe('Läs mer om förslaget sen');
  expect(plainText('<b>Hej</b>')).toBe('<b>Hej</b>');
});

test("a file name from the campaign's name and the day, with nothing a file system or a header cannot hold", () => {
  expect(exportFileName('Höstens ringning: del 1/2 "Malmö"', '2026-10-04')).toBe('Höstens ringning del 12 Malmö calls 2026-10-04.csv');
  expect(exportFileName('../../etc/passwd', '2026-10-04')).toBe('etcpasswd calls 2026-10-04.csv');
  expect(exportFileName('***', '2026-10-04')).toBe('campaign calls 2026-10-04.csv');
  // In the reader's words.
  expect(exportFileName('Höstens ringning', '2026-10-04', CALLS_EXPORT_TEXTS.sv)).toBe('Höstens ringning samtal 2026-10-04.csv');
  expect(exportFileName('***', '2026-10-04', CALLS_EXPORT_TEXTS.nb)).toBe('kampanje samtaler 2026-10-04.csv');
});

test('the day in the organisation’s time zone, not the server’s', () => {
  expect(localDate(new Date('2026-10-04T22:30:00Z'), 'Europe/Stockholm')).toBe('2026-10-05');
  expect(localDate(new Date('2026-10-04T21:30:00Z'), 'Europe/Copenhagen')).toBe('2026-10-04');
});
