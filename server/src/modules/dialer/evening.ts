// One calling evening on the simulated phone network and a simulated clock, in one dialing mode: the
// production dialer (CampaignDialer), pacing and simulated provider, with the calling engine's queue
// rules kept in memory (claims in the engine's order, retries after the campaign's hours, abandoned
// people held 72 hours) so that an evening takes seconds. Every mode gets the same people, the same
// network (seeded: the same person at the same attempt and hour meets the same fate) and the same
// callers: what differs is only the dialing.
import { DEFAULT_RETRY_HOURS } from '../campaigns/outcomes';
import { CampaignDialer, type MachineVerdictPolicy, type Pacing } from './campaign-dialer';
import type { DialerQueue, DialTarget, NobodyNow, ServerOutcome } from './dialer.types';
import { mulberry32, type SimulatedNetwork } from './network';
import { SimulatedClock } from './scheduler';
import { SimulatedDialer } from './simulated-dialer';

/**
 * The simulated volunteers (assumptions). In every mode a conversation's talk and wrap-up are the
 * network's, drawn per person, so they are the same whoever dials. Dialling by hand (preview), a
 * volunteer reads the card and the script's opening and taps the number, lets it ring as long as the
 * dialer would, hangs up on a machine once they hear it is one, and notes an unanswered call. The issue
 * observes about 30 attempts an hour by hand; these times give about that (printed as
 * preview.attempts_per_caller_hour).
 */
export const VOLUNTEERS = {
  /** Preview: from asking for the next person to the phone ringing (read the card, the history and the opening; type the number on one's own phone). */
  dialSeconds: 40,
  /** Preview: how long a volunteer lets it ring before giving up (about six rings; the dialer gives up after RING_TIMEOUT_SECONDS). */
  ringSeconds: 30,
  /** Preview: to hear a greeting is a machine and hang up. */
  machineHeardSeconds: 4,
  /** Preview: to note no answer, busy, a machine or a dead number. */
  recordUnansweredSeconds: 15,
  /** Power and predictive: a caller given a call detection took for a machine ends it with one tap ("Answering machine"). */
  machineTapSeconds: 2,
};

export interface EveningOptions {
  mode: 'preview' | 'power' | 'predictive';
  linesPerCaller: number;
  callers: number;
  people: number;
  /** ms since the epoch: when the evening starts. */
  start: number;
  hours: number;
  timeZone: string;
  network: SimulatedNetwork;
  /** A fresh pacer for the evening (power and predictive). */
  pacer?: Pacing;
  machineVerdict?: MachineVerdictPolicy;
  seed: number;
}

export interface EveningFigures {
  conversations_per_caller_hour: number;
  caller_idle_share: number;
  attempts_per_caller_hour: number;
  abandonment_rate?: number;
  dials: number;
  conversations: number;
  abandoned?: number;
  /** People who answered and were hung up on because detection took them for a machine (counted in abandonment_rate). */
  hung_up_by_detection?: number;
  human_answers: number;
  /** Machines (by the network's truth) that reached a caller: detection said "human", or a "machine" verdict given to a waiting caller (power and predictive). */
  machines_to_callers_per_caller_hour?: number;
}

interface Person {
  id: number;
  attempts: number;
  dueAt: number;
  state: 'queued' | 'held' | 'done';
}

/** The calling engine's queue rules, in memory. */
class MemoryQueue implements DialerQueue {
  private readonly people: Person[];
  private fresh = 0;
  private readonly retries: Person[] = [];

  constructor(
    count: number,
    private readonly clock: SimulatedClock,
    private readonly campaignId: string,
  ) {
    this.people = Array.from({ length: count }, (_, i) => ({ id: i + 1, attempts: 0, dueAt: 0, state: 'queued' as const }));
  }

  async claim(_campaignId: string, forUserId: string): Promise<DialTarget | NobodyNow> {
    const target = this.claimNow();
    return target ? { ...target, callerId: forUserId } : { reason: 'empty', opensAt: null };
  }

  claimNow(): DialTarget | null {
    const now = this.clock.now();
    // Never called first, then retries that are due (the engine's priorities 1 and 2).
    let person: Person | undefined;
    if (this.fresh < this.people.length) person = this.people[this.fresh++];
    else {
      const index = this.retries.findIndex((p) => p.state === 'queued' && p.dueAt <= now);
      if (index >= 0) person = this.retries.splice(index, 1)[0];
    }
    if (!person) return null;
    person.state = 'held';
    return { leaseId: `lease-${person.id}-${person.attempts}`, campaignId: this.campaignId, organisationId: 'bench', personId: person.id, phone: `+4670${String(person.id).padStart(7, '0')}`, attempt: person.attempts, callerId: '' };
  }

  async settle(target: DialTarget, outcome: ServerOutcome): Promise<void> {
    this.settleNow(target.personId, outcome);
  }

  settleNow(personId: number, outcome: ServerOutcome | 'conversation'): void {
    const person = this.people[personId - 1] as Person;
    person.attempts++;
    const hours = outcome === 'abandoned' ? 72 : DEFAULT_RETRY_HOURS[outcome];
    if (hours === undefined) {
      person.state = 'done';
      return;
    }
    person.state = 'queued';
    person.dueAt = this.clock.now() + hours * 3_600_000;
    this.retries.push(person);
  }

  async handOver(): Promise<void> {}
}

export async function runEvening(options: EveningOptions): Promise<EveningFigures> {
  const clock = new SimulatedClock(options.start);
  const end = options.start + options.hours * 3_600_000;
  const queue = new MemoryQueue(options.people, clock, 'bench-campaign');
  const rand = mulberry32(options.seed);
  /** Caller-milliseconds spent with people: conversations and their wrap-up, inside the evening. */
  let busyMs = 0;
  const countBusy = (from: number, to: number) => {
    busyMs += Math.max(0, Math.min(to, end) - Math.min(from, end));
  };
  let conversations = 0;
  let dials = 0;
  let humanAnswers = 0;

  if (options.mode === 'preview') {
    const network = options.network;
    const timeout = VOLUNTEERS.ringSeconds * 1000;
    const next = (caller: number) => {
      if (clock.now() >= end) return;
      const target = queue.claimNow();
      if (!target) return;
      clock.setTimeout(() => {
        dials++;
        const fate = network.fate(target.personId, target.attempt, new Date(clock.now()), options.timeZone);
        const unanswered = (heardMs: number, outcome: ServerOutcome) =>
          clock.setTimeout(() => {
            queue.settleNow(target.personId, outcome);
            next(caller);
          }, heardMs + VOLUNTEERS.recordUnansweredSeconds * 1000);
        switch (fate.kind) {
          case 'busy':
            unanswered(fate.ringMs, 'busy');
            return;
          case 'dead':
            unanswered(fate.ringMs, 'wrong-number');
            return;
          case 'no-answer':
            unanswered(timeout, 'no-answer');
            return;
          case 'machine':
            if (fate.ringMs > timeout) unanswered(timeout, 'no-answer');
            else unanswered(fate.ringMs + VOLUNTEERS.machineHeardSeconds * 1000, 'voicemail');
            return;
          case 'human': {
            if (fate.ringMs > timeout) {
              unanswered(timeout, 'no-answer');
              return;
            }
            humanAnswers++;
            conversations++;
            const from = clock.now() + fate.ringMs;
            const wrapped = from + fate.talkMs + fate.wrapMs;
            countBusy(from, wrapped);
            clock.setTimeout(() => {
              queue.settleNow(target.personId, 'conversation');
              next(caller);
            }, wrapped - clock.now());
          }
        }
      }, VOLUNTEERS.dialSeconds * 1000);
    };
    for (let caller = 0; caller < options.callers; caller++) clock.setTimeout(() => next(caller), rand() * 10_000);
    await clock.runUntil(end);
    return {
      conversations_per_caller_hour: conversations / (options.callers * options.hours),
      caller_idle_share: 1 - busyMs / (options.callers * (end - options.start)),
      attempts_per_caller_hour: dials / (options.callers * options.hours),
      dials,
      conversations,
      human_answers: humanAnswers,
    };
  }

  // Power and predictive: the production dialer.
  const ref: { dialer?: CampaignDialer } = {};
  const provider = new SimulatedDialer(options.network, clock, () => ref.dialer as CampaignDialer, (error) => {
    throw error;
  });
  let abandoned = 0;
  const talkStarted = new Map<string, number>();
  const dialer = new CampaignDialer(
    {
      id: 'bench-campaign',
      organisationId: 'bench',
      mode: options.mode,
      linesPerCaller: options.linesPerCaller,
      timeZone: options.timeZone,
      language: 'sv',
      abandonMessage: 'Hej! Det här var Exempelpartiet.',
      machineVerdict: options.machineVerdict ?? 'bridge-if-caller-waiting',
    },
    queue,
    provider,
    options.pacer as Pacing,
    clock,
    {
      line: (line, outcome) => {
        if (line.state === 'placing') dials++;
        if (outcome === 'abandoned') abandoned++;
      },
      bridged: (seat, line) => {
        talkStarted.set(seat.seatId, clock.now());
        if (provider.fateOf(line.lineId)?.kind === 'human') conversations++;
      },
      ended: (seat, line) => {
        const fate = provider.fateOf(line.lineId);
        const human = fate?.kind === 'human';
        const from = talkStarted.get(seat.seatId) ?? clock.now();
        const wrap = fate?.kind === 'human' ? fate.wrapMs : VOLUNTEERS.machineTapSeconds * 1000;
        if (human) countBusy(from, clock.now() + wrap);
        clock.setTimeout(() => {
          queue.settleNow(line.target.personId, human ? 'conversation' : 'voicemail');
          dialer.saved(seat.userId);
        }, wrap);
      },
      error: (error) => {
        throw error;
      },
    },
  );
  ref.dialer = dialer;
  for (let caller = 0; caller < options.callers; caller++) clock.setTimeout(() => dialer.start(`caller-${caller}`), rand() * 10_000);
  // The pacer looks again at least once a second, as in the server.
  const tick = () => {
    dialer.pump();
    if (clock.now() < end) clock.setTimeout(tick, 1000);
  };
  clock.setTimeout(tick, 1000);
  await clock.runUntil(end);
  dialer.close();
  humanAnswers = provider.truth.humansAnswered;
  const hungUp = provider.truth.humansHungUpByDetection;
  return {
    conversations_per_caller_hour: conversations / (options.callers * options.hours),
    caller_idle_share: 1 - busyMs / (options.callers * (end - options.start)),
    attempts_per_caller_hour: dials / (options.callers * options.hours),
    machines_to_callers_per_caller_hour: provider.truth.machinesBridged / (options.callers * options.hours),
    abandonment_rate: humanAnswers === 0 ? 0 : (abandoned + hungUp) / humanAnswers,
    dials,
    conversations,
    abandoned,
    hung_up_by_detection: hungUp,
    human_answers: humanAnswers,
  };
}
