// The socket.io server and socket as Ringa types them: the contract's events and what a socket carries
// once authenticated. Types only, importing no module's code (types only), so that the plugin and every module's socket
// file can name them without importing each other.
import type { Server, Socket } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents } from './contract/realtime';
import type { AnsweredBy, AnswerDecision, LineEnd } from './modules/dialer/dialer.types';

/** Set in io.use() from the session cookie, before the socket connects. */
export interface SocketData {
  userId: string;
  sessionId: string;
}

/** Between server processes (socket.io's server-side emit through the PostgreSQL adapter). */
export interface InterServerEvents {
  /** A caller's wish reached another process: the one pacing the campaign looks at its seats now (reconsider: and asks its queue again, the campaign changed). */
  'dialer:nudge': (campaignId: string, reconsider?: boolean) => void;
  /** Twilio's news of a dialer line, heard by a process that does not run it. */
  'dialer:line': (news: { kind: 'ringing'; lineId: string } | { kind: 'ended'; lineId: string; status: LineEnd; talkSeconds: number }) => void;
  /** A person answered a dialer line: the process that runs it decides ... */
  'dialer:answered': (request: { requestId: string; lineId: string; by: AnsweredBy }) => void;
  /** ... and says what it decided, to the process that asked. */
  'dialer:decided': (answer: { requestId: string; decision: AnswerDecision }) => void;
}

export type RealtimeServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type RealtimeSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
