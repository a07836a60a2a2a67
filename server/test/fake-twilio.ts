// Twilio as the tests see it: a local fake of its REST API (the calls the server creates and updates,
// recorded; the twilio library's own client is pointed at it), an account's settings, and webhooks
// signed as Twilio signs them (twilio.getExpectedTwilioSignature, for PUBLIC_URL with the query).
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import twilio from 'twilio';
import type { App } from '../src/app';

export const hex = (bytes: number) => randomBytes(bytes).toString('hex');

/** A Twilio account's settings as an admin saves them (PUT /api/orgs/:id/telephony), fresh random secrets. */
export const twilioAccount = (callerId = '+46101234567') => ({
  accountSid: `AC${hex(16)}`,
  authToken: hex(16),
  apiKey: `SK${hex(16)}`,
  apiSecret: hex(16),
  twimlAppSid: `AP${hex(16)}`,
  callerId,
});

/** A number the fake Twilio refuses, quoting it in its message as Twilio does. */
export const INVALID_PHONE = '+46700000001';

/** What the fake Twilio was asked: method, path, form body (repeated keys as arrays), when; for a created call, the SID it answered. */
export interface TwilioRequest {
  method: string;
  path: string;
  body: Record<string, string | string[]>;
  at: number;
  authorization: string;
  sid?: string;
}

/** Twilio's REST API, as much of it as the dialer uses: create a call, update a call. Calls in `ended` answer 21220. */
/** One call the server asked Twilio to place: its line (from the callback addresses), Twilio's SID, the number. */
export interface Placed {
  lineId: string;
  sid: string;
  to: string;
}

export function placed(create: TwilioRequest): Placed {
  const lineId = new URL(String(create.body.Url)).searchParams.get('lineId') ?? '';
  return { lineId, sid: create.sid ?? '', to: String(create.body.To) };
}

export class FakeTwilio {
  /** The calls Twilio was asked for on the account so far, waiting (at most 5 s) until there are `count`. */
  async placedCalls(account: { accountSid: string }, count: number): Promise<Placed[]> {
    await until(() => this.creates(account.accountSid).length >= count, 5000, `${count} calls created`);
    return this.creates(account.accountSid).map(placed);
  }

  readonly requests: TwilioRequest[] = [];
  readonly ended = new Set<string>();
  private server: Server | null = null;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      let text = '';
      request.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      request.on('end', () => {
        const body: Record<string, string | string[]> = {};
        for (const [key, value] of new URLSearchParams(text)) {
          const had = body[key];
          body[key] = had === undefined ? value : Array.isArray(had) ? [...had, value] : [had, value];
        }
        const path = new URL(request.url ?? '/', 'http://fake').pathname;
        const recorded: TwilioRequest = { method: request.method ?? '', path, body, at: Date.now(), authorization: request.headers.authorization ?? '' };
        this.requests.push(recorded);
        const accountSid = /^\/2010-04-01\/Accounts\/(AC[0-9a-f]{32})\//.exec(path)?.[1] ?? '';
        const send = (status: number, json: object) => {
          response.writeHead(status, { 'content-type': 'application/json' });
          response.end(JSON.stringify(json));
        };
        if (request.method === 'POST' && path === `/2010-04-01/Accounts/${accountSid}/Calls.json`) {
          if (body.To === INVALID_PHONE) {
            send(400, { code: 21211, message: `The 'To' number ${INVALID_PHONE} is not a valid phone number.`, more_info: 'https://www.twilio.com/docs/errors/21211', status: 400 });
            return;
          }
          recorded.sid = `CA${hex(16)}`;
          send(201, { sid: recorded.sid, account_sid: accountSid, status: 'queued' });
          return;
        }
        const update = /\/Calls\/(CA[0-9a-f]{32})\.json$/.exec(path);
        if (request.method === 'POST' && update?.[1]) {
          if (this.ended.has(update[1])) {
            send(400, { code: 21220, message: 'Call is not in-progress. Cannot redirect.', more_info: 'https://www.twilio.com/docs/errors/21220', status: 400 });
            return;
          }
          send(200, { sid: update[1], account_sid: accountSid, status: body.Status ?? 'in-progress' });
          return;
        }
        send(404, { code: 20404, message: 'The requested resource was not found', status: 404 });
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  creates(accountSid: string): TwilioRequest[] {
    return this.requests.filter((r) => r.path === `/2010-04-01/Accounts/${accountSid}/Calls.json`);
  }

  updatesOf(callSid: string): TwilioRequest[] {
    return this.requests.filter((r) => r.path.endsWith(`/Calls/${callSid}.json`));
  }
}

/** A webhook as Twilio sends it to PUBLIC_URL (http://ringa.test in tests): form-encoded, signed with the auth token for the address with its query. */
export function signedWebhook(app: App, authToken: string, path: string, query: Record<string, string>, params: Record<string, string>, sign: { authToken?: string; url?: string } = {}) {
  const url = `${path}?${new URLSearchParams(query).toString()}`;
  const signature = twilio.getExpectedTwilioSignature(sign.authToken ?? authToken, sign.url ?? `http://ringa.test${url}`, params);
  return app.inject({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
    payload: new URLSearchParams(params).toString(),
  });
}

/** Waits until the check holds, looking every 10 ms, for at most `ms`. */
export async function until(check: () => boolean | Promise<boolean>, ms = 5000, what = 'the condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
