// The one socket.io connection of the app: opened on first use, same origin, the session cookie sent
// by the browser. Rooms are joined again after a reconnect, since the server forgets them.
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ListProgressEvent, ServerToClientEvents } from '$contract/realtime';
import { reportUnauthenticated } from '$lib/api/client';

type RealtimeSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

let socket: RealtimeSocket | null = null;
/** How many watchers each organisation has, so its room is joined again after a reconnect. */
const watched = new Map<string, number>();
const progressListeners = new Set<(event: ListProgressEvent) => void>();

function connection(): RealtimeSocket {
  if (socket) return socket;
  const created: RealtimeSocket = io({ transports: ['websocket'] });
  created.on('connect', () => {
    for (const organisationId of watched.keys()) join(created, organisationId);
  });
  created.on('list:progress', (event) => {
    for (const listener of progressListeners) listener(event);
  });
  created.on('session:ended', () => {
    close();
    reportUnauthenticated();
  });
  // Refused at the handshake: the session is gone. Stop retrying; the next API call will say so.
  created.on('connect_error', (error) => {
    if (error.message === 'unauthenticated') created.disconnect();
  });
  socket = created;
  return created;
}

function join(target: RealtimeSocket, organisationId: string): void {
  // The answer matters little: without the room, polling still follows the import.
  target.emit('lists:watch', { organisationId }, () => {});
}

/**
 * Follows the progress of an organisation's list imports. Returns the function that stops it.
 * Progress can be missed (a dropped connection), so callers also poll.
 */
export function watchLists(organisationId: string, listener: (event: ListProgressEvent) => void): () => void {
  const target = connection();
  if (target.disconnected && !target.active) target.connect();
  watched.set(organisationId, (watched.get(organisationId) ?? 0) + 1);
  if (target.connected) join(target, organisationId);
  const relevant = (event: ListProgressEvent) => {
    if (event.organisationId === organisationId) listener(event);
  };
  progressListeners.add(relevant);
  return () => {
    progressListeners.delete(relevant);
    const count = (watched.get(organisationId) ?? 1) - 1;
    if (count > 0) watched.set(organisationId, count);
    else watched.delete(organisationId);
  };
}

/** Ends the connection (signing out, a session that ended). */
export function close(): void {
  socket?.disconnect();
  socket = null;
  watched.clear();
}
