import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../context';
import { TwilioParams } from '../telephony/telephony.schemas';

// Twilio's webhooks for the calls the dialer places and for callers' conferences. Registered inside the
// telephony module's webhook plugin, so they take its form-encoded parser; each is refused (403) unless
// signed by Twilio for PUBLIC_URL and this very address, the line or seat in its query included.
export function twilioDialerWebhooks(ctx: AppContext): FastifyPluginAsyncTypebox {
  return async (webhooks) => {
    const addressOf = (url: string) => ctx.publicUrl.origin + url;
    const signature = (headers: Record<string, string | string[] | undefined>) => headers['x-twilio-signature'] as string | undefined;

    webhooks.post(
      '/dialer/twilio/answer',
      { schema: { tags: ['dialer'], description: 'A call the dialer placed was picked up: silence while answering-machine detection listens.', body: TwilioParams } },
      async (request, reply) => {
        const twiml = await ctx.twilioDialer.answerWebhook(request.body, signature(request.headers), addressOf(request.url));
        return reply.type('text/xml').send(twiml);
      },
    );

    // The rest answer 204: what they change goes to the call through Twilio's REST API, not in the answer.
    const callbacks = [
      ['/dialer/twilio/amd', 'Answering-machine detection’s result: the dialer decides (bridge, message and goodbye, hang up) and the call is updated.', 'amdWebhook'],
      ['/dialer/twilio/status', 'Status callbacks of the calls the dialer placed.', 'statusWebhook'],
      ['/dialer/twilio/conference', 'Events of a caller’s conference: the caller joining or leaving, a bridged person leaving, the end.', 'conferenceWebhook'],
    ] as const;
    for (const [path, description, handler] of callbacks) {
      webhooks.post(path, { schema: { tags: ['dialer'], description, body: TwilioParams } }, async (request, reply) => {
        await ctx.twilioDialer[handler](request.body, signature(request.headers), addressOf(request.url));
        return reply.status(204).send();
      });
    }
  };
}
