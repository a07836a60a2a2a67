// A person's page for organizers (GDPR Art. 15 and 16): search by name or number within one's subtree,
// the page with sources, calls and retention, answers only for the campaign's own organizers,
// corrections, do-not-call and the access export; every view audited without names or numbers.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { FlagList, PersonExport, PersonPage, PersonSearchResult } from '../src/contract/api';
import { changeStatus, createCampaign } from '../src/modules/campaigns/campaigns.service';
import { ALWAYS_WINDOW } from '../src/modules/campaigns/outcomes';
import { addMonths } from '../src/modules/privacy/retention-rules';
import { TestContext, errorCode, type TestUser } from './harness';
import { listImport } from './multipart';

let t: TestContext;
let district: { id: string };
let municipality: { id: string };
let a: { id: string };
let b: { id: string };
const users = {} as Record<'organizerA' | 'callerA' | 'organizerMuni' | 'organizerB', TestUser>;
const cookies = {} as Record<keyof typeof users, string>;
let anna: number;
let campaignId: string;
let listId: string;

async function importList(org: { id: string }, cookie: string, name: string, csv: string): Promise<string> {
  const body = listImport({ name }, { field: 'file', filename: 'lista.csv', content: csv });
  const response = await t.request('POST', `/api/orgs/${org.id}/lists`, { cookie, body: body.payload, headers: { 'content-type': body.contentType } });
  expect(response.statusCode, response.body).toBe(202);
  const id = response.json<{ id: string }>().id;
  await t.app.ctx.importer.wait(id);
  // As if imported before Ringa asked where lists came from; a test records a source where it needs one.
  await t.db.updateTable('targetList').set({ sourceKind: null, sourceName: '', sourceDate: null, legalBasis: null }).where('id', '=', id).execute();
  return id;
}

async function personId(phone: string): Promise<number> {
  return (await t.db.selectFrom('person').select('id').where('phone', '=', phone).executeTakeFirstOrThrow()).id;
}

const search = (org: { id: string }, cookie: string, query: unknown) =>
  t.request('POST', `/api/orgs/${org.id}/people/search`, { cookie, body: { query } });
const names = (response: { json: <T>() => T }) => response.json<PersonSearchResult>().people.map((person) => `${person.firstName} ${person.lastName}`);

beforeAll(async () => {
  t = await TestContext.create();
  district = await t.newOrg({ name: 'Skåne', kind: 'district', country: 'SE' });
  municipality = await t.newOrg({ parent: district, name: 'Malmö', kind: 'municipality' });
  a = await t.newOrg({ parent: municipality, name: 'Malmö Centrum' });
  b = await t.newOrg({ parent: municipality, name: 'Malmö Öster' });
  users.organizerA = await t.newUser([{ org: a, role: 'organizer' }], { name: 'Olle Organisatör' });
  users.callerA = await t.newUser([{ org: a, role: 'caller' }], { name: 'Carin Ringare' });
  users.organizerMuni = await t.newUser([{ org: municipality, role: 'organizer' }], { name: 'Maja Malmö' });
  users.organizerB = await t.newUser([{ org: b, role: 'organizer' }], { name: 'Bo Öster' });
  for (const key of Object.keys(users) as (keyof typeof users)[]) cookies[key] = await t.login(users[key]);

  listId = await importList(a, cookies.organizerA, 'Köpt lista', 'Förnamn;Efternamn;Mobil;Intresse\r\nAnna;Andersson;070-123 45 67;Skola\r\n');
  await importList(a, cookies.organizerA, 'Medlemmar', 'Förnamn;Efternamn;Mobil\r\nCecilia;Anderberg;0702223344\r\nDavid;Berg;0703334455\r\n');
  await importList(b, cookies.organizerB, 'Öster', 'Förnamn;Efternamn;Mobil\r\nAnna;Östlund;0709998877\r\n');
  await t.db
    .updateTable('targetList')
    .set({ sourceKind: 'broker', sourceName: 'Datakällan AB', sourceDate: new Date('2026-09-01T00:00:00Z'), legalBasis: 'legitimate-interest' })
    .where('id', '=', listId)
    .execute();
  anna = await personId('+46701234567');

  // A campaign of A calls Anna: a conversation with answers, notes and a flag.
  const group = await t.request('POST', `/api/orgs/${a.id}/target-groups`, { cookie: cookies.organizerA, body: { name: 'Köpt', listIds: [listId], filters: [] } });
  const campaign = await createCampaign(t.db, t.clock, users.organizerA.id, a.id, {
    name: 'Höstens ringkväll',
    callingWindow: ALWAYS_WINDOW,
    dialing: 'own-phone',
    script: 'Hej {first_name}!',
    questions: [
      { id: 'member', kind: 'yes-no', text: 'Vill du bli medlem?', tags: ['recruit'] },
      { id: 'issue', kind: 'single', text: 'Viktigaste frågan?', choices: [{ value: 'school', label: 'Skolan', tags: [] }, { value: 'care', label: 'Vården', tags: [] }] },
    ],
    targetGroupIds: [group.json<{ id: string }>().id],
  });
  campaignId = campaign.id;
  await changeStatus(t.db, t.clock, users.organizerA.id, campaignId, 'active');
  const { assignment } = await t.app.ctx.calling.next(users.callerA.id, campaignId);
  expect(assignment?.contact.id).toBe(anna);
  await t.app.ctx.calling.complete(users.callerA.id, {
    assignmentId: assignment?.id ?? '',
    key: randomUUID(),
    outcome: 'conversation',
    answers: { member: true, issue: 'school' },
    notes: 'Vill veta mer om skolan',
    noteForNext: 'Ring efter sex',
    flag: 'Undrar var vi fick numret',
  });
});
afterAll(() => t.close());

describe('search', () => {
  test('by name: first or last, a part of it, any case; several words narrow it', async () => {
    expect(names(await search(a, cookies.organizerA, 'anna'))).toEqual(['Anna Andersson']);
    expect(names(await search(a, cookies.organizerA, 'ANDER'))).toEqual(['Cecilia Anderberg', 'Anna Andersson']);
    expect(names(await search(a, cookies.organizerA, 'anna ander'))).toEqual(['Anna Andersson']);
    expect(names(await search(a, cookies.organizerA, 'Zlatan'))).toEqual([]);
    // LIKE's wildcards are letters like any other.
    expect(names(await search(a, cookies.organizerA, 'an%'))).toEqual([]);
    expect(names(await search(a, cookies.organizerA, 'a_na'))).toEqual([]);
  });

  test.each(['070-123 45 67', '+46701234567', '0701234567', '0046 70 123 45 67', '+46 70 123 45 67', '123 45 67'])('by number written %s', async (query) => {
    const response = await search(a, cookies.organizerA, query);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json<PersonSearchResult>()).toEqual({
      people: [{ id: anna, firstName: 'Anna', lastName: 'Andersson', phone: '+46701234567', organisationId: a.id, organisationName: 'Malmö Centrum' }],
      more: false,
    });
  });

  test('within the subtree only: an association sees its own, the municipality both, a sibling nobody of another', async () => {
    expect(names(await search(a, cookies.organizerA, 'Östlund'))).toEqual([]);
    expect(names(await search(a, cookies.organizerA, '0709998877'))).toEqual([]);
    expect(names(await search(b, cookies.organizerB, 'anna'))).toEqual(['Anna Östlund']);
    expect(names(await search(municipality, cookies.organizerMuni, 'anna'))).toEqual(['Anna Andersson', 'Anna Östlund']);
    const sideways = await search(b, cookies.organizerA, 'anna');
    expect(sideways.statusCode).toBe(404);
    const caller = await search(a, cookies.callerA, 'anna');
    expect(caller.statusCode).toBe(403);
  });

  test('at most 50 people, and it says there are more', async () => {
    const rows = Array.from({ length: 55 }, (_, i) => `Many;Person ${String(i).padStart(2, '0')};070${5_000_000 + i}`).join('\r\n');
    await importList(b, cookies.organizerB, 'Många', `Förnamn;Efternamn;Mobil\r\n${rows}\r\n`);
    const response = await search(b, cookies.organizerB, 'many');
    expect(response.json<PersonSearchResult>().people).toHaveLength(50);
    expect(response.json<PersonSearchResult>().more).toBe(true);
    expect(response.json<PersonSearchResult>().people[0]?.lastName).toBe('Person 00');
  });

  test('a query too short to mean anything, or none, is a 400 that says what to type', async () => {
    for (const query of ['', ' ', 'a', '07']) {
      const response = await search(a, cookies.organizerA, query);
      expect(response.statusCode, query).toBe(400);
      expect(errorCode(response)).toBe('query_too_short');
    }
    const missing = await t.request('POST', `/api/orgs/${a.id}/people/search`, { cookie: cookies.organizerA, body: {} });
    expect(missing.statusCode).toBe(400);
  });
});

describe('the page', () => {
  test("the campaign's own organizer sees fields, the list's source, the call with its answers and notes, and retention", async () => {
    const response = await t.request('GET', `/api/people/${anna}`, { cookie: cookies.organizerA });
    expect(response.statusCode, response.body).toBe(200);
    const page = response.json<PersonPage>();
    expect(page).toMatchObject({ id: anna, firstName: 'Anna', lastName: 'Andersson', phone: '+46701234567', organisationName: 'Malmö Centrum', attributes: { Intresse: 'Skola' } });
    expect(page.lists).toEqual([
      expect.objectContaining({ id: listId, name: 'Köpt lista', sourceKind: 'broker', sourceName: 'Datakällan AB', sourceDate: '2026-09-01T00:00:00.000Z', legalBasis: 'legitimate-interest' }),
    ]);
    expect(page.campaigns).toHaveLength(1);
    const [campaign] = page.campaigns;
    expect(campaign).toMatchObject({ id: campaignId, name: 'Höstens ringkväll', status: 'active', contentVisible: true, answersDeleteAt: null, answersRetentionMonths: 12 });
    expect(campaign?.calls).toEqual([
      expect.objectContaining({
        callerName: 'Carin Ringare',
        outcome: { code: 'conversation', label: '' },
        flagged: true,
        content: {
          answers: [
            { question: 'Vill du bli medlem?', answer: true },
            { question: 'Viktigaste frågan?', answer: 'Skolan' },
          ],
          notes: 'Vill veta mer om skolan',
          noteForNext: 'Ring efter sex',
          flagNote: 'Undrar var vi fick numret',
          callbackAt: null,
        },
      }),
    ]);
    expect(page.doNotCall).toEqual([]);
    expect(page.retention).toEqual({ deleteAt: null, after: null, because: 'running-campaign', months: 24 });
  });

  test("an organizer above sees the call without its answers and notes; a list without a recorded source says so", async () => {
    const response = await t.request('GET', `/api/people/${anna}`, { cookie: cookies.organizerMuni });
    expect(response.statusCode).toBe(200);
    const page = response.json<PersonPage>();
    expect(page.campaigns[0]).toMatchObject({ contentVisible: false });
    expect(page.campaigns[0]?.calls[0]).toMatchObject({ callerName: 'Carin Ringare', outcome: { code: 'conversation' }, content: null });
    expect(response.body).not.toContain('Vill veta mer');
    expect(response.body).not.toContain('Skolan');
    expect(response.body).not.toContain('numret');
    const cecilia = await t.request('GET', `/api/people/${await personId('+46702223344')}`, { cookie: cookies.organizerMuni });
    expect(cecilia.json<PersonPage>().lists[0]).toMatchObject({ sourceKind: null, legalBasis: null });
  });

  test('a caller, an organizer of the sibling association and an unknown id find nobody', async () => {
    for (const cookie of [cookies.callerA, cookies.organizerB]) {
      const response = await t.request('GET', `/api/people/${anna}`, { cookie });
      expect(response.statusCode).toBe(404);
      expect(errorCode(response)).toBe('not_found');
    }
    expect((await t.request('GET', '/api/people/999999', { cookie: cookies.organizerA })).statusCode).toBe(404);
    expect((await t.request('GET', '/api/people/anna', { cookie: cookies.organizerA })).statusCode).toBe(400);
  });

  test("the flag on the campaign page carries the person's id", async () => {
    const response = await t.request('GET', `/api/campaigns/${campaignId}/flags`, { cookie: cookies.organizerA });
    expect(response.json<FlagList>().flags?.[0]?.contact).toEqual({ personId: anna, firstName: 'Anna', lastName: 'Andersson' });
  });
});

describe('corrections (Art. 16)', () => {
  const updatedAt = async () => (await t.db.selectFrom('person').select(['updatedAt', 'firstName', 'attributes']).where('id', '=', anna).executeTakeFirstOrThrow());

  test.each([
    { body: {}, code: 'nothing_to_change' },
    { body: { email: 'inte en adress' }, code: 'invalid_email' },
    { body: { attributes: { ' ': 'x' } }, code: 'invalid_attributes' },
    { body: { attributes: { Intresse: 'x'.repeat(1001) } }, code: 'invalid_attributes' },
    { body: { attributes: { Intresse: 'a', ' Intresse ': 'b' } }, code: 'invalid_attributes' },
    { body: { firstName: 'x'.repeat(201) }, code: 'validation' },
    { body: { phone: '+46700000000' }, code: 'validation' },
    { body: { attributes: { Intresse: 5 } }, code: 'validation' },
  ])('$body → 400 $code, nothing changed', async ({ body, code }) => {
    const before = await updatedAt();
    const response = await t.request('PATCH', `/api/people/${anna}`, { cookie: cookies.organizerA, body });
    expect(response.statusCode, response.body).toBe(400);
    expect(errorCode(response)).toBe(code);
    expect(await updatedAt()).toEqual(before);
  });

  test('a correction is saved and answered with the page; a caller cannot make one', async () => {
    t.clock.advance(1000);
    const refused = await t.request('PATCH', `/api/people/${anna}`, { cookie: cookies.callerA, body: { firstName: 'X' } });
    expect(refused.statusCode).toBe(404);
    const response = await t.request('PATCH', `/api/people/${anna}`, {
      cookie: cookies.organizerA,
      body: { firstName: ' Annie ', email: 'annie@example.org', attributes: { Intresse: 'Vård', Ort: 'Malmö' } },
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json<PersonPage>()).toMatchObject({ firstName: 'Annie', lastName: 'Andersson', email: 'annie@example.org', attributes: { Intresse: 'Vård', Ort: 'Malmö' } });
    const removed = await t.request('PATCH', `/api/people/${anna}`, { cookie: cookies.organizerA, body: { firstName: 'Anna', email: '', attributes: { Intresse: 'Skola', Ort: '' } } });
    expect(removed.json<PersonPage>()).toMatchObject({ firstName: 'Anna', email: null, attributes: { Intresse: 'Skola' } });
  });
});

describe('do-not-call, retention and the export', () => {
  test('put on do-not-call from the page: the entry shows on it', async () => {
    const response = await t.request('POST', `/api/people/${await personId('+46703334455')}/do-not-call`, { cookie: cookies.organizerMuni, body: { reason: 'Bad om det i telefon' } });
    expect(response.statusCode, response.body).toBe(201);
    expect(response.json()).toMatchObject({ phone: '+46703334455', organisationId: a.id, source: 'manual' });
    const page = await t.request('GET', `/api/people/${await personId('+46703334455')}`, { cookie: cookies.organizerA });
    expect(page.json<PersonPage>().doNotCall).toEqual([expect.objectContaining({ organisationName: 'Malmö Centrum', reason: 'Bad om det i telefon' })]);
  });

  test('once the campaign finished: answers go 12 months after, the person 24 months after', async () => {
    t.clock.advance(60_000);
    await changeStatus(t.db, t.clock, users.organizerA.id, campaignId, 'finished');
    const finishedAt = t.clock.now();
    const page = (await t.request('GET', `/api/people/${anna}`, { cookie: cookies.organizerA })).json<PersonPage>();
    expect(page.campaigns[0]).toMatchObject({ status: 'finished', finishedAt: finishedAt.toISOString(), answersDeleteAt: addMonths(finishedAt, 12).toISOString() });
    expect(page.retention).toEqual({ deleteAt: addMonths(finishedAt, 24).toISOString(), after: 'last-campaign', because: null, months: 24 });
  });

  test('the export holds everything, with answers for the own organizer and without for one above', async () => {
    const own = await t.request('GET', `/api/people/${anna}/export`, { cookie: cookies.organizerA });
    expect(own.statusCode, own.body).toBe(200);
    expect(own.headers['content-disposition']).toBe(`inline; filename="person-${anna}.json"`);
    const record = own.json<PersonExport>();
    expect(record).toMatchObject({ id: anna, firstName: 'Anna', phone: '+46701234567', exportedAt: t.clock.now().toISOString(), telephonyCalls: [] });
    expect(record.lists[0]).toMatchObject({ sourceName: 'Datakällan AB' });
    expect(record.campaigns[0]?.contact).toMatchObject({ state: expect.any(String) as string, attempts: 1 });
    expect(record.campaigns[0]?.calls[0]?.content).toMatchObject({ notes: 'Vill veta mer om skolan', flagNote: 'Undrar var vi fick numret' });
    expect(record.retention.deleteAt).not.toBeNull();

    const above = await t.request('GET', `/api/people/${anna}/export`, { cookie: cookies.organizerMuni });
    expect(above.statusCode).toBe(200);
    expect(above.json<PersonExport>().campaigns[0]).toMatchObject({ contentVisible: false, calls: [expect.objectContaining({ content: null })] });
    expect(above.body).not.toContain('Vill veta mer');
    for (const cookie of [cookies.callerA, cookies.organizerB]) expect((await t.request('GET', `/api/people/${anna}/export`, { cookie })).statusCode).toBe(404);
  });

  test('the audit log has each search, view, correction, export and do-not-call, naming the person by id only', async () => {
    const rows = await t.db.selectFrom('auditEvent').select(['action', 'details', 'organisationId', 'actorUserId']).where('action', 'like', 'person.%').execute();
    const actions = new Set(rows.map((row) => row.action));
    expect([...actions].sort()).toEqual(['person.corrected', 'person.do-not-call', 'person.exported', 'person.searched', 'person.viewed']);
    const viewed = rows.find((row) => row.action === 'person.viewed' && row.actorUserId === users.organizerA.id);
    expect(viewed).toMatchObject({ organisationId: a.id, details: { personId: anna } });
    expect(rows.find((row) => row.action === 'person.corrected')?.details).toEqual({ personId: anna, fields: 'firstName,email,attributes' });
    expect(rows.find((row) => row.action === 'person.searched')?.details).toEqual({ results: expect.any(Number) as number });
    const text = JSON.stringify(rows);
    for (const personal of ['Anna', 'Andersson', 'Annie', 'annie@', '0701234567', '46701234567', '123 45 67', 'ander', 'Skola', 'Vård', 'Bad om det']) {
      expect(text.toLowerCase()).not.toContain(personal.toLowerCase());
    }
    // Refused requests wrote nothing: no view by a caller or the sibling's organizer.
    expect(rows.filter((row) => row.actorUserId === users.callerA.id || (row.actorUserId === users.organizerB.id && row.action !== 'person.searched'))).toEqual([]);
  });
});
