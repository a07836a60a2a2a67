import type { Scheduler } from './dialer.types';

// A Twilio account's limits, kept by Ringa: calls start at most `callsPerSecond` a second, evenly spaced
// (Twilio's default is 1 per account), and at most `maxConcurrentCalls` are alive at once. A call waits
// its turn here, first come first served, so that Twilio never has to queue it; the pacer reads how many
// wait and for how long. One limiter per account and process (the dialer runs a campaign in one process).

export interface AccountLimits {
  /** New calls a second (1–100). */
  callsPerSecond: number;
  /** Calls alive at once; null for no cap. */
  maxConcurrentCalls: number | null;
}

/** Ends a call's place among the alive calls; calling it again does nothing. */
export type Release = () => void;

interface Waiter {
  resolve: (release: Release) => void;
  reject: (error: Error) => void;
}

export class CallLimiter {
  private readonly waiting: Waiter[] = [];
  private alive = 0;
  /** When the last call started (ms since the epoch); -Infinity before the first. */
  private lastStart = Number.NEGATIVE_INFINITY;
  private timer: unknown = null;
  private closed = false;

  constructor(
    private readonly scheduler: Scheduler,
    private limits: AccountLimits,
  ) {}

  /** Milliseconds between two starts. */
  private get interval(): number {
    return 1000 / this.limits.callsPerSecond;
  }

  /** New limits (an admin changed the settings); calls waiting are paced by them from now on. */
  setLimits(limits: AccountLimits): void {
    this.limits = limits;
    this.pump();
  }

  currentLimits(): AccountLimits {
    return this.limits;
  }

  /** Waits for the call's turn; the answer releases its place when the call ends. */
  acquire(): Promise<Release> {
    if (this.closed) return Promise.reject(new Error('The call limiter is closed.'));
    return new Promise<Release>((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.pump();
    });
  }

  /** Calls waiting for their turn. */
  queued(): number {
    return this.waiting.length;
  }

  /** Calls started and not yet released. */
  inFlight(): number {
    return this.alive;
  }

  /**
   * How long a call asked for now would wait by the calls-per-second rate (behind those already
   * waiting). With the concurrent-call cap reached it waits longer, until calls end: see atCapacity().
   */
  expectedWaitMs(): number {
    const now = this.scheduler.now();
    const next = Math.max(0, this.lastStart + this.interval - now);
    return Math.ceil(next + this.waiting.length * this.interval);
  }

  /** True when the concurrent-call cap leaves no room for another call now. */
  atCapacity(): boolean {
    const cap = this.limits.maxConcurrentCalls;
    return cap !== null && this.alive + this.waiting.length >= cap;
  }

  /** Refuses every waiting call (the server stops). */
  close(): void {
    this.closed = true;
    if (this.timer !== null) this.scheduler.clearTimeout(this.timer);
    this.timer = null;
    for (const waiter of this.waiting.splice(0)) waiter.reject(new Error('The call limiter is closed.'));
  }

  private pump(): void {
    if (this.timer !== null) {
      this.scheduler.clearTimeout(this.timer);
      this.timer = null;
    }
    while (this.waiting.length > 0) {
      const cap = this.limits.maxConcurrentCalls;
      if (cap !== null && this.alive >= cap) return; // a release pumps again
      const now = this.scheduler.now();
      const due = this.lastStart + this.interval;
      if (now < due) {
        this.timer = this.scheduler.setTimeout(() => {
          this.timer = null;
          this.pump();
        }, due - now);
        return;
      }
      const waiter = this.waiting.shift();
      if (!waiter) return;
      this.lastStart = now;
      this.alive += 1;
      let released = false;
      waiter.resolve(() => {
        if (released) return;
        released = true;
        this.alive -= 1;
        this.pump();
      });
    }
  }
}
