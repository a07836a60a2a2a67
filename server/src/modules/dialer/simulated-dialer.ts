import { randomBytes } from 'node:crypto';
import type { DialerProvider, DialerSink, PlaceCall, Scheduler } from './dialer.types';
import type { Fate, SimulatedNetwork } from './network';

// The dialer's provider on the simulated phone network (development, the demo, tests and the
// benchmark): each call meets the fate the network gives the person at that attempt and hour — rings,
// a person, a machine, busy, no answer, a dead number — and answering-machine detection decides after
// its delay, right or wrong as the network says. Time is the scheduler's, so the benchmark runs an
// evening in seconds.

/** How long a caller who hears a machine (detection was wrong) takes to hang up on it. */
const MACHINE_HEARD_MS = 5_000;
/** How long the abandoned-call message takes to say. */
const MESSAGE_MS = 8_000;

interface SimulatedCall {
  call: PlaceCall;
  fate: Fate;
  answeredAt: number | null;
  bridged: boolean;
  timers: unknown[];
  ended: boolean;
}

export class SimulatedDialer implements DialerProvider {
  private readonly calls = new Map<string, SimulatedCall>();
  private readonly fates = new Map<string, Fate>();
  /** What happened to the calls, by what was true (for the benchmark's honest figures). */
  readonly truth = { humansAnswered: 0, humansHungUpByDetection: 0, machinesBridged: 0 };

  constructor(
    private readonly network: SimulatedNetwork,
    private readonly scheduler: Scheduler,
    private readonly sink: () => DialerSink,
    private readonly onError: (error: unknown) => void = () => {},
    /** How many times faster than real time the network's calls run (tests; the benchmark's clock is sped up instead). */
    private readonly speed = 1,
  ) {}

  async place(call: PlaceCall): Promise<{ providerCallId: string }> {
    const providerCallId = `SIM${randomBytes(16).toString('hex')}`;
    const fate = this.network.fate(call.target.personId, call.target.attempt, new Date(this.scheduler.now()), call.timeZone);
    const state: SimulatedCall = { call, fate, answeredAt: null, bridged: false, timers: [], ended: false };
    this.calls.set(providerCallId, state);
    this.fates.set(call.lineId, fate);
    // Every time below is the network's (real seconds); the timers run them `speed` times faster.
    const later = (ms: number, run: () => void) => state.timers.push(this.scheduler.setTimeout(run, ms / this.speed));
    const timeoutMs = call.ringTimeoutSeconds * 1000;
    later(300, () => {
      if (!state.ended) this.sink().ringing(call.lineId);
    });
    switch (fate.kind) {
      case 'busy':
        later(fate.ringMs, () => this.end(providerCallId, 'busy'));
        break;
      case 'dead':
        later(fate.ringMs, () => this.end(providerCallId, 'failed'));
        break;
      case 'no-answer':
        later(timeoutMs, () => this.end(providerCallId, 'no-answer'));
        break;
      case 'human':
      case 'machine': {
        if (fate.ringMs > timeoutMs) {
          later(timeoutMs, () => this.end(providerCallId, 'no-answer'));
          break;
        }
        const verdict = this.network.amd(call.target.personId, call.target.attempt, fate);
        later(fate.ringMs, () => {
          state.answeredAt = this.scheduler.now();
          if (fate.kind === 'human') this.truth.humansAnswered++;
        });
        later(fate.ringMs + verdict.afterMs, () => {
          if (state.ended) return;
          this.sink()
            .answered(call.lineId, verdict.verdict)
            .then((decision) => {
              if (state.ended) return;
              if (decision.action === 'hangup') {
                if (fate.kind === 'human') this.truth.humansHungUpByDetection++;
                this.end(providerCallId, 'completed');
              } else if (decision.action === 'abandon') {
                later(MESSAGE_MS, () => this.end(providerCallId, 'completed'));
              } else {
                state.bridged = true;
                if (fate.kind === 'machine') this.truth.machinesBridged++;
                later(fate.kind === 'human' ? fate.talkMs : MACHINE_HEARD_MS, () => this.end(providerCallId, 'completed'));
              }
            })
            .catch(this.onError);
        });
        break;
      }
    }
    return { providerCallId };
  }

  /** What the network had in store for a line's call (the benchmark's truth; kept for the run). */
  fateOf(lineId: string): Fate | undefined {
    return this.fates.get(lineId);
  }

  async hangup(line: { lineId: string; providerCallId: string }): Promise<void> {
    const state = this.calls.get(line.providerCallId);
    if (!state || state.ended) return;
    this.end(line.providerCallId, state.answeredAt === null ? 'canceled' : 'completed');
  }

  private end(providerCallId: string, status: 'completed' | 'busy' | 'no-answer' | 'failed' | 'canceled'): void {
    const state = this.calls.get(providerCallId);
    if (!state || state.ended) return;
    state.ended = true;
    for (const timer of state.timers) this.scheduler.clearTimeout(timer);
    this.calls.delete(providerCallId);
    const talkSeconds = state.answeredAt === null ? 0 : Math.round(((this.scheduler.now() - state.answeredAt) * this.speed) / 1000);
    this.sink().ended(state.call.lineId, status, talkSeconds);
  }
}
