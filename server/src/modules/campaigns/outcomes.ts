import type { Country } from '../../contract/api';
import type { CallingWindowValue, OutcomeValue, QuestionValue } from './campaigns.schemas';

/** The outcomes every campaign starts with; their codes are stable (statistics and the engine rely on them). */
export const DEFAULT_OUTCOMES: OutcomeValue[] = [
  { code: 'no-answer', label: '', reached: false, final: false, tags: [] },
  { code: 'busy', label: '', reached: false, final: false, tags: [] },
  { code: 'voicemail', label: '', reached: false, final: false, tags: [] },
  { code: 'wrong-number', label: '', reached: false, final: true, tags: [] },
  { code: 'conversation', label: '', reached: true, final: true, tags: [] },
  { code: 'callback', label: '', reached: true, final: false, tags: [] },
  { code: 'refused', label: '', reached: true, final: true, tags: [] },
  { code: 'do-not-call', label: '', reached: true, final: true, tags: [] },
];

/** Codes whose meaning the engine keeps, whatever an organizer changes about their labels and tags. */
export const BUILT_IN_CODES = new Set(DEFAULT_OUTCOMES.map((outcome) => outcome.code));

export const DEFAULT_RETRY_HOURS: Record<string, number> = { 'no-answer': 4, busy: 4, voicemail: 4 };

/** DOMAIN: Mon–Fri 09:00–20:00, Sat–Sun 11:00–17:00 in the organisation's time zone. */
export const DEFAULT_WINDOW: CallingWindowValue = {
  mon: [['09:00', '20:00']],
  tue: [['09:00', '20:00']],
  wed: [['09:00', '20:00']],
  thu: [['09:00', '20:00']],
  fri: [['09:00', '20:00']],
  sat: [['11:00', '17:00']],
  sun: [['11:00', '17:00']],
};

/** DOMAIN: Norway's telemarketing rules allow no calls at weekends nor outside 09–21 on weekdays. */
export const NORWEGIAN_WINDOW: CallingWindowValue = {
  mon: [['09:00', '21:00']],
  tue: [['09:00', '21:00']],
  wed: [['09:00', '21:00']],
  thu: [['09:00', '21:00']],
  fri: [['09:00', '21:00']],
  sat: [],
  sun: [],
};

/** The usual calling hours in an organisation's country: a new campaign's, and what the editor warns against. */
export function normalWindow(country: Country): CallingWindowValue {
  return country === 'NO' ? NORWEGIAN_WINDOW : DEFAULT_WINDOW;
}

/** Every hour of every day: for tests, demos and campaigns an organizer opens on purpose. */
export const ALWAYS_WINDOW: CallingWindowValue = {
  mon: [['00:00', '24:00']],
  tue: [['00:00', '24:00']],
  wed: [['00:00', '24:00']],
  thu: [['00:00', '24:00']],
  fri: [['00:00', '24:00']],
  sat: [['00:00', '24:00']],
  sun: [['00:00', '24:00']],
};

/** What a call counts for: its outcome's tags, a yes's tags, and the tags of the choices answered. */
export function callTags(questions: QuestionValue[], outcome: OutcomeValue, answers: Record<string, unknown>): string[] {
  const tags = new Set<string>(outcome.tags);
  for (const question of questions) {
    const answer = answers[question.id];
    if (answer === undefined) continue;
    switch (question.kind) {
      case 'yes-no':
        if (answer === true) for (const tag of question.tags) tags.add(tag);
        break;
      case 'single':
      case 'multiple': {
        const chosen = Array.isArray(answer) ? answer : [answer];
        for (const choice of question.choices) if (chosen.includes(choice.value)) for (const tag of choice.tags) tags.add(tag);
        break;
      }
      case 'text':
        break;
    }
  }
  return [...tags].sort();
}
