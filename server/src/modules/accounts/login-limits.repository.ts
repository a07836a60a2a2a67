import type { Database } from '../../../../db/database';

/**
 * For each key, when its nth most recent failure after `since` happened, or null when it has fewer.
 * One round trip; each key reads at most n entries of its index.
 */
export async function nthRecentFailures(db: Database, keys: readonly { keyHash: string; nth: number }[], since: Date): Promise<(Date | null)[]> {
  if (keys.length === 0) return [];
  const row = await db
    .selectNoFrom((eb) =>
      keys.map(({ keyHash, nth }, i) =>
        eb
          .selectFrom('loginFailure')
          .select('at')
          .where('keyHash', '=', keyHash)
          .where('at', '>', since)
          .orderBy('at', 'desc')
          .offset(nth - 1)
          .limit(1)
          .as(`k${i}`),
      ),
    )
    .executeTakeFirstOrThrow();
  const values = row as Record<string, Date | string | null>;
  return keys.map((_, i) => {
    const at = values[`k${i}`];
    return at === null || at === undefined ? null : new Date(at);
  });
}

export async function insertFailures(db: Database, keyHashes: readonly string[], at: Date): Promise<void> {
  await db
    .insertInto('loginFailure')
    .values(keyHashes.map((keyHash) => ({ keyHash, at })))
    .execute();
}

export async function deleteFailures(db: Database, keyHash: string): Promise<void> {
  await db.deleteFrom('loginFailure').where('keyHash', '=', keyHash).execute();
}

/** Forgets failures older than the window and blocks that have ended. */
export async function deleteExpired(db: Database, failuresUpTo: Date, blocksUpTo: Date): Promise<void> {
  await db.deleteFrom('loginFailure').where('at', '<=', failuresUpTo).execute();
  await db.deleteFrom('loginBlock').where('blockedUntil', '<=', blocksUpTo).execute();
}

/**
 * Notes that a key is refused until `until`; locks its row for the transaction. Returns the audit
 * event of the block that is still running, or null when this attempt starts a new one.
 */
export async function continueBlock(db: Database, keyHash: string, until: Date, now: Date): Promise<number | null> {
  const row = await db
    .insertInto('loginBlock')
    .values({ keyHash, blockedUntil: until, auditEventId: null })
    .onConflict((oc) =>
      oc.column('keyHash').doUpdateSet((eb) => ({
        blockedUntil: eb.ref('excluded.blockedUntil'),
        auditEventId: eb.case().when('loginBlock.blockedUntil', '>', now).then(eb.ref('loginBlock.auditEventId')).else(null).end(),
      })),
    )
    .returning('auditEventId')
    .executeTakeFirstOrThrow();
  return row.auditEventId;
}

export async function setBlockAudit(db: Database, keyHash: string, auditEventId: number): Promise<void> {
  await db.updateTable('loginBlock').set({ auditEventId }).where('keyHash', '=', keyHash).execute();
}
