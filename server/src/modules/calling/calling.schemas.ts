import { Type } from 'typebox';
import { Compile } from 'typebox/compile';
import { Timestamp, Uuid } from '../../schemas';
import { Dialing, OutcomeCode } from '../campaigns/campaigns.schemas';

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

export const checkCampaignRequest = Compile(CampaignRequest);
export const checkCompleteCall = Compile(CompleteCall);
export const checkReleaseContact = Compile(ReleaseContact);
export const checkSkipContact = Compile(SkipContact);
export const checkCorrectCall = Compile(CorrectCall);

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
