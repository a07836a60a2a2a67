import type { Insertable, Selectable } from 'kysely';
import type { Database } from '../../../../db/database';
import type { TelephonyCall, TelephonySettings } from '../../../../db/schema';

// Telephony's tables: organisations' Twilio settings (secrets encrypted by the service), the opaque
// identities callers have towards Twilio, and the calls with their latest status.

export type SettingsRow = Selectable<TelephonySettings>;
export type CallRow = Selectable<TelephonyCall>;

export function findSettings(db: Database, organisationId: string): Promise<SettingsRow | undefined> {
  return db.selectFrom('telephonySettings').selectAll().where('organisationId', '=', organisationId).executeTakeFirst();
}

/** The settings of the organisation or of its nearest ancestor with settings, and the organisation's country. */
export async function settingsOnPath(db: Database, organisationId: string): Promise<{ country: string; settings: SettingsRow | undefined }> {
  const organisation = await db.selectFrom('organisation').select('country').where('id', '=', organisationId).executeTakeFirstOrThrow();
  const settings = await db
    .selectFrom('organisationClosure as c')
    .innerJoin('telephonySettings as s', 's.organisationId', 'c.ancestorId')
    .selectAll('s')
    .where('c.descendantId', '=', organisationId)
    .orderBy('c.depth')
    .limit(1)
    .executeTakeFirst();
  return { country: organisation.country, settings };
}

export function settingsForAccount(db: Database, accountSid: string): Promise<SettingsRow[]> {
  return db.selectFrom('telephonySettings').selectAll().where('accountSid', '=', accountSid).execute();
}

export async function saveSettings(db: Database, row: Insertable<TelephonySettings>): Promise<void> {
  await db
    .insertInto('telephonySettings')
    .values(row)
    .onConflict((oc) => oc.column('organisationId').doUpdateSet((eb) => ({
      accountSid: eb.ref('excluded.accountSid'),
      apiKey: eb.ref('excluded.apiKey'),
      twimlAppSid: eb.ref('excluded.twimlAppSid'),
      callerId: eb.ref('excluded.callerId'),
      authTokenEncrypted: eb.ref('excluded.authTokenEncrypted'),
      apiSecretEncrypted: eb.ref('excluded.apiSecretEncrypted'),
      callsPerSecond: eb.ref('excluded.callsPerSecond'),
      maxConcurrentCalls: eb.ref('excluded.maxConcurrentCalls'),
      updatedAt: eb.ref('excluded.updatedAt'),
      updatedBy: eb.ref('excluded.updatedBy'),
    })))
    .execute();
}

export async function deleteSettings(db: Database, organisationId: string): Promise<void> {
  await db.deleteFrom('telephonySettings').where('organisationId', '=', organisationId).execute();
}

/** Keeps the caller's current identity (one per caller; a new session secret gives a new one). */
export async function saveIdentity(db: Database, userId: string, identity: string): Promise<void> {
  await db.deleteFrom('telephonyIdentity').where('identity', '=', identity).where('userId', '!=', userId).execute();
  await db
    .insertInto('telephonyIdentity')
    .values({ identity, userId })
    .onConflict((oc) => oc.column('userId').doUpdateSet({ identity }))
    .execute();
}

export async function userOfIdentity(db: Database, identity: string): Promise<string | undefined> {
  const row = await db.selectFrom('telephonyIdentity').select('userId').where('identity', '=', identity).executeTakeFirst();
  return row?.userId;
}

/** A new call; a call already recorded under the SID (a repeated webhook) stays as it is. */
export async function insertCall(db: Database, call: Insertable<TelephonyCall>): Promise<void> {
  await db.insertInto('telephonyCall').values(call).onConflict((oc) => oc.column('callSid').doNothing()).execute();
}

export async function insertCalls(db: Database, calls: Insertable<TelephonyCall>[]): Promise<void> {
  if (calls.length > 0) await db.insertInto('telephonyCall').values(calls).execute();
}

export function findCall(db: Database, callSid: string): Promise<CallRow | undefined> {
  return db.selectFrom('telephonyCall').selectAll().where('callSid', '=', callSid).executeTakeFirst();
}

/**
 * Moves a call to a status of higher rank, in one statement: a repeated, late or out-of-order status
 * (same or lower rank) and anything after a final one change nothing. Returns the call when it moved.
 */
export function advanceCall(
  db: Database,
  callSid: string,
  change: { status: string; rank: number; durationSeconds: number | null; at: Date },
): Promise<CallRow | undefined> {
  return db
    .updateTable('telephonyCall')
    .set((eb) => ({
      status: change.status,
      statusRank: change.rank,
      durationSeconds: change.durationSeconds === null ? eb.ref('durationSeconds') : change.durationSeconds,
      updatedAt: change.at,
    }))
    .where('callSid', '=', callSid)
    .where('statusRank', '<', change.rank)
    .returningAll()
    .executeTakeFirst();
}
