import { sql, type Insertable } from 'kysely';
import type { Database } from '../../../../db/database';
import type { AppUser, SetupToken } from '../../../../db/schema';

export function findUserByEmail(db: Database, email: string) {
  return db.selectFrom('appUser').selectAll().where('email', '=', email).executeTakeFirst();
}

export function findUserById(db: Database, id: string) {
  return db.selectFrom('appUser').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function updateUserLanguage(db: Database, id: string, language: string): Promise<void> {
  await db.updateTable('appUser').set({ language }).where('id', '=', id).execute();
}

export function insertUser(db: Database, user: Insertable<AppUser>) {
  return db.insertInto('appUser').values(user).returningAll().executeTakeFirstOrThrow();
}

export async function anyUserExists(db: Database): Promise<boolean> {
  return (await db.selectFrom('appUser').select(sql<number>`1`.as('one')).limit(1).executeTakeFirst()) !== undefined;
}

export async function setUserDisabled(db: Database, id: string, at: Date | null): Promise<void> {
  await db.updateTable('appUser').set({ disabledAt: at }).where('id', '=', id).execute();
}

export async function replaceSetupTokens(db: Database, token: Insertable<SetupToken>): Promise<void> {
  await db.deleteFrom('setupToken').where('usedAt', 'is', null).execute();
  await db.insertInto('setupToken').values(token).execute();
}

/** Locks the setup token row so two people cannot complete setup at once. */
export function findSetupTokenForUpdate(db: Database, tokenHash: string) {
  return db.selectFrom('setupToken').selectAll().where('tokenHash', '=', tokenHash).forUpdate().executeTakeFirst();
}

export async function markSetupTokenUsed(db: Database, id: string, at: Date): Promise<void> {
  await db.updateTable('setupToken').set({ usedAt: at }).where('id', '=', id).execute();
}
