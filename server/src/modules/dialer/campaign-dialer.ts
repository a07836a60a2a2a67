import { randomUUID } from 'node:crypto';
import type { Language } from '../../contract/language';
import { NETWORK } from './network';
import type { PacingDecision, PacingInput } from './pacing';
import {
  NotPlacedError,
  type AnswerDecision,
  type AnsweredBy,
  type DialerProvider,
  type DialerQueue,
  type DialerSink,
  type DialMode,
  type DialTarget,
  type Fallback,
  type LineEnd,
  type NobodyNow,
  type Scheduler,
  type SeatState,
  type ServerOutcome,
} from './dialer.types';

// One campaign's dialing, in the process that paces it: its callers' seats, the lines ringing for
// them, the decision of how many to dial (the pacer's) and what to do when someone answers. Pure of
// PostgreSQL and of real time: the server gives it the calling engine's queue, a provider and real
// timers; the benchmark an in-memory queue, the simulated network and a simulated clock. Every change
// goes out through `hooks`, which the server persists and sends to sockets.

/** Twilio and Ofcom: ring at least 15 s before giving up on an unanswered call. */
export const RING_TIMEOUT_SECONDS = 20;
/** Ofcom's limit: abandoned calls at most 3 % of the calls a person answered, per campaign over 24 hours. */
export const ABANDONMENT_LIMIT = 0.03;
/** The window the pacer's recent answer rate and times are taken over: the last 200 dials or 10 minutes, whichever is fewer. */
export const RECENT_MS = 10 * 60_000;
const RECENT_DIALS = 200;
/**
 * Ofcom counts a person hung up on because detection took them for a machine as an abandoned call, and asks
 * for a reasoned estimate of them: the share of "machine" verdicts that were people, from detection's accuracy
 * and the share of machines among answers (the network's parameters; Twilio publishes no accuracy of its own).
 */
export const PEOPLE_PER_MACHINE_VERDICT = (() => {
  const people = (1 - NETWORK.machineShareOfAnswered) * NETWORK.amd.humanTakenForMachine;
  const machines = NETWORK.machineShareOfAnswered * (1 - NETWORK.amd.machineTakenForHuman);
  return people / (people + machines);
})();
const DAY_MS = 24 * 60 * 60_000;
/** With nobody to call, the queue is asked again after this long (or when a caller starts). */
const DRAINED_MS = 30_000;
/**
 * A line the provider has said nothing of for this long after it should have ended (rung out, or a machine
 * or an abandoned person hung up on) is ended here: a status callback lost on its way must not hold a
 * caller's line, nor the person, for ever. Twilio sends detection's verdict within 6 s of the answer.
 */
export const SILENT_LINE_MS = 60_000;
/** A line never placed this long after it was asked for (its process stopped, or the account's cap held it) is given up. */
const NOT_PLACED_MS = 5 * 60_000;

/** The pacing loop (pacing.ts) as the dialer uses it. */
export interface Pacing {
  decide(input: PacingInput): PacingDecision;
}

export interface Seat {
  seatId: string;
  userId: string;
  state: SeatState | 'paused';
  /** When the seat entered its state (ms). */
  since: number;
  /** The line bridged to the caller while talking or wrapping up. */
  lineId: string | null;
}

export type LineState = 'placing' | 'ringing' | 'answered' | 'bridged' | 'abandoned' | 'machine' | 'ended';

export interface Line {
  lineId: string;
  target: DialTarget;
  /** The caller the person was claimed for (power: whose lines these are). */
  forUserId: string;
  providerCallId: string | null;
  state: LineState;
  placedAt: number;
  answeredAt: number | null;
  seatId: string | null;
  /** Detection's verdict, once the call is answered. */
  detected: 'human' | 'machine' | null;
  /** When the caller saved while the person was still on the line (the dialer hung up then). */
  letGoAt?: number;
}

/** What organizers see of a dialing campaign. */
export interface DialerFigures {
  campaignId: string;
  mode: 'power' | 'predictive';
  linesPerCaller: number;
  fallback: Fallback | null;
  linesRinging: number;
  callers: { waiting: number; talking: number; wrapping: number };
  answerRate: number;
  /** The rolling 24 hours by Ofcom's measure (people among "machine" verdicts hung up on estimated in both). */
  abandonment: { abandoned: number; answered: number; rate: number };
  limit: number;
}

/**
 * What a "machine" verdict does. hang-up: machines never reach a caller, and the people detection takes for
 * machines (6 % of them) are hung up on, which alone breaks Ofcom's 3 %. bridge-if-caller-waiting: a caller
 * who is waiting gets the call, told detection thinks it is a machine (they end it with one tap); hung up
 * only when nobody waits.
 */
export type MachineVerdictPolicy = 'hang-up' | 'bridge-if-caller-waiting';

export interface DialerCampaign {
  id: string;
  organisationId: string;
  mode: Exclude<DialMode, 'preview'>;
  linesPerCaller: number;
  timeZone: string;
  language: Language;
  /** What an abandoned person hears: who called and a number to call back. */
  abandonMessage: string;
  machineVerdict: MachineVerdictPolicy;
}

/** What the dialer tells the rest of the server. All may be left out (the benchmark counts through them). */
export interface DialerHooks {
  /** A seat changed; nobody: the queue has nobody to ring now, and why (the caller's screen says so instead of waiting in silence). */
  seat?(seat: Seat, ringing: number, nobody: NobodyNow | null): void;
  /** A person answered and is bridged to the seat's caller: their card goes to the caller's screen. */
  bridged?(seat: Seat, line: Line): void;
  /** The bridged person hung up (or the caller did): the caller records the outcome. */
  ended?(seat: Seat, line: Line, talkSeconds: number): void;
  /** A line changed (persisted by the server for takeover and the 24-hour figures). */
  line?(line: Line, outcome?: ServerOutcome): void;
  /** The queue had nobody to give (empty, or closed by the calling window): the dialer waits for the next change. */
  drained?(): void;
  error?(error: unknown): void;
}

export interface Outcome24h {
  at: number;
  /** person: bridged; abandoned: no caller free; machine: a "machine" verdict hung up on (some were people). */
  kind: 'person' | 'abandoned' | 'machine';
}

interface RecentLine {
  at: number;
  human: boolean;
  ringMs: number | null;
}

export class CampaignDialer implements DialerSink {
  readonly seats = new Map<string, Seat>();
  readonly lines = new Map<string, Line>();
  private readonly recentLines: RecentLine[] = [];
  private readonly recentTalk: { at: number; seconds: number }[] = [];
  private readonly recentWrap: { at: number; seconds: number }[] = [];
  private readonly answered24h: Outcome24h[] = [];
  private pumping = false;
  private again = false;
  private drainedUntil = 0;
  /** Why the queue gave nobody at its last ask (null: it gave someone, or has not been asked). */
  private nobody: NobodyNow | null = null;
  private decision: PacingDecision = { toDial: 0, linesPerCaller: 1, fallback: null, answerRate: 0 };
  private closed = false;

  constructor(
    readonly campaign: DialerCampaign,
    private readonly queue: DialerQueue,
    private readonly provider: DialerProvider,
    private readonly pacer: Pacing,
    private readonly scheduler: Scheduler,
    private readonly hooks: DialerHooks = {},
    /** The last 24 hours' answers (loaded from PostgreSQL on takeover). */
    history: Outcome24h[] = [],
  ) {
    this.answered24h.push(...history);
  }

  // --- callers ----------------------------------------------------------------------------------

  /** A caller starts (or comes back from a pause): their seat waits for people. */
  start(userId: string, seatId: string = randomUUID()): Seat {
    const existing = this.seatOf(userId);
    if (existing) {
      this.pausing.delete(existing.seatId);
      if (existing.state === 'paused') {
        this.drainedUntil = 0;
        this.move(existing, 'waiting');
        this.pump();
      }
      return existing;
    }
    this.drainedUntil = 0;
    return this.add({ seatId, userId, state: 'waiting', since: this.scheduler.now(), lineId: null });
  }

  /**
   * A caller this process did not know was talking or wrapping up (another process bridged them, or
   * their page came back): they get nobody new until they save.
   */
  restore(userId: string, seatId: string): Seat {
    return this.seatOf(userId) ?? this.add({ seatId, userId, state: 'wrapping', since: this.scheduler.now(), lineId: null });
  }

  private add(seat: Seat): Seat {
    this.seats.set(seat.seatId, seat);
    this.emitSeat(seat);
    this.pump();
    return seat;
  }

  /**
   * A line another process placed before it stopped (Twilio's calls ring on without it): this dialer
   * takes it, so that its callbacks end it and the person is saved or handed to a caller.
   */
  adopt(line: Line): void {
    if (!this.lines.has(line.lineId)) this.lines.set(line.lineId, line);
  }

  /** A caller pauses: no new people for them; the one they talk to stays theirs, and the pause begins when it is saved. */
  pause(userId: string): void {
    const seat = this.seatOf(userId);
    if (!seat) return;
    if (seat.state === 'waiting') this.move(seat, 'paused');
    else if (seat.state !== 'paused') this.pausing.add(seat.seatId);
    this.pump();
  }

  private readonly pausing = new Set<string>();

  /** A caller leaves for good (closed the page): their seat goes; a person bridged to them stays theirs to save. */
  leave(userId: string): void {
    const seat = this.seatOf(userId);
    if (!seat) return;
    // Their conference ends with them, and the person's call with it.
    const line = seat.lineId ? this.lines.get(seat.lineId) : undefined;
    if (line) line.letGoAt ??= this.scheduler.now();
    this.seats.delete(seat.seatId);
    this.pausing.delete(seat.seatId);
    this.pump();
  }

  /** The caller saved the call of the person bridged to them: back to waiting (or paused). */
  saved(userId: string): void {
    const seat = this.seatOf(userId);
    if (!seat || (seat.state !== 'wrapping' && seat.state !== 'talking')) return;
    const line = seat.lineId ? this.lines.get(seat.lineId) : undefined;
    if (line && line.state === 'bridged') {
      // Saved while the person is still on the line: the caller has ended it.
      line.letGoAt = this.scheduler.now();
      void this.provider.hangup({ lineId: line.lineId, providerCallId: line.providerCallId ?? '', organisationId: this.campaign.organisationId }).catch((error: unknown) => this.hooks.error?.(error));
    }
    if (seat.state === 'wrapping') this.recentWrap.push({ at: this.scheduler.now(), seconds: (this.scheduler.now() - seat.since) / 1000 });
    seat.lineId = null;
    if (this.pausing.has(seat.seatId)) {
      this.pausing.delete(seat.seatId);
      this.move(seat, 'paused');
    } else this.move(seat, 'waiting');
    this.pump();
  }

  /** The caller ends the conversation (hangs up on the person). */
  async hangup(userId: string): Promise<void> {
    const seat = this.seatOf(userId);
    const line = seat?.lineId ? this.lines.get(seat.lineId) : undefined;
    if (!line || line.state !== 'bridged') return;
    await this.provider.hangup({ lineId: line.lineId, providerCallId: line.providerCallId ?? '', organisationId: this.campaign.organisationId });
  }

  seatOf(userId: string): Seat | undefined {
    for (const seat of this.seats.values()) if (seat.userId === userId) return seat;
    return undefined;
  }

  // --- the provider's events ------------------------------------------------------------------------

  ringing(lineId: string): void {
    const line = this.lines.get(lineId);
    if (!line || line.state !== 'placing') return;
    line.state = 'ringing';
    this.hooks.line?.(line);
  }

  async answered(lineId: string, by: AnsweredBy): Promise<AnswerDecision> {
    const line = this.lines.get(lineId);
    if (!line || (line.state !== 'placing' && line.state !== 'ringing')) return { action: 'hangup' };
    const now = this.scheduler.now();
    line.answeredAt = now;
    line.detected = by === 'machine' ? 'machine' : 'human';
    this.recent(line.placedAt, now, by !== 'machine');
    const seat = this.seatFor(line);
    if (by === 'machine' && (!seat || this.campaign.machineVerdict === 'hang-up')) {
      // Never a message left on a machine, and never the caller's time when nobody waits.
      line.state = 'machine';
      this.answered24h.push({ at: now, kind: 'machine' });
      this.hooks.line?.(line);
      return { action: 'hangup' };
    }
    if (!seat) {
      line.state = 'abandoned';
      this.answered24h.push({ at: now, kind: 'abandoned' });
      this.hooks.line?.(line);
      this.pump();
      return { action: 'abandon', text: this.campaign.abandonMessage, language: this.campaign.language };
    }
    // The seat is the caller's at once (another answer in the same instant finds it taken).
    line.state = 'bridged';
    line.seatId = seat.seatId;
    seat.lineId = line.lineId;
    this.move(seat, 'talking');
    if (by !== 'machine') this.answered24h.push({ at: now, kind: 'person' });
    try {
      await this.queue.handOver(line.target, seat.userId);
    } catch (error) {
      // The lease is gone (the person was erased or put on the register a moment ago): not bridged.
      this.hooks.error?.(error);
      seat.lineId = null;
      line.state = 'ended';
      this.lines.delete(line.lineId);
      this.hooks.line?.(line);
      this.move(seat, 'waiting');
      this.pump();
      return { action: 'hangup' };
    }
    this.hooks.line?.(line);
    this.hooks.bridged?.(seat, line);
    this.pump();
    return { action: 'bridge', seatId: seat.seatId };
  }

  /** A dial that ended or was answered, for the pacer's recent answer rate and dial-to-verdict time. */
  private recent(placedAt: number, at: number, human: boolean): void {
    this.recentLines.push({ at, human, ringMs: human ? at - placedAt : null });
  }

  ended(lineId: string, status: LineEnd, talkSeconds: number): void {
    const line = this.lines.get(lineId);
    if (!line || line.state === 'ended') return;
    const was = line.state;
    line.state = 'ended';
    this.lines.delete(lineId);
    const now = this.scheduler.now();
    if (was === 'bridged') {
      this.recentTalk.push({ at: now, seconds: talkSeconds });
      const seat = line.seatId ? this.seats.get(line.seatId) : undefined;
      if (seat && seat.lineId === lineId && seat.state === 'talking') {
        this.move(seat, 'wrapping');
        this.hooks.ended?.(seat, line, talkSeconds);
      }
      this.hooks.line?.(line);
      this.pump();
      return;
    }
    if (was === 'placing' || was === 'ringing') {
      this.recent(line.placedAt, now, false);
      this.ringingChanged(line.forUserId);
    }
    const outcome: ServerOutcome =
      was === 'abandoned' ? 'abandoned' : was === 'machine' ? 'voicemail' : status === 'busy' ? 'busy' : status === 'failed' ? 'wrong-number' : 'no-answer';
    this.hooks.line?.(line, outcome);
    this.queue.settle(line.target, outcome, new Date(now)).catch((error: unknown) => this.hooks.error?.(error));
    this.pump();
  }

  /** The waiting caller an answered person goes to: power, the one they were dialled for, else anyone waiting longest. */
  private seatFor(line: Line): Seat | undefined {
    let best: Seat | undefined;
    for (const seat of this.seats.values()) {
      if (seat.state !== 'waiting') continue;
      if (this.campaign.mode === 'power' && seat.userId === line.forUserId) return seat;
      if (!best || seat.since < best.since) best = seat;
    }
    return best;
  }

  private move(seat: Seat, state: Seat['state']): void {
    seat.state = state;
    seat.since = this.scheduler.now();
    this.emitSeat(seat);
  }

  private ringingFor(userId: string): number {
    let count = 0;
    for (const line of this.lines.values()) if (line.forUserId === userId && (line.state === 'placing' || line.state === 'ringing')) count++;
    return count;
  }

  private emitSeat(seat: Seat): void {
    this.hooks.seat?.(seat, this.campaign.mode === 'power' ? this.ringingFor(seat.userId) : this.linesRinging(), this.nobody);
  }

  /** A line began or stopped ringing: the waiting callers it counts for see how many ring now (power: its caller's; predictive: the campaign's). */
  private ringingChanged(forUserId: string): void {
    for (const seat of this.seats.values()) if (seat.state === 'waiting' && (this.campaign.mode === 'predictive' || seat.userId === forUserId)) this.emitSeat(seat);
  }

  /** The queue's answer changed (nobody now, or someone again): every waiting caller hears it. */
  private setNobody(nobody: NobodyNow | null): void {
    const before = this.nobody;
    if (before === nobody || (before && nobody && before.reason === nobody.reason && before.opensAt === nobody.opensAt)) return;
    this.nobody = nobody;
    for (const seat of this.seats.values()) if (seat.state === 'waiting') this.emitSeat(seat);
  }

  // --- pacing -------------------------------------------------------------------------------------

  linesRinging(): number {
    let count = 0;
    for (const line of this.lines.values()) if (line.state === 'placing' || line.state === 'ringing') count++;
    return count;
  }

  private callers(): PacingInput['callers'] {
    const callers = { waiting: 0, talking: 0, wrapping: 0 };
    for (const seat of this.seats.values()) if (seat.state !== 'paused') callers[seat.state]++;
    return callers;
  }

  private prune(now: number): void {
    const drop = <T extends { at: number }>(list: T[], before: number) => {
      let n = 0;
      while (n < list.length && (list[n] as T).at < before) n++;
      if (n > 0) list.splice(0, n);
    };
    drop(this.recentLines, now - RECENT_MS);
    if (this.recentLines.length > RECENT_DIALS) this.recentLines.splice(0, this.recentLines.length - RECENT_DIALS);
    drop(this.recentTalk, now - RECENT_MS);
    drop(this.recentWrap, now - RECENT_MS);
    drop(this.answered24h, now - DAY_MS);
  }

  private pacingInput(now: number): PacingInput {
    this.prune(now);
    const mean = (list: { seconds: number }[], fallback: number) => (list.length === 0 ? fallback : list.reduce((sum, item) => sum + item.seconds, 0) / list.length);
    let humans = 0;
    let ring = 0;
    for (const line of this.recentLines) {
      if (!line.human) continue;
      humans++;
      ring += line.ringMs ?? 0;
    }
    // Ofcom's measure: abandoned ÷ answered by a person, with the people among "machine" verdicts hung up on estimated.
    let abandoned = 0;
    let people = 0;
    let machines = 0;
    for (const answer of this.answered24h) {
      if (answer.kind === 'machine') machines++;
      else people++;
      if (answer.kind === 'abandoned') abandoned++;
    }
    const mistaken = machines * PEOPLE_PER_MACHINE_VERDICT;
    return {
      mode: this.campaign.mode,
      linesPerCaller: this.campaign.linesPerCaller,
      callers: this.callers(),
      linesRinging: this.linesRinging(),
      recent: {
        dials: this.recentLines.length,
        humanAnswers: humans,
        talkSeconds: mean(this.recentTalk, 0),
        wrapSeconds: mean(this.recentWrap, 0),
        ringSeconds: humans === 0 ? 0 : ring / humans / 1000,
      },
      abandonment24h: { abandoned: abandoned + mistaken, answered: people + mistaken },
      nowMs: now,
    };
  }

  figures(): DialerFigures {
    const input = this.pacingInput(this.scheduler.now());
    const { abandoned, answered } = input.abandonment24h;
    return {
      campaignId: this.campaign.id,
      mode: this.campaign.mode,
      linesPerCaller: this.decision.linesPerCaller,
      fallback: this.decision.fallback,
      linesRinging: input.linesRinging,
      callers: input.callers,
      answerRate: input.recent.dials === 0 ? 0 : input.recent.humanAnswers / input.recent.dials,
      abandonment: { abandoned: Math.round(abandoned), answered: Math.round(answered), rate: answered === 0 ? 0 : abandoned / answered },
      limit: ABANDONMENT_LIMIT,
    };
  }

  /** The callers the next lines are for: power, each waiting caller up to their lines; predictive, waiting callers in turn. */
  private nextFor(): string | undefined {
    let best: Seat | undefined;
    let bestLines = Infinity;
    for (const seat of this.seats.values()) {
      if (seat.state !== 'waiting') continue;
      const lines = this.ringingFor(seat.userId);
      if (this.campaign.mode === 'power' && lines >= this.decision.linesPerCaller) continue;
      if (lines < bestLines || (lines === bestLines && best && seat.since < best.since)) {
        best = seat;
        bestLines = lines;
      }
    }
    if (best) return best.userId;
    // Predictive dials ahead for callers about to be free: the line is claimed for anyone, bridged to whoever waits.
    if (this.campaign.mode === 'predictive') {
      for (const seat of this.seats.values()) if (seat.state !== 'paused') return seat.userId;
    }
    return undefined;
  }

  /** Decides how many to dial now and dials them; runs again after itself if something changed meanwhile. */
  pump(): void {
    if (this.closed) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = true;
    this.dial()
      .catch((error: unknown) => this.hooks.error?.(error))
      .finally(() => {
        this.pumping = false;
        if (this.again) {
          this.again = false;
          this.pump();
        }
      });
  }

  private async dial(): Promise<void> {
    while (!this.closed) {
      const room = this.provider.room ? await this.provider.room(this.campaign.organisationId) : undefined;
      const now = this.scheduler.now();
      // toDial is what is still missing, with the lines placed so far counted; never more than the account's limits let start soon.
      this.decision = this.pacer.decide({ ...this.pacingInput(now), ...(room === undefined ? {} : { maxNewLines: room }) });
      if (this.decision.toDial <= 0 || now < this.drainedUntil) return;
      const forUserId = this.nextFor();
      if (!forUserId) return;
      const target = await this.queue.claim(this.campaign.id, forUserId);
      if ('reason' in target) {
        // Nobody to call now: look again in a while (a retry comes due, the window opens), not at every event.
        this.setNobody(target);
        this.drainedUntil = this.scheduler.now() + DRAINED_MS;
        this.hooks.drained?.();
        this.scheduler.setTimeout(() => this.pump(), DRAINED_MS);
        return;
      }
      this.setNobody(null);
      this.place(target, forUserId);
    }
  }

  private place(target: DialTarget, forUserId: string): void {
    const line: Line = { lineId: randomUUID(), target, forUserId, providerCallId: null, state: 'placing', placedAt: this.scheduler.now(), answeredAt: null, seatId: null, detected: null };
    this.lines.set(line.lineId, line);
    this.hooks.line?.(line);
    this.provider.place({ lineId: line.lineId, target, ringTimeoutSeconds: RING_TIMEOUT_SECONDS, timeZone: this.campaign.timeZone }).then(
      ({ providerCallId }) => {
        line.providerCallId = providerCallId;
        // The ring is counted from when the provider placed it (after the calls-per-second queue).
        if (line.state === 'placing') line.placedAt = this.scheduler.now();
      },
      (error: unknown) => {
        // A call that never went out is not a wrong number: the person comes back by the retry rules.
        if (!(error instanceof NotPlacedError)) this.hooks.error?.(error);
        this.ended(line.lineId, error instanceof NotPlacedError ? 'canceled' : 'failed', 0);
      },
    );
    this.ringingChanged(forUserId);
  }

  /**
   * Ends the lines the provider fell silent about (see SILENT_LINE_MS): a ringing one is hung up and its
   * person saved as unanswered (the retry rules bring them back); one hung up on is saved as it was
   * (a machine, an abandoned call); a bridged one whose caller has saved is let go. Run once a second.
   */
  sweep(): void {
    const now = this.scheduler.now();
    const talking = new Set<string>();
    for (const seat of this.seats.values()) if (seat.lineId) talking.add(seat.lineId);
    for (const line of [...this.lines.values()]) {
      const since =
        line.state === 'placing' || line.state === 'ringing'
          ? line.placedAt + RING_TIMEOUT_SECONDS * 1000
          : line.state === 'bridged'
            ? (line.letGoAt ?? Infinity)
            : (line.answeredAt ?? line.placedAt);
      if (line.providerCallId === null) {
        // Never placed: its process stopped first (a line taken over), or the account's cap held it too long.
        if (now - line.placedAt >= NOT_PLACED_MS) this.ended(line.lineId, 'canceled', 0);
        continue;
      }
      // Talking to a caller, or not overdue.
      if (talking.has(line.lineId) || now - since < SILENT_LINE_MS) continue;
      if (line.state === 'bridged') {
        // The caller saved the call, and hung it up with the save: nothing more to save; the line is let go.
        line.state = 'ended';
        this.lines.delete(line.lineId);
        this.hooks.line?.(line);
        continue;
      }
      void this.provider
        .hangup({ lineId: line.lineId, providerCallId: line.providerCallId, organisationId: this.campaign.organisationId })
        .catch((error: unknown) => this.hooks.error?.(error));
      this.ended(line.lineId, 'no-answer', 0);
    }
  }

  /** The campaign changed (its status, hours or people): ask the queue again now, not after the wait with nobody to call. */
  reconsider(): void {
    this.drainedUntil = 0;
    this.pump();
  }

  /** Stops dialing (the process lets the campaign go, or it ends). Lines ringing are left to end by themselves. */
  close(): void {
    this.closed = true;
  }
}
