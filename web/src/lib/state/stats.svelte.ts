// An organisation's results as its Results tab shows them: the figures of its whole subtree over a
// period, read again (at most once a second) when the server says they moved, and its goals.
import type { GoalInput, GoalProgress, OrganisationStats } from '$contract/api';
import type { StatsChangedEvent } from '$contract/realtime';
import { ApiError, statsApi } from '$lib/api/client';
import { realtime } from '$lib/realtime/socket';
import type { Period } from './stats-figures';

/** Changes come in bursts during a calling evening: wait this long for the burst to settle … */
const SETTLE_MS = 300;
/** … and read at most this often, however many calls are saved. */
const REFRESH_MS = 1000;
/** And this often when nothing arrives, in case the socket missed something. */
const POLL_MS = 60_000;

export class OrganisationResults {
  stats = $state<OrganisationStats | null>(null);
  /** Why the figures could not be read; null once they have been. */
  loadError = $state<unknown>(null);
  loading = $state(false);
  /** When the figures shown were read. */
  updatedAt = $state<Date | null>(null);
  /** The server follows this organisation for us (its answer to stats:watch). */
  live = $state(false);

  private period: Period | null = null;
  /** Answers to older requests (another period, an earlier refresh) are dropped. */
  private sequence = 0;
  private refreshTimer: ReturnType<typeof setTimeout> | null = null;
  private lastRefresh = 0;

  constructor(readonly orgId: string) {}

  /** Reads the figures of a period; the ones shown stay until the new ones arrive. */
  async load(period: Period): Promise<void> {
    this.period = period;
    const mine = ++this.sequence;
    this.lastRefresh = performance.now();
    this.loading = true;
    try {
      const stats = await statsApi.organisation(this.orgId, period);
      if (mine !== this.sequence) return;
      this.stats = stats;
      this.loadError = null;
      this.updatedAt = new Date();
    } catch (error) {
      if (mine === this.sequence) this.loadError = error;
    } finally {
      if (mine === this.sequence) this.loading = false;
    }
  }

  /** Reads the same period again, quietly: an error keeps the figures shown and says so. */
  private refresh(): Promise<void> {
    return this.period ? this.load(this.period) : Promise.resolve();
  }

  private scheduleRefresh(): void {
    if (this.refreshTimer !== null) return;
    const wait = Math.max(SETTLE_MS, this.lastRefresh + REFRESH_MS - performance.now());
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = null;
      void this.refresh();
    }, wait);
  }

  /** Follows the organisation's figures live. Returns the function that stops it. */
  follow(): () => void {
    const socket = realtime();
    let connectedBefore = false;
    const watch = () => {
      socket.emit('stats:watch', { organisationId: this.orgId }, (answer) => {
        this.live = answer.ok;
      });
      // Back after a dropped connection: whatever moved meanwhile was not announced.
      if (connectedBefore) this.scheduleRefresh();
      connectedBefore = true;
    };
    const changed = (event: StatsChangedEvent) => {
      if (event.organisationId === this.orgId) this.scheduleRefresh();
    };
    const offline = () => {
      this.live = false;
    };
    socket.on('connect', watch);
    socket.on('disconnect', offline);
    socket.on('stats:changed', changed);
    if (socket.connected) watch();
    const poll = setInterval(() => this.scheduleRefresh(), POLL_MS);
    return () => {
      // The server keeps us in the room until the connection ends; its events are ignored from now on.
      socket.off('connect', watch);
      socket.off('disconnect', offline);
      socket.off('stats:changed', changed);
      clearInterval(poll);
      if (this.refreshTimer !== null) clearTimeout(this.refreshTimer);
      this.refreshTimer = null;
      this.sequence++;
    };
  }

  async addGoal(input: GoalInput): Promise<GoalProgress> {
    const goal = await statsApi.createGoal(this.orgId, input);
    if (this.stats) this.stats.goals = [...this.stats.goals.filter((other) => other.id !== goal.id), goal].toSorted((a, b) => a.endsOn.localeCompare(b.endsOn));
    return goal;
  }

  async removeGoal(goalId: string): Promise<void> {
    let goals: GoalProgress[];
    try {
      ({ goals } = await statsApi.removeGoal(this.orgId, goalId));
    } catch (error) {
      // Someone else removed it first: it is gone all the same.
      if (!(error instanceof ApiError && error.status === 404)) throw error;
      ({ goals } = await statsApi.goals(this.orgId));
    }
    if (this.stats) this.stats.goals = goals;
  }
}
