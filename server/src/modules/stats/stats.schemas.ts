import { Type, type Static } from 'typebox';
import { Language, Uuid } from '../../schemas';

const Day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'A local day, YYYY-MM-DD.' });
const Count = Type.Integer({ minimum: 0 });
const Rate = Type.Union([Type.Number(), Type.Null()]);

/** The counted figures and the rates made of them. */
const FigureFields = {
  dials: Count,
  reached: Count,
  conversations: Count,
  recruits: Count,
  volunteers: Count,
  events: Count,
  supporters: Count,
  doNotCall: Count,
  wrongNumbers: Count,
  talkSeconds: Count,
  callerHours: Count,
  rates: Type.Object({ reachedPerDial: Rate, recruitsPerConversation: Rate, callsPerCallerHour: Rate }),
};
export const Figures = Type.Object(FigureFields);

export const GoalMetric = Type.Union([
  Type.Literal('dials'),
  Type.Literal('reached'),
  Type.Literal('conversations'),
  Type.Literal('recruits'),
  Type.Literal('volunteers'),
  Type.Literal('events'),
  Type.Literal('supporters'),
  Type.Literal('activeCallers'),
]);

export const GoalProgress = Type.Object({
  id: Uuid,
  metric: GoalMetric,
  target: Count,
  label: Type.String(),
  startsOn: Day,
  endsOn: Day,
  value: Count,
  expected: Count,
  daysLeft: Count,
  neededPerDay: Type.Union([Type.Number(), Type.Null()]),
  status: Type.Union([Type.Literal('upcoming'), Type.Literal('on-track'), Type.Literal('behind'), Type.Literal('reached'), Type.Literal('missed')]),
});

export const GoalInput = Type.Object(
  {
    metric: GoalMetric,
    target: Type.Integer({ minimum: 1, maximum: 10_000_000 }),
    startsOn: Day,
    endsOn: Day,
    label: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);

export const StatsQuery = Type.Object({ from: Type.Optional(Day), to: Type.Optional(Day) }, { additionalProperties: false });
export const StatsCsvQuery = Type.Object(
  { from: Type.Optional(Day), to: Type.Optional(Day), separator: Type.Optional(Type.Union([Type.Literal('semicolon'), Type.Literal('comma')])), lang: Type.Optional(Language) },
  { additionalProperties: false },
);
export const CampaignStatsQuery = Type.Object(
  {
    day: Type.Optional(Day),
    /** false: without the breakdown by answer (it counts every call's answers; a live refresh keeps the one it has). */
    answers: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export const GoalParams = Type.Object({ orgId: Uuid, goalId: Uuid });

export const OrganisationStats = Type.Object({
  organisation: Type.Object({ id: Uuid, name: Type.String(), kind: Type.String() }),
  from: Day,
  to: Day,
  totals: Figures,
  children: Type.Array(Type.Object({ id: Uuid, name: Type.String(), kind: Type.String(), ...FigureFields })),
  campaigns: Type.Array(Type.Object({ id: Uuid, name: Type.String(), status: Type.String(), ...FigureFields })),
  series: Type.Array(Type.Object({ day: Day, ...FigureFields })),
  goals: Type.Array(GoalProgress),
  /**
   * The goals of the organisations above (a district's 400 new members, seen from a municipality): each
   * with `share`, what this one has done of it in the goal's days, and `whole`, what that organisation
   * has done in all — null for someone who may not see that organisation's statistics.
   */
  goalsAbove: Type.Array(
    Type.Object({
      organisationId: Uuid,
      organisationName: Type.String(),
      goal: Type.Pick(GoalProgress, ['id', 'metric', 'target', 'label', 'startsOn', 'endsOn']),
      whole: Type.Union([Count, Type.Null()]),
      share: Count,
    }),
  ),
});

export const CampaignStats = Type.Object({
  campaign: Type.Object({ id: Uuid, name: Type.String(), status: Type.String(), organisationId: Uuid }),
  totals: Figures,
  series: Type.Array(Type.Object({ day: Day, ...FigureFields })),
  day: Day,
  hours: Type.Array(Type.Object({ hour: Type.String({ format: 'date-time' }), callers: Count, ...FigureFields })),
  callers: Type.Array(Type.Object({ callerId: Uuid, name: Type.String(), ...FigureFields })),
  /** By the callers' organisations (each caller counts for the deepest one they belong to; null: no membership any more). */
  organisations: Type.Array(Type.Object({ id: Type.Union([Uuid, Type.Null()]), name: Type.String(), ...FigureFields })),
  goals: Type.Array(Type.Object({ metric: Type.String(), target: Count, value: Count })),
  answers: Type.Array(
    Type.Object({
      questionId: Type.String(),
      text: Type.String(),
      /** How many answered; null when the question is hidden (then not even that is told). */
      respondents: Type.Union([Count, Type.Null()]),
      /** No breakdown: fewer than five people answered, nothing less would protect a small answer, or it is asked only after a hidden answer. */
      hidden: Type.Boolean(),
      counts: Type.Array(
        Type.Object({
          value: Type.String(),
          label: Type.Optional(Type.String()),
          /** How many gave this answer; null when hidden. */
          people: Type.Union([Count, Type.Null()]),
          /** 'few': fewer than five gave it; 'complement': hidden so that a smaller one cannot be worked out from the respondents. */
          hidden: Type.Union([Type.Literal('few'), Type.Literal('complement'), Type.Null()]),
        }),
      ),
    }),
  ),
});

export const GoalList = Type.Object({ goals: Type.Array(GoalProgress) });

const ShareOrNull = Type.Union([Type.Number(), Type.Null()]);
const WelcomeFigureFields = {
  people: Count,
  withoutDate: Count,
  inTime: Count,
  late: Count,
  overdue: Count,
  open: Count,
  invitedInTime: Count,
  /** Reached in time of those due (two weeks over, or reached); null when none are due. */
  shareInTime: ShareOrNull,
};

export const CampaignWelcome = Type.Object({
  campaignId: Uuid,
  joinedAttribute: Type.String(),
  today: Day,
  welcomeDays: Count,
  inviteDays: Count,
  ...WelcomeFigureFields,
  /** Who is overdue or still open, most urgent first; only for organizers and admins of the campaign's own organisation. */
  toCall: Type.Union([
    Type.Array(
      Type.Object({
        personId: Type.Integer(),
        firstName: Type.String(),
        lastName: Type.String(),
        joinedOn: Day,
        deadline: Day,
        reachedOn: Type.Union([Day, Type.Null()]),
        invitedOn: Type.Union([Day, Type.Null()]),
        status: Type.Union([Type.Literal('in-time'), Type.Literal('late'), Type.Literal('overdue'), Type.Literal('open')]),
      }),
    ),
    Type.Null(),
  ]),
});

export const OrganisationWelcome = Type.Object({
  organisationId: Uuid,
  today: Day,
  welcomeDays: Count,
  inviteDays: Count,
  campaigns: Count,
  ...WelcomeFigureFields,
  children: Type.Array(Type.Object({ id: Uuid, name: Type.String(), ...WelcomeFigureFields })),
});
export type CampaignWelcomeValue = Static<typeof CampaignWelcome>;
export type OrganisationWelcomeValue = Static<typeof OrganisationWelcome>;

export type OrganisationStatsValue = Static<typeof OrganisationStats>;
export type CampaignStatsValue = Static<typeof CampaignStats>;
export type GoalProgressValue = Static<typeof GoalProgress>;

/** A watched organisation's statistics (its subtree) moved, sent as stats:changed: fetch them again. */
export const StatsChangedEvent = Type.Object({ organisationId: Uuid });
