import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { parsePhoneNumberFromString } from 'libphonenumber-js/min';
import type { Database } from '../../../../db/database';
import type { Clock } from '../../clock';
import { AppError, badRequest, conflict, forbidden, notFound } from '../../errors';
import type { CallingWindowValue, OutcomeValue, QuestionValue } from '../campaigns/campaigns.schemas';
import { callTags, DEFAULT_OUTCOMES } from '../campaigns/outcomes';
import type { DialTarget, NobodyNow, ServerOutcome } from '../dialer/dialer.types';
import { insideWindow, localTime, nextOpening } from '../campaigns/calling-window';
import * as campaigns from '../campaigns/campaigns.service';
import type { EngineCampaign } from '../campaigns/campaigns.service';
import { recordObjection } from '../lists/lists.service';
import { authorize, isOwnOrganizer } from '../organisations/organisations.service';
import { noticeDue, noticeFor } from '../privacy/notice.service';
import * as repository from './calling.repository';
import type {
  AssignmentValue,
  CompleteAnswerValue,
  CompleteCallValue,
  CorrectAnswerValue,
  CorrectCallValue,
  JoinAnswerValue,
  NextAnswerValue,
  NoContactReasonValue,
  OpeningValue,
  RevokedReasonValue,
  SkipAnswerValue,
  SkipContactValue,
} from './calling.schemas';

// The calling engine: claims, completions and releases, with the rules of DOMAIN.md kept here
// rather than in the browser. Each answer is one transaction; no transaction stays open while a
// person is being called: the lease carries the hold.

/** A claim lasts this long, and is moved on while the caller's socket is connected. */
export const LEASE_MS = 15 * 60_000;
/** A connected caller's lease is moved on once it has run this long (the heartbeat comes every 30 s). */
const EXTEND_AFTER_MS = 5 * 60_000;
/** A caller whose socket is gone keeps their person this long, for a reconnect. */
export const GRACE_MS = 2 * 60_000;
/** A server process not seen for this long is gone (it beats every 5 s, with the reaper). */
export const PROCESS_GONE_MS = 30_000;
/** A callback is offered to the caller who booked it first; after this, to anyone. */
export const CALLBACK_HOLD_MS = 15 * 60_000;
/** A caller's right to call in a campaign is read from the database at most this often (a removed role counts within it). */
const AUTHORIZED_MS = 30_000;
/** A caller may correct their last call this long after saving it. */
export const CORRECTION_MS = 10 * 60_000;
/** A person the dialer rang and no caller was free for (an abandoned call) is not rung again within 72 hours. */
export const ABANDONED_HOLD_MS = 72 * 60 * 60_000;

/** A save from a caller who no longer holds the person: refused, nothing saved. */
const leaseLost = () =>
  conflict('lease_lost', 'This person is no longer yours to call (the time ran out or they were given back). Nothing was saved; ask for the next person.');

/** A save as the socket checks it (CompleteCall); its answers are checked here against the campaign's questions, so any are taken. */
type CompleteRequest = Omit<CompleteCallValue, 'answers'> & { answers: Record<string, unknown> };

/** The person a caller holds, with the number telephony may dial: never a number the browser sends. */
export interface DialableContact {
  assignmentId: string;
  campaignId: string;
  organisationId: string;
  personId: number;
  phone: string;
  dialing: EngineCampaign['forCaller']['dialing'];
}

export interface EngineEvents {
  /** A lease ended without its caller: a number went on the register, or the lease ran out. */
  revoked: [{ userId: string; assignmentId: string; campaignId: string; reason: RevokedReasonValue }];
  /** A call was saved (for live figures); callerId null: saved by the dialer. */
  saved: [{ campaignId: string; callerId: string | null; outcome: string; dialled: boolean }];
  /** A caller joined or left a campaign (for the callers-online figure). */
  presence: [{ campaignId: string }];
  /** A caller was given someone to call (for the live "held now" of the queue). */
  held: [{ campaignId: string }];
  /** A claim or a save was answered, and how long it took (for /metrics); a claim made within a save has no time of its own. */
  measured: [Measurement];
}

export interface Measurement {
  operation: 'claim' | 'save';
  /** assigned/none: a claim's answer; saved: a save; refused: a 4xx answer (lease lost, bad answers …); failed: ours. */
  result: 'assigned' | 'none' | 'saved' | 'refused' | 'failed';
  seconds: number | null;
}

/** What an error answer counts as in the metrics. */
function resultOf(error: unknown): 'refused' | 'failed' {
  return error instanceof AppError && error.statusCode < 500 ? 'refused' : 'failed';
}


/** Connected callers' leases are moved on this often (see EXTEND_AFTER_MS). */
const HEARTBEAT_MS = 30_000;
/** This process beats, and leases past their time go back to the queue, this often (see PROCESS_GONE_MS). */
const REAP_MS = 5_000;

export class CallingEngine extends EventEmitter<EngineEvents> {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly onError: (error: unknown) => void = () => {},
  ) {
    super();
  }

  private timers: ReturnType<typeof setInterval>[] = [];

  /** Starts the heartbeat: the connected callers (of this process) keep their person; leases whose time ran out go back to the queue. */
  start(connected: () => { userId: string; campaignId: string }[]): void {
    if (this.timers.length > 0) return;
    this.timers = [setInterval(() => void this.extend(connected()).catch(this.onError), HEARTBEAT_MS), setInterval(() => void this.reap().catch(this.onError), REAP_MS)];
    for (const timer of this.timers) timer.unref();
  }

  /** Stops the heartbeat (before this process leaves, see leave()). */
  close(): void {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
  }

  /** Callers found allowed in a campaign, until when (performance.now()): every event is authorized, at most once per AUTHORIZED_MS from the database. */
  private readonly allowed = new Map<string, number>();

  /** The campaign as the engine needs it; callers must have a role in its organisation (or above) or in a team invited to it. */
  private async campaign(userId: string, campaignId: string): Promise<EngineCampaign> {
    const found = await campaigns.campaignForEngine(this.db, campaignId);
    if (!found) throw notFound('The campaign');
    const key = `${userId}|${campaignId}`;
    if ((this.allowed.get(key) ?? 0) > performance.now()) return found;
    await this.authorizeCaller(userId, found);
    if (this.allowed.size > 100_000) this.allowed.clear();
    this.allowed.set(key, performance.now() + AUTHORIZED_MS);
    return found;
  }

  private async authorizeCaller(userId: string, found: EngineCampaign): Promise<void> {
    try {
      await authorize(this.db, userId, found.organisationId, 'caller');
    } catch (refused) {
      for (const teamId of found.callerTeamIds) {
        if (await authorize(this.db, userId, teamId, 'caller').then(() => true, () => false)) return;
      }
      throw refused;
    }
  }

  async join(userId: string, campaignId: string): Promise<JoinAnswerValue> {
    const campaign = await this.campaign(userId, campaignId);
    if (campaign.status === 'draft') throw conflict('campaign_not_open', 'This campaign has not been opened for calling yet.');
    const midnight = startOfLocalDay(this.clock.now(), campaign.timeZone);
    const [me, shared] = await Promise.all([repository.callerFigures(this.db, campaignId, userId, midnight), campaigns.callFigures(this.db, campaignId)]);
    return {
      campaign: campaign.forCaller,
      me: { callsToday: me.calls, conversationsToday: me.conversations, recruitsToday: me.recruits },
      shared,
      opening: openingOf(campaign, this.clock.now()),
    };
  }

  /** Why no one can be called now, or null when calling may go on. */
  private closedReason(campaign: EngineCampaign, now: Date): NoContactReasonValue | null {
    return closedReason(campaign, now);
  }

  async next(userId: string, campaignId: string): Promise<NextAnswerValue> {
    const started = performance.now();
    try {
      const campaign = await this.campaign(userId, campaignId);
      if (campaign.forCaller.dialMode !== 'preview') throw conflict('campaign_dials_for_you', 'Ringa dials for the callers of this campaign: start calling, and people who answer come to you.');
      const answer = await this.db.transaction().execute((trx) => this.claimIn(trx, campaign, userId));
      this.emit('measured', { operation: 'claim', result: answer.assignment ? 'assigned' : 'none', seconds: (performance.now() - started) / 1000 });
      if (answer.assignment) this.emit('held', { campaignId });
      return answer;
    } catch (error) {
      this.emit('measured', { operation: 'claim', result: resultOf(error), seconds: (performance.now() - started) / 1000 });
      throw error;
    }
  }

  private async claimIn(trx: Database, campaign: EngineCampaign, userId: string, mayHold = true): Promise<NextAnswerValue> {
    const now = this.clock.now();
    const reason = this.closedReason(campaign, now);
    if (reason) return { assignment: null, reason, opensAt: openingOf(campaign, now).opensAt };
    // A caller holds one person at a time: one they still hold (a reconnect, a repeated ask) comes back.
    const [held] = mayHold ? await repository.heldBy(trx, userId, campaign.id) : [];
    if (held) return { assignment: await this.assignment(trx, campaign, held) };
    const claimed = await repository.claimNext(trx, campaign.id, userId, now, LEASE_MS);
    if (!claimed) return { assignment: null, reason: 'empty' };
    return { assignment: await this.assignment(trx, campaign, claimed) };
  }

  private async assignment(db: Database, campaign: EngineCampaign, { personId, leaseId, leaseExpiresAt, attempts }: repository.Claimed): Promise<AssignmentValue> {
    const { person, history } = await repository.contactForCaller(db, campaign.id, personId, attempts > 0);
    const attributes = person.attributes as Record<string, string>;
    const shown: Record<string, string> = {};
    for (const name of campaign.shownAttributes) if (attributes[name] !== undefined) shown[name] = attributes[name];
    return {
      id: leaseId,
      campaignId: campaign.id,
      leaseExpiresAt: new Date(leaseExpiresAt).toISOString(),
      notice: await noticeFor(db, campaign.notice, person.id),
      contact: {
        id: person.id,
        firstName: person.firstName,
        lastName: person.lastName,
        phone: person.phone,
        phoneDisplay: parsePhoneNumberFromString(person.phone)?.formatInternational() ?? person.phone,
        attributes: shown,
        history: history.map((call) => ({ at: new Date(call.createdAt).toISOString(), outcome: call.outcome, noteForNext: call.noteForNext })),
      },
    };
  }

  /** The campaign of a save or a release: the lease's, or for a repeated save, the saved call's. */
  private async campaignOf(userId: string, assignmentId: string, key?: string): Promise<string> {
    const campaignId = key === undefined ? await repository.campaignOfLease(this.db, assignmentId) : await repository.campaignOfSave(this.db, userId, key, assignmentId);
    if (!campaignId) throw leaseLost();
    return campaignId;
  }

  async complete(userId: string, request: CompleteRequest): Promise<CompleteAnswerValue> {
    const started = performance.now();
    try {
      const answer = await this.save(userId, request);
      this.emit('measured', { operation: 'save', result: 'saved', seconds: (performance.now() - started) / 1000 });
      if (request.next) this.emit('measured', { operation: 'claim', result: answer.next ? 'assigned' : 'none', seconds: null });
      return answer;
    } catch (error) {
      this.emit('measured', { operation: 'save', result: resultOf(error), seconds: (performance.now() - started) / 1000 });
      throw error;
    }
  }

  private async save(userId: string, request: CompleteRequest): Promise<CompleteAnswerValue> {
    const campaignId = await this.campaignOf(userId, request.assignmentId, request.key);
    const campaign = await this.campaign(userId, campaignId);
    const revoked: repository.Revoked[] = [];
    /** A new call was saved (not a repeated save answered again). */
    let fresh = false;
    const result = await this.db.transaction().execute(async (trx) => {
      const now = this.clock.now();
      const contact = await repository.lockHeld(trx, request.assignmentId, userId);
      if (!contact || contact.campaignId !== campaign.id) {
        // Not held (any more): a save repeated after its answer was lost, or a lease lost.
        const replay = await repository.callByKey(trx, userId, request.key);
        if (replay) return this.replay(trx, campaign, userId, replay.id, request.next);
        if (await repository.takeErasedLease(trx, request.assignmentId, userId, campaign.id)) return this.saveErased(trx, campaign, userId, request, now);
        throw leaseLost();
      }
      const outcome = campaign.outcomes.find((candidate) => candidate.code === request.outcome);
      if (!outcome) throw badRequest('unknown_outcome', `"${request.outcome}" is not one of this campaign's outcomes.`);
      checkAnswers(campaign.questions, request.answers);
      const callbackAt = callbackTime(outcome, request.callbackAt, now);
      // The notice is due at the first call someone answers; a call no one answered had no one to tell.
      const noticeGiven = outcome.reached && (await noticeDue(trx, contact.personId)) ? (request.noticeGiven ?? false) : null;
      const callId = await repository.insertCall(trx, {
        campaignId: campaign.id,
        organisationId: campaign.organisationId,
        personId: contact.personId,
        callerId: userId,
        versionId: campaign.versionId,
        idempotencyKey: request.key,
        leaseId: contact.leaseId,
        ...callRecord(request, outcome, callbackAt, campaign.questions),
        noticeGiven,
        createdAt: now,
      });
      if (callId === null) {
        // The same key saved a moment ago by a request that raced this one.
        const saved = await repository.callByKey(trx, userId, request.key);
        if (!saved) throw new Error('A call conflicted on its key but is not there');
        return this.replay(trx, campaign, userId, saved.id, request.next);
      }
      await repository.afterCall(trx, contact, outcome.code, now, nextState(campaign, contact.attempts + 1, outcome, now, callbackAt, userId));
      fresh = true;
      if (outcome.code === 'do-not-call') {
        await recordObjection(trx, campaign.organisationId, contact.phone, userId, now);
        revoked.push(...(await repository.takeOutNumbers(trx, campaign.organisationId, [contact.phone], now)));
      }
      if (!request.next) return { callId };
      // The caller held this one person and holds no one now: straight to the claim.
      const claim = await this.claimIn(trx, campaign, userId, false);
      return { callId, next: claim.assignment, ...(claim.reason ? { reason: claim.reason } : {}) };
    });
    for (const lease of revoked) this.emit('revoked', { userId: lease.heldBy, assignmentId: lease.leaseId, campaignId: lease.campaignId, reason: 'do-not-call' });
    this.emit('saved', { campaignId, callerId: userId, outcome: request.outcome, dialled: fresh && campaign.forCaller.dialMode !== 'preview' });
    return result;
  }

  /**
   * A save on a lease whose person was erased meanwhile: counted in the figures (outcome and what it
   * counts for), with nothing personal — no person, answers, notes, flag or callback time.
   */
  private async saveErased(trx: Database, campaign: EngineCampaign, userId: string, request: CompleteRequest, now: Date) {
    const outcome = campaign.outcomes.find((candidate) => candidate.code === request.outcome);
    if (!outcome) throw badRequest('unknown_outcome', `"${request.outcome}" is not one of this campaign's outcomes.`);
    checkAnswers(campaign.questions, request.answers);
    const record = callRecord(request, outcome, null, campaign.questions);
    const callId = await repository.insertCall(trx, {
      campaignId: campaign.id,
      organisationId: campaign.organisationId,
      personId: null,
      callerId: userId,
      versionId: campaign.versionId,
      idempotencyKey: request.key,
      leaseId: request.assignmentId,
      ...record,
      answers: {},
      notes: '',
      noteForNext: '',
      flagged: false,
      flagNote: '',
      // Whether they were told where their number came from is about them: nothing is kept.
      noticeGiven: null,
      createdAt: now,
    });
    const saved = callId ?? (await repository.callByKey(trx, userId, request.key))?.id;
    if (!saved) throw new Error('A call conflicted on its key but is not there');
    if (!request.next) return { callId: saved };
    const claim = await this.claimIn(trx, campaign, userId, false);
    return { callId: saved, next: claim.assignment, ...(claim.reason ? { reason: claim.reason, opensAt: claim.opensAt ?? null } : {}) };
  }

  /**
   * People are erased (GDPR Art. 17) or their retention ran out: they leave every queue in the transaction
   * of their deletion. Call the returned function once it has committed: it tells the callers who held them.
   */
  async withdrawPeople(trx: Database, personIds: number[]): Promise<() => void> {
    const revoked = await repository.withdrawPeople(trx, personIds, this.clock.now());
    return () => {
      for (const lease of revoked) this.emit('revoked', { userId: lease.heldBy, assignmentId: lease.leaseId, campaignId: lease.campaignId, reason: 'erased' });
    };
  }

  /** Leases of erased people are remembered this long for a late save, then forgotten. */
  async forgetErasedLeases(db: Database, before: Date): Promise<number> {
    return repository.forgetErasedLeases(db, before);
  }

  /** The answer a repeated save gets: the same call, and the person the caller now holds. */
  private async replay(trx: Database, campaign: EngineCampaign, userId: string, callId: string, next: boolean | undefined) {
    if (!next) return { callId };
    const [held] = await repository.heldBy(trx, userId, campaign.id);
    if (held) return { callId, next: await this.assignment(trx, campaign, held) };
    return { callId, next: null };
  }

  /**
   * A caller corrects their last call within CORRECTION_MS: outcome, answers, notes and flag are
   * replaced, checked against the version the call was made under. If no one has called the person
   * since, their place in the queue follows the corrected outcome (the attempt stays counted). A
   * do-not-call is not undone here: the number stays on the register until an organizer removes it.
   */
  async correct(userId: string, request: CorrectCallValue): Promise<CorrectAnswerValue> {
    const tooLate = () => conflict('correction_closed', 'Only your last call can be corrected, within 10 minutes of saving it.');
    const found = await repository.findOwnCall(this.db, request.callId, userId);
    if (!found) throw notFound('The call');
    const campaign = await this.campaign(userId, found.campaignId);
    const rules = await campaigns.versionRules(this.db, found.versionId);
    const revoked: repository.Revoked[] = [];
    const correctedAt = await this.db.transaction().execute(async (trx) => {
      const now = this.clock.now();
      const call = await repository.lockOwnCall(trx, request.callId, userId);
      if (!call) throw notFound('The call');
      if (!call.last || now.getTime() - new Date(call.createdAt).getTime() > CORRECTION_MS) throw tooLate();
      const outcome = rules.outcomes.find((candidate) => candidate.code === request.outcome);
      if (!outcome) throw badRequest('unknown_outcome', `"${request.outcome}" is not one of this campaign's outcomes.`);
      if (call.outcome === 'do-not-call' && outcome.code !== 'do-not-call') {
        throw conflict('objection_kept', 'The number is on the do-not-call register; an organizer can remove it if it was a mistake.');
      }
      checkAnswers(rules.questions, request.answers);
      const callbackAt = callbackTime(outcome, request.callbackAt, now);
      // The notice stays as it was due: the caller may change whether they gave it; a call corrected to no one answering had no one to tell.
      const noticeGiven = call.noticeGiven === null || !outcome.reached ? null : (request.noticeGiven ?? call.noticeGiven);
      await repository.correctCall(trx, call.id, { ...callRecord(request, outcome, callbackAt, rules.questions), noticeGiven, correctedAt: now });
      const contact = call.personId === null ? null : await repository.lockContact(trx, call.campaignId, call.personId);
      if (call.personId !== null && contact) {
        // Only while the person waits on this very call: one claimed or called since is left as it is.
        const untouched = contact.state !== 'held' && contact.lastCallAt !== null && new Date(contact.lastCallAt).getTime() === new Date(call.createdAt).getTime();
        if (untouched) {
          const madeAt = new Date(call.createdAt);
          const next = nextState(campaign, contact.attempts, outcome, madeAt, callbackAt, userId);
          await repository.afterCall(trx, { campaignId: call.campaignId, personId: call.personId }, outcome.code, madeAt, next, false);
        }
        if (outcome.code === 'do-not-call' && call.outcome !== 'do-not-call') {
          await recordObjection(trx, campaign.organisationId, contact.phone, userId, now);
          revoked.push(...(await repository.takeOutNumbers(trx, campaign.organisationId, [contact.phone], now)));
        }
      }
      return now;
    });
    for (const lease of revoked) this.emit('revoked', { userId: lease.heldBy, assignmentId: lease.leaseId, campaignId: lease.campaignId, reason: 'do-not-call' });
    this.emit('saved', { campaignId: found.campaignId, callerId: userId, outcome: request.outcome, dialled: false });
    return { callId: request.callId, correctedAt: correctedAt.toISOString() };
  }

  async release(userId: string, assignmentId: string): Promise<void> {
    await this.campaign(userId, await this.campaignOf(userId, assignmentId));
    const released = await this.db.transaction().execute((trx) => repository.release(trx, assignmentId, userId));
    if (!released) throw conflict('lease_lost', 'This person is no longer yours; nothing to give back.');
  }

  /**
   * The caller skips the person they hold, without a call, saying why: the person goes back to the queue
   * as a give-back does, the reason stays with them in the campaign, and the next person comes in the
   * answer. The next is claimed while the skipped one is still held, so the skip never brings them back.
   */
  async skip(userId: string, request: SkipContactValue): Promise<SkipAnswerValue> {
    const note = request.note?.trim() ?? '';
    if (request.reason === 'other' && !note) throw badRequest('validation', 'Say in a few words why the person is skipped.');
    const campaign = await this.campaign(userId, await this.campaignOf(userId, request.assignmentId));
    return this.db.transaction().execute(async (trx) => {
      const claim = await this.claimIn(trx, campaign, userId, false);
      const skipped = await repository.skip(trx, request.assignmentId, userId, { reason: request.reason, note: request.reason === 'other' ? note : '', at: this.clock.now() });
      if (!skipped) throw conflict('lease_lost', 'This person is no longer yours; nothing to skip.');
      return { next: claim.assignment, ...(claim.reason ? { reason: claim.reason, opensAt: claim.opensAt ?? null } : {}) };
    });
  }

  /**
   * The person a caller holds under this lease, while they may still call in the campaign and calling
   * is open (status, period, window): what telephony dials. Null otherwise.
   */
  async heldForDialing(userId: string, assignmentId: string): Promise<DialableContact | null> {
    const held = await repository.heldLease(this.db, userId, assignmentId, this.clock.now());
    if (!held) return null;
    const campaign = await this.campaign(userId, held.campaignId).catch((error: unknown) => {
      if (error instanceof AppError && error.statusCode < 500) return null;
      throw error;
    });
    if (!campaign || this.closedReason(campaign, this.clock.now()) !== null) return null;
    return { assignmentId: held.leaseId, campaignId: campaign.id, organisationId: campaign.organisationId, personId: held.personId, phone: held.phone, dialing: campaign.forCaller.dialing };
  }

  // --- the dialer's queue (power and predictive campaigns) ------------------------------------------

  /** The campaign, if the user may call in it (else 403/404 as for any calling event). */
  async callerCampaign(userId: string, campaignId: string): Promise<EngineCampaign> {
    return this.campaign(userId, campaignId);
  }

  /**
   * The next person the dialer may ring for a caller, by next()'s rules (window, register, retries,
   * leases); the lease is the caller's while the call rings. When there is nobody to call now, why
   * (contact:next's reasons) and when calling opens next.
   */
  async claimForDialer(userId: string, campaignId: string): Promise<DialTarget | NobodyNow> {
    const campaign = await this.campaign(userId, campaignId);
    const now = this.clock.now();
    const reason = this.closedReason(campaign, now);
    if (reason) return { reason, opensAt: openingOf(campaign, now).opensAt };
    const held = await this.db.transaction().execute(async (trx) => {
      const claimed = await repository.claimNext(trx, campaign.id, userId, now, LEASE_MS);
      return claimed ? repository.lockHeld(trx, claimed.leaseId, userId) : null;
    });
    if (!held) return { reason: 'empty', opensAt: null };
    this.emit('held', { campaignId });
    return { leaseId: held.leaseId, campaignId, organisationId: campaign.organisationId, personId: held.personId, phone: held.phone, attempt: held.attempts, callerId: userId };
  }

  /**
   * A call the dialer placed that no caller took, saved by the server as a call of no caller: the
   * campaign's retry rules apply; an abandoned person (no caller was free) is not rung again for 72
   * hours. A lease lost meanwhile (erased, on the register) saves nothing.
   */
  async settleDialed(target: DialTarget, outcome: ServerOutcome, at: Date): Promise<void> {
    const campaign = await campaigns.campaignForEngine(this.db, target.campaignId);
    if (!campaign) return;
    // An abandoned call is saved as unanswered: nobody spoke with the person (the dialer keeps that it was abandoned).
    const code = outcome === 'abandoned' ? 'no-answer' : outcome;
    const definition = campaign.outcomes.find((candidate) => candidate.code === code) ?? DEFAULT_OUTCOMES.find((candidate) => candidate.code === code);
    if (!definition) throw new Error(`The built-in outcome ${code} is missing`);
    const saved = await this.db.transaction().execute(async (trx) => {
      const contact = await repository.lockHeld(trx, target.leaseId, target.callerId);
      if (!contact) return false;
      await repository.insertCall(trx, {
        campaignId: campaign.id,
        organisationId: campaign.organisationId,
        personId: contact.personId,
        callerId: null,
        versionId: campaign.versionId,
        idempotencyKey: `dialer-${target.leaseId}`,
        leaseId: contact.leaseId,
        ...callRecord({ answers: {} }, definition, null, []),
        noticeGiven: null,
        createdAt: at,
      });
      let next = nextState(campaign, contact.attempts + 1, definition, at, null, target.callerId);
      if (outcome === 'abandoned' && next.state === 'queued') next = { ...next, dueAt: new Date(Math.max(next.dueAt.getTime(), at.getTime() + ABANDONED_HOLD_MS)) };
      await repository.afterCall(trx, contact, code, at, next);
      return true;
    });
    if (saved) this.emit('saved', { campaignId: campaign.id, callerId: null, outcome: code, dialled: false });
  }

  /** The dialer bridged the person to a caller: the lease becomes theirs, for a full lease; call:complete saves it as any call. */
  async handOver(target: DialTarget, toUserId: string): Promise<void> {
    if (!(await repository.moveLease(this.db, target.leaseId, target.callerId, toUserId, new Date(this.clock.now().getTime() + LEASE_MS)))) throw leaseLost();
  }

  /** What a caller's screen shows of the person bridged to them (the card, as contact:next gives it). */
  async assignmentOf(userId: string, campaignId: string, leaseId: string): Promise<AssignmentValue | null> {
    const campaign = await this.campaign(userId, campaignId);
    const held = (await repository.heldBy(this.db, userId, campaignId)).find((lease) => lease.leaseId === leaseId);
    return held ? this.assignment(this.db, campaign, held) : null;
  }

  /** The campaign, for its organizers (and admins) only. */
  private async organizerCampaign(userId: string, campaignId: string): Promise<EngineCampaign> {
    const found = await campaigns.campaignForEngine(this.db, campaignId);
    if (!found) throw notFound('The campaign');
    await authorize(this.db, userId, found.organisationId, 'organizer');
    return found;
  }

  /** An organizer follows a campaign live: its figures now (callers online are counted by the socket layer). */
  async watch(userId: string, campaignId: string) {
    await this.organizerCampaign(userId, campaignId);
    return campaigns.callFigures(this.db, campaignId);
  }

  /** The open and paused campaigns the user may call in, for their start page. */
  async callableCampaigns(userId: string) {
    const rows = await repository.callableCampaigns(this.db, userId);
    const now = this.clock.now();
    return rows.map((row) => ({
      ...openingOf(
        {
          status: row.status,
          startsAt: row.startsAt ? new Date(row.startsAt) : null,
          endsAt: row.endsAt ? new Date(row.endsAt) : null,
          callingWindow: row.callingWindow as CallingWindowValue,
          timeZone: row.timeZone,
        },
        now,
      ),
      id: row.id,
      name: row.name,
      organisationId: row.organisationId,
      organisationName: row.organisationName,
      status: row.status as 'active' | 'paused',
      dialing: row.dialing as EngineCampaign['forCaller']['dialing'],
      dialMode: row.dialMode as EngineCampaign['forCaller']['dialMode'],
      startsAt: row.startsAt ? new Date(row.startsAt).toISOString() : null,
      endsAt: row.endsAt ? new Date(row.endsAt).toISOString() : null,
    }));
  }

  /**
   * Whether the user is an organizer or admin of the campaign's own organisation. Flags carry notes and
   * names (political opinions, GDPR Art. 9): only they see and handle them, as only they export calls;
   * organisations above see how many there are.
   */
  private async handlesFlags(userId: string, campaign: EngineCampaign): Promise<boolean> {
    return isOwnOrganizer(this.db, userId, campaign.organisationId);
  }

  /** How many flagged calls wait for an organizer, and — for the campaign's own organizers — which, newest first. */
  async flags(userId: string, campaignId: string) {
    const campaign = await this.organizerCampaign(userId, campaignId);
    const count = await repository.countOpenFlags(this.db, campaignId);
    if (!(await this.handlesFlags(userId, campaign))) return { count, flags: null };
    const rows = await repository.openFlags(this.db, campaignId);
    const flags = rows.map((row) => ({
      callId: row.callId,
      at: new Date(row.at).toISOString(),
      callerName: row.callerName ?? '',
      outcome: row.outcome,
      flagNote: row.flagNote,
      notes: row.notes,
      contact: row.personId === null || row.firstName === null || row.lastName === null ? null : { personId: row.personId, firstName: row.firstName, lastName: row.lastName },
    }));
    return { count, flags };
  }

  /** An organizer has handled a flag; handling it again changes nothing. */
  async resolveFlag(userId: string, callId: string): Promise<{ callId: string; resolvedAt: string }> {
    const call = await repository.findCall(this.db, callId);
    if (!call) throw notFound('The call');
    const campaign = await this.organizerCampaign(userId, call.campaignId);
    if (!(await this.handlesFlags(userId, campaign))) {
      throw forbidden("Only organizers and admins of the campaign's own organisation handle its flagged calls. Organisations above it see how many there are.");
    }
    if (!call.flagged) throw conflict('not_flagged', 'This call was not flagged.');
    const resolvedAt = await repository.resolveFlag(this.db, callId, userId, this.clock.now());
    return { callId, resolvedAt: resolvedAt.toISOString() };
  }

  /** Numbers went on an organisation's register outside a call: it leaves the queues beneath at once; its caller, if any, is told. */
  async numbersObjected(organisationId: string, phones: string[]): Promise<void> {
    const revoked = await this.db.transaction().execute((trx) => repository.takeOutNumbers(trx, organisationId, phones, this.clock.now()));
    for (const lease of revoked) this.emit('revoked', { userId: lease.heldBy, assignmentId: lease.leaseId, campaignId: lease.campaignId, reason: 'do-not-call' });
  }

  /** This server process, among those on the database (see reap). */
  readonly processId = randomUUID();
  /** Since when this process's beats have reached the database without a miss (undefined: the last one failed). */
  private beatingSince: number | undefined;

  /**
   * Leases past their time go back to the queue; their callers are told. First this process beats, and
   * the people held by callers of processes that stopped beating get the grace period from their last
   * beat. A process judges others only after its own beats have reached the database for PROCESS_GONE_MS,
   * so that after a database outage every process has beaten again before anyone is judged gone.
   */
  async reap(): Promise<number> {
    const now = this.clock.now();
    try {
      await repository.beat(this.db, this.processId, now);
      this.beatingSince ??= now.getTime();
    } catch (error) {
      this.beatingSince = undefined;
      throw error;
    }
    if (now.getTime() - this.beatingSince >= PROCESS_GONE_MS) {
      await repository.releaseGoneProcesses(this.db, new Date(now.getTime() - PROCESS_GONE_MS), GRACE_MS);
    }
    const expired = await repository.reapExpired(this.db, now);
    for (const lease of expired) this.emit('revoked', { userId: lease.heldBy, assignmentId: lease.leaseId, campaignId: lease.campaignId, reason: 'expired' });
    return expired.length;
  }

  /** Moves on the leases of callers whose sockets are connected to their campaigns here, and records that they are here. */
  async extend(connected: { userId: string; campaignId: string }[]): Promise<void> {
    const now = this.clock.now().getTime();
    await repository.extendLeases(this.db, connected, new Date(now + LEASE_MS), new Date(now + LEASE_MS - EXTEND_AFTER_MS));
    await repository.syncPresence(this.db, this.processId, connected);
  }

  /** A caller's socket here joined a campaign: recorded as here, and the person they held keeps waiting for them. */
  async joined(userId: string, campaignId: string): Promise<void> {
    const now = this.clock.now();
    await repository.addPresence(this.db, this.processId, userId, campaignId, now);
    await repository.extendLeases(this.db, [{ userId, campaignId }], new Date(now.getTime() + LEASE_MS), new Date(now.getTime() + LEASE_MS - EXTEND_AFTER_MS));
  }

  /** This process stops: it is forgotten at once (its callers' sockets have ended, with their grace period). */
  async leave(): Promise<void> {
    await repository.forgetProcess(this.db, this.processId);
  }

  async figures(campaignId: string) {
    return campaigns.callFigures(this.db, campaignId);
  }

  /** The caller's last socket in the campaign went away: their person waits the grace period for them. */
  async callerLeft(userId: string, campaignId: string): Promise<void> {
    await repository.removePresence(this.db, this.processId, userId, campaignId);
    await repository.shortenLeases(this.db, userId, campaignId, new Date(this.clock.now().getTime() + GRACE_MS));
  }

}

/** A call already made (a history loaded in one go, such as the demo's weeks of calling): who, whom, when, and what they saved. */
export interface PastCall {
  callerId: string;
  personId: number;
  at: Date;
  outcome: string;
  answers: Record<string, unknown>;
  notes?: string;
  flag?: string;
  /** Whether the caller gave the first-contact notice (kept only where one was due; default yes). */
  noticeGiven?: boolean;
}

/** Every person in a campaign's queue (for loading a history). */
export function queuedPeople(db: Database, campaignId: string): Promise<number[]> {
  return repository.queuedPeople(db, campaignId);
}

/**
 * Saves calls already made as the engine saves a caller's: checked against the campaign's outcomes
 * and questions, stored with the same record (tags, reached, the notice at the first answered call),
 * counted in the statistics by the same trigger, the queue moved on by the same rules, and a
 * do-not-call put on the register. Many calls in a few statements, in one transaction. The people
 * must be in the campaign's queue, not held by anyone and not called before.
 */
export async function recordPastCalls(db: Database, campaignId: string, calls: PastCall[]): Promise<{ call: PastCall; leaseId: string }[]> {
  const campaign = await campaigns.campaignForEngine(db, campaignId);
  if (!campaign) throw notFound('The campaign');
  const ordered = [...calls].sort((a, b) => a.at.getTime() - b.at.getTime());
  return db.transaction().execute(async (trx) => {
    const contacts = new Map((await repository.contactsOf(trx, campaign.id, [...new Set(ordered.map((call) => call.personId))])).map((row) => [Number(row.personId), row]));
    const attempts = new Map<number, number>();
    const told = new Set<number>();
    const last = new Map<number, { personId: number; attempts: number; outcome: string; at: Date; next: repository.NextState }>();
    const saved: { call: PastCall; leaseId: string }[] = [];
    const rows: repository.NewCall[] = [];
    const objections: { phone: string; callerId: string; at: Date }[] = [];
    for (const call of ordered) {
      const contact = contacts.get(call.personId);
      if (!contact || contact.state === 'held' || contact.attempts > 0) throw badRequest('validation', 'A past call must be to a person waiting in the campaign\'s queue, not called before.');
      const outcome = campaign.outcomes.find((candidate) => candidate.code === call.outcome);
      if (!outcome) throw badRequest('unknown_outcome', `"${call.outcome}" is not one of this campaign's outcomes.`);
      checkAnswers(campaign.questions, call.answers);
      const made = (attempts.get(call.personId) ?? 0) + 1;
      attempts.set(call.personId, made);
      const noticeDueNow = outcome.reached && !told.has(call.personId);
      if (outcome.reached) told.add(call.personId);
      const leaseId = randomUUID();
      rows.push({
        campaignId: campaign.id,
        organisationId: campaign.organisationId,
        personId: call.personId,
        callerId: call.callerId,
        versionId: campaign.versionId,
        idempotencyKey: randomUUID(),
        leaseId,
        ...callRecord({ answers: call.answers, notes: call.notes, flag: call.flag }, outcome, null, campaign.questions),
        noticeGiven: noticeDueNow ? (call.noticeGiven ?? true) : null,
        createdAt: call.at,
      });
      last.set(call.personId, { personId: call.personId, attempts: made, outcome: outcome.code, at: call.at, next: nextState(campaign, made, outcome, call.at, null, call.callerId) });
      if (outcome.code === 'do-not-call') objections.push({ phone: contact.phone, callerId: call.callerId, at: call.at });
      saved.push({ call, leaseId });
    }
    await repository.insertCalls(trx, rows);
    await repository.afterCalls(trx, campaign.id, [...last.values()]);
    for (const objection of objections) {
      await recordObjection(trx, campaign.organisationId, objection.phone, objection.callerId, objection.at);
      await repository.takeOutNumbers(trx, campaign.organisationId, [objection.phone], objection.at);
    }
    return saved;
  });
}

/** What the caller said of the call, as it is stored. */
function callRecord(request: Pick<CompleteRequest, 'answers' | 'notes' | 'noteForNext' | 'flag'>, outcome: OutcomeValue, callbackAt: Date | null, questions: QuestionValue[]): repository.CallRecord {
  return {
    tags: callTags(questions, outcome, request.answers),
    outcome: outcome.code,
    reached: outcome.reached,
    answers: request.answers,
    notes: request.notes ?? '',
    noteForNext: request.noteForNext ?? '',
    flagged: request.flag !== undefined,
    flagNote: request.flag ?? '',
    callbackAt,
  };
}

/**
 * A callback's agreed time (in the future, within 60 days), or none: then the campaign's retry rules
 * decide when the person is called again. Other outcomes keep no time.
 */
function callbackTime(outcome: OutcomeValue, requested: string | undefined, now: Date): Date | null {
  if (outcome.code !== 'callback' || requested === undefined) return null;
  const callbackAt = new Date(requested);
  if (Number.isNaN(callbackAt.getTime())) throw badRequest('callback_time_invalid', 'The callback time must be in the future and within 60 days.');
  if (callbackAt.getTime() <= now.getTime() || callbackAt.getTime() > now.getTime() + 60 * 86_400_000) {
    throw badRequest('callback_time_invalid', 'The callback time must be in the future and within 60 days.');
  }
  return callbackAt;
}

/** What a contact becomes after a call with this outcome (its `attempts` counting this call). */
function nextState(
  campaign: EngineCampaign,
  attempts: number,
  outcome: OutcomeValue,
  now: Date,
  callbackAt: Date | null,
  callerId: string,
): repository.NextState {
  if (outcome.code === 'callback' && callbackAt) {
    return { state: 'queued', priority: 0, dueAt: new Date(callbackAt.getTime() + CALLBACK_HOLD_MS), callbackAt, callbackCallerId: callerId };
  }
  if (outcome.final) return { state: 'done', reason: outcome.code };
  if (attempts >= campaign.maxAttempts) return { state: 'done', reason: 'max-attempts' };
  const hours = campaign.retryHours[outcome.code] ?? 4;
  return { state: 'queued', priority: 2, dueAt: new Date(now.getTime() + hours * 3_600_000), callbackAt: null, callbackCallerId: null };
}

/** Answers must belong to the campaign's questions, fit their kind, and follow their conditions. */
export function checkAnswers(questions: QuestionValue[], answers: Record<string, unknown>): void {
  const byId = new Map(questions.map((question) => [question.id, question]));
  for (const [id, answer] of Object.entries(answers)) {
    const question = byId.get(id);
    if (!question) throw badRequest('invalid_answers', `There is no question "${id}" in this campaign.`);
    if (question.when) {
      const earlier = answers[question.when.question];
      const given = (Array.isArray(earlier) ? earlier : [earlier]).flatMap((value) => (typeof value === 'string' || typeof value === 'boolean' ? [String(value)] : []));
      if (!given.some((value) => question.when?.values.includes(value))) {
        throw badRequest('invalid_answers', `Question "${id}" is asked only after another answer; it was answered without it.`);
      }
    }
    const fits = (() => {
      switch (question.kind) {
        case 'yes-no':
          return typeof answer === 'boolean';
        case 'single':
          return typeof answer === 'string' && question.choices.some((choice) => choice.value === answer);
        case 'multiple':
          return Array.isArray(answer) && answer.length <= question.choices.length && answer.every((value) => question.choices.some((choice) => choice.value === value));
        case 'text':
          return typeof answer === 'string' && answer.length <= 2000;
      }
    })();
    if (!fits) throw badRequest('invalid_answers', `The answer to "${id}" does not fit the question.`);
  }
}

/** Midnight today in the time zone, for the caller's figures of the day. */
function startOfLocalDay(now: Date, timeZone: string): Date {
  const { minute } = localTime(now, timeZone);
  const start = new Date(now.getTime() - minute * 60_000);
  start.setUTCSeconds(0, 0);
  return start;
}


type OpeningCampaign = Pick<EngineCampaign, 'status' | 'startsAt' | 'endsAt' | 'callingWindow' | 'timeZone'>;

/** Why no one can be called in the campaign now, or null when calling may go on. */
function closedReason(campaign: OpeningCampaign, now: Date): NoContactReasonValue | null {
  if (campaign.status === 'finished' || (campaign.endsAt !== null && now >= campaign.endsAt)) return 'finished';
  if (campaign.status !== 'active') return 'paused';
  if (campaign.startsAt !== null && now < campaign.startsAt) return 'outside-calling-window';
  if (!insideWindow(campaign.callingWindow, campaign.timeZone, now)) return 'outside-calling-window';
  return null;
}

/**
 * Whether calling is open now and, when it is closed by the clock (the window, or a period not begun),
 * when it opens next; null when no one knows (paused until an organizer opens it again, or over).
 */
export function openingOf(campaign: OpeningCampaign, now: Date): OpeningValue {
  const closed = closedReason(campaign, now);
  if (closed !== 'outside-calling-window') return { closed, opensAt: null };
  const from = campaign.startsAt !== null && campaign.startsAt > now ? campaign.startsAt : now;
  const opensAt = nextOpening(campaign.callingWindow, campaign.timeZone, from);
  if (!opensAt || (campaign.endsAt !== null && opensAt >= campaign.endsAt)) return { closed, opensAt: null };
  return { closed, opensAt: opensAt.toISOString() };
}
