import type { Clock } from '../../clock';

export interface LimiterRule {
  /** Failures allowed within the window before further attempts are refused. */
  maxFailures: number;
  windowMs: number;
}

/**
 * Counts failed sign-ins per key (an account's email, or an IP) in a sliding window. In memory: one
 * server process owns sign-in; a restart forgives, which is acceptable for a rate limit.
 */
const SWEEP_ABOVE = 10_000;

export class FailureLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly rule: LimiterRule,
    private readonly clock: Clock,
  ) {}

  /** Milliseconds until the key may try again, or 0 when it may try now. */
  blockedFor(key: string): number {
    const recent = this.recent(key);
    if (recent.length < this.rule.maxFailures) return 0;
    const oldest = recent[recent.length - this.rule.maxFailures] ?? 0;
    return Math.max(0, oldest + this.rule.windowMs - this.clock.now().getTime());
  }

  fail(key: string): void {
    const recent = this.recent(key);
    recent.push(this.clock.now().getTime());
    this.failures.set(key, recent);
    if (this.failures.size > SWEEP_ABOVE) this.sweep();
  }

  /** Keys not tried again would otherwise stay for ever; drop the ones whose failures have all aged out. */
  private sweep(): void {
    for (const key of [...this.failures.keys()]) this.recent(key);
  }

  forgive(key: string): void {
    this.failures.delete(key);
  }

  private recent(key: string): number[] {
    const since = this.clock.now().getTime() - this.rule.windowMs;
    const kept = (this.failures.get(key) ?? []).filter((at) => at > since);
    if (kept.length === 0) this.failures.delete(key);
    else this.failures.set(key, kept);
    return kept;
  }
}
