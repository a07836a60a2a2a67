import { SkipReason } from '../calling/calling.schemas';
import { Type, type Static, type TSchema } from 'typebox';
import { Country, Timestamp, Uuid } from '../../schemas';

/** What an organizer typed: a name (or part of one) or a phone number written any way. In the body, never the URL. */
export const PersonSearchBody = Type.Object({ query: Type.String({ maxLength: 200 }) }, { additionalProperties: false });

export const PersonHit = Type.Object({
  id: Type.Integer(),
  firstName: Type.String(),
  lastName: Type.String(),
  phone: Type.String(),
  organisationId: Uuid,
  organisationName: Type.String(),
});
export const PersonSearchResult = Type.Object({
  people: Type.Array(PersonHit),
  /** More people match than are shown: the organizer should narrow the search. */
  more: Type.Boolean(),
});

export const PersonParams = Type.Object({ personId: Type.Integer({ minimum: 1, maximum: 2147483647 }) });

const Attributes = Type.Record(Type.String(), Type.String());

/** A correction (GDPR Art. 16). `attributes` replaces the person's whole set. */
export const PersonCorrection = Type.Object(
  {
    firstName: Type.Optional(Type.String({ maxLength: 200 })),
    lastName: Type.Optional(Type.String({ maxLength: 200 })),
    email: Type.Optional(Type.Union([Type.String({ maxLength: 320 }), Type.Null()])),
    attributes: Type.Optional(Attributes),
  },
  { additionalProperties: false },
);

export const PersonDoNotCallBody = Type.Object({ reason: Type.Optional(Type.String({ maxLength: 500 })) }, { additionalProperties: false });

export const SourceKind = Type.Union([Type.Literal('broker'), Type.Literal('members'), Type.Literal('signup'), Type.Literal('other')]);
export const LegalBasis = Type.Union([Type.Literal('members'), Type.Literal('consent'), Type.Literal('legitimate-interest')]);

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const PersonList = Type.Object({
  id: Uuid,
  name: Type.String(),
  organisationName: Type.String(),
  importedAt: Timestamp,
  /** Null: the list was imported before sources were recorded ("not recorded"). */
  sourceKind: Nullable(SourceKind),
  sourceName: Type.String(),
  sourceDate: Nullable(Timestamp),
  legalBasis: Nullable(LegalBasis),
});

export const PersonAnswer = Type.Object({
  question: Type.String(),
  /** yes/no as a boolean, choices by their labels, free text as written. */
  answer: Type.Union([Type.Boolean(), Type.String(), Type.Array(Type.String())]),
});

/** What a caller wrote down: political opinions (Art. 9), shown only to the campaign's own organizers. */
export const PersonCallContent = Type.Object({
  answers: Type.Array(PersonAnswer),
  notes: Type.String(),
  noteForNext: Type.String(),
  flagNote: Type.String(),
  callbackAt: Nullable(Timestamp),
});

export const PersonCall = Type.Object({
  id: Uuid,
  at: Timestamp,
  callerName: Type.String(),
  outcome: Type.Object({ code: Type.String(), label: Type.String() }),
  reached: Type.Boolean(),
  flagged: Type.Boolean(),
  /** Null when no notice was due; otherwise whether the caller gave the first-contact notice. */
  noticeGiven: Nullable(Type.Boolean()),
  /** Null when the viewer is not an organizer or admin of the campaign's own organisation. */
  content: Nullable(PersonCallContent),
});

export const PersonCampaign = Type.Object({
  id: Uuid,
  name: Type.String(),
  organisationId: Uuid,
  organisationName: Type.String(),
  status: Type.String(),
  finishedAt: Nullable(Timestamp),
  /** Whether the viewer sees the calls' answers and notes (organizers and admins of the campaign's own organisation). */
  contentVisible: Type.Boolean(),
  /** When the answers and notes of its calls are deleted; null while the campaign runs. */
  answersDeleteAt: Nullable(Timestamp),
  answersRetentionMonths: Type.Integer(),
  /** The person in the campaign's queue; null when they are no longer in it. */
  contact: Nullable(
    Type.Object({
      state: Type.String(),
      attempts: Type.Integer(),
      lastCallAt: Nullable(Timestamp),
      doneReason: Nullable(Type.String()),
      /** The last time a caller skipped the person without a call, and why (the note only to the campaign's own organizers); null if never. */
      skipped: Nullable(Type.Object({ reason: SkipReason, note: Type.String(), times: Type.Integer(), at: Timestamp })),
    }),
  ),
  calls: Type.Array(PersonCall),
});

export const PersonDoNotCall = Type.Object({
  id: Type.Integer(),
  organisationId: Uuid,
  organisationName: Type.String(),
  since: Timestamp,
  reason: Type.String(),
  source: Type.String(),
});

export const PersonRetentionView = Type.Object({
  /** Null while something keeps the person (see `because`). */
  deleteAt: Nullable(Timestamp),
  after: Nullable(Type.Union([Type.Literal('last-campaign'), Type.Literal('last-import')])),
  because: Nullable(Type.Union([Type.Literal('running-campaign'), Type.Literal('unfinished-campaign')])),
  months: Type.Integer(),
});

const PersonFields = {
  id: Type.Integer(),
  firstName: Type.String(),
  lastName: Type.String(),
  email: Nullable(Type.String()),
  phone: Type.String(),
  phoneType: Type.String(),
  country: Country,
  organisationId: Uuid,
  organisationName: Type.String(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  attributes: Attributes,
  lists: Type.Array(PersonList),
  campaigns: Type.Array(PersonCampaign),
  doNotCall: Type.Array(PersonDoNotCall),
  retention: PersonRetentionView,
};

export const PersonPage = Type.Object(PersonFields);

export const PersonTelephonyCall = Type.Object({
  callSid: Type.String(),
  campaignId: Uuid,
  provider: Type.String(),
  startedAt: Timestamp,
  status: Type.String(),
  durationSeconds: Nullable(Type.Integer()),
});

/**
 * Everything Ringa holds on the person (GDPR Art. 15). Answers and notes are in it for the campaigns whose
 * own organizers export it; for the others, `contentVisible` is false and their organizers must add them.
 */
export const PersonExport = Type.Object({
  ...PersonFields,
  exportedAt: Timestamp,
  telephonyCalls: Type.Array(PersonTelephonyCall),
});

export type PersonPageValue = Static<typeof PersonPage>;
export type PersonExportValue = Static<typeof PersonExport>;
