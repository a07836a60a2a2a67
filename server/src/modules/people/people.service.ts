import type { SkipReasonValue } from '../calling/calling.schemas';
import type { Database } from '../../../../db/database';
import type { Clock } from '../../clock';
import type { Country, DoNotCallEntry } from '../../contract/api';
import { AppError, badRequest, notFound } from '../../errors';
import { recordAudit } from '../audit/audit.service';
import { plainText } from '../exports/exports.csv';
import { addDoNotCall } from '../lists/lists.service';
import { normalisePhone } from '../lists/phone';
import { problemReasonText } from '../lists/problems.texts';
import { doNotCallReasonText } from '../lists/do-not-call.texts';
import { outcomeLabel } from '../campaigns/outcome-texts';
import { countryLanguage, type Language } from '../../contract/language';
import { authorize, findOrganisationAtPath, getOrganisation, isOwnOrganizer } from '../organisations/organisations.service';
import { privacySettings } from '../privacy/privacy-settings';
import { answersDeleteAt, personRetention } from '../privacy/retention-rules';
import * as repository from './people.repository';
import type { PersonExportValue, PersonPageValue } from './people.schemas';

/** At most this many people answer a search; the organizer narrows it when there are more. */
export const SEARCH_LIMIT = 50;

type PersonRow = NonNullable<Awaited<ReturnType<typeof repository.findPerson>>>;
type Answer = PersonPageValue['campaigns'][number]['calls'][number];

/**
 * How a search reads what was typed: words of a name, or a number written any way people write it
 * (070-123 45 67, +46701234567, 0046 70…). A whole number is matched exactly, a part of one as digits.
 */
export function readSearch(query: string, country: Country): repository.PersonMatchQuery {
  const text = query.trim();
  if (/\p{L}/u.test(text)) return { words: text.split(/\s+/).filter((word) => word !== ''), phone: null, digits: null };
  const digits = text.replace(/\D/g, '');
  const phone = normalisePhone(text, country);
  // Stored as +4670…: a part written as on a list (070-…, 0046 70…) drops its trunk zero or 00 to match.
  const part = digits.replace(/^00?/, '');
  return { words: [], phone: phone.ok ? phone.e164 : null, digits: part.length >= 3 ? part : null };
}

/** People of the organisation's subtree by name or number: organizers and admins of it or above. The query is never kept. */
export async function searchPeople(db: Database, clock: Clock, userId: string, organisationId: string, query: string) {
  await authorize(db, userId, organisationId, 'organizer');
  const organisation = await getOrganisation(db, userId, organisationId);
  const match = readSearch(query, organisation.country);
  const letters = match.words.join('').length;
  if (letters < 2 && match.phone === null && match.digits === null) {
    throw badRequest('query_too_short', 'Type at least two letters of a name, or at least three digits of a number.');
  }
  const rows = await repository.searchPeople(db, organisationId, match, SEARCH_LIMIT + 1);
  const people = rows.slice(0, SEARCH_LIMIT);
  await recordAudit(db, { at: clock.now(), action: 'person.searched', organisationId, actorUserId: userId, details: { results: people.length } });
  return { people, more: rows.length > SEARCH_LIMIT };
}

/**
 * The person, when the user is an organizer or admin of their organisation or one above it. Anyone
 * else finds nobody (404, also a caller of that organisation): a person's existence is personal data.
 */
async function personFor(db: Database, userId: string, personId: number): Promise<PersonRow> {
  const person = await repository.findPerson(db, personId);
  if (!person) throw notFound('The person');
  try {
    await authorize(db, userId, person.organisationId, 'organizer');
  } catch (error) {
    // The organisation's 404 would say more than "nobody": every refusal reads as a person who does not exist.
    if (error instanceof AppError && (error.statusCode === 403 || error.statusCode === 404)) throw notFound('The person');
    throw error;
  }
  return person;
}

const iso = (at: Date | string | null): string | null => (at === null ? null : new Date(at).toISOString());

interface QuestionShape {
  id?: unknown;
  kind?: unknown;
  text?: unknown;
  choices?: { value?: unknown; label?: unknown }[];
}

/** A call's answers in the words of its script version: the question's text, yes/no, the chosen choices' labels. */
function readableAnswers(questions: unknown, answers: unknown): { question: string; answer: boolean | string | string[] }[] {
  if (typeof answers !== 'object' || answers === null) return [];
  const given = answers as Record<string, unknown>;
  const asked = Array.isArray(questions) ? (questions as QuestionShape[]) : [];
  const label = (question: QuestionShape | undefined, value: unknown): string => {
    const choice = question?.choices?.find((candidate) => candidate.value === value);
    return typeof choice?.label === 'string' ? choice.label : String(value);
  };
  const ids = [...asked.map((question) => String(question.id)), ...Object.keys(given).filter((id) => !asked.some((question) => question.id === id))];
  const result: { question: string; answer: boolean | string | string[] }[] = [];
  for (const id of ids) {
    const value = given[id];
    if (value === undefined || value === null) continue;
    const question = asked.find((candidate) => candidate.id === id);
    const text = typeof question?.text === 'string' ? plainText(question.text) || id : id;
    if (typeof value === 'boolean') result.push({ question: text, answer: value });
    else if (Array.isArray(value)) result.push({ question: text, answer: value.map((one) => label(question, one)) });
    else if (typeof value === 'string') result.push({ question: text, answer: question?.kind === 'text' ? value : label(question, value) });
    else result.push({ question: text, answer: JSON.stringify(value) });
  }
  return result;
}

function outcomeOf(outcomes: unknown, code: string): { code: string; label: string } {
  const found = Array.isArray(outcomes) ? (outcomes as { code?: unknown; label?: unknown }[]).find((outcome) => outcome.code === code) : undefined;
  return { code, label: typeof found?.label === 'string' ? found.label : '' };
}

/**
 * Everything on the person's page. `mayRead` says, per campaign organisation, whether the calls' answers
 * and notes are shown: only to organizers and admins of the campaign's own organisation (political opinions).
 */
async function personRecord(db: Database, person: PersonRow, mayRead: (organisationId: string) => Promise<boolean>): Promise<PersonPageValue> {
  const [lists, campaigns, contacts, calls, doNotCall, retention, settings] = await Promise.all([
    repository.listsOf(db, person.id),
    repository.campaignsOf(db, person.id),
    repository.contactsOf(db, person.id),
    repository.callsOf(db, person.id),
    repository.doNotCallEntriesOf(db, person.organisationId, person.phone),
    personRetention(db, person.id),
    privacySettings(db, person.organisationId),
  ]);
  const readable = new Map<string, boolean>();
  const months = new Map<string, number>();
  for (const campaign of campaigns) {
    if (!readable.has(campaign.organisationId)) readable.set(campaign.organisationId, await mayRead(campaign.organisationId));
    if (!months.has(campaign.organisationId)) months.set(campaign.organisationId, (await privacySettings(db, campaign.organisationId)).answersRetentionMonths.value);
  }
  return {
    id: person.id,
    firstName: person.firstName,
    lastName: person.lastName,
    email: person.email,
    phone: person.phone,
    phoneType: person.phoneType,
    country: person.country as Country,
    organisationId: person.organisationId,
    organisationName: person.organisationName,
    createdAt: person.createdAt.toISOString(),
    updatedAt: person.updatedAt.toISOString(),
    attributes: (person.attributes ?? {}) as Record<string, string>,
    lists: lists.map((list) => ({
      id: list.id,
      name: list.name,
      organisationName: list.organisationName,
      importedAt: new Date(list.importedAt).toISOString(),
      sourceKind: list.sourceKind as PersonPageValue['lists'][number]['sourceKind'],
      sourceName: list.sourceName,
      sourceDate: iso(list.sourceDate),
      legalBasis: list.legalBasis as PersonPageValue['lists'][number]['legalBasis'],
    })),
    campaigns: campaigns.map((campaign) => {
      const visible = readable.get(campaign.organisationId) ?? false;
      const retentionMonths = months.get(campaign.organisationId) ?? settings.answersRetentionMonths.value;
      const contact = contacts.find((candidate) => candidate.campaignId === campaign.id);
      const deleteAt = answersDeleteAt(campaign.finishedAt, retentionMonths);
      return {
        id: campaign.id,
        name: campaign.name,
        organisationId: campaign.organisationId,
        organisationName: campaign.organisationName,
        status: campaign.status,
        finishedAt: iso(campaign.finishedAt),
        contentVisible: visible,
        answersDeleteAt: iso(deleteAt),
        answersRetentionMonths: retentionMonths,
        contact: contact
          ? {
              state: contact.state,
              attempts: contact.attempts,
              lastCallAt: iso(contact.lastCallAt),
              doneReason: contact.doneReason,
              // The caller's own words for "other" are shown as the calls' notes are: to the campaign's own organizers.
              skipped:
                contact.skipReason && contact.skippedAt
                  ? { reason: contact.skipReason as SkipReasonValue, note: visible ? contact.skipNote : '', times: contact.skips, at: new Date(contact.skippedAt).toISOString() }
                  : null,
            }
          : null,
        calls: calls
          .filter((call) => call.campaignId === campaign.id)
          .map(
            (call): Answer => ({
              id: call.id,
              at: call.createdAt.toISOString(),
              callerName: call.callerName ?? '',
              outcome: outcomeOf(call.outcomes, call.outcome),
              reached: call.reached,
              flagged: call.flagged,
              noticeGiven: call.noticeGiven,
              content: visible
                ? {
                    answers: readableAnswers(call.questions, call.answers),
                    notes: call.notes,
                    noteForNext: call.noteForNext,
                    flagNote: call.flagNote,
                    callbackAt: iso(call.callbackAt),
                  }
                : null,
            }),
          ),
      };
    }),
    doNotCall: doNotCall.map((entry) => ({
      id: entry.id,
      organisationId: entry.organisationId,
      organisationName: entry.organisationName,
      since: entry.createdAt.toISOString(),
      reason: entry.reason,
      source: entry.source,
    })),
    retention: {
      deleteAt: iso(retention?.deleteAt ?? null),
      after: retention && retention.deleteAt !== null ? retention.after : null,
      because: retention && retention.deleteAt === null ? retention.because : null,
      months: settings.peopleRetentionMonths.value,
    },
  };
}

/** The person's page; each view is in the audit log, naming the person only by id. */
export async function viewPerson(db: Database, clock: Clock, userId: string, personId: number): Promise<PersonPageValue> {
  const person = await personFor(db, userId, personId);
  const record = await personRecord(db, person, (organisationId) => isOwnOrganizer(db, userId, organisationId));
  await recordAudit(db, { at: clock.now(), action: 'person.viewed', organisationId: person.organisationId, actorUserId: userId, details: { personId } });
  return record;
}

/**
 * The export in `language` (given the person's organisation's country's): the built-in outcomes named in
 * its words (an organizer's own label as written), and a do-not-call entry made during a call says so.
 */
async function exportRecord(
  db: Database,
  clock: Clock,
  person: PersonRow,
  mayRead: (organisationId: string) => Promise<boolean>,
  actorUserId: string | null,
  language: (fallback: Language) => Language,
) {
  const [record, telephony] = await Promise.all([personRecord(db, person, mayRead), repository.telephonyCallsOf(db, person.id)]);
  const words = language(countryLanguage(person.country as Country));
  const exported: PersonExportValue = {
    ...record,
    campaigns: record.campaigns.map((campaign) => ({
      ...campaign,
      calls: campaign.calls.map((call) => ({ ...call, outcome: { code: call.outcome.code, label: outcomeLabel(call.outcome.code, call.outcome.label, words) } })),
    })),
    doNotCall: record.doNotCall.map((entry) => ({ ...entry, reason: doNotCallReasonText(entry, words) })),
    exportedAt: clock.now().toISOString(),
    telephonyCalls: telephony.map((call) => ({
      callSid: call.callSid,
      campaignId: call.campaignId,
      provider: call.provider,
      startedAt: call.startedAt.toISOString(),
      status: call.status,
      durationSeconds: call.durationSeconds,
    })),
  };
  const withheld = record.campaigns.filter((campaign) => !campaign.contentVisible).length;
  await recordAudit(db, {
    at: clock.now(),
    action: 'person.exported',
    organisationId: person.organisationId,
    actorUserId,
    details: { personId: person.id, withheldCampaigns: withheld, ...(actorUserId === null ? { via: 'cli' } : {}) },
  });
  return exported;
}

/**
 * Everything Ringa holds on the person (Art. 15), as the organizer who answers their request sees it: the
 * answers and notes of campaigns whose own organizer or admin they are. An organizer of an organisation
 * above gets the calls of other organisations' campaigns without them (marked `contentVisible: false`),
 * as on the page: those campaigns' own organizers add them.
 */
export async function exportPerson(db: Database, clock: Clock, userId: string, personId: number, language: (fallback: Language) => Language): Promise<PersonExportValue> {
  const person = await personFor(db, userId, personId);
  return exportRecord(db, clock, person, (organisationId) => isOwnOrganizer(db, userId, organisationId), userId, language);
}

/** The same for an operator at the command line (no account): the whole record, answers and notes included. */
export async function exportPersonAsSystem(
  db: Database,
  clock: Clock,
  organisationPath: string,
  phone: string,
  language?: Language,
): Promise<{ record: PersonExportValue; language: Language }> {
  const organisation = await findOrganisationAtPath(db, organisationPath);
  const number = normalisePhone(phone, organisation.country as Country);
  if (!number.ok) throw badRequest('invalid_phone', `"${phone}" is not a phone number we can use: ${problemReasonText(number.reason, 'en')}`);
  const found = await repository.findPersonByPhone(db, organisation.id, number.e164);
  const person = found ? await repository.findPerson(db, found.id) : undefined;
  if (!person) throw notFound(`A person with the number ${number.e164} in "${organisationPath}"`);
  const chosen = language ?? countryLanguage(organisation.country as Country);
  return { record: await exportRecord(db, clock, person, async () => true, null, () => chosen), language: chosen };
}

export interface PersonCorrectionInput {
  firstName?: string | undefined;
  lastName?: string | undefined;
  email?: string | null | undefined;
  attributes?: Record<string, string> | undefined;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
export const MAX_ATTRIBUTES = 50;

/** Corrects the person's name, email and attributes (Art. 16); audited with the fields' names only. */
export async function correctPerson(db: Database, clock: Clock, userId: string, personId: number, input: PersonCorrectionInput): Promise<PersonPageValue> {
  const person = await personFor(db, userId, personId);
  const changes: Parameters<typeof repository.updatePerson>[2] = {};
  if (input.firstName !== undefined) changes.firstName = input.firstName.trim();
  if (input.lastName !== undefined) changes.lastName = input.lastName.trim();
  if (input.email !== undefined) {
    const email = input.email?.trim() ?? '';
    if (email !== '' && !EMAIL.test(email)) throw badRequest('invalid_email', `"${email}" is not an email address.`);
    changes.email = email === '' ? null : email;
  }
  if (input.attributes !== undefined) {
    const entries = Object.entries(input.attributes).map(([key, value]) => [key.trim(), value.trim()] as const);
    if (entries.length > MAX_ATTRIBUTES) throw badRequest('invalid_attributes', `A person can have at most ${MAX_ATTRIBUTES} attributes.`);
    for (const [key, value] of entries) {
      if (key === '') throw badRequest('invalid_attributes', 'Every attribute needs a name.');
      if (key.length > 100) throw badRequest('invalid_attributes', 'An attribute name may be at most 100 characters.');
      if (value.length > 1000) throw badRequest('invalid_attributes', 'An attribute value may be at most 1000 characters.');
    }
    if (new Set(entries.map(([key]) => key)).size !== entries.length) throw badRequest('invalid_attributes', 'Two attributes have the same name.');
    changes.attributes = Object.fromEntries(entries.filter(([, value]) => value !== ''));
  }
  const fields = Object.keys(changes);
  if (fields.length === 0) throw badRequest('nothing_to_change', 'Send firstName, lastName, email or attributes to change.');
  await repository.updatePerson(db, person.id, changes, clock.now());
  await recordAudit(db, { at: clock.now(), action: 'person.corrected', organisationId: person.organisationId, actorUserId: userId, details: { personId, fields: fields.join(',') } });
  const updated = await personFor(db, userId, personId);
  return personRecord(db, updated, (organisationId) => isOwnOrganizer(db, userId, organisationId));
}

/** Puts the person's number on their organisation's do-not-call register, at once, through the register's own rule. */
export async function putOnDoNotCall(db: Database, clock: Clock, userId: string, personId: number, reason: string | undefined): Promise<DoNotCallEntry> {
  const person = await personFor(db, userId, personId);
  const entry = await addDoNotCall(db, clock, userId, person.organisationId, { phone: person.phone, reason });
  await recordAudit(db, { at: clock.now(), action: 'person.do-not-call', organisationId: person.organisationId, actorUserId: userId, details: { personId } });
  return entry;
}
