// The dialer's parts and the ports between them. The dialer dials for callers (power and predictive
// modes): it claims people through the calling engine (its rules unchanged), places calls through a
// provider (Twilio, or the simulated phone network), and bridges the first person who answers to a
// waiting caller. The same code runs in the server and in `npm run bench:dialer`, which gives it an
// in-memory queue and a sped-up clock.

import type { Language } from '../../contract/language';

/** How a campaign's calls are dialled: preview (the caller asks for the next person and dials), power (lines per caller), predictive (paced). */
export type DialMode = 'preview' | 'power' | 'predictive';

/** Time for the dialer: real timers in the server, a simulated clock in the benchmark. */
export interface Scheduler {
  /** Milliseconds since the epoch. */
  now(): number;
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** One person claimed for dialing (a lease of the calling engine, held until the call ends or is bridged). */
export interface DialTarget {
  /** The engine's lease (the assignment's id once bridged). */
  leaseId: string;
  campaignId: string;
  organisationId: string;
  personId: number;
  /** E.164, looked up by the server from the lease; never a number a browser sent. */
  phone: string;
  /** Calls made to the person in this campaign before this one. */
  attempt: number;
  /** Who holds the lease while it rings: the caller it was claimed for. */
  callerId: string;
}

/**
 * What became of a call the server placed and no caller took: saved by the server as a call with this
 * outcome (retry rules apply). 'abandoned': a person answered and no caller was free (held 72 h).
 */
export type ServerOutcome = 'no-answer' | 'busy' | 'voicemail' | 'wrong-number' | 'abandoned';

/** A call the provider never placed (it was closing, its turn never came, the account is not set up): nobody was rung. */
export class NotPlacedError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NotPlacedError';
  }
}

/** How a provider's call ended. */
export type LineEnd = 'completed' | 'busy' | 'no-answer' | 'failed' | 'canceled';

/** Who answered, by answering-machine detection (unknown counts as a person). */
export type AnsweredBy = 'human' | 'machine' | 'unknown';

/** What the dialer decides when a person answers. */
export type AnswerDecision =
  | { action: 'bridge'; seatId: string }
  | { action: 'abandon'; text: string; language: Language }
  | { action: 'hangup' };

/** A call the dialer asks the provider to place. */
export interface PlaceCall {
  lineId: string;
  target: DialTarget;
  /** Ring at least this long before giving up (15 s or more). */
  ringTimeoutSeconds: number;
  /** The campaign's time zone (the simulated network answers by local hour of day). */
  timeZone: string;
}

/** What a provider tells the dialer about the calls it placed; the provider applies answered()'s decision. */
export interface DialerSink {
  ringing(lineId: string): void;
  /** A person or a machine answered (after answering-machine detection). */
  answered(lineId: string, by: AnsweredBy): Promise<AnswerDecision>;
  /** The call ended; talkSeconds counts from the answer. */
  ended(lineId: string, status: LineEnd, talkSeconds: number): void;
}

/** Places calls: Twilio (calls.create with answering-machine detection), or the simulated network. */
export interface DialerProvider {
  /** Places the call (waiting for the account's calls-per-second and concurrent-call limits first); the provider's id of the call (Twilio's CallSid). */
  place(call: PlaceCall): Promise<{ providerCallId: string }>;
  /** Ends a call (ringing: cancelled; answered: hung up). Ending an ended call does nothing. */
  hangup(line: { lineId: string; providerCallId: string; organisationId: string }): Promise<void>;
  /** How many more calls may be asked for now without waiting long for the account's limits (none: no limit). */
  room?(organisationId: string): Promise<number | undefined>;
}

/**
 * Why the queue gave nobody, in the engine's words (contact:next's reasons): nobody due now, outside the
 * calling hours, paused or finished by the organizer; and when calling opens next, if anyone knows.
 */
export interface NobodyNow {
  reason: 'empty' | 'outside-calling-window' | 'paused' | 'finished';
  opensAt: string | null;
}

/** The calling engine as the dialer sees it. */
export interface DialerQueue {
  /** The next person for a caller, by the engine's rules (window, register, retries, leases); when there is none now, why. */
  claim(campaignId: string, forUserId: string): Promise<DialTarget | NobodyNow>;
  /** A call no caller took, saved by the server; the lease ends. */
  settle(target: DialTarget, outcome: ServerOutcome, at: Date): Promise<void>;
  /** The person answered and is bridged to the caller: the lease becomes theirs (call:complete saves it as today). */
  handOver(target: DialTarget, toUserId: string): Promise<void>;
}

/** A caller's state in a dialing campaign. */
export type SeatState = 'waiting' | 'talking' | 'wrapping';

/** Why a predictive campaign dials one line per caller. */
export type Fallback = 'few-callers' | 'abandonment-limit';
