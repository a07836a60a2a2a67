// Small groups in a breakdown by answer (answers are political opinions, GDPR Art. 9): an answer given
// by fewer than SMALLEST_GROUP people is not counted out, and neither is anything from which it could be
// worked out. The organizer sees how many answered the question; so a question's hidden answers must
// be more than one, and their sum (the respondents less the answers shown) must not pin any one of them.

/** Answers are counted out only for groups of at least this many people. */
export const SMALLEST_GROUP = 5;

/** Why an answer's count is not shown: fewer than five gave it, or it would reveal one that is. */
export type HiddenReason = 'few' | 'complement';

export interface Cell {
  /** null when hidden. */
  people: number | null;
  hidden: HiddenReason | null;
}

export interface SuppressedQuestion {
  /** How many answered; null when the whole question is hidden. */
  respondents: number | null;
  /** The whole question is hidden: fewer than five answered, or nothing less would protect its answers. */
  hidden: boolean;
  cells: Cell[];
}

const few = (people: number) => people < SMALLEST_GROUP;

/**
 * The range of values a reader who knows this rule can tell a hidden count lies in, from what is shown:
 * fewer than five for a 'few' cell; for a complement, five or more and at most the smallest count
 * still shown that could have been the complement (less one when that one comes earlier: ties go to
 * the earlier answer), and never more than the respondents.
 */
function ranges(respondents: number, people: readonly number[], reasons: readonly (HiddenReason | null)[], counted: readonly boolean[]): [number, number][] {
  return reasons.map((reason, index) => {
    if (reason === 'few') return [0, Math.min(SMALLEST_GROUP - 1, respondents)];
    let high = respondents;
    reasons.forEach((other, j) => {
      if (other === null && counted[j] !== true) high = Math.min(high, (people[j] ?? 0) - (j < index ? 1 : 0));
    });
    return [SMALLEST_GROUP, high];
  });
}

/** Each hidden count's least and most value when they sum to `sum`, each within its range. */
function feasible(all: [number, number][], sum: number): [number, number][] {
  const low = all.reduce((total, [lo]) => total + lo, 0);
  const high = all.reduce((total, [, hi]) => total + hi, 0);
  return all.map(([lo, hi]) => [Math.max(lo, sum - (high - hi)), Math.min(hi, sum - (low - lo))]);
}

const told = (range: [number, number]) => range[0] >= range[1];

/**
 * Hides, in one question's breakdown, every answer given by fewer than five people, and one more (the
 * smallest count of five or more: its complement) when a reader could otherwise work a hidden one out
 * from the respondents less the counts shown: always when one answer is small; when several are, if
 * their sum pins them (all none, or all four). When even that would tell a hidden count (the sum at an
 * end of what the ranges allow), or fewer than five answered, the whole question is hidden, how many
 * answered included.
 *
 * Each decision is one a reader can make from what is shown, so knowing the rule tells them nothing
 * more; small-groups.test.ts checks this over every breakdown up to a size.
 */
export function suppressSmallGroups(respondents: number, people: readonly number[], counted: readonly boolean[] = []): SuppressedQuestion {
  const wholly: SuppressedQuestion = { respondents: null, hidden: true, cells: people.map(() => ({ people: null, hidden: 'few' })) };
  if (few(respondents)) return wholly;
  const reasons: (HiddenReason | null)[] = people.map((count) => (few(count) ? 'few' : null));
  // The small answers to protect: those a reader does not have from the figures.
  const small = reasons.flatMap((reason, index) => (reason === 'few' && counted[index] !== true ? [index] : []));
  if (small.length === 0) return shown(respondents, people, reasons);
  const sumOf = (indexes: number[]) => indexes.reduce((total, index) => total + (people[index] ?? 0), 0);
  const before = ranges(respondents, people, reasons, counted);
  const smallRanges = small.map((index): [number, number] => before[index] ?? [0, 0]);
  const pinnedAlone = small.length === 1 || feasible(smallRanges, sumOf(small)).some(told);
  if (!pinnedAlone) return shown(respondents, people, reasons);

  let complement = -1;
  reasons.forEach((reason, index) => {
    if (reason === null && counted[index] !== true && (complement < 0 || (people[index] ?? 0) < (people[complement] ?? 0))) complement = index;
  });
  if (complement < 0) return wholly;
  reasons[complement] = 'complement';
  const [least, most] = ranges(respondents, people, reasons, counted)[complement] ?? [0, 0];
  const total = sumOf(small) + (people[complement] ?? 0);
  if (small.length === 1) {
    if (feasible([smallRanges[0] ?? [0, 0], [least, most]], total).some(told)) return wholly;
  } else {
    // A reader who sees several small answers and a complement knows the small ones were pinned alone:
    // all at the least or all at the most of their ranges. Both must still be possible.
    const ends = [smallRanges.reduce((sum, [lo]) => sum + lo, 0), smallRanges.reduce((sum, [, hi]) => sum + hi, 0)];
    if (!ends.every((end) => total - end >= least && total - end <= most)) return wholly;
  }
  return shown(respondents, people, reasons);
}

function shown(respondents: number, people: readonly number[], reasons: readonly (HiddenReason | null)[]): SuppressedQuestion {
  return { respondents, hidden: false, cells: people.map((count, index) => ({ people: reasons[index] === null ? count : null, hidden: reasons[index] ?? null })) };
}
