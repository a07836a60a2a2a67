import { createHmac, randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Static } from 'typebox';
import twilio from 'twilio';
import type { Database } from '../../../../db/database';
import type { Clock } from '../../clock';
import type { TwilioCredentials } from '../../config';
import { AppError, badRequest, conflict, notFound } from '../../errors';
import type { CallingEngine, DialableContact } from '../calling/calling.service';
import type { AccountLimits } from '../dialer/limits';
import { callerConferenceTwiml } from '../dialer/twilio-twiml';
import { authorize } from '../organisations/organisations.service';
import * as repository from './telephony.repository';
import { decryptSecret, encryptSecret } from './secrets';
import type { CallStatus, TelephonySettingsInput, TelephonySettingsView, TelephonyStatusEvent } from './telephony.schemas';

// Telephony: browser calls through Twilio and the simulated line. The number dialled is always the one
// of the person the caller holds, looked up here, never one the browser sends; every status, Twilio's
// or the simulated line's, goes through recordStatus() and on to the caller's sockets.

export type CallStatusValue = Static<typeof CallStatus>;

export type TelephonyStatusEventValue = Static<typeof TelephonyStatusEvent>;

export interface TelephonyEvents {
  status: [TelephonyStatusEventValue & { userId: string }];
}

export interface TelephonyOptions {
  secretsKey: Buffer;
  /** Keys the callers' opaque identities. */
  sessionSecret: string;
  publicUrl: URL;
  /** Twilio from the environment, for organisations without settings of their own. */
  environment?: TwilioCredentials | undefined;
  /** Country calling codes calls may go to besides the organisation's own (default 46 and 45). */
  countryCodes?: string[] | undefined;
  /** How long the simulated line rings before it connects (default 1.5 s). */
  simulatedConnectMs?: number | undefined;
  /** The dialer's seats (a caller's place in a dialing campaign): whose each is; without it no browser call joins a conference. */
  seatOf?: SeatLookup | undefined;
  /** A caller's browser line was let into their seat's conference. */
  onSeatLine?: ((seatId: string) => void) | undefined;
  onError?: ((error: unknown) => void) | undefined;
}

/** A caller's seat in a dialing campaign, as the dialer keeps it. */
export interface DialerSeat {
  userId: string;
  campaignId: string;
  organisationId: string;
}
export type SeatLookup = (seatId: string) => Promise<DialerSeat | null>;

/** A Twilio account an organisation calls through, with the limits Ringa keeps for it. */
export interface TwilioAccount {
  credentials: TwilioCredentials;
  limits: AccountLimits;
  /** Country calling codes the organisation may call (TELEPHONY_COUNTRY_CODES and its own country's). */
  callingCodes: string[];
}

/** queued < ringing < in-progress < final: a status of the same or lower rank than the call's changes nothing. */
export const RANK: Record<CallStatusValue, number> = { queued: 0, ringing: 1, 'in-progress': 2, completed: 3, busy: 3, 'no-answer': 3, failed: 3, canceled: 3 };
export const FINAL_RANK = 3;

/** Twilio's CallStatus (and StatusCallbackEvent) values as Ringa's statuses. */
export const TWILIO_STATUS: Record<string, CallStatusValue> = {
  queued: 'queued',
  initiated: 'queued',
  ringing: 'ringing',
  answered: 'in-progress',
  'in-progress': 'in-progress',
  completed: 'completed',
  busy: 'busy',
  'no-answer': 'no-answer',
  failed: 'failed',
  canceled: 'canceled',
};

const CALLING_CODE: Record<string, string> = { SE: '46', DK: '45', NO: '47', FI: '358' };

export const VOICE_PATH = '/api/telephony/twilio/voice';
export const STATUS_PATH = '/api/telephony/twilio/status';

const FORMATS = {
  accountSid: [/^AC[0-9a-fA-F]{32}$/, 'invalid_account_sid', 'The Account SID is AC followed by 32 characters 0–9 and a–f, as on the Twilio console’s dashboard.'],
  apiKey: [/^SK[0-9a-fA-F]{32}$/, 'invalid_api_key', 'The API key is the key’s SID: SK followed by 32 characters 0–9 and a–f (Account → API keys & tokens).'],
  twimlAppSid: [/^AP[0-9a-fA-F]{32}$/, 'invalid_twiml_app_sid', 'The TwiML app SID is AP followed by 32 characters 0–9 and a–f (Voice → TwiML apps).'],
  callerId: [/^\+[1-9]\d{6,14}$/, 'invalid_caller_id', 'The caller ID must be a number in international form, e.g. +46701234567, bought or verified in Twilio.'],
  authToken: [/^[A-Za-z0-9]{32}$/, 'invalid_auth_token', 'The auth token is 32 letters and digits, as on the Twilio console’s dashboard.'],
  apiSecret: [/^[A-Za-z0-9]{32}$/, 'invalid_api_secret', 'The API secret is 32 letters and digits, shown once when the API key was made.'],
} as const satisfies Record<string, readonly [RegExp, string, string]>;

const forgery = () => new AppError(403, 'invalid_signature', 'This request is not signed by Twilio for this address.');

function sid(value: string): string {
  return value.slice(0, 2) + value.slice(2).toLowerCase();
}

/**
 * Simulated calls that have ended (a history loaded in one go, such as the demo's): each on the lease of
 * its saved call, so that the roller counts its talk time as it counts a live call's.
 */
export async function recordEndedSimulatedCalls(
  db: Database,
  calls: { leaseId: string; campaignId: string; personId: number; callerId: string; startedAt: Date; durationSeconds: number }[],
): Promise<void> {
  for (let from = 0; from < calls.length; from += 1000) {
    const rows = calls.slice(from, from + 1000).map((call) => ({
      callSid: `SIM${randomBytes(16).toString('hex')}`,
      provider: 'simulated',
      leaseId: call.leaseId,
      campaignId: call.campaignId,
      personId: call.personId,
      callerId: call.callerId,
      status: 'completed',
      statusRank: FINAL_RANK,
      durationSeconds: call.durationSeconds,
      startedAt: call.startedAt,
      updatedAt: new Date(call.startedAt.getTime() + call.durationSeconds * 1000),
    }));
    await repository.insertCalls(db, rows);
  }
}

export class TelephonyService extends EventEmitter<TelephonyEvents> {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly calling: CallingEngine,
    private readonly options: TelephonyOptions,
  ) {
    super();
  }

  close(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  /** The caller's name towards Twilio: neither their email nor their id, and stable while the session secret is. */
  identityOf(userId: string): string {
    return `c_${createHmac('sha256', this.options.sessionSecret).update(`twilio-identity:${userId}`).digest('hex').slice(0, 32)}`;
  }

  private secretContext(organisationId: string, field: string): string {
    return `telephony_settings/${organisationId}/${field}`;
  }

  private credentialsOf(row: repository.SettingsRow): TwilioCredentials {
    return {
      accountSid: row.accountSid,
      apiKey: row.apiKey,
      twimlAppSid: row.twimlAppSid,
      callerId: row.callerId,
      authToken: decryptSecret(this.options.secretsKey, row.authTokenEncrypted, this.secretContext(row.organisationId, 'auth_token')),
      apiSecret: decryptSecret(this.options.secretsKey, row.apiSecretEncrypted, this.secretContext(row.organisationId, 'api_secret')),
    };
  }

  /** The Twilio account an organisation calls through: its own, its nearest ancestor's, else the environment's. */
  private async credentialsFor(organisationId: string): Promise<{ credentials: TwilioCredentials | undefined; country: string }> {
    const { country, settings } = await repository.settingsOnPath(this.db, organisationId);
    return { credentials: settings ? this.credentialsOf(settings) : this.options.environment, country };
  }

  /** The Twilio account an organisation's dialer calls go through, with its limits; null when none is set up. */
  async twilioAccount(organisationId: string): Promise<TwilioAccount | null> {
    const { settings, country } = await repository.settingsOnPath(this.db, organisationId);
    const callingCodes = this.callingCodes(country);
    if (settings) {
      return { credentials: this.credentialsOf(settings), limits: { callsPerSecond: settings.callsPerSecond, maxConcurrentCalls: settings.maxConcurrentCalls }, callingCodes };
    }
    const env = this.options.environment;
    return env ? { credentials: env, limits: { callsPerSecond: env.callsPerSecond ?? 1, maxConcurrentCalls: env.maxConcurrentCalls ?? null }, callingCodes } : null;
  }

  /** The country calling codes an organisation in the country may call. */
  private callingCodes(country: string): string[] {
    return [...new Set([...(this.options.countryCodes ?? ['46', '45']), ...(CALLING_CODE[country] ? [CALLING_CODE[country]] : [])])];
  }

  /** Whose Twilio account an organisation's calls would go through (no secrets): for its record of processing. */
  async accountSource(organisationId: string): Promise<{ source: 'organisation'; organisationId: string } | { source: 'environment' } | null> {
    const { settings } = await repository.settingsOnPath(this.db, organisationId);
    if (settings) return { source: 'organisation', organisationId: settings.organisationId };
    return this.options.environment ? { source: 'environment' } : null;
  }

  // --- settings (admins) -------------------------------------------------------------------------

  async settingsView(userId: string, organisationId: string): Promise<Static<typeof TelephonySettingsView>> {
    await authorize(this.db, userId, organisationId, 'admin');
    const { settings } = await repository.settingsOnPath(this.db, organisationId);
    if (settings) {
      return {
        configured: true,
        source: 'organisation',
        inherited: settings.organisationId !== organisationId,
        accountSid: settings.accountSid,
        apiKey: settings.apiKey,
        twimlAppSid: settings.twimlAppSid,
        callerId: settings.callerId,
        hasAuthToken: true,
        hasApiSecret: true,
        callsPerSecond: settings.callsPerSecond,
        maxConcurrentCalls: settings.maxConcurrentCalls,
      };
    }
    const env = this.options.environment;
    if (env) {
      return {
        configured: true,
        source: 'environment',
        inherited: false,
        accountSid: env.accountSid,
        apiKey: env.apiKey,
        twimlAppSid: env.twimlAppSid,
        callerId: env.callerId,
        hasAuthToken: true,
        hasApiSecret: true,
        callsPerSecond: env.callsPerSecond ?? 1,
        maxConcurrentCalls: env.maxConcurrentCalls ?? null,
      };
    }
    return {
      configured: false,
      source: null,
      inherited: false,
      accountSid: null,
      apiKey: null,
      twimlAppSid: null,
      callerId: null,
      hasAuthToken: false,
      hasApiSecret: false,
      callsPerSecond: 1,
      maxConcurrentCalls: null,
    };
  }

  /** Saves an organisation's settings; a secret left out keeps its stored value. */
  async saveSettings(userId: string, organisationId: string, input: Static<typeof TelephonySettingsInput>): Promise<Static<typeof TelephonySettingsView>> {
    await authorize(this.db, userId, organisationId, 'admin');
    const value = (field: keyof typeof FORMATS, text: string) => {
      const [pattern, code, message] = FORMATS[field];
      const trimmed = text.trim();
      if (!pattern.test(trimmed)) throw badRequest(code, message);
      return trimmed;
    };
    const accountSid = sid(value('accountSid', input.accountSid));
    const apiKey = sid(value('apiKey', input.apiKey));
    const twimlAppSid = sid(value('twimlAppSid', input.twimlAppSid));
    const callerId = value('callerId', input.callerId);
    const authToken = input.authToken === undefined ? undefined : value('authToken', input.authToken);
    const apiSecret = input.apiSecret === undefined ? undefined : value('apiSecret', input.apiSecret);
    const stored = await repository.findSettings(this.db, organisationId);
    const limit = (given: number | null | undefined, max: number, code: 'invalid_calls_per_second' | 'invalid_max_concurrent_calls', message: string) => {
      if (given !== null && given !== undefined && (!Number.isInteger(given) || given < 1 || given > max)) throw badRequest(code, message);
      return given;
    };
    const callsPerSecond =
      limit(input.callsPerSecond, 100, 'invalid_calls_per_second', 'Calls per second is a whole number from 1 to 100, as set for the account in Twilio (Voice → Settings → General; the default is 1).') ??
      stored?.callsPerSecond ??
      1;
    const givenCap = limit(input.maxConcurrentCalls, 10_000, 'invalid_max_concurrent_calls', 'The most concurrent calls is a whole number from 1 to 10,000, or null for no cap.');
    const maxConcurrentCalls = givenCap === undefined ? (stored?.maxConcurrentCalls ?? null) : givenCap;
    if ((authToken === undefined || apiSecret === undefined) && !stored) {
      throw badRequest('secrets_required', 'Give the auth token and the API secret the first time; later, leave them out to keep the stored ones.');
    }
    const encrypt = (plain: string | undefined, field: string, kept: string | undefined) =>
      plain === undefined ? (kept ?? '') : encryptSecret(this.options.secretsKey, plain, this.secretContext(organisationId, field));
    await repository.saveSettings(this.db, {
      organisationId,
      accountSid,
      apiKey,
      twimlAppSid,
      callerId,
      authTokenEncrypted: encrypt(authToken, 'auth_token', stored?.authTokenEncrypted),
      apiSecretEncrypted: encrypt(apiSecret, 'api_secret', stored?.apiSecretEncrypted),
      callsPerSecond,
      maxConcurrentCalls,
      updatedAt: this.clock.now(),
      updatedBy: userId,
    });
    return this.settingsView(userId, organisationId);
  }

  async deleteSettings(userId: string, organisationId: string): Promise<Static<typeof TelephonySettingsView>> {
    await authorize(this.db, userId, organisationId, 'admin');
    await repository.deleteSettings(this.db, organisationId);
    return this.settingsView(userId, organisationId);
  }

  // --- browser calls through Twilio ---------------------------------------------------------------

  private async held(userId: string, assignmentId: string, dialing: DialableContact['dialing']): Promise<DialableContact> {
    const contact = await this.calling.heldForDialing(userId, assignmentId);
    if (!contact) throw conflict('lease_lost', 'This person is no longer yours to call. Ask for the next person.');
    if (contact.dialing !== dialing) throw conflict('dialing_mismatch', `This campaign's calls are not made through ${dialing === 'twilio' ? 'Twilio' : 'the simulated line'}.`);
    return contact;
  }

  /** A short-lived Twilio access token for the caller who holds the assignment: outgoing calls only, through the organisation's TwiML app. */
  async token(userId: string, assignmentId: string): Promise<{ token: string; identity: string }> {
    const contact = await this.held(userId, assignmentId, 'twilio');
    return this.accessToken(userId, contact.organisationId);
  }

  /** The same for a caller's own line in a dialing campaign: only for their own seat. */
  async seatToken(userId: string, seatId: string): Promise<{ token: string; identity: string }> {
    const seat = this.options.seatOf ? await this.options.seatOf(seatId) : null;
    if (!seat || seat.userId !== userId) throw notFound('The dialing seat');
    return this.accessToken(userId, seat.organisationId);
  }

  private async accessToken(userId: string, organisationId: string): Promise<{ token: string; identity: string }> {
    const { credentials } = await this.credentialsFor(organisationId);
    if (!credentials) throw conflict('telephony_not_configured', 'Calling through Twilio is not set up for this organisation. Ask an admin to add the Twilio settings.');
    const identity = this.identityOf(userId);
    await repository.saveIdentity(this.db, userId, identity);
    const { AccessToken } = twilio.jwt;
    const token = new AccessToken(credentials.accountSid, credentials.apiKey, credentials.apiSecret, { identity, ttl: 600 });
    token.addGrant(new AccessToken.VoiceGrant({ outgoingApplicationSid: credentials.twimlAppSid, incomingAllow: false }));
    return { token: token.toJwt(), identity };
  }

  /** Refuses (403) a webhook unless it is signed with the auth token of the account it names, for this very address. */
  async verifyWebhook(params: Record<string, string>, signature: string | undefined, url: string): Promise<void> {
    const accountSid = params.AccountSid ?? '';
    if (!signature || !/^AC[0-9a-f]{32}$/.test(accountSid)) throw forgery();
    const tokens = new Set<string>();
    for (const row of await repository.settingsForAccount(this.db, accountSid)) tokens.add(this.credentialsOf(row).authToken);
    if (this.options.environment?.accountSid === accountSid) tokens.add(this.options.environment.authToken);
    for (const authToken of tokens) if (twilio.validateRequest(authToken, signature, url, params)) return;
    throw forgery();
  }

  /** The TwiML for a caller's browser call: the held person's number, from the organisation's caller ID, or a refusal. */
  async voice(params: Record<string, string>, signature: string | undefined, url: string): Promise<string> {
    await this.verifyWebhook(params, signature, url);
    const refuse = (words: string) => {
      const response = new twilio.twiml.VoiceResponse();
      response.say(words);
      response.hangup();
      return response.toString();
    };
    const identity = /^client:(c_[0-9a-f]{32})$/.exec(params.From ?? '')?.[1];
    const userId = identity === undefined ? undefined : await repository.userOfIdentity(this.db, identity);
    if (params.seatId !== undefined) return this.seatVoice(params, userId, refuse);
    const assignmentId = params.assignmentId ?? '';
    const callSid = params.CallSid ?? '';
    if (!userId || !/^[0-9a-f-]{36}$/.test(assignmentId) || !/^CA[0-9a-f]{32}$/.test(callSid)) return refuse('There is no one for you to call right now.');
    const contact = await this.calling.heldForDialing(userId, assignmentId);
    if (!contact || contact.dialing !== 'twilio') return refuse('There is no one for you to call right now.');
    const { credentials, country } = await this.credentialsFor(contact.organisationId);
    // The account that asks must be the one this organisation calls through: its caller ID is used.
    if (!credentials || credentials.accountSid !== params.AccountSid) return refuse('This call cannot be made from this account.');
    if (!this.callingCodes(country).some((code) => contact.phone.startsWith(`+${code}`))) return refuse('Calls to this country are not allowed.');
    await this.startCall(callSid, 'twilio', userId, contact);
    const response = new twilio.twiml.VoiceResponse();
    const dial = response.dial({ callerId: credentials.callerId, answerOnBridge: true });
    dial.number(
      { statusCallback: this.options.publicUrl.origin + STATUS_PATH, statusCallbackMethod: 'POST', statusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'] },
      contact.phone,
    );
    return response.toString();
  }

  /**
   * A caller's own line in a dialing campaign: their seat's conference, which they wait in for the people
   * the dialer bridges. Only the seat's own caller gets it, through the account their organisation calls through.
   */
  private async seatVoice(params: Record<string, string>, userId: string | undefined, refuse: (words: string) => string): Promise<string> {
    const seatId = params.seatId ?? '';
    if (!userId || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(seatId) || !this.options.seatOf) return refuse('There is no dialing session for you right now.');
    const seat = await this.options.seatOf(seatId);
    if (!seat || seat.userId !== userId) return refuse('There is no dialing session for you right now.');
    const { credentials } = await this.credentialsFor(seat.organisationId);
    if (!credentials || credentials.accountSid !== params.AccountSid) return refuse('This call cannot be made from this account.');
    // The caller's browser is on its way into their conference: the dialer may bridge people to them now.
    this.options.onSeatLine?.(seatId);
    return callerConferenceTwiml(this.options.publicUrl, seatId);
  }

  /** Twilio's status callback for the dialled number (its ParentCallSid is the browser's call). */
  async twilioStatus(params: Record<string, string>, signature: string | undefined, url: string): Promise<void> {
    await this.verifyWebhook(params, signature, url);
    const status = TWILIO_STATUS[params.CallStatus ?? ''];
    const callSid = params.ParentCallSid || params.CallSid;
    if (!status || !callSid) return;
    const duration = params.CallDuration === undefined ? null : Number.parseInt(params.CallDuration, 10);
    await this.recordStatus(callSid, status, duration !== null && Number.isFinite(duration) && duration >= 0 ? duration : null);
  }

  /** A new call to a held person, recorded as queued (no phone number is stored with it). */
  private async startCall(
    callSid: string,
    provider: 'twilio' | 'simulated',
    userId: string,
    contact: { assignmentId: string; campaignId: string; personId: number },
  ): Promise<void> {
    const now = this.clock.now();
    await repository.insertCall(this.db, {
      callSid,
      provider,
      leaseId: contact.assignmentId,
      campaignId: contact.campaignId,
      personId: contact.personId,
      callerId: userId,
      status: 'queued',
      statusRank: RANK.queued,
      durationSeconds: null,
      startedAt: now,
      updatedAt: now,
    });
  }

  /**
   * The one place a call's status changes: only to a higher rank (a repeated, late or out-of-order
   * status changes nothing, a final one is never changed); a change goes to the caller's sockets.
   */
  async recordStatus(callSid: string, status: CallStatusValue, durationSeconds: number | null): Promise<boolean> {
    const moved = await repository.advanceCall(this.db, callSid, { status, rank: RANK[status], durationSeconds, at: this.clock.now() });
    if (!moved) return false;
    this.emit('status', {
      userId: moved.callerId,
      assignmentId: moved.leaseId,
      callSid,
      status,
      ...(moved.durationSeconds !== null ? { durationSeconds: moved.durationSeconds } : {}),
    });
    return true;
  }

  // --- the simulated line --------------------------------------------------------------------------

  /** A fake call to the held person: it rings at once, connects after a moment and lasts until hung up. */
  async simulatedCall(userId: string, assignmentId: string): Promise<{ callSid: string }> {
    const contact = await this.held(userId, assignmentId, 'simulated');
    const callSid = `SIM${randomBytes(16).toString('hex')}`;
    await this.startCall(callSid, 'simulated', userId, contact);
    await this.recordStatus(callSid, 'ringing', null);
    const timer = setTimeout(() => {
      this.timers.delete(callSid);
      this.recordStatus(callSid, 'in-progress', null).catch((error: unknown) => this.options.onError?.(error));
    }, this.options.simulatedConnectMs ?? 1500);
    timer.unref();
    this.timers.set(callSid, timer);
    return { callSid };
  }

  /** Ends a simulated call; ending it again answers the same. Its duration counts from when it connected. */
  async simulatedHangup(userId: string, callSid: string): Promise<{ status: 'completed'; durationSeconds: number }> {
    const call = await repository.findCall(this.db, callSid);
    if (!call || call.provider !== 'simulated' || call.callerId !== userId) throw notFound('The call');
    clearTimeout(this.timers.get(callSid));
    this.timers.delete(callSid);
    if (call.statusRank < FINAL_RANK) {
      const connected = call.status === 'in-progress' ? Math.max(0, Math.floor((this.clock.now().getTime() - new Date(call.updatedAt).getTime()) / 1000)) : 0;
      await this.recordStatus(callSid, 'completed', connected);
    }
    const ended = await repository.findCall(this.db, callSid);
    return { status: 'completed', durationSeconds: ended?.durationSeconds ?? 0 };
  }
}
