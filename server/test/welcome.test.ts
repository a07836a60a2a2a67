// New-member welcome calls: a campaign that names the list column with the join date measures each
// new member against their own two weeks (reached) and month (invited to an activity), lists who is
// overdue for the organizers who call them, and gives the district the share welcomed in time per
// organisation beneath it.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { CampaignView } from '../src/contract/api';
import { changeStatus } from '../src/modules/campaigns/campaigns.service';
import { ALWAYS_WINDOW } from '../src/modules/campaigns/outcomes';
import type { CampaignWelcomeValue, OrganisationWelcomeValue } from '../src/modules/stats/stats.schemas';
import { parseJoinDate } from '../src/modules/stats/welcome';
import { errorCode, TestContext, type TestUser } from './harness';
import { listImport } from './multipart';

let t: TestContext;
let district: { id: string };
let north: { id: string };
let south: { id: string };
let districtOrganizer: TestUser;
let northOrganizer: TestUser;
let caller: TestUser;

// The test clock stands at 2026-10-04 17:00 UTC (19:00 in Stockholm).
const MEMBERS = [
  // name, joined, what happens
  ['Alva', '2026-09-01', 'conversation'], // reached today: 33 days after joining, late
  ['Bertil', '2026-09-25', 'conversation+event'], // reached and invited in time
  ['Cissi', '2026-10-01', 'no-answer'], // tried, not reached; still within two weeks
  ['Dan', '10.09.2026', 'none'], // never called, two weeks over: overdue
  ['Eja', '2026-09-12 00:00:00', 'none'], // Excel's date and time; overdue (deadline 26 September)
  ['Fred', 'okänt', 'none'], // no readable date
] as const;

beforeAll(async () => {
  t = await TestContext.create();
  district = await t.newOrg({ name: 'Distriktet', kind: 'district', country: 'SE' });
  north = await t.newOrg({ parent: district, name: 'Norra föreningen' });
  south = await t.newOrg({ parent: district, name: 'Södra föreningen' });
  districtOrganizer = await t.newUser([{ org: district, role: 'organizer' }]);
  northOrganizer = await t.newUser([{ org: north, role: 'organizer' }]);
  caller = await t.newUser([{ org: north, role: 'caller' }]);
});
afterAll(() => t.close());

async function welcomeCampaign(org: { id: string }, organizer: TestUser, rows: readonly (readonly [string, string, string])[], first: number): Promise<string> {
  const cookie = await t.login(organizer);
  const lines = rows.map(([name, joined], i) => `${name};Medlem;070${first + i};${joined}`).join('\r\n');
  const body = listImport({ name: `Nya medlemmar ${first}` }, { field: 'file', filename: 'nya.csv', content: `Förnamn;Efternamn;Mobil;Medlem sedan\r\n${lines}\r\n` });
  const list = await t.request('POST', `/api/orgs/${org.id}/lists`, { cookie, body: body.payload, headers: { 'content-type': body.contentType } });
  expect(list.statusCode, list.body).toBe(202);
  await t.app.ctx.importer.wait(list.json<{ id: string }>().id);
  const group = await t.request('POST', `/api/orgs/${org.id}/target-groups`, { cookie, body: { name: `Nya ${first}`, listIds: [list.json<{ id: string }>().id], filters: [] } });
  expect(group.statusCode, group.body).toBe(201);
  const created = await t.request('POST', `/api/orgs/${org.id}/campaigns`, {
    cookie,
    body: {
      name: `Välkomstsamtal ${first}`,
      targetGroupIds: [group.json<{ id: string }>().id],
      callingWindow: ALWAYS_WINDOW,
      welcomeAttribute: 'Medlem sedan',
      questions: [{ id: 'meeting', kind: 'yes-no', text: 'Vill du komma på medlemsmötet?', tags: ['event'] }],
    },
  });
  expect(created.statusCode, created.body).toBe(201);
  const campaign = created.json<CampaignView>();
  expect(campaign.welcomeAttribute).toBe('Medlem sedan');
  await changeStatus(t.db, t.clock, organizer.id, campaign.id, 'active');
  return campaign.id;
}

describe('a welcome campaign', () => {
  let campaignId = '';

  test('measures each new member against their own two weeks and month, and lists who is overdue', async () => {
    campaignId = await welcomeCampaign(north, northOrganizer, MEMBERS, 3_200_000);
    // The caller calls whoever comes, and does what the table says for them.
    for (;;) {
      const { assignment } = await t.app.ctx.calling.next(caller.id, campaignId);
      if (!assignment) break;
      const plan = MEMBERS.find(([name]) => name === assignment.contact.firstName)?.[2] ?? 'none';
      if (plan === 'none') {
        await t.app.ctx.calling.release(caller.id, assignment.id);
        await t.db.updateTable('campaignContact').set({ state: 'done', doneReason: 'test' }).where('campaignId', '=', campaignId).where('personId', '=', assignment.contact.id).execute();
        continue;
      }
      const outcome = plan.startsWith('conversation') ? 'conversation' : 'no-answer';
      await t.app.ctx.calling.complete(caller.id, { assignmentId: assignment.id, key: randomUUID(), outcome, answers: plan.endsWith('+event') ? { meeting: true } : {} });
    }

    const response = await t.request('GET', `/api/campaigns/${campaignId}/welcome`, { cookie: await t.login(northOrganizer) });
    expect(response.statusCode, response.body).toBe(200);
    const report = response.json<CampaignWelcomeValue>();
    expect(report).toMatchObject({ joinedAttribute: 'Medlem sedan', today: '2026-10-04', people: 5, withoutDate: 1, inTime: 1, late: 1, overdue: 2, open: 1, invitedInTime: 1, shareInTime: 0.25 });
    // Who to call, most urgent first: the overdue ones, then those still within their two weeks.
    expect(report.toCall?.map((person) => [person.firstName, person.joinedOn, person.deadline, person.status])).toEqual([
      ['Dan', '2026-09-10', '2026-09-24', 'overdue'],
      ['Eja', '2026-09-12', '2026-09-26', 'overdue'],
      ['Cissi', '2026-10-01', '2026-10-15', 'open'],
    ]);
  });

  test('the district sees the figures and the share per organisation, never the names', async () => {
    // A second welcome campaign in the south, nobody called yet.
    const southOrganizer = await t.newUser([{ org: south, role: 'organizer' }]);
    await welcomeCampaign(south, southOrganizer, [['Gun', '2026-09-01', 'none'], ['Hugo', '2026-09-30', 'none']], 3_300_000);
    const cookie = await t.login(districtOrganizer);
    const report = (await t.request('GET', `/api/campaigns/${campaignId}/welcome`, { cookie })).json<CampaignWelcomeValue>();
    expect(report.inTime).toBe(1);
    expect(report.toCall).toBeNull();

    const response = await t.request('GET', `/api/orgs/${district.id}/welcome`, { cookie });
    expect(response.statusCode, response.body).toBe(200);
    const tree = response.json<OrganisationWelcomeValue>();
    expect(tree).toMatchObject({ campaigns: 2, people: 7, inTime: 1, late: 1, overdue: 3, open: 2, shareInTime: 0.2 });
    expect(tree.children.map((child) => [child.name, child.people, child.inTime, child.overdue, child.shareInTime])).toEqual([
      ['Norra föreningen', 5, 1, 2, 0.25],
      ['Södra föreningen', 2, 0, 1, 0],
    ]);
    expect(response.body).not.toContain('Dan');
  });

  test('who may see it, and a campaign that is not a welcome campaign', async () => {
    expect((await t.request('GET', `/api/campaigns/${campaignId}/welcome`, { cookie: await t.login(caller) })).statusCode).toBe(403);
    expect((await t.request('GET', `/api/orgs/${south.id}/welcome`, { cookie: await t.login(northOrganizer) })).statusCode).toBe(404);
    // Turned off in the settings, the report says why it has nothing to show.
    const cookie = await t.login(northOrganizer);
    const changed = await t.request('PUT', `/api/campaigns/${campaignId}`, { cookie, body: { welcomeAttribute: null } });
    expect(changed.statusCode, changed.body).toBe(200);
    const refused = await t.request('GET', `/api/campaigns/${campaignId}/welcome`, { cookie });
    expect(refused.statusCode).toBe(400);
    expect(errorCode(refused)).toBe('not_a_welcome_campaign');
  });
});

test('join dates as organisations write them', () => {
  expect(parseJoinDate('2026-10-04')).toBe('2026-10-04');
  expect(parseJoinDate('2026-10-04 00:00:00')).toBe('2026-10-04');
  expect(parseJoinDate('2026-10-04T12:00:00Z')).toBe('2026-10-04');
  expect(parseJoinDate('4.10.2026')).toBe('2026-10-04');
  expect(parseJoinDate('04/10/2026')).toBe('2026-10-04');
  expect(parseJoinDate('20261004')).toBe('2026-10-04');
  expect(parseJoinDate(' 2026-1-4 ')).toBe('2026-01-04');
  for (const bad of ['', 'okänt', '2026-02-30', '31.04.2026', '1850-01-01', '2026', null, undefined]) expect(parseJoinDate(bad)).toBeNull();
});
