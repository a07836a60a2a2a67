// The script editor's draft: script, questions and outcomes as the organizer changes them, and the
// conversion to what the server saves as a new version. In the draft, a question that depends on
// another points at it by a local key, and at its answers by choice keys, so answers written just
// now (which get their stored value only on saving) can be chosen before anything is saved.
import type { CampaignOutcome, CampaignQuestion, CampaignScriptInput, CampaignView } from '$contract/api';

export const TAGS = ['recruit', 'volunteer', 'event', 'supporter'] as const;
export type Tag = (typeof TAGS)[number];
export type QuestionKind = CampaignQuestion['kind'];
export const QUESTION_KINDS: readonly QuestionKind[] = ['yes-no', 'single', 'multiple', 'text'];

/** The outcomes every campaign has; their codes are stable (statistics and the calling engine rely on them). */
export const BUILT_IN_OUTCOMES = ['no-answer', 'busy', 'voicemail', 'wrong-number', 'conversation', 'callback', 'refused', 'do-not-call'] as const;
export type BuiltInOutcome = (typeof BUILT_IN_OUTCOMES)[number];

export function isBuiltIn(code: string | null): code is BuiltInOutcome {
  return code !== null && (BUILT_IN_OUTCOMES as readonly string[]).includes(code);
}

export const LIMITS = { questions: 50, choices: 30, outcomes: 30, script: 50_000, questionText: 1000, choiceLabel: 200, outcomeLabel: 100 } as const;

export interface DraftChoice {
  key: string;
  /** The stored value; null until the first save gives it one from the label. */
  value: string | null;
  label: string;
  tags: Tag[];
}

export interface DraftCondition {
  /** The key of the earlier question. */
  question: string;
  /** 'true' / 'false' for a yes/no question, choice keys otherwise. */
  values: string[];
}

export interface DraftQuestion {
  key: string;
  id: string;
  kind: QuestionKind;
  text: string;
  /** Counted when a yes/no question is answered yes. */
  tags: Tag[];
  /** Kept when the kind changes, so switching back loses nothing. */
  choices: DraftChoice[];
  when: DraftCondition | null;
}

export interface DraftOutcome {
  key: string;
  /** The stable code; null for an outcome added here, until the first save gives it one from its label. */
  code: string | null;
  label: string;
  reached: boolean;
  final: boolean;
  tags: Tag[];
}

export interface ScriptDraft {
  script: string;
  questions: DraftQuestion[];
  outcomes: DraftOutcome[];
}

let counter = 0;
export function newKey(): string {
  counter += 1;
  return `k${counter}`;
}

/** The draft of what a campaign has now. */
export function draftOf(view: Pick<CampaignView, 'script' | 'questions' | 'outcomes'>): ScriptDraft {
  const keys = new Map<string, string>();
  const choiceKeys = new Map<string, Map<string, string>>();
  const questions = view.questions.map((question): DraftQuestion => {
    const key = newKey();
    keys.set(question.id, key);
    const choices =
      question.kind === 'single' || question.kind === 'multiple'
        ? question.choices.map((choice) => ({ key: newKey(), value: choice.value, label: choice.label, tags: [...choice.tags] }))
        : [];
    choiceKeys.set(question.id, new Map(choices.map((choice) => [choice.value ?? '', choice.key])));
    let when: DraftCondition | null = null;
    if (question.when) {
      const earlier = question.when.question;
      const byValue = choiceKeys.get(earlier);
      when = {
        question: keys.get(earlier) ?? '',
        values: question.when.values.map((value) => (value === 'true' || value === 'false' ? value : (byValue?.get(value) ?? value))),
      };
    }
    return { key, id: question.id, kind: question.kind, text: question.text, tags: question.kind === 'yes-no' ? [...question.tags] : [], choices, when };
  });
  const outcomes = view.outcomes.map((outcome) => ({ key: newKey(), code: outcome.code, label: outcome.label, reached: outcome.reached, final: outcome.final, tags: [...outcome.tags] }));
  return { script: view.script, questions, outcomes };
}

/** A new question, with an id no other question has. */
export function newQuestion(existing: readonly DraftQuestion[], kind: QuestionKind = 'yes-no'): DraftQuestion {
  const taken = new Set(existing.map((question) => question.id));
  let n = existing.length + 1;
  while (taken.has(`q${n}`)) n += 1;
  const question: DraftQuestion = { key: newKey(), id: `q${n}`, kind, text: '', tags: [], choices: [], when: null };
  question.choices = [newChoice(), newChoice()];
  return question;
}

export function newChoice(label = ''): DraftChoice {
  return { key: newKey(), value: null, label, tags: [] };
}

export function newOutcome(): DraftOutcome {
  return { key: newKey(), code: null, label: '', reached: true, final: true, tags: [] };
}

/** Letters and digits of a label, as a code: "Bjöd in till mötet" → "bjod-in-till-motet". */
export function slug(text: string, max: number): string {
  return text
    .toLowerCase()
    .replace(/æ/g, 'ae')
    .replace(/ø/g, 'o')
    .replace(/ß/g, 'ss')
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+/, '')
    .slice(0, max)
    .replace(/-+$/, '');
}

function unique(base: string, fallback: string, taken: Set<string>, max: number): string {
  const start = base || fallback;
  let candidate = start;
  for (let n = 2; taken.has(candidate); n += 1) candidate = `${start.slice(0, max - String(n).length - 1)}-${n}`;
  taken.add(candidate);
  return candidate;
}

/** The stored values of a question's choices: those it had, and new ones made from their labels. */
function choiceValues(question: DraftQuestion): Map<string, string> {
  const taken = new Set(question.choices.flatMap((choice) => (choice.value === null ? [] : [choice.value])));
  const values = new Map<string, string>();
  question.choices.forEach((choice, index) => {
    values.set(choice.key, choice.value ?? unique(slug(choice.label, 60), `answer-${index + 1}`, taken, 60));
  });
  return values;
}

/** What the server saves as the next version. */
export function scriptInput(draft: ScriptDraft): CampaignScriptInput {
  const byKey = new Map(draft.questions.map((question) => [question.key, question]));
  const values = new Map(draft.questions.map((question) => [question.key, choiceValues(question)]));
  const questions = draft.questions.map((question): CampaignQuestion => {
    const text = question.text.trim();
    let when: CampaignQuestion['when'];
    if (question.when) {
      const earlier = byKey.get(question.when.question);
      const earlierValues = values.get(question.when.question);
      if (earlier) {
        // Answers the earlier question no longer offers (its kind or choices changed) are left out.
        const mapped =
          earlier.kind === 'yes-no'
            ? question.when.values.filter((value) => value === 'true' || value === 'false')
            : question.when.values.flatMap((value) => {
                const stored = earlierValues?.get(value);
                return stored === undefined ? [] : [stored];
              });
        when = { question: earlier.id, values: mapped };
      }
    }
    const base = { id: question.id, text, ...(when ? { when } : {}) };
    switch (question.kind) {
      case 'yes-no':
        return { ...base, kind: 'yes-no', tags: [...question.tags] };
      case 'single':
      case 'multiple': {
        const own = values.get(question.key);
        return {
          ...base,
          kind: question.kind,
          choices: question.choices.map((choice) => ({ value: own?.get(choice.key) ?? '', label: choice.label.trim(), tags: [...choice.tags] })),
        };
      }
      case 'text':
        return { ...base, kind: 'text' };
    }
  });
  const taken = new Set(draft.outcomes.flatMap((outcome) => (outcome.code === null ? [] : [outcome.code])));
  for (const code of BUILT_IN_OUTCOMES) taken.add(code);
  const outcomes = draft.outcomes.map(
    (outcome, index): CampaignOutcome => ({
      code: outcome.code ?? unique(slug(outcome.label, 40), `outcome-${index + 1}`, taken, 40),
      label: outcome.label.trim(),
      reached: outcome.reached,
      final: outcome.final,
      tags: [...outcome.tags],
    }),
  );
  return { script: draft.script, questions, outcomes };
}

export type ProblemCode =
  | 'questionText'
  | 'tooFewChoices'
  | 'choiceLabel'
  | 'sameChoice'
  | 'dependsOnLater'
  | 'dependsOnText'
  | 'noWhenValues'
  | 'outcomeLabel'
  | 'sameOutcome';

/** Something to put right before saving, tied to the question, answer or outcome it is about. */
export interface Problem {
  key: string;
  code: ProblemCode;
}

/** What an editor of the draft's questions or outcomes works on: the draft, what to put right in it, the server's refusal. */
export interface DraftPart {
  draft: ScriptDraft;
  problems: Problem[];
  error: string | null;
  readOnly: boolean;
}

/** What the server would refuse, found here so it can be shown next to its field. */
export function problemsOf(draft: ScriptDraft): Problem[] {
  const problems: Problem[] = [];
  const seen = new Map<string, DraftQuestion>();
  for (const question of draft.questions) {
    if (!question.text.trim()) problems.push({ key: question.key, code: 'questionText' });
    if (question.kind === 'single' || question.kind === 'multiple') {
      if (question.choices.length < 2) problems.push({ key: question.key, code: 'tooFewChoices' });
      const labels = new Set<string>();
      for (const choice of question.choices) {
        const label = choice.label.trim().toLowerCase();
        if (!label) problems.push({ key: choice.key, code: 'choiceLabel' });
        else if (labels.has(label)) problems.push({ key: choice.key, code: 'sameChoice' });
        labels.add(label);
      }
    }
    if (question.when) {
      const earlier = seen.get(question.when.question);
      if (!earlier) problems.push({ key: question.key, code: 'dependsOnLater' });
      else if (earlier.kind === 'text') problems.push({ key: question.key, code: 'dependsOnText' });
      else {
        const offered = earlier.kind === 'yes-no' ? ['true', 'false'] : earlier.choices.map((choice) => choice.key);
        if (!question.when.values.some((value) => offered.includes(value))) problems.push({ key: question.key, code: 'noWhenValues' });
      }
    }
    seen.set(question.key, question);
  }
  const labels = new Set<string>();
  for (const outcome of draft.outcomes) {
    const label = outcome.label.trim().toLowerCase();
    if (!isBuiltIn(outcome.code) && !label) problems.push({ key: outcome.key, code: 'outcomeLabel' });
    else if (label && labels.has(label)) problems.push({ key: outcome.key, code: 'sameOutcome' });
    if (label) labels.add(label);
  }
  return problems;
}

/** Whether the draft says the same as the saved version (both made by scriptInput, so keys come in one order). */
export function unchanged(draft: ScriptDraft, saved: Pick<CampaignView, 'script' | 'questions' | 'outcomes'>): boolean {
  return JSON.stringify(scriptInput(draft)) === JSON.stringify(scriptInput(draftOf(saved)));
}
