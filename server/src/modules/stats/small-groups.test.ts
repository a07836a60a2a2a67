import { describe, expect, test } from 'vitest';
import { suppressSmallGroups, type SuppressedQuestion } from './small-groups';

const shown = (result: SuppressedQuestion) => result.cells.map((cell) => cell.people ?? cell.hidden);

/**
 * Every breakdown of `cells` answers with counts up to `most`, as a reader who knows the rule sees it:
 * those that look the same are grouped, and each hidden count must have at least two values in its
 * group, or it could be told. `respondentsOf` gives the respondents a table can have (one answer per
 * person: their sum; several: from the largest count to the sum). Every table with up to `most`
 * respondents is made, so for those the groups are complete.
 */
function undisclosed(cells: number, most: number, respondentsOf: (counts: number[]) => number[], counted: boolean[] = []): { tables: number; pinned: string[] } {
  const groups = new Map<string, Set<number>[]>();
  let tables = 0;
  const counts = new Array<number>(cells).fill(0);
  const visit = (position: number) => {
    if (position === cells) {
      for (const respondents of respondentsOf(counts)) {
        tables += 1;
        const result = suppressSmallGroups(respondents, counts, counted);
        // The counts the campaign's figures give are known to the reader too.
        const key = JSON.stringify({ ...result, known: counts.filter((_, index) => counted[index]) });
        const values = groups.get(key) ?? counts.map(() => new Set<number>());
        counts.forEach((count, index) => values[index]?.add(count));
        groups.set(key, values);
      }
      return;
    }
    for (let value = 0; value <= most; value++) {
      counts[position] = value;
      visit(position + 1);
    }
  };
  visit(0);
  const pinned: string[] = [];
  for (const [key, values] of groups) {
    const result = JSON.parse(key) as SuppressedQuestion;
    // Beyond `most` respondents, not every table that looks the same was made (a count may exceed `most`).
    if (result.respondents !== null && result.respondents > most) continue;
    result.cells.forEach((cell, index) => {
      if (cell.people === null && !counted[index] && (values[index]?.size ?? 0) < 2) pinned.push(`${key} answer ${index}`);
    });
  }
  return { tables, pinned };
}

const sum = (counts: number[]) => counts.reduce((a, b) => a + b, 0);
const oneAnswerEach = (counts: number[]) => [sum(counts)];
const severalEach = (counts: number[]) => Array.from({ length: sum(counts) - Math.max(...counts) + 1 }, (_, i) => Math.max(...counts) + i);

describe('a breakdown by answer, cell by cell', () => {
  test('everything is shown when every answer has five people or more', () => {
    expect(suppressSmallGroups(27, [12, 15])).toEqual({ respondents: 27, hidden: false, cells: [{ people: 12, hidden: null }, { people: 15, hidden: null }] });
  });

  test('fewer than five answered: the whole question is hidden, how many included', () => {
    const result = suppressSmallGroups(4, [3, 1]);
    expect(result.respondents).toBeNull();
    expect(result.hidden).toBe(true);
    expect(shown(result)).toEqual(['few', 'few']);
  });

  test('one small answer hides the next smallest too, or the respondents less the rest would tell it', () => {
    // 40 yes, 3 no of 43: "no" alone hidden would be 43 − 40.
    expect(shown(suppressSmallGroups(43, [40, 3]))).toEqual(['complement', 'few']);
    // Three answers: the smallest of the others goes with it; the largest stays.
    const result = suppressSmallGroups(72, [50, 2, 20]);
    expect(shown(result)).toEqual([50, 'few', 'complement']);
    expect(result.respondents).toBe(72);
  });

  test('two small answers protect each other unless their sum pins them (both none or both four)', () => {
    expect(shown(suppressSmallGroups(33, [30, 1, 2]))).toEqual([30, 'few', 'few']);
    // 0 + 0: both would be known to be none; 4 + 4: both four.
    expect(shown(suppressSmallGroups(30, [30, 0, 0]))).toEqual(['complement', 'few', 'few']);
    expect(shown(suppressSmallGroups(38, [30, 4, 4]))).toEqual(['complement', 'few', 'few']);
  });

  test('a complement is bounded by the smallest count still shown; when that pins it, the whole question goes', () => {
    // 3 hidden, a 6 as complement: the 6 still shown bounds it (5–6), so the small one is 3–4.
    expect(shown(suppressSmallGroups(15, [3, 6, 6]))).toEqual(['few', 'complement', 6]);
    // A complement of five beside a five shown must be five, and the small one 13 − 10.
    expect(suppressSmallGroups(13, [3, 5, 5])).toMatchObject({ respondents: null, hidden: true });
  });

  test('when nothing less protects it, the whole question is hidden', () => {
    // Five yes and no no: hiding both still leaves 5 = 5 + 0.
    expect(suppressSmallGroups(5, [5, 0]).hidden).toBe(true);
    expect(suppressSmallGroups(5, [5, 0]).respondents).toBeNull();
  });

  test('no hidden count can be worked out: every breakdown of one answer per person, two to four answers', () => {
    for (const [cells, most] of [[2, 60], [3, 24], [4, 11]] as const) {
      const { tables, pinned } = undisclosed(cells, most, oneAnswerEach);
      expect(tables).toBe((most + 1) ** cells);
      expect(pinned.slice(0, 5), `${cells} answers`).toEqual([]);
    }
  });

  test('an answer the figures count (tagged) protects nothing: the others are hidden as if it were shown', () => {
    // 5 yes tagged "new member" (the figures say 5), 3 no: yes cannot hide no, so the question goes whole.
    expect(suppressSmallGroups(8, [5, 3], [true, false])).toMatchObject({ respondents: null, hidden: true });
    // Without the tag, yes is the complement.
    expect(shown(suppressSmallGroups(8, [5, 3]))).toEqual(['complement', 'few']);
    // A small tagged answer needs no protection of its own; an untagged one beside it still does.
    expect(shown(suppressSmallGroups(30, [2, 20, 8], [true, false, false]))).toEqual(['few', 20, 8]);
    expect(shown(suppressSmallGroups(31, [2, 20, 8, 1], [true, false, false, false]))).toEqual(['few', 20, 'complement', 'few']);
    for (const [cells, most, counted] of [[2, 40, [true, false]], [3, 20, [true, false, false]], [3, 20, [false, true, false]], [4, 10, [true, false, true, false]]] as const) {
      const { pinned } = undisclosed(cells, most, oneAnswerEach, [...counted]);
      expect(pinned.slice(0, 5), `${cells} answers, counted ${counted.join()}`).toEqual([]);
    }
  });

  test('nor with several answers per person (respondents between the largest count and the sum)', () => {
    for (const [cells, most] of [[2, 30], [3, 11]] as const) {
      const { pinned } = undisclosed(cells, most, severalEach);
      expect(pinned.slice(0, 5), `${cells} answers`).toEqual([]);
    }
  });
});
