// A person's page for organizers: the search (the query travels in a POST body, never in a URL a proxy
// would log), the page itself, and how its words are chosen. Nothing of it is kept in the browser.
import { parsePhoneNumberFromString } from 'libphonenumber-js/min';
import type { PersonHit, PersonPage } from '$contract/api';
import { ApiError, peopleApi } from '$lib/api/client';
import { i18n, type Messages } from '$lib/i18n/index.svelte';

type PeopleErrorCode = keyof Messages['people']['errors'];
const PEOPLE_ERRORS: readonly PeopleErrorCode[] = ['query_too_short', 'invalid_email', 'invalid_attributes', 'nothing_to_change'];

/** Why the server refused, in the interface's language. */
export function peopleError(error: unknown): string {
  if (error instanceof ApiError && (PEOPLE_ERRORS as readonly string[]).includes(error.code)) return i18n.t.people.errors[error.code as PeopleErrorCode];
  return i18n.error(error);
}

/** A number as people in its country write it (070-123 45 67, 12 34 56 78); international when it is from elsewhere. */
export function phoneAsKnown(e164: string, country: string): string {
  const number = parsePhoneNumberFromString(e164);
  if (!number) return e164;
  return number.country === country ? number.formatNational() : number.formatInternational();
}

export function personName(person: { firstName: string; lastName: string }): string {
  return `${person.firstName} ${person.lastName}`.trim() || i18n.t.people.noName;
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
