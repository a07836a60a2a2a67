import type { Insertable } from 'kysely';
import type { Database } from '../../../../db/database';
import type { PasswordReset } from '../../../../db/schema';

export async function insertPasswordReset(db: Database, reset: Insertable<PasswordReset>): Promise<void> {
  await db.insertInto('passwordReset').values(reset).execute();
}

/** Locks the link's row, so that two tabs cannot both use it. */
export function findPasswordResetForUpdate(db: Database, tokenHash: string) {
  return db.selectFrom('passwordReset').selectAll().where('tokenHash', '=', tokenHash).forUpdate().executeTakeFirst();
}

/** Every unused link of the account ends: one new password is enough. */
export async function markPasswordResetsUsed(db: Database, userId: string, at: Date): Promise<void> {
  await db.updateTable('passwordReset').set({ usedAt: at }).where('userId', '=', userId).where('usedAt', 'is', null).execute();
}

export async function updatePasswordHash(db: Database, userId: string, passwordHash: string): Promise<void> {
  await db.updateTable('appUser').set({ passwordHash }).where('id', '=', userId).execute();
}
