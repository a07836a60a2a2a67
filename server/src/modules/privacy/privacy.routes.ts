import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../context';
import { requireUser } from '../../plugins/auth';
import { errors, OrgParams } from '../../schemas';
import { retentionView, setRetention } from './retention.service';
import { erasePersonAs } from './erasure';
import { EraseBody, Erased, PersonParams, RetentionInput, RetentionView } from './privacy.schemas';

// Privacy (GDPR): erasure of a person, and an organisation's retention rules. Nothing personal goes into a URL or a log line: a person is named by id.
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

    app.get(
      '/orgs/:orgId/retention',
      {
        schema: {
          tags: ['privacy'],
          description:
            "The organisation's retention rules — months a finished campaign's answers and notes are kept, months people are kept after the last campaign that called them (or their list's import) finished — with where each comes from (its own, an organisation above, or Ringa's default), and how many campaigns' answers and how many people the daily purge deletes in the organisation and those beneath it in the next 30 days, by day. Admins of the organisation or above.",
          params: OrgParams,
          response: { 200: RetentionView, ...errors(400, 401, 403, 404, 429) },
        },
      },
      async (request) => retentionView(ctx.db, ctx.clock, requireUser(request).userId, request.params.orgId),
    );

    app.put(
      '/orgs/:orgId/retention',
      {
        schema: {
          tags: ['privacy'],
          description:
            "Sets the organisation's own retention months: answers 1–60, people 1–120, null to inherit from the organisation above (or Ringa's defaults, 12 and 24). Applies to the organisations beneath that have not set their own. Admins of the organisation or above.",
          params: OrgParams,
          body: RetentionInput,
          response: { 200: RetentionView, ...errors(400, 401, 403, 404, 429) },
        },
      },
      async (request) => setRetention(ctx.db, ctx.clock, requireUser(request).userId, request.params.orgId, request.body),
    );
  };
}
