import type { FastifyInstance } from 'fastify';
import type { TSchema } from 'typebox';
import type { Validator } from 'typebox/compile';
import type { Ack } from '../contract/realtime';
import { isDatabaseUnavailable } from '../../../db/availability';
import type { SessionService } from '../modules/accounts/sessions.service';
import type { RealtimeServer, RealtimeSocket } from '../realtime-types';
import { findUnstorableText, unstorableTextMessage } from './text-guard';

// What every socket goes through, whatever its events: one rate limit and a bound on unanswered
// requests, no unstorable text, an outgoing buffer that a client not reading cannot grow without
// end, a few sockets per user, and a session that is looked at again while the socket lives.

/** Per socket: this many events a second on average, and bursts up to RATE_BURST. */
const RATE = 10;
const RATE_BURST = 30;
/** Requests of one socket the server is still working on; more are refused, so a slow database cannot queue work without end. */
const MAX_IN_FLIGHT = 8;
/** Bytes waiting to go out to one socket (engine.io's write buffer and the WebSocket's own) before it is cut. */
export const MAX_BUFFERED_BYTES = 256 * 1024;
/**
 * Bytes sent to one socket within SENT_WINDOW_MS before it is cut, read or not. A person's screen is
 * sent far less (a join with a long script is about 100 kB, live figures a few hundred bytes a second);
 * a client asking for big answers again and again makes the server build and drop them faster than
 * it collects them, while the system's socket buffers hide that nobody reads.
 */
export const MAX_SENT_BYTES = 2 * 1024 * 1024;
const SENT_WINDOW_MS = 10_000;
/** Sockets one user may hold in a server process; a new one closes the oldest. Tabs of the web app each hold one. */
export const SOCKETS_PER_USER = 5;
/** How often the sessions of open sockets are looked at again (expired, idle, ended). */
export const SESSION_CHECK_MS = 30_000;
/** A user whose socket was cut for not reading waits this long before a new one of theirs is let in. */
const OVERFLOW_COOLDOWN_MS = 10_000;
/** A socket the server disconnected that still has not closed after this is cut (it does not read, so it never hears the close). */
const CLOSE_GRACE_MS = 5_000;

// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- typebox's compiled validator carries no context here
export type Checker<T extends TSchema> = Validator<{}, T>;

/** The invalid_payload answer for a payload that fails its schema, naming the first field that does. */
export function invalidPayload<T extends TSchema>(check: Checker<T>, payload: unknown): Ack<never> {
  const first = [...check.Errors(payload)].at(-1);
  const where = first?.instancePath ? ` (${first.instancePath.slice(1)})` : '';
  return { ok: false, error: { code: 'invalid_payload', message: `The request does not have the expected shape${where}: ${first?.message ?? 'unknown'}.` } };
}

const RATE_LIMITED: Ack<never> = { ok: false, error: { code: 'rate_limited', message: 'Too many requests at once; wait a moment.' } };
const NO_SUCH_EVENT: Ack<never> = { ok: false, error: { code: 'invalid_payload', message: 'There is no such event.' } };

type Connection = RealtimeSocket['conn'];
interface WebSocketLike {
  bufferedAmount: number;
  terminate(): void;
}

/** The ws WebSocket under a connection on the websocket transport (engine.io does not type it). */
function webSocketOf(conn: Connection): WebSocketLike | null {
  const socket = (conn.transport as unknown as { socket?: Partial<WebSocketLike> }).socket;
  return socket && typeof socket.bufferedAmount === 'number' && typeof socket.terminate === 'function' ? (socket as WebSocketLike) : null;
}

function bufferedBytes(conn: Connection): number {
  // Packets waiting while the transport is busy writing (engine.io keeps them private).
  let bytes = 0;
  for (const packet of (conn as unknown as { writeBuffer: { data?: unknown }[] }).writeBuffer) {
    const data = packet.data;
    bytes += typeof data === 'string' ? data.length : Buffer.isBuffer(data) ? data.length : 0;
  }
  return bytes + (webSocketOf(conn)?.bufferedAmount ?? 0);
}

/** Ends the connection now, dropping whatever waits to be sent: a WebSocket close handshake would queue behind it. */
function cut(conn: Connection): void {
  if (conn.readyState === 'closed') return;
  const ws = webSocketOf(conn);
  if (ws) ws.terminate();
  else conn.close(true);
}

function tokenBucket(): () => boolean {
  let tokens = RATE_BURST;
  let refilled = performance.now();
  return () => {
    const now = performance.now();
    tokens = Math.min(RATE_BURST, tokens + ((now - refilled) / 1000) * RATE);
    refilled = now;
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  };
}

/** Wires the guard into the socket.io server; its timer stops when the app closes. */
export function guardSockets(app: FastifyInstance, io: RealtimeServer, { sessions, sessionCheckMs }: { sessions: SessionService; sessionCheckMs: number }): void {
  const byUser = new Map<string, RealtimeSocket[]>();
  /** Sessions whose sockets sent events since the last look: that counts as the person being there. */
  const active = new Set<string>();

  /** Users whose socket was cut for not reading, until when their next socket waits. */
  const cooling = new Map<string, number>();
  // Registered after the authentication, so the user is known. The handshake waits rather than fails:
  // socket.io clients do not retry a refused one, and a real person's browser should come back.
  io.use((socket, next) => {
    const until = cooling.get(socket.data.userId) ?? 0;
    const wait = until - performance.now();
    if (wait <= 0) {
      cooling.delete(socket.data.userId);
      next();
      return;
    }
    setTimeout(() => next(), wait).unref();
  });

  io.on('connection', (socket) => {
    const { userId, sessionId } = socket.data;
    const conn = socket.conn;

    // A client that does not read its answers is cut once they pile up, or once it has been sent more than a person reads.
    let overflowed = false;
    let sent = 0;
    let windowStart = performance.now();
    conn.on('packetCreate', (packet: { data?: unknown }) => {
      if (overflowed) return;
      const now = performance.now();
      if (now - windowStart > SENT_WINDOW_MS) {
        windowStart = now;
        sent = 0;
      }
      sent += typeof packet.data === 'string' ? packet.data.length : Buffer.isBuffer(packet.data) ? packet.data.length : 0;
      if (sent <= MAX_SENT_BYTES && bufferedBytes(conn) <= MAX_BUFFERED_BYTES) return;
      overflowed = true;
      cooling.set(userId, performance.now() + OVERFLOW_COOLDOWN_MS);
      app.log.warn({ buffered: bufferedBytes(conn), sent }, 'a socket that did not read its answers was cut');
      cut(conn);
    });

    // A few sockets per user: the oldest goes, told why (the web app says so and stops reconnecting).
    const mine = byUser.get(userId) ?? [];
    mine.push(socket);
    byUser.set(userId, mine);
    while (mine.length > SOCKETS_PER_USER) {
      const oldest = mine.shift();
      oldest?.emit('connection:closed', { reason: 'too-many-connections' });
      oldest?.disconnect(true);
    }
    socket.on('disconnect', () => {
      const left = (byUser.get(userId) ?? []).filter((other) => other !== socket);
      if (left.length > 0) byUser.set(userId, left);
      else byUser.delete(userId);
      setTimeout(() => cut(conn), CLOSE_GRACE_MS).unref();
    });

    const allowed = tokenBucket();
    let inFlight = 0;
    socket.use((packet: unknown[], next) => {
      const [event, ...args] = packet;
      const last = args.at(-1);
      const ack = typeof last === 'function' ? (last as (answer: Ack<never>) => void) : undefined;
      const payload = ack ? args.slice(0, -1) : args;
      if (!allowed() || (ack && inFlight >= MAX_IN_FLIGHT)) return ack?.(RATE_LIMITED);
      if (typeof event !== 'string' || socket.listeners(event as 'campaign:join').length === 0) return ack?.(NO_SUCH_EVENT);
      const unstorable = findUnstorableText(payload.length === 1 ? payload[0] : payload);
      if (unstorable !== null) return ack?.({ ok: false, error: { code: 'invalid_payload', message: unstorableTextMessage(unstorable) } });
      if (ack) {
        inFlight += 1;
        let answered = false;
        packet[packet.length - 1] = (answer: Ack<never>) => {
          if (answered) return;
          answered = true;
          inFlight -= 1;
          ack(answer);
        };
      }
      active.add(sessionId);
      next();
    });
  });

  // Sockets follow their session: one that expired, went idle or was ended elsewhere (a broadcast
  // missed) ends its sockets within SESSION_CHECK_MS, as a sign-out does.
  let sweeping = false;
  const sweep = async () => {
    if (sweeping) return;
    sweeping = true;
    try {
      const sockets = [...io.of('/').sockets.values()];
      const seen = [...active];
      active.clear();
      const ended = await sessions.sweep([...new Set(sockets.map((socket) => socket.data.sessionId))], seen);
      for (const socket of sockets) {
        if (!ended.has(socket.data.sessionId)) continue;
        socket.emit('session:ended');
        socket.disconnect(true);
      }
    } catch (error) {
      // While PostgreSQL is away nobody is cut: the sessions are looked at again once it is back (the outage itself is logged once).
      if (!isDatabaseUnavailable(error)) app.log.error({ name: error instanceof Error ? error.name : typeof error }, 'looking at the sessions of open sockets failed');
    } finally {
      sweeping = false;
    }
  };
  const timer = setInterval(() => void sweep(), sessionCheckMs);
  timer.unref();
  app.addHook('preClose', async () => clearInterval(timer));
}
