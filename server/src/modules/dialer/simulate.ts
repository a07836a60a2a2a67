// A calling evening on a simulated clock: callers, the simulated network and a pacer, as a discrete-event
// simulation. No database, no real timers: for the pacing tests, and for bench:dialer to compare against.
// The dialer's rules as the issue gives them: a person the machine detection calls human is bridged to a waiting
// caller, or abandoned if there is none; a machine verdict is hung up; callers talk, wrap up, and wait again.

import type { Fate, SimulatedNetwork } from './network';
import { Pacer, type PacingDecision, type PacingInput } from './pacing';

export interface EveningOptions {
  network: SimulatedNetwork;
  callers: number;
  /** The evening's start (epoch ms) and length. */
  startMs: number;
  durationMs: number;
  timeZone: string;
  /** Ring this long before giving up (Ofcom: at least 15 s). */
  ringTimeoutMs: number;
  mode: PacingInput['mode'];
  /** Power: lines per waiting caller; predictive: the most lines per available caller. */
  linesPerCaller: number;
  /** The recent window the pacer sees: the last this-many ended dials (default 200) … */
  recentDials?: number;
  /** … within this long (default 10 minutes). */
  recentMs?: number;
  /** Abandoned and answered calls of the 24 hours before the evening. */
  before24h?: { abandoned: number; answered: number };
  /** The first person's key (people are numbered on from it, each called once). */
  firstPerson?: number;
  /**
   * What a machine verdict does: 'hang-up' (the rule: machines never reach a caller), or
   * 'bridge-if-caller-waiting' (hung up only when no caller is free: a person the detection took for a machine
   * still reaches a caller, at the price of callers hanging up on machines). Default 'hang-up'.
   */
  machineVerdict?: 'hang-up' | 'bridge-if-caller-waiting';
  /** How long a caller takes to hang up on a machine that was bridged, and to note it (default 8 s). */
  machineBridgedMs?: number;
  /** Called with every decision (for tests that look at the fallbacks). */
  onDecision?: (decision: PacingDecision, input: PacingInput) => void;
}

export interface EveningResult {
  callers: number;
  hours: number;
  dials: number;
  /** People bridged to a caller (true people; machines the detection let through are not conversations). */
  conversations: number;
  conversationsPerCallerHour: number;
  /** Machines bridged to a caller (the detection took them for people, or machineVerdict bridged them). */
  machinesBridged: number;
  /** Share of the callers' time spent waiting for someone to talk to. */
  callerIdleShare: number;
  /** The dialer's view (Ofcom's measure as the dialer can count it): human verdicts no caller was free for ÷ human verdicts. */
  abandoned: number;
  answered: number;
  abandonmentRate: number;
  /** People who answered but never reached a caller: abandoned, or hung up on as machines by the detection. */
  peopleLost: number;
  peopleAnswered: number;
  /** peopleLost ÷ peopleAnswered: what Ofcom counts if the detection's false positives are included, as it asks. */
  abandonmentRateWithAmd: number;
  /** The highest lines per caller shown and the decisions per fallback. */
  maxLinesPerCaller: number;
  fallbackDecisions: { 'few-callers': number; 'abandonment-limit': number };
  decisions: number;
}

interface Line {
  person: number;
  dialledAt: number;
  fate: Fate;
}

type SimEvent =
  | { kind: 'verdict'; line: Line; verdict: 'human' | 'machine' }
  | { kind: 'line-ended'; line: Line }
  | { kind: 'caller-wraps'; wrapMs: number }
  | { kind: 'caller-free' }
  | { kind: 'tick' };

/** A binary min-heap of events by time (ties in the order scheduled, so a run is deterministic). */
class Agenda {
  private times: number[] = [];
  private seqs: number[] = [];
  private events: SimEvent[] = [];
  private seq = 0;

  get size(): number {
    return this.events.length;
  }

  push(time: number, event: SimEvent): void {
    this.times.push(time);
    this.seqs.push(this.seq++);
    this.events.push(event);
    let i = this.events.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  peekTime(): number {
    return this.times[0] ?? Infinity;
  }

  pop(): SimEvent {
    const top = this.events[0] as SimEvent;
    const last = this.events.length - 1;
    this.swap(0, last);
    this.times.pop();
    this.seqs.pop();
    this.events.pop();
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < this.events.length && this.before(l, m)) m = l;
      if (r < this.events.length && this.before(r, m)) m = r;
      if (m === i) break;
      this.swap(i, m);
      i = m;
    }
    return top;
  }

  private before(a: number, b: number): boolean {
    const ta = this.times[a] as number;
    const tb = this.times[b] as number;
    return ta < tb || (ta === tb && (this.seqs[a] as number) < (this.seqs[b] as number));
  }

  private swap(a: number, b: number): void {
    [this.times[a], this.times[b]] = [this.times[b] as number, this.times[a] as number];
    [this.seqs[a], this.seqs[b]] = [this.seqs[b] as number, this.seqs[a] as number];
    [this.events[a], this.events[b]] = [this.events[b] as SimEvent, this.events[a] as SimEvent];
  }
}

/** One ended dial, for the recent window. */
interface Ended {
  at: number;
  human: boolean;
  ringMs: number;
}

/** Runs one evening and returns its figures. Deterministic for the same options. */
export function simulateEvening(options: EveningOptions): EveningResult {
  const { network, timeZone, ringTimeoutMs, startMs } = options;
  const endMs = startMs + options.durationMs;
  const recentDials = options.recentDials ?? 200;
  const recentMs = options.recentMs ?? 10 * 60_000;
  const machineBridgedMs = options.machineBridgedMs ?? 8000;
  const pacer = new Pacer();
  const agenda = new Agenda();

  let now = startMs;
  let waiting = options.callers;
  let talking = 0;
  let wrapping = 0;
  let ringing = 0;
  let nextPerson = options.firstPerson ?? 0;
  let idleMs = 0;
  let lastChange = startMs;
  const day = { abandoned: options.before24h?.abandoned ?? 0, answered: options.before24h?.answered ?? 0 };
  const result = {
    dials: 0,
    conversations: 0,
    machinesBridged: 0,
    abandoned: 0,
    answered: 0,
    peopleLost: 0,
    peopleAnswered: 0,
    maxLinesPerCaller: 0,
    fallbackDecisions: { 'few-callers': 0, 'abandonment-limit': 0 },
    decisions: 0,
  };
  // The recent window: ended dials in order, with running sums; talk and wrap-up means over recent conversations.
  const ended: Ended[] = [];
  let endedHead = 0;
  let recentHuman = 0;
  let recentRingMs = 0;
  const talks: number[] = [];
  const wraps: number[] = [];

  const account = () => {
    idleMs += waiting * (now - lastChange);
    lastChange = now;
  };
  const endDial = (human: boolean, ringMs: number) => {
    ended.push({ at: now, human, ringMs });
    if (human) {
      recentHuman++;
      recentRingMs += ringMs;
    }
  };
  const trimWindow = () => {
    while (endedHead < ended.length && (ended.length - endedHead > recentDials || (ended[endedHead] as Ended).at < now - recentMs)) {
      const old = ended[endedHead++] as Ended;
      if (old.human) {
        recentHuman--;
        recentRingMs -= old.ringMs;
      }
    }
    if (endedHead > 4096) {
      ended.splice(0, endedHead);
      endedHead = 0;
    }
  };
  const mean = (values: number[]) => (values.length ? values.reduce((a, b) => a + b, 0) / values.length / 1000 : 0);
  const remember = (values: number[], ms: number) => {
    values.push(ms);
    if (values.length > 50) values.shift();
  };

  const dial = () => {
    const person = nextPerson++;
    const fate = network.fate(person, 0, now, timeZone);
    const line: Line = { person, dialledAt: now, fate };
    result.dials++;
    ringing++;
    switch (fate.kind) {
      case 'human':
      case 'machine':
        if (fate.ringMs <= ringTimeoutMs) {
          const { verdict, afterMs } = network.amd(person, 0, fate);
          agenda.push(now + fate.ringMs + afterMs, { kind: 'verdict', line, verdict });
        } else agenda.push(now + ringTimeoutMs, { kind: 'line-ended', line });
        break;
      case 'busy':
      case 'dead':
        agenda.push(now + Math.min(fate.ringMs, ringTimeoutMs), { kind: 'line-ended', line });
        break;
      case 'no-answer':
        agenda.push(now + ringTimeoutMs, { kind: 'line-ended', line });
        break;
    }
  };

  const decide = () => {
    if (now >= endMs) return;
    trimWindow();
    const input: PacingInput = {
      mode: options.mode,
      linesPerCaller: options.linesPerCaller,
      callers: { waiting, talking, wrapping },
      linesRinging: ringing,
      recent: {
        dials: ended.length - endedHead,
        humanAnswers: recentHuman,
        talkSeconds: mean(talks),
        wrapSeconds: mean(wraps),
        ringSeconds: recentHuman ? recentRingMs / recentHuman / 1000 : 0,
      },
      abandonment24h: { ...day },
      nowMs: now,
    };
    const decision = pacer.decide(input);
    result.decisions++;
    result.maxLinesPerCaller = Math.max(result.maxLinesPerCaller, decision.linesPerCaller);
    if (decision.fallback) result.fallbackDecisions[decision.fallback]++;
    options.onDecision?.(decision, input);
    for (let i = 0; i < decision.toDial; i++) dial();
  };

  agenda.push(startMs, { kind: 'tick' });
  while (agenda.size > 0 && agenda.peekTime() <= endMs) {
    now = agenda.peekTime();
    const event = agenda.pop();
    account();
    switch (event.kind) {
      case 'tick':
        agenda.push(now + 1000, { kind: 'tick' });
        break;
      case 'line-ended':
        ringing--;
        endDial(false, 0);
        break;
      case 'verdict': {
        ringing--;
        const { line, verdict } = event;
        const isPerson = line.fate.kind === 'human';
        if (isPerson) result.peopleAnswered++;
        endDial(verdict === 'human', now - line.dialledAt);
        if (verdict === 'machine' && (options.machineVerdict !== 'bridge-if-caller-waiting' || waiting === 0)) {
          if (isPerson) result.peopleLost++; // a person hung up on: AMD's false positive
          break;
        }
        if (verdict === 'human' || isPerson) {
          // A machine verdict bridged to a caller who finds a person counts as a person answered (the caller says so).
          result.answered++;
          day.answered++;
        }
        if (waiting === 0) {
          result.abandoned++;
          day.abandoned++;
          if (isPerson) result.peopleLost++;
          break;
        }
        waiting--;
        talking++;
        if (line.fate.kind === 'human') {
          result.conversations++;
          remember(talks, line.fate.talkMs);
          remember(wraps, line.fate.wrapMs);
          agenda.push(now + line.fate.talkMs, { kind: 'caller-wraps', wrapMs: line.fate.wrapMs });
        } else {
          result.machinesBridged++;
          agenda.push(now + machineBridgedMs / 2, { kind: 'caller-wraps', wrapMs: machineBridgedMs / 2 });
        }
        break;
      }
      case 'caller-wraps':
        talking--;
        wrapping++;
        agenda.push(now + event.wrapMs, { kind: 'caller-free' });
        break;
      case 'caller-free':
        wrapping--;
        waiting++;
        break;
    }
    decide();
  }
  now = endMs;
  account();

  const hours = options.durationMs / 3_600_000;
  return {
    callers: options.callers,
    hours,
    ...result,
    conversationsPerCallerHour: result.conversations / (options.callers * hours),
    callerIdleShare: idleMs / (options.callers * options.durationMs),
    abandonmentRate: result.answered ? result.abandoned / result.answered : 0,
    abandonmentRateWithAmd: result.peopleAnswered ? result.peopleLost / result.peopleAnswered : 0,
  };
}
