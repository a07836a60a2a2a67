// The first-contact notice (GDPR Art. 14): an organisation's notice by its country's language, inherited
// down the tree and overridden by an organisation and by a campaign; placeholders checked; the notice
// filled with where the person's number came from and shown only for a person no one has spoken to;
// whether the caller gave it saved with the call, and the campaign's share of first calls with it.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { io } from 'socket.io-client';
import type { CampaignView, OrganisationNotice } from '../src/contract/api';
import type { Assignment } from '../src/contract/realtime';
import { DEFAULT_NOTICE } from '../src/modules/privacy/privacy-settings';
import { ask, type Client } from './ask';
import { TestContext, errorCode, type TestUser } from './harness';

let t: TestContext;
let url: string;
let district: { id: string };
let association: { id: string };
let adminDistrict: string;
let adminAssociation: string;
let organizer: TestUser;
let organizerCookie: string;
let callerCookie: string;
const opened: Client[] = [];

beforeAll(async () => {
  t = await TestContext.create();
  url = await t.app.listen({ port: 0, host: '127.0.0.1' });
  district = await t.newOrg({ name: 'Region Nord', kind: 'district', country: 'SE' });
  association = await t.newOrg({ parent: district, name: 'S-föreningen Centrum' });
  adminDistrict = await t.login(await t.newUser([{ org: district, role: 'admin' }]));
  adminAssociation = await t.login(await t.newUser([{ org: association, role: 'admin' }]));
  organizer = await t.newUser([{ org: association, role: 'organizer' }]);
  organizerCookie = await t.login(organizer);
  callerCookie = await t.login(await t.newUser([{ org: association, role: 'caller' }]));
});
afterAll(async () => {
  for (const socket of opened) socket.disconnect();
  await t.close();
});

const getNotice = async (orgId: string, cookie = organizerCookie) => {
  const response = await t.request('GET', `/api/orgs/${orgId}/notice`, { cookie });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<OrganisationNotice>();
};
const putNotice = (orgId: string, notice: string | null, cookie: string) => t.request('PUT', `/api/orgs/${orgId}/notice`, { cookie, body: { notice } });
const ownNotice = async (orgId: string) => (await t.db.selectFrom('organisation').select('notice').where('id', '=', orgId).executeTakeFirstOrThrow()).notice;

describe('an organisation’s notice', () => {
  test('without one of its own, Ringa’s default in the language of the organisation’s country', async () => {
    for (const [country, language] of [['SE', 'sv'], ['DK', 'da'], ['NO', 'nb'], ['FI', 'en']] as const) {
      const org = await t.newOrg({ name: `Topp ${country}`, country });
      const admin = await t.login(await t.newUser([{ org, role: 'admin' }]));
      const view = await getNotice(org.id, admin);
      expect(view).toMatchObject({ organisationId: org.id, language, own: null, from: null, notice: DEFAULT_NOTICE[language], defaultNotice: DEFAULT_NOTICE[language] });
      expect(view.preview.organisation).toBe(`Topp ${country}`);
    }
    const danish = await t.newOrg({ name: 'Kreds Øst', country: 'DK' });
    const admin = await t.login(await t.newUser([{ org: danish, role: 'admin' }]));
    expect((await getNotice(danish.id, admin)).preview.sources.map((source) => source.text)).toEqual([
      'en adresseliste, som vi har købt hos Firmaet A/S',
      'vores medlemsregister',
      'din tilmelding hos os',
      'en af vores kontaktlister',
    ]);
  });

  test('is inherited from the organisation above and overridden by the organisation’s own; null inherits again', async () => {
    const districtText = 'Hej, det är {organisation}. Numret har vi från {source}.';
    expect((await putNotice(district.id, districtText, adminDistrict)).statusCode).toBe(200);
    let view = await getNotice(association.id);
    expect(view).toMatchObject({ notice: districtText, own: null, from: { organisationId: district.id, name: 'Region Nord' } });

    const ownText = '  Jag ringer från {organisation} om valet. Vi fick ditt nummer från {source}.  ';
    const saved = await putNotice(association.id, ownText, adminAssociation);
    expect(saved.statusCode, saved.body).toBe(200);
    expect(saved.json<OrganisationNotice>()).toMatchObject({
      notice: ownText.trim(),
      own: ownText.trim(),
      from: { organisationId: association.id, name: 'S-föreningen Centrum' },
      inheritedFrom: { organisationId: district.id, name: 'Region Nord' },
    });
    expect(await ownNotice(association.id)).toBe(ownText.trim());

    const cleared = await putNotice(association.id, null, adminAssociation);
    expect(cleared.json<OrganisationNotice>()).toMatchObject({ notice: districtText, own: null, from: { organisationId: district.id } });
    expect(await ownNotice(association.id)).toBeNull();

    // The audit log says who changed which organisation's notice, never the text.
    const events = await t.db.selectFrom('auditEvent').select(['action', 'organisationId', 'details']).where('action', '=', 'organisation.notice-changed').orderBy('id').execute();
    expect(events.map((event) => [event.organisationId, event.details])).toEqual([
      [district.id, { own: true }],
      [association.id, { own: true }],
      [association.id, { own: false }],
    ]);
    view = await getNotice(district.id, adminDistrict);
    expect(view).toMatchObject({ own: districtText, inheritedFrom: null });
  });

  test('an unknown placeholder, a stray brace or an empty text is refused with a 400 that names it, and nothing changes', async () => {
    const before = await ownNotice(district.id);
    const auditBefore = (await t.tableCounts()).audit_event;
    for (const [text, code, named] of [
      ['Hej från {organisation}, vi har ditt nummer från {källa}.', 'unknown_placeholder', '{källa}'],
      ['Hej från {Organisation}.', 'unknown_placeholder', '{Organisation}'],
      ['Hej från {organisation. Numret kommer från {source}.', 'unknown_placeholder', '{organisation. Numret kommer från '],
      ['Hej från organisation}.', 'unknown_placeholder', '}'],
      ['   ', 'notice_empty', 'empty'],
    ] as const) {
      const response = await putNotice(district.id, text, adminDistrict);
      expect(response.statusCode, text).toBe(400);
      expect(errorCode(response)).toBe(code);
      expect(response.json<{ error: { message: string } }>().error.message).toContain(named);
    }
    expect((await putNotice(district.id, 'x'.repeat(4001), adminDistrict)).statusCode).toBe(400);
    expect(await ownNotice(district.id)).toBe(before);
    expect((await t.tableCounts()).audit_event).toBe(auditBefore);
  });

  test('organizers read it but only admins change it; callers see it only on their calling screen', async () => {
    expect((await putNotice(association.id, 'Hej från {organisation}.', organizerCookie)).statusCode).toBe(403);
    expect((await t.request('GET', `/api/orgs/${association.id}/notice`, { cookie: callerCookie })).statusCode).toBe(403);
    expect(await ownNotice(association.id)).toBeNull();
  });
});

function client(cookie: string): Promise<Client> {
  const socket: Client = io(url, { path: '/socket.io', transports: ['websocket'], extraHeaders: { cookie, origin: t.origin }, reconnection: false, forceNew: true });
  opened.push(socket);
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

async function next(socket: Client, campaignId: string): Promise<Assignment> {
  const answer = await ask(socket, 'contact:next', { campaignId });
  if (!answer.ok || !answer.data.assignment) throw new Error(`no one to call: ${JSON.stringify(answer)}`);
  return answer.data.assignment;
}

async function save(socket: Client, assignment: Assignment, outcome: string, noticeGiven?: boolean): Promise<string> {
  const answer = await ask(socket, 'call:complete', { assignmentId: assignment.id, key: `notice-${assignment.id}`, outcome, answers: {}, ...(noticeGiven === undefined ? {} : { noticeGiven }) });
  if (!answer.ok) throw new Error(JSON.stringify(answer.error));
  return answer.data.callId;
}

const noticeGiven = async (callId: string) => (await t.db.selectFrom('call').select('noticeGiven').where('id', '=', callId).executeTakeFirstOrThrow()).noticeGiven;

async function setSource(campaignId: string, kind: string | null, name = '') {
  const lists = t.db
    .selectFrom('campaignTargetGroup')
    .innerJoin('targetGroup', 'targetGroup.id', 'campaignTargetGroup.targetGroupId')
    .select(({ fn }) => fn<string>('unnest', ['targetGroup.listIds']).as('id'))
    .where('campaignTargetGroup.campaignId', '=', campaignId);
  await t.db
    .updateTable('targetList')
    .set({ sourceKind: kind, sourceName: name, legalBasis: kind === null ? null : kind === 'members' ? 'members' : 'consent' })
    .where('id', 'in', lists)
    .execute();
}

const campaignView = async (campaignId: string) => (await t.request('GET', `/api/campaigns/${campaignId}`, { cookie: organizerCookie })).json<CampaignView>();

describe('on the caller’s screen', () => {
  test('a person no one has spoken to gets the notice filled with the organisation and where the number came from; what the caller ticked is saved', async () => {
    const campaignId = await t.newOpenCampaign(association, organizer, { people: 8, firstNumber: 1000001 });
    await setSource(campaignId, 'broker', 'Företaget AB');
    const socket = await client(callerCookie);
    expect((await ask(socket, 'campaign:join', { campaignId })).ok).toBe(true);

    // The association has no notice of its own: the district's, in Swedish.
    const first = await next(socket, campaignId);
    expect(first.notice).toBe('Hej, det är S-föreningen Centrum. Numret har vi från en adresslista som vi köpt från Företaget AB.');
    expect(await noticeGiven(await save(socket, first, 'conversation', true))).toBe(true);

    // Ticked or not, the server keeps false when the caller did not tick it.
    const second = await next(socket, campaignId);
    expect(second.notice).not.toBeNull();
    expect(await noticeGiven(await save(socket, second, 'refused'))).toBe(false);
    const third = await next(socket, campaignId);
    expect(await noticeGiven(await save(socket, third, 'do-not-call', false))).toBe(false);

    // No one answered: nobody to tell, so no notice was due (null), whatever the browser sends; the next time it is due again.
    const fourth = await next(socket, campaignId);
    expect(fourth.notice).not.toBeNull();
    expect(await noticeGiven(await save(socket, fourth, 'no-answer', true))).toBeNull();

    // The campaign's own notice goes before the organisation's; {source} follows the list's source as recorded.
    const updated = await t.request('PUT', `/api/campaigns/${campaignId}`, { cookie: organizerCookie, body: { notice: '{organisation}: {source}.' } });
    expect(updated.statusCode, updated.body).toBe(200);
    expect(updated.json<CampaignView>().notice).toBe('{organisation}: {source}.');
    const phrased: string[] = [];
    for (const [kind, name] of [['members', ''], ['signup', ''], ['other', 'namninsamlingen på torget i maj'], [null, ''], ['broker', ''], ['other', '']] as const) {
      await setSource(campaignId, kind, name);
      const assignment = await next(socket, campaignId);
      phrased.push(assignment.notice ?? 'none');
      expect((await ask(socket, 'contact:release', { assignmentId: assignment.id })).ok).toBe(true);
    }
    expect(phrased).toEqual([
      'S-föreningen Centrum: vårt medlemsregister.',
      'S-föreningen Centrum: din anmälan till oss.',
      'S-föreningen Centrum: namninsamlingen på torget i maj.',
      'S-föreningen Centrum: en av våra kontaktlistor.',
      'S-föreningen Centrum: en adresslista som vi köpt.',
      'S-föreningen Centrum: en av våra kontaktlistor.',
    ]);

    // Back to the organisation's notice; a bad placeholder in the campaign's is refused and changes nothing.
    const refused = await t.request('PUT', `/api/campaigns/${campaignId}`, { cookie: organizerCookie, body: { notice: 'Hej {förnamn}' } });
    expect(refused.statusCode).toBe(400);
    expect(errorCode(refused)).toBe('unknown_placeholder');
    expect((await campaignView(campaignId)).notice).toBe('{organisation}: {source}.');
    const inherited = await t.request('PUT', `/api/campaigns/${campaignId}`, { cookie: organizerCookie, body: { notice: null } });
    expect(inherited.json<CampaignView>().notice).toBeNull();
    const campaignEvents = await t.db.selectFrom('auditEvent').select('details').where('action', '=', 'campaign.notice-changed').orderBy('id').execute();
    expect(campaignEvents.map((event) => event.details)).toEqual([
      { campaignId, own: true },
      { campaignId, own: false },
    ]);

    // The share of first calls with the notice given: three answered first calls, one given.
    expect((await campaignView(campaignId)).noticeFigures).toEqual({ firstCalls: 3, given: 1 });
  });

  test('a caller who forgot to tick corrects it with the call; a call corrected to no answer had no notice due', async () => {
    const campaignId = await t.newOpenCampaign(association, organizer, { people: 1, firstNumber: 3000001 });
    const socket = await client(callerCookie);
    await ask(socket, 'campaign:join', { campaignId });
    const callId = await save(socket, await next(socket, campaignId), 'conversation');
    expect(await noticeGiven(callId)).toBe(false);
    const correct = async (outcome: string, given?: boolean) => {
      const answer = await ask(socket, 'call:correct', { callId, outcome, answers: {}, ...(given === undefined ? {} : { noticeGiven: given }) });
      expect(answer.ok, JSON.stringify(answer)).toBe(true);
      return noticeGiven(callId);
    };
    expect(await correct('conversation', true)).toBe(true);
    // Left out, it stays as it was.
    expect(await correct('conversation')).toBe(true);
    expect(await correct('no-answer', true)).toBeNull();
    expect((await campaignView(campaignId)).noticeFigures).toEqual({ firstCalls: 0, given: 0 });
  });

  test('a person someone has spoken to before, in any campaign, gets no notice, and none is saved', async () => {
    const first = await t.newOpenCampaign(association, organizer, { people: 1, firstNumber: 2000001 });
    const socket = await client(callerCookie);
    await ask(socket, 'campaign:join', { campaignId: first });
    const person = await next(socket, first);
    expect(person.notice).not.toBeNull();
    expect(await noticeGiven(await save(socket, person, 'callback', true))).toBe(true);

    // The same person (the same row: the number is merged into the association's people) in another campaign.
    const secondId = await t.newOpenCampaign(association, organizer, { people: 1, firstNumber: 2000001 });
    await ask(socket, 'campaign:join', { campaignId: secondId });
    const again = await next(socket, secondId);
    expect(again.contact.id).toBe(person.contact.id);
    expect(again.notice).toBeNull();
    expect(await noticeGiven(await save(socket, again, 'conversation', true))).toBeNull();
    expect((await campaignView(secondId)).noticeFigures).toEqual({ firstCalls: 0, given: 0 });
  });
});
