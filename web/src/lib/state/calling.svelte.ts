// The caller's screen as state: one campaign joined over socket.io, one person at a time, and saves
// that are never lost. Every save goes into the outbox (the browser's storage) before it is sent and
// leaves it only when the server has answered; whatever is waiting is sent again, in order and with
// its key, each time the connection comes back, so the server saves each call exactly once.
import type {
  Assignment,
  CampaignStatsEvent,
  ClientToServerEvents,
  CompleteCallRequest,
  CorrectCallRequest,
  DialerBridgedEvent,
  DialerEndedEvent,
  DialerSeatEvent,
  JoinAnswer,
  NoContactReason,
  Opening,
  SkipReason,
} from '$contract/realtime';
import { realtime, type RealtimeSocket } from '$lib/realtime/socket';
import { figuresOf, type CallFigures } from './campaign-figures';
import { browserStorage, Outbox, outboxKey, type QueuedSave } from './outbox';
import { SeatLine } from './seat-line';

export type CallerCampaign = JoinAnswer['campaign'];

/** Where the caller is: joining, reading the briefing, calling, on a pause, done for now, or unable to join. */
export type Stage = 'joining' | 'briefing' | 'calling' | 'paused' | 'ended' | 'failed';

/** How long the first connection may take before the screen says it is offline. */
const UNREACHABLE_AFTER_MS = 5_000;

/** How long an answer may take before the save is treated as sent while offline (it stays in the outbox). */
const ANSWER_TIMEOUT_MS = 8_000;

/** How long to wait before asking again while the server cannot reach its database. */
const SERVER_RETRY_MS = 3_000;

/** The server is up but its database is away for a moment (a restart): what was asked is kept and asked again. */
const isPassing = (code: string) => code === 'database_unavailable';

type CallingEvent = 'campaign:join' | 'contact:next' | 'call:complete' | 'call:correct' | 'contact:release' | 'contact:skip' | 'dialer:start' | 'dialer:pause' | 'dialer:hangup';
type Payload<E extends CallingEvent> = Parameters<ClientToServerEvents[E]>[0];
type AnswerOf<E extends CallingEvent> = Parameters<Parameters<ClientToServerEvents[E]>[1]>[0] extends infer A ? (A extends { ok: true; data: infer T } ? T : never) : never;
/** An answer, or why there was none: `network` when the connection dropped or the answer did not come. */
type Outcome<T> = { ok: true; data: T } | { ok: false; code: string; message: string };

interface LooseEmitter {
  emit(event: string, payload: unknown, ack: (error: Error | null, answer: unknown) => void): void;
}

/** Asks the server and waits for its answer, at most ANSWER_TIMEOUT_MS; a dropped connection answers `network` at once. */
function ask<E extends CallingEvent>(socket: RealtimeSocket, event: E, payload: Payload<E>): Promise<Outcome<AnswerOf<E>>> {
  return new Promise((resolve) => {
    if (!socket.connected) {
      resolve({ ok: false, code: 'network', message: 'offline' });
      return;
    }
    let done = false;
    const finish = (outcome: Outcome<AnswerOf<E>>) => {
      if (done) return;
      done = true;
      socket.off('disconnect', dropped);
      resolve(outcome);
    };
    const dropped = () => finish({ ok: false, code: 'network', message: 'disconnected' });
    socket.on('disconnect', dropped);
    (socket.timeout(ANSWER_TIMEOUT_MS) as unknown as LooseEmitter).emit(event, payload, (error, answer) => {
      if (error) return finish({ ok: false, code: 'network', message: 'timeout' });
      const ack = answer as { ok: true; data: AnswerOf<E> } | { ok: false; error: { code: string; message: string } };
      finish(ack.ok ? { ok: true, data: ack.data } : { ok: false, code: ack.error.code, message: ack.error.message });
    });
  });
}

/** What the caller is told about the person who just left the screen without their call. */
export type Notice =
  | { kind: 'revoked'; reason: 'do-not-call' | 'expired' | 'erased'; person: string }
  /** A save the server refused for good (the person had gone back to the queue): what it held, to pass on. */
  | { kind: 'refused'; person: string; outcome: string; notes: string; noteForNext: string; message: string; offline: boolean };

/** How long after saving a call its caller may correct it (the server's rule is 10 minutes; a little less here, for clocks and the way there). */
export const CORRECTION_MS = 9.5 * 60_000;

/**
 * The caller's last saved call, while it may be corrected: what was sent, and who it was with. Kept in
 * memory only (it holds answers, which are political opinions) and forgotten with the page.
 */
export interface LastCall {
  callId: string;
  request: CompleteCallRequest;
  person: Pick<Assignment['contact'], 'firstName' | 'lastName' | 'attributes'>;
  recruit: boolean;
  /** When the server acknowledged it (this browser's clock). */
  savedAt: number;
}

/** The caller's own figures today: from the server on each join, counted on here as saves are acknowledged. */
export interface Today {
  calls: number;
  conversations: number;
  recruits: number;
}

/**
 * The caller's seat in a dialing campaign (power, predictive): Ringa dials for them and bridges the people
 * who answer. `ringing`: the lines ringing for them now.
 */
export interface Seat {
  seatId: string;
  line: 'twilio' | 'simulated';
  state: DialerSeatEvent['state'];
  ringing: number;
  /** Ringa has nobody to ring now: why (nobody due, outside the calling hours, paused, finished) and when calling opens. */
  nobody: NonNullable<DialerSeatEvent['nobody']> | null;
}

export class CallingSession {
  campaign = $state<CallerCampaign | null>(null);
  stage = $state<Stage>('joining');
  /** Connected to the server now. False at first, until the connection is made. */
  online = $state(false);
  /** The browser says it has no network (its offline event): said at once, before the socket notices. */
  browserOffline = $state(typeof navigator !== 'undefined' && !navigator.onLine);
  /** Whether calling is open now and, when the clock closes it, when it opens next (from the join, then from each "no one" answer). */
  opening = $state<Opening>({ closed: null, opensAt: null });
  /** Whether the connection was ever made: before it, the screen says "connecting", not "offline". */
  connectedOnce = $state(false);
  /** The first connection has failed or is taking too long: the screen says it is offline after all. */
  unreachable = $state(false);
  assignment = $state<Assignment | null>(null);
  /** Why there is no one to call, when there is no one. */
  reason = $state<NoContactReason | null>(null);
  /** Waiting for the server to hand out the next person. */
  loadingNext = $state(false);
  /** A save is on its way. */
  saving = $state(false);
  today = $state<Today>({ calls: 0, conversations: 0, recruits: 0 });
  /** The campaign's figures, all callers together: from the join, then from each live `campaign:stats`. */
  shared = $state<CallFigures | null>(null);
  /** Saves kept in the browser until the server acknowledges them, oldest first. */
  waiting = $state<QueuedSave[]>([]);
  notice = $state<Notice | null>(null);
  /** The last call this caller saved here, for "Change" within CORRECTION_MS. */
  last = $state<LastCall | null>(null);
  /** Why joining failed: the server's code (campaign_not_open, forbidden, not_found …). */
  failure = $state<string | null>(null);
  /** The server cannot reach its database right now: saves wait here and are sent again every few seconds. */
  serverAway = $state(false);
  /** In a dialing campaign: the caller's seat once started (null before, and after ending). */
  seat = $state<Seat | null>(null);
  /** The seat is being opened (dialer:start is on its way, or the browser line is connecting). */
  seatOpening = $state(false);
  /** Why the seat could not be opened: the server's code, or `line` when the browser line failed. */
  seatFailure = $state<string | null>(null);
  /** The bridged person's line: connected until they hang up (dialer:ended) or the caller does. */
  line = $state<'connected' | 'ended' | null>(null);
  /** Pause asked while talking: no new people after this one, the pause comes with the save. */
  pausing = $state(false);
  /** Detection took the bridged call for an answering machine (a waiting caller gets it so that no person is hung up on). */
  maybeMachine = $state(false);

  /** Whether Ringa dials for the caller in this campaign (power, predictive), rather than the caller asking for the next person. */
  get dials(): boolean {
    return this.campaign !== null && this.campaign.dialMode !== 'preview';
  }

  private readonly seatLine = new SeatLine();
  /** A seat event that came before dialer:start's answer. */
  private earlySeat: DialerSeatEvent | null = null;
  private socket: RealtimeSocket | null = null;
  private readonly outbox: Outbox;
  private flushing = false;
  private retry: ReturnType<typeof setTimeout> | undefined;
  /** The join itself is to be asked again (it also sends what waits and brings the next person). */
  private joinAgain = false;

  /** Asks again in a few seconds: the join if it failed, else what waits, then the next person, as the caller was. */
  private tryAgainSoon(join = false): void {
    this.serverAway = true;
    this.joinAgain ||= join;
    clearTimeout(this.retry);
    this.retry = setTimeout(() => {
      if (this.joinAgain) {
        this.joinAgain = false;
        void this.rejoin();
      } else {
        void this.flush().then(() => (this.stage === 'calling' && !this.assignment ? this.next() : undefined));
      }
    }, SERVER_RETRY_MS);
  }

  constructor(
    readonly campaignId: string,
    userId: string,
  ) {
    this.outbox = new Outbox(browserStorage(), outboxKey(userId, campaignId));
    this.waiting = this.outbox.list();
  }

  /** Connects and follows the connection; returns the function that lets go (the person goes back to the queue). */
  start(): () => void {
    const socket = realtime();
    this.socket = socket;
    const connected = () => {
      this.online = true;
      this.connectedOnce = true;
      this.unreachable = false;
      void this.rejoin();
    };
    const disconnected = () => {
      this.online = false;
    };
    const failed = () => {
      if (!socket.connected) this.unreachable = true;
    };
    // A page opened without a network (say, reloaded while offline) says so after a few seconds.
    const slow = setTimeout(failed, UNREACHABLE_AFTER_MS);
    const networkGone = () => (this.browserOffline = true);
    const networkBack = () => (this.browserOffline = false);
    window.addEventListener('offline', networkGone);
    window.addEventListener('online', networkBack);
    const revoked = ({ assignmentId, reason }: { assignmentId: string; reason: 'do-not-call' | 'expired' | 'erased' }) => {
      const current = this.assignment;
      if (!current || current.id !== assignmentId) return;
      this.notice = { kind: 'revoked', reason, person: fullName(current) };
      this.assignment = null;
      if (this.stage === 'calling') void this.next();
    };
    const stats = (event: CampaignStatsEvent) => {
      if (event.campaignId === this.campaignId) this.shared = figuresOf(event);
    };
    const seatChanged = (event: DialerSeatEvent) => this.seatChanged(event);
    const bridged = (event: DialerBridgedEvent) => this.bridged(event);
    const ended = (event: DialerEndedEvent) => {
      if (event.campaignId === this.campaignId && this.assignment?.id === event.assignmentId) this.line = 'ended';
    };
    socket.on('connect', connected);
    socket.on('disconnect', disconnected);
    socket.on('connect_error', failed);
    socket.on('assignment:revoked', revoked);
    socket.on('campaign:stats', stats);
    socket.on('dialer:seat', seatChanged);
    socket.on('dialer:bridged', bridged);
    socket.on('dialer:ended', ended);
    if (socket.connected) connected();
    return () => {
      socket.off('connect', connected);
      socket.off('disconnect', disconnected);
      socket.off('connect_error', failed);
      window.removeEventListener('offline', networkGone);
      window.removeEventListener('online', networkBack);
      clearTimeout(slow);
      socket.off('assignment:revoked', revoked);
      socket.off('campaign:stats', stats);
      socket.off('dialer:seat', seatChanged);
      socket.off('dialer:bridged', bridged);
      socket.off('dialer:ended', ended);
      this.seatLine.close();
      clearTimeout(this.retry);
      void this.release();
      this.socket = null;
    };
  }

  /** Joins the campaign (again, after a reconnect), sends what waits, and carries on where the caller was. */
  private async rejoin(): Promise<void> {
    const socket = this.socket;
    if (!socket) return;
    // What waits goes first, so the figures the join brings already count it (a save whose answer was lost is not counted twice).
    await this.flush();
    const answer = await ask(socket, 'campaign:join', { campaignId: this.campaignId });
    if (!answer.ok) {
      if (answer.code === 'network') return; // the next connect tries again
      if (isPassing(answer.code)) return this.tryAgainSoon(true);
      this.failure = answer.code;
      this.stage = 'failed';
      return;
    }
    this.serverAway = false;
    this.campaign = answer.data.campaign;
    this.opening = answer.data.opening;
    const { me, shared } = answer.data;
    this.today = { calls: me.callsToday, conversations: me.conversationsToday, recruits: me.recruitsToday };
    this.shared = figuresOf(shared);
    if (this.stage === 'joining') this.stage = 'briefing';
    // Back after a drop: the person held before comes back from contact:next; a new one if the save went through.
    // In a dialing campaign the seat is opened again (the server closes it with the connection).
    if (this.stage === 'calling') await (this.dials ? (this.assignment ? undefined : this.openSeat()) : this.next());
  }

  /** The server says where the seat is; a pause it confirms while no one is on the screen shows the pause. */
  private seatChanged(event: DialerSeatEvent): void {
    if (event.campaignId !== this.campaignId) return;
    if (!this.seat) {
      // Ahead of dialer:start's answer (the seat was paced before the answer came): kept for it.
      this.earlySeat = event;
      return;
    }
    this.seat = { ...this.seat, seatId: event.seatId, state: event.state, ringing: event.ringing, nobody: event.nobody ?? null };
    if (event.state === 'paused' && !this.assignment && this.stage === 'calling') {
      this.stage = 'paused';
      this.pausing = false;
    }
  }

  /** A person answered and is connected: their card, script and questions at once. */
  private bridged(event: DialerBridgedEvent): void {
    if (event.campaignId !== this.campaignId) return;
    this.notice = null;
    this.assignment = event.assignment;
    this.maybeMachine = event.detected === 'machine';
    this.line = 'connected';
    // Someone who answered just as the caller paused is theirs all the same: the pause comes after this call.
    if (this.stage === 'paused') {
      this.stage = 'calling';
      this.pausing = true;
    }
    if (this.seat) this.seat = { ...this.seat, state: 'talking', ringing: 0 };
  }

  /** Opens the caller's seat for the evening (dialer:start); on Twilio the browser joins it once, with the seat's id. */
  private async openSeat(): Promise<void> {
    const socket = this.socket;
    if (!socket || !socket.connected || this.seatOpening) return;
    this.seatOpening = true;
    this.seatFailure = null;
    // Only what comes while the seat opens counts (not, say, the pause of the session ended before).
    this.earlySeat = null;
    try {
      const answer = await ask(socket, 'dialer:start', { campaignId: this.campaignId });
      if (!answer.ok) {
        if (isPassing(answer.code)) this.tryAgainSoon(true);
        else if (answer.code !== 'network') this.seatFailure = answer.code;
        return;
      }
      this.serverAway = false;
      this.seat = { seatId: answer.data.seatId, line: answer.data.line, state: 'waiting', ringing: 0, nobody: null };
      // Set by seatChanged while dialer:start was on its way (TypeScript cannot see that across the await).
      const early = this.earlySeat as DialerSeatEvent | null;
      this.earlySeat = null;
      if (early?.seatId === answer.data.seatId) this.seatChanged(early);
      // The page came back while a person was bridged to the caller: they are still theirs to save.
      if (answer.data.assignment && !this.assignment) this.bridged({ campaignId: this.campaignId, assignment: answer.data.assignment });
      if (answer.data.line === 'twilio') {
        try {
          await this.seatLine.open(answer.data.seatId, () => (this.seatFailure = 'line'));
        } catch {
          this.seatFailure = 'line';
        }
      }
    } finally {
      this.seatOpening = false;
    }
  }

  /** Opens the seat again after it failed ("Try again"). */
  async retrySeat(): Promise<void> {
    this.seatLine.close();
    await this.openSeat();
  }

  /** Ends the conversation with the bridged person; the outcome is then recorded as after any call. */
  async hangup(): Promise<void> {
    const socket = this.socket;
    if (!socket || !socket.connected || this.line !== 'connected') return;
    const answer = await ask(socket, 'dialer:hangup', { campaignId: this.campaignId });
    if (answer.ok) this.line = 'ended';
  }

  /** Asks again whether calling is open (when the time it was to open has come). */
  async refresh(): Promise<void> {
    if (this.socket?.connected) await this.rejoin();
  }

  /** Why no one came, and when calling opens next: kept for the screen. */
  private noOne(reason: NoContactReason | undefined, opensAt: string | null | undefined): void {
    this.reason = reason ?? null;
    if (reason === 'outside-calling-window' || reason === 'paused' || reason === 'finished') this.opening = { closed: reason, opensAt: opensAt ?? null };
    else this.opening = { closed: null, opensAt: null };
  }

  /**
   * Skips the person on the screen without a call, saying why: they go back to the queue for someone else,
   * and the next person comes in the answer. Not kept for later when offline: the caller is told.
   */
  async skip(reason: SkipReason, note: string): Promise<{ ok: true } | { ok: false; code: string; message: string }> {
    const current = this.assignment;
    const socket = this.socket;
    if (!current) return { ok: false, code: 'lease_lost', message: '' };
    if (!socket || !socket.connected) return { ok: false, code: 'network', message: 'offline' };
    this.saving = true;
    const answer = await ask(socket, 'contact:skip', { assignmentId: current.id, reason, ...(reason === 'other' ? { note } : {}) });
    this.saving = false;
    if (!answer.ok) {
      if (answer.code === 'lease_lost') {
        this.assignment = null;
        await this.next();
      }
      return answer;
    }
    this.notice = null;
    this.assignment = answer.data.next;
    this.noOne(answer.data.reason, answer.data.opensAt);
    return { ok: true };
  }

  /** "Start calling", after the briefing. */
  async begin(): Promise<void> {
    this.stage = 'calling';
    this.notice = null;
    await (this.dials ? this.openSeat() : this.next());
  }

  /** The next person (or the one still held). */
  async next(): Promise<void> {
    const socket = this.socket;
    // In a dialing campaign people come by themselves (dialer:bridged), never by asking.
    if (this.dials || !socket || !socket.connected || this.loadingNext || this.outbox.size > 0) return;
    this.loadingNext = true;
    try {
      const answer = await ask(socket, 'contact:next', { campaignId: this.campaignId });
      if (!answer.ok) {
        if (isPassing(answer.code)) this.tryAgainSoon();
        return;
      }
      this.serverAway = false;
      // The same person again (a reconnect) keeps the form as it was: only a new id starts a new one.
      if (answer.data.assignment?.id !== this.assignment?.id) this.assignment = answer.data.assignment;
      this.noOne(answer.data.reason, answer.data.opensAt);
    } finally {
      this.loadingNext = false;
    }
  }

  /**
   * Saves a call and brings the next person. Returns `saved`, `queued` (kept in the browser and sent
   * when the connection returns) or the server's refusal, with the person kept on the screen.
   */
  async save(request: CompleteCallRequest, recruit: boolean): Promise<{ state: 'saved' | 'queued' } | { state: 'refused'; code: string; message: string }> {
    const current = this.assignment;
    const person = current ? fullName(current) : '';
    this.outbox.add(request, person, recruit);
    this.waiting = this.outbox.list();
    this.notice = null;
    const socket = this.socket;
    if (!socket || !socket.connected) {
      this.assignment = null;
      return { state: 'queued' };
    }
    this.saving = true;
    // In a dialing campaign the seat goes back to waiting after the save by itself: no next person is asked for.
    const answer = await ask(socket, 'call:complete', this.dials ? request : { ...request, next: true });
    this.saving = false;
    if (answer.ok && this.dials) {
      this.serverAway = false;
      this.acknowledged(request, recruit, answer.data.callId, current?.contact ?? null);
      this.afterDialedCall();
      return { state: 'saved' };
    }
    if (answer.ok) {
      this.serverAway = false;
      this.acknowledged(request, recruit, answer.data.callId, current?.contact ?? null);
      this.assignment = answer.data.next ?? null;
      this.noOne(answer.data.reason, answer.data.opensAt);
      if (answer.data.next === undefined) await this.next();
      return { state: 'saved' };
    }
    if (answer.code === 'network') {
      this.assignment = null;
      if (socket.connected) void this.flush().then(() => this.next());
      return { state: 'queued' };
    }
    if (isPassing(answer.code)) {
      // Kept in the outbox and sent again under its key: the server saves it once, whenever it is answered.
      this.assignment = null;
      this.tryAgainSoon();
      return { state: 'queued' };
    }
    this.outbox.remove(request.key);
    this.waiting = this.outbox.list();
    if (answer.code === 'lease_lost') {
      this.notice = { kind: 'refused', person, outcome: request.outcome, notes: request.notes ?? '', noteForNext: request.noteForNext ?? '', message: answer.message, offline: false };
      this.assignment = null;
      await this.next();
    }
    return { state: 'refused', code: answer.code, message: answer.message };
  }

  /** The call with the bridged person is saved: the seat waits for the next, or pauses if the caller asked. */
  private afterDialedCall(): void {
    this.assignment = null;
    this.line = null;
    if (this.pausing) {
      this.pausing = false;
      this.stage = 'paused';
    } else if (this.seat) this.seat = { ...this.seat, state: 'waiting' };
  }

  private acknowledged(request: CompleteCallRequest, recruit: boolean, callId: string, contact: LastCall['person'] | null): void {
    this.outbox.remove(request.key);
    this.waiting = this.outbox.list();
    this.today = {
      calls: this.today.calls + 1,
      conversations: this.today.conversations + (request.outcome === 'conversation' ? 1 : 0),
      recruits: this.today.recruits + (recruit ? 1 : 0),
    };
    this.last = contact ? { callId, request, person: { firstName: contact.firstName, lastName: contact.lastName, attributes: contact.attributes }, recruit, savedAt: Date.now() } : null;
  }

  /**
   * Corrects the last call (within CORRECTION_MS of saving it): the server replaces its outcome,
   * answers and notes. Not kept for later when offline: the caller is told to try again.
   */
  async correct(request: CorrectCallRequest, recruit: boolean): Promise<{ ok: true } | { ok: false; code: string; message: string }> {
    const last = this.last;
    const socket = this.socket;
    if (!last || last.callId !== request.callId) return { ok: false, code: 'correction_closed', message: '' };
    if (!socket || !socket.connected) return { ok: false, code: 'network', message: 'offline' };
    const answer = await ask(socket, 'call:correct', request);
    if (!answer.ok) return answer;
    this.today = {
      calls: this.today.calls,
      conversations: this.today.conversations + (request.outcome === 'conversation' ? 1 : 0) - (last.request.outcome === 'conversation' ? 1 : 0),
      recruits: this.today.recruits + (recruit ? 1 : 0) - (last.recruit ? 1 : 0),
    };
    const { callId: _callId, ...fields } = request;
    this.last = { ...last, request: { ...fields, assignmentId: last.request.assignmentId, key: last.request.key }, recruit };
    return { ok: true };
  }

  /** Sends the saves that wait, oldest first, each with its own key; stops at the first that cannot be sent. */
  private async flush(): Promise<void> {
    const socket = this.socket;
    if (!socket || this.flushing) return;
    this.flushing = true;
    try {
      for (const item of this.outbox.list()) {
        const answer = await ask(socket, 'call:complete', item.request);
        if (answer.ok) {
          this.serverAway = false;
          // Sent late: too late to offer a change of it on the screen, so it is not kept as the last call.
          this.acknowledged(item.request, item.recruit, answer.data.callId, null);
          continue;
        }
        if (answer.code === 'network') return;
        if (isPassing(answer.code)) return this.tryAgainSoon();
        // Refused for good (the person went back to the queue while offline): say so, with what it held.
        this.outbox.remove(item.request.key);
        this.waiting = this.outbox.list();
        this.notice = { kind: 'refused', person: item.person, outcome: item.request.outcome, notes: item.request.notes ?? '', noteForNext: item.request.noteForNext ?? '', message: answer.message, offline: true };
      }
    } finally {
      this.flushing = false;
    }
  }

  pause(): void {
    if (this.stage !== 'calling') return;
    if (!this.dials) {
      this.stage = 'paused';
      return;
    }
    // Ringa stops getting people for the caller; one already on the screen stays until the call is saved.
    if (this.assignment) this.pausing = true;
    else this.stage = 'paused';
    void this.pauseSeat();
  }

  private async pauseSeat(): Promise<void> {
    const socket = this.socket;
    if (socket?.connected && this.seat) await ask(socket, 'dialer:pause', { campaignId: this.campaignId });
  }

  async resume(): Promise<void> {
    this.stage = 'calling';
    this.pausing = false;
    if (this.dials) {
      if (!this.assignment) await this.openSeat();
    } else if (!this.assignment) await this.next();
  }

  /** Ends the session: the person held goes back to the queue for someone else; in a dialing campaign the seat closes. */
  async end(): Promise<void> {
    if (this.dials) {
      await this.hangup();
      await this.pauseSeat();
      this.seatLine.close();
      this.seat = null;
      this.line = null;
      this.pausing = false;
    }
    await this.release();
    this.stage = 'ended';
  }

  private async release(): Promise<void> {
    const current = this.assignment;
    const socket = this.socket;
    this.assignment = null;
    if (!current || !socket?.connected) return; // offline, the lease runs out by itself
    await ask(socket, 'contact:release', { assignmentId: current.id });
  }
}

export function fullName(assignment: Pick<Assignment, 'contact'>): string {
  return `${assignment.contact.firstName} ${assignment.contact.lastName}`.trim();
}
