import type { Insertable } from 'kysely';
import type { Database } from '../../../../db/database';
import type { Invite } from '../../../../db/schema';

const inviteColumns = [
  'invite.id',
  'invite.organisationId',
  'invite.role',
  'invite.createdAt',
  'invite.expiresAt',
  'invite.maxUses',
  'invite.uses',
  'invite.revokedAt',
] as const;

export function insertInvite(db: Database, invite: Insertable<Invite>) {
  return db.insertInto('invite').values(invite).returning('id').executeTakeFirstOrThrow();
}

export function invitesOf(db: Database, organisationId: string) {
  return db
    .selectFrom('invite')
    .leftJoin('appUser', 'appUser.id', 'invite.createdBy')
    .select([...inviteColumns, 'appUser.name as createdByName'])
    .where('invite.organisationId', '=', organisationId)
    .orderBy('invite.createdAt', 'desc')
    .execute();
}

export function findInvite(db: Database, organisationId: string, inviteId: string) {
  return db
    .selectFrom('invite')
    .leftJoin('appUser', 'appUser.id', 'invite.createdBy')
    .select([...inviteColumns, 'appUser.name as createdByName'])
    .where('invite.id', '=', inviteId)
    .where('invite.organisationId', '=', organisationId)
    .executeTakeFirst();
}

export function findInviteByTokenHash(db: Database, tokenHash: string, lock: boolean) {
  return db
    .selectFrom('invite')
    .select(inviteColumns)
    .where('invite.tokenHash', '=', tokenHash)
    .$if(lock, (qb) => qb.forUpdate())
    .executeTakeFirst();
}

export async function revokeInvite(db: Database, inviteId: string, at: Date): Promise<void> {
  await db.updateTable('invite').set({ revokedAt: at }).where('id', '=', inviteId).where('revokedAt', 'is', null).execute();
}

export async function countInviteUse(db: Database, inviteId: string): Promise<void> {
  await db.updateTable('invite').set((eb) => ({ uses: eb('uses', '+', 1) })).where('id', '=', inviteId).execute();
}
