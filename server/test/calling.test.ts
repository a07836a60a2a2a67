// The calling engine through real socket.io clients on a real port: callers join a campaign, get
// one person at a time (never one another caller holds), save calls exactly once under their key,
// and the server keeps the rules: retry times and maximum attempts, callbacks to their caller first,
// do-not-call at once, the calling window, paused and finished campaigns, leases that end.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { io } from 'socket.io-client';
import type { Ack, Assignment, CampaignStatsEvent, ClientToServerEvents, CompleteAnswer, JoinAnswer, NextAnswer, RevokedEvent } from '../src/contract/realtime';
import { changeStatus, createCampaign } from '../src/modules/campaigns/campaigns.service';
import type { CampaignInputValue } from '../src/modules/campaigns/campaigns.service';
import { ALWAYS_WINDOW, DEFAULT_WINDOW } from '../src/modules/campaigns/outcomes';
import { GRACE_MS, LEASE_MS } from '../src/modules/calling/calling.service';
import { insideWindow, localTime } from '../src/modules/campaigns/calling-window';
import type { CampaignStatsValue } from '../src/modules/stats/stats.schemas';
import { ask, type Client } from './ask';
import { TestContext, type TestUser } from './harness';
import { listImport, multipart } from './multipart';

const WAIT_MS = 5000;

let t: TestContext;
let url: string;
let district: { id: string };
let association: { id: string };
let other: { id: string };
let organizer: TestUser;
let organizerCookie: string;
const callers: { user: TestUser; cookie: string }[] = [];
let outsider: { user: TestUser; cookie: string };
const opened: Client[] = [];

beforeAll(async () => {
  t = await TestContext.create();
  url = await t.app.listen({ port: 0, host: '127.0.0.1' });
  district = await t.newOrg({ name: 'Region Nord', kind: 'district', country: 'SE' });
  association = await t.newOrg({ parent: district, name: 'S-föreningen Centrum' });
  other = await t.newOrg({ parent: district, name: 'Grannföreningen' });
  organizer = await t.newUser([{ org: association, role: 'organizer' }]);
  organizerCookie = await t.login(organizer);
  for (let i = 0; i < 6; i++) {
    const user = await t.newUser([{ org: association, role: 'caller' }]);
    callers.push({ user, cookie: await t.login(user) });
  }
  const outsiderUser = await t.newUser([{ org: other, role: 'caller' }]);
  outsider = { user: outsiderUser, cookie: await t.login(outsiderUser) };
});
afterAll(async () => {
  for (const socket of opened) socket.disconnect();
  await t.close();
});

function client(cookie: string): Promise<Client> {
  const socket: Client = io(url, { path: '/socket.io', transports: ['websocket'], extraHeaders: { cookie, origin: t.origin }, reconnection: false, forceNew: true, timeout: WAIT_MS });
  opened.push(socket);
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

/** A caller signed in anew (tests move the clock by hours, past a session's idle limit) and connected. */
async function callerClient(index: number): Promise<Client> {
  const caller = callers[index];
  if (!caller) throw new Error(`No caller ${index}`);
  caller.cookie = await t.login(caller.user);
  return client(caller.cookie);
}

function data<T>(answer: Ack<T>): T {
  if (!answer.ok) throw new Error(`${answer.error.code}: ${answer.error.message}`);
  return answer.data;
}

const join = async (socket: Client, campaignId: string) => data<JoinAnswer>(await ask(socket, 'campaign:join', { campaignId }));
const next = async (socket: Client, campaignId: string) => data<NextAnswer>(await ask(socket, 'contact:next', { campaignId }));
const complete = (socket: Client, request: Parameters<ClientToServerEvents['call:complete']>[0]): Promise<Ack<CompleteAnswer>> =>
  ask(socket, 'call:complete', request);

/** Imports a list of `count` people (070-300 xx xx from `first`) into the association and makes a campaign of it. */
async function campaignOf(count: number, options: Partial<CampaignInputValue> & { first?: number; activate?: boolean } = {}) {
  const first = options.first ?? 3_000_000 + Math.floor(Math.random() * 900_000);
  // Tests move the clock by hours; a session of the morning may have ended.
  organizerCookie = await t.login(organizer);
  const rows = Array.from({ length: count }, (_, i) => `Person;${i};070${String(first + i)};Luleå;${1950 + (i % 50)}`).join('\r\n');
  const body = listImport({ name: `Lista ${first}` }, { field: 'file', filename: 'lista.csv', content: `Förnamn;Efternamn;Mobil;Ort;Födelseår\r\n${rows}\r\n` });
  const response = await t.request('POST', `/api/orgs/${association.id}/lists`, { cookie: organizerCookie, body: body.payload, headers: { 'content-type': body.contentType } });
  expect(response.statusCode, response.body).toBe(202);
  const { id: listId } = response.json<{ id: string }>();
  await t.app.ctx.importer.wait(listId);
  const group = await t.request('POST', `/api/orgs/${association.id}/target-groups`, { cookie: organizerCookie, body: { name: `Grupp ${first}`, listIds: [listId], filters: [] } });
  expect(group.statusCode, group.body).toBe(201);
  const { activate = true, first: _first, ...input } = options;
  const campaign = await createCampaign(t.db, t.clock, organizer.id, association.id, {
    name: `Kampanj ${first}`,
    callingWindow: ALWAYS_WINDOW,
    script: 'Hej {first_name}! Jag ringer från S-föreningen Centrum.',
    shownAttributes: ['Ort'],
    questions: [
      { id: 'member', kind: 'yes-no', text: 'Vill du bli medlem?', tags: ['recruit'] },
      { id: 'why', kind: 'text', text: 'Varför?', when: { question: 'member', values: ['true'] } },
    ],
    targetGroupIds: [group.json<{ id: string }>().id],
    ...input,
  });
  if (activate) await changeStatus(t.db, t.clock, organizer.id, campaign.id, 'active');
  return { campaignId: campaign.id, first };
}

async function contactRow(campaignId: string, personId: number) {
  return t.db.selectFrom('campaignContact').selectAll().where('campaignId', '=', campaignId).where('personId', '=', personId).executeTakeFirstOrThrow();
}

describe('one person at a time', () => {
  test('a caller joins, gets a person with the script’s fields, only the attributes the campaign shows, and their earlier calls', async () => {
    const { campaignId } = await campaignOf(3);
    const socket = await callerClient(0);
    const joined = await join(socket, campaignId);
    expect(joined.campaign).toMatchObject({ id: campaignId, script: expect.stringContaining('{first_name}') as string, version: 1 });
    expect(joined.campaign.outcomes.map((o) => o.code)).toEqual(['no-answer', 'busy', 'voicemail', 'wrong-number', 'conversation', 'callback', 'refused', 'do-not-call']);
    expect(joined.me).toEqual({ callsToday: 0, conversationsToday: 0, recruitsToday: 0 });
    expect(joined.shared).toEqual({ calls: 0, conversations: 0, tags: { recruit: 0, volunteer: 0, event: 0, supporter: 0 } });
    const { assignment } = await next(socket, campaignId);
    expect(assignment).not.toBeNull();
    expect(assignment?.contact).toMatchObject({ firstName: 'Person', attributes: { Ort: 'Luleå' }, history: [] });
    expect(assignment?.contact.attributes).not.toHaveProperty('Födelseår');
    expect(assignment?.contact.phone).toMatch(/^\+46703\d{6}$/);
    expect(assignment?.contact.phoneDisplay).toMatch(/^\+46 70 3\d\d \d\d \d\d$/);
    // Asking again gives the same person: one at a time.
    expect((await next(socket, campaignId)).assignment?.id).toBe(assignment?.id);
  });

  test('callers asking at once never get the same person; when everyone is taken the answer says the queue is empty', async () => {
    const { campaignId } = await campaignOf(5);
    const sockets = await Promise.all(callers.map((_, i) => callerClient(i)));
    await Promise.all(sockets.map((socket) => join(socket, campaignId)));
    const answers = await Promise.all(sockets.map((socket) => next(socket, campaignId)));
    const people = answers.flatMap((answer) => (answer.assignment ? [answer.assignment.contact.id] : []));
    expect(people).toHaveLength(5);
    expect(new Set(people).size).toBe(5);
    expect(answers.filter((answer) => answer.assignment === null).map((answer) => answer.reason)).toEqual(['empty']);
  });
});

describe('saving a call', () => {
  test('saved once under its key: the same key again saves nothing and answers the same; the next person comes in the same answer', async () => {
    const { campaignId } = await campaignOf(3);
    const socket = await callerClient(1);
    await join(socket, campaignId);
    const first = (await next(socket, campaignId)).assignment as Assignment;
    const key = randomUUID();
    const request = { assignmentId: first.id, key, outcome: 'conversation', answers: { member: true, why: 'Vill påverka' }, noteForNext: 'Trevlig', next: true };
    const saved = data(await complete(socket, request));
    expect(saved.next?.contact.id).not.toBe(first.contact.id);
    const again = data(await complete(socket, request));
    expect(again).toEqual(saved);
    const calls = await t.db.selectFrom('call').selectAll().where('campaignId', '=', campaignId).execute();
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ outcome: 'conversation', answers: { member: true, why: 'Vill påverka' }, noteForNext: 'Trevlig', versionId: expect.any(Number) as number });
    expect(await contactRow(campaignId, first.contact.id)).toMatchObject({ state: 'done', attempts: 1, doneReason: 'conversation' });
  });

  test('a save from a caller who no longer holds the person is refused and saves nothing (fencing)', async () => {
    const { campaignId } = await campaignOf(2);
    const socket = await callerClient(2);
    await join(socket, campaignId);
    const held = (await next(socket, campaignId)).assignment as Assignment;
    const released = await ask(socket, 'contact:release', { assignmentId: held.id });
    expect(released).toEqual({ ok: true, data: null });
    const late = await complete(socket, { assignmentId: held.id, key: randomUUID(), outcome: 'no-answer', answers: {} });
    expect(late).toMatchObject({ ok: false, error: { code: 'lease_lost' } });
    expect(await t.db.selectFrom('call').select('id').where('campaignId', '=', campaignId).execute()).toHaveLength(0);
    expect(await contactRow(campaignId, held.contact.id)).toMatchObject({ state: 'queued', attempts: 0 });
  });

  test('answers must fit the questions: an unknown question, a wrong kind, a follow-up without its trigger, an unknown outcome', async () => {
    const { campaignId } = await campaignOf(1);
    const socket = await callerClient(3);
    await join(socket, campaignId);
    const held = (await next(socket, campaignId)).assignment as Assignment;
    const attempt = (answers: Record<string, unknown>, outcome = 'conversation') =>
      complete(socket, { assignmentId: held.id, key: randomUUID(), outcome, answers: answers as Record<string, boolean> });
    expect(await attempt({ age: true })).toMatchObject({ ok: false, error: { code: 'invalid_answers' } });
    expect(await attempt({ member: 'ja' })).toMatchObject({ ok: false, error: { code: 'invalid_answers' } });
    expect(await attempt({ member: false, why: 'x' })).toMatchObject({ ok: false, error: { code: 'invalid_answers' } });
    expect(await attempt({}, 'sang-en-sang')).toMatchObject({ ok: false, error: { code: 'unknown_outcome' } });
    expect(await t.db.selectFrom('call').select('id').where('campaignId', '=', campaignId).execute()).toHaveLength(0);
    expect(await contactRow(campaignId, held.contact.id)).toMatchObject({ state: 'held' });
  });

  test('a payload of the wrong shape is refused with the reason', async () => {
    const socket = await callerClient(3);
    const answer = await ask(socket, 'contact:next', { campaignId: 'not-a-uuid' });
    expect(answer).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
    const extra = await ask(socket, 'call:complete', { assignmentId: randomUUID(), key: 'short', outcome: 'busy', answers: {}, evil: 1 } as never);
    expect(extra).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
  });
});

describe('the rules of calling', () => {
  test('no answer: tried again after 4 hours, not before, and done after the maximum attempts', async () => {
    const { campaignId } = await campaignOf(1, { maxAttempts: 2 });
    const socket = await callerClient(4);
    await join(socket, campaignId);
    const firstTry = (await next(socket, campaignId)).assignment as Assignment;
    const saved = data(await complete(socket, { assignmentId: firstTry.id, key: randomUUID(), outcome: 'no-answer', answers: {}, next: true }));
    expect(saved.next).toBeNull();
    expect(saved.reason).toBe('empty');
    t.clock.advance(3 * 3_600_000);
    expect((await next(socket, campaignId)).assignment).toBeNull();
    t.clock.advance(3_600_000 + 1000);
    const secondTry = (await next(socket, campaignId)).assignment as Assignment;
    expect(secondTry.contact.id).toBe(firstTry.contact.id);
    expect(secondTry.contact.history.map((h) => h.outcome)).toEqual(['no-answer']);
    data(await complete(socket, { assignmentId: secondTry.id, key: randomUUID(), outcome: 'busy', answers: {} }));
    t.clock.advance(5 * 3_600_000);
    expect((await next(socket, campaignId)).reason).toBe('empty');
    expect(await contactRow(campaignId, firstTry.contact.id)).toMatchObject({ state: 'done', attempts: 2, doneReason: 'max-attempts' });
  });

  test('a callback goes to the caller who booked it at its time, and to anyone 15 minutes later', async () => {
    const { campaignId } = await campaignOf(1);
    const [booker, colleague] = await Promise.all([callerClient(0), callerClient(5)]);
    await Promise.all([join(booker, campaignId), join(colleague, campaignId)]);
    const held = (await next(booker, campaignId)).assignment as Assignment;
    const at = new Date(t.clock.now().getTime() + 2 * 3_600_000);
    data(await complete(booker, { assignmentId: held.id, key: randomUUID(), outcome: 'callback', answers: {}, callbackAt: at.toISOString() }));
    t.clock.advance(2 * 3_600_000);
    expect((await next(colleague, campaignId)).assignment).toBeNull();
    const back = (await next(booker, campaignId)).assignment as Assignment;
    expect(back.contact.id).toBe(held.contact.id);
    expect(await socketRelease(booker, back.id)).toBe(true);
    t.clock.advance(15 * 60_000);
    expect((await next(colleague, campaignId)).assignment?.contact.id).toBe(held.contact.id);
  });

  test('a callback without an agreed time is saved, and the campaign\'s retry rules decide when it comes back', async () => {
    const { campaignId } = await campaignOf(2);
    const socket = await callerClient(3);
    await join(socket, campaignId);
    const held = (await next(socket, campaignId)).assignment as Assignment;
    data(await complete(socket, { assignmentId: held.id, key: randomUUID(), outcome: 'callback', answers: {} }));
    const row = await contactRow(campaignId, held.contact.id);
    expect(row).toMatchObject({ state: 'queued', priority: 2, callbackAt: null, callbackCallerId: null });
    expect(new Date(String(row.dueAt)).getTime()).toBe(t.clock.now().getTime() + 4 * 3_600_000);
    const refused = await complete(socket, { assignmentId: (await next(socket, campaignId)).assignment?.id ?? randomUUID(), key: randomUUID(), outcome: 'callback', answers: {}, callbackAt: new Date(t.clock.now().getTime() - 60_000).toISOString() });
    expect(refused).toMatchObject({ ok: false, error: { code: 'callback_time_invalid' } });
  });

  test('do not call: the number goes on the register at once and leaves every queue of the organisation', async () => {
    const shared = await campaignOf(2);
    // A second campaign over the same people.
    const groups = await t.db.selectFrom('campaignTargetGroup').select('targetGroupId').where('campaignId', '=', shared.campaignId).execute();
    const second = await createCampaign(t.db, t.clock, organizer.id, association.id, { name: 'Andra', callingWindow: ALWAYS_WINDOW, targetGroupIds: groups.map((g) => g.targetGroupId) });
    await changeStatus(t.db, t.clock, organizer.id, second.id, 'active');
    const socket = await callerClient(1);
    await join(socket, shared.campaignId);
    const held = (await next(socket, shared.campaignId)).assignment as Assignment;
    data(await complete(socket, { assignmentId: held.id, key: randomUUID(), outcome: 'do-not-call', answers: {} }));
    const register = await t.db.selectFrom('doNotCall').selectAll().where('phone', '=', held.contact.phone).execute();
    expect(register).toMatchObject([{ organisationId: association.id, source: 'call' }]);
    expect(await contactRow(second.id, held.contact.id)).toMatchObject({ state: 'done', doneReason: 'do-not-call' });
    await join(socket, second.id);
    const inSecond = (await next(socket, second.id)).assignment as Assignment;
    expect(inSecond.contact.id).not.toBe(held.contact.id);
  });

  test('a number put on the register a moment ago is never handed out', async () => {
    const { campaignId, first } = await campaignOf(1);
    // The district's admin puts the number on the district's register, which binds the association beneath it.
    const admin = await t.newUser([{ org: district, role: 'admin' }]);
    const added = await t.request('POST', `/api/orgs/${district.id}/do-not-call`, { cookie: await t.login(admin), body: { phone: `070${first}` } });
    expect(added.statusCode, added.body).toBe(201);
    const socket = await callerClient(2);
    await join(socket, campaignId);
    expect(await next(socket, campaignId)).toEqual({ assignment: null, reason: 'empty' });
  });

  test('a number the organizer puts on the register while a caller holds it is taken from them, with the reason', async () => {
    const { campaignId } = await campaignOf(1);
    const socket = await callerClient(0);
    await join(socket, campaignId);
    const held = (await next(socket, campaignId)).assignment as Assignment;
    const revoked = new Promise<RevokedEvent>((resolve) =>
      socket.on('assignment:revoked', (event) => {
        if (event.assignmentId === held.id) resolve(event);
      }),
    );
    const added = await t.request('POST', `/api/orgs/${association.id}/do-not-call`, { cookie: organizerCookie, body: { phone: held.contact.phone, reason: 'Ringde kansliet' } });
    expect(added.statusCode, added.body).toBe(201);
    expect(await revoked).toEqual({ assignmentId: held.id, reason: 'do-not-call' });
    expect(await contactRow(campaignId, held.contact.id)).toMatchObject({ state: 'done', doneReason: 'do-not-call', heldBy: null });
    expect(await complete(socket, { assignmentId: held.id, key: randomUUID(), outcome: 'conversation', answers: {} })).toMatchObject({ ok: false, error: { code: 'lease_lost' } });
  });

  test('numbers in a do-not-call file leave the queue at once; a caller holding one is told', async () => {
    const { campaignId, first } = await campaignOf(3);
    const socket = await callerClient(4);
    await join(socket, campaignId);
    const held = (await next(socket, campaignId)).assignment as Assignment;
    const revoked = new Promise<RevokedEvent>((resolve) => socket.on('assignment:revoked', resolve));
    const others = [0, 1, 2].map((i) => `070${String(first + i)}`).filter((phone) => `+46${phone.slice(1)}` !== held.contact.phone);
    const body = multipart({}, { field: 'file', filename: 'nix.csv', content: `Mobil\r\n${held.contact.phone}\r\n${others[0] ?? ''}\r\n` });
    const uploaded = await t.request('POST', `/api/orgs/${association.id}/do-not-call/file`, { cookie: organizerCookie, body: body.payload, headers: { 'content-type': body.contentType } });
    expect(uploaded.statusCode, uploaded.body).toBe(200);
    expect(uploaded.json()).toEqual({ rows: 2, added: 2, alreadyListed: 0, invalid: 0, repaired: 0 });
    expect(await revoked).toEqual({ assignmentId: held.id, reason: 'do-not-call' });
    const queue = await t.db.selectFrom('campaignContact').select(['state', 'doneReason']).where('campaignId', '=', campaignId).orderBy('state').execute();
    expect(queue).toEqual([
      { state: 'done', doneReason: 'do-not-call' },
      { state: 'done', doneReason: 'do-not-call' },
      { state: 'queued', doneReason: null },
    ]);
  });

  test('paused, finished, not yet open, outside the calling window, and another organisation’s campaign', async () => {
    const { campaignId } = await campaignOf(1);
    const socket = await callerClient(3);
    await join(socket, campaignId);
    await changeStatus(t.db, t.clock, organizer.id, campaignId, 'paused');
    expect(await next(socket, campaignId)).toEqual({ assignment: null, reason: 'paused', opensAt: null });
    await changeStatus(t.db, t.clock, organizer.id, campaignId, 'finished');
    expect(await next(socket, campaignId)).toEqual({ assignment: null, reason: 'finished', opensAt: null });

    const draft = await campaignOf(1, { activate: false });
    expect(await ask(socket, 'campaign:join', { campaignId: draft.campaignId })).toMatchObject({ ok: false, error: { code: 'campaign_not_open' } });

    // The test clock stands at Sunday 4 October 2026, 19:00 in Stockholm: after the weekend's 11–17.
    const windowed = await campaignOf(1, { callingWindow: DEFAULT_WINDOW });
    // Calling opens next at the start of the window's next span (09:00 on a weekday, 11:00 at the weekend, Stockholm time); the join says so too.
    const { opening } = await join(socket, windowed.campaignId);
    expect(opening.closed).toBe('outside-calling-window');
    const opensAt = new Date(opening.opensAt ?? '');
    expect(opensAt.getTime()).toBeGreaterThan(t.clock.now().getTime());
    expect(opensAt.getTime() - t.clock.now().getTime()).toBeLessThan(3 * 86_400_000);
    const local = localTime(opensAt, 'Europe/Stockholm');
    expect(local.minute).toBe(['sat', 'sun'].includes(local.day) ? 11 * 60 : 9 * 60);
    expect(insideWindow(DEFAULT_WINDOW, 'Europe/Stockholm', new Date(opensAt.getTime() - 60_000))).toBe(false);
    expect(await next(socket, windowed.campaignId)).toEqual({ assignment: null, reason: 'outside-calling-window', opensAt: opening.opensAt });
    // Not begun yet: it opens when the period begins.
    const startsAt = new Date(t.clock.now().getTime() + 3 * 86_400_000).toISOString();
    const later = await campaignOf(1, { startsAt });
    expect((await join(socket, later.campaignId)).opening).toEqual({ closed: 'outside-calling-window', opensAt: startsAt });

    const stranger = await client(await t.login(outsider.user));
    expect(await ask(stranger, 'campaign:join', { campaignId: windowed.campaignId })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await ask(stranger, 'contact:next', { campaignId: windowed.campaignId })).toMatchObject({ ok: false, error: { code: 'not_joined' } });
  });
});

describe('leases', () => {
  test('a lease that runs out goes back to the queue and its caller is told; a late save is refused', async () => {
    const { campaignId } = await campaignOf(1);
    const socket = await callerClient(4);
    await join(socket, campaignId);
    const held = (await next(socket, campaignId)).assignment as Assignment;
    // Other tests' leases of this caller run out at the same time; this one's event is the one to wait for.
    const revoked = new Promise<RevokedEvent>((resolve) =>
      socket.on('assignment:revoked', (event) => {
        if (event.assignmentId === held.id) resolve(event);
      }),
    );
    t.clock.advance(LEASE_MS + 1000);
    await t.app.ctx.calling.reap();
    expect(await revoked).toEqual({ assignmentId: held.id, reason: 'expired' });
    expect(await contactRow(campaignId, held.contact.id)).toMatchObject({ state: 'queued', heldBy: null });
    expect(await complete(socket, { assignmentId: held.id, key: randomUUID(), outcome: 'busy', answers: {} })).toMatchObject({ ok: false, error: { code: 'lease_lost' } });
  });

  test('a caller whose socket is gone keeps the person for the grace period, then the person returns to the queue', async () => {
    const { campaignId } = await campaignOf(1);
    const socket = await callerClient(5);
    await join(socket, campaignId);
    const held = (await next(socket, campaignId)).assignment as Assignment;
    socket.disconnect();
    await waitFor(async () => (await contactRow(campaignId, held.contact.id)).leaseExpiresAt?.getTime() === t.clock.now().getTime() + GRACE_MS);
    t.clock.advance(GRACE_MS - 1000);
    await t.app.ctx.calling.reap();
    expect(await contactRow(campaignId, held.contact.id)).toMatchObject({ state: 'held' });
    // Back within the grace period: the same person, and the lease runs on.
    const back = await callerClient(5);
    await join(back, campaignId);
    expect((await next(back, campaignId)).assignment?.id).toBe(held.id);
    back.disconnect();
    await waitFor(async () => (await contactRow(campaignId, held.contact.id)).leaseExpiresAt?.getTime() === t.clock.now().getTime() + GRACE_MS);
    t.clock.advance(GRACE_MS + 1000);
    await t.app.ctx.calling.reap();
    expect(await contactRow(campaignId, held.contact.id)).toMatchObject({ state: 'queued', heldBy: null });
  });

  test('a caller who signs out has their socket cut, and their person returns after the grace period', async () => {
    const { campaignId } = await campaignOf(1);
    const user = await t.newUser([{ org: association, role: 'caller' }]);
    const cookie = await t.login(user);
    const socket = await client(cookie);
    await join(socket, campaignId);
    const held = (await next(socket, campaignId)).assignment as Assignment;
    const cut = new Promise<void>((resolve) => socket.once('disconnect', () => resolve()));
    await t.request('POST', '/api/auth/logout', { cookie });
    await cut;
    await waitFor(async () => (await contactRow(campaignId, held.contact.id)).leaseExpiresAt?.getTime() === t.clock.now().getTime() + GRACE_MS);
    t.clock.advance(GRACE_MS + 1000);
    await t.app.ctx.calling.reap();
    expect(await contactRow(campaignId, held.contact.id)).toMatchObject({ state: 'queued' });
  });
});

describe('correcting a call', () => {
  const correct = (socket: Client, request: Parameters<ClientToServerEvents['call:correct']>[0]) => ask(socket, 'call:correct', request);

  test('a caller corrects their last call within 10 minutes: the record changes, and the person’s place in the queue follows', async () => {
    const { campaignId } = await campaignOf(2, { maxAttempts: 3 });
    const socket = await callerClient(4);
    await join(socket, campaignId);
    const held = (await next(socket, campaignId)).assignment as Assignment;
    // Saved as a wrong number by mistake: final, the person would never be called again.
    const { callId } = data(await complete(socket, { assignmentId: held.id, key: randomUUID(), outcome: 'wrong-number', answers: {} }));
    expect(await contactRow(campaignId, held.contact.id)).toMatchObject({ state: 'done', doneReason: 'wrong-number', attempts: 1 });
    t.clock.advance(9 * 60_000);
    const corrected = data(await correct(socket, { callId, outcome: 'no-answer', answers: {}, notes: 'Fel knapp', flag: 'Kolla numret' }));
    expect(corrected).toEqual({ callId, correctedAt: t.clock.now().toISOString() });
    const call = await t.db.selectFrom('call').selectAll().where('id', '=', callId).executeTakeFirstOrThrow();
    expect(call).toMatchObject({ outcome: 'no-answer', notes: 'Fel knapp', flagged: true, flagNote: 'Kolla numret' });
    // Back in the queue as a retry 4 hours after the call, the attempt still counted.
    const contact = await contactRow(campaignId, held.contact.id);
    expect(contact).toMatchObject({ state: 'queued', priority: 2, attempts: 1, lastOutcome: 'no-answer' });
    expect(contact.dueAt.getTime()).toBe(call.createdAt.getTime() + 4 * 3_600_000);
    expect(await t.db.selectFrom('call').select('id').where('campaignId', '=', campaignId).execute()).toHaveLength(1);
  });

  test('only the last call, only for 10 minutes, only one’s own, answers checked; a do-not-call stays on the register', async () => {
    const { campaignId } = await campaignOf(3);
    const socket = await callerClient(5);
    await join(socket, campaignId);
    const first = (await next(socket, campaignId)).assignment as Assignment;
    const one = data(await complete(socket, { assignmentId: first.id, key: randomUUID(), outcome: 'busy', answers: {}, next: true }));
    t.clock.advance(1000);
    const two = data(await complete(socket, { assignmentId: (one.next as Assignment).id, key: randomUUID(), outcome: 'do-not-call', answers: {} }));
    expect(await correct(socket, { callId: one.callId, outcome: 'conversation', answers: {} })).toMatchObject({ ok: false, error: { code: 'correction_closed' } });
    expect(await correct(socket, { callId: two.callId, outcome: 'refused', answers: {} })).toMatchObject({ ok: false, error: { code: 'objection_kept' } });
    expect(await correct(socket, { callId: two.callId, outcome: 'do-not-call', answers: { member: 'ja' } })).toMatchObject({ ok: false, error: { code: 'invalid_answers' } });
    const colleague = await callerClient(0);
    expect(await correct(colleague, { callId: two.callId, outcome: 'do-not-call', answers: {} })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    t.clock.advance(10 * 60_000 + 1000);
    expect(await correct(socket, { callId: two.callId, outcome: 'do-not-call', answers: {}, notes: 'sent' })).toMatchObject({ ok: false, error: { code: 'correction_closed' } });
    const calls = await t.db.selectFrom('call').select(['outcome', 'notes', 'correctedAt']).where('campaignId', '=', campaignId).orderBy('createdAt').execute();
    expect(calls).toEqual([
      { outcome: 'busy', notes: '', correctedAt: null },
      { outcome: 'do-not-call', notes: '', correctedAt: null },
    ]);
  });

  test('corrected to do-not-call: the number goes on the register and leaves the queue', async () => {
    const { campaignId } = await campaignOf(1);
    const socket = await callerClient(2);
    await join(socket, campaignId);
    const held = (await next(socket, campaignId)).assignment as Assignment;
    const { callId } = data(await complete(socket, { assignmentId: held.id, key: randomUUID(), outcome: 'no-answer', answers: {} }));
    data(await correct(socket, { callId, outcome: 'do-not-call', answers: {} }));
    expect(await t.db.selectFrom('doNotCall').select('organisationId').where('phone', '=', held.contact.phone).execute()).toEqual([{ organisationId: association.id }]);
    expect(await contactRow(campaignId, held.contact.id)).toMatchObject({ state: 'done', doneReason: 'do-not-call' });
  });
});

describe('skipping a person', () => {
  const skip = (socket: Client, request: Parameters<ClientToServerEvents['contact:skip']>[0]) => ask(socket, 'contact:skip', request);

  test('skipped with a reason: no call is saved, the next person comes at once (never the same), the skipped one goes back to the queue with the reason kept for organizers', async () => {
    const { campaignId } = await campaignOf(2);
    const socket = await callerClient(1);
    await join(socket, campaignId);
    const first = (await next(socket, campaignId)).assignment as Assignment;
    const before = await contactRow(campaignId, first.contact.id);
    const answer = data(await skip(socket, { assignmentId: first.id, reason: 'knows-person' }));
    expect(answer.next?.contact.id).not.toBe(first.contact.id);
    expect(answer.next).not.toBeNull();
    expect(await t.db.selectFrom('call').select('id').where('campaignId', '=', campaignId).execute()).toEqual([]);
    // Back in the queue as a give-back: due as before, attempts not counted; the reason stays.
    expect(await contactRow(campaignId, first.contact.id)).toMatchObject({
      state: 'queued', heldBy: null, leaseId: null, attempts: 0, dueAt: before.dueAt, skips: 1, skipReason: 'knows-person', skipNote: '',
    });
    // Another caller gets them.
    const colleague = await callerClient(2);
    await join(colleague, campaignId);
    expect((await next(colleague, campaignId)).assignment?.contact.id).toBe(first.contact.id);

    // "Other" needs the caller's words; an unknown reason or a lease not held is refused, and nothing changes.
    const held = answer.next as Assignment;
    const unchanged = await contactRow(campaignId, held.contact.id);
    expect(await skip(socket, { assignmentId: held.id, reason: 'other' })).toMatchObject({ ok: false, error: { code: 'validation' } });
    expect(await skip(socket, { assignmentId: held.id, reason: 'other', note: '   ' })).toMatchObject({ ok: false, error: { code: 'validation' } });
    expect(await ask(socket, 'contact:skip', { assignmentId: held.id, reason: 'bored' } as never)).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
    expect(await skip(socket, { assignmentId: first.id, reason: 'knows-person' })).toMatchObject({ ok: false, error: { code: 'lease_lost' } });
    expect(await contactRow(campaignId, held.contact.id)).toEqual(unchanged);
    const last = data(await skip(socket, { assignmentId: held.id, reason: 'other', note: ' Hen ringde själv i går ' }));
    expect(last).toEqual({ next: null, reason: 'empty', opensAt: null });

    // The organizer sees the reason (and the caller's words) on the person's page.
    const page = await t.request('GET', `/api/people/${held.contact.id}`, { cookie: await t.login(organizer) });
    expect(page.statusCode, page.body).toBe(200);
    const shown = page.json<{ campaigns: { id: string; contact: { skipped: unknown } | null }[] }>().campaigns.find((campaign) => campaign.id === campaignId);
    expect(shown?.contact?.skipped).toEqual({ reason: 'other', note: 'Hen ringde själv i går', times: 1, at: t.clock.now().toISOString() });
  });
});

describe('correcting the answers of a call', () => {
  test('a mis-tapped "yes" to "Vill du bli medlem?" corrected to "no" stops counting as a new member, in every figure, exactly once', async () => {
    const { campaignId } = await campaignOf(1);
    const socket = await callerClient(3);
    await join(socket, campaignId);
    const held = (await next(socket, campaignId)).assignment as Assignment;
    const { callId } = data(await complete(socket, { assignmentId: held.id, key: randomUUID(), outcome: 'conversation', answers: { member: true, why: 'Skolan' } }));
    const organizerCookie = await t.login(organizer);
    const figures = async () => {
      await t.app.ctx.stats.flush();
      const stats = await t.request('GET', `/api/campaigns/${campaignId}/stats`, { cookie: organizerCookie });
      expect(stats.statusCode, stats.body).toBe(200);
      const { totals } = stats.json<CampaignStatsValue>();
      const joined = await join(socket, campaignId);
      return { dials: totals.dials, conversations: totals.conversations, recruits: totals.recruits, live: joined.shared.tags.recruit, mine: joined.me.recruitsToday };
    };
    expect(await figures()).toEqual({ dials: 1, conversations: 1, recruits: 1, live: 1, mine: 1 });

    data(await ask(socket, 'call:correct', { callId, outcome: 'conversation', answers: { member: false } }));
    expect(await t.db.selectFrom('call').select(['answers', 'tags']).where('id', '=', callId).executeTakeFirstOrThrow()).toEqual({ answers: { member: false }, tags: [] });
    expect(await figures()).toEqual({ dials: 1, conversations: 1, recruits: 0, live: 0, mine: 0 });
    // Corrected again the same way: nothing more is taken off.
    data(await ask(socket, 'call:correct', { callId, outcome: 'conversation', answers: { member: false }, notes: 'Rättat' }));
    expect(await figures()).toEqual({ dials: 1, conversations: 1, recruits: 0, live: 0, mine: 0 });
    // And back to "yes": counted once more, not twice.
    data(await ask(socket, 'call:correct', { callId, outcome: 'conversation', answers: { member: true } }));
    expect(await figures()).toEqual({ dials: 1, conversations: 1, recruits: 1, live: 1, mine: 1 });
  });
});

describe('invited teams', () => {
  test('the people of an invited team may call; those of other organisations may not; an organizer invites only teams they organize', async () => {
    const team = await t.newOrg({ parent: district, name: 'Ungdomsklubben' });
    const teamCaller = await t.newUser([{ org: team, role: 'caller' }]);
    const { campaignId } = await campaignOf(2);
    const teamSocket = await client(await t.login(teamCaller));
    expect(await ask(teamSocket, 'campaign:join', { campaignId })).toMatchObject({ ok: false, error: { code: 'not_found' } });

    // The association's organizer does not organize the club; the district's does.
    const refused = await t.request('PUT', `/api/campaigns/${campaignId}`, { cookie: organizerCookie, body: { callerTeamIds: [team.id] } });
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toMatchObject({ error: { code: 'unknown_team' } });
    const districtOrganizer = await t.newUser([{ org: district, role: 'organizer' }]);
    const invited = await t.request('PUT', `/api/campaigns/${campaignId}`, { cookie: await t.login(districtOrganizer), body: { callerTeamIds: [team.id] } });
    expect(invited.statusCode, invited.body).toBe(200);
    expect(invited.json()).toMatchObject({ callerTeams: [{ id: team.id, name: 'Ungdomsklubben' }] });

    await new Promise((resolve) => setTimeout(resolve, 1100)); // the engine reads a campaign at most once a second
    expect((await join(teamSocket, campaignId)).campaign.id).toBe(campaignId);
    expect((await next(teamSocket, campaignId)).assignment).not.toBeNull();
    const stranger = await client(await t.login(outsider.user));
    expect(await ask(stranger, 'campaign:join', { campaignId })).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });
});

describe('a caller’s campaigns', () => {
  test('a caller sees the open and paused campaigns they may call in, those of invited teams too, never drafts, finished ones or other organisations’', async () => {
    const open = await campaignOf(1);
    const paused = await campaignOf(1);
    await changeStatus(t.db, t.clock, organizer.id, paused.campaignId, 'paused');
    const draft = await campaignOf(1, { activate: false });
    const finished = await campaignOf(1);
    await changeStatus(t.db, t.clock, organizer.id, finished.campaignId, 'finished');
    const listed = async (cookie: string) => {
      const response = await t.request('GET', '/api/me/campaigns', { cookie });
      expect(response.statusCode, response.body).toBe(200);
      return response.json<{ campaigns: { id: string; status: string; organisationName: string; closed: string | null; opensAt: string | null }[] }>().campaigns;
    };
    const mine = await listed(await t.login(callers[0]?.user as TestUser));
    const ids = mine.map((campaign) => campaign.id);
    expect(ids).toEqual(expect.arrayContaining([open.campaignId, paused.campaignId]));
    expect(ids).not.toContain(draft.campaignId);
    expect(ids).not.toContain(finished.campaignId);
    expect(mine.find((campaign) => campaign.id === paused.campaignId)).toMatchObject({ status: 'paused', organisationName: 'S-föreningen Centrum', closed: 'paused', opensAt: null });
    // Open now (its window is always): nothing closed, so the start page offers to start.
    expect(mine.find((campaign) => campaign.id === open.campaignId)).toMatchObject({ status: 'active', closed: null, opensAt: null });

    // The neighbouring association's caller sees none of them until their association is invited.
    const outsiderCookie = await t.login(outsider.user);
    expect((await listed(outsiderCookie)).map((campaign) => campaign.id)).not.toContain(open.campaignId);
    const districtOrganizer = await t.newUser([{ org: district, role: 'organizer' }]);
    const invited = await t.request('PUT', `/api/campaigns/${open.campaignId}`, { cookie: await t.login(districtOrganizer), body: { callerTeamIds: [other.id] } });
    expect(invited.statusCode, invited.body).toBe(200);
    expect((await listed(outsiderCookie)).map((campaign) => campaign.id)).toContain(open.campaignId);
    expect((await t.request('GET', '/api/me/campaigns')).statusCode).toBe(401);
  });
});

describe('organizers follow the calls', () => {
  test('an organizer watching a campaign sees calls and callers online change; callers and strangers may not watch', async () => {
    const { campaignId } = await campaignOf(3);
    const watcher = await client(organizerCookie);
    const stats: CampaignStatsEvent[] = [];
    watcher.on('campaign:stats', (event) => stats.push(event));
    const start = await ask(watcher, 'campaign:watch', { campaignId });
    expect(start).toEqual({ ok: true, data: { campaignId, calls: 0, conversations: 0, tags: { recruit: 0, volunteer: 0, event: 0, supporter: 0 }, callersOnline: 0 } });

    const socket = await callerClient(1);
    await join(socket, campaignId);
    await waitFor(async () => stats.at(-1)?.callersOnline === 1);
    const announced = stats.length;
    const held = (await next(socket, campaignId)).assignment as Assignment;
    // Someone held is announced at once, with no call saved: the page reads the queue again and shows 1 held now.
    await waitFor(async () => stats.length > announced);
    expect(stats.at(-1)?.calls).toBe(0);
    expect((await t.request('GET', `/api/campaigns/${campaignId}`, { cookie: organizerCookie })).json<{ queue: { held: number } }>().queue.held).toBe(1);
    data(await complete(socket, { assignmentId: held.id, key: randomUUID(), outcome: 'conversation', answers: { member: true }, flag: 'Vill bli kontaktad av ordföranden' }));
    await waitFor(async () => stats.at(-1)?.calls === 1 && stats.at(-1)?.conversations === 1);
    // "Vill du bli medlem?" answered yes counts as a recruit, towards the campaign's goals.
    expect(stats.at(-1)?.tags).toEqual({ recruit: 1, volunteer: 0, event: 0, supporter: 0 });
    // The caller's own figures today and the campaign's shared ones come with a (re)join.
    const again = await join(socket, campaignId);
    expect(again.me).toEqual({ callsToday: 1, conversationsToday: 1, recruitsToday: 1 });
    expect(again.shared).toMatchObject({ calls: 1, conversations: 1, tags: { recruit: 1 } });
    const view = await t.request('GET', `/api/campaigns/${campaignId}`, { cookie: organizerCookie });
    expect(view.json()).toMatchObject({ calls: 1, conversations: 1, tags: { recruit: 1, volunteer: 0, event: 0, supporter: 0 } });
    socket.disconnect();
    await waitFor(async () => stats.at(-1)?.callersOnline === 0);

    expect(await ask(await callerClient(2), 'campaign:watch', { campaignId })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await ask(await client(await t.login(outsider.user)), 'campaign:watch', { campaignId })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await ask(watcher, 'campaign:watch', { campaignId: 'nope' })).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
  });

  test('flagged calls wait for an organizer until handled; callers and other organisations cannot see or handle them, a district above sees how many', async () => {
    const { campaignId } = await campaignOf(2);
    const socket = await callerClient(3);
    await join(socket, campaignId);
    const held = (await next(socket, campaignId)).assignment as Assignment;
    const flagged = data(await complete(socket, { assignmentId: held.id, key: randomUUID(), outcome: 'refused', answers: {}, notes: 'Arg', flag: 'Hotade att anmäla oss', next: true }));
    data(await complete(socket, { assignmentId: (flagged.next as Assignment).id, key: randomUUID(), outcome: 'busy', answers: {} }));

    const list = await t.request('GET', `/api/campaigns/${campaignId}/flags`, { cookie: organizerCookie });
    expect(list.statusCode, list.body).toBe(200);
    expect(list.json()).toEqual({
      count: 1,
      flags: [
        {
          callId: flagged.callId,
          at: expect.any(String) as string,
          callerName: callers[3]?.user.name,
          outcome: 'refused',
          flagNote: 'Hotade att anmäla oss',
          notes: 'Arg',
          contact: { personId: expect.any(Number) as number, firstName: 'Person', lastName: held.contact.lastName },
        },
      ],
    });
    // Notes and names are for the campaign's own organizers: the district admin above sees the count only, and cannot handle it.
    const districtCookie = await t.login(await t.newUser([{ org: district, role: 'admin' }]));
    const above = await t.request('GET', `/api/campaigns/${campaignId}/flags`, { cookie: districtCookie });
    expect(above.statusCode, above.body).toBe(200);
    expect(above.json()).toEqual({ count: 1, flags: null });
    const refused = await t.request('POST', `/api/calls/${flagged.callId}/flag/resolve`, { cookie: districtCookie, body: {} });
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ error: { code: 'forbidden' } });
    expect(await t.db.selectFrom('call').select('flagResolvedAt').where('id', '=', flagged.callId).executeTakeFirst()).toEqual({ flagResolvedAt: null });
    const callerCookie = callers[3]?.cookie ?? '';
    expect((await t.request('GET', `/api/campaigns/${campaignId}/flags`, { cookie: callerCookie })).statusCode).toBe(403);
    const strangerCookie = await t.login(outsider.user);
    expect((await t.request('POST', `/api/calls/${flagged.callId}/flag/resolve`, { cookie: strangerCookie, body: {} })).statusCode).toBe(404);

    const resolved = await t.request('POST', `/api/calls/${flagged.callId}/flag/resolve`, { cookie: organizerCookie, body: {} });
    expect(resolved.statusCode, resolved.body).toBe(200);
    expect(resolved.json()).toEqual({ callId: flagged.callId, resolvedAt: t.clock.now().toISOString() });
    expect((await t.request('GET', `/api/campaigns/${campaignId}/flags`, { cookie: organizerCookie })).json()).toEqual({ count: 0, flags: [] });
    const again = await t.request('POST', `/api/calls/${flagged.callId}/flag/resolve`, { cookie: organizerCookie, body: {} });
    expect(again.json()).toEqual(resolved.json());
  });
});

async function socketRelease(socket: Client, assignmentId: string): Promise<boolean> {
  const answer = await ask(socket, 'contact:release', { assignmentId });
  return answer.ok;
}

async function waitFor(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('The condition did not come true');
}
