import type { Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../context';
import { requestLanguage } from '../../language';
import { requireUser } from '../../plugins/auth';
import { errors } from '../../schemas';
import { CampaignParams } from '../campaigns/campaigns.schemas';
import { CallsExportQuery } from './exports.schemas';
import { CallsExporter } from './exports.service';

// Files organizers take out of Ringa. Nothing personal goes into a URL, a log line or a file name.
export function exportsRoutes(ctx: AppContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    const exporter = new CallsExporter(ctx.db, ctx.clock);

    app.get(
      '/campaigns/:campaignId/calls.csv',
      {
        // A HEAD would run the whole export to throw it away.
        exposeHeadRoute: false,
        schema: {
          tags: ['exports'],
          description:
            "Every saved call of the campaign as CSV (UTF-8 with a BOM, `;` by default as Excel in Sweden and Denmark expects, or `separator=comma`): time and callback time in the organisation's time zone, caller, first and last name, phone, outcome, tags, notes, then one column per question. In the reader's language (`lang=sv|da|nb|en`, else their account's, their browser's, the organisation's country's): the header, the file name, the built-in outcomes, tags and yes/no; an organizer's own outcome labels and choices as written. Cells that a spreadsheet would take for a formula begin with '. Only organizers and admins of the campaign's own organisation; each export is in the audit log.",
          params: CampaignParams,
          querystring: CallsExportQuery,
          produces: ['text/csv'],
          response: { 200: Type.Unsafe<Readable>({ type: 'string', description: 'CSV, one row per call' }), ...errors(400, 401, 403, 404, 429) },
        },
      },
      async (request, reply) => {
        const user = requireUser(request);
        const exported = await exporter.exportCalls(user.userId, request.params.campaignId, request.query.separator ?? 'semicolon', (fallback) => requestLanguage(request, fallback));
        const fallback = exported.fileName.replace(/[^A-Za-z0-9 ._-]/g, '_');
        return reply
          .header('content-type', 'text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="${fallback}"; filename*=UTF-8''${encodeURIComponent(exported.fileName)}`)
          .send(exported.body);
      },
    );
  };
}
