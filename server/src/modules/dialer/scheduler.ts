import type { Scheduler } from './dialer.types';

/** The server's time: real timers (unref'd: a dialer never holds a closing process open). */
export const realScheduler: Scheduler = {
  now: () => Date.now(),
  setTimeout: (run, ms) => {
    const timer = setTimeout(run, ms);
    timer.unref();
    return timer;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

interface Timer {
  at: number;
  seq: number;
  run: () => void;
  cancelled: boolean;
}

/**
 * A sped-up clock for the benchmark and tests: timers run in time order as fast as the code allows,
 * and after each one every promise it set going settles before time moves on (so a claim from an
 * in-memory queue takes no simulated time).
 */
export class SimulatedClock implements Scheduler {
  private current: number;
  private seq = 0;
  private readonly heap: Timer[] = [];

  constructor(start: number) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimeout(run: () => void, ms: number): unknown {
    const timer: Timer = { at: this.current + Math.max(0, ms), seq: this.seq++, run, cancelled: false };
    this.push(timer);
    return timer;
  }

  clearTimeout(handle: unknown): void {
    if (handle) (handle as Timer).cancelled = true;
  }

  /** Runs the timers due up to `until` (ms), letting the promises each one starts settle in between. */
  async runUntil(until: number): Promise<void> {
    for (;;) {
      const next = this.heap[0];
      if (!next || next.at > until) break;
      this.pop();
      if (next.cancelled) continue;
      this.current = next.at;
      next.run();
      await settle();
    }
    this.current = until;
  }

  private less(a: Timer, b: Timer): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private push(timer: Timer): void {
    const heap = this.heap;
    heap.push(timer);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(heap[i] as Timer, heap[parent] as Timer)) break;
      [heap[i], heap[parent]] = [heap[parent] as Timer, heap[i] as Timer];
      i = parent;
    }
  }

  private pop(): void {
    const heap = this.heap;
    const last = heap.pop() as Timer;
    if (heap.length === 0) return;
    heap[0] = last;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < heap.length && this.less(heap[left] as Timer, heap[smallest] as Timer)) smallest = left;
      if (right < heap.length && this.less(heap[right] as Timer, heap[smallest] as Timer)) smallest = right;
      if (smallest === i) return;
      [heap[i], heap[smallest]] = [heap[smallest] as Timer, heap[i] as Timer];
      i = smallest;
    }
  }
}

/** Lets every promise already started settle (a macrotask turn). */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
