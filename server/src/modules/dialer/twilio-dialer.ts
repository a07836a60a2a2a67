import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient';
import type { Database } from '../../../../db/database';
import type { Clock } from '../../clock';
import type { TwilioCredentials } from '../../config';
import { conflict } from '../../errors';
import { FINAL_RANK, RANK, TWILIO_STATUS, type TelephonyService } from '../telephony/telephony.service';
import { NotPlacedError, type AnsweredBy, type AnswerDecision, type DialerProvider, type DialerSink, type LineEnd, type PlaceCall, type Scheduler } from './dialer.types';
import { CallLimiter, type AccountLimits, type Release } from './limits';
import * as repository from './twilio-dialer.repository';
import { abandonTwiml, bridgeTwiml, conferenceName, DIALER_WEBHOOK_PATHS, hangupTwiml, holdTwiml, MACHINE_DETECTION_TIMEOUT_SECONDS, webhookUrl } from './twilio-twiml';

// The dialer's calls through Twilio. place() waits for the account's turn (calls per second, concurrent
// calls: Ringa's queue, never Twilio's): first in this process's queue, then for a start reserved in
// PostgreSQL, which every process dialling through the account shares. Then it creates the call with asynchronous answering-machine
// detection; whoever picks up is held in silence until detection says who it is, the dialer decides, and
// the call is updated: into the caller's conference, a short message and goodbye, or hung up. Every
// webhook is signed for PUBLIC_URL (TelephonyService.verifyWebhook) and names its line in the query; each
// line's state is in PostgreSQL, changed only forward, so a repeated, late or out-of-order callback
// changes nothing and a call that has ended is bridged to no one.

/** A caller's own line (their browser in their seat's conference), as Twilio's conference events tell it. */
/** The longest the pacer lets the account's queue of calls grow, in expected wait. */
const QUEUE_AHEAD_MS = 2000;

export interface SeatEvents {
  /** The caller is in their conference, ready for the people the dialer bridges. */
  joined(seatId: string): void;
  /** The caller's conference ended: the caller is gone (the people in it are let go by Twilio). */
  left(seatId: string): void;
}

export interface TwilioDialerOptions {
  publicUrl: URL;
  /** Time for the account limiters (default: real timers). */
  scheduler?: Scheduler | undefined;
  /** Twilio's REST API at another address, e.g. http://127.0.0.1:port for a local fake in tests (default Twilio's own). */
  apiBaseUrl?: string | undefined;
  onError?: ((error: unknown) => void) | undefined;
}

/** Answering-machine detection's AnsweredBy as the dialer's: machine_* and fax are machines, unknown counts as a person. */
export function answeredBy(value: string | undefined): AnsweredBy | null {
  if (value === 'human') return 'human';
  if (value === 'unknown') return 'unknown';
  if (value === 'fax' || value?.startsWith('machine_')) return 'machine';
  return null;
}

const realTimers: Scheduler = {
  now: () => Date.now(),
  setTimeout: (run, ms) => {
    const timer = setTimeout(run, ms);
    timer.unref();
    return timer;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

type RequestOptions<TData> = RequestClient.RequestOptions<TData>;

/** The twilio library's own HTTP client, sending to another address than api.twilio.com (a fake of Twilio's API). */
class RedirectedRequestClient extends twilio.RequestClient {
  constructor(private readonly base: URL) {
    super();
  }
  override request<TData>(opts: RequestOptions<TData>) {
    const uri = new URL(opts.uri);
    uri.protocol = this.base.protocol;
    uri.host = this.base.host;
    return super.request<TData>({ ...opts, uri: uri.href });
  }
}

/** Twilio's answer when a call to update has already ended (21220: not in progress; 20404: not found). */
function callGone(error: unknown): boolean {
  const { code, status } = error as { code?: number; status?: number };
  return code === 21220 || code === 20404 || status === 404;
}

/** Twilio's error without its message, which can quote the number dialled: its code and HTTP status only. */
export class TwilioFailure extends Error {
  constructor(
    readonly code: number | undefined,
    readonly status: number | undefined,
    what: string,
  ) {
    super(`Twilio refused ${what} (code ${code ?? 'none'}, HTTP ${status ?? 'none'}).`);
    this.name = 'TwilioFailure';
  }
}

function twilioFailure(what: string, error: unknown): TwilioFailure {
  const { code, status } = (error ?? {}) as { code?: unknown; status?: unknown };
  return new TwilioFailure(typeof code === 'number' ? code : undefined, typeof status === 'number' ? status : undefined, what);
}

/** How often a process looks for its calls that ended through another process's webhook (their places in the queue are freed). */
const SWEEP_MS = 2000;

/** How often a call waiting for the account's concurrent-call cap (every process's calls) asks again. */
const CAP_POLL_MS = 250;

export class TwilioDialer implements DialerProvider {
  private sink: DialerSink | null = null;
  private seats: SeatEvents | null = null;
  private readonly limiters = new Map<string, CallLimiter>();
  /** Each placed call's place among its account's alive calls, until it ends. */
  private readonly releases = new Map<string, Release>();
  private readonly scheduler: Scheduler;
  private admission: Promise<unknown> = Promise.resolve();
  /** Per account, this process's calls reserving their start in PostgreSQL, one at a time in their turn's order. */
  private readonly starts = new Map<string, { last: Promise<unknown>; waiting: number }>();
  private sweep: unknown = null;
  private closed = false;
  private readonly httpClient: InstanceType<typeof twilio.RequestClient> | undefined;

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly telephony: TelephonyService,
    private readonly options: TwilioDialerOptions,
  ) {
    this.scheduler = options.scheduler ?? realTimers;
    this.httpClient = options.apiBaseUrl ? new RedirectedRequestClient(new URL(options.apiBaseUrl)) : undefined;
  }

  /** The dialer that decides: told of every call's progress. Seat events: the callers' own lines. */
  attach(sink: DialerSink, seats?: SeatEvents): void {
    this.sink = sink;
    this.seats = seats ?? null;
  }

  close(): void {
    this.closed = true;
    if (this.sweep !== null) this.scheduler.clearTimeout(this.sweep);
    this.sweep = null;
    for (const limiter of this.limiters.values()) limiter.close();
    this.limiters.clear();
  }

  private client(credentials: TwilioCredentials) {
    return twilio(credentials.apiKey, credentials.apiSecret, { accountSid: credentials.accountSid, ...(this.httpClient ? { httpClient: this.httpClient } : {}) });
  }

  private limiterOf(accountSid: string, limits: AccountLimits): CallLimiter {
    let limiter = this.limiters.get(accountSid);
    if (!limiter) {
      limiter = new CallLimiter(this.scheduler, limits);
      this.limiters.set(accountSid, limiter);
    } else {
      const current = limiter.currentLimits();
      if (current.callsPerSecond !== limits.callsPerSecond || current.maxConcurrentCalls !== limits.maxConcurrentCalls) limiter.setLimits(limits);
    }
    return limiter;
  }

  /** The queue of the account an organisation calls through, for the pacer: how many calls wait and how long. */
  async limiterFor(organisationId: string): Promise<Pick<CallLimiter, 'queued' | 'expectedWaitMs' | 'atCapacity' | 'inFlight'> | null> {
    const account = await this.telephony.twilioAccount(organisationId);
    return account ? this.limiterOf(account.credentials.accountSid, account.limits) : null;
  }

  /**
   * For the pacer: no more calls while the account is at its concurrent-call cap or its queue is two
   * seconds long (a call dialled later than it was decided rings for a caller who may no longer wait);
   * the cap and the queue of every process dialling through the account, as PostgreSQL keeps them.
   */
  async room(organisationId: string): Promise<number | undefined> {
    const account = await this.telephony.twilioAccount(organisationId);
    if (!account) return undefined;
    const { accountSid } = account.credentials;
    const limiter = this.limiterOf(accountSid, account.limits);
    if (limiter.atCapacity()) return 0;
    const shared = await repository.accountQueue(this.db, accountSid);
    const cap = account.limits.maxConcurrentCalls;
    if (cap !== null && shared.live >= cap) return 0;
    // This process's calls that had their turn here and wait to reserve a start go after the account's queue.
    const sharedWait = shared.waitMs + (this.starts.get(accountSid)?.waiting ?? 0) * (1000 / account.limits.callsPerSecond);
    return Math.max(limiter.expectedWaitMs(), sharedWait) >= QUEUE_AHEAD_MS ? 0 : undefined;
  }

  async place(call: PlaceCall): Promise<{ providerCallId: string }> {
    // Calls join their account's queue in the order they were asked for (the look-ups before it, one at a time).
    const admitted = this.admission.then(() => this.admit(call));
    this.admission = admitted.catch(() => undefined);
    const { credentials, limits, turn } = await admitted;
    let release: Release;
    try {
      release = await turn.granted;
    } catch (error) {
      // The queue closed (the server stops) before the call's turn: nobody was rung.
      throw new NotPlacedError('The call was not placed.', { cause: error });
    }
    this.releases.set(call.lineId, release);
    this.sweepSoon();
    const query = { lineId: call.lineId };
    let created: { sid: string };
    try {
      await this.startOf(credentials.accountSid, call.lineId, limits);
      if (this.closed) throw new Error('The Twilio dialer is closed.');
    } catch (error) {
      this.releaseLine(call.lineId);
      await repository.advanceLine(this.db, call.lineId, { status: 'canceled', rank: FINAL_RANK, at: this.clock.now(), answered: false, talkSeconds: 0 });
      throw new NotPlacedError('The call was not placed.', { cause: error });
    }
    try {
      created = await this.client(credentials).calls.create({
        to: call.target.phone,
        from: credentials.callerId,
        url: webhookUrl(this.options.publicUrl, DIALER_WEBHOOK_PATHS.answer, query),
        method: 'POST',
        timeout: Math.max(15, Math.round(call.ringTimeoutSeconds)),
        machineDetection: 'Enable',
        // Detection answers within this (else 'unknown', taken as a person): well inside the silent hold.
        machineDetectionTimeout: MACHINE_DETECTION_TIMEOUT_SECONDS,
        asyncAmd: 'true',
        asyncAmdStatusCallback: webhookUrl(this.options.publicUrl, DIALER_WEBHOOK_PATHS.amd, query),
        asyncAmdStatusCallbackMethod: 'POST',
        statusCallback: webhookUrl(this.options.publicUrl, DIALER_WEBHOOK_PATHS.status, query),
        statusCallbackMethod: 'POST',
        statusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'],
      });
    } catch (error) {
      this.releaseLine(call.lineId);
      await repository.advanceLine(this.db, call.lineId, { status: 'failed', rank: FINAL_RANK, at: this.clock.now(), answered: false, talkSeconds: 0 });
      throw twilioFailure('creating a call', error);
    }
    await repository.bindCall(this.db, call.lineId, created.sid, this.clock.now());
    return { providerCallId: created.sid };
  }

  /** The call's account, its line saved, and its place in the account's queue (not yet its turn). */
  private async admit(call: PlaceCall): Promise<{ credentials: TwilioCredentials; limits: AccountLimits; turn: { granted: Promise<Release> } }> {
    const account = await this.telephony.twilioAccount(call.target.organisationId);
    if (!account) throw conflict('telephony_not_configured', 'Calling through Twilio is not set up for this organisation. Ask an admin to add the Twilio settings.');
    const { credentials } = account;
    if (!account.callingCodes.some((code) => call.target.phone.startsWith(`+${code}`))) {
      throw conflict('call_country_not_allowed', 'The number is in a country this organisation may not call; it was not dialled.');
    }
    const now = this.clock.now();
    await repository.insertLine(this.db, {
      lineId: call.lineId,
      organisationId: call.target.organisationId,
      accountSid: credentials.accountSid,
      callSid: null,
      status: 'queued',
      statusRank: RANK.queued,
      createdAt: now,
      updatedAt: now,
    });
    return { credentials, limits: account.limits, turn: { granted: this.limiterOf(credentials.accountSid, account.limits).acquire() } };
  }

  /**
   * Waits for the call's start among every process's calls through the account: reserved in PostgreSQL
   * (the account's next free start, one interval after the last; a process that reserved one and died
   * leaves a gap of one interval), once the account has fewer live calls than its cap. This process's
   * calls reserve one at a time, in their turn's order, each after the previous one's start.
   */
  private startOf(accountSid: string, lineId: string, limits: AccountLimits): Promise<void> {
    const queue = this.starts.get(accountSid) ?? { last: Promise.resolve(), waiting: 0 };
    this.starts.set(accountSid, queue);
    queue.waiting += 1;
    const reserve = async (): Promise<number> => {
      try {
        for (;;) {
          if (this.closed) throw new Error('The Twilio dialer is closed.');
          const waitMs = await repository.reserveStart(this.db, { accountSid, lineId, intervalMs: 1000 / limits.callsPerSecond, cap: limits.maxConcurrentCalls });
          if (waitMs !== null) return waitMs;
          await this.sleep(CAP_POLL_MS);
        }
      } finally {
        queue.waiting -= 1;
      }
    };
    const started = queue.last.then(reserve).then((waitMs) => (waitMs > 0 ? this.sleep(waitMs) : undefined));
    queue.last = started.catch(() => undefined);
    return started;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.scheduler.setTimeout(resolve, ms));
  }

  /**
   * Ends the call; when Twilio answers that it is over (its status, or that the call is gone), the line
   * ends here and then, its place among the account's calls freed, so that a final callback that never
   * comes holds no place for ever (a late one changes nothing).
   */
  async hangup(line: { lineId: string; providerCallId: string; organisationId: string }): Promise<void> {
    const row = await repository.findLine(this.db, line.lineId);
    if (!row || row.statusRank >= FINAL_RANK) return;
    const account = await this.telephony.twilioAccount(line.organisationId);
    if (!account) return;
    // 'completed' ends a call whatever its state (Twilio: 'canceled' only ends queued or ringing calls).
    const answer = await this.update(account.credentials, line.providerCallId, { status: 'completed' });
    const status = answer === 'gone' ? (row.answeredAt ? 'completed' : 'canceled') : TWILIO_STATUS[answer.status];
    if (!status || RANK[status] < FINAL_RANK) return; // still alive: its callback ends it
    const talkSeconds =
      answer !== 'gone' && answer.duration !== null
        ? answer.duration
        : row.answeredAt
          ? Math.max(0, Math.round((this.clock.now().getTime() - new Date(row.answeredAt).getTime()) / 1000))
          : 0;
    await this.endLine(row, status as LineEnd, talkSeconds);
  }

  /** Changes a live call: the call's status and duration as Twilio answers; 'gone' when it has ended meanwhile (it is left as it is). */
  private async update(credentials: TwilioCredentials, callSid: string, change: { status: 'completed' } | { twiml: string }): Promise<{ status: string; duration: number | null } | 'gone'> {
    try {
      const call = await this.client(credentials).calls(callSid).update(change);
      const duration = Number.parseInt(call.duration ?? '', 10);
      return { status: String(call.status), duration: Number.isFinite(duration) && duration >= 0 ? duration : null };
    } catch (error) {
      if (!callGone(error)) throw twilioFailure('updating a call', error);
      return 'gone';
    }
  }

  /**
   * Twilio may send a call's last callback to another process (behind a load balancer): this one then
   * learns from PostgreSQL that its call ended and frees its place among the account's calls.
   */
  private sweepSoon(): void {
    if (this.sweep !== null || this.releases.size === 0) return;
    this.sweep = this.scheduler.setTimeout(() => {
      const lineIds = [...this.releases.keys()];
      repository
        .endedLines(this.db, lineIds)
        .then((ended) => {
          for (const lineId of ended) this.releaseLine(lineId);
        })
        .catch((error: unknown) => this.options.onError?.(error))
        .finally(() => {
          this.sweep = null;
          if (!this.closed) this.sweepSoon();
        });
    }, SWEEP_MS);
  }

  private releaseLine(lineId: string): void {
    this.releases.get(lineId)?.();
    this.releases.delete(lineId);
  }

  private requireSink(): DialerSink {
    if (!this.sink) throw new Error('No dialer is attached to the Twilio dialer.');
    return this.sink;
  }

  /** The line a signed webhook names, if it is a call of the account that signed it (tying the call to the line the first time). */
  private async lineOf(params: Record<string, string>, url: string): Promise<repository.LineRow | undefined> {
    const lineId = new URL(url).searchParams.get('lineId') ?? '';
    const callSid = params.CallSid ?? '';
    if (!lineId || !/^CA[0-9a-fA-F]{32}$/.test(callSid)) return undefined;
    const line = await repository.findLine(this.db, lineId);
    if (!line || line.accountSid !== params.AccountSid) return undefined;
    if (line.callSid !== callSid && !(await repository.bindCall(this.db, lineId, callSid, this.clock.now()))) return undefined;
    return { ...line, callSid };
  }

  /** Ends the line once: its place in the account's calls is freed and the dialer is told. */
  private async endLine(line: repository.LineRow, status: LineEnd, talkSeconds: number): Promise<void> {
    const ended = await repository.advanceLine(this.db, line.lineId, { status, rank: FINAL_RANK, at: this.clock.now(), answered: false, talkSeconds });
    if (!ended) return;
    this.releaseLine(line.lineId);
    this.requireSink().ended(line.lineId, status, talkSeconds);
  }

  // --- webhooks ----------------------------------------------------------------------------------

  /** Someone picked up: held in silence while detection listens; a line that has ended is hung up. */
  async answerWebhook(params: Record<string, string>, signature: string | undefined, url: string): Promise<string> {
    await this.telephony.verifyWebhook(params, signature, url);
    const line = await this.lineOf(params, url);
    if (!line || line.statusRank >= FINAL_RANK) return hangupTwiml();
    await repository.advanceLine(this.db, line.lineId, { status: 'in-progress', rank: RANK['in-progress'], at: this.clock.now(), answered: true, talkSeconds: null });
    return holdTwiml();
  }

  /** Detection's answer: the dialer decides once, and the decision is applied to the call while it is alive. */
  async amdWebhook(params: Record<string, string>, signature: string | undefined, url: string): Promise<void> {
    await this.telephony.verifyWebhook(params, signature, url);
    const by = answeredBy(params.AnsweredBy);
    const line = await this.lineOf(params, url);
    if (!by || !line?.callSid) return;
    const claimed = await repository.claimAnswer(this.db, line.lineId, by, this.clock.now());
    if (!claimed) return; // repeated, or the call has ended
    const decision: AnswerDecision = await this.requireSink().answered(line.lineId, by);
    const seatId = decision.action === 'bridge' ? decision.seatId : null;
    if (!(await repository.recordDecision(this.db, line.lineId, decision.action, seatId, this.clock.now()))) return;
    const account = await this.telephony.twilioAccount(line.organisationId);
    if (!account) return;
    switch (decision.action) {
      case 'bridge':
        await this.update(account.credentials, line.callSid, { twiml: bridgeTwiml(this.options.publicUrl, decision.seatId) });
        return;
      case 'abandon':
        await this.update(account.credentials, line.callSid, { twiml: abandonTwiml(decision.text, decision.language) });
        return;
      case 'hangup':
        await this.update(account.credentials, line.callSid, { status: 'completed' });
        return;
    }
  }

  /** The call's progress: ringing, answered, ended (with its talk time); only ever forward. */
  async statusWebhook(params: Record<string, string>, signature: string | undefined, url: string): Promise<void> {
    await this.telephony.verifyWebhook(params, signature, url);
    const status = TWILIO_STATUS[params.CallStatus ?? ''];
    const line = await this.lineOf(params, url);
    if (!status || !line) return;
    if (RANK[status] >= FINAL_RANK) {
      const duration = Number.parseInt(params.CallDuration ?? '', 10);
      await this.endLine(line, status as LineEnd, Number.isFinite(duration) && duration >= 0 ? duration : 0);
      return;
    }
    const moved = await repository.advanceLine(this.db, line.lineId, { status, rank: RANK[status], at: this.clock.now(), answered: status === 'in-progress', talkSeconds: null });
    if (moved && status === 'ringing') this.requireSink().ringing(line.lineId);
  }

  /**
   * A caller's conference: the caller joining or leaving (their line is up, or gone), a bridged person
   * leaving (the conversation is over), the conference ending. Each is told once.
   */
  async conferenceWebhook(params: Record<string, string>, signature: string | undefined, url: string): Promise<void> {
    await this.telephony.verifyWebhook(params, signature, url);
    const seatId = new URL(url).searchParams.get('seatId') ?? '';
    const conferenceSid = params.ConferenceSid ?? '';
    if (!/^[0-9a-f-]{36}$/.test(seatId) || params.FriendlyName !== conferenceName(seatId) || !/^CF[0-9a-fA-F]{32}$/.test(conferenceSid)) return;
    const now = this.clock.now();
    const callSid = params.CallSid ?? '';
    const line = callSid ? await repository.lineOfCall(this.db, callSid) : undefined;
    const person = line && line.accountSid === params.AccountSid && line.seatId === seatId ? line : undefined;
    switch (params.StatusCallbackEvent) {
      case 'participant-join':
        if (!person && !line && (await repository.conferenceJoined(this.db, conferenceSid, seatId, now))) this.seats?.joined(seatId);
        return;
      case 'participant-leave':
        if (person) {
          const talk = person.answeredAt ? Math.max(0, Math.round((now.getTime() - new Date(person.answeredAt).getTime()) / 1000)) : 0;
          await this.endLine(person, 'completed', talk);
        } else if (!line && (await repository.conferenceEnded(this.db, conferenceSid, seatId, now))) {
          this.seats?.left(seatId);
        }
        return;
      case 'conference-end':
        if (await repository.conferenceEnded(this.db, conferenceSid, seatId, now)) this.seats?.left(seatId);
        return;
      default:
        return;
    }
  }
}
