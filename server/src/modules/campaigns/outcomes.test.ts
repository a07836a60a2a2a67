import { describe, expect, test } from 'vitest';
import type { OutcomeValue, QuestionValue } from './campaigns.schemas';
import { callTags } from './outcomes';

const questions: QuestionValue[] = [
  { id: 'member', kind: 'yes-no', text: 'Vill du bli medlem?', tags: ['recruit'] },
  {
    id: 'help',
    kind: 'multiple',
    text: 'Vad kan du tänka dig?',
    choices: [
      { value: 'knock', label: 'Knacka dörr', tags: ['volunteer'] },
      { value: 'meeting', label: 'Komma på mötet', tags: ['event'] },
      { value: 'nothing', label: 'Inget', tags: [] },
    ],
  },
  { id: 'vote', kind: 'single', text: 'Röstar du på oss?', choices: [{ value: 'yes', label: 'Ja', tags: ['supporter'] }, { value: 'no', label: 'Nej', tags: [] }] },
  { id: 'why', kind: 'text', text: 'Varför?' },
];
const conversation: OutcomeValue = { code: 'conversation', label: '', reached: true, final: true, tags: [] };
const invited: OutcomeValue = { code: 'invited', label: 'Bjuden till mötet', reached: true, final: true, tags: ['event'] };

describe('what a call counts for', () => {
  test('a yes, the choices answered and the outcome each add their tags, once', () => {
    expect(callTags(questions, invited, { member: true, help: ['knock', 'meeting'], vote: 'yes', why: 'recruit' })).toEqual(['event', 'recruit', 'supporter', 'volunteer']);
  });

  test('a no, a choice without tags, or no answers count for nothing', () => {
    expect(callTags(questions, conversation, { member: false, help: ['nothing'], vote: 'no' })).toEqual([]);
    expect(callTags(questions, conversation, {})).toEqual([]);
  });
});
