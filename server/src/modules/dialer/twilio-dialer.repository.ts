import type { Insertable, Selectable } from 'kysely';
import type { Database } from '../../../../db/database';
import type { DialerTwilioLine } from '../../../../db/schema';

// The dialer's Twilio calls, by line (never a phone number), and the callers' conferences. Every change
// is one conditional statement, so that a repeated, late or out-of-order callback changes nothing.

export type LineRow = Selectable<DialerTwilioLine>;

export async function insertLine(db: Database, line: Insertable<DialerTwilioLine>): Promise<void> {
  await db.insertInto('dialerTwilioLine').values(line).onConflict((oc) => oc.column('lineId').doNothing()).execute();
}

export function findLine(db: Database, lineId: string): Promise<LineRow | undefined> {
  return db.selectFrom('dialerTwilioLine').selectAll().where('lineId', '=', lineId).executeTakeFirst();
}

export function lineOfCall(db: Database, callSid: string): Promise<LineRow | undefined> {
  return db.selectFrom('dialerTwilioLine').selectAll().where('callSid', '=', callSid).executeTakeFirst();
}

/** Of the given lines, those that have ended. */
export async function endedLines(db: Database, lineIds: string[]): Promise<string[]> {
  if (lineIds.length === 0) return [];
  const rows = await db.selectFrom('dialerTwilioLine').select('lineId').where('lineId', 'in', lineIds).where('statusRank', '>=', 3).execute();
  return rows.map((row) => row.lineId);
}

/** Ties the line to Twilio's call, once: a line never changes calls. False when it belongs to another call. */
export async function bindCall(db: Database, lineId: string, callSid: string, at: Date): Promise<boolean> {
  const bound = await db
    .updateTable('dialerTwilioLine')
    .set({ callSid, updatedAt: at })
    .where('lineId', '=', lineId)
    .where((eb) => eb.or([eb('callSid', 'is', null), eb('callSid', '=', callSid)]))
    .returning('lineId')
    .executeTakeFirst();
  return bound !== undefined;
}

/**
 * Moves the line to a status of higher rank (answered: noting when; final: with its talk time); the line
 * when it moved, undefined when the status was repeated, late or out of order.
 */
export function advanceLine(
  db: Database,
  lineId: string,
  change: { status: string; rank: number; at: Date; answered: boolean; talkSeconds: number | null },
): Promise<LineRow | undefined> {
  return db
    .updateTable('dialerTwilioLine')
    .set((eb) => ({
      status: change.status,
      statusRank: change.rank,
      answeredAt: change.answered ? eb.fn.coalesce('answeredAt', eb.val(change.at)) : eb.ref('answeredAt'),
      talkSeconds: change.talkSeconds,
      updatedAt: change.at,
    }))
    .where('lineId', '=', lineId)
    .where('statusRank', '<', change.rank)
    .returningAll()
    .executeTakeFirst();
}

/** Notes who answered, once, and only while the call is alive: the line when this was the first word on it. */
export function claimAnswer(db: Database, lineId: string, answeredBy: string, at: Date): Promise<LineRow | undefined> {
  return db
    .updateTable('dialerTwilioLine')
    .set((eb) => ({ answeredBy, answeredAt: eb.fn.coalesce('answeredAt', eb.val(at)), updatedAt: at }))
    .where('lineId', '=', lineId)
    .where('answeredBy', 'is', null)
    .where('statusRank', '<', 3)
    .returningAll()
    .executeTakeFirst();
}

/** Notes the dialer's decision while the call is alive; false when it ended meanwhile (nothing is applied then). */
export async function recordDecision(db: Database, lineId: string, decision: string, seatId: string | null, at: Date): Promise<boolean> {
  const recorded = await db
    .updateTable('dialerTwilioLine')
    .set({ decision, seatId, updatedAt: at })
    .where('lineId', '=', lineId)
    .where('decision', 'is', null)
    .where('statusRank', '<', 3)
    .returning('lineId')
    .executeTakeFirst();
  return recorded !== undefined;
}

/** The caller joined their conference: true the first time (not after it ended). */
export async function conferenceJoined(db: Database, conferenceSid: string, seatId: string, at: Date): Promise<boolean> {
  const inserted = await db
    .insertInto('dialerTwilioConference')
    .values({ conferenceSid, seatId, joinedAt: at, endedAt: null })
    .onConflict((oc) => oc.column('conferenceSid').doNothing())
    .returning('conferenceSid')
    .executeTakeFirst();
  return inserted !== undefined;
}

/** The caller's conference ended (or they left it): true the first time. */
export async function conferenceEnded(db: Database, conferenceSid: string, seatId: string, at: Date): Promise<boolean> {
  const ended = await db
    .insertInto('dialerTwilioConference')
    .values({ conferenceSid, seatId, joinedAt: null, endedAt: at })
    .onConflict((oc) => oc.column('conferenceSid').doUpdateSet({ endedAt: at }).where('dialerTwilioConference.endedAt', 'is', null))
    .returning('conferenceSid')
    .executeTakeFirst();
  return ended !== undefined;
}
