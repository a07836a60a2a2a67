import type { FastifyError, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { DATABASE_UNAVAILABLE_MESSAGE } from '../../../db/availability';
import { noteDatabaseError, type Database } from '../../../db/database';
import type { ErrorCode } from '../contract/errors';
import { AppError } from '../errors';

/** One error shape for every answer: `{ error: { code, message } }`. A 5xx never shows internals. */
export default fp<{ db: Database }>(
  async function errors(app: FastifyInstance, { db }) {
    app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
      if (error instanceof AppError) {
        return reply
          .status(error.statusCode)
          .headers(error.headers)
          .send({ error: { code: error.code, message: error.message } });
      }
      // PostgreSQL is away (a restart, a failover): an outage to wait out, not a bug. Said once in the log, not per request.
      if (noteDatabaseError(db, error)) {
        return reply
          .status(503)
          .header('retry-after', '5')
          .send({ error: { code: 'database_unavailable', message: DATABASE_UNAVAILABLE_MESSAGE } });
      }
      if (error.validation) {
        const where = error.validationContext ?? 'request';
        return reply.status(400).send({ error: { code: 'validation', message: `Invalid ${where}: ${error.message}` } });
      }
      const status = error.statusCode ?? 500;
      if (status >= 400 && status < 500) {
        return reply.status(status).send({ error: { code: clientErrorCode(error, status), message: error.message } });
      }
      // Name, code, message and stack only: driver errors carry the offending values (emails, names) in other fields.
      const { name, code, message, stack } = error as Error & { code?: unknown };
      request.log.error({ route: request.routeOptions.url, error: { name, code, message, stack } }, 'request failed');
      return reply
        .status(500)
        .send({ error: { code: 'internal', message: 'Something went wrong on our side. Please try again.' } });
    });

    app.setNotFoundHandler((request, reply) =>
      reply.status(404).send({ error: { code: 'not_found', message: `No such address: ${request.method} ${request.url.split('?')[0]}` } }),
    );
  },
  { name: 'errors' },
);

function clientErrorCode(error: FastifyError, status: number): ErrorCode {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'body_too_large';
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'unsupported_media_type';
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return 'invalid_json';
    default:
      return status === 413 ? 'body_too_large' : 'bad_request';
  }
}
