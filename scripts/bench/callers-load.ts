// The callers of `npm run bench:callers`: real socket.io clients over loopback, each signed in with its
// own session, joined to the campaign and holding one person, that save calls with `next: true` (the
// web app's way of asking for the next person) and time each answer.
import { randomUUID } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { io, type Socket } from 'socket.io-client';
import type { Ack, Assignment, ClientToServerEvents, CompleteCallRequest, ServerToClientEvents } from '../../server/src/contract/realtime';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;
type Request<E extends keyof ClientToServerEvents> = Parameters<ClientToServerEvents[E]>[0];
type Answer<E extends keyof ClientToServerEvents> = Parameters<Parameters<ClientToServerEvents[E]>[1]>[0];

const ANSWER_TIMEOUT_MS = 60_000;

/** Sends an event and waits for its ack, typed by the contract. */
function ask<E extends keyof ClientToServerEvents>(socket: Client, event: E, request: Request<E>): Promise<Answer<E>> {
  const timed = socket.timeout(ANSWER_TIMEOUT_MS) as unknown as { emitWithAck(event: string, request: unknown): Promise<unknown> };
  return timed.emitWithAck(event, request) as Promise<Answer<E>>;
}

/** What callers write down, roughly as a campaign's calls fall out: most go unanswered. */
const OUTCOMES: [string, number][] = [
  ['no-answer', 38],
  ['voicemail', 14],
  ['busy', 5],
  ['conversation', 26],
  ['refused', 9],
  ['wrong-number', 4],
  ['callback', 3],
  ['do-not-call', 1],
];
const OUTCOME_TOTAL = OUTCOMES.reduce((sum, [, weight]) => sum + weight, 0);

function drawOutcome(): string {
  let roll = Math.random() * OUTCOME_TOTAL;
  for (const [code, weight] of OUTCOMES) {
    roll -= weight;
    if (roll < 0) return code;
  }
  return 'no-answer';
}

function completion(assignment: Assignment): CompleteCallRequest {
  const outcome = drawOutcome();
  const request: CompleteCallRequest = { assignmentId: assignment.id, key: randomUUID(), outcome, answers: {}, next: true };
  if (outcome === 'conversation') {
    request.answers = { volunteer: Math.random() < 0.2, issue: ['housing', 'schools', 'care'][Math.floor(Math.random() * 3)] ?? 'care' };
    if (Math.random() < 0.3) request.notes = 'Trevligt samtal, vill ha information om nästa möte.';
  }
  if (outcome === 'callback') request.callbackAt = new Date(Date.now() + (1 + Math.random() * 2) * 86_400_000).toISOString();
  return request;
}

export interface Target {
  url: string;
  origin: string;
  campaignId: string;
}

export class Caller {
  assignment: Assignment | null = null;

  private constructor(readonly socket: Client) {}

  static async connect(target: Target, cookie: string): Promise<Caller> {
    const socket: Client = io(target.url, {
      path: '/socket.io',
      transports: ['websocket'],
      extraHeaders: { cookie, origin: target.origin },
      reconnection: false,
      forceNew: true,
      timeout: ANSWER_TIMEOUT_MS,
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    const caller = new Caller(socket);
    data(await ask(socket, 'campaign:join', { campaignId: target.campaignId }));
    caller.assignment = data(await ask(socket, 'contact:next', { campaignId: target.campaignId })).assignment;
    return caller;
  }

  close(): void {
    this.socket.disconnect();
  }
}

function data<T>(answer: Ack<T>): T {
  if (!answer.ok) throw new Error(`${answer.error.code}: ${answer.error.message}`);
  return answer.data;
}

/** Connects callers a few at a time, as a morning's callers arrive (a thousand handshakes at once only measures the handshake). */
export async function connectCallers(target: Target, cookies: string[], log: (line: string) => void): Promise<Caller[]> {
  const callers: Caller[] = new Array<Caller>(cookies.length);
  let nextIndex = 0;
  const worker = async () => {
    while (nextIndex < cookies.length) {
      const index = nextIndex++;
      callers[index] = await Caller.connect(target, cookies[index] as string);
      if ((index + 1) % 250 === 0) log(`  ${index + 1} callers connected`);
    }
  };
  await Promise.all(Array.from({ length: 20 }, worker));
  return callers;
}

export interface PhaseOptions {
  /** Measured seconds, after the warm-up. */
  seconds: number;
  warmupSeconds: number;
  campaignId: string;
  /** Mean time between one caller's saves (exponential, open loop), or null: back to back. */
  meanIntervalMs: number | null;
}

export interface PhaseResult {
  /** Round trips of the saves with next: true sent within the measured window, in ms, sorted. */
  latencies: number[];
  /** Saves acknowledged within the measured window. */
  completed: number;
  seconds: number;
  errors: Record<string, number>;
  /** Answers that had no next person, and why. */
  noNext: Record<string, number>;
  /** The client process's own event-loop delay, p99 in ms: a slow client would inflate what it measures. */
  clientLoopP99Ms: number;
}

/** Runs the callers for one phase and returns what they measured. */
export async function runPhase(callers: Caller[], options: PhaseOptions): Promise<PhaseResult> {
  const latencies: number[] = [];
  const errors: Record<string, number> = {};
  const noNext: Record<string, number> = {};
  let completed = 0;
  const loop = monitorEventLoopDelay({ resolution: 5 });
  const start = performance.now();
  const measureFrom = start + options.warmupSeconds * 1000;
  const end = measureFrom + options.seconds * 1000;
  const count = (bag: Record<string, number>, key: string) => (bag[key] = (bag[key] ?? 0) + 1);
  // Poisson arrivals per caller: the sum over a thousand callers is what a phone bank offers.
  const interval = () => (options.meanIntervalMs === null ? 0 : -Math.log(1 - Math.random()) * options.meanIntervalMs);

  async function work(caller: Caller): Promise<void> {
    let due = start + interval();
    while (due < end && performance.now() < end) {
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      const sent = performance.now();
      if (sent >= end) break;
      try {
        if (caller.assignment) {
          const answer = await ask(caller.socket, 'call:complete', completion(caller.assignment));
          const received = performance.now();
          if (answer.ok) {
            if (sent >= measureFrom) latencies.push(received - sent);
            if (received >= measureFrom && received <= end) completed++;
            caller.assignment = answer.data.next ?? null;
            if (!caller.assignment) count(noNext, answer.data.reason ?? 'none');
          } else {
            count(errors, answer.error.code);
            if (answer.error.code === 'lease_lost') caller.assignment = null;
            if (answer.error.code === 'rate_limited') await sleep(100);
          }
        } else {
          // No one held (the queue was empty, or the lease was lost): ask again, a second later.
          await sleep(1000);
          const answer = await ask(caller.socket, 'contact:next', { campaignId: options.campaignId });
          if (answer.ok) caller.assignment = answer.data.assignment;
          else count(errors, answer.error.code);
        }
      } catch (error) {
        count(errors, error instanceof Error ? error.message : String(error));
      }
      due = options.meanIntervalMs === null ? performance.now() : due + interval();
    }
  }

  loop.enable();
  await Promise.all(callers.map(work));
  loop.disable();
  latencies.sort((a, b) => a - b);
  return { latencies, completed, seconds: options.seconds, errors, noNext, clientLoopP99Ms: loop.percentile(99) / 1e6 };
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}
