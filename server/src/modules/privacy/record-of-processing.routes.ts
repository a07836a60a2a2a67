import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../context';
import { requireUser } from '../../plugins/auth';
import { errors, OrgParams } from '../../schemas';
import { RecordOfProcessing } from './record-of-processing.schemas';
import { recordOfProcessing } from './record-of-processing.service';

// The record of processing (GDPR Art. 30) of one organisation, for its admins and those above.
export function recordOfProcessingRoutes(ctx: AppContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/orgs/:orgId/record-of-processing',
      {
        schema: {
          tags: ['privacy'],
          description:
            'The organisation’s record of processing (GDPR Art. 30), generated from what Ringa holds: the people on its lists by source, the kinds of data kept, its campaigns (purposes), its lists’ sources and legal bases, its retention rules, who has access (roles and counts, inherited ones included) and the processors in use. Admins of the organisation or above.',
          params: OrgParams,
          response: { 200: RecordOfProcessing, ...errors(401, 403, 404) },
        },
      },
      async (request) => recordOfProcessing(ctx, requireUser(request).userId, request.params.orgId),
    );
  };
}
