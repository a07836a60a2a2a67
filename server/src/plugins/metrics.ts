import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { poolOf } from '../../../db/database';
import type { AppContext } from '../context';

// GET /metrics in Prometheus's text format, for operators, behind METRICS_TOKEN (a bearer token;
// without it the address is not served). A registry of the app's own, so that several apps in one
// process (tests) keep their figures apart. Labels hold route patterns, operations and results only:
// never a URL, an id, a name, an e-mail or a phone number.

const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

const digest = (text: string) => createHash('sha256').update(text).digest();

/** Whether the Authorization header carries the token, compared in constant time. */
function carriesToken(header: string | undefined, expected: Buffer): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  // Digests of equal length: timingSafeEqual needs that, and it hides the token's length too.
  return timingSafeEqual(digest(match?.[1] ?? ''), expected) && match !== null;
}

export default fp<{ ctx: AppContext; token: string | undefined }>(
  async function metrics(app: FastifyInstance, { ctx, token }) {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry });

    const http = new Histogram({
      name: 'ringa_http_request_duration_seconds',
      help: 'HTTP requests by method, route pattern and status, and how long they took',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: SECONDS,
      registers: [registry],
    });
    app.addHook('onResponse', async (request, reply) => {
      // The route's pattern (/api/orgs/:orgId/stats), never the URL; requests that matched no route share one label.
      http.observe({ method: request.method, route: request.routeOptions.url ?? '(no route)', status: String(reply.statusCode) }, reply.elapsedTime / 1000);
    });

    new Gauge({
      name: 'ringa_sockets_connected',
      help: 'socket.io connections open to this process',
      registers: [registry],
      collect() {
        this.set(app.io.of('/').sockets.size);
      },
    });

    const claims = new Counter({ name: 'ringa_claims_total', help: 'Claims of the next person: assigned, none left, refused or failed', labelNames: ['result'] as const, registers: [registry] });
    const saves = new Counter({ name: 'ringa_saves_total', help: 'Saves of a call: saved, refused (lease lost, bad answers …) or failed', labelNames: ['result'] as const, registers: [registry] });
    const claimSeconds = new Histogram({ name: 'ringa_claim_duration_seconds', help: 'How long a claim of the next person took to answer', buckets: SECONDS, registers: [registry] });
    const saveSeconds = new Histogram({ name: 'ringa_save_duration_seconds', help: 'How long a save took to answer (with the next person when asked)', buckets: SECONDS, registers: [registry] });
    const measured = ({ operation, result, seconds }: { operation: 'claim' | 'save'; result: string; seconds: number | null }) => {
      (operation === 'claim' ? claims : saves).inc({ result });
      if (seconds !== null) (operation === 'claim' ? claimSeconds : saveSeconds).observe(seconds);
    };
    ctx.calling.on('measured', measured);
    app.addHook('onClose', async () => {
      ctx.calling.off('measured', measured);
    });

    const pool = poolOf(ctx.db);
    new Gauge({
      name: 'ringa_db_pool_connections',
      help: "This process's PostgreSQL connections: in use by a query or transaction, or idle",
      labelNames: ['state'] as const,
      registers: [registry],
      collect() {
        this.set({ state: 'in_use' }, pool.totalCount - pool.idleCount);
        this.set({ state: 'idle' }, pool.idleCount);
      },
    });
    new Gauge({
      name: 'ringa_db_pool_waiting',
      help: 'Requests waiting for a PostgreSQL connection of this process',
      registers: [registry],
      collect() {
        this.set(pool.waitingCount);
      },
    });

    const pending = new Gauge({ name: 'ringa_stats_pending_changes', help: 'Saved changes not yet folded into the statistics (counted up to a million)', registers: [registry] });
    new Gauge({
      name: 'ringa_stats_seconds_since_fold',
      help: 'Seconds since this process last folded the statistics (a few times a second when it is the one folding; with several processes, the smallest is the roller)',
      registers: [registry],
      async collect() {
        try {
          const lag = await ctx.stats.lag();
          pending.set(lag.pending);
          if (lag.secondsSinceFold !== null) this.set(lag.secondsSinceFold);
        } catch {
          // The database is away: the figures stay as last read, and the pool gauges tell why.
        }
      },
    });

    new Gauge({
      name: 'ringa_list_imports_running',
      help: 'List imports running in this process',
      registers: [registry],
      collect() {
        this.set(ctx.importer.runningCount);
      },
    });

    const expected = token === undefined ? undefined : digest(token);
    app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
      if (!expected) return reply.status(404).send({ error: { code: 'not_found', message: 'Metrics are not served here: set METRICS_TOKEN to serve them.' } });
      if (!carriesToken(request.headers.authorization, expected)) {
        return reply
          .status(401)
          .header('www-authenticate', 'Bearer realm="ringa-metrics"')
          .send({ error: { code: 'unauthenticated', message: 'Send the METRICS_TOKEN as "Authorization: Bearer <token>".' } });
      }
      return reply.header('content-type', registry.contentType).header('cache-control', 'no-store').send(await registry.metrics());
    });
  },
  { name: 'metrics', dependencies: ['realtime'] },
);
