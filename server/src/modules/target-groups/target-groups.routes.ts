import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../context';
import { badRequest } from '../../errors';
import { requireUser } from '../../plugins/auth';
import { errors, OrgParams } from '../../schemas';
import { AttributeQuery, AttributeSummary, SizeAnswer, SizeRequest, TargetGroupInput, TargetGroupList, TargetGroupParams, TargetGroupView } from './target-groups.schemas';
import * as groups from './target-groups.service';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function targetGroupsRoutes(ctx: AppContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/orgs/:orgId/target-groups',
      { schema: { tags: ['target groups'], params: OrgParams, response: { 200: TargetGroupList, ...errors(401, 403, 404) } } },
      async (request) => ({ targetGroups: await groups.listGroups(ctx.db, requireUser(request).userId, request.params.orgId) }),
    );

    app.post(
      '/orgs/:orgId/target-groups',
      { schema: { tags: ['target groups'], params: OrgParams, body: TargetGroupInput, response: { 201: TargetGroupView, ...errors(400, 401, 403, 404) } } },
      async (request, reply) =>
        reply.status(201).send(await groups.createGroup(ctx.db, ctx.clock, requireUser(request).userId, request.params.orgId, request.body)),
    );

    app.post(
      '/orgs/:orgId/target-groups/size',
      {
        schema: {
          tags: ['target groups'],
          description: 'How many people lists and filters select, for the editor to show as the organizer filters. Changes nothing.',
          params: OrgParams,
          body: SizeRequest,
          response: { 200: SizeAnswer, ...errors(400, 401, 403, 404) },
        },
      },
      async (request) => groups.groupSize(ctx.db, requireUser(request).userId, request.params.orgId, request.body.listIds, request.body.filters),
    );

    app.get(
      '/orgs/:orgId/target-groups/attributes',
      {
        schema: {
          tags: ['target groups'],
          description: 'The attributes of the people on the given lists (comma-separated ids), with their most common values.',
          params: OrgParams,
          querystring: AttributeQuery,
          response: { 200: AttributeSummary, ...errors(400, 401, 403, 404) },
        },
      },
      async (request) => {
        const listIds = request.query.listIds.split(',').map((id) => id.trim());
        if (listIds.length > 100 || listIds.some((id) => !UUID.test(id))) throw badRequest('validation', 'listIds must be up to 100 list ids, separated by commas.');
        return groups.attributesOf(ctx.db, requireUser(request).userId, request.params.orgId, listIds);
      },
    );

    app.get(
      '/target-groups/:groupId',
      { schema: { tags: ['target groups'], params: TargetGroupParams, response: { 200: TargetGroupView, ...errors(401, 403, 404) } } },
      async (request) => groups.getGroup(ctx.db, requireUser(request).userId, request.params.groupId),
    );

    app.put(
      '/target-groups/:groupId',
      { schema: { tags: ['target groups'], params: TargetGroupParams, body: TargetGroupInput, response: { 200: TargetGroupView, ...errors(400, 401, 403, 404) } } },
      async (request) => groups.updateGroup(ctx.db, ctx.clock, requireUser(request).userId, request.params.groupId, request.body),
    );

    app.delete(
      '/target-groups/:groupId',
      { schema: { tags: ['target groups'], params: TargetGroupParams, response: { 204: Type.Null(), ...errors(401, 403, 404) } } },
      async (request, reply) => {
        await groups.deleteGroup(ctx.db, requireUser(request).userId, request.params.groupId);
        return reply.status(204).send(null);
      },
    );
  };
}
