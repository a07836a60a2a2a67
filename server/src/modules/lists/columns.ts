import { ListFileError } from './table-reader';

export type Field = 'firstName' | 'lastName' | 'mobile' | 'phone' | 'email' | 'postalCode' | 'city' | 'birthYear' | 'memberSince' | 'association';

export interface ColumnMapping {
  columns: {
    index: number;
    header: string;
    /** null: kept as an attribute named by its header. */
    field: Field | null;
    ignore?: boolean;
  }[];
}

const FIELDS: readonly Field[] = ['firstName', 'lastName', 'mobile', 'phone', 'email', 'postalCode', 'city', 'birthYear', 'memberSince', 'association'];
/** Fields a list may hold several columns of (a mobile and a work mobile, say); the rest one each. */
const REPEATABLE = new Set<Field>(['mobile', 'phone']);

/** Headers as Swedish, Danish, Norwegian and English lists write them, in the form `headerKey` gives. */
const HEADERS: Record<Field, string[]> = {
  firstName: ['fornamn', 'fornavn', 'tilltalsnamn', 'firstname', 'givenname'],
  lastName: ['efternamn', 'efternavn', 'etternavn', 'lastname', 'surname', 'familyname'],
  mobile: ['mobil', 'mobilnummer', 'mobilnr', 'mobiltelefon', 'mobiltelefonnummer', 'mobiltlf', 'mobile', 'mobilephone', 'mobilenumber', 'cell', 'cellphone'],
  phone: [
    'telefon',
    'telefonnummer',
    'telefonnr',
    'tlf',
    'tlfnr',
    'tel',
    'telnr',
    'phone',
    'phonenumber',
    'telephone',
    'telefonhem',
    'hemtelefon',
    'telefonbostad',
    'fastnet',
    'fastnettelefon',
    'hjemmetelefon',
    'fasttelefon',
    'landline',
    'homephone',
  ],
  email: ['epost', 'epostadress', 'epostadresse', 'email', 'emailadress', 'emailaddress', 'mail', 'mailadress', 'mailadresse'],
  postalCode: ['postnummer', 'postnr', 'postcode', 'postalcode', 'zip', 'zipcode'],
  city: ['ort', 'postort', 'by', 'sted', 'poststed', 'bosted', 'city', 'town'],
  birthYear: ['fodelsear', 'fodselsar', 'birthyear', 'yearofbirth'],
  memberSince: ['medlemsedan', 'medlemsiden', 'membersince', 'medlemfran', 'indmeldt', 'innmeldt'],
  association: ['forening', 'association', 'branch', 'lokalforening', 'partiforening', 'lokallag'],
};

const FIELD_BY_KEY = new Map<string, Field>(FIELDS.flatMap((field) => HEADERS[field].map((key) => [key, field] as const)));

/**
 * A header as a lookup key: case, accents and punctuation gone (Födelseår → fodelsear, E-post → epost,
 * Fødselsår → fodselsar), and a trailing number too, so "Telefon 2" is a phone column.
 */
export function headerKey(header: string): string {
  return header
    .toLowerCase()
    .replace(/ø/g, 'o')
    .replace(/æ/g, 'ae')
    .replace(/ß/g, 'ss')
    .normalize('NFD')
    .replace(/[^a-z0-9]/g, '')
    .replace(/\d+$/, '');
}

/** The mapping proposed for a header: each recognised column gets its field, the first of each kind wins. */
export function proposeMapping(header: string[]): ColumnMapping {
  const taken = new Set<Field>();
  return {
    columns: header.map((text, index) => {
      const found = FIELD_BY_KEY.get(headerKey(text)) ?? null;
      const field = found !== null && (REPEATABLE.has(found) || !taken.has(found)) ? found : null;
      if (field) taken.add(field);
      // A column without a name cannot become an attribute; the organizer may still map it.
      return text.trim() === '' ? { index, header: text, field, ignore: true } : { index, header: text, field };
    }),
  };
}

/** The columns to take phone numbers from, in the order to try them: mobiles first, then other phones, each in file order. */
export function phoneColumns(mapping: ColumnMapping): number[] {
  const used = mapping.columns.filter((column) => !column.ignore).sort((a, b) => a.index - b.index);
  return [...used.filter((column) => column.field === 'mobile'), ...used.filter((column) => column.field === 'phone')].map((column) => column.index);
}

/** Throws when a mapping has no column to call. */
export function requirePhoneColumn(mapping: ColumnMapping): void {
  if (phoneColumns(mapping).length > 0) return;
  const headers = mapping.columns.map((column) => column.header).filter((header) => header.trim() !== '');
  throw new ListFileError(
    400,
    'no_phone_column',
    `No column holds phone numbers${headers.length > 0 ? ` (the columns are: ${headers.slice(0, 12).join(', ')}${headers.length > 12 ? ' …' : ''})` : ''}. ` +
      'Name the column "Mobil" or "Telefon" in the file, or choose it as the phone column when you upload.',
  );
}

/** A mapping the web app sent, checked against the file's header. Throws invalid_mapping or no_phone_column. */
export function validateMapping(mapping: unknown, header: string[]): ColumnMapping {
  if (!isRecord(mapping) || !Array.isArray(mapping.columns)) throw invalidMapping('It must be an object with a list of columns.');
  const seen = new Set<number>();
  const single = new Set<Field>();
  const columns: ColumnMapping['columns'] = [];
  for (const column of mapping.columns as unknown[]) {
    if (!isRecord(column)) throw invalidMapping('Every column must be an object.');
    const { index, field, ignore } = column;
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= header.length) {
      throw invalidMapping(`Column index ${JSON.stringify(index)} is not one of the file's ${header.length} columns.`);
    }
    if (seen.has(index)) throw invalidMapping(`Column ${index + 1} is mapped twice.`);
    seen.add(index);
    const name = header[index] as string;
    if (column.header !== undefined && column.header !== name) {
      throw invalidMapping(`Column ${index + 1} is called "${name}" in the file, not ${JSON.stringify(column.header)}. Reload the file and map it again.`);
    }
    if (field !== null && (typeof field !== 'string' || !FIELDS.includes(field as Field))) {
      throw invalidMapping(`${JSON.stringify(field) ?? 'A missing field'} is not a field (the fields are ${FIELDS.join(', ')}).`);
    }
    if (ignore !== undefined && typeof ignore !== 'boolean') throw invalidMapping(`Column ${index + 1}: "ignore" must be true or false.`);
    const checked = field as Field | null;
    if (checked !== null && !ignore && !REPEATABLE.has(checked)) {
      if (single.has(checked)) throw invalidMapping(`Two columns are mapped to ${checked}; choose one.`);
      single.add(checked);
    }
    columns.push(ignore === undefined ? { index, header: name, field: checked } : { index, header: name, field: checked, ignore });
  }
  const result = { columns: columns.sort((a, b) => a.index - b.index) };
  requirePhoneColumn(result);
  return result;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalidMapping(what: string): ListFileError {
  return new ListFileError(400, 'invalid_mapping', `The column mapping is not valid: ${what}`);
}
