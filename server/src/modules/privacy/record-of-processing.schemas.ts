import { Type, type Static } from 'typebox';
import { Role, Timestamp, Uuid } from '../../schemas';

const Count = Type.Integer({ minimum: 0 });
const Day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' });
const OrganisationRef = Type.Object({ id: Uuid, name: Type.String() });
/** Where a list came from; null: not recorded (imported before sources were asked). */
const SourceKind = Type.Union([Type.Literal('broker'), Type.Literal('members'), Type.Literal('signup'), Type.Literal('other'), Type.Null()]);
const LegalBasis = Type.Union([Type.Literal('members'), Type.Literal('consent'), Type.Literal('legitimate-interest'), Type.Null()]);
/** A retention rule and the organisation that set it (null: Ringa's default). */
const Retention = Type.Object({ months: Count, from: Type.Union([OrganisationRef, Type.Null()]) });

export const RecordOfProcessing = Type.Object({
  organisation: Type.Object({ id: Uuid, name: Type.String(), kind: Type.String(), country: Type.String(), path: Type.String() }),
  generatedAt: Timestamp,
  /** The people on the organisation's own lists, by where their lists came from (a person on two lists counts under each). */
  people: Type.Object({
    total: Count,
    bySource: Type.Array(Type.Object({ sourceKind: SourceKind, lists: Count, people: Count })),
    /** Numbers on the organisation's do-not-call register (kept so that the objection is honoured). */
    doNotCall: Count,
  }),
  /** What is kept of them: the columns of the lists, questions asked, and whether calls carry notes. */
  data: Type.Object({
    /** Columns kept as attributes (besides name and number), by their heading in the files. */
    attributes: Type.Array(Type.String()),
    hasEmail: Type.Boolean(),
    /** Questions in the campaigns' scripts: answers are political opinions (GDPR Art. 9). */
    questions: Count,
    freeTextQuestions: Count,
    callsWithAnswers: Count,
    callsWithNotes: Count,
  }),
  /** The purposes: the organisation's campaigns. */
  campaigns: Type.Array(
    Type.Object({
      id: Uuid,
      name: Type.String(),
      status: Type.String(),
      startsAt: Type.Union([Timestamp, Type.Null()]),
      endsAt: Type.Union([Timestamp, Type.Null()]),
      finishedAt: Type.Union([Timestamp, Type.Null()]),
      questions: Count,
      calls: Count,
    }),
  ),
  lists: Type.Array(
    Type.Object({
      id: Uuid,
      name: Type.String(),
      people: Count,
      importedAt: Timestamp,
      sourceKind: SourceKind,
      sourceName: Type.String(),
      sourceDate: Type.Union([Day, Type.Null()]),
      legalBasis: LegalBasis,
    }),
  ),
  retention: Type.Object({ answers: Retention, people: Retention }),
  /** Who has access: roles in the organisation, admins and organizers above it, and the teams its campaigns invite. */
  access: Type.Array(
    Type.Object({
      organisation: OrganisationRef,
      relation: Type.Union([Type.Literal('own'), Type.Literal('above'), Type.Literal('team')]),
      role: Role,
      users: Count,
    }),
  ),
  processors: Type.Object({
    /** Twilio, when calls can go through it: settings of the organisation's own, one above it, or the server's environment. */
    twilio: Type.Union([
      Type.Object({
        source: Type.Union([Type.Literal('organisation'), Type.Literal('environment')]),
        organisation: Type.Union([OrganisationRef, Type.Null()]),
        /** The organisation's campaigns that call through it. */
        campaigns: Count,
      }),
      Type.Null(),
    ]),
    /** Who runs this server, as its operator configured it (HOSTING_OPERATOR); null: not recorded. */
    hostingOperator: Type.Union([Type.String(), Type.Null()]),
    /** The database: embedded on this server, or an external PostgreSQL (its host); null when the server was not told. */
    database: Type.Union([Type.Object({ kind: Type.Union([Type.Literal('embedded'), Type.Literal('external')]), host: Type.Union([Type.String(), Type.Null()]) }), Type.Null()]),
  }),
  /** Organisations beneath, each with a record of its own. */
  children: Type.Array(OrganisationRef),
});

export type RecordOfProcessingValue = Static<typeof RecordOfProcessing>;
