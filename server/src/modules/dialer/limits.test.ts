// The account limiter on a clock moved by hand: starts spaced by the calls-per-second rate, first come
// first served, never more calls alive than the cap, and the wait it announces is the wait there is.
import { describe, expect, test } from 'vitest';
import type { Scheduler } from './dialer.types';
import { CallLimiter, type Release } from './limits';

class ManualScheduler implements Scheduler {
  private at = 1_000_000;
  private timers = new Map<number, { due: number; run: () => void }>();
  private nextId = 1;
  now(): number {
    return this.at;
  }
  setTimeout(run: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.set(id, { due: this.at + Math.max(0, ms), run });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }
  /** Moves the clock, running each timer at its time. */
  async advance(ms: number): Promise<void> {
    const end = this.at + ms;
    for (;;) {
      const next = [...this.timers.entries()].sort((a, b) => a[1].due - b[1].due)[0];
      if (!next || next[1].due > end) break;
      this.timers.delete(next[0]);
      this.at = next[1].due;
      next[1].run();
      await flush();
    }
    this.at = end;
    await flush();
  }
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

/** Asks for `count` calls at once and notes when each may start (ms after the first ask). */
function askMany(limiter: CallLimiter, clock: ManualScheduler, count: number) {
  const t0 = clock.now();
  const started: { index: number; at: number; release: Release }[] = [];
  for (let index = 0; index < count; index++) {
    void limiter.acquire().then((release) => started.push({ index, at: clock.now() - t0, release }));
  }
  return started;
}

describe('calls per second', () => {
  test('five calls asked at once with 2 a second start 500 ms apart, in the order asked', async () => {
    const clock = new ManualScheduler();
    const limiter = new CallLimiter(clock, { callsPerSecond: 2, maxConcurrentCalls: null });
    const started = askMany(limiter, clock, 5);
    await flush();
    expect(started.map((s) => s.at)).toEqual([0]);
    expect(limiter.queued()).toBe(4);
    expect(limiter.expectedWaitMs()).toBe(2500);
    await clock.advance(2000);
    expect(started.map((s) => [s.index, s.at])).toEqual([[0, 0], [1, 500], [2, 1000], [3, 1500], [4, 2000]]);
    expect(limiter.queued()).toBe(0);
    expect(limiter.inFlight()).toBe(5);
  });

  test('Twilio’s default of 1 a second: a call asked right after another waits a second, one asked later does not', async () => {
    const clock = new ManualScheduler();
    const limiter = new CallLimiter(clock, { callsPerSecond: 1, maxConcurrentCalls: null });
    expect(limiter.expectedWaitMs()).toBe(0);
    askMany(limiter, clock, 1);
    await flush();
    expect(limiter.expectedWaitMs()).toBe(1000);
    await clock.advance(300);
    expect(limiter.expectedWaitMs()).toBe(700);
    const second = askMany(limiter, clock, 1);
    await clock.advance(699);
    expect(second).toEqual([]);
    await clock.advance(1);
    expect(second.map((s) => s.at)).toEqual([700]);
    await clock.advance(5000);
    const third = askMany(limiter, clock, 1);
    await flush();
    expect(third.map((s) => s.at)).toEqual([0]);
  });

  test('new limits pace the calls still waiting', async () => {
    const clock = new ManualScheduler();
    const limiter = new CallLimiter(clock, { callsPerSecond: 1, maxConcurrentCalls: null });
    const started = askMany(limiter, clock, 3);
    await flush();
    limiter.setLimits({ callsPerSecond: 4, maxConcurrentCalls: null });
    await clock.advance(500);
    expect(started.map((s) => s.at)).toEqual([0, 250, 500]);
  });
});

describe('concurrent calls', () => {
  test('with a cap of 2 the third call waits until one ends, however long that is', async () => {
    const clock = new ManualScheduler();
    const limiter = new CallLimiter(clock, { callsPerSecond: 10, maxConcurrentCalls: 2 });
    const started = askMany(limiter, clock, 3);
    await flush();
    await clock.advance(60_000);
    expect(started.map((s) => s.index)).toEqual([0, 1]);
    expect(limiter.queued()).toBe(1);
    expect(limiter.atCapacity()).toBe(true);
    started[1]?.release();
    started[1]?.release(); // twice counts once
    await flush();
    expect(started.map((s) => [s.index, s.at])).toEqual([[0, 0], [1, 100], [2, 60_000]]);
    expect(limiter.inFlight()).toBe(2);
  });

  test('a released place goes to the first in line, and the rate still holds', async () => {
    const clock = new ManualScheduler();
    const limiter = new CallLimiter(clock, { callsPerSecond: 1, maxConcurrentCalls: 1 });
    const started = askMany(limiter, clock, 3);
    await flush();
    started[0]?.release();
    await clock.advance(999);
    expect(started.map((s) => s.index)).toEqual([0]);
    await clock.advance(1);
    expect(started.map((s) => [s.index, s.at])).toEqual([[0, 0], [1, 1000]]);
    await clock.advance(10_000);
    expect(started).toHaveLength(2);
    started[1]?.release();
    await flush();
    expect(started.map((s) => [s.index, s.at])).toEqual([[0, 0], [1, 1000], [2, 11_000]]);
  });

  test('closing refuses the calls still waiting', async () => {
    const clock = new ManualScheduler();
    const limiter = new CallLimiter(clock, { callsPerSecond: 1, maxConcurrentCalls: 1 });
    await limiter.acquire();
    const waiting = limiter.acquire();
    limiter.close();
    await expect(waiting).rejects.toThrow(/closed/);
  });
});
