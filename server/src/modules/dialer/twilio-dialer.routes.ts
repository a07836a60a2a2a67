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

    webhooks.post(
      '/dialer/twilio/amd',
      { schema: { tags: ['dialer'], description: 'Answering-machine detection’s result: the dialer decides (bridge, message and goodbye, hang up) and the call is updated.', body: TwilioParams } },
      async (request, reply) => {
        await ctx.twilioDialer.amdWebhook(request.body, signature(request.headers), addressOf(request.url));
        return reply.status(204).send();
      },
    );

    webhooks.post(
      '/dialer/twilio/status',
      { schema: { tags: ['dialer'], description: 'Status callbacks of the calls the dialer placed.', body: TwilioParams } },
      async (request, reply) => {
        await ctx.twilioDialer.statusWebhook(request.body, signature(request.headers), addressOf(request.url));
        return reply.status(204).send();
      },
    );

    webhooks.post(
      '/dialer/twilio/conference',
      { schema: { tags: ['dialer'], description: 'Events of a caller’s conference: the caller joining or leaving, a bridged person leaving, the end.', body: TwilioParams } },
      async (request, reply) => {
        await ctx.twilioDialer.conferenceWebhook(request.body, signature(request.headers), addressOf(request.url));
        return reply.status(204).send();
      },
    );
  };
}
