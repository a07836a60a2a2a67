// Which questions a caller is asked, given the answers so far: a question with `when` is asked only
// after the earlier question it depends on was asked and got one of the listed answers.
import type { CampaignQuestion } from '$contract/api';

/** What a saved call counts for (recruit, volunteer …): the server's own rule, so the caller's figures agree with it. */
export { callTags } from '../../../../server/src/modules/campaigns/outcomes';

/** An answer as the calling engine stores it: yes/no, one choice, several choices, or free text. */
export type Answer = boolean | string | string[];
export type Answers = Readonly<Record<string, Answer | undefined>>;

/** The answer in the form `when.values` speaks of: 'true'/'false' for yes/no, choice values otherwise. */
function answerValues(question: CampaignQuestion, answer: Answer | undefined): string[] {
  if (answer === undefined) return [];
  switch (question.kind) {
    case 'yes-no':
      return typeof answer === 'boolean' ? [String(answer)] : [];
    case 'single':
      return typeof answer === 'string' && answer ? [answer] : [];
    case 'multiple':
      return Array.isArray(answer) ? answer : [];
    case 'text':
      return [];
  }
}

/** The questions to show, in order. An answer to a question no longer asked does not count. */
export function askedQuestions(questions: readonly CampaignQuestion[], answers: Answers): CampaignQuestion[] {
  const asked = new Map<string, CampaignQuestion>();
  for (const question of questions) {
    const when = question.when;
    if (when) {
      const earlier = asked.get(when.question);
      if (!earlier) continue;
      const given = answerValues(earlier, answers[earlier.id]);
      if (!given.some((value) => when.values.includes(value))) continue;
    }
    asked.set(question.id, question);
  }
  return [...asked.values()];
}

/** The answers of the questions asked, for saving: answers to questions that fell away are left out. */
export function answersToSave(questions: readonly CampaignQuestion[], answers: Answers): Record<string, Answer> {
  const out: Record<string, Answer> = {};
  for (const question of askedQuestions(questions, answers)) {
    const answer = answers[question.id];
    if (answer === undefined || (typeof answer === 'string' && answer.trim() === '') || (Array.isArray(answer) && answer.length === 0)) continue;
    out[question.id] = answer;
  }
  return out;
}
