import type { Ack } from '../../contract/realtime';
import type { RealtimeSocket } from '../../realtime-types';
import { DATABASE_UNAVAILABLE_MESSAGE, isDatabaseUnavailable } from '../../../../db/availability';
import { invalidPayload, type Checker } from '../../plugins/socket-guard';
import type { TSchema } from 'typebox';
import { AppError } from '../../errors';
import type { CallingEngine } from './calling.service';
import { checkCampaignRequest, checkCompleteCall, checkCorrectCall, checkReleaseContact, checkSkipContact } from './calling.schemas';

// The calling events of one socket (callers, and organizers watching). Every payload is checked first; every answer is an ack of
// { ok: true, data } or { ok: false, error: { code, message } }. The rate limit, shared by every event
// of a socket, is the socket guard's (plugins/socket-guard.ts).

/** Which callers are connected to which campaigns in this process, for their leases' heartbeat. */
export class Presence {
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

function failure(error: unknown, log: (error: unknown) => void): Ack<never> {
  if (error instanceof AppError) return { ok: false, error: { code: error.code, message: error.message } };
  log(error);
  // PostgreSQL is away: the web app keeps the save and sends it again with the same key.
  if (isDatabaseUnavailable(error)) return { ok: false, error: { code: 'database_unavailable', message: DATABASE_UNAVAILABLE_MESSAGE } };
  return { ok: false, error: { code: 'internal', message: 'Something went wrong on our side; nothing was saved. Try again in a moment.' } };
}

/** What the sockets of a process share: who is connected here, and how many callers a campaign has across processes. */
export interface CallingPresence {
  presence: Presence;
  callersOnline: (campaignId: string) => Promise<number>;
}

export function callingSocket(socket: RealtimeSocket, engine: CallingEngine, { presence, callersOnline }: CallingPresence, log: (error: unknown) => void): void {
  const userId = socket.data.userId;
  const joined = new Set<string>();

  /** Registers an event whose payload must pass `check` and whose answer `run` gives. */
  function handle<T extends TSchema, P, R>(event: string, check: Checker<T>, run: (payload: P) => Promise<R>): void {
    (socket as unknown as { on(event: string, listener: (payload: unknown, ack: unknown) => void): void }).on(event, (payload, ack) => {
      if (typeof ack !== 'function') return; // every calling event is answered; one without an ack is ignored
      const answer = ack as (answer: Ack<R>) => void;
      if (!check.Check(payload)) {
        answer(invalidPayload(check, payload));
        return;
      }
      run(payload as P).then(
        (data) => answer({ ok: true, data }),
        (error: unknown) => answer(failure(error, log)),
      );
    });
  }

  const requireJoined = (campaignId: string) => {
    if (!joined.has(campaignId)) throw new AppError(409, 'not_joined', 'Join the campaign first (campaign:join).');
  };

  handle('campaign:join', checkCampaignRequest, async ({ campaignId }: { campaignId: string }) => {
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

  handle('contact:next', checkCampaignRequest, async ({ campaignId }: { campaignId: string }) => {
    requireJoined(campaignId);
    return engine.next(userId, campaignId);
  });

  handle('call:complete', checkCompleteCall, async (request: Parameters<CallingEngine['complete']>[1]) => engine.complete(userId, request));

  handle('call:correct', checkCorrectCall, async (request: Parameters<CallingEngine['correct']>[1]) => engine.correct(userId, request));

  // Organizers follow a campaign: its figures now, then campaign:stats while calls are saved.
  handle('campaign:watch', checkCampaignRequest, async ({ campaignId }: { campaignId: string }) => {
    const figures = await engine.watch(userId, campaignId);
    await socket.join(`campaign:${campaignId}`);
    return { campaignId, ...figures, callersOnline: await callersOnline(campaignId) };
  });

  handle('contact:release', checkReleaseContact, async ({ assignmentId }: { assignmentId: string }) => {
    await engine.release(userId, assignmentId);
    return null;
  });

  handle('contact:skip', checkSkipContact, async (request: Parameters<CallingEngine['skip']>[1]) => engine.skip(userId, request));

  socket.on('disconnect', () => {
    for (const campaignId of joined) {
      if (!presence.remove(userId, campaignId)) engine.callerLeft(userId, campaignId).catch(log);
      engine.emit('presence', { campaignId });
    }
  });
}
