import { describe, expect, it } from 'vitest';
import { localHour, NETWORK, SimulatedNetwork } from './network';

const ZONE = 'Europe/Stockholm';
const CALLS = 100_000;
/** A Stockholm winter evening: 2026-12-07 is a Monday, UTC+1. */
const at = (hour: number, minute = 0) => Date.UTC(2026, 11, 7, hour - 1, minute);

function shares(network: SimulatedNetwork, when: number, attempt = 0) {
  const counts = { human: 0, machine: 0, busy: 0, 'no-answer': 0, dead: 0 };
  for (let person = 0; person < CALLS; person++) counts[network.fate(person, attempt, when, ZONE).kind]++;
  return counts;
}

describe('the simulated phone network', () => {
  it('reads the hour in the campaign’s time zone', () => {
    expect(localHour(at(18, 30), ZONE)).toBe(18);
    expect(localHour(at(18, 30), 'Europe/London')).toBe(17);
    expect(localHour(Date.UTC(2026, 6, 1, 16, 0), ZONE)).toBe(18); // summer time
    expect(localHour(Date.UTC(2026, 11, 7, 12, 45), 'Asia/Kolkata')).toBe(18); // a half-hour offset
  });

  it('has people answer 17.6 % of dials at 08–09 and 23.4 % at 18–19, as CallHub measured, machines 28 % of answers', () => {
    const network = new SimulatedNetwork(1);
    const morning = shares(network, at(8, 20));
    const evening = shares(network, at(18, 20));
    console.log('08–09:', morning, '18–19:', evening);
    expect(morning.human / CALLS).toBeGreaterThan(0.1764 - 0.01);
    expect(morning.human / CALLS).toBeLessThan(0.1764 + 0.01);
    expect(evening.human / CALLS).toBeGreaterThan(0.2338 - 0.01);
    expect(evening.human / CALLS).toBeLessThan(0.2338 + 0.01);
    for (const c of [morning, evening]) {
      expect(c.machine / (c.machine + c.human)).toBeCloseTo(0.28, 1);
      expect(Math.abs(c.busy / CALLS - NETWORK.busyShare)).toBeLessThan(0.005);
      expect(Math.abs(c.dead / CALLS - NETWORK.deadShare)).toBeLessThan(0.005);
      expect(c['no-answer'] / CALLS).toBeGreaterThan(0.4);
    }
  });

  it('has a person answer after a few rings, mostly within Ofcom’s 15 seconds', () => {
    const network = new SimulatedNetwork(2);
    const rings: number[] = [];
    for (let person = 0; person < CALLS; person++) {
      const fate = network.fate(person, 0, at(19), ZONE);
      if (fate.kind === 'human') rings.push(fate.ringMs);
    }
    const late15 = rings.filter((ms) => ms > 15_000).length / rings.length;
    const late20 = rings.filter((ms) => ms > 20_000).length / rings.length;
    console.log(`people answering after 15 s: ${pct(late15)}, after 20 s: ${pct(late20)}, median ${quantile(rings, 0.5)} ms`);
    expect(quantile(rings, 0.5)).toBeGreaterThan(6000);
    expect(quantile(rings, 0.5)).toBeLessThan(10_000);
    expect(late15).toBeGreaterThan(0.03);
    expect(late15).toBeLessThan(0.15);
    expect(late20).toBeLessThan(late15);
  });

  it('gives conversations a mean of about 90 s with a long tail', () => {
    const network = new SimulatedNetwork(3);
    const talks: number[] = [];
    for (let person = 0; talks.length < 20_000; person++) {
      const fate = network.fate(person, 0, at(18), ZONE);
      if (fate.kind === 'human') talks.push(fate.talkMs);
    }
    const mean = talks.reduce((a, b) => a + b, 0) / talks.length;
    console.log(`talk: mean ${Math.round(mean / 1000)} s, median ${Math.round(quantile(talks, 0.5) / 1000)} s, p95 ${Math.round(quantile(talks, 0.95) / 1000)} s`);
    expect(mean).toBeGreaterThan(85_000);
    expect(mean).toBeLessThan(95_000);
    expect(quantile(talks, 0.95)).toBeGreaterThan(2.5 * mean);
    expect(quantile(talks, 0.5)).toBeLessThan(mean);
  });

  it('detects machines right about 94 % of the time, both ways, 2–5 s after the answer', () => {
    const network = new SimulatedNetwork(4);
    const right = { human: 0, machine: 0 };
    const total = { human: 0, machine: 0 };
    let minAfter = Infinity;
    let maxAfter = 0;
    for (let person = 0; person < CALLS * 2; person++) {
      const fate = network.fate(person, 0, at(18), ZONE);
      if (fate.kind !== 'human' && fate.kind !== 'machine') continue;
      const { verdict, afterMs } = network.amd(person, 0, fate);
      total[fate.kind]++;
      if (verdict === fate.kind) right[fate.kind]++;
      minAfter = Math.min(minAfter, afterMs);
      maxAfter = Math.max(maxAfter, afterMs);
      expect(network.amd(person, 0, fate)).toEqual({ verdict, afterMs });
    }
    console.log(`AMD right: people ${pct(right.human / total.human)}, machines ${pct(right.machine / total.machine)}, verdict after ${minAfter}–${maxAfter} ms`);
    expect(right.human / total.human).toBeCloseTo(0.94, 2);
    expect(right.machine / total.machine).toBeCloseTo(0.94, 1);
    expect(minAfter).toBeGreaterThanOrEqual(2000);
    expect(maxAfter).toBeLessThanOrEqual(5000);
  });

  it('gives the same fates for the same seed and other fates for another seed', () => {
    const fates = (seed: number) => Array.from({ length: 2000 }, (_, i) => new SimulatedNetwork(seed).fate(`person-${i}`, i % 3, at(18), ZONE));
    const a = fates(7);
    expect(fates(7)).toEqual(a);
    const b = fates(8);
    const same = a.filter((fate, i) => JSON.stringify(fate) === JSON.stringify(b[i])).length;
    expect(same).toBeLessThan(a.length * 0.6); // only some no-answers coincide
  });

  it('keeps a dead number dead and a person’s propensity across attempts', () => {
    const network = new SimulatedNetwork(9);
    const deadPeople: number[] = [];
    for (let person = 0; person < 10_000; person++) if (network.fate(person, 0, at(18), ZONE).kind === 'dead') deadPeople.push(person);
    expect(deadPeople.length).toBeGreaterThan(300);
    for (const person of deadPeople) for (let attempt = 1; attempt < 5; attempt++) expect(network.fate(person, attempt, at(19), ZONE).kind).toBe('dead');

    // Retries of people who did not answer are answered less often than first calls: some people never answer.
    let retried = 0;
    let answeredRetry = 0;
    for (let person = 0; person < CALLS; person++) {
      if (network.fate(person, 0, at(18), ZONE).kind !== 'no-answer') continue;
      retried++;
      if (network.fate(person, 1, at(18), ZONE).kind === 'human') answeredRetry++;
    }
    console.log(`second attempts answered after a first no-answer: ${pct(answeredRetry / retried)}`);
    expect(answeredRetry / retried).toBeLessThan(0.2338 * 0.75);
    expect(answeredRetry / retried).toBeGreaterThan(0.08);
  });

  it('lets a test swing the answer rate through an evening, and a higher rate only turns non-answers into answers', () => {
    const swing = new SimulatedNetwork(5, { humanAnswerAt: (ms) => (ms < at(19) ? 0.1 : 0.35) });
    const low = shares(swing, at(18, 30));
    const high = shares(swing, at(19, 30));
    expect(low.human / CALLS).toBeCloseTo(0.1, 2);
    expect(high.human / CALLS).toBeCloseTo(0.35, 2);
    for (let person = 0; person < 5000; person++) {
      const before = swing.fate(person, 0, at(18, 30), ZONE);
      if (before.kind === 'human') expect(swing.fate(person, 0, at(19, 30), ZONE)).toEqual(before);
    }
    const byHour = new SimulatedNetwork(5, { humanAnswerByHour: Array.from({ length: 24 }, () => 0.3) });
    expect(byHour.answerRateAt(8)).toBe(0.3);
    expect(new SimulatedNetwork(5).answerRateAt(18)).toBe(0.2338);
  });
});

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

function pct(x: number): string {
  return `${(100 * x).toFixed(1)} %`;
}
