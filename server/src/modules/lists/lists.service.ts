import { rm } from 'node:fs/promises';
import type { Selectable } from 'kysely';
import type { Static } from 'typebox';
import type { DoNotCall } from '../../../../db/schema';
import type { Database } from '../../../../db/database';
import type { Clock } from '../../clock';
import type { Country } from '../../contract/api';
import { badRequest, notFound } from '../../errors';
import * as organisations from '../organisations/organisations.service';
import { recordAudit } from '../audit/audit.service';
import { localDay } from '../stats/stats.service';
import { classifyRow } from './classify';
import { checkCountries } from './country-check';
import { phoneColumns, proposeMapping, requirePhoneColumn } from './columns';
import * as dnc from './do-not-call.repository';

/** The register's rule as a SQL condition on a row with phone and organisation_id (for other modules' queries). */
export const onDoNotCallRegister = dnc.onRegister;
import { checkListSource, sourceColumns, sourceOf, type ListSourceInput, type ListSourceValue } from './list-source';
import type { ListImporter } from './lists.import';
import * as repository from './lists.repository';
import type { DoNotCallEntry, DoNotCallList, DoNotCallListedEntry, ListPreview, ListView, MappedColumn } from './lists.schemas';
import { parsePhoneNumberFromString } from 'libphonenumber-js/min';
import { normalisePhone } from './phone';
import { openTable } from './table-reader';
import { PROBLEM_TEXTS, problemReasonText, readProblemReason, type ProblemKind } from './problems.texts';
import { countryLanguage, type Language } from '../../contract/language';

type Row = NonNullable<Awaited<ReturnType<typeof repository.findList>>>;

export function toListView(row: Row): Static<typeof ListView> {
  return {
    id: row.id,
    organisationId: row.organisationId,
    name: row.name,
    country: row.country as Country,
    status: row.status as Static<typeof ListView>['status'],
    counts: { rows: row.rows, imported: row.imported, invalid: row.invalid, duplicates: row.duplicates, suppressed: row.suppressed },
    repaired: row.repaired,
    ...(row.error ? { error: row.error } : {}),
    ...(row.errorCode ? { errorCode: row.errorCode } : {}),
    ...(row.errorRow !== null ? { errorRow: row.errorRow } : {}),
    fileName: row.fileName,
    source: sourceOf(row),
    columns: row.columns as Static<typeof MappedColumn>[],
    createdAt: row.createdAt.toISOString(),
    finishedAt: row.finishedAt?.toISOString() ?? null,
  };
}

/** Lists still marked importing when the server starts were interrupted; they kept nothing. */
export function failInterruptedImports(db: Database, at: Date): Promise<number> {
  return repository.failInterruptedImports(db, at);
}

/** Deletes a list (cancelling its import if it runs); its people go unless another list holds them. */
export async function deleteList(db: Database, importer: ListImporter, userId: string, listId: string): Promise<void> {
  const list = await authorizedList(db, userId, listId);
  if (importer.isRunning(list.id)) await importer.cancel(list.id);
  await repository.deleteList(db, list.id);
}

/** For the CLI, which acts as the administrator: no user to authorize. */
export async function listViewsOf(db: Database, organisationId: string): Promise<Static<typeof ListView>[]> {
  return (await repository.listsOf(db, organisationId)).map(toListView);
}

export async function listView(db: Database, listId: string): Promise<Static<typeof ListView>> {
  const row = await repository.findList(db, listId);
  if (!row) throw notFound('The list');
  return toListView(row);
}

/** A list the user may manage (organizer or admin of its organisation or above), or 404. */
export async function authorizedList(db: Database, userId: string, listId: string): Promise<Row> {
  const row = await repository.findList(db, listId);
  if (!row) throw notFound('The list');
  await organisations.authorize(db, userId, row.organisationId, 'organizer');
  return row;
}

export async function listLists(db: Database, userId: string, organisationId: string): Promise<Static<typeof ListView>[]> {
  await organisations.authorize(db, userId, organisationId, 'organizer');
  return (await repository.listsOf(db, organisationId)).map(toListView);
}

/** The list's country if given, else its organisation's. */
export async function countryFor(db: Database, userId: string, organisationId: string, given: string | undefined): Promise<Country> {
  const organisation = await organisations.getOrganisation(db, userId, organisationId);
  if (given === undefined || given === '') return organisation.country;
  const country = given.trim().toUpperCase();
  if (country === 'SE' || country === 'DK' || country === 'NO' || country === 'FI') return country;
  throw badRequest('validation', `The country must be SE, DK, NO or FI (got "${given}").`);
}

/** The source and legal basis an import gives, checked; a date after today (in the organisation's time zone) is refused. */
export async function importSource(db: Database, clock: Clock, userId: string, organisationId: string, input: ListSourceInput): Promise<ListSourceValue> {
  const organisation = await organisations.getOrganisation(db, userId, organisationId);
  return checkListSource(input, localDay(clock.now(), organisation.timeZone));
}

/**
 * Records (or corrects) where a list came from and on what basis: for lists imported before Ringa asked.
 * Audited with the list's id, source kind and basis only (a description may name someone).
 */
export async function recordListSource(db: Database, clock: Clock, userId: string, listId: string, input: ListSourceInput): Promise<Static<typeof ListView>> {
  const list = await authorizedList(db, userId, listId);
  const source = await importSource(db, clock, userId, list.organisationId, input);
  await db.transaction().execute(async (trx) => {
    await repository.setListSource(trx, list.id, sourceColumns(source));
    await recordAudit(trx, {
      at: clock.now(),
      action: 'list.source-recorded',
      organisationId: list.organisationId,
      actorUserId: userId,
      details: { listId: list.id, source: source.kind, basis: source.basis, ...(list.sourceKind === null ? {} : { corrected: true }) },
    });
  });
  return listView(db, list.id);
}

const PREVIEW_CHECK_ROWS = 500;

/** The header, proposed mapping and first rows of a file (or the first part of one), for the mapping step. */
export async function previewFile(filePath: string, originalName: string | undefined, maxBytes: number): Promise<Static<typeof ListPreview>> {
  try {
    const table = await openTable(filePath, { originalName, maxBytes });
    const mapping = proposeMapping(table.header);
    // The first rows: five to show, and up to 500 to tell which country their numbers belong to.
    const rows: string[][] = [];
    try {
      for await (const batch of table.batches()) {
        for (const row of batch) {
          rows.push(row.cells);
          if (rows.length >= PREVIEW_CHECK_ROWS) break;
        }
        if (rows.length >= PREVIEW_CHECK_ROWS) break;
      }
    } catch {
      // The web app sends only the first part of a large file; a row cut in half at its end is expected.
    }
    const numbers = checkCountries(rows, phoneColumns(mapping));
    return { format: table.format, encoding: table.encoding, delimiter: table.delimiter, header: table.header, columns: mapping.columns, sample: rows.slice(0, 5), numbers };
  } finally {
    await rm(filePath, { force: true });
  }
}

/** The error report: every row an import did not use, as CSV that opens in Swedish and Danish Excel. */
export async function* errorReport(db: Database, listId: string, language: Language = 'en'): AsyncGenerator<string> {
  const texts = PROBLEM_TEXTS[language];
  yield `\uFEFF${texts.header.join(';')}\r\n`;
  for await (const problem of repository.problemsOf(db, listId)) {
    const kind = texts.kinds[problem.kind as ProblemKind] ?? problem.kind;
    const reason = problemReasonText(readProblemReason(problem.reason), language);
    yield `${[String(problem.rowNumber), problem.columnName ?? '', problem.rawValue ?? '', kind, reason].map(csvCell).join(';')}\r\n`;
  }
}

/**
 * The problem report of a list its organizer may read, in the reader's language (`language` picks it given
 * the organisation's country's): "Medlemmar - problem.csv".
 */
export async function problemsFile(db: Database, userId: string, listId: string, language: (fallback: Language) => Language) {
  const list = await authorizedList(db, userId, listId);
  const organisation = await organisations.getOrganisation(db, userId, list.organisationId);
  const chosen = language(countryLanguage(organisation.country));
  const texts = PROBLEM_TEXTS[chosen];
  const name = list.name.replace(/[^\p{L}\p{N} _-]/gu, '').trim() || texts.noName;
  return { fileName: `${name} - ${texts.fileWord}.csv`, fallbackName: `${texts.fileWord}.csv`, body: errorReport(db, list.id, chosen) };
}

/** A cell for a ;-separated file, with formulas neutralised so Excel shows them as text. */
export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[;"\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

// The do-not-call register.

function toEntry(row: Selectable<DoNotCall>): Static<typeof DoNotCallEntry> {
  return {
    id: row.id,
    phone: row.phone,
    reason: row.reason,
    source: row.source as Static<typeof DoNotCallEntry>['source'],
    organisationId: row.organisationId,
    createdAt: row.createdAt.toISOString(),
  };
}

export async function addDoNotCall(
  db: Database,
  clock: Clock,
  userId: string,
  organisationId: string,
  input: { phone: string; reason?: string | undefined },
): Promise<Static<typeof DoNotCallEntry>> {
  const organisation = await organisations.getOrganisation(db, userId, organisationId);
  await organisations.authorize(db, userId, organisationId, 'organizer');
  const phone = normalisePhone(input.phone, organisation.country);
  if (!phone.ok) throw badRequest('invalid_phone', `"${input.phone}" is not a phone number we can use: ${problemReasonText(phone.reason, 'en')}`);
  const row = await dnc.insertEntry(db, {
    organisationId,
    phone: phone.e164,
    reason: input.reason?.trim() ?? '',
    source: 'manual',
    createdBy: userId,
    createdAt: clock.now(),
  });
  return toEntry(row);
}

/**
 * A person asked during a call not to be called again: the number goes on the register of the
 * campaign's organisation at once (an entry already there stays as it was). The caller has been
 * authorised on the campaign; callers may not otherwise write to the register. No words are stored:
 * the source 'call' says it, in the reader's language when shown (do-not-call.texts.ts).
 */
export async function recordObjection(db: Database, organisationId: string, phone: string, callerId: string, now: Date): Promise<void> {
  await dnc.insertEntry(db, { organisationId, phone, reason: '', source: 'call', createdBy: callerId, createdAt: now });
}

/** An organisation's register; with `inherited`, also the entries of the organisations above it, which bind it too. */
export async function listDoNotCall(
  db: Database,
  userId: string,
  organisationId: string,
  query: { search?: string | undefined; limit?: number | undefined; offset?: number | undefined; inherited?: boolean | undefined },
): Promise<Static<typeof DoNotCallList>> {
  await organisations.authorize(db, userId, organisationId, 'organizer');
  // Stored as +4670…: a search written as on a list (070-…, 0046 70…) drops its trunk zero or 00 to match.
  const digits = (query.search?.replace(/[^0-9]/g, '') ?? '').replace(/^00?/, '');
  const { rows, total, inherited } = await dnc.entriesPage(db, organisationId, {
    digits,
    inherited: query.inherited ?? false,
    limit: query.limit ?? 100,
    offset: query.offset ?? 0,
  });
  return {
    entries: rows.map((row): Static<typeof DoNotCallListedEntry> => ({
      ...toEntry(row),
      organisationName: row.organisationName,
      inherited: row.depth > 0,
    })),
    total,
    inheritedTotal: inherited,
  };
}

export async function removeDoNotCall(db: Database, userId: string, organisationId: string, entryId: number): Promise<void> {
  await organisations.authorize(db, userId, organisationId, 'organizer');
  if (!(await dnc.deleteEntry(db, organisationId, entryId))) throw notFound('The do-not-call entry');
}

/** Adds every valid number of a file to the register; a file is taken whole or not at all. Returns the counts and the numbers. */
export async function uploadDoNotCall(
  db: Database,
  clock: Clock,
  userId: string,
  organisationId: string,
  file: { path: string; originalName?: string | undefined },
  maxBytes: number,
) {
  try {
    const organisation = await organisations.getOrganisation(db, userId, organisationId);
    await organisations.authorize(db, userId, organisationId, 'organizer');
    const table = await openTable(file.path, { originalName: file.originalName, maxBytes });
    const mapping = proposeMapping(table.header);
    requirePhoneColumn(mapping);
    const columns = phoneColumns(mapping);
    const numbers = new Set<string>();
    let rows = 0;
    let invalid = 0;
    let repaired = 0;
    for await (const batch of table.batches()) {
      for (const row of batch) {
        rows += 1;
        const result = classifyRow(row.cells, columns, organisation.country);
        if (result.kind === 'valid') numbers.add(result.e164);
        else invalid += 1;
        if (result.kind === 'valid' && result.repaired) repaired += 1;
      }
    }
    const added = await dnc.insertMany(db, organisationId, [...numbers], 'file', userId, clock.now());
    return { rows, added, alreadyListed: numbers.size - added, invalid, repaired, numbers: [...numbers] };
  } finally {
    await rm(file.path, { force: true });
  }
}

/** What erasure needs of a person: who they are, locked until the erasure commits. */
export function lockPersonForErasure(db: Database, personId: number) {
  return repository.lockPerson(db, personId);
}

/** The organisation a person belongs to, or undefined when there is no such person. */
export async function organisationOfPerson(db: Database, personId: number): Promise<string | undefined> {
  return (await repository.lockPerson(db, personId, false))?.organisationId;
}

/** The person with this number in the organisation (one per number per organisation). */
export function findPersonByPhone(db: Database, organisationId: string, phone: string) {
  return repository.personByPhone(db, organisationId, phone);
}

/** The forms a number may be written in a list file, as digits only: +46 70… as 4670…, 004670…, 070…, 70…. */
export function numberDigitForms(e164: string): string[] {
  const parsed = parsePhoneNumberFromString(e164);
  const international = e164.replace(/\D/g, '');
  if (!parsed) return [international, `00${international}`];
  const national = String(parsed.nationalNumber);
  const trunk = parsed.formatNational().replace(/\D/g, '');
  return [...new Set([international, `00${international}`, national, trunk])];
}

/**
 * Erased people (GDPR Art. 17), or people whose retention ran out: the rows of the organisation's import
 * problem reports that quote them go, then the people themselves, with their list memberships, queue places,
 * and everything personal of their calls and phone-line records (the database's trigger on person).
 * The do-not-call register is kept as it is here; see keepErasedNumber.
 */
export async function deletePeople(db: Database, organisationId: string, people: { id: number; phone: string; firstName: string; lastName: string }[]): Promise<{ people: number; problemRows: number }> {
  if (people.length === 0) return { people: 0, problemRows: 0 };
  const problemRows = await repository.deleteProblemRowsQuoting(db, organisationId, {
    digitForms: people.flatMap((person) => numberDigitForms(person.phone)),
    e164: people.map((person) => person.phone),
    fullNames: people.map((person) => `${person.firstName} ${person.lastName}`.trim()).filter((name) => name.includes(' ')),
  });
  return { people: await repository.deletePeople(db, people.map((person) => person.id)), problemRows };
}

/** An erased person's number on the register: kept there (as an erasure request, nothing else) if it is on it, or put on it with `add`. */
export function keepErasedNumber(db: Database, organisationId: string, phone: string, add: boolean, at: Date): Promise<boolean> {
  return dnc.keepErasedNumber(db, organisationId, phone, add, at);
}
