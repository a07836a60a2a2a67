import { randomUUID } from 'node:crypto';
import { parsePhoneNumberFromString } from 'libphonenumber-js/min';
import { EventEmitter } from 'node:events';
import type { Database } from '../../../../db/database';
import type { Clock } from '../../clock';
import type { Assignment } from '../../contract/realtime';
import { countryLanguage } from '../../contract/language';
import type { Country } from '../../contract/api';
import { conflict, notFound } from '../../errors';
import type { CallingEngine } from '../calling/calling.service';
import { forget as forgetCampaign } from '../campaigns/campaigns.service';
import { CampaignDialer, type DialerFigures, type Line, type Pacing, type Seat } from './campaign-dialer';
import type { AnsweredBy, AnswerDecision, DialerProvider, DialerSink, LineEnd, NobodyNow, Scheduler, SeatState } from './dialer.types';
import * as repository from './dialer.repository';
import type { DialerStartAnswerValue } from './dialer.schemas';
import { ABANDON_MESSAGE } from './dialer.texts';

// Dialing for callers in power and predictive campaigns, across server processes. A caller's wishes
// (start, pause, a save, a hang-up) are written to their seat in PostgreSQL by the process their
// socket is on; one process at a time paces a campaign (dialer_owner, renewed every second, taken
// over by another within OWNER_MS when it stops) and runs its CampaignDialer: it reads the seats every
// second, and at once when nudged (the same process, or another through socket.io's server-side emit).

export interface DialerServiceEvents {
  /** A caller's seat changed: to their sockets as dialer:seat. */
  seat: [{ userId: string; campaignId: string; seatId: string; state: SeatState | 'paused'; ringing: number; nobody?: NobodyNow }];
  /** A person answered and is the caller's: dialer:bridged with their card. */
  bridged: [{ userId: string; campaignId: string; assignment: Assignment; detected?: 'machine' }];
  /** The person bridged to the caller hung up (or the caller did). */
  ended: [{ userId: string; campaignId: string; assignmentId: string }];
  /** The campaign's dialer figures, once a second while it dials: dialer:live to its organizers. */
  live: [DialerFigures];
  /** Another process should look at the campaign's seats now (reconsider: and ask its queue again). */
  nudge: [{ campaignId: string; reconsider?: boolean }];
}

/** Twilio's news of a line this process does not run, sent to the process that does (socket.io between processes). */
export interface LineForwarder {
  ringing(lineId: string): void;
  answered(lineId: string, by: AnsweredBy): Promise<AnswerDecision | null>;
  ended(lineId: string, status: LineEnd, talkSeconds: number): void;
}

export interface DialerOptions {
  processId: string;
  scheduler: Scheduler;
  /** The pacing loop for a campaign taken up (fresh state, or the figures of the last 24 hours). */
  pacer: () => Pacing;
  /** The provider a campaign's calls go through, by its line ('simulated' or 'twilio'). */
  provider: (line: 'simulated' | 'twilio', sink: () => DialerSink) => DialerProvider | null;
  /** The number an abandoned person may call back: the caller ID of the organisation's Twilio account, if any. */
  callBackNumber?: (organisationId: string) => Promise<string | null>;
  onError: (error: unknown) => void;
}

interface Running {
  dialer: CampaignDialer;
  /** The campaign's writes, one after the other (a line's insert before its updates). */
  writes: Promise<void>;
  line: 'simulated' | 'twilio';
  /** How many saves and hang-ups of each seat were acted on. */
  seen: Map<string, { saves: number; hangups: number }>;
}

const DAY_MS = 24 * 60 * 60_000;
/** How often a process forgets the dialer's lines older than two days (every process does; the deletes are the same). */
const FORGET_EVERY_MS = 60 * 60_000;

export class DialerService extends EventEmitter<DialerServiceEvents> {
  private readonly running = new Map<string, Running>();
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private readonly syncing = new Map<string, Promise<void>>();
  private forgotAt = 0;

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly calling: CallingEngine,
    private readonly options: DialerOptions,
  ) {
    super();
    // A caller's save ends their wrap-up: the seat waits for the next person.
    // Not a correction (made while the caller may be talking to the next person), nor a preview campaign's save.
    calling.on('saved', ({ campaignId, callerId, dialled }) => {
      if (callerId === null || !dialled) return;
      repository
        .markSeat(this.db, campaignId, callerId, { saved: true })
        .then((seat) => {
          if (!seat) return undefined;
          // Paced here: the save takes effect at once (before, say, the person's hang-up that follows it).
          const running = this.running.get(campaignId);
          const seen = running?.seen.get(seat.id);
          if (running && seen && seen.saves < seat.saves) {
            seen.saves = seat.saves;
            running.dialer.saved(callerId);
            return undefined;
          }
          return this.nudge(campaignId);
        })
        .catch(this.options.onError);
    });
  }

  start(): void {
    this.timer = setInterval(() => void this.tick(), 1000);
    this.timer.unref();
  }

  /** Stops pacing here: the campaigns are let go at once for other processes to take. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.ticking;
    for (const running of this.running.values()) running.dialer.close();
    this.running.clear();
    await repository.disown(this.db, this.options.processId).catch(this.options.onError);
  }

  // --- callers' wishes (from sockets in any process) -------------------------------------------------

  /** A caller opens their line for the evening in a power or predictive campaign (they joined it as a caller). */
  async startSeat(userId: string, campaignId: string): Promise<DialerStartAnswerValue> {
    await this.calling.callerCampaign(userId, campaignId);
    const campaign = await repository.dialingCampaign(this.db, campaignId);
    if (!campaign) throw notFound('The campaign');
    if (campaign.dialMode === 'preview') throw conflict('not_a_dialing_campaign', 'Ringa does not dial for the callers of this campaign: ask for the next person.');
    if (campaign.dialing !== 'simulated' && campaign.dialing !== 'twilio') throw conflict('dial_mode_needs_browser_line', 'Ringa can dial only through Twilio or the simulated line.');
    if (campaign.status !== 'active') throw conflict('campaign_not_open', 'This campaign is not open for calling.');
    if (!(await repository.present(this.db, userId, campaignId, this.clock.now()))) throw conflict('not_joined', 'Join the campaign first (campaign:join).');
    // Through Twilio the caller gets people once their browser is in their conference (twilioSeats.joined).
    const seatId = await repository.openSeat(this.db, campaignId, userId, randomUUID(), this.clock.now(), campaign.dialing === 'simulated');
    await this.nudge(campaignId);
    // Their page came back while a person was bridged to them: the person is theirs still.
    const leaseId = await repository.bridgedLease(this.db, campaignId, userId);
    const assignment = leaseId ? await this.calling.assignmentOf(userId, campaignId, leaseId) : null;
    return { seatId, line: campaign.dialing, ...(assignment ? { assignment } : {}) };
  }

  async pauseSeat(userId: string, campaignId: string): Promise<void> {
    if (!(await repository.markSeat(this.db, campaignId, userId, { wants: 'pause' }))) throw conflict('no_dialer_seat', 'Start calling first.');
    await this.nudge(campaignId);
  }

  async hangup(userId: string, campaignId: string): Promise<void> {
    if (!(await repository.markSeat(this.db, campaignId, userId, { hangup: true }))) throw conflict('no_dialer_seat', 'Start calling first.');
    await this.nudge(campaignId);
  }

  /** Whose a seat is (the Twilio voice webhook joins only its own caller to its conference). */
  async seatOf(seatId: string): Promise<{ userId: string; campaignId: string; organisationId: string } | null> {
    return (await repository.seatOf(this.db, seatId)) ?? null;
  }

  /** The campaign dialer here that placed a line. */
  private dialerOf(lineId: string): CampaignDialer | undefined {
    for (const running of this.running.values()) if (running.dialer.lines.has(lineId)) return running.dialer;
    return undefined;
  }

  /** Set by the socket side: where news of a line this process does not run goes. */
  forward: LineForwarder | null = null;

  /**
   * Twilio's news of the dialer's calls (its webhooks reach any process): to the campaign's dialer here,
   * else to the process that runs it. A line nobody runs (its process stopped a moment ago, before
   * another took it over) is hung up: a person answering then gets no caller.
   */
  readonly twilioSink: DialerSink = {
    ringing: (lineId) => {
      if (!this.handleLine({ kind: 'ringing', lineId })) this.forward?.ringing(lineId);
    },
    answered: async (lineId, by) => {
      const here = this.dialerOf(lineId);
      if (here) return here.answered(lineId, by);
      return (await this.forward?.answered(lineId, by).catch(() => null)) ?? { action: 'hangup' };
    },
    ended: (lineId, status, talkSeconds) => {
      if (!this.handleLine({ kind: 'ended', lineId, status, talkSeconds })) this.forward?.ended(lineId, status, talkSeconds);
    },
  };

  /** News of a line from another process (or Twilio): acted on if the line is run here. */
  handleLine(news: { kind: 'ringing'; lineId: string } | { kind: 'ended'; lineId: string; status: LineEnd; talkSeconds: number }): boolean {
    const dialer = this.dialerOf(news.lineId);
    if (!dialer) return false;
    if (news.kind === 'ringing') dialer.ringing(news.lineId);
    else dialer.ended(news.lineId, news.status, news.talkSeconds);
    return true;
  }

  /** A person answered a line run here, as another process heard from Twilio; null when it is not run here. */
  async answeredHere(lineId: string, by: AnsweredBy): Promise<AnswerDecision | null> {
    return (await this.dialerOf(lineId)?.answered(lineId, by)) ?? null;
  }

  /** The caller's own line through Twilio: people are bridged to them only while their browser is in their conference. */
  readonly twilioSeats = {
    joined: (seatId: string) => this.lineUp(seatId, true),
    left: (seatId: string) => this.lineUp(seatId, false),
  };

  private lineUp(seatId: string, up: boolean): void {
    repository
      .setLineUp(this.db, seatId, up)
      .then((campaignId) => (campaignId ? this.nudge(campaignId) : undefined))
      .catch(this.options.onError);
  }

  /** The figures of a campaign paced here (organizers' live view), or null. */
  figures(campaignId: string): DialerFigures | null {
    return this.running.get(campaignId)?.dialer.figures() ?? null;
  }

  /** Looks at the campaign's seats now: here if this process paces it, else in the one that does. */
  async nudge(campaignId: string): Promise<void> {
    if (!this.running.has(campaignId)) await this.tick();
    if (this.running.has(campaignId)) await this.sync(campaignId);
    else this.emit('nudge', { campaignId });
  }

  /** Another process nudged: look if the campaign is ours. */
  nudged(campaignId: string, reconsider = false): void {
    const running = this.running.get(campaignId);
    if (!running) return;
    if (reconsider) {
      // Changed in another process: the engine's copy here (kept for a second) may still say, say, paused.
      forgetCampaign(campaignId);
      running.dialer.reconsider();
    }
    void this.sync(campaignId).catch(this.options.onError);
  }

  /**
   * The organizer changed the campaign (resumed it, paused it, changed its hours or people): the process
   * pacing it asks the queue again at once, instead of after its wait with nobody to call.
   */
  async reconsider(campaignId: string): Promise<void> {
    const running = this.running.get(campaignId);
    if (running) running.dialer.reconsider();
    else if (await repository.pacedElsewhere(this.db, campaignId, this.options.processId, this.clock.now())) this.emit('nudge', { campaignId, reconsider: true });
  }

  // --- pacing ----------------------------------------------------------------------------------------

  /** Once a second: keep and take campaigns, read their seats, pace, and send the figures. */
  tick(): Promise<void> {
    this.ticking ??= this.tickOnce()
      .catch(this.options.onError)
      .finally(() => {
        this.ticking = undefined;
      });
    return this.ticking;
  }

  private async tickOnce(): Promise<void> {
    const now = this.clock.now();
    if (now.getTime() - this.forgotAt >= FORGET_EVERY_MS) {
      // Beside the tick, not in it: the pacing and the ownership's renewal never wait for the deletes.
      this.forgotAt = now.getTime();
      void repository.forgetOldLines(this.db, new Date(now.getTime() - 2 * DAY_MS)).catch(this.options.onError);
    }
    const owned = new Set(await repository.own(this.db, this.options.processId, now));
    for (const [campaignId, running] of this.running) {
      if (owned.has(campaignId)) continue;
      running.dialer.close();
      this.running.delete(campaignId);
    }
    for (const campaignId of owned) {
      if (!this.running.has(campaignId)) await this.take(campaignId);
      await this.sync(campaignId);
      const running = this.running.get(campaignId);
      if (!running) continue;
      running.dialer.sweep();
      running.dialer.pump();
      this.emit('live', running.dialer.figures());
    }
  }

  /** Takes a campaign up: its last 24 hours' answers, and the lines a stopped process left open. */
  private async take(campaignId: string): Promise<void> {
    const campaign = await repository.dialingCampaign(this.db, campaignId);
    if (!campaign || campaign.dialMode === 'preview' || (campaign.dialing !== 'simulated' && campaign.dialing !== 'twilio')) return;
    const line = campaign.dialing;
    const ref: { dialer?: CampaignDialer } = {};
    const provider = this.options.provider(line, () => ref.dialer as CampaignDialer);
    if (!provider) return;
    const now = this.clock.now();
    const history = await repository.answeredSince(this.db, campaignId, new Date(now.getTime() - DAY_MS));
    const language = countryLanguage(campaign.country as Country);
    const callBack = line === 'twilio' && this.options.callBackNumber ? await this.options.callBackNumber(campaign.organisationId) : null;
    // Said by text-to-speech: the number as people at home write it.
    const callBackSaid = callBack ? (parsePhoneNumberFromString(callBack)?.formatNational() ?? callBack) : null;
    const dialer = new CampaignDialer(
      {
        id: campaignId,
        organisationId: campaign.organisationId,
        mode: campaign.dialMode as 'power' | 'predictive',
        linesPerCaller: campaign.linesPerCaller,
        timeZone: campaign.timeZone,
        language,
        abandonMessage: ABANDON_MESSAGE[language](campaign.organisationName, callBackSaid),
        machineVerdict: 'bridge-if-caller-waiting',
      },
      {
        claim: (id, forUserId) => this.calling.claimForDialer(forUserId, id),
        // Dated by the server's clock, as every other call and the dialer's lines (the scheduler's time is for timers).
        settle: (target, outcome) => this.calling.settleDialed(target, outcome, this.clock.now()),
        handOver: (target, toUserId) => this.calling.handOver(target, toUserId),
      },
      provider,
      this.options.pacer(),
      this.options.scheduler,
      this.hooks(campaignId, line),
      history,
    );
    ref.dialer = dialer;
    this.running.set(campaignId, { dialer, line, seen: new Map(), writes: Promise.resolve() });
    // Lines a stopped process placed: Twilio's ring on, and their callbacks now end them here; those on
    // the simulated network ended with the process, and are saved as unanswered.
    for (const open of await repository.openLines(this.db, campaignId)) {
      // A line this dialer placed already (a nudge came in meanwhile) is ringing here, not left behind.
      if (dialer.lines.has(open.id)) continue;
      if (open.state === 'bridged') {
        // The person is the caller's (the lease went to them): the caller saves the call; the line is done here.
        await repository.endLine(this.db, open.id, null, now);
        continue;
      }
      if (open.provider === 'twilio') {
        const target = await repository.targetOf(this.db, open, campaign.organisationId);
        if (!target) await repository.endLine(this.db, open.id, null, now);
        else
          dialer.adopt({
            lineId: open.id,
            target,
            forUserId: open.callerId,
            providerCallId: open.providerCallId,
            state: open.state,
            placedAt: new Date(open.placedAt).getTime(),
            answeredAt: null,
            seatId: open.seatId,
            detected: null,
          });
        continue;
      }
      const target = await repository.targetOf(this.db, open, campaign.organisationId);
      if (target) await this.calling.settleDialed(target, open.state === 'abandoned' ? 'abandoned' : 'no-answer', now);
      await repository.endLine(this.db, open.id, open.state === 'abandoned' ? 'abandoned' : 'no-answer', now);
    }
  }

  private hooks(campaignId: string, line: 'simulated' | 'twilio') {
    const onError = this.options.onError;
    const write = (run: () => Promise<void>) => {
      const running = this.running.get(campaignId);
      if (!running) return;
      running.writes = running.writes.then(run).catch(onError);
    };
    const written = new Map<string, Seat>();
    return {
      seat: (seat: Seat, ringing: number, nobody: NobodyNow | null) => {
        this.emit('seat', { userId: seat.userId, campaignId, seatId: seat.seatId, state: seat.state, ringing, ...(nobody ? { nobody } : {}) });
        // Written when the seat moved (its state, its line), not for every line that starts or stops ringing.
        const last = written.get(seat.seatId);
        if (last && last.state === seat.state && last.lineId === seat.lineId && last.since === seat.since) return;
        const copy = { ...seat };
        written.set(seat.seatId, copy);
        write(() => repository.saveSeat(this.db, campaignId, copy));
      },
      bridged: (seat: Seat, bridged: Line) => {
        this.calling.assignmentOf(seat.userId, campaignId, bridged.target.leaseId).then((assignment) => {
          if (assignment) this.emit('bridged', { userId: seat.userId, campaignId, assignment, ...(bridged.detected === 'machine' ? { detected: 'machine' as const } : {}) });
        }, onError);
      },
      ended: (seat: Seat, ended: Line) => this.emit('ended', { userId: seat.userId, campaignId, assignmentId: ended.target.leaseId }),
      line: (changed: Line, outcome?: Parameters<typeof repository.saveLine>[3]) => {
        const copy = { ...changed };
        const now = this.clock.now();
        write(() => repository.saveLine(this.db, line, copy, outcome, now));
      },
      error: onError,
    };
  }

  /** Acts on the campaign's seats as PostgreSQL has them (one look at a time per campaign). */
  private sync(campaignId: string): Promise<void> {
    const pending = this.syncing.get(campaignId);
    if (pending) return pending;
    const done = this.syncOnce(campaignId).finally(() => this.syncing.delete(campaignId));
    this.syncing.set(campaignId, done);
    return done;
  }

  private async syncOnce(campaignId: string): Promise<void> {
    const running = this.running.get(campaignId);
    if (!running) return;
    const { dialer, seen } = running;
    const rows = await repository.liveSeats(this.db, campaignId, this.clock.now());
    const present = new Set<string>();
    for (const row of rows) {
      present.add(row.userId);
      const last = seen.get(row.id);
      if (!last || !dialer.seatOf(row.userId)) {
        // New here: a save or hang-up made before is not acted on again; one talking or wrapping up
        // (bridged by a process that stopped, or their page came back) gets nobody new until they save.
        // The seat's state is the last pacing process's: a caller who saved while nobody paced holds nobody now.
        seen.set(row.id, { saves: row.saves, hangups: row.hangups });
        if ((row.state === 'talking' || row.state === 'wrapping') && (await repository.bridgedLease(this.db, campaignId, row.userId))) dialer.restore(row.userId, row.id);
      } else {
        if (row.hangups > last.hangups) {
          last.hangups = row.hangups;
          await dialer.hangup(row.userId);
        }
        if (row.saves > last.saves) {
          last.saves = row.saves;
          dialer.saved(row.userId);
        }
      }
      // Without their own line up (Twilio: not in their conference) a caller gets nobody new, as in a pause.
      if (row.wants === 'pause' || !row.lineUp) dialer.pause(row.userId);
      else dialer.start(row.userId, row.id);
    }
    for (const seat of [...dialer.seats.values()]) {
      if (present.has(seat.userId)) continue;
      dialer.leave(seat.userId);
      seen.delete(seat.seatId);
    }
  }
}
