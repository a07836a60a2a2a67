import { describe, expect, test } from 'vitest';
import { headerKey, phoneColumns, proposeMapping, requirePhoneColumn, validateMapping } from './columns';
import { ListFileError } from './table-reader';

const fieldsOf = (header: string[]) => proposeMapping(header).columns.map((column) => column.field);

describe('proposeMapping', () => {
  test('Swedish headers', () => {
    expect(fieldsOf(['Förnamn', 'Efternamn', 'Mobilnummer', 'Telefon hem', 'Postnr', 'Ort', 'Födelseår', 'Medlem sedan', 'Förening', 'E-post'])).toEqual([
      'firstName',
      'lastName',
      'mobile',
      'phone',
      'postalCode',
      'city',
      'birthYear',
      'memberSince',
      'association',
      'email',
    ]);
  });

  test('Danish headers', () => {
    expect(fieldsOf(['Fornavn', 'Efternavn', 'Mobil', 'Tlf', 'Fastnet', 'Postnummer', 'By', 'Fødselsår', 'Medlem siden', 'Forening'])).toEqual([
      'firstName',
      'lastName',
      'mobile',
      'phone',
      'phone',
      'postalCode',
      'city',
      'birthYear',
      'memberSince',
      'association',
    ]);
  });

  test('Norwegian headers', () => {
    expect(fieldsOf(['Fornavn', 'Etternavn', 'Mobilnummer', 'Fasttelefon', 'Postnummer', 'Poststed', 'Fødselsår', 'Innmeldt', 'Lokallag', 'E-postadresse'])).toEqual([
      'firstName',
      'lastName',
      'mobile',
      'phone',
      'postalCode',
      'city',
      'birthYear',
      'memberSince',
      'association',
      'email',
    ]);
  });

  test('English headers, any case, accents and punctuation', () => {
    expect(fieldsOf(['FIRST NAME', 'Given name', 'surname', 'Cell', 'Phone', 'E-mail', 'ZIP', 'Town', 'Birth year', 'Member since', 'Branch'])).toEqual([
      'firstName',
      null, // a second first-name column is kept as an attribute
      'lastName',
      'mobile',
      'phone',
      'email',
      'postalCode',
      'city',
      'birthYear',
      'memberSince',
      'association',
    ]);
    expect(fieldsOf(['Firstname', 'Last name', 'Mobile', 'Mobiltelefon', 'Tel', 'Telefonnummer', 'Hemtelefon', 'Email', 'Mail', 'Post code', 'City', 'Postort'])).toEqual([
      'firstName',
      'lastName',
      'mobile',
      'mobile',
      'phone',
      'phone',
      'phone',
      'email',
      null,
      'postalCode',
      'city',
      null,
    ]);
  });

  test('header keys', () => {
    expect(headerKey(' Födelseår ')).toBe('fodelsear');
    expect(headerKey('Fødselsår')).toBe('fodselsar');
    expect(headerKey('E-post')).toBe('epost');
    expect(headerKey('Telefon (hem)')).toBe('telefonhem');
    expect(headerKey('Mobil 2')).toBe('mobil');
  });

  test('unknown columns become attributes; nameless ones are ignored', () => {
    expect(proposeMapping(['Mobil', 'Valkrets', '']).columns).toEqual([
      { index: 0, header: 'Mobil', field: 'mobile' },
      { index: 1, header: 'Valkrets', field: null },
      { index: 2, header: '', field: null, ignore: true },
    ]);
  });
});

describe('phoneColumns', () => {
  test('mobiles first, then other phones, each in file order; ignored ones left out', () => {
    const mapping = proposeMapping(['Telefon', 'Namn', 'Mobil', 'Hemtelefon', 'Mobil 2']);
    expect(phoneColumns(mapping)).toEqual([2, 4, 0, 3]);
    mapping.columns[2] = { ...mapping.columns[2]!, ignore: true };
    expect(phoneColumns(mapping)).toEqual([4, 0, 3]);
  });

  test('requirePhoneColumn', () => {
    expect(() => requirePhoneColumn(proposeMapping(['Namn', 'Tlf']))).not.toThrow();
    expect(() => requirePhoneColumn(proposeMapping(['Namn', 'Ort']))).toThrow(ListFileError);
  });
});

describe('validateMapping', () => {
  const header = ['Namn', 'Nummer', 'Ort'];
  const codeOf = (mapping: unknown) => {
    try {
      validateMapping(mapping, header);
    } catch (error) {
      expect(error).toBeInstanceOf(ListFileError);
      return (error as ListFileError).code;
    }
    return 'ok';
  };

  test('a good mapping comes back clean and in column order', () => {
    expect(
      validateMapping(
        {
          columns: [
            { index: 2, header: 'Ort', field: 'city', extra: 'dropped' },
            { index: 1, header: 'Nummer', field: 'mobile' },
            { index: 0, field: null, ignore: true },
          ],
        },
        header,
      ),
    ).toEqual({
      columns: [
        { index: 0, header: 'Namn', field: null, ignore: true },
        { index: 1, header: 'Nummer', field: 'mobile' },
        { index: 2, header: 'Ort', field: 'city' },
      ],
    });
  });

  test.each([
    ['not an object', 'x'],
    ['no columns', {}],
    ['an index out of range', { columns: [{ index: 3, field: 'mobile' }] }],
    ['a fractional index', { columns: [{ index: 1.5, field: 'mobile' }] }],
    ['an index twice', { columns: [{ index: 1, field: 'mobile' }, { index: 1, field: 'phone' }] }],
    ['an unknown field', { columns: [{ index: 1, field: 'fax' }] }],
    ['a header of another file', { columns: [{ index: 1, header: 'Telefon', field: 'mobile' }] }],
    ['two first-name columns', { columns: [{ index: 0, field: 'firstName' }, { index: 2, field: 'firstName' }, { index: 1, field: 'mobile' }] }],
    ['a non-boolean ignore', { columns: [{ index: 1, field: 'mobile', ignore: 'yes' }] }],
  ])('%s: invalid_mapping', (_what, mapping) => {
    expect(codeOf(mapping)).toBe('invalid_mapping');
  });

  test('no phone column, or only an ignored one: no_phone_column', () => {
    expect(codeOf({ columns: [{ index: 0, field: 'firstName' }] })).toBe('no_phone_column');
    expect(codeOf({ columns: [{ index: 1, field: 'phone', ignore: true }] })).toBe('no_phone_column');
    expect(codeOf({ columns: [{ index: 1, field: 'phone' }, { index: 2, field: 'mobile' }] })).toBe('ok');
  });
});
