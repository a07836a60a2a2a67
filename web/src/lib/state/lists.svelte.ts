// Target lists of one organisation: the table of lists, and the import of a new one (preview, column
// choices, upload, progress over the socket with polling as the fallback, result).
import type { Country, LegalBasis, ListField, ListPreview, ListSource, ListSourceKind, ListSourceRequest, ListView, MappedColumn } from '$contract/api';
import type { ListProgressEvent } from '$contract/realtime';
import { ApiError, listsApi } from '$lib/api/client';
import { i18n } from '$lib/i18n/index.svelte';
import { watchLists } from '$lib/realtime/socket';

/** How often an import in progress is asked about, in case the socket misses its end. */
const POLL_MS = 1000;

export const LIST_FIELDS: readonly ListField[] = [
  'firstName',
  'lastName',
  'mobile',
  'phone',
  'email',
  'postalCode',
  'city',
  'birthYear',
  'memberSince',
  'association',
];
/** Fields a list may have several columns of; the rest one each (the server says the same). */
const REPEATABLE: ReadonlySet<ListField> = new Set(['mobile', 'phone']);

/** What a column is, as the organizer chooses it. */
export type ColumnChoice = ListField | 'attribute' | 'ignore';

const FILE_ERRORS = [
  'file_too_large',
  'empty_file',
  'header_only',
  'no_header',
  'not_a_table',
  'unknown_encoding',
  'broken_quoting',
  'no_phone_column',
  'invalid_mapping',
  'no_file',
  'invalid_upload',
  'unsupported_media_type',
] as const;
type FileErrorCode = (typeof FILE_ERRORS)[number];

function isFileError(code: string): code is FileErrorCode {
  return (FILE_ERRORS as readonly string[]).includes(code);
}

/** What the server answers when a list's source or legal basis is missing or wrong. */
const SOURCE_ERRORS = ['source_required', 'basis_required', 'source_name_required', 'source_date_required', 'invalid_source_date', 'source_date_in_future'] as const;
type SourceErrorCode = (typeof SOURCE_ERRORS)[number];

function isSourceError(code: string): code is SourceErrorCode {
  return (SOURCE_ERRORS as readonly string[]).includes(code);
}

/**
 * A problem with a list in words. The server's messages for whole-file problems are specific English
 * (they name the columns, the size limit); in English they are shown as they are, otherwise translated.
 */
export function listError(error: unknown): string {
  if (error instanceof ApiError && isFileError(error.code)) {
    if (i18n.locale === 'en' && error.message) return error.message;
    return i18n.t.lists.errors[error.code];
  }
  if (error instanceof ApiError && isSourceError(error.code)) return i18n.t.listSources.errors[error.code];
  return i18n.error(error);
}

export const SOURCE_KINDS: readonly ListSourceKind[] = ['broker', 'members', 'signup', 'other'];
export const LEGAL_BASES: readonly LegalBasis[] = ['members', 'consent', 'legitimate-interest'];

/** A calendar day (YYYY-MM-DD) in words, as it was given: no time zone may move it. */
export function formatDay(day: string): string {
  return new Intl.DateTimeFormat(i18n.formatTag, { dateStyle: 'long', timeZone: 'UTC' }).format(new Date(`${day}T00:00:00Z`));
}

/** Where a list came from, in one line: "Bought from Adressbolaget AB on 1 March 2026", "The party's member register". */
export function sourceText(source: ListSource): string {
  const t = i18n.t.listSources;
  if (source.kind === 'broker' && source.name !== null && source.date !== null) return t.boughtFrom(source.name, formatDay(source.date));
  const what = source.kind === 'other' && source.name !== null ? source.name : t.kinds[source.kind];
  return source.date === null ? what : `${what}, ${formatDay(source.date)}`;
}

/** Today in the browser's time zone, YYYY-MM-DD: the last day a list can have been bought. */
export function today(): string {
  return new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

/** Where a list came from and the legal basis, as the organizer chooses them (at import, or afterwards). */
export class SourceChoice {
  kind = $state<ListSourceKind | null>(null);
  name = $state('');
  date = $state('');
  basis = $state<LegalBasis | null>(null);

  constructor(source: ListSource | null = null) {
    if (!source) return;
    this.kind = source.kind;
    this.name = source.name ?? '';
    this.date = source.date ?? '';
    this.basis = source.basis;
  }

  /** Only a broker has a name and a date to give; "other" a description. */
  readonly asksName: boolean = $derived(this.kind === 'broker' || this.kind === 'other');
  readonly asksDate: boolean = $derived(this.kind === 'broker');

  /** What is still missing, in words (the server checks the same). */
  readonly problems: string[] = $derived.by(() => {
    const t = i18n.t.listSources;
    const reasons: string[] = [];
    if (this.kind === null) reasons.push(t.needSource);
    if (this.kind === 'broker' && this.name.trim() === '') reasons.push(t.needBrokerName);
    if (this.kind === 'other' && this.name.trim() === '') reasons.push(t.needOtherName);
    if (this.kind === 'broker' && this.date === '') reasons.push(t.needDate);
    if (this.asksDate && this.date > today()) reasons.push(t.futureDate);
    if (this.basis === null) reasons.push(t.needBasis);
    return reasons;
  });

  /** As JSON for PUT /api/lists/:id/source. */
  body(): ListSourceRequest {
    return {
      kind: this.kind ?? 'other',
      basis: this.basis ?? 'members',
      ...(this.asksName ? { name: this.name.trim() } : {}),
      ...(this.asksDate ? { date: this.date } : {}),
    };
  }

  /** As the import form's fields. */
  fields(): Record<string, string> {
    const body = this.body();
    return { source: body.kind, basis: body.basis, ...(body.name === undefined ? {} : { sourceName: body.name }), ...(body.date ? { sourceDate: body.date } : {}) };
  }
}

export function formatNumber(value: number): string {
  return new Intl.NumberFormat(i18n.formatTag).format(value);
}

export function formatBytes(bytes: number): string {
  const units = ['byte', 'kilobyte', 'megabyte', 'gigabyte'] as const;
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return new Intl.NumberFormat(i18n.formatTag, {
    style: 'unit',
    unit: units[unit],
    unitDisplay: unit === 0 ? 'long' : 'short',
    maximumFractionDigits: unit === 0 ? 0 : 1,
  }).format(value);
}

/** The rows an import did not use. */
export function problemCount(list: ListView): number {
  return list.counts.invalid + list.counts.duplicates + list.counts.suppressed;
}

/** The result of an import in one sentence: "287 people imported, 3 invalid numbers, …". */
export function summary(list: ListView): string {
  const t = i18n.t.lists;
  const { imported, invalid, duplicates, suppressed } = list.counts;
  const sentence = t.summary([
    t.people(imported, formatNumber(imported)),
    t.invalidNumbers(invalid, formatNumber(invalid)),
    t.duplicateRows(duplicates, formatNumber(duplicates)),
    t.suppressedRows(suppressed, formatNumber(suppressed)),
  ]);
  return sentence.charAt(0).toUpperCase() + sentence.slice(1);
}

/** How many numbers a file's import repaired (Excel had removed their leading zero), as a sentence; '' when none. */
export function repairedText(repaired: number): string {
  if (repaired === 0) return '';
  const sentence = i18n.t.numbers.repaired(repaired, formatNumber(repaired));
  return `${sentence.charAt(0).toUpperCase()}${sentence.slice(1)}.`;
}

/** Why an import stopped, when the file was not to blame. */
const FAILURES = ['interrupted', 'cancelled', 'server_stopped', 'internal'] as const;
type FailureCode = (typeof FAILURES)[number];

function isFailure(code: string): code is FailureCode {
  return (FAILURES as readonly string[]).includes(code);
}

/** A failed list's reason in words, from its code (with the row of the file when there is one); the server's text for a code this app does not know. */
export function failure(list: ListView): string {
  const t = i18n.t.lists;
  const code = list.errorCode;
  if (code !== undefined && isFailure(code)) return t.failedBecause(t.failures[code]);
  if (code !== undefined && isFileError(code)) {
    if (list.errorRow === undefined) return t.failedBecause(t.errors[code]);
    const row = formatNumber(list.errorRow);
    return t.failedBecause(code === 'broken_quoting' ? t.brokenQuotingAt(row) : t.atRow(row, t.errors[code]));
  }
  return list.error ? t.failedBecause(list.error) : t.failedUnknown;
}

/** The lists of one organisation, kept up to date while imports run. */
export class Lists {
  list = $state<ListView[]>([]);
  loaded = $state(false);
  /** The latest progress of each import in progress, by list id. */
  progress = $state<Record<string, ListProgressEvent>>({});

  constructor(readonly orgId: string) {}

  async load(): Promise<void> {
    const { lists } = await listsApi.lists(this.orgId);
    this.list = lists;
    this.loaded = true;
  }

  async remove(listId: string): Promise<void> {
    await listsApi.remove(listId);
    this.list = this.list.filter((list) => list.id !== listId);
  }

  async recordSource(listId: string, choice: SourceChoice): Promise<void> {
    const fresh = await listsApi.recordSource(listId, choice.body());
    this.list = this.list.map((list) => (list.id === listId ? fresh : list));
  }

  /** Ready lists whose source and legal basis were never recorded: their people cannot be told where their number came from. */
  readonly unrecorded: ListView[] = $derived(this.list.filter((list) => list.status === 'ready' && list.source === null));

  private async refresh(listId: string): Promise<void> {
    try {
      const fresh = await listsApi.list(listId);
      this.list = this.list.some((list) => list.id === listId)
        ? this.list.map((list) => (list.id === listId ? fresh : list))
        : [fresh, ...this.list];
    } catch {
      // Deleted meanwhile, or the network is away: the next poll or event will tell.
    }
  }

  /** Follows running imports (socket events, and a poll each second). Returns the function that stops it. */
  follow(): () => void {
    const stopWatching = watchLists(this.orgId, (event) => {
      this.progress = { ...this.progress, [event.listId]: event };
      if (event.phase === 'ready' || event.phase === 'failed' || !this.list.some((list) => list.id === event.listId)) {
        void this.refresh(event.listId);
      }
    });
    const timer = setInterval(() => {
      for (const list of this.list) if (list.status === 'importing') void this.refresh(list.id);
    }, POLL_MS);
    return () => {
      stopWatching();
      clearInterval(timer);
    };
  }
}

export type ImportStep = 'choose' | 'reading' | 'mapping' | 'uploading' | 'processing' | 'done';

/** One import, from the chosen file to its result. */
export class ListImport {
  step = $state<ImportStep>('choose');
  file = $state<File | null>(null);
  preview = $state<ListPreview | null>(null);
  choices = $state<ColumnChoice[]>([]);
  name = $state('');
  country = $state<Country>('SE');
  source = $state(new SourceChoice());
  error = $state<string | null>(null);
  /** Bytes of the file sent so far, and of the whole upload. */
  sent = $state(0);
  total = $state(0);
  /** The latest progress of the import on the server. */
  progress = $state<ListProgressEvent | null>(null);
  /** The list as the server has it once the import has ended (ready or failed). */
  result = $state<ListView | null>(null);

  private listId: string | null = null;
  /** Progress of lists whose id the upload has not answered yet: a small file can finish first. */
  private early = new Map<string, ListProgressEvent>();
  private stopWatching: (() => void) | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private defaultName = '';
  /** Which file's preview is current, so a slow answer for an older choice is dropped. */
  private attempt = 0;

  constructor(
    readonly orgId: string,
    country: Country,
  ) {
    this.country = country;
  }

  /** The fields chosen for two or more columns that may only have one. */
  readonly repeated: ListField[] = $derived.by(() => {
    const seen = new Set<ListField>();
    const twice = new Set<ListField>();
    for (const choice of this.choices) {
      if (choice === 'attribute' || choice === 'ignore' || REPEATABLE.has(choice)) continue;
      if (seen.has(choice)) twice.add(choice);
      seen.add(choice);
    }
    return [...twice];
  });

  /** The country the file's numbers look like instead of the chosen one (by the preview's first rows), or null. */
  readonly suggestedCountry: Country | null = $derived(this.preview?.numbers.suggestions[this.country] ?? null);

  readonly hasPhone: boolean = $derived(this.choices.some((choice) => choice === 'mobile' || choice === 'phone'));
  readonly ready: boolean = $derived(
    this.step === 'mapping' && this.hasPhone && this.repeated.length === 0 && this.name.trim() !== '' && this.source.problems.length === 0,
  );

  /** Starts watching the organisation's imports before anything is uploaded, so no event is missed. */
  open(): () => void {
    this.stopWatching = watchLists(this.orgId, (event) => this.onProgress(event));
    return () => this.close();
  }

  close(): void {
    this.stopWatching?.();
    this.stopWatching = null;
    this.stopPolling();
  }

  async choose(file: File): Promise<void> {
    const attempt = ++this.attempt;
    this.file = file;
    this.error = null;
    this.preview = null;
    this.step = 'reading';
    const proposed = file.name.replace(/\.(csv|txt|tsv|xlsx)$/i, '').replace(/[_]+/g, ' ').trim();
    if (this.name.trim() === '' || this.name === this.defaultName) this.name = proposed;
    this.defaultName = proposed;
    try {
      const preview = await listsApi.preview(this.orgId, file);
      if (attempt !== this.attempt) return;
      this.preview = preview;
      this.choices = preview.columns.map(choiceOf);
      this.step = 'mapping';
    } catch (error) {
      if (attempt !== this.attempt) return;
      this.error = listError(error);
      this.step = 'choose';
    }
  }

  /** The mapping to send, from the choices. */
  mapping(): { columns: MappedColumn[] } {
    const header = this.preview?.header ?? [];
    return {
      columns: header.map((text, index) => {
        const choice = this.choices[index] ?? 'ignore';
        if (choice === 'ignore') return { index, header: text, field: null, ignore: true };
        if (choice === 'attribute') return { index, header: text, field: null };
        return { index, header: text, field: choice };
      }),
    };
  }

  async start(): Promise<void> {
    if (!this.file || !this.ready) return;
    this.error = null;
    this.step = 'uploading';
    this.sent = 0;
    this.total = this.file.size;
    this.progress = null;
    try {
      const { id } = await listsApi.create(
        this.orgId,
        { file: this.file, name: this.name.trim(), country: this.country, mapping: this.mapping(), source: this.source.fields() },
        (sent, total) => {
          this.sent = sent;
          this.total = total;
        },
      );
      this.listId = id;
      this.sent = this.total;
      this.step = 'processing';
      const early = this.early.get(id);
      this.early.clear();
      if (early) this.onProgress(early);
      this.startPolling();
      void this.check();
    } catch (error) {
      this.error = listError(error);
      this.step = 'mapping';
    }
  }

  /** Back to the beginning, for another file. */
  reset(): void {
    this.stopPolling();
    this.attempt += 1;
    this.listId = null;
    this.file = null;
    this.preview = null;
    this.choices = [];
    this.name = '';
    this.defaultName = '';
    this.source = new SourceChoice();
    this.error = null;
    this.progress = null;
    this.result = null;
    this.sent = this.total = 0;
    this.step = 'choose';
  }

  private onProgress(event: ListProgressEvent): void {
    if (this.listId === null) {
      if (this.step === 'uploading') this.early.set(event.listId, event);
      return;
    }
    if (event.listId !== this.listId || this.step !== 'processing') return;
    this.progress = event;
    if (event.phase === 'ready' || event.phase === 'failed') void this.check();
  }

  private startPolling(): void {
    this.stopPolling();
    this.timer = setInterval(() => void this.check(), POLL_MS);
  }

  private stopPolling(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** Asks the server how the import stands; once it has ended, shows the result. */
  private async check(): Promise<void> {
    const id = this.listId;
    if (id === null || this.step !== 'processing') return;
    try {
      const list = await listsApi.list(id);
      if (id !== this.listId || this.step !== 'processing' || list.status === 'importing') return;
      this.stopPolling();
      this.result = list;
      this.step = 'done';
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) {
        this.stopPolling();
        this.error = i18n.error(error);
        this.step = 'mapping';
      }
      // Otherwise (the network is away) the next poll tries again.
    }
  }
}

function choiceOf(column: MappedColumn): ColumnChoice {
  if (column.ignore) return 'ignore';
  return column.field ?? 'attribute';
}
