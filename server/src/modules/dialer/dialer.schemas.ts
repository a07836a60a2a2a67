import { Type, type Static } from 'typebox';
import { Timestamp, Uuid } from '../../schemas';
import { Assignment, NoContactReason } from '../calling/calling.schemas';

// The dialer's socket events (power and predictive campaigns), checked on arrival and answered as every
// socket event is; the contract (contract/realtime.ts) is derived from these.

export const SeatState = Type.Union([Type.Literal('waiting'), Type.Literal('talking'), Type.Literal('wrapping'), Type.Literal('paused')]);

/** dialer:start's answer: the caller's seat, the line it is on, and the person already bridged to them (their page came back mid-call). */
export const DialerStartAnswer = Type.Object({
  seatId: Uuid,
  line: Type.Union([Type.Literal('twilio'), Type.Literal('simulated')]),
  assignment: Type.Optional(Assignment),
});

/** A caller's seat: their state, how many lines ring for them now, and, when the queue has nobody to ring, why and when calling opens next. */
export const DialerSeatEvent = Type.Object({
  campaignId: Uuid,
  seatId: Uuid,
  state: SeatState,
  ringing: Type.Integer({ minimum: 0 }),
  nobody: Type.Optional(Type.Object({ reason: NoContactReason, opensAt: Type.Union([Timestamp, Type.Null()]) })),
});

/** A person answered and is connected to the caller: their card, script and questions at once. */
export const DialerBridgedEvent = Type.Object({
  campaignId: Uuid,
  assignment: Assignment,
  /** Detection took the call for an answering machine (a caller who waits gets it, so that no person is hung up on). */
  detected: Type.Optional(Type.Literal('machine')),
});

/** The bridged person hung up: the caller records the outcome (the seat is wrapping up). */
export const DialerEndedEvent = Type.Object({ campaignId: Uuid, assignmentId: Uuid });

/** A dialing campaign as its organizers watch it, at most once a second. */
export const DialerLive = Type.Object({
  campaignId: Uuid,
  mode: Type.Union([Type.Literal('power'), Type.Literal('predictive')]),
  /** Lines per available caller now. */
  linesPerCaller: Type.Number({ minimum: 0 }),
  /** Why the campaign dials one line per caller (null: it does not fall back). */
  fallback: Type.Union([Type.Null(), Type.Literal('few-callers'), Type.Literal('abandonment-limit')]),
  linesRinging: Type.Integer({ minimum: 0 }),
  callers: Type.Object({ waiting: Type.Integer({ minimum: 0 }), talking: Type.Integer({ minimum: 0 }), wrapping: Type.Integer({ minimum: 0 }) }),
  /** 0–1, of the recent calls: a person answered. */
  answerRate: Type.Number({ minimum: 0, maximum: 1 }),
  /** Over the last 24 hours, Ofcom's measure: abandoned ÷ answered by a person (people among "machine" verdicts hung up on estimated). */
  abandonment: Type.Object({ abandoned: Type.Integer({ minimum: 0 }), answered: Type.Integer({ minimum: 0 }), rate: Type.Number({ minimum: 0 }) }),
  limit: Type.Number(),
});

export type DialerStartAnswerValue = Static<typeof DialerStartAnswer>;
export type DialerLiveValue = Static<typeof DialerLive>;
