// Calls saved on the caller's screen wait here, in the browser, until the server has acknowledged
// them: a save made offline, or one whose answer was lost, is sent again with the same key, and the
// server saves a key once. Kept per user and campaign, in order, so a reload loses nothing either.
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

export function outboxKey(userId: string, campaignId: string): string {
  return `ringa.outbox.${userId}.${campaignId}`;
}

function isQueuedSave(value: unknown): value is QueuedSave {
  if (typeof value !== 'object' || value === null) return false;
  const item = value as Partial<QueuedSave>;
  return typeof item.person === 'string' && typeof item.request === 'object' && item.request !== null && typeof item.request.key === 'string' && typeof item.request.assignmentId === 'string';
}

export class Outbox {
  /** What is held in memory too, for when storage is blocked or full: kept for this page at least. */
  private items: QueuedSave[];

  constructor(
    private readonly storage: OutboxStorage | null,
    private readonly key: string,
  ) {
    this.items = this.read();
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
