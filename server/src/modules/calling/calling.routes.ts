import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../context';
import { requireUser } from '../../plugins/auth';
import { errors } from '../../schemas';
import { CampaignParams } from '../campaigns/campaigns.schemas';
import { CallableCampaignList, CallParams, EmptyBody, FlagList, FlagResolved } from './calling.schemas';

// The organizers' side of the calls (flags to handle) and the campaigns a caller may call in.
// Callers speak to the engine over socket.io.
export function callingRoutes(ctx: AppContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/me/campaigns',
      {
        schema: {
          tags: ['calls'],
          description: 'The open and paused campaigns the signed-in user may call in: of their organisations and those beneath, and those that invited one of them as a team.',
          response: { 200: CallableCampaignList, ...errors(401) },
        },
      },
      async (request) => ({ campaigns: await ctx.calling.callableCampaigns(requireUser(request).userId) }),
    );

    app.get(
      '/campaigns/:campaignId/flags',
      {
        schema: {
          tags: ['calls'],
          description:
            "How many flagged calls no organizer has handled yet, and — for organizers and admins of the campaign's own organisation — the calls, newest first (at most 500). Organisations above get `flags: null`.",
          params: CampaignParams,
          response: { 200: FlagList, ...errors(401, 403, 404) },
        },
      },
      async (request) => ctx.calling.flags(requireUser(request).userId, request.params.campaignId),
    );

    app.post(
      '/calls/:callId/flag/resolve',
      {
        schema: {
          tags: ['calls'],
          description: "Marks a flagged call handled (organizers and admins of the campaign's own organisation); handling it again changes nothing.",
          params: CallParams,
          body: EmptyBody,
          response: { 200: FlagResolved, ...errors(400, 401, 403, 404, 409) },
        },
      },
      async (request) => ctx.calling.resolveFlag(requireUser(request).userId, request.params.callId),
    );
  };
}
