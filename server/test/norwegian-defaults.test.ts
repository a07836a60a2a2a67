// Norwegian organisations (country NO) get Norwegian defaults wherever Ringa chooses by country: the
// time zone (Europe/Oslo, also for the organisations made under them), the country their lists' numbers
// are read in (+47), the first-contact notice in Bokmål, and the calling hours a new campaign starts
// with and is warned against (weekdays 09–21, no weekends, as Norway's telemarketing rules have it),
// also when the CLI makes the campaign.
// A Swedish organisation beside it keeps Sweden's, so each check shows the country deciding.
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { CallingWindow, CampaignView, ListView, OrganisationView } from '../src/contract/api';
import { DEFAULT_WINDOW, NORWEGIAN_WINDOW } from '../src/modules/campaigns/outcomes';
import { DEFAULT_NOTICE } from '../src/modules/privacy/privacy-settings';
import { runCli, TestContext } from './harness';
import { listImport } from './multipart';

let t: TestContext;
let cookie = '';
let district: { id: string };
let oslo: OrganisationView;
let uppsala: OrganisationView;

beforeAll(async () => {
  t = await TestContext.create();
  district = await t.newOrg({ name: 'Nordens förbund', kind: 'district', country: 'SE' });
  const admin = await t.newUser([{ org: district, role: 'admin' }]);
  cookie = await t.login(admin);
  oslo = await child(district.id, { name: 'Oslo Arbeiderparti', kind: 'fylkesparti', country: 'NO' });
  uppsala = await child(district.id, { name: 'Arbetarekommunen i Uppsala', kind: 'arbetarekommun', country: 'SE' });
});

afterAll(async () => {
  await t?.close();
});

async function child(parentId: string, body: Record<string, string>): Promise<OrganisationView> {
  const response = await t.request('POST', `/api/orgs/${parentId}/children`, { cookie, body });
  expect(response.statusCode, response.body).toBe(201);
  return response.json<OrganisationView>();
}

async function importList(orgId: string, content: string, name = 'Medlemmer'): Promise<ListView> {
  const body = listImport({ name }, { field: 'file', filename: 'medlemmer.csv', content });
  const response = await t.request('POST', `/api/orgs/${orgId}/lists`, { cookie, body: body.payload, headers: { 'content-type': body.contentType } });
  expect(response.statusCode, response.body).toBe(202);
  const { id } = response.json<{ id: string }>();
  await t.app.ctx.importer.wait(id);
  return (await t.request('GET', `/api/lists/${id}`, { cookie })).json<ListView>();
}

async function newCampaign(orgId: string, callingWindow?: CallingWindow): Promise<CampaignView> {
  const list = await importList(orgId, orgId === oslo.id ? 'Fornavn;Mobil\r\nKari;912 34 567\r\n' : 'Förnamn;Mobil\r\nAnna;070-123 45 67\r\n');
  const group = await t.request('POST', `/api/orgs/${orgId}/target-groups`, { cookie, body: { name: `Gruppe ${list.id}`, listIds: [list.id], filters: [] } });
  expect(group.statusCode, group.body).toBe(201);
  const body = { name: 'Høstens samtaler', targetGroupIds: [group.json<{ id: string }>().id], ...(callingWindow ? { callingWindow } : {}) };
  const response = await t.request('POST', `/api/orgs/${orgId}/campaigns`, { cookie, body });
  expect(response.statusCode, response.body).toBe(201);
  return response.json<CampaignView>();
}

test('a Norwegian organisation is in Europe/Oslo, and so is one made under it without saying more', async () => {
  expect(oslo).toMatchObject({ country: 'NO', timeZone: 'Europe/Oslo' });
  const lokallag = await child(oslo.id, { name: 'Grünerløkka Arbeiderlag', kind: 'lokallag' });
  expect(lokallag).toMatchObject({ country: 'NO', timeZone: 'Europe/Oslo' });
  expect(uppsala).toMatchObject({ country: 'SE', timeZone: 'Europe/Stockholm' });
});

test('its lists read numbers as Norwegian: 8 digits become +47, a Swedish mobile is a problem', async () => {
  const list = await importList(oslo.id, 'Fornavn;Mobil\r\nKari;912 34 567\r\nOla;41 23 45 67\r\nSven;070-123 45 67\r\n');
  expect(list).toMatchObject({ country: 'NO', counts: { rows: 3, imported: 2, invalid: 1 } });
  const phones = await t.db.selectFrom('person').select('phone').where('organisationId', '=', oslo.id).orderBy('phone').execute();
  expect(phones.map((row) => row.phone)).toEqual(['+4741234567', '+4791234567']);

  // The same file in the Swedish organisation: the Swedish mobile is the one that passes.
  const swedish = await importList(uppsala.id, 'Förnamn;Mobil\r\nSven;070-123 45 67\r\n');
  expect(swedish).toMatchObject({ country: 'SE', counts: { rows: 1, imported: 1, invalid: 0 } });
});

test('its first-contact notice is Ringa\'s Norwegian one, with the sources in Norwegian', async () => {
  const response = await t.request('GET', `/api/orgs/${oslo.id}/notice`, { cookie });
  expect(response.statusCode, response.body).toBe(200);
  const notice = response.json<{ language: string; notice: string; defaultNotice: string; preview: { sources: { kind: string | null; text: string }[] } }>();
  expect(notice.language).toBe('nb');
  expect(notice.notice).toBe(DEFAULT_NOTICE.nb);
  expect(notice.notice).toMatch(/^Jeg ringer fra \{organisation\}\. Vi har nummeret ditt fra \{source\}\./);
  expect(notice.preview.sources.find((source) => source.kind === 'broker')?.text).toBe('en adresseliste vi har kjøpt fra Firmaet AS');
  expect(notice.preview.sources.find((source) => source.kind === 'members')?.text).toBe('medlemsregisteret vårt');

  const swedish = (await t.request('GET', `/api/orgs/${uppsala.id}/notice`, { cookie })).json<{ language: string }>();
  expect(swedish.language).toBe('sv');
});

test('its campaigns start with weekdays 09–21 and no weekends, and are warned against Sweden\'s weekend hours', async () => {
  const norwegian = await newCampaign(oslo.id);
  expect(norwegian.callingWindow).toEqual(NORWEGIAN_WINDOW);
  expect(norwegian.callingWindow).toMatchObject({ mon: [['09:00', '21:00']], fri: [['09:00', '21:00']], sat: [], sun: [] });
  expect(norwegian.windowWarning).toBe(false);

  // Saturday 11–17 is usual in Sweden and outside the usual hours in Norway; 20–21 on a weekday the other way round.
  expect((await newCampaign(oslo.id, DEFAULT_WINDOW)).windowWarning).toBe(true);
  expect((await newCampaign(uppsala.id, DEFAULT_WINDOW)).windowWarning).toBe(false);
  expect((await newCampaign(oslo.id, NORWEGIAN_WINDOW)).windowWarning).toBe(false);
  expect((await newCampaign(uppsala.id, NORWEGIAN_WINDOW)).windowWarning).toBe(true);

  const swedish = await newCampaign(uppsala.id);
  expect(swedish.callingWindow).toEqual(DEFAULT_WINDOW);
});

test('the CLI\'s default window is the organisation\'s country\'s too', async () => {
  await importList(oslo.id, 'Fornavn;Mobil\r\nAnne;913 45 678\r\n', 'Ringeliste Oslo');
  const created = runCli(t.databaseUrl, 'campaign:create', '--org', 'Nordens förbund/Oslo Arbeiderparti', '--name', 'Vårens ringekveld', '--lists', 'Ringeliste Oslo', '--json');
  expect(created.status, created.stderr).toBe(0);
  expect(JSON.parse(created.stdout)).toMatchObject({ callingWindow: NORWEGIAN_WINDOW, windowWarning: false });
}, 120_000); // one CLI process starting tsx: many seconds on a busy 2-core machine
