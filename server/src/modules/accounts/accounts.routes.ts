import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../context';
import { clearSessionCookie, requireUser } from '../../plugins/auth';
import { errors } from '../../schemas';
import { MemberParams } from '../organisations/organisations.schemas';
import { LoginBody, Me, MeUpdate, SetupBody, SetupStatus } from './accounts.schemas';
import * as accounts from './accounts.service';

export function accountsRoutes(ctx: AppContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/setup', { schema: { tags: ['accounts'], response: { 200: SetupStatus } } }, async () => ({
      needed: await accounts.setupNeeded(ctx.db),
      mail: ctx.mailer.configured,
    }));

    app.post(
      '/setup',
      { schema: { tags: ['accounts'], body: SetupBody, response: { 200: Me, ...errors(400, 403, 409) } } },
      async (request, reply) => {
        const signedIn = await accounts.completeSetup(ctx.db, ctx.clock, ctx.sessions, request.body);
        reply.startSession(signedIn.token);
        return signedIn.me;
      },
    );

    app.post(
      '/auth/login',
      { schema: { tags: ['accounts'], body: LoginBody, response: { 200: Me, ...errors(400, 401, 429) } } },
      async (request, reply) => {
        const signedIn = await ctx.logins.login(request.body.email, request.body.password, request.ip);
        // A new session id at every sign-in: the old one, if any, ends.
        if (request.session) await ctx.sessions.end(request.session.sessionId);
        reply.startSession(signedIn.token);
        return signedIn.me;
      },
    );

    app.post('/auth/logout', { schema: { tags: ['accounts'], response: { 204: Type.Null() } } }, async (request, reply) => {
      if (request.session) await accounts.logout(ctx.db, ctx.clock, ctx.sessions, request.session);
      clearSessionCookie(reply);
      return reply.status(204).send(null);
    });

    app.get('/me', { schema: { tags: ['accounts'], response: { 200: Me, ...errors(401) } } }, async (request) =>
      accounts.getMe(ctx.db, requireUser(request).userId),
    );

    app.put('/me', { schema: { tags: ['accounts'], body: MeUpdate, response: { 200: Me, ...errors(400, 401) } } }, async (request) =>
      accounts.setLanguage(ctx.db, requireUser(request).userId, request.body.language),
    );

    app.post(
      '/orgs/:orgId/users/:userId/disable',
      {
        schema: {
          tags: ['accounts'],
          params: MemberParams,
          response: { 204: Type.Null(), ...errors(401, 403, 404, 409) },
        },
      },
      async (request, reply) => {
        const user = requireUser(request);
        await accounts.disableUser(ctx.db, ctx.clock, user.userId, request.params.orgId, request.params.userId);
        ctx.sessions.endedAllOf(request.params.userId);
        return reply.status(204).send(null);
      },
    );
  };
}
