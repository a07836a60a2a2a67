// The socket.io events, once for both sides. Types only. Events are named domain:action; acks are
// { ok: true, data } | { ok: false, error }.
import type { Static } from 'typebox';
import type * as Shared from '../schemas';

export type Ack<T> = { ok: true; data: T } | { ok: false; error: Static<typeof Shared.ErrorResponse>['error'] };

export interface ListProgressEvent {
  listId: string;
  organisationId: string;
  phase: 'reading' | 'merging' | 'ready' | 'failed';
  rowsRead: number;
  /** 0–1 of the file read. */
  fraction: number;
}

export interface ServerToClientEvents {
  'list:progress': (event: ListProgressEvent) => void;
  /** The session ended (signed out elsewhere, account disabled); the client should go to sign-in. */
  'session:ended': () => void;
}

export interface ClientToServerEvents {
  /** Follow the imports of an organisation's lists (organizers and admins). */
  'lists:watch': (request: { organisationId: string }, ack: (answer: Ack<null>) => void) => void;
}
