import { sql, type Kysely, type SelectQueryBuilder } from 'kysely';
import { PREPARED, type Database } from '../../../../db/database';
import type { DB } from '../../../../db/schema';
import { onDoNotCallRegister as onRegister } from '../lists/lists.service';

// The calling queue and the calls. Every query here runs inside the transaction the service opens;
// a claim locks one queued row with FOR UPDATE SKIP LOCKED through the claim index, and nothing holds a
// transaction open while a call is made: the claim commits and the lease carries the hold.

type Tx = Kysely<DB>;

/**
 * Adds the people of the campaign's target groups to its queue (those already there stay as they
 * are); numbers on the do-not-call register are left out. Returns how many were added.
 */
export async function fillQueue(db: Database | Tx, campaignId: string, members: SelectQueryBuilder<DB, 'person', { id: number }>[]): Promise<number> {
  if (members.length === 0) return 0;
  let ids = members[0] as SelectQueryBuilder<DB, 'person', { id: number }>;
  for (const more of members.slice(1)) ids = ids.union(more);
  const result = await db
    .insertInto('campaignContact')
    .columns(['campaignId', 'personId', 'phone', 'organisationId'])
    .expression((eb) =>
      eb
        .selectFrom('person as p')
        .select([sql<string>`${campaignId}::uuid`.as('campaignId'), 'p.id', 'p.phone', 'p.organisationId'])
        .where('p.id', 'in', ids)
        .where((eb) => eb.not(onRegister('p'))),
    )
    .onConflict((oc) => oc.columns(['campaignId', 'personId']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0);
}

export interface Claimed {
  personId: number;
  leaseId: string;
  leaseExpiresAt: Date;
  /** Calls made to the person in this campaign so far. */
  attempts: number;
}

/**
 * Claims the next contact for a caller: their own callbacks that are due, then by priority
 * (callbacks due for anyone, people never called, retries due). Never a number on the register
 * (checked here, so an objection made a second ago counts) or one another caller holds.
 *
 * One statement under a savepoint: the probes lock at most one row (each branch reads its priority's
 * range of the claim index up to now, so neither finished nor waiting contacts are walked), and the
 * lock and the update fall in the same subtransaction, so the row version left behind is plainly dead
 * (a lock taken before the savepoint made every claimed row a MultiXact that index scans cannot skip).
 */
export async function claimNext(trx: Tx, campaignId: string, callerId: string, now: Date, leaseMs: number): Promise<Claimed | null> {
  // A per-row look-up, never a join the planner may turn into a scan of every held number.
  const callable = sql<boolean>`not ${onRegister('c')} and (select true from campaign_contact h where h.phone = c.phone and h.state = 'held' limit 1) is null`;
  // (A locking clause may not stand in a UNION itself, only in a subquery of one.)
  const due = (priority: 0 | 1 | 2) => sql`select * from (
    select c.person_id from campaign_contact c
    where c.campaign_id = ${campaignId} and c.state = 'queued' and c.priority = ${priority} and c.due_at <= ${now} and ${callable}
    order by c.due_at limit 1 for update skip locked) p${sql.raw(String(priority))}`;
  for (let attempt = 0; attempt < 5; attempt++) {
    // The claim is prepared and its plan made once per connection: planning it anew cost twice its run.
    await sql.raw(`savepoint claim; set local plan_cache_mode = force_generic_plan`).execute(trx);
    try {
      const { rows } = await sql<Claimed>`${sql.raw(PREPARED)}
        update campaign_contact set state = 'held', held_by = ${callerId}, lease_id = gen_random_uuid(),
          lease_expires_at = ${new Date(now.getTime() + leaseMs)}
        where campaign_id = ${campaignId} and person_id = (
          select person_id from (
            select * from (select c.person_id from campaign_contact c
              where c.campaign_id = ${campaignId} and c.state = 'queued' and c.priority = 0
                and c.callback_caller_id = ${callerId} and c.callback_at <= ${now} and ${callable}
              order by c.callback_at limit 1 for update skip locked) own
            union all ${due(0)} union all ${due(1)} union all ${due(2)}
          ) candidate limit 1)
        returning person_id as "personId", lease_id as "leaseId", lease_expires_at as "leaseExpiresAt", attempts`.execute(trx);
      await sql.raw(`release savepoint claim; set local plan_cache_mode = auto`).execute(trx);
      return rows[0] ?? null;
    } catch (error) {
      // Another campaign's caller took the same number at this instant: the unique index on held
      // numbers refused this one, which tries again (and now sees the number held).
      if ((error as { code?: string }).code !== '23505') throw error;
      await sql.raw(`rollback to savepoint claim`).execute(trx);
    }
  }
  return null;
}

export interface HeldContact {
  campaignId: string;
  personId: number;
  phone: string;
  organisationId: string;
  attempts: number;
  leaseId: string;
  leaseExpiresAt: Date;
}

/** The contact a lease holds, locked, if the caller still holds it (the fence for completions and releases). */
export async function lockHeld(trx: Tx, leaseId: string, callerId: string): Promise<HeldContact | null> {
  const { rows } = await sql<HeldContact>`
    select campaign_id as "campaignId", person_id as "personId", phone, organisation_id as "organisationId", attempts,
      lease_id as "leaseId", lease_expires_at as "leaseExpiresAt"
    from campaign_contact
    where lease_id = ${leaseId} and held_by = ${callerId}
    for update`.execute(trx);
  return rows[0] ?? null;
}

/** What a contact becomes after a call. */
export type NextState =
  | { state: 'done'; reason: string }
  | { state: 'queued'; priority: 0 | 2; dueAt: Date; callbackAt: Date | null; callbackCallerId: string | null };

/** The contact after a call (`counted`: a new attempt) or after a correction of its last call (the attempt counted already). */
export async function afterCall(trx: Tx, contact: { campaignId: string; personId: number }, outcome: string, now: Date, next: NextState, counted = true): Promise<void> {
  const queued = next.state === 'queued';
  await sql`
    update campaign_contact set
      state = ${next.state}, held_by = null, lease_id = null, lease_expires_at = null,
      attempts = attempts + ${counted ? 1 : 0}, last_outcome = ${outcome}, last_call_at = ${now},
      priority = ${queued ? next.priority : sql`priority`},
      due_at = ${queued ? next.dueAt : sql`due_at`},
      callback_at = ${queued ? next.callbackAt : null},
      callback_caller_id = ${queued ? next.callbackCallerId : null},
      done_reason = ${queued ? null : next.reason}
    where campaign_id = ${contact.campaignId} and person_id = ${contact.personId}`.execute(trx);
}

/** The dialer bridged a person to a caller: the lease it held for one caller becomes another's (or stays), for a full lease. */
export async function moveLease(db: Database | Tx, leaseId: string, fromCallerId: string, toCallerId: string, expiresAt: Date): Promise<boolean> {
  const result = await sql`
    update campaign_contact set held_by = ${toCallerId}, lease_expires_at = ${expiresAt}
    where lease_id = ${leaseId} and held_by = ${fromCallerId} and state = 'held'`.execute(db);
  return Number(result.numAffectedRows ?? 0) > 0;
}

/** Gives a held contact back to the queue as it was before the claim. */
export async function release(trx: Tx, leaseId: string, callerId: string): Promise<boolean> {
  const result = await sql`
    update campaign_contact set state = 'queued', held_by = null, lease_id = null, lease_expires_at = null
    where lease_id = ${leaseId} and held_by = ${callerId}`.execute(trx);
  return Number(result.numAffectedRows ?? 0) > 0;
}

/** A caller skips the person they hold: back to the queue as a give-back, with why kept on the contact. */
export async function skip(trx: Tx, leaseId: string, callerId: string, why: { reason: string; note: string; at: Date }): Promise<boolean> {
  const result = await sql`
    update campaign_contact set state = 'queued', held_by = null, lease_id = null, lease_expires_at = null,
      skips = skips + 1, skip_reason = ${why.reason}, skip_note = ${why.note}, skipped_at = ${why.at}
    where lease_id = ${leaseId} and held_by = ${callerId}`.execute(trx);
  return Number(result.numAffectedRows ?? 0) > 0;
}

export interface Revoked {
  campaignId: string;
  personId: number;
  leaseId: string;
  heldBy: string;
}

/** Leases past their time go back to the queue. */
export async function reapExpired(db: Database, now: Date): Promise<Revoked[]> {
  const { rows } = await sql<Revoked>`
    with expired as (
      select campaign_id, person_id, lease_id, held_by from campaign_contact
      where state = 'held' and lease_expires_at < ${now}
      for update skip locked
    )
    update campaign_contact c set state = 'queued', held_by = null, lease_id = null, lease_expires_at = null
    from expired e where c.campaign_id = e.campaign_id and c.person_id = e.person_id
    returning e.campaign_id as "campaignId", e.person_id as "personId", e.lease_id as "leaseId", e.held_by as "heldBy"`.execute(db);
  return rows;
}

/**
 * Moves on (never back) the leases of callers connected to their campaigns, those with less than
 * `before` left: a lease is rewritten every few minutes, not at every heartbeat.
 */
export async function extendLeases(db: Database, connected: { userId: string; campaignId: string }[], until: Date, before: Date): Promise<void> {
  if (connected.length === 0) return;
  await sql`
    update campaign_contact c set lease_expires_at = ${until}
    from unnest(${connected.map((entry) => entry.userId)}::uuid[], ${connected.map((entry) => entry.campaignId)}::uuid[]) as live(user_id, campaign_id)
    where c.state = 'held' and c.held_by = live.user_id and c.campaign_id = live.campaign_id and c.lease_expires_at < ${before}`.execute(db);
}

/** The campaign a lease is in, if it is still held. */
export async function campaignOfLease(db: Database, leaseId: string): Promise<string | undefined> {
  const row = await db.selectFrom('campaignContact').select('campaignId').where('leaseId', '=', leaseId).executeTakeFirst();
  return row?.campaignId;
}

/** The campaign of a save: the call's, if this caller saved one under the key already, else the lease's. One round trip. */
export async function campaignOfSave(db: Database, callerId: string, key: string, leaseId: string): Promise<string | undefined> {
  const { rows } = await sql<{ campaignId: string }>`
    select campaign_id as "campaignId" from (
      (select campaign_id, 0 as rank from call where caller_id = ${callerId} and idempotency_key = ${key})
      union all
      (select campaign_id, 1 from campaign_contact where lease_id = ${leaseId})
      union all
      (select campaign_id, 2 from erased_lease where lease_id = ${leaseId} and caller_id = ${callerId})
    ) found order by rank limit 1`.execute(db);
  return rows[0]?.campaignId;
}

/** This process is alive at `now` (its heartbeat). */
export async function beat(db: Database, processId: string, now: Date): Promise<void> {
  await sql`
    insert into server_process (id, started_at, seen_at) values (${processId}, ${now}, ${now})
    on conflict (id) do update set seen_at = excluded.seen_at`.execute(db);
}

/** A caller's socket in this process joined a campaign. */
export async function addPresence(db: Database, processId: string, userId: string, campaignId: string, now: Date): Promise<void> {
  await sql`
    with process as (
      insert into server_process (id, started_at, seen_at) values (${processId}, ${now}, ${now})
      on conflict (id) do update set seen_at = excluded.seen_at
    )
    insert into caller_presence (process_id, user_id, campaign_id) values (${processId}, ${userId}, ${campaignId})
    on conflict do nothing`.execute(db);
}

/** A caller's last socket in this process left a campaign. */
export async function removePresence(db: Database, processId: string, userId: string, campaignId: string): Promise<void> {
  await sql`delete from caller_presence where process_id = ${processId} and user_id = ${userId} and campaign_id = ${campaignId}`.execute(db);
}

/** The callers connected to this process are exactly `connected` (repairs what an outage left behind). */
export async function syncPresence(db: Database, processId: string, connected: { userId: string; campaignId: string }[]): Promise<void> {
  await sql`
    with live as (
      select * from unnest(${connected.map((entry) => entry.userId)}::uuid[], ${connected.map((entry) => entry.campaignId)}::uuid[]) as live(user_id, campaign_id)
    ), gone as (
      delete from caller_presence p where p.process_id = ${processId}
        and not exists (select 1 from live where live.user_id = p.user_id and live.campaign_id = p.campaign_id)
    )
    insert into caller_presence (process_id, user_id, campaign_id)
    select ${processId}, live.user_id, live.campaign_id from live
    where exists (select 1 from campaign where id = live.campaign_id) and exists (select 1 from app_user where id = live.user_id)
    on conflict do nothing`.execute(db);
}

/**
 * Processes not seen since `deadBefore` are gone: the people their callers held get the grace period
 * from the process's last beat, unless the caller is connected to the campaign through a live process
 * (a reconnect elsewhere keeps them). The gone processes and their callers are forgotten.
 */
export async function releaseGoneProcesses(db: Database, deadBefore: Date, graceMs: number): Promise<number> {
  const { rows } = await sql<{ count: number }>`
    with gone as (
      delete from server_process where seen_at < ${deadBefore} returning id, seen_at
    ), callers as (
      delete from caller_presence p using gone where p.process_id = gone.id
      returning p.user_id, p.campaign_id, gone.seen_at
    ), orphaned as (
      select c.user_id, c.campaign_id, min(c.seen_at) as seen_at from callers c
      where not exists (
        select 1 from caller_presence q join server_process s on s.id = q.process_id
        where q.user_id = c.user_id and q.campaign_id = c.campaign_id and s.seen_at >= ${deadBefore}
      )
      group by c.user_id, c.campaign_id
    ), shortened as (
      update campaign_contact cc set lease_expires_at = least(cc.lease_expires_at, o.seen_at + ${`${graceMs} milliseconds`}::interval)
      from orphaned o where cc.state = 'held' and cc.held_by = o.user_id and cc.campaign_id = o.campaign_id
      returning 1
    )
    select count(*)::int as count from shortened`.execute(db);
  return rows[0]?.count ?? 0;
}

/** This process stops: it holds nobody any more (its callers' sockets have gone, with their grace period). */
export async function forgetProcess(db: Database, processId: string): Promise<void> {
  await sql`
    with callers as (delete from caller_presence where process_id = ${processId})
    delete from server_process where id = ${processId}`.execute(db);
}

/** A caller gone: their leases in a campaign end at the latest by `until` (the grace period). */
export async function shortenLeases(db: Database, callerId: string, campaignId: string, until: Date): Promise<void> {
  await sql`
    update campaign_contact set lease_expires_at = least(lease_expires_at, ${until})
    where state = 'held' and held_by = ${callerId} and campaign_id = ${campaignId}`.execute(db);
}

/** The leases a caller holds in a campaign (a reconnecting caller gets theirs back). */
export async function heldBy(db: Database | Tx, callerId: string, campaignId: string): Promise<Claimed[]> {
  const { rows } = await sql<Claimed>`
    select person_id as "personId", lease_id as "leaseId", lease_expires_at as "leaseExpiresAt", attempts
    from campaign_contact where state = 'held' and held_by = ${callerId} and campaign_id = ${campaignId}`.execute(db);
  return rows;
}

/**
 * Numbers go on the register: every contact with one that is not done is done, in the campaigns of
 * the organisation's subtree; held ones are revoked from their callers. Returns those revoked.
 */
export async function takeOutNumbers(trx: Tx, organisationId: string, phones: string[], now: Date): Promise<Revoked[]> {
  if (phones.length === 0) return [];
  const { rows } = await sql<Revoked & { state: string }>`
    with affected as (
      select c.campaign_id, c.person_id, c.lease_id, c.held_by, c.state from campaign_contact c
      join organisation_closure oc on oc.descendant_id = c.organisation_id and oc.ancestor_id = ${organisationId}
      where c.phone = any(${phones}::text[]) and c.state <> 'done'
      for update of c
    )
    update campaign_contact c set state = 'done', done_reason = 'do-not-call', held_by = null, lease_id = null, lease_expires_at = null,
      last_call_at = coalesce(c.last_call_at, ${now})
    from affected a where c.campaign_id = a.campaign_id and c.person_id = a.person_id
    returning a.campaign_id as "campaignId", a.person_id as "personId", a.lease_id as "leaseId", a.held_by as "heldBy", a.state`.execute(trx);
  return rows.filter((row) => row.state === 'held');
}

/** What a caller says of a call: saved with it, and replaced by a correction. */
export interface CallRecord {
  outcome: string;
  /** Someone answered, as the call's version defines the outcome (statistics count it). */
  reached: boolean;
  answers: unknown;
  notes: string;
  noteForNext: string;
  flagged: boolean;
  flagNote: string;
  callbackAt: Date | null;
  /** What the call counts for: recruit, volunteer, event, supporter. */
  tags: string[];
}

export interface NewCall extends CallRecord {
  campaignId: string;
  organisationId: string;
  /** Null for a save that arrived after its person was erased. */
  personId: number | null;
  /** Null for a call the dialer saved itself (no caller took it: no answer, busy, a machine, abandoned). */
  callerId: string | null;
  versionId: number;
  idempotencyKey: string;
  leaseId: string;
  /** Whether the caller gave the first-contact notice; null when none was due. */
  noticeGiven: boolean | null;
  createdAt: Date;
}

/** Saves a call; returns null when this caller already saved one under the key. */
export async function insertCall(trx: Tx, call: NewCall): Promise<string | null> {
  const row = await trx
    .insertInto('call')
    .values({ ...call, answers: JSON.stringify(call.answers) })
    .onConflict((oc) => oc.columns(['callerId', 'idempotencyKey']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id ?? null;
}

/** Saves many calls at once (a history loaded in one go), in one statement; each fires the statistics trigger as a single save does. */
export async function insertCalls(trx: Tx, calls: NewCall[]): Promise<void> {
  if (calls.length === 0) return;
  const rows = calls.map((call) => ({
    campaign_id: call.campaignId,
    organisation_id: call.organisationId,
    person_id: call.personId,
    caller_id: call.callerId,
    version_id: call.versionId,
    idempotency_key: call.idempotencyKey,
    lease_id: call.leaseId,
    outcome: call.outcome,
    reached: call.reached,
    answers: call.answers,
    notes: call.notes,
    note_for_next: call.noteForNext,
    flagged: call.flagged,
    flag_note: call.flagNote,
    callback_at: call.callbackAt,
    tags: call.tags,
    notice_given: call.noticeGiven,
    created_at: call.createdAt,
  }));
  await sql`
    insert into call (campaign_id, organisation_id, person_id, caller_id, version_id, idempotency_key, lease_id, outcome, reached,
      answers, notes, note_for_next, flagged, flag_note, callback_at, tags, notice_given, created_at)
    select campaign_id, organisation_id, person_id, caller_id, version_id, idempotency_key, lease_id, outcome, reached,
      answers, notes, note_for_next, flagged, flag_note, callback_at, tags, notice_given, created_at
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as r(campaign_id uuid, organisation_id uuid, person_id bigint, caller_id uuid,
      version_id integer, idempotency_key text, lease_id uuid, outcome text, reached boolean, answers jsonb, notes text, note_for_next text,
      flagged boolean, flag_note text, callback_at timestamptz, tags text[], notice_given boolean, created_at timestamptz)
    order by created_at`.execute(trx);
}

/** The queue places of these people in the campaign: their numbers and calls so far. */
export function contactsOf(trx: Tx, campaignId: string, personIds: number[]) {
  return trx
    .selectFrom('campaignContact')
    .select(['personId', 'phone', 'attempts', 'state'])
    .where('campaignId', '=', campaignId)
    .where('personId', 'in', personIds.length > 0 ? personIds : [-1])
    .execute();
}

/** Every person in a campaign's queue, in the order they came in. */
export async function queuedPeople(db: Database, campaignId: string): Promise<number[]> {
  const rows = await db.selectFrom('campaignContact').select('personId').where('campaignId', '=', campaignId).orderBy('personId').execute();
  return rows.map((row) => Number(row.personId));
}

/** Many contacts after their calls at once (afterCall for a history): attempts, last outcome and call, and what comes next. */
export async function afterCalls(trx: Tx, campaignId: string, contacts: { personId: number; attempts: number; outcome: string; at: Date; next: NextState }[]): Promise<void> {
  if (contacts.length === 0) return;
  const queued = (contact: (typeof contacts)[number]) => (contact.next.state === 'queued' ? contact.next : null);
  await sql`
    update campaign_contact c set
      state = v.state, held_by = null, lease_id = null, lease_expires_at = null,
      attempts = v.attempts, last_outcome = v.outcome, last_call_at = v.at,
      priority = coalesce(v.priority, c.priority), due_at = coalesce(v.due_at, c.due_at),
      callback_at = null, callback_caller_id = null, done_reason = v.reason
    from unnest(
      ${contacts.map((contact) => contact.personId)}::bigint[], ${contacts.map((contact) => contact.next.state)}::text[],
      ${contacts.map((contact) => contact.attempts)}::int[], ${contacts.map((contact) => contact.outcome)}::text[],
      ${contacts.map((contact) => contact.at)}::timestamptz[], ${contacts.map((contact) => queued(contact)?.priority ?? null)}::smallint[],
      ${contacts.map((contact) => queued(contact)?.dueAt ?? null)}::timestamptz[],
      ${contacts.map((contact) => (contact.next.state === 'done' ? contact.next.reason : null))}::text[]
    ) as v(person_id, state, attempts, outcome, at, priority, due_at, reason)
    where c.campaign_id = ${campaignId} and c.person_id = v.person_id`.execute(trx);
}

export interface OwnCall {
  id: string;
  campaignId: string;
  personId: number | null;
  versionId: number;
  outcome: string;
  /** Whether the first-contact notice was given; null when none was due. */
  noticeGiven: boolean | null;
  createdAt: Date;
  /** No later call of the same caller in the campaign. */
  last: boolean;
}

/** One of the caller's calls, locked for a correction (read without a lock outside a transaction). */
export async function lockOwnCall(trx: Tx, callId: string, callerId: string, lock = true): Promise<OwnCall | null> {
  const { rows } = await sql<OwnCall>`
    select c.id, c.campaign_id as "campaignId", c.person_id as "personId", c.version_id as "versionId", c.outcome,
      c.notice_given as "noticeGiven", c.created_at as "createdAt",
      not exists (select 1 from call later where later.caller_id = c.caller_id and later.campaign_id = c.campaign_id
        and (later.created_at, later.id) > (c.created_at, c.id)) as last
    from call c where c.id = ${callId} and c.caller_id = ${callerId}
    ${lock ? sql`for update of c` : sql``}`.execute(trx);
  return rows[0] ?? null;
}

export const findOwnCall = (db: Database, callId: string, callerId: string) => lockOwnCall(db, callId, callerId, false);

export interface CallCorrection extends CallRecord {
  noticeGiven: boolean | null;
  correctedAt: Date;
}

export async function correctCall(trx: Tx, callId: string, correction: CallCorrection): Promise<void> {
  await trx
    .updateTable('call')
    .set({ ...correction, answers: JSON.stringify(correction.answers) })
    .where('id', '=', callId)
    .execute();
}

/** A contact, locked, as a correction of its last call needs it. */
export async function lockContact(trx: Tx, campaignId: string, personId: number) {
  const { rows } = await sql<{ state: string; attempts: number; lastCallAt: Date | null; phone: string; organisationId: string }>`
    select state, attempts, last_call_at as "lastCallAt", phone, organisation_id as "organisationId"
    from campaign_contact where campaign_id = ${campaignId} and person_id = ${personId}
    for update`.execute(trx);
  return rows[0] ?? null;
}

export function callByKey(db: Database | Tx, callerId: string, idempotencyKey: string) {
  return db.selectFrom('call').select(['id', 'campaignId', 'leaseId']).where('callerId', '=', callerId).where('idempotencyKey', '=', idempotencyKey).executeTakeFirst();
}

/**
 * The person as the caller sees them, with earlier calls in this campaign and their notes for the
 * next caller (one round trip). Someone never called has none to look for.
 */
export async function contactForCaller(db: Database | Tx, campaignId: string, personId: number, calledBefore: boolean) {
  const { rows } = await sql<{
    id: number;
    firstName: string;
    lastName: string;
    phone: string;
    attributes: unknown;
    history: { createdAt: string; outcome: string; noteForNext: string }[];
  }>`
    select p.id, p.first_name as "firstName", p.last_name as "lastName", p.phone, p.attributes,
      case when not ${calledBefore} then '[]'::json else coalesce((
        select json_agg(json_build_object('createdAt', h.created_at, 'outcome', h.outcome, 'noteForNext', h.note_for_next) order by h.created_at desc)
        from (select created_at, outcome, note_for_next from call where campaign_id = ${campaignId} and person_id = p.id order by created_at desc limit 20) h
      ), '[]'::json) end as history
    from person p where p.id = ${personId}`.execute(db);
  const row = rows[0];
  if (!row) throw new Error(`Person ${personId} of a held contact is gone`);
  const { history, ...person } = row;
  return { person, history };
}

/** Today's calls, conversations and recruits of a caller in a campaign, from `since` (midnight in the organisation's zone). */
export async function callerFigures(db: Database, campaignId: string, callerId: string, since: Date) {
  const row = await db
    .selectFrom('call')
    .where('campaignId', '=', campaignId)
    .where('callerId', '=', callerId)
    .where('createdAt', '>=', since)
    .select([
      sql<number>`count(*)::int`.as('calls'),
      sql<number>`(count(*) filter (where outcome = 'conversation'))::int`.as('conversations'),
      sql<number>`(count(*) filter (where 'recruit' = any(tags)))::int`.as('recruits'),
    ])
    .executeTakeFirstOrThrow();
  return row;
}

/** A campaign's flagged calls no organizer has handled yet, newest first. */
export async function countOpenFlags(db: Database, campaignId: string): Promise<number> {
  const row = await db
    .selectFrom('call')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('campaignId', '=', campaignId)
    .where('flagged', '=', true)
    .where('flagResolvedAt', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export function openFlags(db: Database, campaignId: string) {
  return db
    .selectFrom('call')
    .leftJoin('appUser', 'appUser.id', 'call.callerId')
    .leftJoin('person', 'person.id', 'call.personId')
    .select(['call.id as callId', 'call.createdAt as at', 'appUser.name as callerName', 'call.outcome', 'call.flagNote', 'call.notes', 'person.id as personId', 'person.firstName', 'person.lastName'])
    .where('call.campaignId', '=', campaignId)
    .where('call.flagged', '=', true)
    .where('call.flagResolvedAt', 'is', null)
    .orderBy('call.createdAt', 'desc')
    .limit(500)
    .execute();
}

export function findCall(db: Database, callId: string) {
  return db.selectFrom('call').select(['id', 'campaignId', 'flagged', 'flagResolvedAt']).where('id', '=', callId).executeTakeFirst();
}

/** Marks a flag handled; returns when it was (the first time, if it was handled before). */
export async function resolveFlag(db: Database, callId: string, userId: string, now: Date): Promise<Date> {
  const row = await db
    .updateTable('call')
    .set({ flagResolvedAt: sql<Date>`coalesce(flag_resolved_at, ${now})`, flagResolvedBy: sql<string>`coalesce(flag_resolved_by, ${userId}::uuid)` })
    .where('id', '=', callId)
    .returning('flagResolvedAt')
    .executeTakeFirstOrThrow();
  return new Date(row.flagResolvedAt ?? now);
}

/**
 * Open or paused campaigns a user may call in: those of an organisation at or below one where they
 * have a role, and those that invited such an organisation as a team (the engine's own rule).
 */
export function callableCampaigns(db: Database, userId: string) {
  const reachable = (organisation: string) => sql<boolean>`exists (
    select 1 from membership m join organisation_closure oc on oc.ancestor_id = m.organisation_id
    where m.user_id = ${userId} and oc.descendant_id = ${sql.ref(organisation)})`;
  return db
    .selectFrom('campaign as c')
    .innerJoin('organisation as o', 'o.id', 'c.organisationId')
    .select(['c.id', 'c.name', 'c.organisationId', 'o.name as organisationName', 'c.status', 'c.dialing', 'c.dialMode', 'c.startsAt', 'c.endsAt', 'c.callingWindow', 'o.timeZone'])
    .where('c.status', 'in', ['active', 'paused'])
    .where((eb) =>
      eb.or([
        reachable('c.organisation_id'),
        eb.exists(eb.selectFrom('campaignCallerTeam as t').select('t.campaignId').whereRef('t.campaignId', '=', 'c.id').where(reachable('t.organisation_id'))),
      ]),
    )
    .orderBy('c.status')
    .orderBy('c.name')
    .limit(200)
    .execute();
}

export interface HeldLease {
  leaseId: string;
  campaignId: string;
  personId: number;
  phone: string;
}

/** A lease the caller holds now (not run out), with the number it is for: what telephony may dial. */
export async function heldLease(db: Database, callerId: string, leaseId: string, now: Date): Promise<HeldLease | null> {
  const row = await db
    .selectFrom('campaignContact')
    .select(['leaseId', 'campaignId', 'personId', 'phone'])
    .where('leaseId', '=', leaseId)
    .where('heldBy', '=', callerId)
    .where('state', '=', 'held')
    .where('leaseExpiresAt', '>', now)
    .executeTakeFirst();
  return row && row.leaseId !== null ? { leaseId: row.leaseId, campaignId: row.campaignId, personId: row.personId, phone: row.phone } : null;
}

/**
 * People erased: they leave every queue. A lease held on one is remembered without them (lease, campaign,
 * caller, when), so that the caller's save under it is still counted; returns those leases.
 */
export async function withdrawPeople(trx: Tx, personIds: number[], now: Date): Promise<Revoked[]> {
  if (personIds.length === 0) return [];
  const { rows } = await sql<Revoked>`
    with gone as (
      delete from campaign_contact where person_id = any(${personIds}::bigint[])
      returning campaign_id, person_id, lease_id, held_by, state
    ), remembered as (
      insert into erased_lease (lease_id, campaign_id, organisation_id, caller_id, erased_at)
      select g.lease_id, g.campaign_id, c.organisation_id, g.held_by, ${now} from gone g join campaign c on c.id = g.campaign_id
      where g.state = 'held'
      on conflict (lease_id) do nothing
    )
    select campaign_id as "campaignId", person_id as "personId", lease_id as "leaseId", held_by as "heldBy" from gone where state = 'held'`.execute(trx);
  return rows;
}

/** A lease the caller held on a person since erased, in the campaign: taken (a lease saves one call), or null. */
export async function takeErasedLease(trx: Tx, leaseId: string, callerId: string, campaignId: string): Promise<boolean> {
  const result = await trx.deleteFrom('erasedLease').where('leaseId', '=', leaseId).where('callerId', '=', callerId).where('campaignId', '=', campaignId).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** Erased leases older than `before` are forgotten (a caller's outbox has long given up by then). */
export async function forgetErasedLeases(db: Database | Tx, before: Date): Promise<number> {
  const result = await db.deleteFrom('erasedLease').where('erasedAt', '<', before).executeTakeFirst();
  return Number(result.numDeletedRows);
}
