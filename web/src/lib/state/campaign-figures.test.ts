import { describe, expect, test } from 'vitest';
import { figuresOf, goalReached } from './campaign-figures';

describe('goalReached', () => {
  const figures = { calls: 40, conversations: 25, tags: { recruit: 3, volunteer: 5, event: 7, supporter: 11 } };

  test('dials are calls, conversations conversations, the other goals the calls counting for their tag', () => {
    expect(goalReached({ metric: 'dials' }, figures)).toBe(40);
    expect(goalReached({ metric: 'conversations' }, figures)).toBe(25);
    expect(goalReached({ metric: 'recruits' }, figures)).toBe(3);
    expect(goalReached({ metric: 'volunteers' }, figures)).toBe(5);
    expect(goalReached({ metric: 'events' }, figures)).toBe(7);
    expect(goalReached({ metric: 'supporters' }, figures)).toBe(11);
  });

  test('the figures of a live event, without its other fields', () => {
    const event = { campaignId: 'c', callersOnline: 2, ...figures };
    expect(figuresOf(event)).toEqual(figures);
  });
});
