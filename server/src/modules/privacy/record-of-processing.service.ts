import type { Database } from '../../../../db/database';
import type { Clock } from '../../clock';
import { authorize, describeOrganisation } from '../organisations/organisations.service';
import type { TelephonyService } from '../telephony/telephony.service';
import { privacySettings, type Inherited } from './privacy-settings';
import * as repository from './record-of-processing.repository';
import type { RecordOfProcessingValue } from './record-of-processing.schemas';

// A record of processing (GDPR Art. 30) for one organisation, generated from what Ringa knows of it:
// whom it holds data on and what, for which campaigns, from which sources on which legal basis, for
// how long, who can see it, and which processors it goes through. Counts and descriptions only: no
// person is named.

/** Where this server runs, as its operator configured it (main.ts); unknown parts are null. */
export interface Hosting {
  operator: string | null;
  database: { kind: 'embedded' | 'external'; host: string | null } | null;
}

type SourceKind = RecordOfProcessingValue['lists'][number]['sourceKind'];
type LegalBasis = RecordOfProcessingValue['lists'][number]['legalBasis'];
const SOURCE_KINDS: readonly SourceKind[] = ['broker', 'members', 'signup', 'other'];
const LEGAL_BASES: readonly LegalBasis[] = ['members', 'consent', 'legitimate-interest'];
const sourceKind = (value: string | null): SourceKind => SOURCE_KINDS.find((kind) => kind === value) ?? null;
const legalBasis = (value: string | null): LegalBasis => LEGAL_BASES.find((basis) => basis === value) ?? null;

/** Fields a list's column is taken as that are not attributes: the person's name and numbers. */
const NOT_ATTRIBUTES = new Set(['firstName', 'lastName', 'mobile', 'phone', 'email']);

export async function recordOfProcessing(
  deps: { db: Database; clock: Clock; telephony: TelephonyService; hosting: Hosting },
  userId: string,
  organisationId: string,
): Promise<RecordOfProcessingValue> {
  const { db } = deps;
  await authorize(db, userId, organisationId, 'admin');
  const [described, organisation, bySource, counted, lists, campaigns, access, children, settings, twilio] = await Promise.all([
    describeOrganisation(db, organisationId),
    db.selectFrom('organisation').select(['kind', 'country']).where('id', '=', organisationId).executeTakeFirstOrThrow(),
    repository.peopleBySource(db, organisationId),
    repository.counts(db, organisationId),
    repository.lists(db, organisationId),
    repository.campaigns(db, organisationId),
    repository.access(db, organisationId),
    repository.children(db, organisationId),
    privacySettings(db, organisationId),
    deps.telephony.accountSource(organisationId),
  ]);
  const names = await repository.organisationNames(
    db,
    [settings.answersRetentionMonths.fromOrganisationId, settings.peopleRetentionMonths.fromOrganisationId, twilio?.source === 'organisation' ? twilio.organisationId : null].filter((id): id is string => id !== null),
  );
  const ref = (id: string | null) => (id === null ? null : { id, name: names.get(id) ?? '' });
  const retention = (rule: Inherited<number>) => ({ months: rule.value, from: ref(rule.fromOrganisationId) });

  const columns = lists.flatMap((list) => (Array.isArray(list.columns) ? (list.columns as { header?: unknown; field?: unknown; ignore?: unknown }[]) : []));
  const kept = columns.filter((column) => column.ignore !== true);
  const attributes = [...new Set(kept.filter((column) => typeof column.field !== 'string' || !NOT_ATTRIBUTES.has(column.field)).map((column) => (typeof column.header === 'string' ? column.header.trim() : '')).filter((header) => header !== ''))];

  return {
    organisation: { id: organisationId, name: described.name, kind: organisation.kind, country: organisation.country, path: described.path },
    generatedAt: deps.clock.now().toISOString(),
    people: {
      total: counted.people,
      bySource: bySource.map((row) => ({ sourceKind: sourceKind(row.sourceKind), lists: row.lists, people: row.people })),
      doNotCall: counted.doNotCall,
    },
    data: {
      attributes: attributes.sort((a, b) => a.localeCompare(b, 'sv')),
      hasEmail: kept.some((column) => column.field === 'email'),
      questions: campaigns.reduce((sum, campaign) => sum + campaign.questions, 0),
      freeTextQuestions: campaigns.reduce((sum, campaign) => sum + campaign.freeTextQuestions, 0),
      callsWithAnswers: counted.callsWithAnswers,
      callsWithNotes: counted.callsWithNotes,
    },
    campaigns: campaigns.map((campaign) => ({
      id: campaign.id,
      name: campaign.name,
      status: campaign.status,
      startsAt: campaign.startsAt?.toISOString() ?? null,
      endsAt: campaign.endsAt?.toISOString() ?? null,
      finishedAt: campaign.finishedAt?.toISOString() ?? null,
      questions: campaign.questions,
      calls: campaign.calls,
    })),
    lists: lists.map((list) => ({
      id: list.id,
      name: list.name,
      people: list.people,
      importedAt: list.importedAt.toISOString(),
      sourceKind: sourceKind(list.sourceKind),
      sourceName: list.sourceName,
      sourceDate: list.sourceDate,
      legalBasis: legalBasis(list.legalBasis),
    })),
    retention: { answers: retention(settings.answersRetentionMonths), people: retention(settings.peopleRetentionMonths) },
    access: access.map((row) => ({
      organisation: { id: row.organisationId, name: row.organisationName },
      relation: row.relation,
      role: row.role === 'admin' || row.role === 'organizer' ? row.role : 'caller',
      users: row.users,
    })),
    processors: {
      twilio: twilio && {
        source: twilio.source,
        organisation: twilio.source === 'organisation' ? ref(twilio.organisationId) : null,
        campaigns: campaigns.filter((campaign) => campaign.dialing === 'twilio').length,
      },
      hostingOperator: deps.hosting.operator,
      database: deps.hosting.database,
    },
    children,
  };
}
