import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../context';
import { requestLanguage } from '../../language';
import { requireUser } from '../../plugins/auth';
import { errors, OrgParams } from '../../schemas';
import { CampaignParams } from '../campaigns/campaigns.schemas';
import { CampaignStats, CampaignStatsQuery, CampaignWelcome, GoalInput, GoalList, GoalParams, GoalProgress, OrganisationStats, OrganisationWelcome, StatsCsvQuery, StatsQuery } from './stats.schemas';
import { campaignWelcome, organisationWelcome } from './welcome';

// Statistics for admins and organizers of an organisation or above: the figures of its whole subtree,
// from the roll-ups (never by counting calls), its goals, and a campaign's own figures.
export function statsRoutes(ctx: AppContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/orgs/:orgId/stats',
      {
        schema: {
          tags: ['statistics'],
          description:
            'The organisation’s statistics over local days (default: this year until today): totals of its whole subtree, each child organisation’s, its own campaigns’, per day, and its goals with progress.',
          params: OrgParams,
          querystring: StatsQuery,
          response: { 200: OrganisationStats, ...errors(400, 401, 403, 404) },
        },
      },
      async (request) => ctx.stats.organisationStats(requireUser(request).userId, request.params.orgId, request.query.from, request.query.to),
    );

    app.get(
      '/orgs/:orgId/stats.csv',
      {
        exposeHeadRoute: false,
        schema: {
          tags: ['statistics'],
          description:
            'The statistics of every organisation in the subtree over local days, one row each (its whole subtree’s figures), as CSV for Excel: UTF-8 with a BOM, `;` by default (decimals with a comma) or `separator=comma`. In the reader’s language (`lang=sv|da|nb|en`, else their account’s, their browser’s, the organisation’s country’s). Cells a spreadsheet would take for a formula begin with \'.',
          params: OrgParams,
          querystring: StatsCsvQuery,
          produces: ['text/csv'],
          response: { 200: Type.String({ description: 'CSV, one row per organisation' }), ...errors(400, 401, 403, 404) },
        },
      },
      async (request, reply) => {
        const { fileName, text } = await ctx.stats.organisationStatsCsv(requireUser(request).userId, request.params.orgId, request.query.from, request.query.to, request.query.separator ?? 'semicolon', (fallback) => requestLanguage(request, fallback));
        const fallback = fileName.replace(/[^A-Za-z0-9 ._-]/g, '_');
        return reply
          .header('content-type', 'text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="${fallback}"; filename*=UTF-8''${encodeURIComponent(fileName)}`)
          .send(text);
      },
    );

    app.get(
      '/campaigns/:campaignId/stats',
      {
        schema: {
          tags: ['statistics'],
          description: 'A campaign’s figures: totals, per day, per hour of one day, per caller, its goals, and a breakdown by answer (each answer given by fewer than five people hidden, and whatever would reveal it).',
          params: CampaignParams,
          querystring: CampaignStatsQuery,
          response: { 200: CampaignStats, ...errors(400, 401, 403, 404) },
        },
      },
      async (request) => ctx.stats.campaignStats(requireUser(request).userId, request.params.campaignId, request.query.day, request.query.answers ?? true),
    );

    app.get(
      '/campaigns/:campaignId/welcome',
      {
        schema: {
          tags: ['statistics'],
          description:
            'A new-member welcome campaign: how many of its people were reached within 14 days of joining and invited to an activity within 30, who is overdue (names only for organizers and admins of its own organisation).',
          params: CampaignParams,
          response: { 200: CampaignWelcome, ...errors(400, 401, 403, 404) },
        },
      },
      async (request) => campaignWelcome(ctx.db, ctx.clock, requireUser(request).userId, request.params.campaignId),
    );

    app.get(
      '/orgs/:orgId/welcome',
      {
        schema: {
          tags: ['statistics'],
          description: 'New members welcomed in time across the welcome campaigns of the organisation’s subtree, and per child organisation.',
          params: OrgParams,
          response: { 200: OrganisationWelcome, ...errors(401, 403, 404) },
        },
      },
      async (request) => organisationWelcome(ctx.db, ctx.clock, requireUser(request).userId, request.params.orgId),
    );

    app.get(
      '/orgs/:orgId/goals',
      { schema: { tags: ['statistics'], description: 'The organisation’s goals with progress.', params: OrgParams, response: { 200: GoalList, ...errors(401, 403, 404) } } },
      async (request) => ({ goals: await ctx.stats.listGoals(requireUser(request).userId, request.params.orgId) }),
    );

    app.post(
      '/orgs/:orgId/goals',
      {
        schema: {
          tags: ['statistics'],
          description: 'Sets a goal for a period: a figure of the whole subtree (or active callers) to reach between two local days.',
          params: OrgParams,
          body: GoalInput,
          response: { 201: GoalProgress, ...errors(400, 401, 403, 404) },
        },
      },
      async (request, reply) => {
        const goal = await ctx.stats.createGoal(requireUser(request).userId, request.params.orgId, request.body);
        return reply.code(201).send(goal);
      },
    );

    app.delete(
      '/orgs/:orgId/goals/:goalId',
      { schema: { tags: ['statistics'], description: 'Removes a goal; answers the goals left.', params: GoalParams, response: { 200: GoalList, ...errors(401, 403, 404) } } },
      async (request) => {
        const { userId } = requireUser(request);
        await ctx.stats.deleteGoal(userId, request.params.orgId, request.params.goalId);
        return { goals: await ctx.stats.listGoals(userId, request.params.orgId) };
      },
    );
  };
}
