import { randomUUID } from 'node:crypto';
import type { Language } from '../../contract/language';
import type {
  AnswerDecision,
  AnsweredBy,
  DialerProvider,
  DialerQueue,
  DialerSink,
  DialMode,
  DialTarget,
  Fallback,
  LineEnd,
  Scheduler,
  SeatState,
  ServerOutcome,
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
/** The window the pacer's recent answer rate and times are taken over. */
export const RECENT_MS = 15 * 60_000;
const DAY_MS = 24 * 60 * 60_000;
/** With nobody to call, the queue is asked again after this long (or when a caller starts). */
const DRAINED_MS = 30_000;

export interface PacingInput {
  mode: 'power' | 'predictive';
  linesPerCaller: number;
  callers: { waiting: number; talking: number; wrapping: number };
  linesRinging: number;
  recent: { dials: number; humanAnswers: number; talkSeconds: number; wrapSeconds: number; ringSeconds: number };
  abandonment24h: { abandoned: number; answered: number };
  nowMs: number;
}

export interface PacingDecision {
  toDial: number;
  linesPerCaller: number;
  fallback: Fallback | null;
}

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
  abandonment: { abandoned: number; answered: number; rate: number };
  limit: number;
}

export interface DialerCampaign {
  id: string;
  organisationId: string;
  mode: Exclude<DialMode, 'preview'>;
  linesPerCaller: number;
  timeZone: string;
  language: Language;
  /** What an abandoned person hears: who called and a number to call back. */
  abandonMessage: string;
}

/** What the dialer tells the rest of the server. All may be left out (the benchmark counts through them). */
export interface DialerHooks {
  seat?(seat: Seat, ringing: number): void;
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

interface Outcome24h {
  at: number;
  abandoned: boolean;
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
  private decision: PacingDecision = { toDial: 0, linesPerCaller: 1, fallback: null };
  private closed = false;

  constructor(
    readonly campaign: DialerCampaign,
    private readonly queue: DialerQueue,
    private readonly provider: DialerProvider,
    private readonly pacer: Pacing,
    private readonly scheduler: Scheduler,
    private readonly hooks: DialerHooks = {},
    /** The last 24 hours' human answers and abandonments (loaded from PostgreSQL on takeover). */
    history: { at: number; abandoned: boolean }[] = [],
  ) {
    this.answered24h.push(...history);
  }

  // --- callers ----------------------------------------------------------------------------------

  /** A caller starts (or comes back): their seat waits for people. */
  start(userId: string, seatId: string = randomUUID()): Seat {
    const existing = [...this.seats.values()].find((seat) => seat.userId === userId);
    this.drainedUntil = 0;
    if (existing) {
      this.pausing.delete(existing.seatId);
      if (existing.state === 'paused') this.move(existing, 'waiting');
      this.pump();
      return existing;
    }
    const seat: Seat = { seatId, userId, state: 'waiting', since: this.scheduler.now(), lineId: null };
    this.seats.set(seatId, seat);
    this.emitSeat(seat);
    this.pump();
    return seat;
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
    if (by === 'machine') {
      // Never a message left on a machine, and never the caller's time.
      line.state = 'machine';
      this.recentLines.push({ at: line.placedAt, human: false, ringMs: null });
      this.hooks.line?.(line);
      return { action: 'hangup' };
    }
    this.recentLines.push({ at: line.placedAt, human: true, ringMs: now - line.placedAt });
    const seat = this.seatFor(line);
    if (!seat) {
      line.state = 'abandoned';
      this.answered24h.push({ at: now, abandoned: true });
      this.hooks.line?.(line);
      this.pump();
      return { action: 'abandon', text: this.campaign.abandonMessage, language: this.campaign.language };
    }
    // The seat is the caller's at once (another answer in the same instant finds it taken).
    line.state = 'bridged';
    line.seatId = seat.seatId;
    seat.lineId = line.lineId;
    this.move(seat, 'talking');
    this.answered24h.push({ at: now, abandoned: false });
    try {
      await this.queue.handOver(line.target, seat.userId);
    } catch (error) {
      // The lease is gone (the person was erased or put on the register a moment ago): not bridged.
      this.hooks.error?.(error);
      seat.lineId = null;
      line.state = 'ended';
      this.move(seat, 'waiting');
      this.pump();
      return { action: 'hangup' };
    }
    this.hooks.line?.(line);
    this.hooks.bridged?.(seat, line);
    this.pump();
    return { action: 'bridge', seatId: seat.seatId };
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
    if (was === 'placing' || was === 'ringing') this.recentLines.push({ at: line.placedAt, human: false, ringMs: null });
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
    this.hooks.seat?.(seat, this.campaign.mode === 'power' ? this.ringingFor(seat.userId) : this.linesRinging());
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
    let abandoned = 0;
    for (const answer of this.answered24h) if (answer.abandoned) abandoned++;
    return {
      mode: this.campaign.mode,
      linesPerCaller: this.campaign.linesPerCaller,
      callers: this.callers(),
      linesRinging: this.linesRinging(),
      recent: {
        dials: this.recentLines.length,
        humanAnswers: humans,
        talkSeconds: mean(this.recentTalk, 90),
        wrapSeconds: mean(this.recentWrap, 20),
        ringSeconds: humans === 0 ? 10 : ring / humans / 1000,
      },
      abandonment24h: { abandoned, answered: this.answered24h.length },
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
      abandonment: { abandoned, answered, rate: answered === 0 ? 0 : abandoned / answered },
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
      const now = this.scheduler.now();
      // toDial is what is still missing, with the lines placed so far counted.
      this.decision = this.pacer.decide(this.pacingInput(now));
      if (this.decision.toDial <= 0 || now < this.drainedUntil) return;
      const forUserId = this.nextFor();
      if (!forUserId) return;
      const target = await this.queue.claim(this.campaign.id, forUserId);
      if (!target) {
        // Nobody to call now: look again in a while (a retry comes due, the window opens), not at every event.
        this.drainedUntil = this.scheduler.now() + DRAINED_MS;
        this.hooks.drained?.();
        this.scheduler.setTimeout(() => this.pump(), DRAINED_MS);
        return;
      }
      this.place(target, forUserId);
    }
  }

  private place(target: DialTarget, forUserId: string): void {
    const line: Line = { lineId: randomUUID(), target, forUserId, providerCallId: null, state: 'placing', placedAt: this.scheduler.now(), answeredAt: null, seatId: null };
    this.lines.set(line.lineId, line);
    this.hooks.line?.(line);
    this.provider.place({ lineId: line.lineId, target, ringTimeoutSeconds: RING_TIMEOUT_SECONDS, timeZone: this.campaign.timeZone }).then(
      ({ providerCallId }) => {
        line.providerCallId = providerCallId;
        // The ring is counted from when the provider placed it (after the calls-per-second queue).
        if (line.state === 'placing') line.placedAt = this.scheduler.now();
      },
      (error: unknown) => {
        this.hooks.error?.(error);
        this.ended(line.lineId, 'failed', 0);
      },
    );
    const seat = this.seatOf(forUserId);
    if (seat) this.emitSeat(seat);
  }

  /** Stops dialing (the process lets the campaign go, or it ends). Lines ringing are left to end by themselves. */
  close(): void {
    this.closed = true;
  }
}
