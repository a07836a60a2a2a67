import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../src/contract/realtime';

export type Client = Socket<ServerToClientEvents, ClientToServerEvents>;
type Request<E extends keyof ClientToServerEvents> = Parameters<ClientToServerEvents[E]>[0];
type Answer<E extends keyof ClientToServerEvents> = Parameters<Parameters<ClientToServerEvents[E]>[1]>[0];

/** Sends an event and waits for its ack, typed by the contract (socket.io's own typing of emitWithAck with a timeout is lost). */
export function ask<E extends keyof ClientToServerEvents>(socket: Client, event: E, request: Request<E>, timeoutMs = 15_000): Promise<Answer<E>> {
  const emit = socket.timeout(timeoutMs).emitWithAck.bind(socket.timeout(timeoutMs)) as (event: string, request: unknown) => Promise<unknown>;
  return emit(event, request) as Promise<Answer<E>>;
}

/** Signs in over HTTP at a server listening on `url` (another process) and returns the session cookie. */
export async function signInAt(url: string, email: string, password: string): Promise<string> {
  const response = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: url },
    body: JSON.stringify({ email, password }),
  });
  if (response.status !== 200) throw new Error(`sign-in at ${url}: ${response.status}`);
  return (response.headers.getSetCookie().find((line) => line.startsWith('ringa_session=')) ?? '').split(';')[0] as string;
}

/** A socket.io client connected to a server listening on `url` (from that server's origin, or the one given), without reconnecting by itself. */
export async function connectAt(url: string, cookie: string, origin = url): Promise<Client> {
  const socket: Client = io(url, { path: '/socket.io', transports: ['websocket'], extraHeaders: { cookie, origin }, reconnection: false, forceNew: true });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return socket;
}
