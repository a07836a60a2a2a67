import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../context';
import { requestLanguage } from '../../language';
import { requireUser } from '../../plugins/auth';
import { errors } from '../../schemas';
import { MemberParams } from '../organisations/organisations.schemas';
import { Me, PasswordResetAccepted, PasswordResetBody, PasswordResetConfirmBody, ResetLink } from './accounts.schemas';

export function passwordResetRoutes(ctx: AppContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    // 202 for every address, known or not; the mail, if any, is sent after the answer.
    app.post(
      '/auth/password-reset',
      { schema: { tags: ['accounts'], body: PasswordResetBody, response: { 202: PasswordResetAccepted, ...errors(400, 409, 429) } } },
      async (request, reply) => {
        await ctx.passwordResets.request(request.body.email, request.ip, (fallback) => requestLanguage(request, fallback));
        return reply.status(202).send({ accepted: true });
      },
    );

    // The token travels in the body, never in a URL, so it stays out of logs.
    app.post(
      '/auth/password-reset/confirm',
      { schema: { tags: ['accounts'], body: PasswordResetConfirmBody, response: { 200: Me, ...errors(400) } } },
      async (request, reply) => {
        const signedIn = await ctx.passwordResets.confirm(request.body.token, request.body.password);
        if (request.session) await ctx.sessions.end(request.session.sessionId);
        reply.startSession(signedIn.token);
        return signedIn.me;
      },
    );

    app.post(
      '/orgs/:orgId/members/:userId/reset-link',
      { schema: { tags: ['accounts'], params: MemberParams, response: { 201: ResetLink, ...errors(401, 403, 404, 409) } } },
      async (request, reply) => {
        const link = await ctx.passwordResets.linkFor(requireUser(request).userId, request.params.orgId, request.params.userId);
        return reply.status(201).send({ url: link.url, expiresAt: link.expiresAt.toISOString() });
      },
    );
  };
}
