import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../context';
import { requireUser } from '../../plugins/auth';
import { errors } from '../../schemas';
import { erasePersonAs } from './erasure';
import { EraseBody, Erased, PersonParams } from './privacy.schemas';

// Privacy (GDPR): erasure of a person. Nothing personal goes into a URL or a log line: a person is named by id.
export function privacyRoutes(ctx: AppContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      '/people/:personId/erase',
      {
        schema: {
          tags: ['privacy'],
          description:
            "Erases a person (GDPR Art. 17): the person, their list memberships and queue places (a caller holding them is told at once), the answers, notes, flag notes and callback times of their calls (the calls stay, tied to no one, so every figure stays the same), the phone line's records of them and the rows of import problem reports that quote them. With `keepOffCalls` their number is put on (or kept on) the organisation's do-not-call register, as an erasure request and nothing else; a number already on a register stays there the same way. Admins and organizers of the person's organisation or above; 404 for everyone else. In the audit log by the person's id.",
          params: PersonParams,
          body: EraseBody,
          response: { 200: Erased, ...errors(400, 401, 403, 404, 429) },
        },
      },
      async (request) => {
        const user = requireUser(request);
        return erasePersonAs(ctx, user.userId, request.params.personId, { keepOffCalls: request.body.keepOffCalls });
      },
    );
  };
}
