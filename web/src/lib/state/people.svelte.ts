// A person's page for organizers: the search (the query travels in a POST body, never in a URL a proxy
// would log), the page itself, and how its words are chosen. Nothing of it is kept in the browser.
import type { PersonHit, PersonList, PersonPage } from '$contract/api';
import { ApiError, peopleApi } from '$lib/api/client';
import { i18n, type Messages } from '$lib/i18n/index.svelte';

type PeopleErrorCode = keyof Messages['people']['errors'];
const PEOPLE_ERRORS: readonly PeopleErrorCode[] = ['query_too_short', 'invalid_email', 'invalid_attributes', 'nothing_to_change'];

/** Why the server refused, in the interface's language. */
export function peopleError(error: unknown): string {
  if (error instanceof ApiError && (PEOPLE_ERRORS as readonly string[]).includes(error.code)) return i18n.t.people.errors[error.code as PeopleErrorCode];
  return i18n.error(error);
}

export function personName(person: { firstName: string; lastName: string }): string {
  return `${person.firstName} ${person.lastName}`.trim() || i18n.t.people.noName;
}

/** An answer as the person gave it: yes or no, the choices' labels, free text. */
export function answerText(answer: boolean | string | string[]): string {
  const t = i18n.t.people;
  return typeof answer === 'boolean' ? (answer ? t.yes : t.no) : Array.isArray(answer) ? answer.join(', ') : answer;
}

export function campaignStatusText(status: string): string {
  const statuses = i18n.t.campaigns.statuses;
  return status in statuses ? statuses[status as keyof typeof statuses] : status;
}

/** Where a list came from: its kind, the broker's name and date; "not recorded" for lists from before sources were kept. */
export function listSourceText(list: PersonList): string {
  const t = i18n.t.people;
  if (list.sourceKind === null) return t.notRecorded;
  return `${t.sources[list.sourceKind]}${list.sourceName ? `: ${list.sourceName}` : ''}${list.sourceDate ? ` (${i18n.date(list.sourceDate)})` : ''}`;
}

export function listBasisText(list: PersonList): string {
  return list.legalBasis === null ? i18n.t.people.notRecorded : i18n.t.people.bases[list.legalBasis];
}

/** When the person is deleted, in words (the rule is the server's: privacy/retention-rules.ts). */
export function retentionText(retention: PersonPage['retention']): string {
  const t = i18n.t.people;
  if (retention.deleteAt) {
    const date = i18n.date(retention.deleteAt);
    return retention.after === 'last-campaign' ? t.deleteAfterCampaign(date, retention.months) : t.deleteAfterImport(date, retention.months);
  }
  return retention.because === 'running-campaign' ? t.keptRunning(retention.months) : t.keptUnfinished(retention.months);
}

/** When a campaign's answers and notes are deleted, in words. */
export function answersRetentionText(campaign: PersonPage['campaigns'][number]): string {
  const t = i18n.t.people;
  return campaign.answersDeleteAt ? t.answersDeleteOn(i18n.date(campaign.answersDeleteAt)) : t.answersDeleteAfter(campaign.answersRetentionMonths);
}

export class PeopleSearch {
  people = $state<PersonHit[]>([]);
  more = $state(false);
  searched = $state(false);
  busy = $state(false);
  error = $state<string | null>(null);

  constructor(readonly orgId: string) {}

  async search(query: string): Promise<void> {
    this.busy = true;
    this.error = null;
    try {
      const answer = await peopleApi.search(this.orgId, query);
      this.people = answer.people;
      this.more = answer.more;
      this.searched = true;
    } catch (error) {
      this.error = peopleError(error);
    } finally {
      this.busy = false;
    }
  }
}

export class PersonRecord {
  person = $state<PersonPage | null>(null);
  loadError = $state<unknown>(null);

  constructor(readonly personId: number) {}

  async load(): Promise<void> {
    try {
      this.person = await peopleApi.get(this.personId);
      this.loadError = null;
    } catch (error) {
      this.loadError = error;
    }
  }

  /** Calls whose answers and notes an erasure deletes. */
  get callCount(): number {
    return this.person?.campaigns.reduce((sum, campaign) => sum + campaign.calls.length, 0) ?? 0;
  }
}
