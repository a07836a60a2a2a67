import type { Static, TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { DATABASE_UNAVAILABLE_MESSAGE, isDatabaseUnavailable } from '../../../db/availability';
import type { Ack, ClientToServerEvents } from '../contract/realtime';
import type { AppContext } from '../context';
import { AppError, notFound } from '../errors';
import { authorize } from '../modules/organisations/organisations.service';
import type { RealtimeServer, RealtimeSocket } from '../realtime-types';
import { OrganisationRequest } from '../schemas';
import { invalidPayload, type Checker } from './socket-guard';

// What every domain's socket file (modules/<domain>/<domain>.socket.ts) is made of: plugins/realtime.ts
// creates socket.io and authenticates; each domain registers its own events and its own timers.
// Every event is checked first and answered with an ack of { ok: true, data } or { ok: false, error }.

/** What a domain's socket side is given: the app's services, and where a failure is logged (what it is, never its details). */
export interface SocketDeps {
  ctx: AppContext;
  log: (error: unknown, what?: string) => void;
}

/** A domain's socket side, as plugins/realtime.ts wires it. */
export interface SocketDomain {
  /** Registers the domain's events on a socket that has authenticated and joined its session and user rooms. */
  onConnection(socket: RealtimeSocket): void;
  /** Stops the domain's timers; called when the app closes, before the sockets end. */
  close(): void;
}

/** How a domain plugs in: `export const listsSocket: SocketDomainFactory = (io, deps) => ({ onConnection, close })`. */
export type SocketDomainFactory = (io: RealtimeServer, deps: SocketDeps) => SocketDomain;

/** The data of an event's ack, as the contract names it. */
type AnswerOf<E extends keyof ClientToServerEvents> = Parameters<ClientToServerEvents[E]>[1] extends (answer: Ack<infer T>) => void ? T : never;

/** The answer to an event that failed: the error's code when it is ours, else logged and said without its details. */
export function failure(error: unknown, log: (error: unknown) => void): Ack<never> {
  if (error instanceof AppError) return { ok: false, error: { code: error.code, message: error.message } };
  log(error);
  // PostgreSQL is away: the web app keeps the save and sends it again with the same key.
  if (isDatabaseUnavailable(error)) return { ok: false, error: { code: 'database_unavailable', message: DATABASE_UNAVAILABLE_MESSAGE } };
  return { ok: false, error: { code: 'internal', message: 'Something went wrong on our side; nothing was saved. Try again in a moment.' } };
}

/** Registers an event of the socket whose payload must pass `check` and whose answer `run` gives. */
export function handle<E extends keyof ClientToServerEvents, T extends TSchema>(
  socket: RealtimeSocket,
  log: (error: unknown) => void,
  event: E,
  check: Checker<T>,
  run: (payload: Static<T>) => Promise<AnswerOf<E>>,
): void {
  (socket as unknown as { on(event: string, listener: (payload: unknown, ack: unknown) => void): void }).on(event, (payload, ack) => {
    if (typeof ack !== 'function') return; // every event is answered; one without an ack is ignored
    const answer = ack as (answer: Ack<AnswerOf<E>>) => void;
    if (!check.Check(payload)) {
      answer(invalidPayload(check, payload));
      return;
    }
    run(payload).then(
      (data) => answer({ ok: true, data }),
      (error: unknown) => answer(failure(error, log)),
    );
  });
}

const checkOrganisationRequest = Compile(OrganisationRequest);

/** Organizers (and admins) of an organisation follow its events by joining its room, `${room}:${organisationId}`. */
export function watchOrganisation(socket: RealtimeSocket, { ctx, log }: SocketDeps, event: 'lists:watch' | 'stats:watch', room: 'lists' | 'stats'): void {
  handle(socket, log, event, checkOrganisationRequest, async ({ organisationId }) => {
    await authorize(ctx.db, socket.data.userId, organisationId, 'organizer').catch((error: unknown) => {
      // Whatever else went wrong says only that the organisation is not there for them.
      throw error instanceof AppError || isDatabaseUnavailable(error) ? error : notFound('The organisation');
    });
    await socket.join(`${room}:${organisationId}`);
    return null;
  });
}
