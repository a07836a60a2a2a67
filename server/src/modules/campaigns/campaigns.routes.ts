import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyBaseLogger } from 'fastify';
import type { AppContext } from '../../context';
import { requireUser } from '../../plugins/auth';
import { errors, OrgParams } from '../../schemas';
import { CampaignInput, CampaignList, CampaignParams, CampaignSettings, CampaignView, ScriptInput, StatusChange } from './campaigns.schemas';
import * as campaigns from './campaigns.service';

export function campaignsRoutes(ctx: AppContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    /** The campaign changed: its dialer (in whichever process paces it) asks its queue again now; a failure is logged, the change stands. */
    const tellDialer = (campaignId: string, log: FastifyBaseLogger) =>
      ctx.dialer.reconsider(campaignId).catch((error: unknown) => log.error({ name: (error as Error).name }, 'the campaign dialer could not be told of the change'));

    app.get(
      '/orgs/:orgId/campaigns',
      { schema: { tags: ['campaigns'], params: OrgParams, response: { 200: CampaignList, ...errors(401, 403, 404) } } },
      async (request) => ({ campaigns: await campaigns.listCampaigns(ctx.db, ctx.clock, requireUser(request).userId, request.params.orgId) }),
    );

    app.post(
      '/orgs/:orgId/campaigns',
      {
        schema: {
          tags: ['campaigns'],
          description: 'A new campaign, as a draft. Left out: the default calling window (Mon–Fri 09–20, Sat–Sun 11–17; in a Norwegian organisation Mon–Fri 09–21, no weekends), outcomes and retry rules.',
          params: OrgParams,
          body: CampaignInput,
          response: { 201: CampaignView, ...errors(400, 401, 403, 404) },
        },
      },
      async (request, reply) =>
        reply.status(201).send(await campaigns.createCampaign(ctx.db, ctx.clock, requireUser(request).userId, request.params.orgId, request.body)),
    );

    app.get(
      '/campaigns/:campaignId',
      {
        schema: {
          tags: ['campaigns'],
          description: 'The campaign with its current script version, the calls saved so far and the figures of its queue.',
          params: CampaignParams,
          response: { 200: CampaignView, ...errors(401, 403, 404) },
        },
      },
      async (request) => campaigns.getCampaign(ctx.db, ctx.clock, requireUser(request).userId, request.params.campaignId),
    );

    app.put(
      '/campaigns/:campaignId',
      {
        schema: {
          tags: ['campaigns'],
          description:
            'Changes the settings given; those left out stay as they are. New target groups of a running campaign join its queue at once; people no longer in any group and never called leave it.',
          params: CampaignParams,
          body: CampaignSettings,
          response: { 200: CampaignView, ...errors(400, 401, 403, 404) },
        },
      },
      async (request) => {
        const changed = await campaigns.updateSettings(ctx.db, ctx.clock, requireUser(request).userId, request.params.campaignId, request.body);
        // New hours or people: a dialer waiting out "nobody to call" asks again now (else within 30 s).
        await tellDialer(request.params.campaignId, request.log);
        return changed;
      },
    );

    app.put(
      '/campaigns/:campaignId/script',
      {
        schema: {
          tags: ['campaigns'],
          description: 'Saves script, questions and outcomes as a new version, calls made so far keeping the version they were made under; a version nobody has called yet is changed in place.',
          params: CampaignParams,
          body: ScriptInput,
          response: { 200: CampaignView, ...errors(400, 401, 403, 404) },
        },
      },
      async (request) => campaigns.saveScript(ctx.db, ctx.clock, requireUser(request).userId, request.params.campaignId, request.body),
    );

    app.post(
      '/campaigns/:campaignId/status',
      {
        schema: {
          tags: ['campaigns'],
          description: 'Moves the campaign along draft → active ⇄ paused → finished; activating fills its queue from its target groups.',
          params: CampaignParams,
          body: StatusChange,
          response: { 200: CampaignView, ...errors(400, 401, 403, 404, 409) },
        },
      },
      async (request) => {
        const changed = await campaigns.changeStatus(ctx.db, ctx.clock, requireUser(request).userId, request.params.campaignId, request.body.status);
        // Resumed, paused or finished: the campaign's dialer asks its queue again now, and its callers hear why if nobody comes.
        await tellDialer(request.params.campaignId, request.log);
        return changed;
      },
    );
  };
}
