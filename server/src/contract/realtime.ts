// The socket.io events, once for both sides. Types only: every payload and answer is derived from the
// TypeBox schemas in the modules (as contract/api.ts is), so none is defined twice. Events are named
// domain:action; acks are { ok: true, data } | { ok: false, error }.
import type { Static } from 'typebox';
import type * as Shared from '../schemas';
import type * as Calling from '../modules/calling/calling.schemas';
import type * as Lists from '../modules/lists/lists.schemas';
import type * as Stats from '../modules/stats/stats.schemas';
import type * as Telephony from '../modules/telephony/telephony.schemas';
import type * as Dialer from '../modules/dialer/dialer.schemas';

export type CampaignRequest = Static<typeof Calling.CampaignRequest>;
export type CompleteCallRequest = Static<typeof Calling.CompleteCall>;
export type ReleaseRequest = Static<typeof Calling.ReleaseContact>;
export type SkipRequest = Static<typeof Calling.SkipContact>;
export type SkipReason = Static<typeof Calling.SkipReason>;
export type CorrectCallRequest = Static<typeof Calling.CorrectCall>;
export type OrganisationRequest = Static<typeof Shared.OrganisationRequest>;

export type NoContactReason = Static<typeof Calling.NoContactReason>;
export type Opening = Static<typeof Calling.Opening>;
export type Assignment = Static<typeof Calling.Assignment>;
export type JoinAnswer = Static<typeof Calling.JoinAnswer>;
export type NextAnswer = Static<typeof Calling.NextAnswer>;
export type CompleteAnswer = Static<typeof Calling.CompleteAnswer>;
export type SkipAnswer = Static<typeof Calling.SkipAnswer>;
export type CorrectAnswer = Static<typeof Calling.CorrectAnswer>;
export type RevokedEvent = Static<typeof Calling.RevokedEvent>;
export type CampaignStatsEvent = Static<typeof Calling.CampaignStatsEvent>;
export type ListProgressEvent = Static<typeof Lists.ListProgressEvent>;
export type StatsChangedEvent = Static<typeof Stats.StatsChangedEvent>;
export type TelephonyStatusEvent = Static<typeof Telephony.TelephonyStatusEvent>;
export type ConnectionClosedEvent = Static<typeof Shared.ConnectionClosedEvent>;
export type DialerStartAnswer = Static<typeof Dialer.DialerStartAnswer>;
export type DialerSeatEvent = Static<typeof Dialer.DialerSeatEvent>;
export type DialerBridgedEvent = Static<typeof Dialer.DialerBridgedEvent>;
export type DialerEndedEvent = Static<typeof Dialer.DialerEndedEvent>;
export type DialerLive = Static<typeof Dialer.DialerLive>;

export type Ack<T> = { ok: true; data: T } | { ok: false; error: Static<typeof Shared.ErrorResponse>['error'] };

export interface ServerToClientEvents {
  'list:progress': (event: ListProgressEvent) => void;
  /** The session ended (signed out elsewhere, account disabled, expired or idle too long); the client should go to sign-in. */
  'session:ended': () => void;
  /** This socket is closed by the server, and why; the client should not reconnect by itself. */
  'connection:closed': (event: ConnectionClosedEvent) => void;
  /** The person a caller holds is no longer theirs: asked not to be called, or the lease ran out. */
  'assignment:revoked': (event: RevokedEvent) => void;
  /** The campaign's shared figures, at most once a second while calls are saved. */
  'campaign:stats': (event: CampaignStatsEvent) => void;
  /** A status of the caller's phone call (Twilio or the simulated line), in order; a repeated or late one is not sent. */
  'telephony:status': (event: TelephonyStatusEvent) => void;
  /** The statistics of a watched organisation (its subtree) moved; at most once a second. Fetch them again. */
  'stats:changed': (event: StatsChangedEvent) => void;
  /** The caller's state in a dialing campaign, and how many lines ring for them now. */
  'dialer:seat': (event: DialerSeatEvent) => void;
  /** A person answered and is connected to the caller. */
  'dialer:bridged': (event: DialerBridgedEvent) => void;
  /** The person hung up; the caller records the outcome. */
  'dialer:ended': (event: DialerEndedEvent) => void;
  /** To organizers watching the campaign (campaign:watch), at most once a second. */
  'dialer:live': (event: DialerLive) => void;
}

export interface ClientToServerEvents {
  /** Follow the imports of an organisation's lists (organizers and admins). */
  'lists:watch': (request: OrganisationRequest, ack: (answer: Ack<null>) => void) => void;
  /** Follow an organisation's statistics (organizers and admins of it or above): stats:changed when they move. */
  'stats:watch': (request: OrganisationRequest, ack: (answer: Ack<null>) => void) => void;
  /** Follow a campaign's figures live (organizers and admins): its figures now, then campaign:stats. */
  'campaign:watch': (request: CampaignRequest, ack: (answer: Ack<CampaignStatsEvent>) => void) => void;
  /** Join a campaign as a caller: its script, questions and outcomes, and the caller's figures today. */
  'campaign:join': (request: CampaignRequest, ack: (answer: Ack<JoinAnswer>) => void) => void;
  /** The next person to call (or the one the caller already holds), or why there is none. */
  'contact:next': (request: CampaignRequest, ack: (answer: Ack<NextAnswer>) => void) => void;
  /** Save the call; with next: true the next person comes in the same answer. */
  'call:complete': (request: CompleteCallRequest, ack: (answer: Ack<CompleteAnswer>) => void) => void;
  /** Correct one's last call, within 10 minutes of saving it. */
  'call:correct': (request: CorrectCallRequest, ack: (answer: Ack<CorrectAnswer>) => void) => void;
  /** Give the person back without an outcome. */
  'contact:release': (request: ReleaseRequest, ack: (answer: Ack<null>) => void) => void;
  /** Skip the person without a call, saying why: given back as contact:release does, with the reason kept; the next person comes in the answer. */
  'contact:skip': (request: SkipRequest, ack: (answer: Ack<SkipAnswer>) => void) => void;
  /** Open the caller's line for the evening in a dialing campaign; with twilio the browser connects Twilio Device with params { seatId }. */
  'dialer:start': (request: CampaignRequest, ack: (answer: Ack<DialerStartAnswer>) => void) => void;
  /** Stop getting people (after the current one). */
  'dialer:pause': (request: CampaignRequest, ack: (answer: Ack<null>) => void) => void;
  /** End the conversation with the bridged person. */
  'dialer:hangup': (request: CampaignRequest, ack: (answer: Ack<null>) => void) => void;
}
