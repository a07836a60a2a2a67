import type { Insertable } from 'kysely';
import type { Database } from '../../../../db/database';
import type { Session } from '../../../../db/schema';

export async function insertSession(db: Database, session: Insertable<Session>): Promise<void> {
  await db.insertInto('session').values(session).execute();
}

export function findSessionWithUser(db: Database, id: string) {
  return db
    .selectFrom('session')
    .innerJoin('appUser', 'appUser.id', 'session.userId')
    .select([
      'session.id',
      'session.userId',
      'session.lastSeenAt',
      'session.expiresAt',
      'appUser.email',
      'appUser.name',
      'appUser.language',
      'appUser.disabledAt',
    ])
    .where('session.id', '=', id)
    .executeTakeFirst();
}

export async function touchSession(db: Database, id: string, at: Date): Promise<void> {
  await db.updateTable('session').set({ lastSeenAt: at }).where('id', '=', id).execute();
}

export async function deleteSession(db: Database, id: string): Promise<void> {
  await db.deleteFrom('session').where('id', '=', id).execute();
}

export async function deleteSessionsOfUser(db: Database, userId: string): Promise<void> {
  await db.deleteFrom('session').where('userId', '=', userId).execute();
}

export function findSessionsWithUser(db: Database, ids: string[]) {
  return db
    .selectFrom('session')
    .innerJoin('appUser', 'appUser.id', 'session.userId')
    .select(['session.id', 'session.lastSeenAt', 'session.expiresAt', 'appUser.disabledAt'])
    .where('session.id', 'in', ids)
    .execute();
}

/** Marks the sessions seen at `at`, unless written since `notBefore` already or idle since `idleSince`. */
export async function touchSessions(db: Database, ids: string[], at: Date, notBefore: Date, idleSince: Date): Promise<void> {
  await db
    .updateTable('session')
    .set({ lastSeenAt: at })
    .where('id', 'in', ids)
    .where('lastSeenAt', '<', notBefore)
    .where('lastSeenAt', '>', idleSince)
    .where('expiresAt', '>', at)
    .execute();
}

export async function deleteSessions(db: Database, ids: string[]): Promise<void> {
  await db.deleteFrom('session').where('id', 'in', ids).execute();
}
