import { describe, expect, test } from 'vitest';
import type { CampaignQuestion } from '$contract/api';
import { answersToSave, askedQuestions } from './questions';

const questions: CampaignQuestion[] = [
  { id: 'member', kind: 'yes-no', text: 'Vill du bli medlem?', tags: ['recruit'] },
  { id: 'why', kind: 'text', text: 'Varför?', when: { question: 'member', values: ['true'] } },
  {
    id: 'topic',
    kind: 'multiple',
    text: 'Vad är viktigast?',
    choices: [
      { value: 'skola', label: 'Skolan', tags: [] },
      { value: 'vard', label: 'Vården', tags: [] },
    ],
    when: { question: 'member', values: ['false'] },
  },
  { id: 'school-more', kind: 'yes-no', text: 'Vill du veta mer om skolan?', tags: [], when: { question: 'topic', values: ['skola'] } },
];

const ids = (answers: Parameters<typeof askedQuestions>[1]) => askedQuestions(questions, answers).map((question) => question.id);

describe('questions that depend on an earlier answer', () => {
  test('are hidden until the earlier question gets one of their answers', () => {
    expect(ids({})).toEqual(['member']);
    expect(ids({ member: true })).toEqual(['member', 'why']);
    expect(ids({ member: false })).toEqual(['member', 'topic']);
    expect(ids({ member: false, topic: ['vard', 'skola'] })).toEqual(['member', 'topic', 'school-more']);
  });

  test('fall away with the question they depend on, whatever they were answered', () => {
    expect(ids({ member: true, topic: ['skola'] })).toEqual(['member', 'why']);
    expect(answersToSave(questions, { member: true, why: 'Skolan', topic: ['skola'], 'school-more': true })).toEqual({ member: true, why: 'Skolan' });
  });

  test('empty answers are not saved', () => {
    expect(answersToSave(questions, { member: false, topic: [] })).toEqual({ member: false });
    expect(answersToSave(questions, { member: true, why: '   ' })).toEqual({ member: true });
  });
});
