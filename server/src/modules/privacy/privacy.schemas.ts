import { Type } from 'typebox';

// A person is named by their id only: never their name or number in a URL.
export const PersonParams = Type.Object({ personId: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }) });

export const EraseBody = Type.Object(
  {
    /** Put the number on (or keep it on) the organisation's do-not-call register: the person asked not to be called again. */
    keepOffCalls: Type.Boolean(),
  },
  { additionalProperties: false },
);

export const Erased = Type.Object({
  personId: Type.Integer(),
  /** Whether the number is on a do-not-call register that binds the person's organisation, as an erasure request only. */
  keptOnDoNotCall: Type.Boolean(),
});

const Day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'A day, YYYY-MM-DD (UTC).' });

/** A retention rule as it applies to the organisation: the months, its own setting, and where the months come from. */
const EffectiveMonths = Type.Object({
  months: Type.Integer(),
  /** The organisation's own setting; null: inherited. */
  own: Type.Union([Type.Integer(), Type.Null()]),
  /** The organisation that set the months (this one or one above), or null for Ringa's default. */
  from: Type.Union([Type.Object({ id: Type.String({ format: 'uuid' }), name: Type.String() }), Type.Null()]),
});

export const RetentionView = Type.Object({
  organisationId: Type.String({ format: 'uuid' }),
  answers: EffectiveMonths,
  people: EffectiveMonths,
  ranges: Type.Object({ answers: Type.Object({ min: Type.Integer(), max: Type.Integer() }), people: Type.Object({ min: Type.Integer(), max: Type.Integer() }) }),
  /** What the daily purge will delete in the organisation and those beneath it in the next 30 days. */
  upcoming: Type.Object({
    until: Type.String({ format: 'date-time' }),
    answers: Type.Object({ campaigns: Type.Integer(), days: Type.Array(Type.Object({ day: Day, campaigns: Type.Integer() })) }),
    people: Type.Object({ people: Type.Integer(), days: Type.Array(Type.Object({ day: Day, people: Type.Integer() })) }),
  }),
});

export const RetentionInput = Type.Object(
  {
    /** Months a finished campaign's answers and notes are kept (1–60); null inherits. */
    answersMonths: Type.Union([Type.Integer(), Type.Null()]),
    /** Months people are kept after the last campaign that called them finished (1–120); null inherits. */
    peopleMonths: Type.Union([Type.Integer(), Type.Null()]),
  },
  { additionalProperties: false },
);
