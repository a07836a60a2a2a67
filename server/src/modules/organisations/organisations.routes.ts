import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../context';
import { requireUser } from '../../plugins/auth';
import { errors, OrgParams } from '../../schemas';
import { ChangeRoleBody, CreateOrganisationBody, MemberList, MemberParams, MembersQuery, MemberView, OrganisationList, OrganisationView } from './organisations.schemas';
import * as organisations from './organisations.service';

export function organisationsRoutes(ctx: AppContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/orgs', { schema: { tags: ['organisations'], response: { 200: OrganisationList, ...errors(401) } } }, async (request) => ({
      organisations: await organisations.visibleOrganisations(ctx.db, requireUser(request).userId),
    }));

    app.get(
      '/orgs/:orgId',
      { schema: { tags: ['organisations'], params: OrgParams, response: { 200: OrganisationView, ...errors(401, 404) } } },
      async (request) => organisations.getOrganisation(ctx.db, requireUser(request).userId, request.params.orgId),
    );

    app.post(
      '/orgs/:orgId/children',
      {
        schema: {
          tags: ['organisations'],
          params: OrgParams,
          body: CreateOrganisationBody,
          response: { 201: OrganisationView, ...errors(400, 401, 403, 404, 409) },
        },
      },
      async (request, reply) => {
        const created = await organisations.createChildOrganisation(ctx.db, ctx.clock, requireUser(request).userId, request.params.orgId, request.body);
        return reply.status(201).send(created);
      },
    );

    app.get(
      '/orgs/:orgId/members',
      { schema: { tags: ['organisations'], params: OrgParams, querystring: MembersQuery, response: { 200: MemberList, ...errors(400, 401, 403, 404) } } },
      async (request) => ({
        members: await organisations.listMembers(ctx.db, requireUser(request).userId, request.params.orgId, request.query.subOrganisations ?? false),
      }),
    );

    app.patch(
      '/orgs/:orgId/members/:userId',
      {
        schema: {
          tags: ['organisations'],
          params: MemberParams,
          body: ChangeRoleBody,
          response: { 200: MemberView, ...errors(400, 401, 403, 404, 409) },
        },
      },
      async (request) =>
        organisations.changeMemberRole(ctx.db, ctx.clock, requireUser(request).userId, request.params.orgId, request.params.userId, request.body.role),
    );

    app.delete(
      '/orgs/:orgId/members/:userId',
      { schema: { tags: ['organisations'], params: MemberParams, response: { 204: Type.Null(), ...errors(401, 403, 404, 409) } } },
      async (request, reply) => {
        await organisations.removeMember(ctx.db, ctx.clock, requireUser(request).userId, request.params.orgId, request.params.userId);
        return reply.status(204).send(null);
      },
    );
  };
}
