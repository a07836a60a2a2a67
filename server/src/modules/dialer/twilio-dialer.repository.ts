import { sql, type Insertable, type Selectable } from 'kysely';
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

/**
 * The caller's conference ended (or they left it): true the first time, unless the caller is in another
 * conference of the seat already (their page came back and joined anew before the old one's end was told).
 */
export async function conferenceEnded(db: Database, conferenceSid: string, seatId: string, at: Date): Promise<boolean> {
  const ended = await db
    .insertInto('dialerTwilioConference')
    .values({ conferenceSid, seatId, joinedAt: null, endedAt: at })
    .onConflict((oc) => oc.column('conferenceSid').doUpdateSet({ endedAt: at }).where('dialerTwilioConference.endedAt', 'is', null))
    .returning(['conferenceSid', 'joinedAt'])
    .executeTakeFirst();
  if (ended === undefined) return false;
  // Only a conference joined after this one (an older one whose end was never told does not keep the line up).
  const since = ended.joinedAt ? new Date(ended.joinedAt) : new Date(at.getTime() - 4 * 3_600_000);
  const newer = await db
    .selectFrom('dialerTwilioConference')
    .select('conferenceSid')
    .where('seatId', '=', seatId)
    .where('conferenceSid', '<>', conferenceSid)
    .where('joinedAt', '>=', since)
    .where('endedAt', 'is', null)
    .executeTakeFirst();
  return newer === undefined;
}

// --- the account's limits across processes (PostgreSQL's clock, the one every process shares) ----------

/**
 * Calls of the account that took their start and have not ended; one whose process died before creating
 * it counts for a minute only, and none for more than 4 hours (Twilio's default call time limit, which a
 * phone bank has no reason to raise), whatever callbacks were lost.
 */
function liveLinesOf(db: Database, accountSid: string) {
  return db
    .selectFrom('dialerTwilioLine')
    .select((eb) => eb.fn.countAll<string>().as('live'))
    .where('accountSid', '=', accountSid)
    .where('startedAt', '>', sql<Date>`clock_timestamp() - interval '4 hours'`)
    .where('statusRank', '<', 3)
    .where((eb) => eb.or([eb('callSid', 'is not', null), eb('startedAt', '>', sql<Date>`clock_timestamp() - interval '1 minute'`)]));
}

/**
 * Reserves the account's next free start for the line (the account's next start moves on by intervalMs)
 * and marks the line started: how many milliseconds from now its start is. Null, reserving nothing, while
 * the account has `cap` live calls (those of every process); the account's row is locked meanwhile, so
 * that two processes never both take the last place.
 */
export function reserveStart(db: Database, slot: { accountSid: string; lineId: string; intervalMs: number; cap: number | null }): Promise<number | null> {
  return db.transaction().execute(async (trx) => {
    if (slot.cap !== null) {
      await trx.insertInto('dialerTwilioAccount').values({ accountSid: slot.accountSid, nextAt: sql<Date>`clock_timestamp()` }).onConflict((oc) => oc.column('accountSid').doNothing()).execute();
      await trx.selectFrom('dialerTwilioAccount').select('accountSid').where('accountSid', '=', slot.accountSid).forUpdate().execute();
      const { live } = await liveLinesOf(trx, slot.accountSid).executeTakeFirstOrThrow();
      if (Number(live) >= slot.cap) return null;
    }
    // One statement: the start is the later of the account's next free start and now; the next one an interval on.
    const reserved = await sql<{ waitMs: number }>`
      insert into dialer_twilio_account (account_sid, next_at)
      values (${slot.accountSid}, clock_timestamp() + ${slot.intervalMs} * interval '1 millisecond')
      on conflict (account_sid) do update
        set next_at = greatest(dialer_twilio_account.next_at, clock_timestamp()) + ${slot.intervalMs} * interval '1 millisecond'
      returning (extract(epoch from next_at - clock_timestamp()) * 1000)::float8 - ${slot.intervalMs} as wait_ms
    `.execute(trx);
    await trx.updateTable('dialerTwilioLine').set({ startedAt: sql<Date>`clock_timestamp()` }).where('lineId', '=', slot.lineId).execute();
    return Math.max(0, reserved.rows[0]?.waitMs ?? 0);
  });
}

/** For the pacer: how long until the account's next free start (0 when free now), and its live calls (every process's). */
export async function accountQueue(db: Database, accountSid: string): Promise<{ waitMs: number; live: number }> {
  const [queue, lines] = await Promise.all([
    db
      .selectFrom('dialerTwilioAccount')
      .select(sql<number>`greatest(0, extract(epoch from next_at - clock_timestamp()) * 1000)::float8`.as('waitMs'))
      .where('accountSid', '=', accountSid)
      .executeTakeFirst(),
    liveLinesOf(db, accountSid).executeTakeFirstOrThrow(),
  ]);
  return { waitMs: queue?.waitMs ?? 0, live: Number(lines.live) };
}
