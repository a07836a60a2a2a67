import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { DATABASE_UNAVAILABLE_MESSAGE } from '../../../../db/availability';
import { databaseAnswers } from '../../../../db/database';
import type { AppContext } from '../../context';
import { ErrorResponse } from '../../schemas';

/** For load balancers and supervisors: is the process alive (health), and can it serve (ready)? */
export function systemRoutes(ctx: AppContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    // Liveness: the process answers. It does not ask the database, so an outage does not get a live process restarted.
    app.get('/health', { schema: { tags: ['system'], response: { 200: Type.Object({ ok: Type.Literal(true) }) } } }, async () => ({ ok: true as const }));

    // Readiness: PostgreSQL answers, so requests can be served; 503 while it is away.
    app.get('/ready', { schema: { tags: ['system'], response: { 200: Type.Object({ ok: Type.Literal(true) }), 503: ErrorResponse } } }, async (_request, reply) => {
      if (await databaseAnswers(ctx.db)) return { ok: true as const };
      return reply.status(503).header('retry-after', '5').send({ error: { code: 'database_unavailable', message: DATABASE_UNAVAILABLE_MESSAGE } });
    });
  };
}
