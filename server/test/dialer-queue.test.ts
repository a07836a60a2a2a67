// The calling engine as the dialer's queue, on a real PostgreSQL: the dialer claims people for a
// caller by the engine's rules, saves the calls no caller took (no answer, busy, a machine, a dead
// number, abandoned) with the campaign's retry rules, and hands a person who answered over to the
// caller they are bridged to, whose save then works as any save.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ABANDONED_HOLD_MS } from '../src/modules/calling/calling.service';
import type { DialTarget } from '../src/modules/dialer/dialer.types';
import { TestContext, type TestUser } from './harness';

let t: TestContext;
let org: { id: string };
let organizer: TestUser;
let anna: TestUser;
let bo: TestUser;
let campaignId: string;

beforeAll(async () => {
  t = await TestContext.create();
  org = await t.newOrg({ name: 'S-föreningen Dialer', country: 'SE' });
  organizer = await t.newUser([{ org, role: 'organizer' }]);
  anna = await t.newUser([{ org, role: 'caller' }]);
  bo = await t.newUser([{ org, role: 'caller' }]);
  campaignId = await t.newOpenCampaign(org, organizer, { people: 6, firstNumber: 7001000 });
});

afterAll(async () => {
  await t?.close();
});

async function contact(personId: number) {
  const { rows } = await sql<{ state: string; heldBy: string | null; attempts: number; dueAt: Date; lastOutcome: string | null; doneReason: string | null }>`
    select state, held_by as "heldBy", attempts, due_at as "dueAt", last_outcome as "lastOutcome", done_reason as "doneReason"
    from campaign_contact where campaign_id = ${campaignId} and person_id = ${personId}`.execute(t.db);
  return rows[0];
}

/** The next person the dialer may ring for the caller (the test fails if the queue gives nobody). */
async function claim(user: TestUser): Promise<DialTarget> {
  const claimed = await t.app.ctx.calling.claimForDialer(user.id, campaignId);
  if ('reason' in claimed) throw new Error(`The queue gave nobody: ${claimed.reason}`);
  return claimed;
}

test('the dialer claims one person at a time for a caller, with the number to ring from the register of people, never twice', async () => {
  const engine = t.app.ctx.calling;
  const first = await claim(anna);
  const second = await claim(anna);
  expect(first.phone).toMatch(/^\+46707001\d{3}$/);
  expect(second.personId).not.toBe(first.personId);
  expect(first).toMatchObject({ campaignId, organisationId: org.id, attempt: 0, callerId: anna.id });
  expect((await contact(first.personId))?.state).toBe('held');
  // Both rang out: saved as calls of no caller, back in the queue after the campaign's retry hours.
  const now = t.clock.now();
  await engine.settleDialed(first, 'no-answer', now);
  await engine.settleDialed(second, 'voicemail', now);
  const after = await contact(first.personId);
  expect(after).toMatchObject({ state: 'queued', heldBy: null, attempts: 1, lastOutcome: 'no-answer' });
  expect(new Date(after!.dueAt).getTime() - now.getTime()).toBe(4 * 3_600_000);
  const { rows } = await sql<{ callerId: string | null; outcome: string }>`select caller_id as "callerId", outcome from call where campaign_id = ${campaignId} order by outcome`.execute(t.db);
  expect(rows).toEqual([
    { callerId: null, outcome: 'no-answer' },
    { callerId: null, outcome: 'voicemail' },
  ]);
  // The same line settled again (a repeated status) saves nothing more.
  await engine.settleDialed(first, 'no-answer', now);
  expect((await sql<{ n: number }>`select count(*)::int as n from call where campaign_id = ${campaignId}`.execute(t.db)).rows[0]?.n).toBe(2);
});

test('an abandoned person is not rung again within 72 hours, and a dead number is done', async () => {
  const engine = t.app.ctx.calling;
  const abandoned = await claim(anna);
  const dead = await claim(anna);
  const now = t.clock.now();
  await engine.settleDialed(abandoned, 'abandoned', now);
  await engine.settleDialed(dead, 'wrong-number', now);
  const held = await contact(abandoned.personId);
  expect(held?.state).toBe('queued');
  expect(new Date(held!.dueAt).getTime() - now.getTime()).toBeGreaterThanOrEqual(ABANDONED_HOLD_MS);
  expect(await contact(dead.personId)).toMatchObject({ state: 'done', doneReason: 'wrong-number' });
});

test('a person who answers is handed over to the caller they are bridged to, whose save works as any save', async () => {
  const engine = t.app.ctx.calling;
  // Claimed for Anna (predictive dials ahead for whoever), answered when Bo was the one waiting.
  const target = await claim(anna);
  await engine.handOver(target, bo.id);
  expect((await contact(target.personId))?.heldBy).toBe(bo.id);
  const card = await engine.assignmentOf(bo.id, campaignId, target.leaseId);
  expect(card?.contact.phone).toBe(target.phone);
  expect(await engine.assignmentOf(anna.id, campaignId, target.leaseId)).toBeNull();
  // Anna's save of it is refused; Bo's is kept.
  await expect(engine.complete(anna.id, { assignmentId: target.leaseId, key: randomUUID(), outcome: 'conversation', answers: {} })).rejects.toMatchObject({ code: 'lease_lost' });
  const saved = await engine.complete(bo.id, { assignmentId: target.leaseId, key: randomUUID(), outcome: 'conversation', answers: {} });
  expect(saved.callId).toMatch(/^[0-9a-f-]{36}$/);
  expect(await contact(target.personId)).toMatchObject({ state: 'done', heldBy: null });
  // Handing over a lease no longer held fails, and the dialer hangs up instead of bridging.
  await expect(engine.handOver(target, anna.id)).rejects.toMatchObject({ code: 'lease_lost' });
});

test('with nobody due now the dialer is told the queue is empty, and a paused campaign says it is paused', async () => {
  // The last person of six; the others are held for their retry hours or done.
  await claim(bo);
  expect(await t.app.ctx.calling.claimForDialer(anna.id, campaignId)).toEqual({ reason: 'empty', opensAt: null });
  await t.request('POST', `/api/campaigns/${campaignId}/status`, { cookie: await t.login(organizer), body: { status: 'paused' } });
  expect(await t.app.ctx.calling.claimForDialer(anna.id, campaignId)).toEqual({ reason: 'paused', opensAt: null });
});
