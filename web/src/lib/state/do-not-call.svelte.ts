// The do-not-call register of one organisation, for its page: a page of entries at a time, searchable
// (the number searched travels in a POST body, never in a URL a proxy would log), with the entries
// inherited from the organisations above it (they bind it too, but are removed there).
import type { ErrorCode } from '$contract/errors';
import type { DoNotCallEntry, DoNotCallFileResult, DoNotCallList } from '$contract/api';
import { ApiError, targetingApi } from '$lib/api/client';
import { i18n, type Messages } from '$lib/i18n/index.svelte';

const PAGE = 50;

/** An entry as the register lists it: the organisation it belongs to, and whether that is one above. */
export type ListedEntry = DoNotCallList['entries'][number];

/** What the file upload can answer with about the file itself. */
const UPLOAD_ERRORS = [
  'file_too_large',
  'empty_file',
  'header_only',
  'no_header',
  'not_a_table',
  'unknown_encoding',
  'broken_quoting',
  'no_phone_column',
  'no_file',
  'invalid_upload',
  'unsupported_media_type',
] as const satisfies readonly (keyof Messages['targeting']['doNotCall']['errors'])[];
type UploadErrorCode = (typeof UPLOAD_ERRORS)[number];

/** The rest it can answer with: about the session, rights and the connection, which the app words the same everywhere. */
const GENERAL_ERRORS: ReadonlySet<string> = new Set([
  'network',
  'unauthenticated',
  'forbidden',
  'not_found',
  'origin_mismatch',
  'origin_required',
  'body_too_large',
  'rate_limited',
  'internal',
] satisfies (ErrorCode | 'network')[]);

function isUploadError(code: string): code is UploadErrorCode {
  return (UPLOAD_ERRORS as readonly string[]).includes(code);
}

/**
 * Why a file of numbers was refused, in the interface's language. Always our words, also in English:
 * the server's are written for list imports (they speak of choosing columns, which this form has not).
 */
export function uploadError(error: unknown): string {
  const words = i18n.t.targeting.doNotCall.errors;
  if (error instanceof ApiError) {
    if (isUploadError(error.code)) return words[error.code];
    if (GENERAL_ERRORS.has(error.code)) return i18n.error(error);
  }
  return words.failed;
}

export class DoNotCallRegister {
  entries = $state<ListedEntry[]>([]);
  total = $state(0);
  /** How many of `total` come from the registers of organisations above. */
  inheritedTotal = $state(0);
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
    const answer = await targetingApi.doNotCall(this.orgId, { search: search.trim() || undefined, limit: PAGE, inherited: true });
    if (search !== this.search) return;
    this.entries = answer.entries;
    this.total = answer.total;
    this.inheritedTotal = answer.inheritedTotal;
    this.loaded = true;
  }

  async more(): Promise<void> {
    const search = this.search;
    const answer = await targetingApi.doNotCall(this.orgId, { search: search.trim() || undefined, limit: PAGE, offset: this.entries.length, inherited: true });
    if (search !== this.search) return;
    const known = new Set(this.entries.map((entry) => entry.id));
    this.entries = [...this.entries, ...answer.entries.filter((entry) => !known.has(entry.id))];
    this.total = answer.total;
    this.inheritedTotal = answer.inheritedTotal;
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
