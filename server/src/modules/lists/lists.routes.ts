import { rm } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../context';
import { AppError, badRequest } from '../../errors';
import { requireUser } from '../../plugins/auth';
import { errors, LanguageQuery, OrgParams } from '../../schemas';
import { requestLanguage } from '../../language';
import { rejectUnstorableText } from '../../plugins/text-guard';
import { authorize } from '../organisations/organisations.service';
import { AddDoNotCallBody, CreatedList, DoNotCallEntry, DoNotCallFileResult, DoNotCallList, DoNotCallParams, DoNotCallSearch, ListList, ListParams, ListPreview, ListSourceBody, ListView, NoQuery } from './lists.schemas';
import * as lists from './lists.service';
import { receiveUpload } from './uploads';

export function listsRoutes(ctx: AppContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      '/orgs/:orgId/lists',
      {
        schema: {
          tags: ['lists'],
          description:
            'Import a target list: multipart with `file` (CSV or xlsx), `name`, optional `country` (SE, DK, NO, FI) and `mapping` (JSON, from the preview), and where the list came from: `source` (broker, members, signup or other), `sourceName` (the broker, or what "other" is; required for those two), `sourceDate` (YYYY-MM-DD, the day it was bought; required for a broker, never in the future) and `basis` (members, consent or legitimate-interest). Without them: 400 source_required, basis_required, source_name_required, source_date_required, invalid_source_date or source_date_in_future, and nothing is imported.',
          params: OrgParams,
          response: { 202: CreatedList, ...errors(400, 401, 403, 404, 413, 415) },
        },
      },
      async (request, reply) => {
        const user = requireUser(request);
        // Rights first: nobody without them gets to send a 200 MB file.
        await authorize(ctx.db, user.userId, request.params.orgId, 'organizer');
        const upload = await receiveUpload(request, ctx.importMaxBytes, ctx.uploadDir);
        try {
          const name = upload.fields.name?.trim();
          if (!name) throw badRequest('validation', 'Give the list a name.');
          if (name.length > 200) throw badRequest('validation', 'The name may be at most 200 characters.');
          const country = await lists.countryFor(ctx.db, user.userId, request.params.orgId, upload.fields.country);
          const source = await lists.importSource(ctx.db, ctx.clock, user.userId, request.params.orgId, {
            kind: upload.fields.source,
            name: upload.fields.sourceName,
            date: upload.fields.sourceDate,
            basis: upload.fields.basis,
          });
          const mapping = parseMapping(upload.fields.mapping);
          const id = await ctx.importer.start({
            organisationId: request.params.orgId,
            name,
            country,
            filePath: upload.path,
            originalName: upload.originalName,
            mapping,
            source,
            createdBy: user.userId,
            removeFile: true,
          });
          return reply.status(202).send({ id });
        } catch (error) {
          await rm(upload.path, { force: true });
          throw error;
        }
      },
    );

    app.post(
      '/orgs/:orgId/lists/preview',
      {
        schema: {
          tags: ['lists'],
          description:
            "The header, proposed column mapping and first rows of a file (the first 256 KB of a CSV is enough), and how the first 500 rows' numbers read in each country, with the country to suggest instead of each (`numbers.suggestions.SE` is DK for a Danish file): nothing is imported.",
          params: OrgParams,
          response: { 200: ListPreview, ...errors(400, 401, 403, 404, 413, 415) },
        },
      },
      async (request) => {
        const user = requireUser(request);
        await authorize(ctx.db, user.userId, request.params.orgId, 'organizer');
        const upload = await receiveUpload(request, ctx.importMaxBytes, ctx.uploadDir);
        return lists.previewFile(upload.path, upload.originalName, ctx.importMaxBytes);
      },
    );

    app.get(
      '/orgs/:orgId/lists',
      { schema: { tags: ['lists'], params: OrgParams, response: { 200: ListList, ...errors(401, 403, 404) } } },
      async (request) => ({ lists: await lists.listLists(ctx.db, requireUser(request).userId, request.params.orgId) }),
    );

    app.get(
      '/lists/:listId',
      { schema: { tags: ['lists'], params: ListParams, response: { 200: ListView, ...errors(401, 403, 404) } } },
      async (request) => lists.toListView(await lists.authorizedList(ctx.db, requireUser(request).userId, request.params.listId)),
    );

    app.put(
      '/lists/:listId/source',
      {
        schema: {
          tags: ['lists'],
          description:
            "Record (or correct) where a list came from and on what legal basis, for a list imported before Ringa asked. Organizers and admins of the list's organisation or above. The same rules and errors as at import.",
          params: ListParams,
          body: ListSourceBody,
          response: { 200: ListView, ...errors(400, 401, 403, 404) },
        },
      },
      async (request) => lists.recordListSource(ctx.db, ctx.clock, requireUser(request).userId, request.params.listId, request.body),
    );

    app.get(
      '/lists/:listId/errors.csv',
      {
        schema: {
          tags: ['lists'],
          description:
            "Every row the import did not use, with why, as a `;`-separated file for Excel: row, column, value, problem, reason. In the reader's language (`lang=sv|da|nb|en`, else their account's, their browser's, the organisation's country's): the header, the problems, the reasons and the file's name.",
          params: ListParams,
          querystring: LanguageQuery,
          produces: ['text/csv'],
          response: { 200: Type.Unsafe<Readable>({ type: 'string', description: 'CSV: row, column, value, problem, reason' }), ...errors(400, 401, 403, 404) },
        },
      },
      async (request, reply) => {
        const file = await lists.problemsFile(ctx.db, requireUser(request).userId, request.params.listId, (fallback) => requestLanguage(request, fallback));
        return reply
          .header('content-type', 'text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="${file.fallbackName}"; filename*=UTF-8''${encodeURIComponent(file.fileName)}`)
          .send(Readable.from(file.body));
      },
    );

    app.delete(
      '/lists/:listId',
      { schema: { tags: ['lists'], params: ListParams, response: { 204: Type.Null(), ...errors(401, 403, 404) } } },
      async (request, reply) => {
        await lists.deleteList(ctx.db, ctx.importer, requireUser(request).userId, request.params.listId);
        return reply.status(204).send(null);
      },
    );

    app.post(
      '/orgs/:orgId/do-not-call',
      { schema: { tags: ['do-not-call'], params: OrgParams, body: AddDoNotCallBody, response: { 201: DoNotCallEntry, ...errors(400, 401, 403, 404) } } },
      async (request, reply) => {
        const entry = await lists.addDoNotCall(ctx.db, ctx.clock, requireUser(request).userId, request.params.orgId, request.body);
        // At once: the number leaves every campaign queue beneath, and a caller holding it is told.
        await ctx.calling.numbersObjected(request.params.orgId, [entry.phone]);
        return reply.status(201).send(entry);
      },
    );

    app.post(
      '/orgs/:orgId/do-not-call/search',
      {
        schema: {
          tags: ['do-not-call'],
          description:
            "The organisation's register, newest first, a page at a time, found by (part of) a number. The search is sent in the body, never in the URL, so that no proxy logs the numbers. With `inherited: true` also the entries of the organisations above it, which apply here too: each names its organisation and is marked `inherited`; it can be removed only at that organisation.",
          params: OrgParams,
          querystring: NoQuery,
          body: DoNotCallSearch,
          response: { 200: DoNotCallList, ...errors(400, 401, 403, 404) },
        },
      },
      async (request) => lists.listDoNotCall(ctx.db, requireUser(request).userId, request.params.orgId, request.body),
    );

    app.delete(
      '/orgs/:orgId/do-not-call/:entryId',
      { schema: { tags: ['do-not-call'], params: DoNotCallParams, response: { 204: Type.Null(), ...errors(401, 403, 404) } } },
      async (request, reply) => {
        await lists.removeDoNotCall(ctx.db, requireUser(request).userId, request.params.orgId, request.params.entryId);
        return reply.status(204).send(null);
      },
    );

    app.post(
      '/orgs/:orgId/do-not-call/file',
      {
        schema: {
          tags: ['do-not-call'],
          description: 'Add every valid number of a file (CSV or xlsx with a phone column) to the register.',
          params: OrgParams,
          response: { 200: DoNotCallFileResult, ...errors(400, 401, 403, 404, 413, 415) },
        },
      },
      async (request) => {
        const user = requireUser(request);
        await authorize(ctx.db, user.userId, request.params.orgId, 'organizer');
        const upload = await receiveUpload(request, ctx.importMaxBytes, ctx.uploadDir);
        const { numbers, ...result } = await lists.uploadDoNotCall(ctx.db, ctx.clock, user.userId, request.params.orgId, upload, ctx.importMaxBytes);
        // As for one number: they leave every campaign queue beneath at once; callers holding one are told.
        await ctx.calling.numbersObjected(request.params.orgId, numbers);
        return result;
      },
    );
  };
}

function parseMapping(value: string | undefined): unknown {
  if (value === undefined || value.trim() === '') return undefined;
  try {
    const mapping = JSON.parse(value) as unknown;
    rejectUnstorableText(mapping, 'body.mapping');
    return mapping;
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw badRequest('invalid_mapping', 'The column mapping is not valid JSON.');
  }
}
