/**
 * Telling "PostgreSQL is away" (a restart, a failover, a network blip, a connection the server ended)
 * apart from every other database error: the first is an outage to wait out (503, the web app resends),
 * the second a bug or bad input.
 */

// Class 08 (connection exception), and the server going away or not yet taking connections:
// admin_shutdown, crash_shutdown, cannot_connect_now, too_many_connections.
const UNAVAILABLE_SQLSTATE = /^(08...|57P01|57P02|57P03|53300)$/;
const UNAVAILABLE_ERRNO = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND', 'ECONNABORTED']);
// node-postgres says these in words only.
const UNAVAILABLE_MESSAGE =
  /Connection terminated|not queryable|timeout exceeded when trying to connect|Connection ended|terminating connection due to|the database system is (starting up|shutting down|in recovery mode)/i;

export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (!(error instanceof Error) || depth > 3) return false;
  const code = (error as Error & { code?: unknown }).code;
  if (typeof code === 'string' && (UNAVAILABLE_SQLSTATE.test(code) || UNAVAILABLE_ERRNO.has(code))) return true;
  if (UNAVAILABLE_MESSAGE.test(error.message)) return true;
  // Node reports a refused connection to every address of "localhost" as one AggregateError.
  if (error instanceof AggregateError) return error.errors.some((inner) => isDatabaseUnavailable(inner, depth + 1));
  return error.cause !== undefined && isDatabaseUnavailable(error.cause, depth + 1);
}

/** What a person is told while the database is away, over HTTP and sockets alike. */
export const DATABASE_UNAVAILABLE_MESSAGE = 'Ringa cannot reach its database right now; nothing was changed. Try again in a few seconds.';
