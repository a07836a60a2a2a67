import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../context';
import { requireUser } from '../../plugins/auth';
import { errors, LanguageQuery, OrgParams } from '../../schemas';
import { requestLanguage } from '../../language';
import { DoNotCallEntry } from '../lists/lists.schemas';
import { PersonCorrection, PersonDoNotCallBody, PersonExport, PersonPage, PersonParams, PersonSearchBody, PersonSearchResult } from './people.schemas';
import * as people from './people.service';

// A person's page for organizers (GDPR Art. 15 and 16). Names and numbers travel in bodies and
// answers only: never in a URL, a log line or the audit log (which names a person by id).
export function peopleRoutes(ctx: AppContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      '/orgs/:orgId/people/search',
      {
        schema: {
          tags: ['people'],
          description: `People of the organisation and the ones beneath it by name (first or last, a part of it) or number (written any way), at most ${people.SEARCH_LIMIT}; \`more\` says there are others. Organizers and admins.`,
          params: OrgParams,
          body: PersonSearchBody,
          response: { 200: PersonSearchResult, ...errors(400, 401, 403, 404) },
        },
      },
      async (request) => people.searchPeople(ctx.db, ctx.clock, requireUser(request).userId, request.params.orgId, request.body.query),
    );

    app.get(
      '/people/:personId',
      {
        schema: {
          tags: ['people'],
          description:
            "A person: fields, lists with their source and legal basis, campaigns and calls (answers and notes only for organizers and admins of the campaign's own organisation), do-not-call entries and when their data is deleted. Organizers and admins of the person's organisation or above; anyone else gets 404. Each view is audited.",
          params: PersonParams,
          response: { 200: PersonPage, ...errors(401, 404) },
        },
      },
      async (request) => people.viewPerson(ctx.db, ctx.clock, requireUser(request).userId, request.params.personId),
    );

    app.patch(
      '/people/:personId',
      {
        schema: {
          tags: ['people'],
          description: 'Corrects the name, email or attributes (GDPR Art. 16; `attributes` replaces the whole set, an empty value removes one). Answers the page.',
          params: PersonParams,
          body: PersonCorrection,
          response: { 200: PersonPage, ...errors(400, 401, 404) },
        },
      },
      async (request) => people.correctPerson(ctx.db, ctx.clock, requireUser(request).userId, request.params.personId, request.body),
    );

    app.post(
      '/people/:personId/do-not-call',
      {
        schema: {
          tags: ['people'],
          description: "Puts the person's number on their organisation's do-not-call register, at once in every campaign.",
          params: PersonParams,
          body: PersonDoNotCallBody,
          response: { 201: DoNotCallEntry, ...errors(400, 401, 404) },
        },
      },
      async (request, reply) => {
        const entry = await people.putOnDoNotCall(ctx.db, ctx.clock, requireUser(request).userId, request.params.personId, request.body.reason);
        return reply.status(201).send(entry);
      },
    );

    app.get(
      '/people/:personId/export',
      {
        schema: {
          tags: ['people'],
          description:
            "Everything Ringa holds on the person (GDPR Art. 15) as JSON, with when each part is deleted. Answers and notes are included for campaigns whose own organizer or admin asks; for the others (`contentVisible: false`) those campaigns' organizers add them. Outcomes and do-not-call reasons Ringa names are in the reader's language (`lang=sv|da|nb|en`, else their account's, their browser's, the organisation's country's). Audited.",
          params: PersonParams,
          querystring: LanguageQuery,
          response: { 200: PersonExport, ...errors(400, 401, 404) },
        },
      },
      async (request, reply) => {
        const exported = await people.exportPerson(ctx.db, ctx.clock, requireUser(request).userId, request.params.personId, (fallback) => requestLanguage(request, fallback));
        // A file name with the id only: names do not go into headers a proxy might log.
        return reply.header('content-disposition', `inline; filename="person-${exported.id}.json"`).send(exported);
      },
    );
  };
}
