import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../context';
import { requireUser } from '../../plugins/auth';
import { twilioDialerWebhooks } from '../dialer/twilio-dialer.routes';
import { errors, OrgParams } from '../../schemas';
import {
  SimulatedCallAnswer,
  SimulatedCallRequest,
  SimulatedHangupAnswer,
  SimulatedHangupRequest,
  TelephonySettingsInput,
  TelephonySettingsView,
  TokenAnswer,
  TokenRequest,
  TwilioParams,
} from './telephony.schemas';

export function telephonyRoutes(ctx: AppContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      '/telephony/token',
      {
        schema: {
          tags: ['telephony'],
          description: 'A Twilio access token (10 minutes, outgoing calls only) for the caller who holds the assignment, or whose dialing seat it is.',
          body: TokenRequest,
          response: { 200: TokenAnswer, ...errors(400, 401, 404, 409) },
        },
      },
      async (request) => {
        const { userId } = requireUser(request);
        return 'seatId' in request.body ? ctx.telephony.seatToken(userId, request.body.seatId) : ctx.telephony.token(userId, request.body.assignmentId);
      },
    );

    app.post(
      '/telephony/simulated/call',
      {
        schema: {
          tags: ['telephony'],
          description: 'A fake call to the held person (campaigns that dial "simulated"): ringing at once, in-progress a moment later, over socket.io as telephony:status.',
          body: SimulatedCallRequest,
          response: { 200: SimulatedCallAnswer, ...errors(400, 401, 409) },
        },
      },
      async (request) => ctx.telephony.simulatedCall(requireUser(request).userId, request.body.assignmentId),
    );

    app.post(
      '/telephony/simulated/hangup',
      {
        schema: {
          tags: ['telephony'],
          description: 'Ends a simulated call; ending it again answers the same.',
          body: SimulatedHangupRequest,
          response: { 200: SimulatedHangupAnswer, ...errors(400, 401, 404) },
        },
      },
      async (request) => ctx.telephony.simulatedHangup(requireUser(request).userId, request.body.callSid),
    );

    app.get(
      '/orgs/:orgId/telephony',
      { schema: { tags: ['telephony'], description: 'The Twilio settings in use (never the secrets).', params: OrgParams, response: { 200: TelephonySettingsView, ...errors(401, 403, 404) } } },
      async (request) => ctx.telephony.settingsView(requireUser(request).userId, request.params.orgId),
    );

    app.put(
      '/orgs/:orgId/telephony',
      {
        schema: {
          tags: ['telephony'],
          description: 'Saves the organisation’s Twilio settings; authToken and apiSecret left out keep their stored values.',
          params: OrgParams,
          body: TelephonySettingsInput,
          response: { 200: TelephonySettingsView, ...errors(400, 401, 403, 404) },
        },
      },
      async (request) => ctx.telephony.saveSettings(requireUser(request).userId, request.params.orgId, request.body),
    );

    app.delete(
      '/orgs/:orgId/telephony',
      { schema: { tags: ['telephony'], description: 'Removes the organisation’s own Twilio settings.', params: OrgParams, response: { 200: TelephonySettingsView, ...errors(401, 403, 404) } } },
      async (request) => ctx.telephony.deleteSettings(requireUser(request).userId, request.params.orgId),
    );

    // Twilio's webhooks: form-encoded, no session and no Origin (the CSRF rule lets requests without
    // a session cookie through); each is refused unless signed by Twilio for PUBLIC_URL.
    const twilioWebhooks: FastifyPluginAsyncTypebox = async (webhooks) => {
      webhooks.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_request, body, done) => {
        done(null, Object.fromEntries(new URLSearchParams(typeof body === 'string' ? body : body.toString('utf8'))));
      });
      const addressOf = (url: string) => ctx.publicUrl.origin + url;

      webhooks.post(
        '/telephony/twilio/voice',
        {
          schema: {
            tags: ['telephony'],
            description: 'TwiML for a browser call: dials the number of the person the caller holds (never `To`), or refuses.',
            body: TwilioParams,
          },
        },
        async (request, reply) => {
          const twiml = await ctx.telephony.voice(request.body, request.headers['x-twilio-signature'] as string | undefined, addressOf(request.url));
          return reply.type('text/xml').send(twiml);
        },
      );

      webhooks.post(
        '/telephony/twilio/status',
        { schema: { tags: ['telephony'], description: 'Twilio’s status callbacks for dialled numbers.', body: TwilioParams } },
        async (request, reply) => {
          await ctx.telephony.twilioStatus(request.body, request.headers['x-twilio-signature'] as string | undefined, addressOf(request.url));
          return reply.status(204).send();
        },
      );
      // The dialer's webhooks, under the same parser.
      await webhooks.register(twilioDialerWebhooks(ctx));
    };
    await app.register(twilioWebhooks);
  };
}
