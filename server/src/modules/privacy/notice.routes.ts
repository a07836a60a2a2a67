import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../context';
import { requireUser } from '../../plugins/auth';
import { errors, OrgParams } from '../../schemas';
import { NoticeInput, OrganisationNotice } from './notice.schemas';
import * as notices from './notice.service';

export function noticeRoutes(ctx: AppContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/orgs/:orgId/notice',
      {
        schema: {
          tags: ['privacy'],
          description: 'The first-contact notice (GDPR Art. 14) in effect for the organisation, its own (null = inherited), and where it comes from. Organizers and admins.',
          params: OrgParams,
          response: { 200: OrganisationNotice, ...errors(401, 403, 404) },
        },
      },
      async (request) => notices.organisationNotice(ctx.db, requireUser(request).userId, request.params.orgId),
    );

    app.put(
      '/orgs/:orgId/notice',
      {
        schema: {
          tags: ['privacy'],
          description: 'Sets the organisation’s own notice; null inherits the one above (or Ringa’s default). Placeholders: {organisation}, {source}. Admins.',
          params: OrgParams,
          body: NoticeInput,
          response: { 200: OrganisationNotice, ...errors(400, 401, 403, 404) },
        },
      },
      async (request) => notices.setOrganisationNotice(ctx.db, ctx.clock, requireUser(request).userId, request.params.orgId, request.body.notice),
    );
  };
}
