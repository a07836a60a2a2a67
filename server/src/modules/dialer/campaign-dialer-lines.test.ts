// The dialer core (CampaignDialer) when its provider or its queue has nothing to say: a line Twilio never
// reports the end of (its status callback lost) does not hold the caller's line or the person for ever,
// and a queue with nobody to give tells every waiting caller why, until it gives someone again. A silent
// provider and a queue in memory, on a simulated clock.
import { expect, test } from 'vitest';
import { CampaignDialer, RING_TIMEOUT_SECONDS, SILENT_LINE_MS, type Seat } from './campaign-dialer';
import { NotPlacedError, type DialerProvider, type DialerQueue, type DialTarget, type NobodyNow, type PlaceCall, type ServerOutcome } from './dialer.types';
import { Pacer } from './pacing';
import { SimulatedClock } from './scheduler';

const START = Date.UTC(2026, 11, 7, 17, 0);

/** Places calls and then says nothing more of them, as Twilio does when its callbacks are lost. */
class SilentProvider implements DialerProvider {
  readonly placed: PlaceCall[] = [];
  readonly hungUp: string[] = [];
  async place(call: PlaceCall) {
    this.placed.push(call);
    return { providerCallId: `CA${this.placed.length}` };
  }
  async hangup(line: { lineId: string }) {
    this.hungUp.push(line.lineId);
  }
}

/** A queue of numbered people; `closed` makes it give nobody, with that reason. */
class Queue implements DialerQueue {
  next = 1;
  closed: NobodyNow | null = null;
  readonly settled: { personId: number; outcome: ServerOutcome }[] = [];
  async claim(campaignId: string, forUserId: string): Promise<DialTarget | NobodyNow> {
    if (this.closed) return this.closed;
    const personId = this.next++;
    return { leaseId: `lease-${personId}`, campaignId, organisationId: 'org', personId, phone: `+4670000${personId}`, attempt: 0, callerId: forUserId };
  }
  async settle(target: DialTarget, outcome: ServerOutcome) {
    this.settled.push({ personId: target.personId, outcome });
  }
  async handOver() {}
}

function dialer(queue: Queue, provider: SilentProvider, clock: SimulatedClock, seats: { state: string; ringing: number; nobody: NobodyNow | null }[] = []) {
  return new CampaignDialer(
    { id: 'campaign', organisationId: 'org', mode: 'power', linesPerCaller: 2, timeZone: 'Europe/Stockholm', language: 'sv', abandonMessage: 'Hej', machineVerdict: 'bridge-if-caller-waiting' },
    queue,
    provider,
    new Pacer(),
    clock,
    { seat: (seat: Seat, ringing, nobody) => seats.push({ state: seat.state, ringing, nobody }) },
  );
}

/** Runs the clock on, sweeping once a second as the server does. */
async function runFor(clock: SimulatedClock, campaign: CampaignDialer, ms: number): Promise<void> {
  const until = clock.now() + ms;
  while (clock.now() < until) {
    await clock.runUntil(Math.min(until, clock.now() + 1000));
    campaign.sweep();
    campaign.pump();
    // The claims and placements the pump started settle before the clock moves on.
    for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
  }
}

test('lines Twilio never reports the end of are hung up and saved as unanswered, and the caller gets new lines', async () => {
  const clock = new SimulatedClock(START);
  const queue = new Queue();
  const provider = new SilentProvider();
  const campaign = dialer(queue, provider, clock);
  campaign.start('vera');
  await runFor(clock, campaign, 1000);
  expect(provider.placed.map((call) => call.target.personId)).toEqual([1, 2]);
  // Rung out, and nothing heard: the two lines stay the caller's until the silence has lasted long enough.
  await runFor(clock, campaign, RING_TIMEOUT_SECONDS * 1000 + SILENT_LINE_MS - 3000);
  expect(provider.placed).toHaveLength(2);
  expect(queue.settled).toEqual([]);
  await runFor(clock, campaign, 4000);
  expect(provider.hungUp).toHaveLength(2);
  expect(queue.settled).toEqual([
    { personId: 1, outcome: 'no-answer' },
    { personId: 2, outcome: 'no-answer' },
  ]);
  // The caller's two lines are free again: the next two people ring.
  expect(provider.placed.map((call) => call.target.personId)).toEqual([1, 2, 3, 4]);
  expect(campaign.linesRinging()).toBe(2);
});

test('a queue with nobody to give tells the waiting caller why, and stops saying it once it gives someone again', async () => {
  const clock = new SimulatedClock(START);
  const queue = new Queue();
  queue.closed = { reason: 'outside-calling-window', opensAt: '2026-12-08T17:00:00.000Z' };
  const provider = new SilentProvider();
  const seats: { state: string; ringing: number; nobody: NobodyNow | null }[] = [];
  const campaign = dialer(queue, provider, clock, seats);
  campaign.start('vera');
  await runFor(clock, campaign, 1000);
  expect(provider.placed).toEqual([]);
  expect(seats.at(-1)).toEqual({ state: 'waiting', ringing: 0, nobody: { reason: 'outside-calling-window', opensAt: '2026-12-08T17:00:00.000Z' } });
  // The organizer changes the hours: the dialer asks again at once, and says nothing of "nobody" any more.
  queue.closed = null;
  campaign.reconsider();
  await runFor(clock, campaign, 1000);
  expect(provider.placed).toHaveLength(2);
  expect(seats.at(-1)).toMatchObject({ state: 'waiting', nobody: null });
  expect(seats.at(-1)?.ringing).toBeGreaterThan(0);
});

test('a call never placed (the dialer closing, its turn never come) is saved as unanswered, not as a wrong number; one that never leaves the queue is given up after 5 minutes', async () => {
  const clock = new SimulatedClock(START);
  const queue = new Queue();
  const provider = new SilentProvider();
  // The first call's turn never comes and the provider gives up on it; the second fails at Twilio itself; the rest wait for ever.
  let asked = 0;
  provider.place = async (call: PlaceCall) => {
    asked++;
    provider.placed.push(call);
    if (asked === 1) throw new NotPlacedError('The call was not placed.');
    if (asked === 2) throw new Error('Twilio refused the number');
    return new Promise<never>(() => {});
  };
  const campaign = dialer(queue, provider, clock);
  campaign.start('vera');
  await runFor(clock, campaign, 1000);
  expect(queue.settled).toEqual([
    { personId: 1, outcome: 'no-answer' },
    { personId: 2, outcome: 'wrong-number' },
  ]);
  // Two more asked for, never placed: they hold the caller's lines until given up.
  expect(provider.placed.map((call) => call.target.personId)).toEqual([1, 2, 3, 4]);
  await runFor(clock, campaign, 5 * 60_000 - 3000);
  expect(queue.settled).toHaveLength(2);
  await runFor(clock, campaign, 4000);
  expect(queue.settled.slice(2)).toEqual([
    { personId: 3, outcome: 'no-answer' },
    { personId: 4, outcome: 'no-answer' },
  ]);
  expect(provider.placed.map((call) => call.target.personId)).toEqual([1, 2, 3, 4, 5, 6]);
});
