// Calls saved on the caller's screen wait here, in the browser, until the server has acknowledged
// them: a save made offline, or one whose answer was lost, is sent again with the same key, and the
// server saves a key once. Kept per user and campaign, in order, so a reload loses nothing either.
//
// What waits holds answers, which are political opinions, in this browser's storage. So it is kept no
// longer than it can be of use: a day (by then the person has long gone back to the queue and the
// server would refuse the save), and signing out deletes it, after the caller has been told.
import type { CompleteCallRequest } from '$contract/realtime';

export interface QueuedSave {
  /** Sent as it is, with `next: false`: the next person is asked for once everything is sent. */
  request: CompleteCallRequest;
  /** Who was called, for the caller to read while it waits ("Anna Andersson"); never sent. */
  person: string;
  /** Counts as a new member for the caller's own figures once it is saved. */
  recruit: boolean;
  queuedAt: string;
}

/** The part of Storage the outbox uses, so tests can give it a map. */
export type OutboxStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

/** How long a save may wait in the browser before it is dropped unsent. */
export const OUTBOX_MAX_AGE_MS = 24 * 3_600_000;

export function outboxKey(userId: string, campaignId: string): string {
  return `${outboxPrefix(userId)}${campaignId}`;
}

function outboxPrefix(userId: string): string {
  return `ringa.outbox.${userId}.`;
}

/** The browser's storage, or null where it is blocked (private modes, policies). */
export function browserStorage(): Storage | null {
  try {
    return localStorage;
  } catch {
    return null;
  }
}

function outboxKeys(storage: Pick<Storage, 'key' | 'length'>, userId: string): string[] {
  const keys: string[] = [];
  for (let index = 0; index < storage.length; index++) {
    const key = storage.key(index);
    if (key?.startsWith(outboxPrefix(userId))) keys.push(key);
  }
  return keys;
}

/** How many saves of this user wait unsent in this browser, in all campaigns. */
export function unsentSaves(storage: (OutboxStorage & Pick<Storage, 'key' | 'length'>) | null, userId: string, now: Date = new Date()): number {
  if (!storage) return 0;
  return outboxKeys(storage, userId).reduce((count, key) => count + new Outbox(storage, key, now).size, 0);
}

/** Deletes this user's unsent saves from this browser (on signing out). */
export function forgetUnsent(storage: (OutboxStorage & Pick<Storage, 'key' | 'length'>) | null, userId: string): void {
  if (!storage) return;
  for (const key of outboxKeys(storage, userId)) storage.removeItem(key);
}

function isQueuedSave(value: unknown): value is QueuedSave {
  if (typeof value !== 'object' || value === null) return false;
  const item = value as Partial<QueuedSave>;
  return typeof item.person === 'string' && typeof item.queuedAt === 'string' && typeof item.request === 'object' && item.request !== null && typeof item.request.key === 'string' && typeof item.request.assignmentId === 'string';
}

export class Outbox {
  /** What is held in memory too, for when storage is blocked or full: kept for this page at least. */
  private items: QueuedSave[];

  constructor(
    private readonly storage: OutboxStorage | null,
    private readonly key: string,
    now: Date = new Date(),
  ) {
    const stored = this.read();
    this.items = stored.filter((item) => now.getTime() - new Date(item.queuedAt).getTime() < OUTBOX_MAX_AGE_MS);
    if (this.items.length < stored.length) this.write();
  }

  private read(): QueuedSave[] {
    try {
      const parsed: unknown = JSON.parse(this.storage?.getItem(this.key) ?? '[]');
      return Array.isArray(parsed) ? parsed.filter(isQueuedSave) : [];
    } catch {
      return [];
    }
  }

  private write(): void {
    try {
      if (this.items.length === 0) this.storage?.removeItem(this.key);
      else this.storage?.setItem(this.key, JSON.stringify(this.items));
    } catch {
      // Storage full or blocked: the memory copy still sends it while the page is open.
    }
  }

  /** The saves waiting, oldest first. */
  list(): QueuedSave[] {
    return [...this.items];
  }

  get size(): number {
    return this.items.length;
  }

  /** Keeps a save until it is acknowledged; the same key twice is kept once. */
  add(request: CompleteCallRequest, person: string, recruit: boolean, now: Date = new Date()): void {
    if (this.items.some((item) => item.request.key === request.key)) return;
    this.items.push({ request: { ...request, next: false }, person, recruit, queuedAt: now.toISOString() });
    this.write();
  }

  /** The server has answered this key: saved, or refused for good. */
  remove(key: string): void {
    this.items = this.items.filter((item) => item.request.key !== key);
    this.write();
  }
}

/** A key for one call, made once and sent with every attempt to save it. */
export function newSaveKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}
