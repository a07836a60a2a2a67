import { Type } from 'typebox';
import { Country, Timestamp, Uuid } from '../../schemas';

export const ListStatus = Type.Union([Type.Literal('importing'), Type.Literal('ready'), Type.Literal('failed')]);

/** How an import goes, sent to the organisation's watchers as list:progress. */
export const ListProgressEvent = Type.Object({
  listId: Uuid,
  organisationId: Uuid,
  phase: Type.Union([Type.Literal('reading'), Type.Literal('merging'), Type.Literal('ready'), Type.Literal('failed')]),
  rowsRead: Type.Integer({ minimum: 0 }),
  /** 0–1 of the file read, when the size is known. */
  fraction: Type.Number({ minimum: 0, maximum: 1 }),
});

export const ListCounts = Type.Object({
  rows: Type.Integer(),
  imported: Type.Integer(),
  invalid: Type.Integer(),
  duplicates: Type.Integer(),
  suppressed: Type.Integer(),
});

export const Field = Type.Union([
  Type.Literal('firstName'),
  Type.Literal('lastName'),
  Type.Literal('mobile'),
  Type.Literal('phone'),
  Type.Literal('email'),
  Type.Literal('postalCode'),
  Type.Literal('city'),
  Type.Literal('birthYear'),
  Type.Literal('memberSince'),
  Type.Literal('association'),
]);

export const MappedColumn = Type.Object({
  index: Type.Integer({ minimum: 0 }),
  header: Type.String(),
  field: Type.Union([Field, Type.Null()]),
  ignore: Type.Optional(Type.Boolean()),
});

/** Where a list came from: bought from a data broker, the party's member register, people who signed up or consented, or other. */
export const SourceKind = Type.Union([Type.Literal('broker'), Type.Literal('members'), Type.Literal('signup'), Type.Literal('other')]);

/** The legal basis for calling its people: members and people in regular contact (GDPR Art. 9(2)(d)), consent, or legitimate interest. */
export const LegalBasis = Type.Union([Type.Literal('members'), Type.Literal('consent'), Type.Literal('legitimate-interest')]);

/** A calendar day, YYYY-MM-DD. */
export const Day = Type.String({ format: 'date' });

export const ListSource = Type.Object({
  kind: SourceKind,
  /** The broker's name, or what "other" is; null when none was given (the member register, sign-ups). */
  name: Type.Union([Type.String(), Type.Null()]),
  /** When it was bought (required for a broker), or null. */
  date: Type.Union([Day, Type.Null()]),
  basis: LegalBasis,
});

/** Recording (or correcting) a list's source and legal basis afterwards, for lists imported before it was asked. */
export const ListSourceBody = Type.Object(
  {
    kind: SourceKind,
    name: Type.Optional(Type.String({ maxLength: 200 })),
    /** YYYY-MM-DD; checked by the service, so that a wrong or future date gets its own answer. */
    date: Type.Optional(Type.Union([Type.String({ maxLength: 40 }), Type.Null()])),
    basis: LegalBasis,
  },
  { additionalProperties: false },
);

export const ListView = Type.Object({
  id: Uuid,
  organisationId: Uuid,
  name: Type.String(),
  country: Country,
  status: ListStatus,
  counts: ListCounts,
  /** Rows whose number Excel had stored without its leading zero, repaired at import (a Swedish 7xxxxxxxx as +467xxxxxxxx); not problems. */
  repaired: Type.Integer(),
  error: Type.Optional(Type.String()),
  /**
   * Why a failed list failed, for programs and translations: a file problem found mid-import (broken_quoting,
   * not_a_table …), interrupted, cancelled, server_stopped or internal. More may come; show `error` for one you do not know.
   */
  errorCode: Type.Optional(Type.String()),
  /** The row of the file (as a spreadsheet numbers them, the header is row 1) that `errorCode` points at, when there is one. */
  errorRow: Type.Optional(Type.Integer({ minimum: 1 })),
  fileName: Type.Union([Type.String(), Type.Null()]),
  /** Where the list came from and on what legal basis; null for a list imported before Ringa asked ("not recorded"). */
  source: Type.Union([ListSource, Type.Null()]),
  columns: Type.Array(MappedColumn),
  createdAt: Timestamp,
  finishedAt: Type.Union([Timestamp, Type.Null()]),
});

export const ListList = Type.Object({ lists: Type.Array(ListView) });
export const CreatedList = Type.Object({ id: Uuid });
export const ListParams = Type.Object({ listId: Uuid });

const PerCountryCount = Type.Object({ SE: Type.Integer(), DK: Type.Integer(), NO: Type.Integer(), FI: Type.Integer() });
const OrNoCountry = Type.Union([Country, Type.Null()]);

/** How the first rows' numbers (by the proposed mapping) read in each country, and which country they look like instead of each. */
export const PreviewNumbers = Type.Object({
  /** Rows with a phone number among the first 500 read. */
  sampled: Type.Integer(),
  /** How many of them each country reads as a valid number. */
  readable: PerCountryCount,
  /** For each country the organizer may choose, the country to suggest instead ("these look like Danish numbers"), or null. */
  suggestions: Type.Object({ SE: OrNoCountry, DK: OrNoCountry, NO: OrNoCountry, FI: OrNoCountry }),
});

export const ListPreview = Type.Object({
  format: Type.Union([Type.Literal('csv'), Type.Literal('xlsx')]),
  encoding: Type.Union([Type.String(), Type.Null()]),
  delimiter: Type.Union([Type.String(), Type.Null()]),
  header: Type.Array(Type.String()),
  columns: Type.Array(MappedColumn),
  /** The first rows as they will be read, for the organizer to check the mapping against. */
  sample: Type.Array(Type.Array(Type.String())),
  numbers: PreviewNumbers,
});

export const DoNotCallEntry = Type.Object({
  id: Type.Integer(),
  phone: Type.String(),
  reason: Type.String(),
  source: Type.Union([Type.Literal('manual'), Type.Literal('file'), Type.Literal('call'), Type.Literal('erasure')]),
  organisationId: Uuid,
  createdAt: Timestamp,
});

/** An entry as an organisation's register lists it: its own, or inherited from an organisation above it. */
export const DoNotCallListedEntry = Type.Object({
  ...DoNotCallEntry.properties,
  /** The organisation whose register holds the entry; only there can it be removed. */
  organisationName: Type.String(),
  /** True when the entry belongs to an organisation above this one and applies here through it. */
  inherited: Type.Boolean(),
});

export const DoNotCallList = Type.Object({
  /** This organisation's own entries first, then (with `inherited=true`) those of each organisation above it, nearest first; newest first within each. */
  entries: Type.Array(DoNotCallListedEntry),
  /** Every matching entry listed: own, and inherited when asked for. */
  total: Type.Integer(),
  /** How many of `total` are inherited from organisations above (0 unless `inherited=true`). */
  inheritedTotal: Type.Integer(),
});

export const AddDoNotCallBody = Type.Object(
  { phone: Type.String({ minLength: 1, maxLength: 40 }), reason: Type.Optional(Type.String({ maxLength: 500 })) },
  { additionalProperties: false },
);

export const DoNotCallParams = Type.Object({ orgId: Uuid, entryId: Type.Integer({ minimum: 1 }) });

/** In the body, never the URL: a searched number would be in every proxy's access log. */
export const DoNotCallSearch = Type.Object(
  {
    search: Type.Optional(Type.String({ maxLength: 40 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
    offset: Type.Optional(Type.Integer({ minimum: 0 })),
    /** Also the entries of the organisations above, which bind this one too (marked `inherited`). */
    inherited: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

/** Nothing in the URL: a client that puts the search there is told at once. */
export const NoQuery = Type.Object({}, { additionalProperties: false });

export const DoNotCallFileResult = Type.Object({
  rows: Type.Integer(),
  added: Type.Integer(),
  alreadyListed: Type.Integer(),
  invalid: Type.Integer(),
  /** Rows whose number Excel had stored without its leading zero, repaired (and counted as added or already listed). */
  repaired: Type.Integer(),
});
