import { sql } from 'kysely';
import type { Database } from '../../../../db/database';
import type { DialTarget, ServerOutcome } from './dialer.types';
import type { Line, Outcome24h, Seat } from './campaign-dialer';

// The dialer's tables (migration 2026-12-05T09): who paces which campaign, the callers' seats, and the
// lines placed. No phone number and no person is stored here: a line's lease leads to them while held.

/** A process's hold on pacing a campaign lasts this long unless renewed (every second). */
export const OWNER_MS = 5_000;
/**
 * A caller counts as connected while the process their socket is on has beaten within this long (it beats
 * every 5 s): the callers of a process that died are not dialled for while its presence rows wait to be
 * released (30 s).
 */
export const PRESENT_MS = 15_000;

/** The seat's caller is connected to its campaign through a live process. */
const connected = (seat: string, now: Date) => sql`exists (
  select 1 from caller_presence p join server_process sp on sp.id = p.process_id
  where p.user_id = ${sql.ref(`${seat}.user_id`)} and p.campaign_id = ${sql.ref(`${seat}.campaign_id`)} and sp.seen_at > ${new Date(now.getTime() - PRESENT_MS)})`;

export interface DialingCampaign {
  id: string;
  organisationId: string;
  organisationName: string;
  country: string;
  status: string;
  dialing: string;
  dialMode: string;
  linesPerCaller: number;
  timeZone: string;
}

export async function dialingCampaign(db: Database, campaignId: string): Promise<DialingCampaign | undefined> {
  const { rows } = await sql<DialingCampaign>`
    select c.id, c.organisation_id as "organisationId", o.name as "organisationName", o.country, c.status, c.dialing,
      c.dial_mode as "dialMode", c.lines_per_caller as "linesPerCaller", o.time_zone as "timeZone"
    from campaign c join organisation o on o.id = c.organisation_id where c.id = ${campaignId}`.execute(db);
  return rows[0];
}

/**
 * Takes or keeps the campaigns that have callers connected in them and that no live process paces;
 * lets go of the ones without. Returns the campaigns this process paces now.
 */
export async function own(db: Database, processId: string, now: Date): Promise<string[]> {
  const { rows } = await sql<{ campaignId: string }>`
    with wanted as (
      select distinct s.campaign_id from dialer_seat s
      where ${connected('s', now)}
    ), dropped as (
      delete from dialer_owner where process_id = ${processId} and campaign_id not in (select campaign_id from wanted)
    )
    insert into dialer_owner (campaign_id, process_id, expires_at)
    select campaign_id, ${processId}, ${new Date(now.getTime() + OWNER_MS)} from wanted
    on conflict (campaign_id) do update set process_id = excluded.process_id, expires_at = excluded.expires_at
      where dialer_owner.process_id = ${processId} or dialer_owner.expires_at < ${now}
    returning campaign_id as "campaignId"`.execute(db);
  return rows.map((row) => row.campaignId);
}

/** Another process paces the campaign now. */
export async function pacedElsewhere(db: Database, campaignId: string, processId: string, now: Date): Promise<boolean> {
  const { rows } = await sql<{ one: number }>`
    select 1 as one from dialer_owner where campaign_id = ${campaignId} and process_id <> ${processId} and expires_at >= ${now}`.execute(db);
  return rows.length > 0;
}

/** This process stops pacing: others take its campaigns at once. */
export async function disown(db: Database, processId: string): Promise<void> {
  await sql`delete from dialer_owner where process_id = ${processId}`.execute(db);
}

export interface SeatRow {
  id: string;
  userId: string;
  wants: 'dial' | 'pause';
  lineUp: boolean;
  saves: number;
  hangups: number;
  state: Seat['state'];
  lineId: string | null;
}

/** A caller opens their line: their seat (the same one again if they had one), wanting people. */
export async function openSeat(db: Database, campaignId: string, userId: string, seatId: string, now: Date, lineUp: boolean): Promise<string> {
  const { rows } = await sql<{ id: string }>`
    insert into dialer_seat (id, campaign_id, user_id, wants, line_up, since) values (${seatId}, ${campaignId}, ${userId}, 'dial', ${lineUp}, ${now})
    on conflict (campaign_id, user_id) do update set wants = 'dial', line_up = dialer_seat.line_up or excluded.line_up
    returning id`.execute(db);
  return (rows[0] as { id: string }).id;
}

export async function seatOf(db: Database, seatId: string): Promise<{ userId: string; campaignId: string; organisationId: string } | undefined> {
  const { rows } = await sql<{ userId: string; campaignId: string; organisationId: string }>`
    select s.user_id as "userId", s.campaign_id as "campaignId", c.organisation_id as "organisationId"
    from dialer_seat s join campaign c on c.id = s.campaign_id where s.id = ${seatId}`.execute(db);
  return rows[0];
}

/** The caller's own line came up (their browser joined their Twilio conference) or went away (it ended). Returns the seat's campaign. */
export async function setLineUp(db: Database, seatId: string, up: boolean): Promise<string | undefined> {
  const { rows } = await sql<{ campaignId: string }>`update dialer_seat set line_up = ${up} where id = ${seatId} returning campaign_id as "campaignId"`.execute(db);
  return rows[0]?.campaignId;
}

/** Whether the caller is connected to the campaign (joined it with a socket, in any process). */
export async function present(db: Database, userId: string, campaignId: string, now: Date): Promise<boolean> {
  const { rows } = await sql`select 1 from (select ${userId}::uuid as user_id, ${campaignId}::uuid as campaign_id) s where ${connected('s', now)}`.execute(db);
  return rows.length > 0;
}

/** The lease of a person the dialer bridged to the caller that they have not saved yet. */
export async function bridgedLease(db: Database, campaignId: string, userId: string): Promise<string | undefined> {
  const { rows } = await sql<{ leaseId: string }>`
    select l.lease_id as "leaseId" from dialer_line l
    join campaign_contact c on c.lease_id = l.lease_id and c.held_by = ${userId} and c.state = 'held'
    where l.campaign_id = ${campaignId} and l.seat_id is not null
    order by l.placed_at desc limit 1`.execute(db);
  return rows[0]?.leaseId;
}

/** A caller's wish, for the pacing process to act on: pause, a save made, a hang-up. False: they have no seat. */
export async function markSeat(
  db: Database,
  campaignId: string,
  userId: string,
  change: { wants?: 'dial' | 'pause'; saved?: boolean; hangup?: boolean },
): Promise<{ id: string; saves: number } | undefined> {
  const { rows } = await sql<{ id: string; saves: number }>`
    update dialer_seat set
      wants = coalesce(${change.wants ?? null}, wants),
      saves = saves + ${change.saved ? 1 : 0},
      hangups = hangups + ${change.hangup ? 1 : 0}
    where campaign_id = ${campaignId} and user_id = ${userId}
    returning id, saves`.execute(db);
  return rows[0];
}

/** The seats of callers connected to the campaign (in any process). */
export async function liveSeats(db: Database, campaignId: string, now: Date): Promise<SeatRow[]> {
  const { rows } = await sql<SeatRow>`
    select s.id, s.user_id as "userId", s.wants, s.line_up as "lineUp", s.saves, s.hangups, s.state, s.line_id as "lineId"
    from dialer_seat s
    where s.campaign_id = ${campaignId} and ${connected('s', now)}`.execute(db);
  return rows;
}

export async function saveSeat(db: Database, campaignId: string, seat: Seat): Promise<void> {
  await sql`update dialer_seat set state = ${seat.state}, line_id = ${seat.lineId}, since = ${new Date(seat.since)}
    where id = ${seat.seatId} and campaign_id = ${campaignId}`.execute(db);
}

/** A line placed, or what became of it. */
export async function saveLine(db: Database, provider: string, line: Line, outcome: ServerOutcome | undefined, now: Date): Promise<void> {
  const human = line.detected === 'human';
  await sql`
    insert into dialer_line (id, campaign_id, lease_id, caller_id, attempt, provider, provider_call_id, state, placed_at, answered_at, human, abandoned, seat_id, outcome, ended_at)
    values (${line.lineId}, ${line.target.campaignId}, ${line.target.leaseId}, ${line.target.callerId}, ${line.target.attempt}, ${provider},
      ${line.providerCallId}, ${line.state}, ${new Date(line.placedAt)}, ${line.answeredAt === null ? null : new Date(line.answeredAt)},
      ${human}, ${line.state === 'abandoned' || outcome === 'abandoned'}, ${line.seatId}, ${outcome ?? null}, ${line.state === 'ended' ? now : null})
    on conflict (id) do update set
      provider_call_id = coalesce(excluded.provider_call_id, dialer_line.provider_call_id),
      state = excluded.state,
      answered_at = coalesce(excluded.answered_at, dialer_line.answered_at),
      human = dialer_line.human or excluded.human,
      abandoned = dialer_line.abandoned or excluded.abandoned,
      seat_id = coalesce(excluded.seat_id, dialer_line.seat_id),
      outcome = coalesce(excluded.outcome, dialer_line.outcome),
      ended_at = coalesce(excluded.ended_at, dialer_line.ended_at)`.execute(db);
}

/** The campaign's answers in the last 24 hours: people bridged, people abandoned, "machine" verdicts hung up on. */
export async function answeredSince(db: Database, campaignId: string, since: Date): Promise<Outcome24h[]> {
  const { rows } = await sql<{ at: Date; human: boolean; abandoned: boolean; bridged: boolean }>`
    select answered_at as at, human, abandoned, seat_id is not null as bridged from dialer_line
    where campaign_id = ${campaignId} and answered_at >= ${since} order by answered_at`.execute(db);
  const answers: Outcome24h[] = [];
  for (const row of rows) {
    const kind = row.abandoned ? 'abandoned' : row.human ? 'person' : row.bridged ? null : 'machine';
    if (kind) answers.push({ at: new Date(row.at).getTime(), kind });
  }
  return answers;
}

export interface OpenLine {
  id: string;
  leaseId: string;
  callerId: string;
  attempt: number;
  provider: string;
  providerCallId: string | null;
  state: Line['state'];
  placedAt: Date;
  seatId: string | null;
}

/** Lines not ended: placed by a process that stopped, for the one taking the campaign over. */
export async function openLines(db: Database, campaignId: string): Promise<OpenLine[]> {
  const { rows } = await sql<OpenLine>`
    select id, lease_id as "leaseId", caller_id as "callerId", attempt, provider, provider_call_id as "providerCallId", state, placed_at as "placedAt", seat_id as "seatId"
    from dialer_line where campaign_id = ${campaignId} and state <> 'ended'`.execute(db);
  return rows;
}

/** A target again from its lease, while the lease is still held by whom the line says. */
export async function targetOf(db: Database, line: OpenLine, organisationId: string): Promise<DialTarget | undefined> {
  const { rows } = await sql<{ personId: number; phone: string; campaignId: string }>`
    select person_id as "personId", phone, campaign_id as "campaignId" from campaign_contact
    where lease_id = ${line.leaseId} and held_by = ${line.callerId} and state = 'held'`.execute(db);
  const row = rows[0];
  return row && { leaseId: line.leaseId, campaignId: row.campaignId, organisationId, personId: row.personId, phone: row.phone, attempt: line.attempt, callerId: line.callerId };
}

export async function endLine(db: Database, lineId: string, outcome: ServerOutcome | null, now: Date): Promise<void> {
  await sql`update dialer_line set state = 'ended', outcome = coalesce(${outcome}, outcome), ended_at = ${now} where id = ${lineId}`.execute(db);
}

/**
 * Lines older than two days are no longer needed for any figure, nor Twilio's news of them and of callers'
 * conferences for telling a repeated callback from a new one (Twilio retries within minutes).
 */
export async function forgetOldLines(db: Database, before: Date): Promise<void> {
  await sql`delete from dialer_line where placed_at < ${before} and state = 'ended'`.execute(db);
  await sql`delete from dialer_twilio_line where updated_at < ${before}`.execute(db);
  await sql`delete from dialer_twilio_conference where coalesce(ended_at, joined_at) < ${before}`.execute(db);
}
