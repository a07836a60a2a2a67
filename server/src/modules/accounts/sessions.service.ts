import { isLanguage, type Language } from '../../contract/language';
import { createHmac, randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Database } from '../../../../db/database';
import type { Clock } from '../../clock';
import * as repository from './sessions.repository';

export const SESSION_COOKIE = 'ringa_session';
export const IDLE_TIMEOUT_MS = 8 * 60 * 60 * 1000;
export const ABSOLUTE_TIMEOUT_MS = 30 * 24 * 60 * 60 * 1000;
/** last_seen_at is written at most this often, so that every request is not a write. */
const TOUCH_INTERVAL_MS = 60 * 1000;

export interface SessionUser {
  sessionId: string;
  userId: string;
  email: string;
  name: string;
  /** The language the person chose in the web app; null until they choose one. */
  language: Language | null;
}

/** Told when sessions end, so that open sockets end with them. */
export interface SessionsEnded {
  sessionId?: string;
  userId?: string;
}

export class SessionService extends EventEmitter<{ ended: [SessionsEnded] }> {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly secret: string,
  ) {
    super();
  }

  /** Starts a session and returns the token for the cookie; only its keyed hash is stored. */
  async start(userId: string, db: Database = this.db): Promise<{ token: string; expiresAt: Date }> {
    const token = randomBytes(32).toString('base64url');
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + ABSOLUTE_TIMEOUT_MS);
    await repository.insertSession(db, { id: this.idOf(token), userId, createdAt: now, lastSeenAt: now, expiresAt });
    return { token, expiresAt };
  }

  /** The signed-in user for a cookie token, or null when the session is unknown, expired, idle too long or disabled. */
  async resolve(token: string): Promise<SessionUser | null> {
    const id = this.idOf(token);
    const row = await repository.findSessionWithUser(this.db, id);
    if (!row) return null;
    const now = this.clock.now().getTime();
    if (row.disabledAt !== null || now >= row.expiresAt.getTime() || now - row.lastSeenAt.getTime() >= IDLE_TIMEOUT_MS) {
      await this.end(id);
      return null;
    }
    if (now - row.lastSeenAt.getTime() >= TOUCH_INTERVAL_MS) await repository.touchSession(this.db, id, new Date(now));
    return { sessionId: id, userId: row.userId, email: row.email, name: row.name, language: isLanguage(row.language) ? row.language : null };
  }

  /**
   * For the sessions that open sockets hold: marks those whose sockets sent events since the last
   * look (`active`) as seen, then answers the ones that have ended (signed out, expired, idle too
   * long, account disabled), removing their rows. Their sockets are ended by the caller.
   */
  async sweep(sessionIds: string[], active: string[]): Promise<Set<string>> {
    if (sessionIds.length === 0) return new Set();
    const now = this.clock.now();
    const at = now.getTime();
    if (active.length > 0) await repository.touchSessions(this.db, active, now, new Date(at - TOUCH_INTERVAL_MS), new Date(at - IDLE_TIMEOUT_MS));
    const rows = await repository.findSessionsWithUser(this.db, sessionIds);
    const live = new Set(
      rows.filter((row) => row.disabledAt === null && at < row.expiresAt.getTime() && at - row.lastSeenAt.getTime() < IDLE_TIMEOUT_MS).map((row) => row.id),
    );
    const ended = new Set(sessionIds.filter((id) => !live.has(id)));
    if (ended.size > 0) await repository.deleteSessions(this.db, [...ended]);
    return ended;
  }

  async end(sessionId: string): Promise<void> {
    await repository.deleteSession(this.db, sessionId);
    this.emit('ended', { sessionId });
  }

  /** Every session of the user has been deleted (account disabled): end their sockets too. */
  endedAllOf(userId: string): void {
    this.emit('ended', { userId });
  }

  private idOf(token: string): string {
    return createHmac('sha256', this.secret).update(token).digest('hex');
  }
}
