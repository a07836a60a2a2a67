import { describe, expect, test } from 'vitest';
import type { CampaignView } from '$contract/api';
import { draftOf, newChoice, newOutcome, newQuestion, problemsOf, scriptInput, slug, unchanged } from './script-draft';

const saved: Pick<CampaignView, 'script' | 'questions' | 'outcomes'> = {
  script: 'Hej {first_name}!',
  questions: [
    { id: 'member', kind: 'yes-no', text: 'Vill du bli medlem?', tags: ['recruit'] },
    {
      id: 'topic',
      kind: 'single',
      text: 'Vad är viktigast?',
      choices: [
        { value: 'skola', label: 'Skolan', tags: [] },
        { value: 'vard', label: 'Vården', tags: ['supporter'] },
      ],
      when: { question: 'member', values: ['false'] },
    },
    { id: 'why', kind: 'text', text: 'Varför vården?', when: { question: 'topic', values: ['vard'] } },
  ],
  outcomes: [
    { code: 'no-answer', label: '', reached: false, final: false, tags: [] },
    { code: 'conversation', label: 'Samtal', reached: true, final: true, tags: [] },
  ],
};

describe('the script draft', () => {
  test('saves what it was made of unchanged, conditions included', () => {
    const draft = draftOf(saved);
    expect(scriptInput(draft)).toEqual(saved);
    expect(unchanged(draft, saved)).toBe(true);
    draft.script += ' Hur mår du?';
    expect(unchanged(draft, saved)).toBe(false);
  });

  test('gives new answers and outcomes codes from their labels, and a condition on a new answer its value', () => {
    const draft = draftOf(saved);
    const topic = draft.questions[1]!;
    const other = newChoice('Äldreomsorg & bostäder');
    topic.choices.push(other, newChoice('Skolan igen'));
    draft.questions[2]!.when = { question: topic.key, values: [other.key] };
    const outcome = newOutcome();
    outcome.label = 'Bjöd in till mötet';
    const again = newOutcome();
    again.label = 'Conversation';
    draft.outcomes.push(outcome, again);
    const input = scriptInput(draft);
    const choices = input.questions[1]!.kind === 'single' ? input.questions[1]!.choices : [];
    expect(choices.map((choice) => choice.value)).toEqual(['skola', 'vard', 'aldreomsorg-bostader', 'skolan-igen']);
    expect(input.questions[2]!.when).toEqual({ question: 'topic', values: ['aldreomsorg-bostader'] });
    expect(input.outcomes.map((o) => o.code)).toEqual(['no-answer', 'conversation', 'bjod-in-till-motet', 'conversation-2']);
  });

  test('new questions get ids no other has', () => {
    const draft = draftOf(saved);
    draft.questions.push(newQuestion(draft.questions));
    draft.questions.push(newQuestion(draft.questions));
    expect(draft.questions.map((question) => question.id)).toEqual(['member', 'topic', 'why', 'q4', 'q5']);
  });

  test('finds what the server would refuse, next to the question it is about', () => {
    const draft = draftOf(saved);
    const [member, topic, why] = draft.questions;
    // Moved above the question it depends on.
    draft.questions = [why!, member!, topic!];
    topic!.choices[1]!.label = ' ';
    const blank = newOutcome();
    draft.outcomes.push(blank);
    expect(problemsOf(draft)).toEqual([
      { key: why!.key, code: 'dependsOnLater' },
      { key: topic!.choices[1]!.key, code: 'choiceLabel' },
      { key: blank.key, code: 'outcomeLabel' },
    ]);
  });

  test('a condition on answers the earlier question no longer offers is a problem, and is not sent', () => {
    const draft = draftOf(saved);
    draft.questions[1]!.kind = 'text';
    expect(problemsOf(draft)).toEqual([{ key: draft.questions[2]!.key, code: 'dependsOnText' }]);
    draft.questions[1]!.kind = 'yes-no';
    expect(problemsOf(draft)).toEqual([{ key: draft.questions[2]!.key, code: 'noWhenValues' }]);
    expect(scriptInput(draft).questions[2]!.when).toEqual({ question: 'topic', values: [] });
  });

  test('slugs read like the label', () => {
    expect(slug('  Blåbär, Æble & Øl! ', 40)).toBe('blabar-aeble-ol');
    expect(slug('???', 40)).toBe('');
  });
});
