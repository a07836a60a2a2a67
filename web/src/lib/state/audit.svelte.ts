// One organisation's audit log, newest first, paged backwards.
import type { AuditEventView } from '$contract/api';
import { api } from '$lib/api/client';

const PAGE_SIZE = 50;

export class AuditLog {
  events = $state<AuditEventView[]>([]);
  loaded = $state(false);
  /** False once a page came back shorter than asked for. */
  more = $state(true);

  constructor(readonly orgId: string) {}

  async load(): Promise<void> {
    const { events } = await api.audit(this.orgId, { limit: PAGE_SIZE });
    this.events = events;
    this.more = events.length === PAGE_SIZE;
    this.loaded = true;
  }

  async loadOlder(): Promise<void> {
    const oldest = this.events.at(-1);
    if (!oldest) return;
    const { events } = await api.audit(this.orgId, { limit: PAGE_SIZE, before: oldest.id });
    this.events = [...this.events, ...events];
    this.more = events.length === PAGE_SIZE;
  }
}
