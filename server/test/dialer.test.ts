// The dialer on a real PostgreSQL and the simulated phone network (40 times faster than real time): a
// caller who starts calling in a power campaign gets people who answered, one at a time, without asking;
// the calls nobody took (no answer, busy, machines, dead numbers) are saved by the server; a pause stops
// new people; a preview campaign, or someone who may not call in it, is refused.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Assignment } from '../src/contract/realtime';
import { TestContext, type TestUser } from './harness';

let t: TestContext;
let org: { id: string };
let organizer: TestUser;
let caller: TestUser;
let campaignId: string;

beforeAll(async () => {
  t = await TestContext.create({ dialer: { simulatedSpeed: 40 } });
  org = await t.newOrg({ name: 'S-föreningen Power', country: 'SE' });
  organizer = await t.newUser([{ org, role: 'organizer' }]);
  caller = await t.newUser([{ org, role: 'caller' }]);
  campaignId = await t.newOpenCampaign(org, organizer, { people: 80, firstNumber: 7300000 });
  const changed = await t.request('PUT', `/api/campaigns/${campaignId}`, { cookie: await t.login(organizer), body: { dialing: 'simulated', dialMode: 'power', linesPerCaller: 2 } });
  expect(changed.statusCode, changed.body).toBe(200);
});

/** People bridged to the caller after the first test's two (saved in the second test). */
const unsaved: Assignment[] = [];

afterAll(async () => {
  await t?.close();
});

function nextBridged(userId: string, timeoutMs = 20_000): Promise<Assignment> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      t.app.ctx.dialer.off('bridged', listener);
      reject(new Error('nobody was bridged in time'));
    }, timeoutMs);
    const listener = (event: { userId: string; assignment: Assignment }) => {
      if (event.userId !== userId) return;
      clearTimeout(timer);
      t.app.ctx.dialer.off('bridged', listener);
      resolve(event.assignment);
    };
    t.app.ctx.dialer.on('bridged', listener);
  });
}

async function openLines(): Promise<number> {
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from dialer_line where campaign_id = ${campaignId} and state in ('placing', 'ringing')`.execute(t.db);
  return rows[0]?.n ?? 0;
}

test('a caller in a power campaign gets people who answered, one after another, and saves them as any call', async () => {
  // Connected to the campaign (as campaign:join records it), then starts calling.
  await t.app.ctx.calling.joined(caller.id, campaignId);
  const first = nextBridged(caller.id);
  const seat = await t.app.ctx.dialer.startSeat(caller.id, campaignId);
  expect(seat.line).toBe('simulated');
  // Two lines ring for the one caller, never more.
  let most = 0;
  const watching = setInterval(() => void openLines().then((n) => (most = Math.max(most, n))), 50);
  const person = await first;
  expect(person.contact.phone).toMatch(/^\+467073\d{5}$/);
  const saved = await t.app.ctx.calling.complete(caller.id, { assignmentId: person.id, key: randomUUID(), outcome: 'conversation', answers: {} });
  expect(saved.callId).toBeTruthy();
  // The save sends the caller back to waiting: the next person comes by themselves.
  const second = await nextBridged(caller.id);
  clearInterval(watching);
  expect(second.contact.id).not.toBe(person.contact.id);
  // Correcting the last call while talking to the next person leaves that conversation alone.
  const states: string[] = [];
  const onSeat = (event: { userId: string; state: string }) => {
    if (event.userId === caller.id) states.push(event.state);
  };
  t.app.ctx.dialer.on('seat', onSeat);
  await t.app.ctx.calling.correct(caller.id, { callId: saved.callId, outcome: 'conversation', answers: {}, notes: 'Ville ha mer information.' });
  await new Promise((resolve) => setTimeout(resolve, 1500));
  t.app.ctx.dialer.off('seat', onSeat);
  expect(states).not.toContain('waiting');
  expect(most).toBeGreaterThan(0);
  expect(most).toBeLessThanOrEqual(2);
  t.app.ctx.dialer.on('bridged', (event) => {
    if (event.userId === caller.id) unsaved.push(event.assignment);
  });
  await t.app.ctx.calling.complete(caller.id, { assignmentId: second.id, key: randomUUID(), outcome: 'refused', answers: {} });
  // Calls nobody took were saved by the server, as calls of no caller with the unanswered outcomes.
  const { rows } = await sql<{ outcome: string; callerId: string | null }>`select outcome, caller_id as "callerId" from call where campaign_id = ${campaignId}`.execute(t.db);
  const byServer = rows.filter((row) => row.callerId === null);
  expect(rows.filter((row) => row.callerId === caller.id).map((row) => row.outcome).sort()).toEqual(['conversation', 'refused']);
  for (const row of byServer) expect(['no-answer', 'busy', 'voicemail', 'wrong-number']).toContain(row.outcome);
});

test('a pause stops new people once the person on the line is saved; the seat says so', async () => {
  const states: string[] = [];
  const paused = new Promise<void>((resolve) => {
    const listener = (event: { userId: string; state: string }) => {
      if (event.userId !== caller.id) return;
      states.push(event.state);
      if (event.state === 'paused') {
        t.app.ctx.dialer.off('seat', listener);
        resolve();
      }
    };
    t.app.ctx.dialer.on('seat', listener);
  });
  // Someone may have answered since the last save: they stay the caller's, and the pause begins after their save.
  const save = (assignment: Assignment) => void t.app.ctx.calling.complete(caller.id, { assignmentId: assignment.id, key: randomUUID(), outcome: 'refused', answers: {} });
  const onLine = (event: { userId: string; assignment: Assignment }) => {
    if (event.userId === caller.id) save(event.assignment);
  };
  t.app.ctx.dialer.on('bridged', onLine);
  await t.app.ctx.dialer.pauseSeat(caller.id, campaignId);
  for (const assignment of unsaved) save(assignment);
  await paused;
  t.app.ctx.dialer.off('bridged', onLine);
  // Lines already ringing end by themselves; none is placed after.
  await new Promise((resolve) => setTimeout(resolve, 2500));
  expect(await openLines()).toBe(0);
});

test('a preview campaign, or a person who may not call in the campaign, gets no seat', async () => {
  const preview = await t.newOpenCampaign(org, organizer, { people: 2, firstNumber: 7400000 });
  await expect(t.app.ctx.dialer.startSeat(caller.id, preview)).rejects.toMatchObject({ code: 'not_a_dialing_campaign' });
  const stranger = await t.newUser([{ org: await t.newOrg({ name: 'Annan förening', country: 'SE' }), role: 'caller' }]);
  await expect(t.app.ctx.dialer.startSeat(stranger.id, campaignId)).rejects.toMatchObject({ statusCode: 404 });
  await expect(t.app.ctx.dialer.pauseSeat(stranger.id, campaignId)).rejects.toMatchObject({ code: 'no_dialer_seat' });
});

/** The next seat event of the user's that the predicate accepts. */
function seatEvent(userId: string, accept: (event: { state: string; ringing: number; nobody?: { reason: string; opensAt: string | null } }) => boolean, timeoutMs = 20_000) {
  return new Promise<{ state: string; ringing: number; nobody?: { reason: string; opensAt: string | null } }>((resolve, reject) => {
    const timer = setTimeout(() => {
      t.app.ctx.dialer.off('seat', listener);
      reject(new Error('no such seat event in time'));
    }, timeoutMs);
    const listener = (event: { userId: string; state: string; ringing: number; nobody?: { reason: string; opensAt: string | null } }) => {
      if (event.userId !== userId || !accept(event)) return;
      clearTimeout(timer);
      t.app.ctx.dialer.off('seat', listener);
      resolve(event);
    };
    t.app.ctx.dialer.on('seat', listener);
  });
}

test('the organizer pausing the campaign reaches the waiting caller as the reason nobody comes; resuming dials again at once', async () => {
  const other = await t.newUser([{ org, role: 'caller' }]);
  const resumable = await t.newOpenCampaign(org, organizer, { people: 40, firstNumber: 7500000 });
  const cookie = await t.login(organizer);
  const changed = await t.request('PUT', `/api/campaigns/${resumable}`, { cookie, body: { dialing: 'simulated', dialMode: 'power', linesPerCaller: 2 } });
  expect(changed.statusCode, changed.body).toBe(200);
  // Whoever answers is saved at once: the caller is back to waiting for the next.
  const onLine = (event: { userId: string; assignment: Assignment }) => {
    if (event.userId === other.id) void t.app.ctx.calling.complete(other.id, { assignmentId: event.assignment.id, key: randomUUID(), outcome: 'refused', answers: {} });
  };
  t.app.ctx.dialer.on('bridged', onLine);
  try {
    await t.app.ctx.calling.joined(other.id, resumable);
    const ringing = seatEvent(other.id, (event) => event.ringing > 0);
    await t.app.ctx.dialer.startSeat(other.id, resumable);
    await ringing;
    // Once the lines still ringing have ended, the caller's screen says why nobody comes.
    const told = seatEvent(other.id, (event) => event.state === 'waiting' && event.ringing === 0 && event.nobody?.reason === 'paused');
    expect((await t.request('POST', `/api/campaigns/${resumable}/status`, { cookie, body: { status: 'paused' } })).statusCode).toBe(200);
    expect((await told).nobody).toEqual({ reason: 'paused', opensAt: null });
    // Resumed: lines ring for the caller again without waiting out the dialer's pause with nobody to call (30 s).
    const again = seatEvent(other.id, (event) => event.ringing > 0 && event.nobody === undefined, 5_000);
    expect((await t.request('POST', `/api/campaigns/${resumable}/status`, { cookie, body: { status: 'active' } })).statusCode).toBe(200);
    await again;
  } finally {
    t.app.ctx.dialer.off('bridged', onLine);
    await t.app.ctx.dialer.pauseSeat(other.id, resumable);
  }
});

test('what the dialer keeps of its calls is forgotten after two days; the last two days stay for the 24-hour figures', async () => {
  const { forgetOldLines } = await import('../src/modules/dialer/dialer.repository');
  const now = t.clock.now();
  const old = new Date(now.getTime() - 3 * 24 * 3_600_000);
  const recent = new Date(now.getTime() - 3_600_000);
  for (const [lineId, at] of [
    [randomUUID(), old],
    [randomUUID(), recent],
  ] as const) {
    await sql`insert into dialer_line (id, campaign_id, lease_id, caller_id, attempt, provider, state, placed_at, ended_at)
      values (${lineId}, ${campaignId}, ${randomUUID()}, ${caller.id}, 0, 'twilio', 'ended', ${at}, ${at})`.execute(t.db);
    await sql`insert into dialer_twilio_line (line_id, organisation_id, account_sid, status, status_rank, created_at, updated_at)
      values (${lineId}, ${org.id}, 'ACtest', 'completed', 5, ${at}, ${at})`.execute(t.db);
    await sql`insert into dialer_twilio_conference (conference_sid, seat_id, joined_at, ended_at) values (${`CF${lineId}`}, ${randomUUID()}, ${at}, ${at})`.execute(t.db);
  }
  const count = async () =>
    (
      await sql<{ lines: number; twilio: number; conferences: number }>`select
        (select count(*)::int from dialer_line where placed_at < ${new Date(now.getTime() - 2 * 24 * 3_600_000)}) as lines,
        (select count(*)::int from dialer_twilio_line where updated_at < ${new Date(now.getTime() - 2 * 24 * 3_600_000)}) as twilio,
        (select count(*)::int from dialer_twilio_conference where ended_at < ${new Date(now.getTime() - 2 * 24 * 3_600_000)}) as conferences`.execute(t.db)
    ).rows[0];
  const recentLeft = async () => (await sql<{ n: number }>`select count(*)::int as n from dialer_twilio_line where updated_at = ${recent}`.execute(t.db)).rows[0]?.n;
  expect(await count()).toEqual({ lines: 1, twilio: 1, conferences: 1 });
  await forgetOldLines(t.db, new Date(now.getTime() - 2 * 24 * 3_600_000));
  expect(await count()).toEqual({ lines: 0, twilio: 0, conferences: 0 });
  expect(await recentLeft()).toBe(1);
});
