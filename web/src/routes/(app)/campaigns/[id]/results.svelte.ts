// A campaign's results as its Results tab and evaluation report read them: one answer from the
// server (totals, days, one day's hours, callers, organisations, goals, answers), the day chosen, and
// a reading again shortly after calls are saved.
import type { CampaignStats } from '$contract/api';
import { campaignsApi } from '$lib/api/client';

/** Saved calls reach the figures a moment after the save: read again this long after one. */
const REFRESH_DELAY_MS = 1500;

export class CampaignResults {
  stats = $state<CampaignStats | null>(null);
  /** Why the results could not be read; null once they have been. */
  error = $state<unknown>(null);
  loading = $state(false);
  /** The day shown hour by hour as chosen; null: the server's (the last day with calls). */
  private chosenDay: string | null = null;
  /** Only the newest reading is shown, however the answers arrive. */
  private asked = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(readonly campaignId: string) {}

  /** Reads the results; a live refresh leaves out the breakdown by answer (it counts every call) and keeps the one shown. */
  async load(withAnswers = true): Promise<void> {
    const ask = ++this.asked;
    this.loading = true;
    try {
      const stats = await campaignsApi.stats(this.campaignId, this.chosenDay, withAnswers || !this.stats);
      if (ask !== this.asked) return;
      this.stats = withAnswers || !this.stats ? stats : { ...stats, answers: this.stats.answers };
      this.error = null;
    } catch (error) {
      if (ask === this.asked) this.error = error;
    } finally {
      if (ask === this.asked) this.loading = false;
    }
  }

  /** Shows another day hour by hour. */
  chooseDay(day: string): Promise<void> {
    this.chosenDay = day;
    return this.load();
  }

  /** Reads again a moment from now: once, however many calls are saved meanwhile. */
  refreshSoon(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.load(false);
    }, REFRESH_DELAY_MS);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
