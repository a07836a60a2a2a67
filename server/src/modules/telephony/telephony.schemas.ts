import { Type } from 'typebox';
import { Uuid } from '../../schemas';

// Telephony's HTTP payloads: browser calling through Twilio, the simulated line, and each
// organisation's Twilio settings (secrets go in, never out).

export const CallStatus = Type.Union([
  Type.Literal('queued'),
  Type.Literal('ringing'),
  Type.Literal('in-progress'),
  Type.Literal('completed'),
  Type.Literal('busy'),
  Type.Literal('no-answer'),
  Type.Literal('failed'),
  Type.Literal('canceled'),
]);

/** A status of a caller's phone call (Twilio's or the simulated line's), sent to the caller as telephony:status. */
export const TelephonyStatusEvent = Type.Object({
  assignmentId: Uuid,
  callSid: Type.String(),
  status: CallStatus,
  durationSeconds: Type.Optional(Type.Integer({ minimum: 0 })),
});

/** For a browser call to the held person (assignmentId), or for a caller's own line in a dialing campaign (seatId). */
export const TokenRequest = Type.Union([Type.Object({ assignmentId: Uuid }, { additionalProperties: false }), Type.Object({ seatId: Uuid }, { additionalProperties: false })]);
/** A Twilio access token for the Voice JS SDK (outgoing calls only, 10 minutes) and the opaque identity it carries. */
export const TokenAnswer = Type.Object({ token: Type.String(), identity: Type.String() });

export const SimulatedCallRequest = Type.Object({ assignmentId: Uuid }, { additionalProperties: false });
export const SimulatedCallAnswer = Type.Object({ callSid: Type.String() });
export const SimulatedHangupRequest = Type.Object({ callSid: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false });
export const SimulatedHangupAnswer = Type.Object({ status: Type.Literal('completed'), durationSeconds: Type.Integer({ minimum: 0 }) });

export const TelephonySettingsView = Type.Object({
  configured: Type.Boolean(),
  /** Where the settings in use come from: this organisation (or the nearest above it with settings), the environment, or nowhere. */
  source: Type.Union([Type.Literal('organisation'), Type.Literal('environment'), Type.Null()]),
  /** True when the settings in use belong to an organisation above this one. */
  inherited: Type.Boolean(),
  accountSid: Type.Union([Type.String(), Type.Null()]),
  apiKey: Type.Union([Type.String(), Type.Null()]),
  twimlAppSid: Type.Union([Type.String(), Type.Null()]),
  callerId: Type.Union([Type.String(), Type.Null()]),
  hasAuthToken: Type.Boolean(),
  hasApiSecret: Type.Boolean(),
  /** New calls a second Ringa places through the account (Twilio's default is 1); the dialer queues its calls to it. */
  callsPerSecond: Type.Integer({ minimum: 1 }),
  /** Calls alive at once through the account; null for no cap. */
  maxConcurrentCalls: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()]),
});

// Formats are checked by the service, so that each wrong field gets a message that says what it should look like.
export const TelephonySettingsInput = Type.Object(
  {
    accountSid: Type.String({ maxLength: 100 }),
    authToken: Type.Optional(Type.String({ maxLength: 200 })),
    apiKey: Type.String({ maxLength: 100 }),
    apiSecret: Type.Optional(Type.String({ maxLength: 200 })),
    twimlAppSid: Type.String({ maxLength: 100 }),
    callerId: Type.String({ maxLength: 40 }),
    /** Left out: the stored value (1 for new settings). */
    callsPerSecond: Type.Optional(Type.Number()),
    /** Left out: the stored value (no cap for new settings); null: no cap. */
    maxConcurrentCalls: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
  },
  { additionalProperties: false },
);

/** What Twilio posts (form-encoded): every parameter is text. */
export const TwilioParams = Type.Record(Type.String(), Type.String());
