// The do-not-call register of one organisation, for its page: a page of entries at a time, searchable.
import { parsePhoneNumberFromString } from 'libphonenumber-js/min';
import type { DoNotCallEntry, DoNotCallFileResult } from '$contract/api';
import { targetingApi } from '$lib/api/client';

const PAGE = 50;

/** An E.164 number as people read it: +46 70 123 45 67, +45 12 34 56 78. */
export function formatPhone(e164: string): string {
  return parsePhoneNumberFromString(e164)?.formatInternational() ?? e164;
}

export class DoNotCallRegister {
  entries = $state<DoNotCallEntry[]>([]);
  total = $state(0);
  loaded = $state(false);
  /** The search the entries answer. */
  search = $state('');

  constructor(readonly orgId: string) {}

  get hasMore(): boolean {
    return this.entries.length < this.total;
  }

  /** The first page for a search; an answer to an older search that arrives late is dropped. */
  async load(search = this.search): Promise<void> {
    this.search = search;
    const answer = await targetingApi.doNotCall(this.orgId, { search: search.trim() || undefined, limit: PAGE });
    if (search !== this.search) return;
    this.entries = answer.entries;
    this.total = answer.total;
    this.loaded = true;
  }

  async more(): Promise<void> {
    const search = this.search;
    const answer = await targetingApi.doNotCall(this.orgId, { search: search.trim() || undefined, limit: PAGE, offset: this.entries.length });
    if (search !== this.search) return;
    const known = new Set(this.entries.map((entry) => entry.id));
    this.entries = [...this.entries, ...answer.entries.filter((entry) => !known.has(entry.id))];
    this.total = answer.total;
  }

  async add(phone: string, reason: string): Promise<DoNotCallEntry> {
    const entry = await targetingApi.addDoNotCall(this.orgId, { phone, ...(reason.trim() ? { reason: reason.trim() } : {}) });
    await this.load('');
    return entry;
  }

  async remove(entryId: number): Promise<void> {
    await targetingApi.removeDoNotCall(this.orgId, entryId);
    this.entries = this.entries.filter((entry) => entry.id !== entryId);
    this.total = Math.max(0, this.total - 1);
  }

  async upload(file: File): Promise<DoNotCallFileResult> {
    const result = await targetingApi.uploadDoNotCall(this.orgId, file);
    await this.load('');
    return result;
  }
}
