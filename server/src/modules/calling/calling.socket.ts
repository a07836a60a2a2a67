import { AppError } from '../../errors';
import { handle, type SocketDomainFactory } from '../../plugins/socket-handlers';
import type { RealtimeServer, RealtimeSocket } from '../../realtime-types';
import type { CallingEngine } from './calling.service';
import { checkCampaignRequest, checkCompleteCall, checkCorrectCall, checkReleaseContact, checkSkipContact } from './calling.schemas';

// The calling events of one socket (callers, and organizers watching), registered through plugins/socket-handlers.ts.
// The rate limit, shared by every event of a socket, is the socket guard's (plugins/socket-guard.ts).

/** Which callers are connected to which campaigns in this process, for their leases' heartbeat. */
class Presence {
  private readonly sockets = new Map<string, number>();

  private static key(userId: string, campaignId: string): string {
    return `${userId}|${campaignId}`;
  }

  add(userId: string, campaignId: string): void {
    const key = Presence.key(userId, campaignId);
    this.sockets.set(key, (this.sockets.get(key) ?? 0) + 1);
  }

  /** Returns whether the caller still has a socket in the campaign. */
  remove(userId: string, campaignId: string): boolean {
    const key = Presence.key(userId, campaignId);
    const left = (this.sockets.get(key) ?? 1) - 1;
    if (left <= 0) this.sockets.delete(key);
    else this.sockets.set(key, left);
    return left > 0;
  }

  connected(): { userId: string; campaignId: string }[] {
    return [...this.sockets.keys()].map((key) => {
      const [userId = '', campaignId = ''] = key.split('|');
      return { userId, campaignId };
    });
  }
}

/**
 * The callers connected to a campaign, across every server process (one per person, however many tabs).
 * A process that stopped without a word (killed) is waited for until socket.io's adapter misses its
 * heartbeats (about 10 s): meanwhile each count times out, and the last one stands rather than an error.
 */
async function callersOnline(io: RealtimeServer, campaignId: string, lastOnline: Map<string, number>): Promise<number> {
  try {
    const sockets = await io.in(`callers:${campaignId}`).fetchSockets();
    const online = new Set(sockets.map((socket) => socket.data.userId)).size;
    lastOnline.set(campaignId, online);
    return online;
  } catch (error) {
    if (!(error instanceof Error) || !error.message.startsWith('timeout reached')) throw error;
    // Not counted here before: this process's own callers, until the adapter forgets the stopped one.
    const last = lastOnline.get(campaignId);
    if (last !== undefined) return last;
    const local = await io.local.in(`callers:${campaignId}`).fetchSockets();
    return new Set(local.map((socket) => socket.data.userId)).size;
  }
}

/**
 * Calling over sockets: callers join campaigns and take, save, correct, give back and skip people;
 * organizers watch a campaign's figures, sent at most once a second while they move; a caller whose
 * person is taken from them is told. Connected callers keep their leases (the engine's heartbeat).
 */
export const callingSocket: SocketDomainFactory = (io, { ctx, log }) => {
  const engine = ctx.calling;
  const presence = new Presence();
  /** The last count of each campaign's callers online, for the seconds a stopped process does not answer. */
  const lastOnline = new Map<string, number>();

  engine.on('revoked', ({ userId, assignmentId, reason }) => io.to(`user:${userId}`).emit('assignment:revoked', { assignmentId, reason }));

  /** Campaigns whose live figures (campaign:stats) are due: callers came or went, or their calls were folded. */
  const changed = new Set<string>();
  // A campaign's live figures are read from the statistics' roll-ups: they go out once these are folded.
  ctx.stats.on('changed', ({ campaigns }) => {
    for (const campaignId of campaigns) changed.add(campaignId);
  });
  engine.on('saved', ({ campaignId }) => changed.add(campaignId));
  engine.on('presence', ({ campaignId }) => changed.add(campaignId));
  // Someone held is a change of the queue: the watchers' next figures make them read it again.
  engine.on('held', ({ campaignId }) => changed.add(campaignId));
  // A large campaign's figures take a while to count: the next count waits 20 times as long as the
  // last took (at least the second), so counting never takes more than a twentieth of the database.
  const nextCount = new Map<string, number>();
  const timer = setInterval(() => {
    const now = performance.now();
    for (const campaignId of changed) {
      if ((nextCount.get(campaignId) ?? 0) > now) continue;
      changed.delete(campaignId);
      nextCount.set(campaignId, Infinity); // one count at a time
      Promise.all([engine.figures(campaignId), callersOnline(io, campaignId, lastOnline)]).then(
        ([figures, online]) => {
          nextCount.set(campaignId, performance.now() + 19 * (performance.now() - now));
          io.to(`campaign:${campaignId}`).emit('campaign:stats', { campaignId, ...figures, callersOnline: online });
        },
        (error: unknown) => {
          nextCount.delete(campaignId);
          log(error);
        },
      );
    }
  }, 1000);
  timer.unref();
  // The callers connected here keep their person while their sockets are open.
  engine.start(() => presence.connected());

  return {
    onConnection: (socket) => callerEvents(socket, engine, { presence, callersOnline: (campaignId) => callersOnline(io, campaignId, lastOnline) }, log),
    close: () => {
      clearInterval(timer);
      engine.close();
    },
  };
};

/** What the sockets of a process share: who is connected here, and how many callers a campaign has across processes. */
interface CallingPresence {
  presence: Presence;
  callersOnline: (campaignId: string) => Promise<number>;
}

function callerEvents(socket: RealtimeSocket, engine: CallingEngine, { presence, callersOnline }: CallingPresence, log: (error: unknown) => void): void {
  const userId = socket.data.userId;
  const joined = new Set<string>();

  const requireJoined = (campaignId: string) => {
    if (!joined.has(campaignId)) throw new AppError(409, 'not_joined', 'Join the campaign first (campaign:join).');
  };

  handle(socket, log, 'campaign:join', checkCampaignRequest, async ({ campaignId }) => {
    const answer = await engine.join(userId, campaignId);
    if (!joined.has(campaignId)) {
      joined.add(campaignId);
      presence.add(userId, campaignId);
      await socket.join([`campaign:${campaignId}`, `callers:${campaignId}`]);
      engine.emit('presence', { campaignId });
      // Recorded as connected here; back in time, the person this caller held waits no longer for the grace period to end.
      await engine.joined(userId, campaignId);
    }
    return answer;
  });

  handle(socket, log, 'contact:next', checkCampaignRequest, async ({ campaignId }) => {
    requireJoined(campaignId);
    return engine.next(userId, campaignId);
  });

  handle(socket, log, 'call:complete', checkCompleteCall, async (request) => engine.complete(userId, request));

  handle(socket, log, 'call:correct', checkCorrectCall, async (request) => engine.correct(userId, request));

  // Organizers follow a campaign: its figures now, then campaign:stats while calls are saved.
  handle(socket, log, 'campaign:watch', checkCampaignRequest, async ({ campaignId }) => {
    const figures = await engine.watch(userId, campaignId);
    // organizers:… is the organizers' own room (the dialer's live figures); callers are in campaign:… too.
    await socket.join([`campaign:${campaignId}`, `organizers:${campaignId}`]);
    return { campaignId, ...figures, callersOnline: await callersOnline(campaignId) };
  });

  handle(socket, log, 'contact:release', checkReleaseContact, async ({ assignmentId }) => {
    await engine.release(userId, assignmentId);
    return null;
  });

  handle(socket, log, 'contact:skip', checkSkipContact, async (request) => engine.skip(userId, request));

  socket.on('disconnect', () => {
    for (const campaignId of joined) {
      if (!presence.remove(userId, campaignId)) engine.callerLeft(userId, campaignId).catch(log);
      engine.emit('presence', { campaignId });
    }
  });
}
