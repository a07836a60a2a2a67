import type { Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../src/contract/realtime';

export type Client = Socket<ServerToClientEvents, ClientToServerEvents>;
type Request<E extends keyof ClientToServerEvents> = Parameters<ClientToServerEvents[E]>[0];
type Answer<E extends keyof ClientToServerEvents> = Parameters<Parameters<ClientToServerEvents[E]>[1]>[0];

/** Sends an event and waits for its ack, typed by the contract (socket.io's own typing of emitWithAck with a timeout is lost). */
export function ask<E extends keyof ClientToServerEvents>(socket: Client, event: E, request: Request<E>, timeoutMs = 15_000): Promise<Answer<E>> {
  const emit = socket.timeout(timeoutMs).emitWithAck.bind(socket.timeout(timeoutMs)) as (event: string, request: unknown) => Promise<unknown>;
  return emit(event, request) as Promise<Answer<E>>;
}
