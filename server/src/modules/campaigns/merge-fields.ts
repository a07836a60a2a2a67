// The merge fields a script may use, as the caller's screen fills them in (web/src/lib/script/render.ts
// reads them the same way): {first_name}, {last_name}, {caller_name} and {attr:Name} for an attribute
// shown to callers. Anything else in braces would reach the caller as braces, so it is refused on save.
import { badRequest } from '../../errors';
import type { QuestionValue } from './campaigns.schemas';

const PERSON_FIELDS = ['first_name', 'last_name', 'caller_name'];
const FIELD = /\{([^{}\n]{1,200})\}/g;

/** The fields in `text` the caller's screen cannot fill in, each once, in order. */
export function unknownMergeFields(text: string, shownAttributes: readonly string[]): string[] {
  const found = new Set<string>();
  for (const match of text.matchAll(FIELD)) {
    const inner = (match[1] ?? '').trim();
    if (PERSON_FIELDS.includes(inner)) continue;
    const attr = /^attr:(.+)$/s.exec(inner);
    if (attr?.[1] !== undefined && shownAttributes.includes(attr[1].trim())) continue;
    found.add(`{${match[1] ?? ''}}`);
  }
  return [...found];
}

/** The fields a script of a campaign showing these attributes may use, as written. */
export function knownMergeFields(shownAttributes: readonly string[]): string[] {
  return [...PERSON_FIELDS.map((field) => `{${field}}`), ...shownAttributes.map((name) => `{attr:${name}}`)];
}

/** Refuses a script or question text with a field the caller's screen cannot fill in, naming it and the known ones. */
export function checkMergeFields(script: string, questions: readonly QuestionValue[], shownAttributes: readonly string[]): void {
  const unknown = [...new Set([script, ...questions.map((question) => question.text)].flatMap((text) => unknownMergeFields(text, shownAttributes)))];
  if (unknown.length === 0) return;
  throw badRequest(
    'unknown_merge_field',
    `The script uses ${unknown.join(', ')}, which Ringa cannot fill in. Known fields: ${knownMergeFields(shownAttributes).join(', ')}.`,
  );
}
