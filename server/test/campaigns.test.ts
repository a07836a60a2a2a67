// Campaigns through the API as an organizer runs one: created with DOMAIN's defaults, refused when
// the input is wrong (and then nothing is written), moved along draft → active ⇄ paused → finished
// with the queue filled from the target groups on activation, settings changed, scripts saved as
// versions numbered by what was called, the queue's figures, and who may do any of it.
import { randomUUID } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import type { Static } from 'typebox';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Updateable } from 'kysely';
import type { CampaignContact } from '../../db/schema';
import type { CampaignInput, CampaignList, CampaignOutcome, CampaignQuestion, CampaignView } from '../src/contract/api';
import type { ListView } from '../src/modules/lists/lists.schemas';
import { DEFAULT_OUTCOMES, DEFAULT_RETRY_HOURS, DEFAULT_WINDOW } from '../src/modules/campaigns/outcomes';
import type { TargetGroupView } from '../src/modules/target-groups/target-groups.schemas';
import { TestContext, errorCode, type TestUser } from './harness';
import { listImport } from './multipart';

type List = Static<typeof ListView>;
type Group = Static<typeof TargetGroupView>;

const MEMBERS = `Förnamn;Efternamn;Mobil;Ort
Anna;Ahl;0701000001;Norrköping
Bo;Berg;0701000002;Norrköping
Cecilia;Ceder;0701000003;Motala
David;Dahl;0701000004;Motala
Eva;Ek;0701000005;Linköping
Frida;Fors;0701000006;Norrköping
`;
const NEW_MEMBERS = `Förnamn;Mobil
Gun;0701000007
Hans;0701000008
`;

let t: TestContext;
let district: { id: string };
let orgA: { id: string };
let orgB: { id: string };
let members: List;
let newMembers: List;
let groupA: Group;
let groupNew: Group;
let groupB: Group;
const users = {} as Record<'organizerA' | 'callerA' | 'organizerB' | 'adminDistrict', TestUser>;
const cookies = {} as Record<keyof typeof users, string>;

async function importList(orgId: string, name: string, content: string): Promise<List> {
  const body = listImport({ name }, { field: 'file', filename: `${name}.csv`, content });
  const response = await t.request('POST', `/api/orgs/${orgId}/lists`, { cookie: cookies.adminDistrict, body: body.payload, headers: { 'content-type': body.contentType } });
  expect(response.statusCode, response.body).toBe(202);
  const { id } = response.json<{ id: string }>();
  await t.app.ctx.importer.wait(id);
  return (await t.request('GET', `/api/lists/${id}`, { cookie: cookies.adminDistrict })).json<List>();
}

async function targetGroup(orgId: string, name: string, listIds: string[]): Promise<Group> {
  const response = await t.request('POST', `/api/orgs/${orgId}/target-groups`, { cookie: cookies.adminDistrict, body: { name, listIds, filters: [] } });
  expect(response.statusCode, response.body).toBe(201);
  return response.json<Group>();
}

function create(body: Partial<CampaignInput> & Record<string, unknown>, cookie = cookies.organizerA, orgId = orgA.id) {
  return t.request('POST', `/api/orgs/${orgId}/campaigns`, { cookie, body: { name: 'Höstkampanj', targetGroupIds: [groupA.id], ...body } });
}

async function created(body: Partial<CampaignInput> & Record<string, unknown> = {}): Promise<CampaignView> {
  const response = await create(body);
  expect(response.statusCode, response.body).toBe(201);
  return response.json<CampaignView>();
}

function setStatus(campaignId: string, status: string, cookie = cookies.organizerA) {
  return t.request('POST', `/api/campaigns/${campaignId}/status`, { cookie, body: { status } });
}

async function get(campaignId: string): Promise<CampaignView> {
  const response = await t.request('GET', `/api/campaigns/${campaignId}`, { cookie: cookies.organizerA });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<CampaignView>();
}

/** Row counts of the campaign tables, to show that a refused request wrote nothing. */
async function campaignTables(): Promise<Record<string, number>> {
  const count = async (table: 'campaign' | 'campaignTargetGroup' | 'campaignVersion' | 'campaignContact' | 'call') =>
    Number((await t.db.selectFrom(table).select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
  return {
    campaign: await count('campaign'),
    campaignTargetGroup: await count('campaignTargetGroup'),
    campaignVersion: await count('campaignVersion'),
    campaignContact: await count('campaignContact'),
    call: await count('call'),
    ...(await t.tableCounts()),
  };
}

function expectRefused(response: LightMyRequestResponse, status: number, code: string): void {
  expect(response.statusCode, response.body).toBe(status);
  expect(errorCode(response)).toBe(code);
  expect(Object.keys(response.json<object>())).toEqual(['error']);
}

beforeAll(async () => {
  t = await TestContext.create();
  district = await t.newOrg({ name: 'Östergötland', kind: 'district', country: 'SE' });
  orgA = await t.newOrg({ parent: district, name: 'Norrköping' });
  orgB = await t.newOrg({ parent: district, name: 'Linköping' });
  users.organizerA = await t.newUser([{ org: orgA, role: 'organizer' }]);
  users.callerA = await t.newUser([{ org: orgA, role: 'caller' }]);
  users.organizerB = await t.newUser([{ org: orgB, role: 'organizer' }]);
  users.adminDistrict = await t.newUser([{ org: district, role: 'admin' }]);
  for (const key of Object.keys(users) as (keyof typeof users)[]) cookies[key] = await t.login(users[key]);

  members = await importList(orgA.id, 'Medlemmar', MEMBERS);
  newMembers = await importList(orgA.id, 'Nya medlemmar', NEW_MEMBERS);
  const listOfB = await importList(orgB.id, 'B', 'Mobil\r\n0702000001\r\n');
  expect([members.status, members.counts.imported, newMembers.counts.imported, listOfB.status]).toEqual(['ready', 6, 2, 'ready']);
  // Cecilia asked not to be called after the list came in: she stays on the list, but no campaign calls her.
  const objection = await t.request('POST', `/api/orgs/${orgA.id}/do-not-call`, { cookie: cookies.adminDistrict, body: { phone: '070-100 00 03' } });
  expect(objection.statusCode, objection.body).toBe(201);
  groupA = await targetGroup(orgA.id, 'Alla medlemmar', [members.id]);
  groupNew = await targetGroup(orgA.id, 'Nya', [newMembers.id]);
  groupB = await targetGroup(orgB.id, 'B', [listOfB.id]);
  expect([groupA.size, groupA.doNotCall, groupNew.size]).toEqual([6, 1, 2]);
});
afterAll(() => t.close());

describe('creating a campaign', () => {
  test('with only a name and a target group it gets the defaults: outcomes, calling window, retry rules, a draft with an empty queue', async () => {
    const campaign = await created();
    expect(campaign).toMatchObject({
      organisationId: orgA.id,
      name: 'Höstkampanj',
      briefing: '',
      startsAt: null,
      endsAt: null,
      callingWindow: DEFAULT_WINDOW,
      windowWarning: false,
      dialing: 'own-phone',
      status: 'draft',
      maxAttempts: 3,
      retryHours: DEFAULT_RETRY_HOURS,
      shownAttributes: [],
      goals: [],
      targetGroupIds: [groupA.id],
      version: 1,
      script: '',
      questions: [],
      outcomes: DEFAULT_OUTCOMES,
      calls: 0,
      queue: { total: 0, fresh: 0, due: 0, waiting: 0, callbacks: 0, held: 0, done: 0, doNotCall: 0 },
    });
    expect(await get(campaign.id)).toEqual(campaign);
    const listed = await t.request('GET', `/api/orgs/${orgA.id}/campaigns`, { cookie: cookies.organizerA });
    expect(listed.statusCode).toBe(200);
    expect(listed.json<CampaignList>().campaigns.map((c) => c.id)).toContain(campaign.id);
    const row = await t.db.selectFrom('campaign').select('createdBy').where('id', '=', campaign.id).executeTakeFirstOrThrow();
    expect(row.createdBy).toBe(users.organizerA.id);
  });

  test('everything given is kept; a window reaching outside normal hours is allowed with a warning', async () => {
    const window = { ...DEFAULT_WINDOW, mon: [['08:00', '12:00'], ['17:00', '21:00']], sun: [] } as CampaignView['callingWindow'];
    const campaign = await created({
      name: '  Ringkväll  ',
      briefing: 'Vi ringer om mötet.',
      startsAt: '2026-10-04T00:00:00.000Z',
      endsAt: '2026-10-25T22:00:00.000Z',
      callingWindow: window,
      dialing: 'simulated',
      maxAttempts: 5,
      retryHours: { 'no-answer': 2, busy: 1, voicemail: 24 },
      shownAttributes: ['Ort'],
      goals: [{ metric: 'recruits', target: 100 }],
      targetGroupIds: [groupA.id, groupNew.id, groupA.id],
    });
    expect(campaign).toMatchObject({
      name: 'Ringkväll',
      briefing: 'Vi ringer om mötet.',
      startsAt: '2026-10-04T00:00:00.000Z',
      endsAt: '2026-10-25T22:00:00.000Z',
      callingWindow: window,
      windowWarning: true,
      dialing: 'simulated',
      maxAttempts: 5,
      retryHours: { 'no-answer': 2, busy: 1, voicemail: 24 },
      shownAttributes: ['Ort'],
      goals: [{ metric: 'recruits', target: 100 }],
    });
    expect(campaign.targetGroupIds.sort()).toEqual([groupA.id, groupNew.id].sort());
    // Inside the usual hours, however narrowed, there is no warning.
    const narrow = await created({ callingWindow: { ...DEFAULT_WINDOW, mon: [['18:00', '20:00']], sat: [], sun: [] } });
    expect(narrow.windowWarning).toBe(false);
  });

  const later = [
    { id: 'join', kind: 'yes-no', text: 'Vill du bli medlem?', tags: ['recruit'], when: { question: 'interest', values: ['true'] } },
    { id: 'interest', kind: 'yes-no', text: 'Är du intresserad?', tags: [] },
  ] as CampaignQuestion[];
  const refusals: { what: string; body: Record<string, unknown>; code: string }[] = [
    { what: 'a span that ends before it starts', body: { callingWindow: { ...DEFAULT_WINDOW, tue: [['18:00', '09:00']] } }, code: 'invalid_calling_window' },
    { what: 'an empty span', body: { callingWindow: { ...DEFAULT_WINDOW, tue: [['10:00', '10:00']] } }, code: 'invalid_calling_window' },
    { what: 'a period that ends before it starts', body: { startsAt: '2026-10-25T00:00:00Z', endsAt: '2026-10-04T00:00:00Z' }, code: 'invalid_period' },
    { what: 'an unknown target group', body: { targetGroupIds: ['00000000-0000-4000-8000-000000000000'] }, code: 'unknown_target_group' },
    { what: "another organisation's target group", body: { targetGroupIds: ['GROUP_A', 'GROUP_B'] }, code: 'unknown_target_group' },
    { what: 'a question depending on a later one', body: { questions: later }, code: 'invalid_questions' },
    { what: 'a removed built-in outcome', body: { outcomes: DEFAULT_OUTCOMES.filter((o) => o.code !== 'do-not-call') }, code: 'invalid_outcomes' },
    { what: 'an outcome of its own without a label', body: { outcomes: [...DEFAULT_OUTCOMES, { code: 'moved', label: ' ', reached: false, final: true, tags: [] }] }, code: 'invalid_outcomes' },
    { what: 'a name of spaces only', body: { name: '   ' }, code: 'validation' },
    { what: 'a field it does not know', body: { colour: 'red' }, code: 'validation' },
    { what: 'no target group', body: { targetGroupIds: [] }, code: 'validation' },
    { what: 'an unknown dialing mode', body: { dialing: 'carrier-pigeon' }, code: 'validation' },
  ];
  test.each(refusals)('$what answers 400 $code and writes nothing', async ({ body, code }) => {
    const resolved = JSON.parse(JSON.stringify(body).replace('GROUP_A', groupA.id).replace('GROUP_B', groupB.id)) as Record<string, unknown>;
    const before = await campaignTables();
    expectRefused(await create(resolved), 400, code);
    expect(await campaignTables()).toEqual(before);
  });

  test("a district admin may use an association's target group for a campaign of the district, not the other way round", async () => {
    const response = await create({ name: 'Distriktet ringer' }, cookies.adminDistrict, district.id);
    expect(response.statusCode, response.body).toBe(201);
    expect(response.json<CampaignView>().organisationId).toBe(district.id);
    const upward = await targetGroup(district.id, 'Distriktets', [members.id]);
    expectRefused(await create({ targetGroupIds: [upward.id] }), 400, 'unknown_target_group');
  });
});

describe('status moves', () => {
  test('draft → active fills the queue with the target group less its do-not-call numbers; active ⇄ paused; finished stays finished', async () => {
    const campaign = await created();
    const before = await campaignTables();
    expectRefused(await setStatus(campaign.id, 'paused'), 409, 'invalid_status_change');
    expectRefused(await setStatus(campaign.id, 'finished'), 409, 'invalid_status_change');
    expect(await campaignTables()).toEqual(before);

    const active = (await setStatus(campaign.id, 'active')).json<CampaignView>();
    expect(active.status).toBe('active');
    expect(active.queue).toEqual({ total: groupA.size - groupA.doNotCall, fresh: 5, due: 0, waiting: 0, callbacks: 0, held: 0, done: 0, doNotCall: 0 });
    const phones = await t.db.selectFrom('campaignContact').select('phone').where('campaignId', '=', campaign.id).orderBy('phone').execute();
    expect(phones.map((p) => p.phone)).not.toContain('+46701000003');

    const paused = await setStatus(campaign.id, 'paused');
    expect([paused.statusCode, paused.json<CampaignView>().status]).toEqual([200, 'paused']);
    const reopened = await setStatus(campaign.id, 'active');
    expect([reopened.statusCode, reopened.json<CampaignView>().status, reopened.json<CampaignView>().queue.total]).toEqual([200, 'active', 5]);
    const finished = await setStatus(campaign.id, 'finished');
    expect([finished.statusCode, finished.json<CampaignView>().status]).toEqual([200, 'finished']);

    const afterFinish = await campaignTables();
    for (const status of ['active', 'paused', 'draft']) {
      const response = await setStatus(campaign.id, status);
      expectRefused(response, 409, 'invalid_status_change');
      expect(response.json<{ error: { message: string } }>().error.message).toContain('finished');
    }
    expect((await get(campaign.id)).status).toBe('finished');
    expect(await campaignTables()).toEqual(afterFinish);
  });

  test('an unknown status is a 400, an unknown campaign a 404', async () => {
    const campaign = await created();
    expectRefused(await setStatus(campaign.id, 'closed'), 400, 'validation');
    expectRefused(await setStatus('00000000-0000-4000-8000-000000000000', 'active'), 404, 'not_found');
    expect((await get(campaign.id)).status).toBe('draft');
  });
});

describe('settings', () => {
  test('what is given changes, what is left out stays; bad settings answer 400 and change nothing', async () => {
    const campaign = await created({ briefing: 'Första utkastet', endsAt: '2026-10-25T22:00:00.000Z' });
    const response = await t.request('PUT', `/api/campaigns/${campaign.id}`, {
      cookie: cookies.organizerA,
      body: { name: 'Ny rubrik', maxAttempts: 2, callingWindow: { ...DEFAULT_WINDOW, sat: [['10:00', '18:00']] }, goals: [{ metric: 'conversations', target: 1000 }] },
    });
    expect(response.statusCode, response.body).toBe(200);
    const changed = response.json<CampaignView>();
    expect(changed).toMatchObject({ name: 'Ny rubrik', maxAttempts: 2, windowWarning: true, briefing: 'Första utkastet', endsAt: '2026-10-25T22:00:00.000Z', goals: [{ metric: 'conversations', target: 1000 }] });
    expect(changed.callingWindow.sat).toEqual([['10:00', '18:00']]);
    expect(await get(campaign.id)).toEqual(changed);

    const refused: [Record<string, unknown>, string][] = [
      [{ callingWindow: { ...DEFAULT_WINDOW, fri: [['20:00', '09:00']] } }, 'invalid_calling_window'],
      // The start given is after the end already set.
      [{ startsAt: '2026-11-01T00:00:00Z' }, 'invalid_period'],
      [{ targetGroupIds: [groupB.id] }, 'unknown_target_group'],
      [{ name: ' ' }, 'validation'],
      [{ script: 'Hej!' }, 'validation'],
    ];
    for (const [body, code] of refused) {
      const before = await campaignTables();
      expectRefused(await t.request('PUT', `/api/campaigns/${campaign.id}`, { cookie: cookies.organizerA, body }), 400, code);
      expect(await campaignTables()).toEqual(before);
      expect(await get(campaign.id)).toEqual(changed);
    }
    // Clearing the end lets the start move.
    const cleared = await t.request('PUT', `/api/campaigns/${campaign.id}`, { cookie: cookies.organizerA, body: { startsAt: '2026-11-01T00:00:00Z', endsAt: null } });
    expect(cleared.json<CampaignView>()).toMatchObject({ startsAt: '2026-11-01T00:00:00.000Z', endsAt: null });
  });

  test('target groups changed on a running campaign: new people join the queue, those never called who left the groups leave it', async () => {
    const campaign = await created();
    await setStatus(campaign.id, 'active');
    // Anna has been tried once already: she stays, as a retry.
    await t.db
      .updateTable('campaignContact')
      .set({ attempts: 1, priority: 2, lastOutcome: 'no-answer' })
      .where('campaignId', '=', campaign.id)
      .where('phone', '=', '+46701000001')
      .execute();
    const response = await t.request('PUT', `/api/campaigns/${campaign.id}`, { cookie: cookies.organizerA, body: { targetGroupIds: [groupNew.id] } });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json<CampaignView>().targetGroupIds).toEqual([groupNew.id]);
    const phones = await t.db.selectFrom('campaignContact').select('phone').where('campaignId', '=', campaign.id).orderBy('phone').execute();
    expect(phones.map((p) => p.phone)).toEqual(['+46701000001', '+46701000007', '+46701000008']);
  });
});

describe('script versions', () => {
  const outcomes: CampaignOutcome[] = [
    ...DEFAULT_OUTCOMES.map((o) => (o.code === 'conversation' ? { ...o, label: 'Bra samtal', tags: ['supporter' as const] } : o)),
    { code: 'event-signup', label: 'Kommer till mötet', reached: true, final: true, tags: ['event'] },
  ];
  const questions: CampaignQuestion[] = [
    { id: 'interest', kind: 'yes-no', text: 'Är du intresserad?', tags: [] },
    { id: 'join', kind: 'single', text: 'Vill du bli medlem?', choices: [{ value: 'yes', label: 'Ja', tags: ['recruit'] }, { value: 'no', label: 'Nej', tags: [] }], when: { question: 'interest', values: ['true'] } },
  ];

  test('versions count what was called: a version nobody has called is edited where it is; once called, a save is the next version', async () => {
    const campaign = await created({ script: 'Hej {first_name}!' });
    expect(campaign).toMatchObject({ version: 1, versionCalled: false });
    const save = (body: Record<string, unknown>) => t.request('PUT', `/api/campaigns/${campaign.id}/script`, { cookie: cookies.organizerA, body });

    // A draft edited twice before anyone calls is still version 1.
    const draft = await save({ script: 'Hej {first_name}, jag heter {caller_name}.', questions, outcomes });
    expect(draft.statusCode, draft.body).toBe(200);
    expect(draft.json<CampaignView>()).toMatchObject({ version: 1, versionCalled: false, script: 'Hej {first_name}, jag heter {caller_name}.', questions, outcomes });
    expect((await save({ script: 'Hej {first_name}!', questions, outcomes })).json<CampaignView>()).toMatchObject({ version: 1, script: 'Hej {first_name}!' });
    const versionsOf = () => t.db.selectFrom('campaignVersion').select(['id', 'version', 'script', 'createdBy']).where('campaignId', '=', campaign.id).orderBy('version').execute();
    const [first] = await versionsOf();
    expect(first).toMatchObject({ version: 1, script: 'Hej {first_name}!' });
    if (!first) throw new Error('no version 1');

    // Someone calls under version 1: it is kept as it was, and the next save is version 2.
    await t.db
      .insertInto('call')
      .values({ campaignId: campaign.id, organisationId: orgA.id, callerId: users.callerA.id, versionId: first.id, idempotencyKey: randomUUID(), leaseId: randomUUID(), outcome: 'no-answer', createdAt: t.clock.now() })
      .execute();
    expect(await get(campaign.id)).toMatchObject({ version: 1, versionCalled: true });
    const second = await save({ script: 'Version två', questions: [], outcomes });
    expect(second.json<CampaignView>()).toMatchObject({ version: 2, versionCalled: false, script: 'Version två', questions: [] });
    // Version 2 has not been called either: saving again changes it and makes no version 3.
    expect((await save({ script: 'Version två, rättad', questions: [], outcomes })).json<CampaignView>()).toMatchObject({ version: 2, script: 'Version två, rättad' });
    expect(await get(campaign.id)).toMatchObject({ version: 2, script: 'Version två, rättad' });
    const versions = await versionsOf();
    expect(versions.map((v) => [v.version, v.script])).toEqual([
      [1, 'Hej {first_name}!'],
      [2, 'Version två, rättad'],
    ]);
    expect(versions[1]?.createdBy).toBe(users.organizerA.id);
  });

  test('a built-in outcome keeps its meaning when relabelled; bad scripts answer 400 and add no version', async () => {
    const campaign = await created();
    const relabelled = DEFAULT_OUTCOMES.map((o) => (o.code === 'do-not-call' ? { ...o, label: 'Ring aldrig mer', final: false } : o));
    const saved = await t.request('PUT', `/api/campaigns/${campaign.id}/script`, { cookie: cookies.organizerA, body: { script: '', questions: [], outcomes: relabelled } });
    expect(saved.json<CampaignView>().outcomes.find((o) => o.code === 'do-not-call')).toEqual({ code: 'do-not-call', label: 'Ring aldrig mer', reached: true, final: true, tags: [] });

    const bad: [Record<string, unknown>, string][] = [
      [{ script: '', questions: [...questions].reverse(), outcomes }, 'invalid_questions'],
      [{ script: '', questions: [], outcomes: outcomes.filter((o) => o.code !== 'busy') }, 'invalid_outcomes'],
      [{ script: '', questions: [], outcomes: [...outcomes, outcomes[0]] }, 'invalid_outcomes'],
      [{ script: '', questions: [{ ...questions[1], when: { question: 'interest', values: ['maybe'] } }], outcomes }, 'invalid_questions'],
      [{ script: '', questions: [] }, 'validation'],
    ];
    for (const [body, code] of bad) {
      const before = await campaignTables();
      expectRefused(await t.request('PUT', `/api/campaigns/${campaign.id}/script`, { cookie: cookies.organizerA, body }), 400, code);
      expect(await campaignTables()).toEqual(before);
    }
    expect((await get(campaign.id)).version).toBe(1);
  });

  test('a script or question with a merge field Ringa cannot fill in is refused with a 400 that names it and the known ones; no version is added', async () => {
    const campaign = await created();
    const before = await campaignTables();
    for (const body of [
      { script: 'Hej {förnamn}! Jag heter {caller_name}.', questions: [], outcomes },
      { script: 'Du bor i {attr:Ort}, eller hur?', questions: [], outcomes },
      { script: 'Hej {first_name}!', questions: [{ ...questions[0], text: 'Vill {förnamn} bli medlem?' }], outcomes },
    ]) {
      const refused = await t.request('PUT', `/api/campaigns/${campaign.id}/script`, { cookie: cookies.organizerA, body });
      expectRefused(refused, 400, 'unknown_merge_field');
      expect(refused.json<{ error: { message: string } }>().error.message).toMatch(/\{(förnamn|attr:Ort)\}.*Known fields: \{first_name\}, \{last_name\}, \{caller_name\}\./);
      expect(await campaignTables()).toEqual(before);
    }
    // Shown to callers, the attribute is known, and the same script saves.
    expect((await t.request('PUT', `/api/campaigns/${campaign.id}`, { cookie: cookies.organizerA, body: { shownAttributes: ['Ort'] } })).statusCode).toBe(200);
    const saved = await t.request('PUT', `/api/campaigns/${campaign.id}/script`, { cookie: cookies.organizerA, body: { script: 'Hej {first_name}, du bor i {attr:Ort}.', questions: [], outcomes } });
    expect(saved.statusCode).toBe(200);
    expectRefused(await create({ name: 'Med fel fält', script: 'Hej {fornamn}' }), 400, 'unknown_merge_field');
  });
});

test("GET shows the queue's figures as the engine leaves them", async () => {
  const campaign = await created();
  await setStatus(campaign.id, 'active');
  const now = t.clock.now();
  const hour = 3600_000;
  const set = (phone: string, changes: Updateable<CampaignContact>) =>
    t.db.updateTable('campaignContact').set(changes).where('campaignId', '=', campaign.id).where('phone', '=', phone).execute();
  await set('+46701000001', { state: 'held', heldBy: users.callerA.id, leaseId: '11111111-1111-4111-8111-111111111111', leaseExpiresAt: new Date(now.getTime() + hour) });
  await set('+46701000002', { state: 'done', attempts: 1, doneReason: 'conversation' });
  await set('+46701000004', { state: 'done', attempts: 1, doneReason: 'do-not-call' });
  await set('+46701000005', { priority: 2, attempts: 1, dueAt: new Date(now.getTime() + 4 * hour) });
  await set('+46701000006', { priority: 0, attempts: 1, callbackAt: new Date(now.getTime() - hour), dueAt: new Date(now.getTime() - hour) });
  expect((await get(campaign.id)).queue).toEqual({ total: 5, fresh: 0, due: 1, waiting: 1, callbacks: 1, held: 1, done: 2, doNotCall: 1 });
});

describe('who may manage campaigns', () => {
  let campaign: CampaignView;
  beforeAll(async () => {
    campaign = await created({ name: 'Skyddad' });
  });

  const requests = () => [
    { method: 'GET' as const, url: `/api/campaigns/${campaign.id}` },
    { method: 'GET' as const, url: `/api/orgs/${orgA.id}/campaigns` },
    { method: 'POST' as const, url: `/api/orgs/${orgA.id}/campaigns`, body: { name: 'Smygkampanj', targetGroupIds: [groupA.id] } },
    { method: 'PUT' as const, url: `/api/campaigns/${campaign.id}`, body: { name: 'Kapad' } },
    { method: 'PUT' as const, url: `/api/campaigns/${campaign.id}/script`, body: { script: 'Kapad', questions: [], outcomes: DEFAULT_OUTCOMES } },
    { method: 'POST' as const, url: `/api/campaigns/${campaign.id}/status`, body: { status: 'active' } },
  ];

  test.each([
    { actor: 'callerA' as const, status: 403, code: 'forbidden' },
    { actor: 'organizerB' as const, status: 404, code: 'not_found' },
  ])('$actor gets $status on every campaign route and nothing changes', async ({ actor, status, code }) => {
    for (const request of requests()) {
      const before = await campaignTables();
      const response = await t.request(request.method, request.url, { cookie: cookies[actor], ...(request.body ? { body: request.body } : {}) });
      expectRefused(response, status, code);
      expect(await campaignTables()).toEqual(before);
    }
    expect(await get(campaign.id)).toEqual(campaign);
  });

  test('without a session: 401', async () => {
    expectRefused(await t.request('GET', `/api/campaigns/${campaign.id}`), 401, 'unauthenticated');
  });

  test('the district admin above may manage it', async () => {
    const response = await t.request('PUT', `/api/campaigns/${campaign.id}`, { cookie: cookies.adminDistrict, body: { briefing: 'Från distriktet' } });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json<CampaignView>().briefing).toBe('Från distriktet');
  });
});
