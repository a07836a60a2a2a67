// `npm start -- --demo` as a newcomer meets it: a demo caller calls in the open campaign at once, the
// district's dashboard has real figures that agree with the calls saved, the goals are there, the welcome
// campaign has its people; a second seeding adds nothing, and a database with other organisations is
// refused untouched; and in the power campaign Ringa dials for the demo caller and connects a person by itself.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Ack, Assignment, CompleteAnswer, DialerBridgedEvent, DialerStartAnswer, JoinAnswer, NextAnswer } from '../src/contract/realtime';
import { DEMO_PASSWORD, DemoRefused, seedDemo, type DemoResult } from '../src/modules/demo/demo.service';
import { io } from 'socket.io-client';
import { ask, type Client } from './ask';
import { TestContext } from './harness';

let t: TestContext;
let url: string;
let seeded: DemoResult;
const sockets: Client[] = [];

beforeAll(async () => {
  // A Thursday afternoon in December (the demo's weeks are played out before it).
  // The simulated network 40 times faster than real time, for the power campaign's calls.
  t = await TestContext.create({ now: new Date('2026-12-03T15:00:00Z'), dialer: { simulatedSpeed: 40 } });
  url = await t.app.listen({ port: 0, host: '127.0.0.1' });
  seeded = await seedDemo(t.db, t.clock);
  await t.app.ctx.stats.flush();
}, 120_000);
afterAll(async () => {
  for (const socket of sockets) socket.disconnect();
  await t.close();
});

function data<T>(answer: Ack<T>): T {
  if (!answer.ok) throw new Error(`${answer.error.code}: ${answer.error.message}`);
  return answer.data;
}

async function organisationId(name: string): Promise<string> {
  return (await t.db.selectFrom('organisation').select('id').where('name', '=', name).executeTakeFirstOrThrow()).id;
}

test('the demo is seeded in seconds: thousands of made-up people and weeks of calls', () => {
  console.info(`demo: ${seeded.people} people, ${seeded.calls} calls in ${seeded.milliseconds} ms`);
  expect(seeded.seeded).toBe(true);
  expect(seeded.people).toBeGreaterThan(2500);
  expect(seeded.calls).toBeGreaterThan(1500);
  expect(seeded.milliseconds).toBeLessThan(30_000);
  expect(seeded.signIns.map((signIn) => signIn.email)).toEqual([
    'admin@demo.ringa.local',
    'distrikt@demo.ringa.local',
    'lulea@demo.ringa.local',
    'centrum@demo.ringa.local',
    'ringare@demo.ringa.local',
    'ringare2@demo.ringa.local',
  ]);
});

test('every list came through the importer whole, with its source, and the target groups have people', async () => {
  const admin = await t.login({ email: 'admin@demo.ringa.local' }, DEMO_PASSWORD);
  const lulea = await t.request('GET', `/api/orgs/${await organisationId('Luleå arbetarekommun')}/lists`, { cookie: admin });
  const petition = lulea.json<{ lists: { name: string; status: string; counts: { rows: number; imported: number }; source: { kind: string; name: string; basis: string } }[] }>().lists.find((list) => list.name.startsWith('Namninsamling'));
  expect(petition).toMatchObject({ name: 'Namninsamling akutsjukvården – Luleå', status: 'ready', counts: { rows: 1800, imported: 1800 }, source: { kind: 'other', basis: 'consent' } });
  expect(petition?.source.name).toBe('Demodata (påhittade personer)');
  const groups = await t.request('GET', `/api/orgs/${await organisationId('Luleå arbetarekommun')}/target-groups`, { cookie: admin });
  const named = groups.json<{ targetGroups: { name: string; size: number }[] }>().targetGroups;
  expect(named.map((group) => group.name).sort()).toEqual(['Luleå: bussenkäten, ej medlemmar', 'Luleå: ej medlemmar födda 1974 eller tidigare', 'Luleå: ej medlemmar födda 1975 eller senare', 'Nya medlemmar']);
  const sizes = named.filter((group) => group.name.startsWith('Luleå: ej medlemmar')).map((group) => group.size);
  // Non-members (about 88 %) split by birth year: both halves have hundreds.
  for (const size of sizes) expect(size).toBeGreaterThan(300);
  const person = await t.db.selectFrom('person').select('attributes').where('organisationId', '=', await organisationId('Luleå arbetarekommun')).executeTakeFirstOrThrow();
  expect(Object.keys(person.attributes as object).sort()).toEqual(['Födelseår', 'Kommun', 'Medlem', 'Ort', 'Postnr']);
});

test('a demo caller finds the open campaign on their start page, gets a person and saves a call at once', async () => {
  const cookie = await t.login({ email: 'ringare@demo.ringa.local' }, DEMO_PASSWORD);
  const start = await t.request('GET', '/api/me/campaigns', { cookie });
  const campaigns = start.json<{ campaigns: { id: string; name: string; status: string; dialing: string }[] }>().campaigns;
  const open = campaigns.find((campaign) => campaign.name === 'Decemberringning: akutsjukvården i hela länet');
  expect(open).toMatchObject({ status: 'active', dialing: 'simulated' });
  if (!open) return;

  const socket: Client = io(url, { path: '/socket.io', transports: ['websocket'], extraHeaders: { cookie, origin: t.origin }, reconnection: false, forceNew: true });
  await new Promise((resolve, reject) => socket.once('connect', () => resolve(null)).once('connect_error', reject));
  sockets.push(socket);
  const joined = data<JoinAnswer>(await ask(socket, 'campaign:join', { campaignId: open.id }));
  expect(joined.campaign.questions.map((question) => question.text)).toContain('Vill du bli medlem?');
  expect(joined.campaign.script).toContain('{first_name}');
  const next = data<NextAnswer>(await ask(socket, 'contact:next', { campaignId: open.id }));
  expect(next.assignment?.contact.firstName).toBeTruthy();
  expect(next.assignment?.contact.attributes).toHaveProperty('Ort');
  const before = (await t.request('GET', `/api/campaigns/${open.id}/stats`, { cookie: await t.login({ email: 'distrikt@demo.ringa.local' }, DEMO_PASSWORD) })).json<{ totals: { dials: number; recruits: number } }>().totals;
  const saved = data<CompleteAnswer>(
    await ask(socket, 'call:complete', {
      assignmentId: next.assignment?.id as string,
      key: randomUUID(),
      outcome: 'conversation',
      answers: { viktigast: 'personal', medlem: true },
      noticeGiven: true,
      next: true,
    }),
  );
  expect(saved.callId).toBeTruthy();
  expect(saved.next?.contact.id).not.toBe(next.assignment?.contact.id);
  await t.app.ctx.stats.flush();
  const after = (await t.request('GET', `/api/campaigns/${open.id}/stats`, { cookie: await t.login({ email: 'distrikt@demo.ringa.local' }, DEMO_PASSWORD) })).json<{ totals: { dials: number; recruits: number } }>().totals;
  expect(after.dials).toBe(before.dials + 1);
  expect(after.recruits).toBe(before.recruits + 1);
});

test("the district's dashboard has figures that agree with the calls saved, and its goals of 400 new members and 25 callers", async () => {
  const district = await organisationId('Socialdemokraterna i Norrbotten');
  const cookie = await t.login({ email: 'admin@demo.ringa.local' }, DEMO_PASSWORD);
  const response = await t.request('GET', `/api/orgs/${district}/stats?from=2026-01-01&to=2026-12-31`, { cookie });
  expect(response.statusCode, response.body).toBe(200);
  const stats = response.json<{
    totals: Record<string, number>;
    children: { name: string; dials: number; recruits: number }[];
    campaigns: { name: string; dials: number }[];
    series: { day: string }[];
    goals: { metric: string; target: number; value: number; status: string }[];
  }>();
  // Counted by the roll-ups, exactly as a direct count over the saved calls has it.
  const { rows } = await sql<{ dials: number; reached: number; conversations: number; recruits: number; volunteers: number; events: number; supporters: number; doNotCall: number; talk: number; callers: number }>`
    select count(*)::int as dials, count(*) filter (where reached)::int as reached, count(*) filter (where outcome = 'conversation')::int as conversations,
      count(*) filter (where 'recruit' = any (tags))::int as recruits, count(*) filter (where 'volunteer' = any (tags))::int as volunteers,
      count(*) filter (where 'event' = any (tags))::int as events, count(*) filter (where 'supporter' = any (tags))::int as supporters,
      count(*) filter (where outcome = 'do-not-call')::int as "doNotCall",
      (select coalesce(sum(duration_seconds), 0)::int from telephony_call) as talk, count(distinct caller_id)::int as callers
    from call`.execute(t.db);
  const direct = rows[0];
  console.info(`demo dashboard: ${JSON.stringify(stats.totals)}; callers ${direct?.callers}`);
  expect(stats.totals).toMatchObject({
    dials: direct?.dials,
    reached: direct?.reached,
    conversations: direct?.conversations,
    recruits: direct?.recruits,
    volunteers: direct?.volunteers,
    events: direct?.events,
    supporters: direct?.supporters,
    doNotCall: direct?.doNotCall,
    talkSeconds: direct?.talk,
  });
  expect(stats.totals.dials).toBeGreaterThan(1500);
  expect(stats.totals.recruits).toBeGreaterThan(30);
  expect(stats.totals.talkSeconds).toBeGreaterThan(0);
  // Both municipalities called, on many days.
  for (const child of stats.children) expect(child.dials, child.name).toBeGreaterThan(300);
  expect(stats.series.length).toBeGreaterThan(20);
  expect(stats.goals.map((goal) => [goal.metric, goal.target])).toEqual(expect.arrayContaining([['recruits', 400], ['activeCallers', 25]]));
  const callers = stats.goals.find((goal) => goal.metric === 'activeCallers');
  expect(callers?.value).toBe(direct?.callers);
  expect(callers?.value).toBeGreaterThanOrEqual(10);
  expect(stats.goals.find((goal) => goal.metric === 'recruits')?.value).toBe(stats.totals.recruits);
});

test('the finished campaigns have results, a report and answers to show', async () => {
  const lulea = await organisationId('Luleå arbetarekommun');
  const cookie = await t.login({ email: 'lulea@demo.ringa.local' }, DEMO_PASSWORD);
  const list = (await t.request('GET', `/api/orgs/${lulea}/campaigns`, { cookie })).json<{ campaigns: { id: string; status: string; calls: number; queue: { total: number; done: number } }[] }>();
  const finished = list.campaigns.find((campaign) => campaign.status === 'finished');
  expect(list.campaigns.map((campaign) => campaign.status).sort()).toEqual(['active', 'active', 'finished']);
  expect(finished?.calls).toBeGreaterThan(800);
  if (!finished) return;
  const stats = (await t.request('GET', `/api/campaigns/${finished.id}/stats`, { cookie })).json<{ callers: unknown[]; answers: { questionId: string; respondents: number | null }[]; hours: unknown[] }>();
  expect(stats.callers.length).toBeGreaterThanOrEqual(6);
  expect(stats.answers.find((answer) => answer.questionId === 'medlem')?.respondents).toBeGreaterThan(100);
});

test('the welcome campaign has new members with join dates: welcomed in time, and some still to call', async () => {
  const lulea = await organisationId('Luleå arbetarekommun');
  const cookie = await t.login({ email: 'lulea@demo.ringa.local' }, DEMO_PASSWORD);
  const campaigns = (await t.request('GET', `/api/orgs/${lulea}/campaigns`, { cookie })).json<{ campaigns: { id: string; name: string; welcomeAttribute: string | null }[] }>().campaigns;
  const welcome = campaigns.find((campaign) => campaign.welcomeAttribute !== null);
  expect(welcome?.name).toBe('Välkomstsamtal till nya medlemmar');
  const report = (await t.request('GET', `/api/campaigns/${welcome?.id}/welcome`, { cookie })).json<{ people: number; withoutDate: number; inTime: number; late: number; overdue: number; open: number; toCall: unknown[] }>();
  console.info(`demo welcome: ${JSON.stringify({ ...report, toCall: report.toCall.length })}`);
  expect(report.people).toBeGreaterThan(100);
  expect(report.withoutDate).toBe(0);
  expect(report.inTime).toBeGreaterThan(report.late);
  expect(report.open + report.overdue).toBeGreaterThan(0);
  expect(report.toCall.length).toBe(report.open + report.overdue);
});

test('seeding again on the demo database adds nothing and says so', async () => {
  const counts = async () => (await sql<{ n: string }>`select (select count(*) from person) || '/' || (select count(*) from call) || '/' || (select count(*) from organisation) as n`.execute(t.db)).rows[0]?.n;
  const before = await counts();
  const again = await seedDemo(t.db, t.clock);
  expect(again.seeded).toBe(false);
  expect(again.signIns).toHaveLength(6);
  expect(await counts()).toBe(before);
});

test('a database holding another organisation is refused with a clear message, and nothing in it changes', async () => {
  const other = await TestContext.create();
  try {
    await other.newOrg({ name: 'Socialdemokraterna i Skåne', kind: 'district' });
    const before = await other.tableCounts();
    const refused = await seedDemo(other.db, other.clock).then(
      () => null,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(DemoRefused);
    expect((refused as Error).message).toContain('"Socialdemokraterna i Skåne"');
    expect((refused as Error).message).toContain('empty');
    expect(await other.tableCounts()).toEqual(before);
    const people = await other.db.selectFrom('person').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    expect(Number(people.n)).toBe(0);
  } finally {
    await other.close();
  }
});

test('in the power campaign the demo caller presses start once and Ringa connects a person who answered; the save is kept', async () => {
  const cookie = await t.login({ email: 'ringare@demo.ringa.local' }, DEMO_PASSWORD);
  const campaigns = (await t.request('GET', '/api/me/campaigns', { cookie })).json<{ campaigns: { id: string; name: string; status: string; dialing: string; dialMode: string; closed: string | null }[] }>().campaigns;
  const power = campaigns.find((campaign) => campaign.name === 'Ringrunda i Luleå: bussarna och kollektivtrafiken');
  // Open now (at any hour), on the simulated network; the start page says Ringa dials for the caller here.
  expect(power).toMatchObject({ status: 'active', dialing: 'simulated', dialMode: 'power', closed: null });
  expect(campaigns.find((campaign) => campaign.name === 'Decemberringning: akutsjukvården i hela länet')?.dialMode).toBe('preview');
  if (!power) return;
  const socket: Client = io(url, { path: '/socket.io', transports: ['websocket'], extraHeaders: { cookie, origin: t.origin }, reconnection: false, forceNew: true });
  await new Promise((resolve, reject) => socket.once('connect', () => resolve(null)).once('connect_error', reject));
  sockets.push(socket);
  const joined = data<JoinAnswer>(await ask(socket, 'campaign:join', { campaignId: power.id }));
  expect(joined.campaign).toMatchObject({ dialMode: 'power', linesPerCaller: 2 });
  expect(joined.campaign.questions.map((question) => question.text)).toEqual(['Vad skulle få dig att åka mer buss?', 'Vill du bli medlem?']);
  // Asking for the next person is not how this campaign works: Ringa dials.
  expect(await ask(socket, 'contact:next', { campaignId: power.id })).toMatchObject({ ok: false, error: { code: 'campaign_dials_for_you' } });

  const bridged: DialerBridgedEvent[] = [];
  socket.on('dialer:bridged', (event) => bridged.push(event));
  const started = data<DialerStartAnswer>(await ask(socket, 'dialer:start', { campaignId: power.id }));
  expect(started.line).toBe('simulated');
  // What detection took for an answering machine reaches a waiting caller too; the caller notes it and waits on.
  let assignment: Assignment | undefined;
  while (!assignment) {
    await expect.poll(() => bridged.length, { timeout: 20_000 }).toBeGreaterThan(0);
    const event = bridged.shift() as DialerBridgedEvent;
    if (event.detected !== 'machine') assignment = event.assignment;
    else data(await ask(socket, 'call:complete', { assignmentId: event.assignment.id, key: randomUUID(), outcome: 'voicemail', answers: {} }));
  }
  // One of the campaign's own people (the survey's), not one of the open campaign's.
  const lists = await t.db
    .selectFrom('listPerson')
    .innerJoin('targetList', 'targetList.id', 'listPerson.listId')
    .select('targetList.name')
    .where('listPerson.personId', '=', assignment.contact.id)
    .execute();
  expect(lists.map((list) => list.name)).toEqual(['Bussenkäten – Luleå (får ringas)']);
  expect(assignment.contact.attributes.Ort).toBeTruthy();

  const saved = data<CompleteAnswer>(
    await ask(socket, 'call:complete', { assignmentId: assignment.id, key: randomUUID(), outcome: 'conversation', answers: { bussen: 'tatare', medlem: true }, noticeGiven: true }),
  );
  expect(saved.callId).toBeTruthy();
  // A pause: no new people once the one who may have answered since is saved; the lines still ringing end by themselves.
  let paused = false;
  socket.on('dialer:seat', (event) => (paused ||= event.state === 'paused'));
  data(await ask(socket, 'dialer:pause', { campaignId: power.id }));
  const until = performance.now() + 15_000;
  while (!paused && performance.now() < until) {
    for (const event of bridged.splice(0)) data(await ask(socket, 'call:complete', { assignmentId: event.assignment.id, key: randomUUID(), outcome: event.detected ? 'voicemail' : 'refused', answers: {} }));
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  expect(paused).toBe(true);
  await expect
    .poll(async () => (await sql<{ n: number }>`select count(*)::int as n from dialer_line where campaign_id = ${power.id} and state in ('placing', 'ringing')`.execute(t.db)).rows[0]?.n, { timeout: 10_000 })
    .toBe(0);
  const call = await t.db.selectFrom('call').select(['callerId', 'outcome', 'answers', 'personId']).where('id', '=', saved.callId).executeTakeFirstOrThrow();
  const rikard = await t.db.selectFrom('appUser').select('id').where('email', '=', 'ringare@demo.ringa.local').executeTakeFirstOrThrow();
  expect(call).toMatchObject({ callerId: rikard.id, outcome: 'conversation', answers: { bussen: 'tatare', medlem: true }, personId: assignment.contact.id });
  await t.app.ctx.stats.flush();
  const stats = (await t.request('GET', `/api/campaigns/${power.id}/stats`, { cookie: await t.login({ email: 'lulea@demo.ringa.local' }, DEMO_PASSWORD) })).json<{ totals: { conversations: number; recruits: number } }>().totals;
  expect(stats).toMatchObject({ conversations: 1, recruits: 1 });
});
