import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Server } from 'socket.io';
import { isDatabaseUnavailable } from '../../../db/availability';
import { noteDatabaseError } from '../../../db/database';
import { createBroadcastAdapter } from './broadcasts';
import type { AppContext } from '../context';
import { SESSION_COOKIE } from '../modules/accounts/sessions.service';
import { callingSocket } from '../modules/calling/calling.socket';
import { listsSocket } from '../modules/lists/lists.socket';
import { statsSocket } from '../modules/stats/stats.socket';
import { telephonySocket } from '../modules/telephony/telephony.socket';
import { dialerSocket } from '../modules/dialer/dialer.socket';
import type { RealtimeServer } from '../realtime-types';
import { guardSockets, SESSION_CHECK_MS } from './socket-guard';
import type { SocketDomainFactory } from './socket-handlers';

declare module 'fastify' {
  interface FastifyInstance {
    io: RealtimeServer;
  }
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of header?.split(';') ?? []) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return decodeURIComponent(value.join('='));
  }
  return undefined;
}

/**
 * socket.io on the app's HTTP server. Sockets authenticate in io.use() with the session cookie and
 * must come from PUBLIC_URL's origin; a socket ends when its session ends. With shareBroadcasts,
 * broadcasts reach the sockets of every server process on the same database (PostgreSQL NOTIFY).
 */
export default fp<{ ctx: AppContext; shareBroadcasts: boolean; sessionCheckMs?: number | undefined }>(
  async function realtime(app: FastifyInstance, { ctx, shareBroadcasts, sessionCheckMs }) {
    const io: RealtimeServer = new Server(app.server, {
      path: '/socket.io',
      serveClient: false,
      // The largest request the web app sends (a call with its answers and notes) is a few tens of kB.
      maxHttpBufferSize: 256 * 1024,
      ...(shareBroadcasts
        ? { adapter: createBroadcastAdapter(ctx.db, (error) => app.log.error({ name: error.name }, 'socket.io broadcast between processes failed')) }
        : {}),
      // Another site's page always sends its Origin (WebSocket handshakes and cross-site requests do);
      // the browser leaves it out only on same-origin GETs, such as the polling transport's.
      allowRequest: (request, callback) => {
        const origin = request.headers.origin;
        callback(null, origin === undefined || origin === ctx.publicUrl.origin);
      },
    });

    io.use((socket, next) => {
      const token = cookieValue(socket.request.headers.cookie, SESSION_COOKIE);
      if (!token) return next(new Error('unauthenticated'));
      ctx.sessions.resolve(token).then(
        (session) => {
          if (!session) return next(new Error('unauthenticated'));
          socket.data = { userId: session.userId, sessionId: session.sessionId };
          next();
        },
        // While PostgreSQL is away the session cannot be looked up: not 'unauthenticated', at which the web app stops reconnecting.
        (error: unknown) => next(new Error(isDatabaseUnavailable(error) ? 'database_unavailable' : 'unauthenticated')),
      );
    });

    // Rate limit, unstorable text, outgoing buffer, sockets per user, sessions looked at again.
    guardSockets(app, io, { sessions: ctx.sessions, sessionCheckMs: sessionCheckMs ?? SESSION_CHECK_MS });

    // Only what an error is, never its details: a database error's detail can hold a person's number.
    const log = (error: unknown, what = 'a socket event failed') => {
      if (noteDatabaseError(ctx.db, error)) return; // an outage is logged once, when it starts
      const { name, code } = error instanceof Error ? (error as Error & { code?: unknown }) : { name: typeof error, code: undefined };
      app.log.error({ name, code }, what);
    };
    // Each domain's events and timers, in modules/<domain>/<domain>.socket.ts (see plugins/socket-handlers.ts).
    const factories: SocketDomainFactory[] = [callingSocket, listsSocket, statsSocket, telephonySocket, dialerSocket];
    const domains = factories.map((domain) => domain(io, { ctx, log }));

    io.on('connection', (socket) => {
      void socket.join([`session:${socket.data.sessionId}`, `user:${socket.data.userId}`]);
      for (const domain of domains) domain.onConnection(socket);
    });

    ctx.sessions.on('ended', ({ sessionId, userId }) => {
      const room = sessionId ? `session:${sessionId}` : `user:${userId ?? ''}`;
      io.to(room).emit('session:ended');
      io.in(room).disconnectSockets(true);
    });

    app.decorate('io', io);
    // Before Fastify closes the HTTP server: end the sockets (they would hold it open) and stop engine.io.
    app.addHook('preClose', async () => {
      for (const domain of domains) domain.close();
      io.disconnectSockets(true);
      io.engine.close();
      // Stops the adapter's LISTEN and heartbeat, so the database pool can close after.
      await io.of('/').adapter.close();
      // This process holds nobody any more; other processes need not wait to find it gone.
      await ctx.calling.leave().catch(log);
    });
  },
  { name: 'realtime', dependencies: ['auth'] },
);
