// Weeks of calling evenings, played out: callers take the next person as the engine hands them out
// (retries that are due first, then people never called), dial about 30 times an hour, and write down
// what happened. The calls are then saved through the calling engine's own write path.
import type { PastCall } from '../calling/calling.service';
import type { Random } from './demo-people';

/** A calling evening (or afternoon): from when to when, and who calls. */
export interface Session {
  start: Date;
  end: Date;
  callers: string[];
}

export interface Profile {
  /** What happens at a dial, as outcome codes with their weights. */
  outcomes: readonly (readonly [string, number])[];
  /** Outcomes after which the person is not called again (the campaign's final ones). */
  final: ReadonlySet<string>;
  /** Outcomes where someone answered: they have talk time. */
  reached: ReadonlySet<string>;
  /** What the caller saves for an outcome. */
  record(random: Random, outcome: string): Pick<PastCall, 'answers' | 'notes' | 'flag'>;
  /** Dials a caller makes at most in one session (a short evening), if fewer than the time allows. */
  dialsPerSession?: number;
}

export interface PlayedCall extends PastCall {
  /** Seconds on the line, for the reached. */
  talkSeconds: number;
}

const MAX_ATTEMPTS = 3;
const RETRY_MS = 4 * 3_600_000;

/**
 * Plays the sessions over the people (each callable from `availableFrom`, if given) and returns the calls,
 * in time order. Nobody is called after `until`.
 */
export function playSessions(
  random: Random,
  people: number[],
  sessions: Session[],
  profile: Profile,
  options: { availableFrom?: Map<number, Date>; until: Date },
): PlayedCall[] {
  const fresh = random.shuffle([...people]);
  let head = 0; // fresh[..head] have been handed out (those not yet available stay in place)
  const retries = new Map<number, number>();
  const attempts = new Map<number, number>();
  const calls: PlayedCall[] = [];
  const available = (personId: number, at: number) => (options.availableFrom?.get(personId)?.getTime() ?? 0) <= at;

  const nextPerson = (at: number): number | undefined => {
    let due: number | undefined;
    let dueAt = Infinity;
    for (const [personId, retryAt] of retries) {
      if (retryAt <= at && retryAt < dueAt) {
        due = personId;
        dueAt = retryAt;
      }
    }
    if (due !== undefined) {
      retries.delete(due);
      return due;
    }
    for (let i = head; i < fresh.length; i++) {
      const personId = fresh[i] as number;
      if (!available(personId, at)) continue;
      [fresh[head], fresh[i]] = [personId, fresh[head] as number];
      head += 1;
      return personId;
    }
    return undefined;
  };

  for (const session of [...sessions].sort((a, b) => a.start.getTime() - b.start.getTime())) {
    const end = Math.min(session.end.getTime(), options.until.getTime());
    const cursors = session.callers.map((callerId) => ({ callerId, at: session.start.getTime() + random.between(0, 600) * 1000, dials: 0 }));
    for (;;) {
      const open = cursors.filter((cursor) => cursor.at < end && cursor.dials < (profile.dialsPerSession ?? Infinity));
      if (open.length === 0) break;
      const cursor = open.reduce((first, candidate) => (candidate.at < first.at ? candidate : first));
      const at = new Date(cursor.at);
      const personId = nextPerson(cursor.at);
      if (personId === undefined) {
        cursor.at = end; // nobody to call now: this caller is done for the evening
        continue;
      }
      const outcome = random.weighted(profile.outcomes);
      const made = (attempts.get(personId) ?? 0) + 1;
      attempts.set(personId, made);
      const talkSeconds = !profile.reached.has(outcome) ? 0 : outcome === 'conversation' ? random.between(90, 480) : random.between(20, 90);
      calls.push({ callerId: cursor.callerId, personId, at, outcome, ...profile.record(random, outcome), talkSeconds });
      if (!profile.final.has(outcome) && made < MAX_ATTEMPTS) retries.set(personId, cursor.at + RETRY_MS);
      // Ringing, talking and writing down: about 30 dials an hour for a volunteer dialling by hand.
      cursor.at += (talkSeconds > 0 ? talkSeconds + random.between(30, 90) : random.between(70, 130)) * 1000;
      cursor.dials += 1;
    }
  }
  return calls.sort((a, b) => a.at.getTime() - b.at.getTime());
}
