import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { Me } from '../accounts/accounts.schemas';
import type { AppContext } from '../../context';
import { requireUser } from '../../plugins/auth';
import { errors, OrgParams } from '../../schemas';
import { AcceptInviteBody, CreatedInvite, CreateInviteBody, InviteList, InviteParams, InvitePreview, InviteTokenBody } from './invites.schemas';
import * as invites from './invites.service';

export function invitesRoutes(ctx: AppContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/orgs/:orgId/invites',
      { schema: { tags: ['invites'], params: OrgParams, response: { 200: InviteList, ...errors(401, 403, 404) } } },
      async (request) => ({ invites: await invites.listInvites(ctx.db, ctx.clock, requireUser(request).userId, request.params.orgId) }),
    );

    app.post(
      '/orgs/:orgId/invites',
      {
        schema: {
          tags: ['invites'],
          params: OrgParams,
          body: CreateInviteBody,
          response: { 201: CreatedInvite, ...errors(400, 401, 403, 404, 409) },
        },
      },
      async (request, reply) => {
        const created = await invites.createInvite(ctx.db, ctx.clock, ctx.publicUrl, requireUser(request).userId, request.params.orgId, request.body, ctx.mailer);
        return reply.status(201).send(created);
      },
    );

    app.delete(
      '/orgs/:orgId/invites/:inviteId',
      { schema: { tags: ['invites'], params: InviteParams, response: { 204: Type.Null(), ...errors(401, 403, 404) } } },
      async (request, reply) => {
        await invites.revokeInvite(ctx.db, ctx.clock, requireUser(request).userId, request.params.orgId, request.params.inviteId);
        return reply.status(204).send(null);
      },
    );

    // The token travels in the body, never in a URL, so it stays out of logs.
    app.post(
      '/invites/preview',
      { schema: { tags: ['invites'], body: InviteTokenBody, response: { 200: InvitePreview, ...errors(400, 404, 410) } } },
      async (request) => invites.previewInvite(ctx.db, ctx.clock, request.body.token),
    );

    app.post(
      '/invites/accept',
      { schema: { tags: ['invites'], body: AcceptInviteBody, response: { 200: Me, ...errors(400, 401, 404, 409, 410) } } },
      async (request, reply) => {
        const accepted = await invites.acceptInvite(ctx.db, ctx.clock, ctx.sessions, request.session?.userId ?? null, request.body);
        if (accepted.session) reply.startSession(accepted.session.token);
        return accepted.me;
      },
    );
  };
}
