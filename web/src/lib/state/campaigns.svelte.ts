// Calling campaigns: the list of an organisation, and one campaign as its organizer works on it:
// the drafts of its settings and script (kept while moving between its tabs, and after a failed
// save), its status, and its live figures and flagged calls.
import type { AttributeSummary, CampaignInput, CampaignStatus, CampaignView, FlaggedCall, OrganisationView, TargetGroupView } from '$contract/api';
import type { CampaignStatsEvent, DialerLive } from '$contract/realtime';
import { ApiError, campaignsApi, targetingApi } from '$lib/api/client';
import { watchCampaign, watchDialer } from '$lib/realtime/socket';
import { figuresOf, type CallFigures } from './campaign-figures';
import { DEFAULT_RETRY_HOURS, retried, settingsDraftOf, settingsUnchanged, type SettingsDraft } from './campaign-settings';
import { draftOf, unchanged, type ScriptDraft } from './script-draft';

export class Campaigns {
  list = $state<CampaignView[]>([]);
  loaded = $state(false);

  constructor(readonly orgId: string) {}

  async load(): Promise<void> {
    const { campaigns } = await campaignsApi.list(this.orgId);
    this.list = campaigns;
    this.loaded = true;
  }

  async create(input: CampaignInput): Promise<CampaignView> {
    const created = await campaignsApi.create(this.orgId, input);
    this.list = [created, ...this.list];
    return created;
  }
}

/** The status moves an organizer can make from each status. */
export const STATUS_MOVES: Record<CampaignStatus, CampaignStatus[]> = {
  draft: ['active'],
  active: ['paused', 'finished'],
  paused: ['active', 'finished'],
  finished: [],
};

/** The live figures are read again at most this often, however many calls are saved. */
const REFRESH_MS = 1000;
/** And this often when nothing arrives, in case the socket missed something. */
const POLL_MS = 20_000;

export class CampaignPage {
  campaign = $state<CampaignView | null>(null);
  /** Why the campaign could not be read; null while it loads or once it has. */
  loadError = $state<unknown>(null);
  scriptDraft = $state<ScriptDraft | null>(null);
  settingsDraft = $state<SettingsDraft | null>(null);
  /** The script version last saved here or read at the start, which the draft is compared with. */
  private savedScript = $state<Pick<CampaignView, 'script' | 'questions' | 'outcomes'> | null>(null);
  private savedSettings = $state<CampaignView | null>(null);

  /** The live figures, once the socket has answered: callers online comes only from here. */
  stats = $state<CampaignStatsEvent | null>(null);
  /** A dialing campaign's dialer as it is now (power, predictive): from dialer:live, null until the first. */
  dialer = $state<DialerLive | null>(null);
  /** Calls, conversations and the calls counting for each tag: from the campaign as read, or the live figures, whichever came last. */
  figures = $state<CallFigures | null>(null);
  flags = $state<FlaggedCall[]>([]);
  /** Every open flag, also those beyond the ones listed. */
  flagCount = $state(0);
  /** The flags are the campaign's own organizers' to handle: an organizer above sees only how many. */
  flagsHidden = $state(false);
  flagsLoaded = $state(false);
  flagsError = $state<unknown>(null);

  /** The organisation's target groups, for choosing; null until read. */
  targetGroups = $state<TargetGroupView[] | null>(null);
  /** The person the preview fills the script in for; kept while moving between the tabs. */
  sample = $state<{ firstName: string; lastName: string; attributes: Record<string, string> }>({ firstName: 'Anna', lastName: 'Andersson', attributes: {} });
  private attributeCache = new Map<string, Promise<AttributeSummary['attributes']>>();

  private refreshTimer: ReturnType<typeof setTimeout> | null = null;
  private lastRefresh = 0;

  constructor(
    readonly id: string,
    private readonly organisationOf: (id: string) => OrganisationView | undefined,
  ) {}

  /** The organisation the campaign belongs to, as the signed-in user sees it. */
  get organisation(): OrganisationView | undefined {
    return this.campaign ? this.organisationOf(this.campaign.organisationId) : undefined;
  }

  /** Dates and calling hours are in the organisation's time zone. */
  get timeZone(): string {
    return this.organisation?.timeZone ?? 'Europe/Stockholm';
  }

  readonly scriptChanged: boolean = $derived(this.scriptDraft !== null && this.savedScript !== null && !unchanged(this.scriptDraft, this.savedScript));
  readonly settingsChanged: boolean = $derived(
    this.settingsDraft !== null &&
      this.savedSettings !== null &&
      !settingsUnchanged(this.settingsDraft, this.savedSettings, this.timeZone),
  );

  async load(): Promise<void> {
    try {
      const campaign = await campaignsApi.get(this.id);
      this.show(campaign);
      this.resetScript(campaign);
      this.resetSettings(campaign);
      this.loadError = null;
    } catch (error) {
      this.loadError = error;
    }
  }

  /** The campaign as the server last answered, its figures with it. */
  private show(campaign: CampaignView): void {
    this.campaign = campaign;
    this.figures = figuresOf(campaign);
  }

  resetScript(campaign: CampaignView | null = this.campaign): void {
    if (!campaign) return;
    this.savedScript = { script: campaign.script, questions: campaign.questions, outcomes: campaign.outcomes };
    this.scriptDraft = draftOf(campaign);
  }

  resetSettings(campaign: CampaignView | null = this.campaign): void {
    if (!campaign) return;
    this.savedSettings = campaign;
    this.settingsDraft = settingsDraftOf(campaign, this.timeZone);
  }

  /** Saves the script draft as the next version; on failure the draft stays as it is. */
  async saveScript(input: Parameters<typeof campaignsApi.saveScript>[1]): Promise<CampaignView> {
    const saved = await campaignsApi.saveScript(this.id, input);
    const settingsChanged = this.settingsChanged;
    this.show(saved);
    this.resetScript(saved);
    // Retry rules follow the outcomes: a new outcome that is tried again gets its row in the settings,
    // without losing settings being changed meanwhile.
    if (settingsChanged && this.settingsDraft) {
      this.savedSettings = saved;
      for (const code of retried(saved.outcomes)) {
        if (!(code in this.settingsDraft.retryHours)) this.settingsDraft.retryHours[code] = String(saved.retryHours[code] ?? DEFAULT_RETRY_HOURS);
      }
    } else {
      this.resetSettings(saved);
    }
    return saved;
  }

  /** Saves the settings; on failure the form stays as it is. */
  async saveSettings(input: Parameters<typeof campaignsApi.update>[1]): Promise<CampaignView> {
    const saved = await campaignsApi.update(this.id, input);
    this.show(saved);
    this.resetSettings(saved);
    return saved;
  }

  async changeStatus(status: CampaignStatus): Promise<CampaignView> {
    const changed = await campaignsApi.changeStatus(this.id, status);
    this.show(changed);
    return changed;
  }

  /** Reads the campaign's figures again, keeping the drafts as they are. */
  async refresh(): Promise<void> {
    this.lastRefresh = performance.now();
    try {
      this.show(await campaignsApi.get(this.id));
    } catch {
      // The network is away, or the session ended (the app handles that): the next event tries again.
    }
    await this.loadFlags();
  }

  async loadFlags(): Promise<void> {
    try {
      const { count, flags } = await campaignsApi.flags(this.id);
      this.flags = flags ?? [];
      this.flagCount = count;
      this.flagsHidden = flags === null;
      this.flagsError = null;
    } catch (error) {
      this.flagsError = error;
    } finally {
      this.flagsLoaded = true;
    }
  }

  async resolveFlag(callId: string): Promise<void> {
    try {
      await campaignsApi.resolveFlag(callId);
    } catch (error) {
      // Someone else marked it handled first: it is handled all the same.
      if (!(error instanceof ApiError && error.status === 404)) throw error;
    }
    const left = this.flags.filter((flag) => flag.callId !== callId);
    this.flagCount = Math.max(0, this.flagCount - (this.flags.length - left.length));
    this.flags = left;
  }

  async loadTargetGroups(): Promise<TargetGroupView[]> {
    if (this.targetGroups) return this.targetGroups;
    if (!this.campaign) return [];
    const { targetGroups } = await targetingApi.targetGroups(this.campaign.organisationId);
    this.targetGroups = targetGroups;
    return targetGroups;
  }

  /** The list columns of the people in these target groups, with their common values. */
  async attributesOf(groupIds: readonly string[]): Promise<AttributeSummary['attributes']> {
    if (!this.campaign) return [];
    const groups = await this.loadTargetGroups();
    const listIds = [...new Set(groups.filter((group) => groupIds.includes(group.id)).flatMap((group) => group.listIds))].sort();
    if (listIds.length === 0) return [];
    const key = listIds.join(',');
    let found = this.attributeCache.get(key);
    if (!found) {
      found = targetingApi.attributes(this.campaign.organisationId, listIds).then(({ attributes }) => attributes);
      // A failed read is tried again next time.
      void found.catch(() => this.attributeCache.delete(key));
      this.attributeCache.set(key, found);
    }
    return found;
  }

  /** A refresh now, or as soon as a second has passed since the last one. */
  private scheduleRefresh(): void {
    if (this.refreshTimer !== null) return;
    const wait = Math.max(0, this.lastRefresh + REFRESH_MS - performance.now());
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = null;
      void this.refresh();
    }, wait);
  }

  /** Follows the campaign's live figures and flags. Returns the function that stops it. */
  follow(): () => void {
    void this.loadFlags();
    const stop = watchCampaign(this.id, (event) => {
      const first = this.stats === null;
      this.stats = event;
      this.figures = figuresOf(event);
      if (!first) this.scheduleRefresh();
    });
    const stopDialer = watchDialer(this.id, (event) => (this.dialer = event));
    const poll = setInterval(() => this.scheduleRefresh(), POLL_MS);
    return () => {
      stop();
      stopDialer();
      clearInterval(poll);
      if (this.refreshTimer !== null) clearTimeout(this.refreshTimer);
      this.refreshTimer = null;
    };
  }
}

/** How far a campaign has come: people done of all in its queue. */
export function queueProgress(campaign: CampaignView): { done: number; total: number; fraction: number } {
  const { done, total } = campaign.queue;
  return { done, total, fraction: total > 0 ? Math.min(1, done / total) : 0 };
}
