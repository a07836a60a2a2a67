// The simulated phone network: what becomes of a call to a number, drawn so that the same person at the same
// attempt meets the same fate in every dialing mode of a run (development, the demo, tests, bench:dialer).
// Pure: no timers, no database. The caller of fate() owns the clock and the ring timeout.

/**
 * Every figure the network draws from, with where it comes from. "Assumption" marks a figure no source gives;
 * change those first if real calls say otherwise.
 */
export const NETWORK = {
  /**
   * Share of dials answered by a person, by local hour of day (index 0–23; the hour starting then).
   * CallHub, "Best Time for Phonebanking? We Studied 2 Million Calls" (2.2 M calls, 690 campaigns, Aug–Dec 2020,
   * https://callhub.io/blog/canvassing/best-phonebanking-times/): lowest 08–09 at 17.64 %, highest 18–19 at
   * 23.38 %. The article's text gives only these two hours: the hours between rise steadily from one to the other
   * (assumption), after 19 a gentle fall (assumption); 22–07 is outside every calling window and set low (assumption).
   */
  humanAnswerByHour: [
    0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.12, // 00–07 (assumption)
    0.1764, 0.185, 0.19, 0.195, 0.2, 0.2, 0.205, 0.21, 0.217, 0.226, // 08–17: CallHub's 17.64 % at 08, then interpolated
    0.2338, 0.228, 0.22, 0.21, // 18: CallHub's 23.38 %; 19–21 assumption
    0.15, 0.12, // 22–23 (assumption)
  ] as readonly number[],
  /** Answering machines as a share of answered calls (CallHub, same study: "reached a machine about 28 % of the time"; 25.4 % at 09–10, 34.86 % at 20–21). Flat here. */
  machineShareOfAnswered: 0.28,
  /** Dials that meet a busy line (assumption: "a few %"; CallTime.ai's 50,000 calls had 2 % declined). */
  busyShare: 0.03,
  /** Numbers that do not exist or are disconnected: the same person stays dead (assumption for a purchased list; CallTime.ai saw 5–8 % wrong numbers). */
  deadShare: 0.04,
  /**
   * Dial to a person's answer: lognormal, median 8 s, σ 0.45 (p90 ≈ 14 s, 8 % after 15 s, 2 % after 20 s).
   * Assumption: about two ring cycles (ITU-T E.180 Supplement 2 ringing cadences: Sweden 1 s on / 5 s off, Denmark 1 s / 4 s), plus
   * ~1 s of call set-up. Ofcom's 15-second minimum ring exists because some answer late.
   */
  humanRing: { medianMs: 8000, sigma: 0.45 },
  /** Dial to voicemail picking up: uniform 10–25 s (assumption: the handset's call-forwarding-on-no-reply timer, 3GPP TS 22.082 allows 5–30 s). */
  machineRingMs: { min: 10_000, max: 25_000 },
  /** A voicemail greeting until the beep: uniform 5–15 s (assumption). */
  machineGreetingMs: { min: 5000, max: 15_000 },
  /** Dial to the busy tone: uniform 2–6 s (assumption: set-up and a few cadences). */
  busyRingMs: { min: 2000, max: 6000 },
  /** Dial to "number not in use" / the call failing: uniform 1–4 s (assumption). */
  deadRingMs: { min: 1000, max: 4000 },
  /** A conversation: lognormal, mean 90 s, σ 0.9 (median ≈ 60 s, p95 ≈ 4½ min). Mean from the issue (assumption; CallHub's 32.64 s average covers every answered call, refusals and machines too). */
  talk: { meanMs: 90_000, sigma: 0.9 },
  /** The caller's wrap-up after a conversation (saving the outcome and answers): lognormal, mean 20 s, σ 0.5 (assumption). Caller behaviour, drawn here so every mode gets the same. */
  wrap: { meanMs: 20_000, sigma: 0.5 },
  /**
   * Answering-machine detection: right 94 % of the time, wrong both ways (the figure; the even split
   * between the two kinds of mistake is an assumption). Its verdict comes 2–5 s after the answer, from Twilio's defaults
   * (Calls API, https://www.twilio.com/docs/voice/answering-machine-detection: MachineDetectionSpeechThreshold
   * 2400 ms — shorter speech is a person —, SpeechEndThreshold 1200 ms of silence ends it, SilenceTimeout 5000 ms):
   * a person's short "hello" then 1.2 s of silence, 2–3.5 s; a machine's greeting passes 2.4 s of speech, 2.5–5 s.
   */
  amd: {
    humanTakenForMachine: 0.06,
    machineTakenForHuman: 0.06,
    humanAfterMs: { min: 2000, max: 3500 },
    machineAfterMs: { min: 2500, max: 5000 },
  },
} as const;

/** What becomes of one call, from the moment it is dialled. ringMs: until the answer (or the busy tone, or the failure). */
export type Fate =
  /** A person answers after ringMs if the line still rings then (the caller compares ringMs with its own ring timeout: later is a no-answer); talkMs if bridged; wrapMs is the caller's wrap-up after. */
  | { kind: 'human'; ringMs: number; talkMs: number; wrapMs: number }
  /** Voicemail picks up after ringMs if the line still rings then (later is a no-answer); greetingMs until the beep. */
  | { kind: 'machine'; ringMs: number; greetingMs: number }
  | { kind: 'busy'; ringMs: number }
  /** Rings until the caller's ring timeout. */
  | { kind: 'no-answer' }
  /** The number does not exist: fails after ringMs, on every attempt. */
  | { kind: 'dead'; ringMs: number };

export type AnsweredFate = Extract<Fate, { kind: 'human' | 'machine' }>;

export interface AmdVerdict {
  verdict: 'human' | 'machine';
  /** From the answer to the verdict. */
  afterMs: number;
}

export interface NetworkOptions {
  /** Replaces NETWORK.humanAnswerByHour (24 shares). */
  humanAnswerByHour?: readonly number[];
  /** Replaces the hourly curve altogether: the share of dials a person answers, at this moment (epoch ms) and local hour. Lets a test swing the rate through an evening. */
  humanAnswerAt?: (atMs: number, localHour: number) => number;
}

/** Seeded and pure: the same (seed, person, attempt, moment) always gives the same fate. */
export class SimulatedNetwork {
  readonly seed: number;
  private readonly byHour: readonly number[];
  private readonly answerAt: ((atMs: number, localHour: number) => number) | undefined;

  constructor(seed: number, options: NetworkOptions = {}) {
    this.seed = seed >>> 0;
    const byHour = options.humanAnswerByHour ?? NETWORK.humanAnswerByHour;
    if (byHour.length !== 24) throw new Error('humanAnswerByHour needs 24 shares');
    this.byHour = byHour;
    this.answerAt = options.humanAnswerAt;
  }

  /** The hourly curve's share of dials a person answers in this local hour (0–23). */
  answerRateAt(hour: number): number {
    return this.byHour[((Math.floor(hour) % 24) + 24) % 24] ?? 0;
  }

  /** The share of dials a person answers at this moment in this time zone (the override, if given, else the curve). */
  humanAnswerRate(at: Date | number, timeZone: string): number {
    const ms = typeof at === 'number' ? at : at.getTime();
    const hour = localHour(ms, timeZone);
    return this.answerAt ? this.answerAt(ms, hour) : this.answerRateAt(hour);
  }

  fate(personKey: string | number, attempt: number, at: Date | number, timeZone: string): Fate {
    const person = personHash(this.seed, personKey);
    // Drawn per person (the same on every attempt): whether the number exists, and how readily they answer.
    const personRandom = mulberry32(person);
    const dead = personRandom() < NETWORK.deadShare;
    const propensity = personRandom();
    // Drawn per attempt, always in the same order and number, so that a moment with a higher answer rate turns
    // no-answers into answers and nothing else: the modes of a run differ only where their timing differs.
    const r = mulberry32(mix(person ^ Math.imul(attempt + 1, 0x9e3779b1)));
    const answerDraw = r();
    const kindDraw = r();
    const ringDraw = r();
    const talkA = r();
    const talkB = r();
    const wrapA = r();
    const wrapB = r();
    const otherDraw = r();
    if (dead) return { kind: 'dead', ringMs: uniform(NETWORK.deadRingMs, otherDraw) };

    const live = 1 - NETWORK.deadShare;
    const h = clamp01(this.humanAnswerRate(at, timeZone) / live);
    // Each person has a fixed propensity u in [0, 1) and answers an attempt with probability u^((1 − h) / h):
    // the mean over people is exactly h, some answer nearly always and some never, and a higher h raises
    // everyone's chance (assumption: the shape; the mean is the curve). So retries are answered less often.
    const pHuman = h <= 0 ? 0 : h >= 1 ? 1 : propensity ** ((1 - h) / h);
    if (answerDraw < pHuman) {
      return {
        kind: 'human',
        ringMs: Math.round(NETWORK.humanRing.medianMs * Math.exp(NETWORK.humanRing.sigma * normal(ringDraw, otherDraw))),
        talkMs: Math.round(lognormalByMean(NETWORK.talk.meanMs, NETWORK.talk.sigma, talkA, talkB)),
        wrapMs: Math.round(lognormalByMean(NETWORK.wrap.meanMs, NETWORK.wrap.sigma, wrapA, wrapB)),
      };
    }
    // Not a person: a machine, busy or no answer, in the shares NETWORK gives per dial (machines ∝ the answer rate).
    const machine = (h * NETWORK.machineShareOfAnswered) / (1 - NETWORK.machineShareOfAnswered);
    const busy = NETWORK.busyShare / live;
    const rest = 1 - h;
    if (rest <= 0) return { kind: 'no-answer' };
    if (kindDraw * rest < machine) {
      return { kind: 'machine', ringMs: uniform(NETWORK.machineRingMs, ringDraw), greetingMs: uniform(NETWORK.machineGreetingMs, otherDraw) };
    }
    if (kindDraw * rest < machine + busy) return { kind: 'busy', ringMs: uniform(NETWORK.busyRingMs, ringDraw) };
    return { kind: 'no-answer' };
  }

  /** Answering-machine detection on an answered call: right about 94 % of the time, a verdict 2–5 s after the answer. */
  amd(personKey: string | number, attempt: number, fate: AnsweredFate): AmdVerdict {
    const r = mulberry32(mix(personHash(this.seed ^ 0x5bd1e995, personKey) ^ Math.imul(attempt + 1, 0x85ebca6b)));
    const wrongDraw = r();
    const delayDraw = r();
    const wrong = wrongDraw < (fate.kind === 'human' ? NETWORK.amd.humanTakenForMachine : NETWORK.amd.machineTakenForHuman);
    const heard = fate.kind === 'human' ? NETWORK.amd.humanAfterMs : NETWORK.amd.machineAfterMs;
    const verdict = fate.kind === 'human' ? (wrong ? 'machine' : 'human') : wrong ? 'human' : 'machine';
    return { verdict, afterMs: uniform(heard, delayDraw) };
  }
}

// Intl formatters are slow to make and slowish to run: one per time zone, and the hour cached per quarter hour
// (every time zone's offset is a whole number of quarter hours).
const QUARTER_HOUR_MS = 15 * 60_000;
const hourFormats = new Map<string, { format: Intl.DateTimeFormat; quarter: number; hour: number }>();

/** The local hour (0–23) at this moment in this IANA time zone. */
export function localHour(atMs: number, timeZone: string): number {
  let cached = hourFormats.get(timeZone);
  if (!cached) {
    cached = { format: new Intl.DateTimeFormat('en-GB', { timeZone, hour: 'numeric', hourCycle: 'h23' }), quarter: Number.NaN, hour: 0 };
    hourFormats.set(timeZone, cached);
  }
  const quarter = Math.floor(atMs / QUARTER_HOUR_MS);
  if (quarter !== cached.quarter) {
    cached.quarter = quarter;
    cached.hour = Number(cached.format.format(quarter * QUARTER_HOUR_MS)) % 24;
  }
  return cached.hour;
}

/** mulberry32: a small, fast 32-bit PRNG (public domain, Tommy Ettinger); floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A 32-bit finaliser (murmur3's fmix32): spreads nearby seeds far apart. */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function personHash(seed: number, key: string | number): number {
  if (typeof key === 'number') return mix(mix(seed) ^ Math.imul(key >>> 0, 0x27d4eb2d) ^ Math.floor(key / 4294967296));
  let h = 0x811c9dc5 ^ seed; // FNV-1a over UTF-16 units
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return mix(h);
}

function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}

function uniform(range: { min: number; max: number }, u: number): number {
  return Math.round(range.min + (range.max - range.min) * u);
}

/** A standard normal from two uniforms (Box–Muller). */
function normal(u1: number, u2: number): number {
  return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
}

function lognormalByMean(mean: number, sigma: number, u1: number, u2: number): number {
  return mean * Math.exp(sigma * normal(u1, u2) - (sigma * sigma) / 2);
}
