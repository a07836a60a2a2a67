// .xlsx files made byte by byte for tests: real lists of many rows, and hostile ones (zip bombs, zips
// whose directory lies about the sizes). The zip is written here so that every field is in our hands.
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { createDeflateRaw, crc32 } from 'node:zlib';

/** A part of the zip; its content streamed so that hundreds of megabytes never sit in memory. */
export interface ZipPart {
  name: string;
  content: string | (() => Iterable<string>);
  /** The uncompressed size the zip's headers declare, instead of the true one: a lie. */
  declaredSize?: number;
}

/** Writes a zip as Excel does (deflated parts, sizes in the headers); returns its size in bytes. */
export async function writeZip(file: string, parts: ZipPart[]): Promise<number> {
  const out = await open(file, 'w');
  const central: Buffer[] = [];
  let offset = 0;
  try {
    for (const part of parts) {
      let crc = 0;
      let size = 0;
      const chunks: Buffer[] = [];
      const source = typeof part.content === 'string' ? [part.content] : part.content();
      const deflate = createDeflateRaw({ level: 6 });
      const done = (async () => {
        for await (const chunk of deflate as AsyncIterable<Buffer>) chunks.push(chunk);
      })();
      for await (const text of Readable.from(source, { objectMode: true }) as AsyncIterable<string>) {
        const bytes = Buffer.from(text);
        crc = crc32(bytes, crc);
        size += bytes.length;
        if (!deflate.write(bytes)) await new Promise((resolve) => deflate.once('drain', resolve));
      }
      deflate.end();
      await done;
      const data = Buffer.concat(chunks);
      const declared = part.declaredSize ?? size;
      const name = Buffer.from(part.name);
      const local = Buffer.alloc(30);
      local.writeUInt32LE(0x04034b50, 0);
      local.writeUInt16LE(20, 4);
      local.writeUInt16LE(0x0800, 6); // names in UTF-8
      local.writeUInt16LE(8, 8);
      local.writeUInt32LE(crc >>> 0, 14);
      local.writeUInt32LE(data.length, 18);
      local.writeUInt32LE(declared, 22);
      local.writeUInt16LE(name.length, 26);
      await out.write(Buffer.concat([local, name, data]));
      const entry = Buffer.alloc(46);
      entry.writeUInt32LE(0x02014b50, 0);
      entry.writeUInt16LE(20, 4);
      entry.writeUInt16LE(20, 6);
      entry.writeUInt16LE(0x0800, 8);
      entry.writeUInt16LE(8, 10);
      entry.writeUInt32LE(crc >>> 0, 16);
      entry.writeUInt32LE(data.length, 20);
      entry.writeUInt32LE(declared, 24);
      entry.writeUInt16LE(name.length, 28);
      entry.writeUInt32LE(offset, 42);
      central.push(entry, name);
      offset += local.length + name.length + data.length;
    }
    const directory = Buffer.concat(central);
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(parts.length, 8);
    end.writeUInt16LE(parts.length, 10);
    end.writeUInt32LE(directory.length, 12);
    end.writeUInt32LE(offset, 16);
    await out.write(Buffer.concat([directory, end]));
    return offset + directory.length + end.length;
  } finally {
    await out.close();
  }
}

const MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const RELS = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';

function xmlText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function column(index: number): string {
  let name = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  return name;
}

/** The parts every workbook has, around a sheet and its shared texts (in Excel's order: the sheet first). */
export function workbookParts(sheet: ZipPart['content'], sharedStrings: ZipPart['content'], lies: { sharedStrings?: number; sheet?: number } = {}): ZipPart[] {
  return [
    {
      name: '[Content_Types].xml',
      content:
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>' +
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' +
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' +
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    },
    {
      name: '_rels/.rels',
      content: `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
    },
    {
      name: 'xl/workbook.xml',
      content: `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="${MAIN}" xmlns:r="${RELS}"><sheets><sheet name="Lista" sheetId="1" r:id="rId1"/></sheets></workbook>`,
    },
    {
      name: 'xl/_rels/workbook.xml.rels',
      content:
        `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
        `<Relationship Id="rId1" Type="${RELS}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="${RELS}/sharedStrings" Target="sharedStrings.xml"/></Relationships>`,
    },
    { name: 'xl/worksheets/sheet1.xml', content: sheet, ...(lies.sheet !== undefined ? { declaredSize: lies.sheet } : {}) },
    { name: 'xl/sharedStrings.xml', content: sharedStrings, ...(lies.sharedStrings !== undefined ? { declaredSize: lies.sharedStrings } : {}) },
    // Excel writes more after the shared texts (ExcelJS's own zip reader missed shared texts that came last).
    {
      name: 'docProps/app.xml',
      content:
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Application>Microsoft Excel</Application></Properties>',
    },
  ];
}

/** A sheet whose cells are shared texts (by index) or numbers, as Excel writes them. */
export function* sheetXml(rows: () => Iterable<(number | { shared: number })[]>): Iterable<string> {
  yield `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="${MAIN}" xmlns:r="${RELS}"><sheetData>`;
  let r = 0;
  let chunk = '';
  for (const cells of rows()) {
    r += 1;
    chunk += `<row r="${r}">`;
    cells.forEach((cell, i) => {
      chunk += typeof cell === 'number' ? `<c r="${column(i)}${r}"><v>${cell}</v></c>` : `<c r="${column(i)}${r}" t="s"><v>${cell.shared}</v></c>`;
    });
    chunk += '</row>';
    if (chunk.length > 64 * 1024) {
      yield chunk;
      chunk = '';
    }
  }
  yield `${chunk}</sheetData></worksheet>`;
}

/** Shared texts, in batches. */
export function* sharedStringsXml(count: number, texts: () => Iterable<string>): Iterable<string> {
  yield `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="${MAIN}" count="${count}" uniqueCount="${count}">`;
  let chunk = '';
  for (const text of texts()) {
    chunk += `<si><t>${xmlText(text)}</t></si>`;
    if (chunk.length > 64 * 1024) {
      yield chunk;
      chunk = '';
    }
  }
  yield `${chunk}</sst>`;
}

/**
 * A zip bomb as an organizer could upload it: a list of three people whose shared texts are
 * `megabytes` of repeated text, deflated about a thousand times smaller. With `lie`, the zip's
 * headers declare every part as a few kilobytes.
 */
export function bombParts(megabytes: number, options: { lie?: boolean } = {}): ZipPart[] {
  const filler = 'Anna Andersson, Storgatan 12, 123 45 Storstad, anna.andersson@example.org';
  const count = Math.ceil((megabytes * 1024 * 1024) / (filler.length + 16));
  const sheet = sheetXml(function* () {
    yield [{ shared: 0 }, { shared: 1 }];
    for (let i = 0; i < 3; i++) yield [{ shared: 2 + i }, { shared: 5 + i }];
  });
  const texts = sharedStringsXml(count, function* () {
    yield 'Namn';
    yield 'Mobil';
    yield* ['Anna', 'Bo', 'Cecilia'];
    yield* ['070-123 45 67', '070-123 45 68', '070-123 45 69'];
    for (let i = 8; i < count; i++) yield filler;
  });
  const sheetXmlText = [...sheet].join('');
  return workbookParts(sheetXmlText, () => texts, options.lie ? { sharedStrings: 4096, sheet: 4096 } : {});
}

const FIRST = ['Anna', 'Märta', 'Ingrid', 'Johan', 'Elin', 'Fatima', 'Björn', 'Örjan', 'Karin', 'Ali', 'Åsa', 'Mohammed', 'Linnéa', 'Erik', 'Sven'];
const LAST = ['Johansson', 'Öberg', 'Andersson', 'Sjögren', 'Gustafsson', 'Bäckström', 'Lindström', 'Jönsson', 'Persson', 'Nilsson', 'Åberg'];
const TOWNS = ['Västerås', 'Luleå', 'Norrköping', 'Göteborg', 'Umeå', 'Piteå', 'Kiruna', 'Malmö', 'Örebro', 'Skellefteå'];
const STREETS = ['Storgatan', 'Kyrkogatan', 'Skolvägen', 'Björkvägen', 'Ringvägen', 'Östra Långgatan', 'Järnvägsgatan'];

/**
 * A purchased list as Excel saves it: first name, last name, mobile (as text), street address, postal
 * code, town, e-mail and birth year, every number distinct; the addresses, e-mails and numbers are
 * unique texts, as in a real list.
 */
export function realListParts(rows: number): ZipPart[] {
  const header = ['Förnamn', 'Efternamn', 'Mobil', 'Adress', 'Postnr', 'Ort', 'E-post', 'Födelseår'];
  // Shared texts: the header, the names and towns, then per row its mobile, address and e-mail.
  const fixed = [...header, ...FIRST, ...LAST, ...TOWNS];
  const firstAt = header.length;
  const lastAt = firstAt + FIRST.length;
  const townAt = lastAt + LAST.length;
  const rowText = (i: number) => {
    const first = FIRST[i % FIRST.length] as string;
    const last = LAST[(i * 7) % LAST.length] as string;
    return [
      `070-${String(10_000_000 + i).slice(1, 4)} ${String(10_000_000 + i).slice(4, 6)} ${String(10_000_000 + i).slice(6)}`,
      `${STREETS[i % STREETS.length]} ${(i % 97) + 1}, lgh ${1000 + (i % 9000)}`,
      `${first}.${last}.${i}@example.org`.toLowerCase(),
    ];
  };
  const count = fixed.length + rows * 3;
  const texts = () =>
    sharedStringsXml(count, function* () {
      yield* fixed;
      for (let i = 0; i < rows; i++) yield* rowText(i);
    });
  const sheet = () =>
    sheetXml(function* () {
      yield header.map((_, i) => ({ shared: i }));
      for (let i = 0; i < rows; i++) {
        const own = fixed.length + i * 3;
        yield [
          { shared: firstAt + (i % FIRST.length) },
          { shared: lastAt + ((i * 7) % LAST.length) },
          { shared: own },
          { shared: own + 1 },
          10_000 + ((i * 37) % 89_999),
          { shared: townAt + (i % TOWNS.length) },
          { shared: own + 2 },
          1930 + (i % 75),
        ];
      }
    });
  return workbookParts(sheet, texts);
}
