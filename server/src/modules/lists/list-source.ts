import type { Static } from 'typebox';
import { badRequest } from '../../errors';
import type { LegalBasis, ListSource, SourceKind } from './lists.schemas';

// Where a list came from and on what legal basis (GDPR Art. 9 and 14): asked at every import, shown on
// the list, and told to each person at the first call. The same rules for the API, the web app and the CLI.

export type ListSourceValue = Static<typeof ListSource>;

const KINDS: readonly Static<typeof SourceKind>[] = ['broker', 'members', 'signup', 'other'];
const BASES: readonly Static<typeof LegalBasis>[] = ['members', 'consent', 'legitimate-interest'];

/** A source as a form or the command line sends it: every part a string, any of them missing. */
export interface ListSourceInput {
  kind?: string | undefined;
  name?: string | null | undefined;
  date?: string | null | undefined;
  basis?: string | undefined;
}

/**
 * The source and basis of a list, or a 400 that says what is missing: `source_required`,
 * `basis_required`, `source_name_required` (a broker or "other"), `source_date_required` (a broker),
 * `invalid_source_date` or `source_date_in_future` (after `today`, YYYY-MM-DD in the organisation's time zone).
 */
export function checkListSource(input: ListSourceInput, today: string): ListSourceValue {
  const kindText = input.kind?.trim() ?? '';
  if (kindText === '') {
    throw badRequest('source_required', 'Say where the list came from: broker (bought from a data broker), members (the member register), signup (people who signed up or consented) or other.');
  }
  const kind = KINDS.find((candidate) => candidate === kindText);
  if (!kind) throw badRequest('source_required', `The source must be broker, members, signup or other (got "${kindText}").`);
  const basisText = input.basis?.trim() ?? '';
  if (basisText === '') {
    throw badRequest('basis_required', 'Give the legal basis for calling these people: members (members and people in regular contact, GDPR Art. 9(2)(d)), consent or legitimate-interest.');
  }
  const basis = BASES.find((candidate) => candidate === basisText);
  if (!basis) throw badRequest('basis_required', `The legal basis must be members, consent or legitimate-interest (got "${basisText}").`);

  const name = input.name?.trim() ?? '';
  if (name.length > 200) throw badRequest('validation', 'The source may be described in at most 200 characters.');
  if (name === '' && kind === 'broker') throw badRequest('source_name_required', 'Name the data broker the list was bought from.');
  if (name === '' && kind === 'other') throw badRequest('source_name_required', 'Describe where the list came from.');

  const dateText = input.date?.trim() ?? '';
  if (dateText === '' && kind === 'broker') throw badRequest('source_date_required', 'Give the date the list was bought (YYYY-MM-DD).');
  let date: string | null = null;
  if (dateText !== '') {
    if (!isDay(dateText)) throw badRequest('invalid_source_date', `The date must be a day written YYYY-MM-DD, such as 2026-03-01 (got "${dateText}").`);
    if (dateText > today) throw badRequest('source_date_in_future', `The date ${dateText} has not come yet; give the day the list was bought.`);
    date = dateText;
  }
  return { kind, name: name === '' ? null : name, date, basis };
}

function isDay(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const day = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(day.getTime()) && day.toISOString().startsWith(text);
}

/** The columns of target_list that hold a source. */
export function sourceColumns(source: ListSourceValue) {
  return { sourceKind: source.kind, sourceName: source.name ?? '', sourceDate: source.date, legalBasis: source.basis };
}

/** A row's source as the API shows it; null when it was never recorded. */
export function sourceOf(row: { sourceKind: string | null; sourceName: string; sourceDay: string | null; legalBasis: string | null }): ListSourceValue | null {
  const kind = KINDS.find((candidate) => candidate === row.sourceKind);
  const basis = BASES.find((candidate) => candidate === row.legalBasis);
  if (!kind || !basis) return null;
  return { kind, name: row.sourceName === '' ? null : row.sourceName, date: row.sourceDay, basis };
}
