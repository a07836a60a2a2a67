import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Server } from 'socket.io';
import { Compile } from 'typebox/compile';
import { DATABASE_UNAVAILABLE_MESSAGE, isDatabaseUnavailable } from '../../../db/availability';
import { noteDatabaseError } from '../../../db/database';
import { createBroadcastAdapter } from './broadcasts';
import type { Ack } from '../contract/realtime';
import type { RealtimeServer } from '../realtime-types';
import type { AppContext } from '../context';
import { AppError } from '../errors';
import { SESSION_COOKIE } from '../modules/accounts/sessions.service';
import { authorize } from '../modules/organisations/organisations.service';
import { callingSocket, Presence } from '../modules/calling/calling.socket';
import { OrganisationRequest } from '../schemas';
import { guardSockets, invalidPayload, SESSION_CHECK_MS } from './socket-guard';

const checkOrganisationRequest = Compile(OrganisationRequest);

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

/** The callers connected to a campaign, across every server process (one per person, however many tabs). */
async function callersOnline(io: RealtimeServer, campaignId: string): Promise<number> {
  const sockets = await io.in(`callers:${campaignId}`).fetchSockets();
  return new Set(sockets.map((socket) => socket.data.userId)).size;
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

    const presence = new Presence();
    // Only what an error is, never its details: a database error's detail can hold a person's number.
    const logError = (error: unknown) => {
      if (noteDatabaseError(ctx.db, error)) return; // an outage is logged once, when it starts
      const { name, code } = error instanceof Error ? (error as Error & { code?: unknown }) : { name: typeof error, code: undefined };
      app.log.error({ name, code }, 'a calling event failed');
    };

    io.on('connection', (socket) => {
      void socket.join([`session:${socket.data.sessionId}`, `user:${socket.data.userId}`]);
      callingSocket(socket, ctx.calling, { presence, callersOnline: (campaignId) => callersOnline(io, campaignId) }, logError);
      // Organizers follow an organisation's imports, or its statistics, by joining its room.
      const watch = (room: 'lists' | 'stats') => (request: unknown, ack: (answer: Ack<null>) => void) => {
        if (typeof ack !== 'function') return;
        if (!checkOrganisationRequest.Check(request)) {
          ack(invalidPayload(checkOrganisationRequest, request));
          return;
        }
        const { organisationId } = request;
        authorize(ctx.db, socket.data.userId, organisationId, 'organizer').then(
          async () => {
            await socket.join(`${room}:${organisationId}`);
            ack({ ok: true, data: null });
          },
          (error: unknown) =>
            ack({
              ok: false,
              error:
                error instanceof AppError
                  ? { code: error.code, message: error.message }
                  : noteDatabaseError(ctx.db, error)
                    ? { code: 'database_unavailable', message: DATABASE_UNAVAILABLE_MESSAGE }
                    : { code: 'not_found', message: 'The organisation was not found.' },
            }),
        );
      };
      socket.on('lists:watch', watch('lists'));
      socket.on('stats:watch', watch('stats'));
    });

    ctx.importer.on('progress', (progress) => io.to(`lists:${progress.organisationId}`).emit('list:progress', progress));

    // Calling: revoked leases go to their callers; figures go out at most once a second per campaign.
    ctx.calling.on('revoked', ({ userId, assignmentId, reason }) => io.to(`user:${userId}`).emit('assignment:revoked', { assignmentId, reason }));
    // Telephony: every call status (Twilio's or the simulated line's) goes to its caller.
    ctx.telephony.on('status', ({ userId, ...event }) => io.to(`user:${userId}`).emit('telephony:status', event));
    /** Campaigns whose live figures (campaign:stats) are due: callers came or went, or their calls were folded. */
    const changed = new Set<string>();
    // Statistics: when figures move, every organisation above the ones called in hears it, at most once a second.
    const statsMoved = new Set<string>();
    ctx.stats.on('changed', ({ organisations, campaigns }) => {
      // A campaign's live figures are read from the same roll-ups: they go out once these are folded.
      for (const campaignId of campaigns) changed.add(campaignId);
      ctx.db
        .selectFrom('organisationClosure')
        .select('ancestorId')
        .distinct()
        .where('descendantId', 'in', organisations)
        .execute()
        .then(
          (rows) => {
            for (const row of rows) statsMoved.add(row.ancestorId);
          },
          (error: unknown) => {
            if (!noteDatabaseError(ctx.db, error)) app.log.error({ name: error instanceof Error ? error.name : typeof error }, 'announcing moved statistics failed');
          },
        );
    });
    ctx.calling.on('saved', ({ campaignId }) => changed.add(campaignId));
    ctx.calling.on('presence', ({ campaignId }) => changed.add(campaignId));
    // Someone held is a change of the queue: the watchers' next figures make them read it again.
    ctx.calling.on('held', ({ campaignId }) => changed.add(campaignId));
    // A large campaign's figures take a while to count: the next count waits 20 times as long as the
    // last took (at least the second), so counting never takes more than a twentieth of the database.
    const nextCount = new Map<string, number>();
    const timers = [
      setInterval(() => {
        const now = performance.now();
        for (const campaignId of changed) {
          if ((nextCount.get(campaignId) ?? 0) > now) continue;
          changed.delete(campaignId);
          nextCount.set(campaignId, Infinity); // one count at a time
          Promise.all([ctx.calling.figures(campaignId), callersOnline(io, campaignId)]).then(
            ([figures, online]) => {
              nextCount.set(campaignId, performance.now() + 19 * (performance.now() - now));
              io.to(`campaign:${campaignId}`).emit('campaign:stats', { campaignId, ...figures, callersOnline: online });
            },
            (error: unknown) => {
              nextCount.delete(campaignId);
              logError(error);
            },
          );
        }
      }, 1000),
      setInterval(() => {
        for (const organisationId of statsMoved) io.to(`stats:${organisationId}`).emit('stats:changed', { organisationId });
        statsMoved.clear();
      }, 1000),
      // Connected callers keep their person; leases whose time ran out go back to the queue.
      setInterval(() => void ctx.calling.extend(presence.connected()).catch(logError), 30_000),
      setInterval(() => void ctx.calling.reap().catch(logError), 5_000),
    ];
    for (const timer of timers) timer.unref();
    ctx.sessions.on('ended', ({ sessionId, userId }) => {
      const room = sessionId ? `session:${sessionId}` : `user:${userId ?? ''}`;
      io.to(room).emit('session:ended');
      io.in(room).disconnectSockets(true);
    });

    app.decorate('io', io);
    // Before Fastify closes the HTTP server: end the sockets (they would hold it open) and stop engine.io.
    app.addHook('preClose', async () => {
      for (const timer of timers) clearInterval(timer);
      io.disconnectSockets(true);
      io.engine.close();
      // Stops the adapter's LISTEN and heartbeat, so the database pool can close after.
      await io.of('/').adapter.close();
      // This process holds nobody any more; other processes need not wait to find it gone.
      await ctx.calling.leave().catch(logError);
    });
  },
  { name: 'realtime', dependencies: ['auth'] },
);
