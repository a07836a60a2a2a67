import { Type, type Static } from 'typebox';
import { Timestamp, Uuid } from '../../schemas';
import { NoticeFigures, NoticeText } from '../privacy/notice.schemas';

// A campaign as organizers write it and callers receive it. The shapes are validated at the edges
// (routes, socket events, the CLI) with these schemas.

export const OutcomeCode = Type.String({ minLength: 1, maxLength: 40, pattern: '^[a-z0-9][a-z0-9-]*$' });
export const Tag = Type.Union([Type.Literal('recruit'), Type.Literal('volunteer'), Type.Literal('event'), Type.Literal('supporter')]);

export const Outcome = Type.Object(
  {
    code: OutcomeCode,
    /** Shown to callers; the built-in outcomes are translated by the web app when this is empty. */
    label: Type.String({ maxLength: 100 }),
    /** Someone answered. */
    reached: Type.Boolean(),
    /** The person is done: no more calls in this campaign. Otherwise they are tried again by the retry rules. */
    final: Type.Boolean(),
    tags: Type.Array(Tag, { maxItems: 4 }),
  },
  { additionalProperties: false },
);

const QuestionId = Type.String({ minLength: 1, maxLength: 40, pattern: '^[a-z0-9][a-z0-9-]*$' });
const Choice = Type.Object(
  { value: Type.String({ minLength: 1, maxLength: 60, pattern: '^[a-z0-9][a-z0-9-]*$' }), label: Type.String({ minLength: 1, maxLength: 200 }), tags: Type.Array(Tag, { maxItems: 4 }) },
  { additionalProperties: false },
);
/** Ask this question only after an earlier one got one of these answers. */
const Condition = Type.Object({ question: QuestionId, values: Type.Array(Type.String({ maxLength: 60 }), { minItems: 1, maxItems: 50 }) }, { additionalProperties: false });

export const Question = Type.Union([
  Type.Object(
    {
      id: QuestionId,
      kind: Type.Literal('yes-no'),
      text: Type.String({ minLength: 1, maxLength: 1000 }),
      /** Tags counted when the answer is yes. */
      tags: Type.Array(Tag, { maxItems: 4 }),
      when: Type.Optional(Condition),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      id: QuestionId,
      kind: Type.Union([Type.Literal('single'), Type.Literal('multiple')]),
      text: Type.String({ minLength: 1, maxLength: 1000 }),
      choices: Type.Array(Choice, { minItems: 2, maxItems: 30 }),
      when: Type.Optional(Condition),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      id: QuestionId,
      kind: Type.Literal('text'),
      text: Type.String({ minLength: 1, maxLength: 1000 }),
      when: Type.Optional(Condition),
    },
    { additionalProperties: false },
  ),
]);

const Clock = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$' });
const Hours = Type.Array(Type.Tuple([Clock, Clock]), { maxItems: 4 });
/** Per weekday, the hours of calling in the organisation's time zone; a day left empty has none. */
export const CallingWindow = Type.Object(
  { mon: Hours, tue: Hours, wed: Hours, thu: Hours, fri: Hours, sat: Hours, sun: Hours },
  { additionalProperties: false },
);

export const Dialing = Type.Union([Type.Literal('own-phone'), Type.Literal('twilio'), Type.Literal('simulated')]);
/** How the calls are dialled: preview (each caller dials one person at a time), power (lines per caller), predictive (paced for the group). */
export const DialMode = Type.Union([Type.Literal('preview'), Type.Literal('power'), Type.Literal('predictive')]);
/** Numbers rung at once for each free caller in power mode (and at most in predictive mode). */
export const LinesPerCaller = Type.Integer({ minimum: 1, maximum: 3 });
export const CampaignStatus = Type.Union([Type.Literal('draft'), Type.Literal('active'), Type.Literal('paused'), Type.Literal('finished')]);

export const Goal = Type.Object(
  {
    metric: Type.Union([Type.Literal('dials'), Type.Literal('conversations'), Type.Literal('recruits'), Type.Literal('volunteers'), Type.Literal('events'), Type.Literal('supporters')]),
    target: Type.Integer({ minimum: 1, maximum: 10_000_000 }),
  },
  { additionalProperties: false },
);

export const RetryHours = Type.Record(OutcomeCode, Type.Number({ minimum: 0, maximum: 24 * 30 }));

export type TagValue = Static<typeof Tag>;
export type OutcomeValue = Static<typeof Outcome>;
export type QuestionValue = Static<typeof Question>;
export type CallingWindowValue = Static<typeof CallingWindow>;
export type DialingValue = Static<typeof Dialing>;
export type DialModeValue = Static<typeof DialMode>;
export type CampaignStatusValue = Static<typeof CampaignStatus>;
export type GoalValue = Static<typeof Goal>;

/** What a caller receives on joining: what they need to call, nothing about the list. */
export const CampaignForCaller = Type.Object({
  id: Uuid,
  name: Type.String(),
  briefing: Type.String(),
  script: Type.String(),
  version: Type.Integer(),
  questions: Type.Array(Question),
  outcomes: Type.Array(Outcome),
  callingWindow: CallingWindow,
  timeZone: Type.String(),
  dialing: Dialing,
  dialMode: DialMode,
  linesPerCaller: Type.Integer(),
  status: CampaignStatus,
  goals: Type.Array(Goal),
});

export const CampaignParams = Type.Object({ campaignId: Uuid });

/** Calls that count for each tag (a recruit, a volunteer sign-up, an event sign-up, a supporter). */
export const TagFigures = Type.Object({ recruit: Type.Integer(), volunteer: Type.Integer(), event: Type.Integer(), supporter: Type.Integer() });

export const QueueFigures = Type.Object({
  total: Type.Integer(),
  /** Never called. */
  fresh: Type.Integer(),
  /** Retries and callbacks whose time has come. */
  due: Type.Integer(),
  /** Retries and callbacks waiting for their time. */
  waiting: Type.Integer(),
  callbacks: Type.Integer(),
  /** With a caller now. */
  held: Type.Integer(),
  done: Type.Integer(),
  /** Taken out because their number went on the do-not-call register. */
  doNotCall: Type.Integer(),
});

export const CampaignView = Type.Object({
  id: Uuid,
  organisationId: Uuid,
  name: Type.String(),
  briefing: Type.String(),
  startsAt: Type.Union([Timestamp, Type.Null()]),
  endsAt: Type.Union([Timestamp, Type.Null()]),
  callingWindow: CallingWindow,
  /** The window reaches outside the usual hours (DOMAIN: Mon–Fri 09–20, Sat–Sun 11–17; in Norway Mon–Fri 09–21, no weekends). */
  windowWarning: Type.Boolean(),
  dialing: Dialing,
  dialMode: DialMode,
  linesPerCaller: Type.Integer(),
  status: CampaignStatus,
  maxAttempts: Type.Integer(),
  retryHours: RetryHours,
  shownAttributes: Type.Array(Type.String()),
  /** A new-member welcome campaign names the list column with each person's join date; otherwise null. */
  welcomeAttribute: Type.Union([Type.String(), Type.Null()]),
  /** The campaign's own first-contact notice; null = its organisation's. */
  notice: Type.Union([Type.String(), Type.Null()]),
  /** The campaign's first calls (the first time someone answered) and those where the caller gave the notice. */
  noticeFigures: NoticeFigures,
  goals: Type.Array(Goal),
  targetGroupIds: Type.Array(Uuid),
  /** Organisations whose people may call in the campaign besides those with a role in its own. */
  callerTeams: Type.Array(Type.Object({ id: Uuid, name: Type.String() })),
  version: Type.Integer(),
  /** Whether a call was saved under the current version: if not, saving the script changes that version instead of making the next. */
  versionCalled: Type.Boolean(),
  script: Type.String(),
  questions: Type.Array(Question),
  outcomes: Type.Array(Outcome),
  calls: Type.Integer(),
  conversations: Type.Integer(),
  tags: TagFigures,
  queue: QueueFigures,
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export type CampaignViewValue = Static<typeof CampaignView>;

export const CampaignList = Type.Object({ campaigns: Type.Array(CampaignView) });

const CampaignName = Type.String({ minLength: 1, maxLength: 200 });
const Briefing = Type.String({ maxLength: 20000 });
const MaxAttempts = Type.Integer({ minimum: 1, maximum: 20 });
const ShownAttributes = Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 50 });
const Goals = Type.Array(Goal, { maxItems: 10 });
const WelcomeAttribute = Type.Union([Type.String({ minLength: 1, maxLength: 200 }), Type.Null()]);
const TargetGroupIds = Type.Array(Uuid, { minItems: 1, maxItems: 20 });
const CallerTeamIds = Type.Array(Uuid, { maxItems: 50 });
const Script = Type.String({ maxLength: 50000 });
const Questions = Type.Array(Question, { maxItems: 50 });
const Outcomes = Type.Array(Outcome, { minItems: 1, maxItems: 30 });

/** A new campaign; what is left out gets DOMAIN's defaults (window, outcomes, retry rules). */
export const CampaignInput = Type.Object(
  {
    name: CampaignName,
    briefing: Type.Optional(Briefing),
    startsAt: Type.Optional(Type.Union([Timestamp, Type.Null()])),
    endsAt: Type.Optional(Type.Union([Timestamp, Type.Null()])),
    callingWindow: Type.Optional(CallingWindow),
    dialing: Type.Optional(Dialing),
    /** Power and predictive need a line the server dials on (twilio or simulated). */
    dialMode: Type.Optional(DialMode),
    linesPerCaller: Type.Optional(LinesPerCaller),
    maxAttempts: Type.Optional(MaxAttempts),
    retryHours: Type.Optional(RetryHours),
    shownAttributes: Type.Optional(ShownAttributes),
    welcomeAttribute: Type.Optional(WelcomeAttribute),
    goals: Type.Optional(Goals),
    targetGroupIds: TargetGroupIds,
    callerTeamIds: Type.Optional(CallerTeamIds),
    script: Type.Optional(Script),
    questions: Type.Optional(Questions),
    outcomes: Type.Optional(Outcomes),
  },
  { additionalProperties: false },
);
export type CampaignInputValue = Static<typeof CampaignInput>;

/** A change of a campaign's settings: what is left out stays as it is; null clears a date. */
export const CampaignSettings = Type.Object(
  {
    name: Type.Optional(CampaignName),
    briefing: Type.Optional(Briefing),
    startsAt: Type.Optional(Type.Union([Timestamp, Type.Null()])),
    endsAt: Type.Optional(Type.Union([Timestamp, Type.Null()])),
    callingWindow: Type.Optional(CallingWindow),
    dialing: Type.Optional(Dialing),
    /** Power and predictive need a line the server dials on (twilio or simulated). */
    dialMode: Type.Optional(DialMode),
    linesPerCaller: Type.Optional(LinesPerCaller),
    maxAttempts: Type.Optional(MaxAttempts),
    retryHours: Type.Optional(RetryHours),
    shownAttributes: Type.Optional(ShownAttributes),
    welcomeAttribute: Type.Optional(WelcomeAttribute),
    goals: Type.Optional(Goals),
    targetGroupIds: Type.Optional(TargetGroupIds),
    callerTeamIds: Type.Optional(CallerTeamIds),
    /** The campaign's own first-contact notice ({organisation}, {source}); null = its organisation's. */
    notice: Type.Optional(Type.Union([NoticeText, Type.Null()])),
  },
  { additionalProperties: false },
);
export type CampaignSettingsValue = Static<typeof CampaignSettings>;

/** Script, questions and outcomes, saved together as a new version of the campaign. */
export const ScriptInput = Type.Object({ script: Script, questions: Questions, outcomes: Outcomes }, { additionalProperties: false });
export type ScriptInputValue = Static<typeof ScriptInput>;

export const StatusChange = Type.Object({ status: CampaignStatus }, { additionalProperties: false });
