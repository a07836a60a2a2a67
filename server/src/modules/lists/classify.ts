import type { Country } from '../../contract/api';
import { normalisePhone, type PhoneType } from './phone';
import { repairLostZero } from './phone-repair';
import type { ProblemReason } from './problems.texts';

export type RowClass =
  | { kind: 'valid'; e164: string; type: PhoneType; column: number; /** Excel had dropped its leading zero (phone-repair.ts). */ repaired?: true }
  | { kind: 'invalid'; column: number | null; raw: string; reason: ProblemReason };

/**
 * A row's number to call: the first valid one of its phone columns, in the order given (mobiles first).
 * When none is valid, the first filled phone cell says why; column null means the row has no number at all.
 * Whether the number is a duplicate is for the caller to decide.
 */
export function classifyRow(cells: readonly string[], phoneIdx: readonly number[], country: Country): RowClass {
  let firstProblem: { column: number; raw: string; reason: ProblemReason } | null = null;
  for (const column of phoneIdx) {
    const raw = cells[column] ?? '';
    if (raw === '') continue;
    const result = normalisePhone(raw, country);
    if (result.ok) return { kind: 'valid', e164: result.e164, type: result.type, column };
    const repaired = repairLostZero(raw, country);
    if (repaired) return { kind: 'valid', ...repaired, column, repaired: true };
    firstProblem ??= { column, raw, reason: result.reason };
  }
  if (firstProblem) return { kind: 'invalid', ...firstProblem };
  return { kind: 'invalid', column: null, raw: '', reason: { code: 'no-number' } };
}
