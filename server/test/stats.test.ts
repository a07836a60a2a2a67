// Recruitment statistics, against the calls themselves. Callers make a random evening's worth of calls
// through the real socket protocol, over several days and organisations of a district's tree, with
// corrections and talk time on the practice line; then every figure the API gives (totals, each child
// organisation, each campaign, each day, each caller, each hour) is compared with a direct count over
// the saved calls, at every level of the tree: they agree exactly. Also: goals and their pace, the
// breakdown by answer hidden below five people, who may see what, bad input, and live updates over
// socket.io at most once a second.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Ack, CompleteAnswer, NextAnswer, StatsChangedEvent } from '../src/contract/realtime';
import { changeStatus, createCampaign } from '../src/modules/campaigns/campaigns.service';
import { ALWAYS_WINDOW } from '../src/modules/campaigns/outcomes';
import type { CampaignStatsValue, GoalProgressValue, OrganisationStatsValue } from '../src/modules/stats/stats.schemas';
import { progress } from '../src/modules/stats/stats.service';
import { parse } from 'csv-parse/sync';
import { ask, type Client } from './ask';
import { errorCode, TestContext, type TestUser } from './harness';
import { listImport } from './multipart';

let t: TestContext;
let url: string;
const orgs: Record<'district' | 'north' | 'south' | 'centrum' | 'hamnen' | 'skogen' | 'elsewhere', { id: string }> = {} as never;
let districtOrganizer: TestUser;
let centrumOrganizer: TestUser;
const callers: TestUser[] = [];
const campaigns: { id: string; org: { id: string } }[] = [];
const opened: Client[] = [];

const OUTCOMES = ['no-answer', 'busy', 'voicemail', 'wrong-number', 'conversation', 'callback', 'refused', 'do-not-call'] as const;
const REACHED = new Set(['conversation', 'callback', 'refused', 'do-not-call']);

/** A repeatable random sequence, so a failure can be replayed. */
function random(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}
const rnd = random(20261122);
const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)] as T;

beforeAll(async () => {
  t = await TestContext.create({ telephony: { simulatedConnectMs: 20 } });
  url = await t.app.listen({ port: 0, host: '127.0.0.1' });
  orgs.district = await t.newOrg({ name: 'Distriktet', kind: 'district', country: 'SE' });
  orgs.north = await t.newOrg({ parent: orgs.district, name: 'Norra kommunen', kind: 'municipality' });
  orgs.south = await t.newOrg({ parent: orgs.district, name: 'Södra kommunen', kind: 'municipality' });
  orgs.centrum = await t.newOrg({ parent: orgs.north, name: 'S-föreningen Centrum' });
  orgs.hamnen = await t.newOrg({ parent: orgs.north, name: 'S-föreningen Hamnen' });
  orgs.skogen = await t.newOrg({ parent: orgs.south, name: 'S-föreningen Skogen' });
  orgs.elsewhere = await t.newOrg({ name: 'Annat distrikt', kind: 'district', country: 'DK' });
  districtOrganizer = await t.newUser([{ org: orgs.district, role: 'organizer' }]);
  centrumOrganizer = await t.newUser([{ org: orgs.centrum, role: 'organizer' }]);
  // Four callers of the district, one who also belongs to Centrum (their calls count for Centrum), and
  // one who also belongs to an association deep in another party's tree (never named in this one's figures).
  const otherParty = await t.newOrg({ parent: await t.newOrg({ parent: await t.newOrg({ parent: orgs.elsewhere, name: 'Annan kreds' }), name: 'Annan by' }), name: 'Annat partis förening' });
  for (let i = 0; i < 5; i++) {
    const extra = i === 4 ? [{ org: orgs.centrum, role: 'caller' as const }] : i === 3 ? [{ org: otherParty, role: 'caller' as const }] : [];
    callers.push(await t.newUser([{ org: orgs.district, role: 'caller' }, ...extra]));
  }
  // Campaigns in three associations and one municipality (its own), the last on the practice line.
  for (const [org, dialing] of [
    [orgs.centrum, 'own-phone'],
    [orgs.hamnen, 'own-phone'],
    [orgs.skogen, 'own-phone'],
    [orgs.north, 'simulated'],
  ] as const) {
    campaigns.push({ id: await campaignIn(org, 60, dialing), org });
  }
});
afterAll(async () => {
  for (const socket of opened) socket.disconnect();
  await t.close();
});

async function campaignIn(org: { id: string }, count: number, dialing: 'own-phone' | 'simulated'): Promise<string> {
  const organizer = await t.newUser([{ org, role: 'organizer' }]);
  const cookie = await t.login(organizer);
  const first = 3_000_000 + Math.floor(rnd() * 900_000);
  const rows = Array.from({ length: count }, (_, i) => `Person;${i};070${String(first + i)}`).join('\r\n');
  const body = listImport({ name: `Lista ${first}` }, { field: 'file', filename: 'lista.csv', content: `Förnamn;Efternamn;Mobil\r\n${rows}\r\n` });
  const list = await t.request('POST', `/api/orgs/${org.id}/lists`, { cookie, body: body.payload, headers: { 'content-type': body.contentType } });
  expect(list.statusCode, list.body).toBe(202);
  await t.app.ctx.importer.wait(list.json<{ id: string }>().id);
  const group = await t.request('POST', `/api/orgs/${org.id}/target-groups`, { cookie, body: { name: `Grupp ${first}`, listIds: [list.json<{ id: string }>().id], filters: [] } });
  expect(group.statusCode, group.body).toBe(201);
  const campaign = await createCampaign(t.db, t.clock, organizer.id, org.id, {
    name: `Kampanj ${first}`,
    callingWindow: ALWAYS_WINDOW,
    dialing,
    script: 'Hej {first_name}!',
    maxAttempts: 6,
    goals: [{ metric: 'recruits', target: 5 }],
    questions: [
      { id: 'member', kind: 'yes-no', text: 'Vill du bli medlem?', tags: ['recruit'] },
      {
        id: 'help',
        kind: 'multiple',
        text: 'Vad kan du hjälpa till med?',
        choices: [
          { value: 'knock', label: 'Knacka dörr', tags: ['volunteer'] },
          { value: 'meeting', label: 'Komma på mötet', tags: ['event'] },
          { value: 'nothing', label: 'Inget', tags: [] },
        ],
      },
      { id: 'vote', kind: 'single', text: 'Röstar du på oss?', choices: [{ value: 'yes', label: 'Ja', tags: ['supporter'] }, { value: 'no', label: 'Nej', tags: [] }] },
    ],
    targetGroupIds: [group.json<{ id: string }>().id],
  });
  await changeStatus(t.db, t.clock, organizer.id, campaign.id, 'active');
  return campaign.id;
}

function connect(cookie: string): Promise<Client> {
  const socket: Client = io(url, { path: '/socket.io', transports: ['websocket'], extraHeaders: { cookie, origin: t.origin }, reconnection: false, forceNew: true });
  opened.push(socket);
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

function data<T>(answer: Ack<T>): T {
  if (!answer.ok) throw new Error(`${answer.error.code}: ${answer.error.message}`);
  return answer.data;
}

function randomAnswers(): Record<string, boolean | string | string[]> {
  const answers: Record<string, boolean | string | string[]> = {};
  if (rnd() < 0.8) answers.member = rnd() < 0.4;
  if (rnd() < 0.6) answers.help = ['knock', 'meeting', 'nothing'].filter(() => rnd() < 0.5);
  if (rnd() < 0.6) answers.vote = pick(['yes', 'no']);
  return answers;
}

/** One call by one caller: claim, maybe a practice-line call with talk time, save; sometimes corrected. Returns false when nobody was left. */
async function oneCall(socket: Client, caller: TestUser, campaign: { id: string }, dialing: boolean): Promise<boolean> {
  await ask(socket, 'campaign:join', { campaignId: campaign.id });
  const { assignment } = data<NextAnswer>(await ask(socket, 'contact:next', { campaignId: campaign.id }));
  if (!assignment) return false;
  const held = assignment;
  if (dialing && rnd() < 0.7) {
    const { callSid } = await t.app.ctx.telephony.simulatedCall(caller.id, held.id);
    await new Promise((resolve) => setTimeout(resolve, 60));
    t.clock.advance(Math.floor(30_000 + rnd() * 150_000));
    await t.app.ctx.telephony.simulatedHangup(caller.id, callSid);
  }
  const outcome = pick(OUTCOMES);
  t.clock.advance(1_000 + Math.floor(rnd() * 60_000)); // a call takes a while; one caller's calls never share an instant
  const saved = data<CompleteAnswer>(
    await ask(socket, 'call:complete', {
      assignmentId: held.id,
      key: randomUUID(),
      outcome,
      answers: REACHED.has(outcome) ? randomAnswers() : {},
      ...(outcome === 'callback' && rnd() < 0.5 ? { callbackAt: new Date(t.clock.now().getTime() + 3_600_000).toISOString() } : {}),
    }),
  );
  if (rnd() < 0.15 && outcome !== 'do-not-call') {
    const corrected = pick(OUTCOMES.filter((code) => code !== 'callback'));
    data(await ask(socket, 'call:correct', { callId: saved.callId, outcome: corrected, answers: REACHED.has(corrected) ? randomAnswers() : {} }));
  }
  return true;
}

/** The figures counted straight from the calls (and the practice line's durations) of a set of calls. */
async function direct(where: ReturnType<typeof sql>) {
  const { rows } = await sql<Record<string, number>>`
    with calls as (
      select c.*, exists (select 1 from campaign_version v, jsonb_array_elements(v.outcomes) o
        where v.id = c.version_id and o ->> 'code' = c.outcome and (o ->> 'reached')::boolean) as was_reached
      from call c where ${where}
    )
    select count(*)::int as dials,
      count(*) filter (where was_reached)::int as reached,
      count(*) filter (where outcome = 'conversation')::int as conversations,
      count(*) filter (where 'recruit' = any (tags))::int as recruits,
      count(*) filter (where 'volunteer' = any (tags))::int as volunteers,
      count(*) filter (where 'event' = any (tags))::int as events,
      count(*) filter (where 'supporter' = any (tags))::int as supporters,
      count(*) filter (where outcome = 'do-not-call')::int as "doNotCall",
      count(*) filter (where outcome = 'wrong-number')::int as "wrongNumbers",
      coalesce((select sum(tc.duration_seconds) from telephony_call tc join calls k
        on k.lease_id = tc.lease_id and k.campaign_id = tc.campaign_id and k.person_id = tc.person_id where tc.status_rank = 3), 0)::int as "talkSeconds",
      (select count(*) from (select distinct campaign_id, caller_id, date_trunc('hour', created_at) from calls) h)::int as "callerHours"
    from calls`.execute(t.db);
  return rows[0] as Record<string, number>;
}

const subtree = (orgId: string) => sql`c.organisation_id in (select descendant_id from organisation_closure where ancestor_id = ${orgId})`;
const FIELDS = ['dials', 'reached', 'conversations', 'recruits', 'volunteers', 'events', 'supporters', 'doNotCall', 'wrongNumbers', 'talkSeconds', 'callerHours'] as const;
const figuresOf = (row: Record<string, unknown>) => Object.fromEntries(FIELDS.map((field) => [field, row[field]]));

async function statsOf(orgId: string, cookie: string, query = ''): Promise<OrganisationStatsValue> {
  const response = await t.request('GET', `/api/orgs/${orgId}/stats${query}`, { cookie });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<OrganisationStatsValue>();
}

describe('figures from a random workload agree with the calls', () => {
  test('every figure, at every level of the tree, per day, campaign, caller and hour', async () => {
    let made = 0;
    for (let round = 0; round < 20; round++) {
      // Sessions are signed in anew each round: the clock moves by hours.
      const sockets = await Promise.all(callers.map(async (caller) => connect(await t.login(caller))));
      await Promise.all(
        sockets.map(async (socket, index) => {
          const caller = callers[index] as TestUser;
          for (let call = 0; call < 2; call++) {
            const campaign = pick(campaigns);
            if (await oneCall(socket, caller, campaign, campaign === campaigns[3])) made += 1;
          }
        }),
      );
      for (const socket of sockets) socket.disconnect();
      t.clock.advance(Math.floor((0.5 + rnd() * 4) * 3_600_000));
    }
    expect(made).toBe(20 * callers.length * 2);
    await t.app.ctx.stats.flush();

    const cookie = await t.login(districtOrganizer);
    const everything = '?from=2026-01-01&to=2026-12-31';
    const district = await statsOf(orgs.district.id, cookie, everything);
    expect(figuresOf(district.totals)).toEqual(await direct(subtree(orgs.district.id)));
    expect(district.totals.dials).toBe(made);
    expect(district.totals.talkSeconds).toBeGreaterThan(0);
    expect(district.series.length, 'the calls span several days').toBeGreaterThan(2);

    for (const org of [orgs.district, orgs.north, orgs.south, orgs.centrum, orgs.hamnen, orgs.skogen]) {
      const stats = await statsOf(org.id, cookie, everything);
      expect(figuresOf(stats.totals), `totals of ${org.id}`).toEqual(await direct(subtree(org.id)));
      for (const child of stats.children) expect(figuresOf(child), `child ${child.name}`).toEqual(await direct(subtree(child.id)));
      for (const campaign of stats.campaigns) expect(figuresOf(campaign), `campaign ${campaign.name}`).toEqual(await direct(sql`c.campaign_id = ${campaign.id}`));
      // Each day, as the organisation's local day.
      for (const day of stats.series) {
        expect(figuresOf(day), `${org.id} on ${day.day}`).toEqual(await direct(sql`${subtree(org.id)} and (c.created_at at time zone 'Europe/Stockholm')::date = ${day.day}::date`));
      }
      expect(stats.series.reduce((sum, day) => sum + day.dials, 0)).toBe(stats.totals.dials);
    }
    // The district's children are its municipalities; the municipality's own campaign is among its campaigns.
    expect(district.children.map((child) => child.name)).toEqual(['Norra kommunen', 'Södra kommunen']);
    const north = await statsOf(orgs.north.id, cookie, everything);
    expect(north.campaigns.map((campaign) => campaign.id)).toEqual([campaigns[3]?.id]);

    // A part of the year: only its days count.
    const someDay = district.series[1]?.day ?? '';
    const oneDay = await statsOf(orgs.district.id, cookie, `?from=${someDay}&to=${someDay}`);
    expect(figuresOf(oneDay.totals)).toEqual(await direct(sql`${subtree(orgs.district.id)} and (c.created_at at time zone 'Europe/Stockholm')::date = ${someDay}::date`));

    // A campaign: per caller and per hour of its last day.
    for (const campaign of campaigns) {
      const response = await t.request('GET', `/api/campaigns/${campaign.id}/stats`, { cookie });
      expect(response.statusCode, response.body).toBe(200);
      const stats = response.json<CampaignStatsValue>();
      expect(figuresOf(stats.totals)).toEqual(await direct(sql`c.campaign_id = ${campaign.id}`));
      for (const caller of stats.callers) expect(figuresOf(caller), `caller ${caller.name}`).toEqual(await direct(sql`c.campaign_id = ${campaign.id} and c.caller_id = ${caller.callerId}`));
      expect(stats.callers.reduce((sum, caller) => sum + caller.dials, 0)).toBe(stats.totals.dials);
      // By the callers' organisations: the one who also belongs to Centrum counts there, the rest for the district.
      const centrumCaller = (callers[4] as TestUser).id;
      const expected: Record<string, unknown>[] = [];
      for (const [id, where] of [
        [orgs.district.id, sql`c.campaign_id = ${campaign.id} and c.caller_id <> ${centrumCaller}`],
        [orgs.centrum.id, sql`c.campaign_id = ${campaign.id} and c.caller_id = ${centrumCaller}`],
      ] as const) {
        const figures = await direct(where);
        if ((figures.dials ?? 0) > 0) expected.push({ id, ...figures });
      }
      const shown = stats.organisations.map(({ id, ...figures }) => ({ id, ...figuresOf(figures) }));
      const byId = (a: Record<string, unknown>, b: Record<string, unknown>) => String(a.id).localeCompare(String(b.id));
      expect(shown.sort(byId)).toEqual(expected.sort(byId));
      for (const hour of stats.hours) {
        expect(figuresOf(hour), `hour ${hour.hour}`).toEqual(await direct(sql`c.campaign_id = ${campaign.id} and date_trunc('hour', c.created_at) = ${hour.hour}::timestamptz`));
      }
      expect(stats.goals).toEqual([{ metric: 'recruits', target: 5, value: stats.totals.recruits }]);
    }
  });

  test('a saved call reaches the figures within seconds, without anyone asking', async () => {
    const cookie = await t.login(districtOrganizer);
    const before = (await statsOf(orgs.district.id, cookie)).totals.dials;
    const socket = await connect(await t.login(callers[0] as TestUser));
    let saved = false;
    for (const campaign of campaigns) if (!saved) saved = await oneCall(socket, callers[0] as TestUser, campaign, false);
    expect(saved).toBe(true);
    await expect.poll(async () => (await statsOf(orgs.district.id, cookie)).totals.dials, { timeout: 5_000, interval: 100 }).toBe(before + 1);
  });
});

describe('statistics as a file for Excel', () => {
  test('one row per organisation with its whole subtree, in the tree’s order, as the dashboard shows them', async () => {
    // A kind (a free label) a spreadsheet would run as a formula.
    const formula = await t.newOrg({ parent: orgs.south, name: 'Kalkylföreningen', kind: '=1+2' });
    const cookie = await t.login(districtOrganizer);
    const response = await t.request('GET', `/api/orgs/${orgs.district.id}/stats.csv?from=2026-01-01&to=2026-12-31`, { cookie });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(String(response.headers['content-disposition'])).toContain(encodeURIComponent('Distriktet statistik 2026-01-01 2026-12-31.csv'));
    expect(response.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    // In Swedish, the district's country's language (file-languages.test.ts reads it in Norwegian).
    const rows = parse<Record<string, string>>(response.rawPayload, { bom: true, delimiter: ';', columns: true });
    const names: Record<string, string> = {
      Distriktet: orgs.district.id,
      'Distriktet › Norra kommunen': orgs.north.id,
      'Distriktet › Norra kommunen › S-föreningen Centrum': orgs.centrum.id,
      'Distriktet › Norra kommunen › S-föreningen Hamnen': orgs.hamnen.id,
      'Distriktet › Södra kommunen': orgs.south.id,
      'Distriktet › Södra kommunen › Kalkylföreningen': formula.id,
      'Distriktet › Södra kommunen › S-föreningen Skogen': orgs.skogen.id,
    };
    expect(rows.map((row) => row.Organisation)).toEqual(Object.keys(names));
    expect(rows.find((row) => row.Organisation?.endsWith('Kalkylföreningen'))?.Typ).toBe("'=1+2");
    for (const row of rows) {
      const stats = await statsOf(names[row.Organisation ?? ''] ?? '', cookie, '?from=2026-01-01&to=2026-12-31');
      expect([row.Uppringningar, row.Svarade, row['Nya medlemmar'], row.Ringtimmar].map(Number)).toEqual([stats.totals.dials, stats.totals.reached, stats.totals.recruits, stats.totals.callerHours]);
      if (stats.totals.dials > 0) expect(row['Svarade per uppringning']).toBe(String(stats.totals.rates.reachedPerDial).replace('.', ','));
    }
    // With commas, decimals keep their point.
    const comma = await t.request('GET', `/api/orgs/${orgs.north.id}/stats.csv?from=2026-01-01&to=2026-12-31&separator=comma`, { cookie });
    const first = parse<Record<string, string>>(comma.rawPayload, { bom: true, delimiter: ',', columns: true })[0];
    expect(first?.Organisation).toBe('Norra kommunen');
    expect(first?.['Svarade per uppringning']).toMatch(/^0\.\d+$/);
    // Bad input changes nothing and says why.
    const bad = await t.request('GET', `/api/orgs/${orgs.district.id}/stats.csv?separator=tab`, { cookie });
    expect(bad.statusCode).toBe(400);
    expect((await t.request('GET', `/api/orgs/${orgs.district.id}/stats.csv`, { cookie: await t.login(callers[0] as TestUser) })).statusCode).toBe(403);
  });
});

describe('who sees what', () => {
  test('admins and organizers of the organisation or above; callers and other trees are refused', async () => {
    const cases: [TestUser, { id: string }, number][] = [
      [districtOrganizer, orgs.district, 200],
      [districtOrganizer, orgs.centrum, 200],
      [centrumOrganizer, orgs.centrum, 200],
      [centrumOrganizer, orgs.north, 404],
      [centrumOrganizer, orgs.district, 404],
      [callers[0] as TestUser, orgs.district, 403],
      [districtOrganizer, orgs.elsewhere, 404],
    ];
    for (const [user, org, status] of cases) {
      const cookie = await t.login(user);
      expect((await t.request('GET', `/api/orgs/${org.id}/stats`, { cookie })).statusCode, `${user.email} on ${org.id}`).toBe(status);
      expect((await t.request('GET', `/api/orgs/${org.id}/goals`, { cookie })).statusCode).toBe(status);
    }
    expect((await t.request('GET', `/api/orgs/${orgs.district.id}/stats`)).statusCode).toBe(401);
    const caller = await t.login(callers[1] as TestUser);
    expect((await t.request('GET', `/api/campaigns/${campaigns[0]?.id}/stats`, { cookie: caller })).statusCode).toBe(403);
  });

  test('bad days are refused with the reason', async () => {
    const cookie = await t.login(districtOrganizer);
    for (const query of ['?from=2026-13-01&to=2026-12-31', '?from=2026-02-30&to=2026-03-01', '?from=2026-05-01&to=2026-04-01', '?from=2020-01-01&to=2026-01-01', '?from=yesterday', '?from=0000-01-01&to=0000-12-31']) {
      const response = await t.request('GET', `/api/orgs/${orgs.district.id}/stats${query}`, { cookie });
      expect(response.statusCode, query).toBe(400);
      expect(response.json<{ error: { message: string } }>().error.message).not.toBe('');
    }
  });

  test('a breakdown by answer hides each answer fewer than five gave, and is exact for the others', async () => {
    const cookie = await t.login(centrumOrganizer);
    const small = campaigns[0] as { id: string };
    const response = await t.request('GET', `/api/campaigns/${small.id}/stats`, { cookie });
    const stats = response.json<CampaignStatsValue>();
    for (const answer of stats.answers) {
      const { rows } = await sql<{ people: number }>`
        select count(distinct coalesce(person_id::text, id::text))::int as people from call where campaign_id = ${small.id} and answers ? ${answer.questionId}`.execute(t.db);
      // Below five, not even how many answered is told.
      if ((rows[0]?.people ?? 0) < 5) expect(answer.hidden).toBe(true);
      expect(answer.respondents).toBe(answer.hidden ? null : rows[0]?.people);
      if (answer.hidden) expect(answer.counts).toEqual([]);
      for (const count of answer.counts) {
        const value = answer.questionId === 'member' ? count.value === 'true' : count.value;
        const { rows: people } = await sql<{ people: number }>`
          select count(distinct coalesce(person_id::text, id::text))::int as people from call
          where campaign_id = ${small.id} and (answers -> ${answer.questionId} = to_jsonb(${value}::${sql.raw(typeof value === 'boolean' ? 'boolean' : 'text')})
            or answers -> ${answer.questionId} @> jsonb_build_array(${String(value)}::text))`.execute(t.db);
        // An answer fewer than five gave is hidden, and so is its complement (five or more).
        const real = people[0]?.people ?? 0;
        if (count.hidden === 'few') expect(real, `${answer.questionId}=${count.value}`).toBeLessThan(5);
        if (count.hidden === 'complement') expect(real, `${answer.questionId}=${count.value}`).toBeGreaterThanOrEqual(5);
        expect(count.people, `${answer.questionId}=${count.value}`).toBe(count.hidden ? null : real);
      }
    }
    // A live refresh may leave the breakdown out (it counts every call's answers).
    const without = (await t.request('GET', `/api/campaigns/${small.id}/stats?answers=false`, { cookie })).json<CampaignStatsValue>();
    expect(without.answers).toEqual([]);
    expect(without.totals).toEqual(stats.totals);
    // A campaign nobody answered yet: every question hidden.
    const fresh = await campaignIn(orgs.centrum, 2, 'own-phone');
    const empty = (await t.request('GET', `/api/campaigns/${fresh}/stats`, { cookie })).json<CampaignStatsValue>();
    expect(empty.answers.every((answer) => answer.hidden && answer.counts.length === 0)).toBe(true);
    expect(empty.totals.dials).toBe(0);
  });
});

describe('goals', () => {
  test('an organisation sets goals for periods and sees progress, the pace needed and whether it is on track', async () => {
    const cookie = await t.login(districtOrganizer);
    const year = await t.request('POST', `/api/orgs/${orgs.district.id}/goals`, { cookie, body: { metric: 'recruits', target: 400, startsOn: '2026-01-01', endsOn: '2026-12-31', label: '400 nya medlemmar 2026' } });
    expect(year.statusCode, year.body).toBe(201);
    const callersGoal = await t.request('POST', `/api/orgs/${orgs.district.id}/goals`, { cookie, body: { metric: 'activeCallers', target: 3, startsOn: '2026-09-01', endsOn: '2026-10-31' } });
    expect(callersGoal.statusCode, callersGoal.body).toBe(201);
    const stats = await statsOf(orgs.district.id, cookie);
    const recruits = stats.goals.find((goal) => goal.metric === 'recruits') as GoalProgressValue;
    const everything = await direct(subtree(orgs.district.id));
    expect(recruits).toMatchObject({ target: 400, value: everything.recruits, label: '400 nya medlemmar 2026', status: 'behind' });
    expect(recruits.neededPerDay).toBeGreaterThan(1);
    const active = stats.goals.find((goal) => goal.metric === 'activeCallers') as GoalProgressValue;
    expect(active.value).toBe(callers.length);
    expect(active.status).toBe('reached');
    // Drilling down to a municipality and an association, the district's goal is there with their share of it.
    for (const below of [orgs.north, orgs.centrum]) {
      const seen = await statsOf(below.id, cookie);
      const above = seen.goalsAbove.find((entry) => entry.goal.id === recruits.id);
      expect(above).toMatchObject({ organisationId: orgs.district.id, organisationName: 'Distriktet', share: (await direct(subtree(below.id))).recruits });
      expect(above).toMatchObject({ goal: { target: 400 }, whole: everything.recruits });
      expect(seen.goals.map((goal) => goal.id)).not.toContain(recruits.id);
    }
    expect((await statsOf(orgs.district.id, cookie)).goalsAbove).toEqual([]);
    // An association's organizer sees the district's goal too, and their share of it, from their own statistics …
    const fromCentrum = await statsOf(orgs.centrum.id, await t.login(centrumOrganizer));
    // … but not the district's own figure: that is the district's statistics, which they may not see.
    const districtGoal = fromCentrum.goalsAbove.find((entry) => entry.goal.id === recruits.id);
    expect(districtGoal).toMatchObject({ goal: { target: 400 }, whole: null, share: (await direct(subtree(orgs.centrum.id))).recruits });
    // A headcount has no pace per day, even before it is reached.
    const team = await t.request('POST', `/api/orgs/${orgs.district.id}/goals`, { cookie, body: { metric: 'activeCallers', target: 25, startsOn: '2026-09-01', endsOn: '2026-12-31' } });
    expect(team.json<GoalProgressValue>()).toMatchObject({ metric: 'activeCallers', target: 25, value: callers.length, neededPerDay: null });
    await t.request('DELETE', `/api/orgs/${orgs.district.id}/goals/${team.json<GoalProgressValue>().id}`, { cookie });

    // Bad goals change nothing.
    const before = (await t.request('GET', `/api/orgs/${orgs.district.id}/goals`, { cookie })).json<{ goals: unknown[] }>().goals.length;
    for (const body of [
      { metric: 'recruits', target: 10, startsOn: '2026-05-01', endsOn: '2026-04-01' },
      { metric: 'recruits', target: 0, startsOn: '2026-01-01', endsOn: '2026-12-31' },
      { metric: 'talkSeconds', target: 10, startsOn: '2026-01-01', endsOn: '2026-12-31' },
      { metric: 'recruits', target: 10, startsOn: '2026-02-30', endsOn: '2026-12-31' },
    ]) {
      const refused = await t.request('POST', `/api/orgs/${orgs.district.id}/goals`, { cookie, body });
      expect(refused.statusCode, JSON.stringify(body)).toBe(400);
    }
    expect((await t.request('GET', `/api/orgs/${orgs.district.id}/goals`, { cookie })).json<{ goals: unknown[] }>().goals).toHaveLength(before);
    // A caller may not set one; an organizer of an association may not set the district's.
    expect((await t.request('POST', `/api/orgs/${orgs.district.id}/goals`, { cookie: await t.login(callers[0] as TestUser), body: { metric: 'recruits', target: 1, startsOn: '2026-01-01', endsOn: '2026-01-02' } })).statusCode).toBe(403);
    expect((await t.request('POST', `/api/orgs/${orgs.district.id}/goals`, { cookie: await t.login(centrumOrganizer), body: { metric: 'recruits', target: 1, startsOn: '2026-01-01', endsOn: '2026-01-02' } })).statusCode).toBe(404);

    const removed = await t.request('DELETE', `/api/orgs/${orgs.district.id}/goals/${year.json<{ id: string }>().id}`, { cookie });
    expect(removed.statusCode, removed.body).toBe(200);
    expect(removed.json<{ goals: { id: string }[] }>().goals.map((goal) => goal.id)).toEqual([callersGoal.json<{ id: string }>().id]);
    const again = await t.request('DELETE', `/api/orgs/${orgs.district.id}/goals/${year.json<{ id: string }>().id}`, { cookie });
    expect(errorCode(again)).toBe('not_found');
  });

  test('the pace: steady from the first day to the last', () => {
    const goal = { target: 100, startsOn: '2026-10-01', endsOn: '2026-10-10' };
    expect(progress(goal, 0, '2026-09-30')).toMatchObject({ status: 'upcoming', expected: 0, daysLeft: 10 });
    // On 5 October, five days are done for the pace; 5–10 October (six days, today too) are still to go.
    expect(progress(goal, 50, '2026-10-05')).toMatchObject({ status: 'on-track', expected: 50, daysLeft: 6, neededPerDay: 8.4 });
    expect(progress(goal, 40, '2026-10-05')).toMatchObject({ status: 'behind', neededPerDay: 10 });
    expect(progress(goal, 100, '2026-10-02')).toMatchObject({ status: 'reached', neededPerDay: null });
    // The last day is not over while it runs.
    expect(progress(goal, 99, '2026-10-10')).toMatchObject({ status: 'behind', daysLeft: 1, neededPerDay: 1 });
    expect(progress(goal, 99, '2026-10-11')).toMatchObject({ status: 'missed', daysLeft: 0, neededPerDay: null });
    expect(progress(goal, 99, '2026-11-01')).toMatchObject({ status: 'missed', expected: 100 });
  });
});

describe('live', () => {
  test('a watching district hears its figures moved, at most once a second; others hear nothing', async () => {
    const district = await connect(await t.login(districtOrganizer));
    const centrum = await connect(await t.login(centrumOrganizer));
    expect(await ask(district, 'stats:watch', { organisationId: orgs.district.id })).toEqual({ ok: true, data: null });
    expect(await ask(centrum, 'stats:watch', { organisationId: orgs.south.id })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await ask(centrum, 'stats:watch', { organisationId: 'not-an-id' })).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
    expect(await ask(centrum, 'stats:watch', { organisationId: orgs.centrum.id })).toEqual({ ok: true, data: null });
    const heard: { at: number; event: StatsChangedEvent }[] = [];
    const centrumHeard: { at: number; event: StatsChangedEvent }[] = [];
    district.on('stats:changed', (event) => heard.push({ at: Date.now(), event }));
    centrum.on('stats:changed', (event) => centrumHeard.push({ at: Date.now(), event }));
    // A call of an earlier test (in Centrum) may still be announced within its second: let it pass.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    heard.length = 0;
    centrumHeard.length = 0;

    // Calls in Skogen (south), back to back for about three seconds.
    const socket = await connect(await t.login(callers[2] as TestUser));
    const skogen = campaigns[2] as { id: string };
    const started = Date.now();
    let calls = 0;
    while (Date.now() - started < 3_000) {
      if (!(await oneCall(socket, callers[2] as TestUser, skogen, false))) break;
      calls += 1;
      await new Promise((resolve) => setTimeout(resolve, 300)); // a caller's pace, within the socket's rate limit
    }
    expect(calls).toBeGreaterThan(0);
    await expect.poll(() => heard.length, { timeout: 5_000 }).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(heard.every(({ event }) => event.organisationId === orgs.district.id)).toBe(true);
    for (let i = 1; i < heard.length; i++) expect((heard[i]?.at ?? 0) - (heard[i - 1]?.at ?? 0)).toBeGreaterThanOrEqual(900);
    expect(centrumHeard, 'Centrum is not above Skogen').toEqual([]);
  });
});
