import { Type, type Static } from 'typebox';
import { Compile } from 'typebox/compile';
import { Timestamp, Uuid } from '../../schemas';
import { CampaignForCaller, Dialing, DialMode, OutcomeCode, TagFigures } from '../campaigns/campaigns.schemas';

// The calling events' payloads, checked on arrival: a socket gets { ok: false, error } for any other shape.

export const CampaignRequest = Type.Object({ campaignId: Uuid }, { additionalProperties: false });

export const CompleteCall = Type.Object(
  {
    assignmentId: Uuid,
    /** Made by the client once per call; the same key again saves nothing new. */
    key: Type.String({ minLength: 8, maxLength: 100 }),
    outcome: OutcomeCode,
    answers: Type.Record(Type.String({ maxLength: 40 }), Type.Union([Type.Boolean(), Type.String({ maxLength: 2000 }), Type.Array(Type.String({ maxLength: 60 }), { maxItems: 30 })])),
    notes: Type.Optional(Type.String({ maxLength: 5000 })),
    noteForNext: Type.Optional(Type.String({ maxLength: 1000 })),
    flag: Type.Optional(Type.String({ maxLength: 1000 })),
    callbackAt: Type.Optional(Timestamp),
    /** The caller gave the first-contact notice (the box they tick); the server keeps it only when one was due. */
    noticeGiven: Type.Optional(Type.Boolean()),
    next: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

/** A caller's correction of their last call: the whole record again, as it should have been saved. */
export const CorrectCall = Type.Object(
  {
    callId: Uuid,
    outcome: OutcomeCode,
    answers: CompleteCall.properties.answers,
    notes: Type.Optional(Type.String({ maxLength: 5000 })),
    noteForNext: Type.Optional(Type.String({ maxLength: 1000 })),
    flag: Type.Optional(Type.String({ maxLength: 1000 })),
    callbackAt: Type.Optional(Timestamp),
    noticeGiven: CompleteCall.properties.noticeGiven,
  },
  { additionalProperties: false },
);

export const ReleaseContact = Type.Object({ assignmentId: Uuid }, { additionalProperties: false });

/** Why a caller skips a person without calling them; stored as the code, shown in the reader's language. */
export const SkipReason = Type.Union([Type.Literal('knows-person'), Type.Literal('number-looks-wrong'), Type.Literal('earlier-note'), Type.Literal('other')]);

/** Give the person back without a call, saying why ("other" in the caller's own words); the next person comes in the answer. */
export const SkipContact = Type.Object(
  { assignmentId: Uuid, reason: SkipReason, note: Type.Optional(Type.String({ maxLength: 500 })) },
  { additionalProperties: false },
);

export type CompleteCallValue = Static<typeof CompleteCall>;
export type CorrectCallValue = Static<typeof CorrectCall>;
export type SkipReasonValue = Static<typeof SkipReason>;
export type SkipContactValue = Static<typeof SkipContact>;

export const checkCampaignRequest = Compile(CampaignRequest);
export const checkCompleteCall = Compile(CompleteCall);
export const checkReleaseContact = Compile(ReleaseContact);
export const checkSkipContact = Compile(SkipContact);
export const checkCorrectCall = Compile(CorrectCall);

// --- the calling events' answers, and what the server sends on its own ------------------------------

/** Why no one can be called now. */
export const NoContactReason = Type.Union([Type.Literal('empty'), Type.Literal('outside-calling-window'), Type.Literal('paused'), Type.Literal('finished')]);

/** Whether calling in a campaign is open now (closed: null) and, if not, when it opens next (null: not known). */
export const Opening = Type.Object({ closed: Type.Union([NoContactReason, Type.Null()]), opensAt: Type.Union([Timestamp, Type.Null()]) });

/** The person a caller holds (the lease), with what the caller sees of them. */
export const Assignment = Type.Object({
  id: Uuid,
  campaignId: Uuid,
  leaseExpiresAt: Timestamp,
  /** The first-contact notice (GDPR Art. 14) filled for the person, when no one has spoken to them before; else null. */
  notice: Type.Union([Type.String(), Type.Null()]),
  contact: Type.Object({
    id: Type.Integer(),
    firstName: Type.String(),
    lastName: Type.String(),
    phone: Type.String(),
    phoneDisplay: Type.String(),
    attributes: Type.Record(Type.String(), Type.String()),
    history: Type.Array(Type.Object({ at: Timestamp, outcome: Type.String(), noteForNext: Type.String() })),
  }),
});

export const JoinAnswer = Type.Object({
  campaign: CampaignForCaller,
  me: Type.Object({ callsToday: Type.Integer(), conversationsToday: Type.Integer(), recruitsToday: Type.Integer() }),
  /** The campaign's calls so far, all callers: for its shared goals. */
  shared: Type.Object({ calls: Type.Integer(), conversations: Type.Integer(), tags: TagFigures }),
  /** Whether calling is open now, and when closed by the clock, when it opens next. */
  opening: Opening,
});

/** With reason outside-calling-window: when calling opens next (null: not known). */
const OpensAt = Type.Union([Timestamp, Type.Null()]);

export const NextAnswer = Type.Object({ assignment: Type.Union([Assignment, Type.Null()]), reason: Type.Optional(NoContactReason), opensAt: Type.Optional(OpensAt) });
export const CompleteAnswer = Type.Object({
  callId: Uuid,
  next: Type.Optional(Type.Union([Assignment, Type.Null()])),
  reason: Type.Optional(NoContactReason),
  opensAt: Type.Optional(OpensAt),
});
export const SkipAnswer = Type.Object({ next: Type.Union([Assignment, Type.Null()]), reason: Type.Optional(NoContactReason), opensAt: Type.Optional(OpensAt) });
export const CorrectAnswer = Type.Object({ callId: Uuid, correctedAt: Timestamp });

export const RevokedEvent = Type.Object({
  assignmentId: Uuid,
  /** erased: an organizer erased the person (GDPR Art. 17). */
  reason: Type.Union([Type.Literal('do-not-call'), Type.Literal('expired'), Type.Literal('erased')]),
});

export const CampaignStatsEvent = Type.Object({
  campaignId: Uuid,
  /** Calls saved in the campaign, all callers. */
  calls: Type.Integer(),
  conversations: Type.Integer(),
  /** Calls that count for each tag, for the campaign's goals. */
  tags: TagFigures,
  /** Callers connected to the campaign now. */
  callersOnline: Type.Integer(),
});

export type NoContactReasonValue = Static<typeof NoContactReason>;
export type OpeningValue = Static<typeof Opening>;
export type JoinAnswerValue = Static<typeof JoinAnswer>;
export type AssignmentValue = Static<typeof Assignment>;
export type NextAnswerValue = Static<typeof NextAnswer>;
export type CompleteAnswerValue = Static<typeof CompleteAnswer>;
export type SkipAnswerValue = Static<typeof SkipAnswer>;
export type CorrectAnswerValue = Static<typeof CorrectAnswer>;
export type RevokedReasonValue = Static<typeof RevokedEvent>['reason'];

// --- the organizers' HTTP routes ------------------------------------------------------------------

export const CallParams = Type.Object({ callId: Uuid });

export const FlaggedCall = Type.Object({
  callId: Uuid,
  at: Timestamp,
  callerName: Type.String(),
  outcome: Type.String(),
  flagNote: Type.String(),
  notes: Type.String(),
  /** Null when the person has been erased since; `personId` opens their page. */
  contact: Type.Union([Type.Object({ personId: Type.Integer(), firstName: Type.String(), lastName: Type.String() }), Type.Null()]),
});

/** A campaign as a caller's start page lists it. */
export const CallableCampaign = Type.Object({
  id: Uuid,
  name: Type.String(),
  organisationId: Uuid,
  organisationName: Type.String(),
  status: Type.Union([Type.Literal('active'), Type.Literal('paused')]),
  dialing: Dialing,
  /** Who dials: the caller (preview), or Ringa for them (power, predictive). */
  dialMode: DialMode,
  startsAt: Type.Union([Timestamp, Type.Null()]),
  endsAt: Type.Union([Timestamp, Type.Null()]),
  /** Why calling is closed now (null: open), and when it opens next (null: not known, or open now). */
  closed: Type.Union([Type.Literal('outside-calling-window'), Type.Literal('paused'), Type.Literal('finished'), Type.Literal('empty'), Type.Null()]),
  opensAt: Type.Union([Timestamp, Type.Null()]),
});
export const CallableCampaignList = Type.Object({ campaigns: Type.Array(CallableCampaign) });

export const FlagList = Type.Object({
  /** Every open flag, also beyond the 500 listed. */
  count: Type.Integer({ minimum: 0 }),
  /** Null for organizers and admins above the campaign's organisation: they see the count, its own organizers handle them. */
  flags: Type.Union([Type.Array(FlaggedCall), Type.Null()]),
});
export const FlagResolved = Type.Object({ callId: Uuid, resolvedAt: Timestamp });
export const EmptyBody = Type.Object({}, { additionalProperties: false });
