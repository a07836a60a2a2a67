// The pacing loop: how many new calls a campaign places now. Pure and cheap (called on every change and at
// least once a second, also by bench:dialer tens of thousands of times); its only state is what an organizer
// is shown, small enough to keep in PostgreSQL so another process can take the campaign over.
//
// Learnt from Kooragang (GetUp, dialer/index.js: one ratio per campaign, nudged up while drops stay under
// acceptable_drop_rate, down when above, 1 below min_callers_for_ratio) and Impact Dialing (predictive.rb:
// callers on hold plus callers whose call or wrap-up has outlasted the average count as available; lines =
// best_dials × available − ringing). Ringa instead works the ratio out from a model on every decision, so it
// follows a swinging answer rate at once, and keeps the rolling 24-hour abandonment as a budget and a hard stop.

import type { Fallback } from './dialer.types';

export const PACING = {
  /** Ofcom's limit: abandoned calls ÷ calls a person answered, per campaign over a rolling 24 hours. */
  abandonmentLimit: 0.03,
  /** What predictive aims at, a margin below the limit for the model's errors and chance. */
  abandonmentAim: 0.02,
  /** Fewer callers available than this: one line per caller (too few to pool the risk). */
  minCallers: 5,
  /** Cold start: the answer rate assumed before the campaign's own dials say otherwise, and how many dials it weighs. Set high on purpose: too high an answer rate dials too little, never too much. */
  priorAnswerRate: 0.3,
  priorDials: 60,
  /** How far above its estimate the answer rate is taken (standard errors): the estimate's own noise must not cause drops. */
  answerRateMargin: 0,
  /** Until the campaign has its own figures: talk and wrap-up (NETWORK's means) and dial → a person bridged (ring + AMD). */
  priorTalkSeconds: 90,
  priorWrapSeconds: 20,
  priorRingSeconds: 11,
  /**
   * The 24-hour rate counts as a signal once this many people have answered; until then the aim grows with the
   * answers (from a twentieth of it), because early on a single abandoned call is a large share and the hard stop at
   * 3 % would end predictive dialing for the evening's first part.
   */
  minAnsweredForRate: 400,
  /** How quickly the lines-per-caller figure shown to organizers follows the decisions (share of the new value). */
  displaySmoothing: 0.2,
} as const;

export interface PacingInput {
  mode: 'power' | 'predictive';
  /** Power: the campaign's setting (1–3). Predictive: the most lines per available caller allowed (e.g. 3). */
  linesPerCaller: number;
  /** Callers available = the sum. */
  callers: { waiting: number; talking: number; wrapping: number };
  /** Calls placed and not yet bridged or ended (ringing, or answered and waiting for the machine-detection verdict). */
  linesRinging: number;
  /**
   * The campaign's recent window (e.g. the last 200 ended dials or 10 minutes, whichever is fewer), of ended
   * dials only: dials, how many a person answered (AMD said human), and means in seconds of talk, wrap-up and
   * dial → the verdict for people. Means of 0 (no data yet) fall back to PACING's priors.
   */
  recent: { dials: number; humanAnswers: number; talkSeconds: number; wrapSeconds: number; ringSeconds: number };
  /** The rolling 24 hours, Ofcom's measure: abandoned ÷ answered by a person. */
  abandonment24h: { abandoned: number; answered: number };
  nowMs: number;
  /** How many calls may be placed now (the account's calls-per-second and concurrent-call room); no limit if absent. */
  maxNewLines?: number;
}

export interface PacingDecision {
  /** New calls to place now. */
  toDial: number;
  /** The current lines per available caller, smoothed, shown to organizers. */
  linesPerCaller: number;
  /** Why a predictive campaign dials one line per caller now, or null. */
  fallback: Fallback | null;
  /** The answer rate the decision used (the estimate plus its margin), shown to organizers. */
  answerRate: number;
}

/** All a pacer keeps between decisions: JSON, for PostgreSQL. */
export interface PacerState {
  linesPerCaller: number;
  fallback: Fallback | null;
  /** When the current fallback (or its end) began, epoch ms. */
  fallbackSinceMs: number;
}

export class Pacer {
  private current: PacerState;

  constructor(state?: PacerState) {
    this.current = state ? { ...state } : { linesPerCaller: 1, fallback: null, fallbackSinceMs: 0 };
  }

  get state(): PacerState {
    return { ...this.current };
  }

  decide(input: PacingInput): PacingDecision {
    const { waiting, talking, wrapping } = input.callers;
    const available = waiting + talking + wrapping;
    const answerRate = estimateAnswerRate(input.recent);
    let fallback: Fallback | null = null;
    let lines: number; // the lines the campaign should have ringing after this decision
    if (input.mode === 'power') {
      // The organizer's choice, never reduced by the abandonment rate. Its cost, on the simulated network at
      // evening answer rates (simulate.ts, 15 s ring): a lone caller with 2 lines abandons about 12 % of the people
      // who answer, with 3 lines about 25 %; pooled (an answer goes to any waiting caller) 5 callers abandon about
      // 6 % / 13 %, 20 callers 0.2 % / 2 %. Few callers with 2–3 lines break Ofcom's 3 %: that is what predictive is for.
      lines = clampLines(input.linesPerCaller) * waiting;
    } else {
      fallback = predictiveFallback(available, input.abandonment24h);
      lines = fallback ? waiting : Math.max(waiting, predictiveLines(input, answerRate, available));
    }
    let toDial = Math.max(0, Math.floor(lines) - input.linesRinging);
    if (input.maxNewLines !== undefined) toDial = Math.min(toDial, Math.max(0, Math.floor(input.maxNewLines)));

    const ratio = input.mode === 'power' ? clampLines(input.linesPerCaller) : fallback ? 1 : available > 0 ? Math.max(1, (input.linesRinging + toDial) / available) : 1;
    const smoothed = input.mode === 'power' || fallback ? ratio : this.current.linesPerCaller + PACING.displaySmoothing * (ratio - this.current.linesPerCaller);
    this.current = {
      linesPerCaller: Math.round(smoothed * 100) / 100,
      fallback,
      fallbackSinceMs: fallback === this.current.fallback ? this.current.fallbackSinceMs : input.nowMs,
    };
    return { toDial, linesPerCaller: this.current.linesPerCaller, fallback, answerRate };
  }
}

function clampLines(linesPerCaller: number): number {
  return Math.min(3, Math.max(1, Math.floor(linesPerCaller)));
}

/** The hard stops: fewer than 5 callers, or the 24-hour rate at or above 3 %. */
export function predictiveFallback(available: number, day: { abandoned: number; answered: number }): Fallback | null {
  if (day.answered > 0 && day.abandoned / day.answered >= PACING.abandonmentLimit) return 'abandonment-limit';
  if (available < PACING.minCallers) return 'few-callers';
  return null;
}

/** The campaign's answer rate, from a prior while it has few dials, raised by its standard error. */
export function estimateAnswerRate(recent: { dials: number; humanAnswers: number }): number {
  const dials = Math.max(0, recent.dials) + PACING.priorDials;
  const p = (Math.max(0, recent.humanAnswers) + PACING.priorAnswerRate * PACING.priorDials) / dials;
  return Math.min(1, p + PACING.answerRateMargin * Math.sqrt((p * (1 - p)) / dials));
}

/**
 * The most lines that keep the expected abandoned calls within the aim. Over the next few seconds (dial → a person
 * bridged), the lines ringing produce A answers, A ~ Binomial(lines, p) taken as normal; the callers free by
 * then are the waiting ones plus those whose call and wrap-up (or wrap-up) end within that time. Abandoned calls
 * are what A exceeds the free callers by; their expectation must stay under aim × E[A]. The aim shrinks to 0 as
 * the 24-hour rate climbs from the aim to the limit, and is smaller while the campaign has few answers in its 24
 * hours. The normal's variance holds the answers' own, the answer rate's uncertainty, and the free callers'.
 */
function predictiveLines(input: PacingInput, p: number, available: number): number {
  const { waiting, talking, wrapping } = input.callers;
  const talk = positiveOr(input.recent.talkSeconds, PACING.priorTalkSeconds);
  const wrap = positiveOr(input.recent.wrapSeconds, PACING.priorWrapSeconds);
  const horizon = positiveOr(input.recent.ringSeconds, PACING.priorRingSeconds);
  // Remaining times taken as exponential (memoryless): a caller talking frees after talk + wrap-up, a caller wrapping up after the wrap-up.
  const qWrapping = 1 - Math.exp(-horizon / wrap);
  const qTalking = hypoexponentialCdf(horizon, talk, wrap);
  const freeMean = waiting + talking * qTalking + wrapping * qWrapping;
  const freeVariance = talking * qTalking * (1 - qTalking) + wrapping * qWrapping * (1 - qWrapping);

  const aim = budgetedAim(input.abandonment24h);
  const most = Math.floor(clampLinesPredictive(input.linesPerCaller) * available);
  let best = Math.min(most, waiting);
  // The answer rate is itself uncertain (few dials, or a rate on the move): its variance scales with lines².
  const rateVariance = (p * (1 - p)) / (Math.max(0, input.recent.dials) + PACING.priorDials);
  for (let lines = Math.max(1, best + 1); lines <= most; lines++) {
    const answers = lines * p;
    const spread = Math.sqrt(answers * (1 - p) + lines * lines * rateVariance + freeVariance);
    if (expectedExcess(answers - freeMean, spread) > aim * answers) break;
    best = lines;
  }
  return best;
}

function clampLinesPredictive(linesPerCaller: number): number {
  return Math.min(5, Math.max(1, linesPerCaller));
}

/** The aim, reduced linearly to 0 as the 24-hour rate goes from the aim to the limit. */
function budgetedAim(day: { abandoned: number; answered: number }): number {
  const warmUp = Math.min(1, Math.max(0.05, day.answered / PACING.minAnsweredForRate));
  const rate = day.answered > 0 ? day.abandoned / day.answered : 0;
  if (rate <= PACING.abandonmentAim) return PACING.abandonmentAim * warmUp;
  return warmUp * Math.max(0, PACING.abandonmentAim * ((PACING.abandonmentLimit - rate) / (PACING.abandonmentLimit - PACING.abandonmentAim)));
}

function positiveOr(value: number, fallback: number): number {
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

/** P(X + Y ≤ t) for X, Y exponential with means a and b. */
function hypoexponentialCdf(t: number, a: number, b: number): number {
  if (Math.abs(a - b) < 1e-6) return 1 - Math.exp(-t / a) * (1 + t / a);
  return 1 - (a * Math.exp(-t / a) - b * Math.exp(-t / b)) / (a - b);
}

/** E[max(0, X)] for X normal with this mean and standard deviation. */
function expectedExcess(mean: number, sd: number): number {
  if (sd <= 1e-9) return Math.max(0, mean);
  const z = mean / sd;
  return mean * normalCdf(z) + sd * Math.exp(-0.5 * z * z) * 0.3989422804014327;
}

/** Φ(z), Abramowitz & Stegun 7.1.26 (error < 1.5e-7). */
function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}
