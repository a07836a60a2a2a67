import twilio from 'twilio';
import type { Language } from '../../contract/language';

// The TwiML and webhook addresses of the dialer's Twilio side, in one place: the caller's conference
// (joined from the browser, by seat) and what the server puts a person into once answering-machine
// detection has said who answered. A conference is named only here, from a seat the server checked.

export const DIALER_WEBHOOK_PATHS = {
  answer: '/api/dialer/twilio/answer',
  amd: '/api/dialer/twilio/amd',
  status: '/api/dialer/twilio/status',
  conference: '/api/dialer/twilio/conference',
} as const;

/** How long a person who picked up is held in silence while answering-machine detection listens. */
export const HOLD_SECONDS = 15;
/** How long detection may listen before it answers 'unknown' (Twilio's default, 30 s, is longer than anyone waits in silence). */
export const MACHINE_DETECTION_TIMEOUT_SECONDS = 6;

const SAY_LANGUAGE = { sv: 'sv-SE', da: 'da-DK', nb: 'nb-NO', en: 'en-GB' } as const satisfies Record<Language, string>;

/** PUBLIC_URL + path + query: the address Twilio calls and signs (the signature covers the query). */
export function webhookUrl(publicUrl: URL, path: string, query: Record<string, string>): string {
  return `${publicUrl.origin}${path}?${new URLSearchParams(query).toString()}`;
}

export function conferenceName(seatId: string): string {
  return `ringa-seat-${seatId}`;
}

/**
 * Into a seat's conference. The caller waits in it without starting it and ends it when they leave;
 * a person the server bridged starts it, and it goes on when they leave.
 */
function conferenceTwiml(publicUrl: URL, seatId: string, who: 'caller' | 'person'): string {
  const response = new twilio.twiml.VoiceResponse();
  response.dial().conference(
    {
      startConferenceOnEnter: who === 'person',
      endConferenceOnExit: who === 'caller',
      beep: 'false',
      // The caller waits in silence (their screen says they wait), not to Twilio's hold music.
      ...(who === 'caller' ? { waitUrl: '' } : {}),
      statusCallback: webhookUrl(publicUrl, DIALER_WEBHOOK_PATHS.conference, { seatId }),
      statusCallbackMethod: 'POST',
      statusCallbackEvent: ['start', 'end', 'join', 'leave'],
    },
    conferenceName(seatId),
  );
  return response.toString();
}

/** The caller's own line, from their browser. */
export function callerConferenceTwiml(publicUrl: URL, seatId: string): string {
  return conferenceTwiml(publicUrl, seatId, 'caller');
}

/** A person who answered, into the caller's conference. */
export function bridgeTwiml(publicUrl: URL, seatId: string): string {
  return conferenceTwiml(publicUrl, seatId, 'person');
}

/** A person no caller could take: who called and where to call back, read out in the organisation's language, then goodbye. */
export function abandonTwiml(text: string, language: Language): string {
  const response = new twilio.twiml.VoiceResponse();
  response.say({ language: SAY_LANGUAGE[language] }, text);
  response.hangup();
  return response.toString();
}

/** Whoever picked up hears nothing while detection listens (no recorded message is ever played to a machine). */
export function holdTwiml(): string {
  const response = new twilio.twiml.VoiceResponse();
  response.pause({ length: HOLD_SECONDS });
  response.hangup();
  return response.toString();
}

export function hangupTwiml(): string {
  const response = new twilio.twiml.VoiceResponse();
  response.hangup();
  return response.toString();
}
