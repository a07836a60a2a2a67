// The socket.io server and socket as Ringa types them: the contract's events and what a socket carries
// once authenticated. Types only, importing no module, so that the plugin and every module's socket
// file can name them without importing each other.
import type { Server, Socket } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents } from './contract/realtime';

/** Set in io.use() from the session cookie, before the socket connects. */
export interface SocketData {
  userId: string;
  sessionId: string;
}

export type RealtimeServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
export type RealtimeSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
