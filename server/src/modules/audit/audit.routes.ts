import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../context';
import { requireUser } from '../../plugins/auth';
import { errors, OrgParams } from '../../schemas';
import { authorize } from '../organisations/organisations.service';
import { AuditList, AuditQuery } from './audit.schemas';
import { listAudit } from './audit.service';

export function auditRoutes(ctx: AppContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/orgs/:orgId/audit',
      { schema: { tags: ['audit'], params: OrgParams, querystring: AuditQuery, response: { 200: AuditList, ...errors(400, 401, 403, 404) } } },
      async (request) => {
        await authorize(ctx.db, requireUser(request).userId, request.params.orgId, 'admin');
        return { events: await listAudit(ctx.db, request.params.orgId, request.query.limit ?? 100, request.query.before) };
      },
    );
  };
}
