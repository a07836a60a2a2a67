// Where each list came from and on what legal basis (GDPR Art. 9 and 14): every import must say,
// or it is refused with a specific 400 and nothing is kept; the source is stored and shown with the
// list; a list imported before Ringa asked shows none and can have it recorded afterwards, audited.
import { readdir } from 'node:fs/promises';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ListView } from '../src/contract/api';
import { TestContext, errorCode, type TestUser } from './harness';
import { multipart } from './multipart';

let t: TestContext;
let district: { id: string };
let association: { id: string };
let sibling: { id: string };
let organizer: TestUser;
let cookie: string;

const FILE = 'Förnamn;Mobil\r\nAnna;070-123 45 67\r\nBo;070-765 43 21\r\n';

beforeAll(async () => {
  // 23:30 UTC on 1 March is already 2 March in Stockholm, the organisations' time zone.
  t = await TestContext.create({ now: new Date('2026-03-01T23:30:00Z') });
  district = await t.newOrg({ name: 'Region Syd', kind: 'district', country: 'SE' });
  association = await t.newOrg({ parent: district, name: 'S-föreningen Söder' });
  sibling = await t.newOrg({ parent: district, name: 'S-föreningen Norr' });
  organizer = await t.newUser([{ org: association, role: 'organizer' }]);
  cookie = await t.login(organizer);
});
afterAll(() => t.close());

/** Posts an import with exactly these form fields (no default source). */
function post(orgId: string, fields: Record<string, string>, as = cookie) {
  const body = multipart({ name: 'Köpt lista', ...fields }, { field: 'file', filename: 'lista.csv', content: FILE });
  return t.request('POST', `/api/orgs/${orgId}/lists`, { cookie: as, body: body.payload, headers: { 'content-type': body.contentType } });
}

async function importedList(fields: Record<string, string>): Promise<ListView> {
  const response = await post(association.id, fields);
  expect(response.statusCode, response.body).toBe(202);
  const { id } = response.json<{ id: string }>();
  await t.app.ctx.importer.wait(id);
  return (await t.request('GET', `/api/lists/${id}`, { cookie })).json<ListView>();
}

/** What an import could leave behind: lists, people, memberships, problem rows, uploaded files. */
async function footprint() {
  const count = async (table: 'targetList' | 'person' | 'listPerson' | 'listRowProblem') =>
    Number((await t.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  return {
    lists: await count('targetList'),
    people: await count('person'),
    memberships: await count('listPerson'),
    problems: await count('listRowProblem'),
    uploads: (await readdir(t.app.ctx.uploadDir)).length,
    tables: await t.tableCounts(),
  };
}

describe('an import that does not say where the list came from, or on what basis, is refused and imports nothing', () => {
  const broker = { source: 'broker', sourceName: 'Adressbolaget AB', sourceDate: '2026-02-15', basis: 'legitimate-interest' };
  test.each([
    ['no source', { basis: 'members' }, 'source_required'],
    ['an unknown source', { source: 'friends', basis: 'members' }, 'source_required'],
    ['no legal basis', { source: 'members' }, 'basis_required'],
    ['an unknown basis', { source: 'members', basis: 'because' }, 'basis_required'],
    ['a broker without its name', { ...broker, sourceName: '  ' }, 'source_name_required'],
    ['"other" without a description', { source: 'other', basis: 'consent' }, 'source_name_required'],
    ['a broker without the date bought', { ...broker, sourceDate: '' }, 'source_date_required'],
    ['a date that is no day', { ...broker, sourceDate: '2026-02-30' }, 'invalid_source_date'],
    ['a date written the Swedish way', { ...broker, sourceDate: '15/2 2026' }, 'invalid_source_date'],
    ['a date not yet come in Stockholm', { ...broker, sourceDate: '2026-03-03' }, 'source_date_in_future'],
    ['a source description over 200 characters', { source: 'other', sourceName: 'x'.repeat(201), basis: 'consent' }, 'validation'],
  ] as const)('%s: 400 %s', async (_what, fields, code) => {
    const before = await footprint();
    const response = await post(association.id, fields);
    expect(response.statusCode, response.body).toBe(400);
    expect(errorCode(response)).toBe(code);
    expect(response.json<{ error: { message: string } }>().error.message.length).toBeGreaterThan(20);
    expect(await footprint()).toEqual(before);
  });
});

test('a list bought from a broker keeps its broker, date and basis, in the list and in the organisation’s lists', async () => {
  // Today in Stockholm (2 March) is not in the future, although it is still 1 March in UTC.
  const list = await importedList({ source: 'broker', sourceName: ' Adressbolaget AB ', sourceDate: '2026-03-02', basis: 'legitimate-interest' });
  expect(list.status).toBe('ready');
  expect(list.counts.imported).toBe(2);
  expect(list.source).toEqual({ kind: 'broker', name: 'Adressbolaget AB', date: '2026-03-02', basis: 'legitimate-interest' });
  const stored = await t.db.selectFrom('targetList').select(['sourceKind', 'sourceName', 'legalBasis']).where('id', '=', list.id).executeTakeFirstOrThrow();
  expect(stored).toEqual({ sourceKind: 'broker', sourceName: 'Adressbolaget AB', legalBasis: 'legitimate-interest' });
  const all = (await t.request('GET', `/api/orgs/${association.id}/lists`, { cookie })).json<{ lists: ListView[] }>().lists;
  expect(all.find((other) => other.id === list.id)?.source).toEqual(list.source);
});

test.each([
  ['the member register', { source: 'members', basis: 'members' }, { kind: 'members', name: null, date: null, basis: 'members' }],
  ['people who signed up', { source: 'signup', basis: 'consent', sourceDate: '2025-09-01' }, { kind: 'signup', name: null, date: '2025-09-01', basis: 'consent' }],
  ['other, described', { source: 'other', sourceName: 'Namninsamling på torget', basis: 'consent' }, { kind: 'other', name: 'Namninsamling på torget', date: null, basis: 'consent' }],
] as const)('%s needs no broker or date', async (_what, fields, source) => {
  expect((await importedList(fields)).source).toEqual(source);
});

describe('a list imported before Ringa asked', () => {
  async function oldList(orgId = association.id): Promise<string> {
    const row = await t.db
      .insertInto('targetList')
      .values({ organisationId: orgId, name: 'Medlemmar 2024', country: 'SE', status: 'ready', createdAt: t.clock.now(), finishedAt: t.clock.now() })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }
  const put = (listId: string, body: unknown, as = cookie) => t.request('PUT', `/api/lists/${listId}/source`, { cookie: as, body });
  const auditOf = (listId: string) =>
    t.db.selectFrom('auditEvent').selectAll().where('action', '=', 'list.source-recorded').where(sql`details->>'listId'`, '=', listId).orderBy('id').execute();

  test('shows no source, and gets one recorded: stored, shown, and in the audit log with no description', async () => {
    const listId = await oldList();
    expect((await t.request('GET', `/api/lists/${listId}`, { cookie })).json<ListView>().source).toBeNull();

    const recorded = await put(listId, { kind: 'other', name: 'Kalle Karlssons kontaktbok', date: '2024-05-01', basis: 'consent' });
    expect(recorded.statusCode, recorded.body).toBe(200);
    expect(recorded.json<ListView>().source).toEqual({ kind: 'other', name: 'Kalle Karlssons kontaktbok', date: '2024-05-01', basis: 'consent' });
    expect((await t.request('GET', `/api/lists/${listId}`, { cookie })).json<ListView>().source?.kind).toBe('other');

    const [event, ...more] = await auditOf(listId);
    expect(more).toHaveLength(0);
    expect(event).toMatchObject({ organisationId: association.id, actorUserId: organizer.id, details: { listId, source: 'other', basis: 'consent' } });
    expect(JSON.stringify(event?.details)).not.toContain('Kalle');

    // Corrected later: the new source replaces the old, and the log says it was a correction.
    const corrected = await put(listId, { kind: 'members', basis: 'members' });
    expect(corrected.json<ListView>().source).toEqual({ kind: 'members', name: null, date: null, basis: 'members' });
    expect((await auditOf(listId)).at(-1)?.details).toEqual({ listId, source: 'members', basis: 'members', corrected: true });
  });

  test.each([
    ['a broker without a date', { kind: 'broker', name: 'Adressbolaget AB', basis: 'legitimate-interest' }, 'source_date_required'],
    ['a broker without a name', { kind: 'broker', date: '2024-01-01', basis: 'legitimate-interest' }, 'source_name_required'],
    ['a future date', { kind: 'signup', date: '2027-01-01', basis: 'consent' }, 'source_date_in_future'],
    ['no basis', { kind: 'members' }, 'validation'],
    ['an unknown kind', { kind: 'friends', basis: 'consent' }, 'validation'],
  ] as const)('refuses %s (400 %s) and keeps it not recorded', async (_what, body, code) => {
    const listId = await oldList();
    const before = await t.tableCounts();
    const response = await put(listId, body);
    expect(response.statusCode, response.body).toBe(400);
    expect(errorCode(response)).toBe(code);
    expect((await t.request('GET', `/api/lists/${listId}`, { cookie })).json<ListView>().source).toBeNull();
    expect(await t.tableCounts()).toEqual(before);
  });

  test("an organizer of a sibling association finds no list of another's; a caller may not record one", async () => {
    const listId = await oldList(sibling.id);
    const refused = await put(listId, { kind: 'members', basis: 'members' });
    expect(refused.statusCode).toBe(404);
    const caller = await t.newUser([{ org: sibling, role: 'caller' }]);
    expect((await put(listId, { kind: 'members', basis: 'members' }, await t.login(caller))).statusCode).toBe(403);
    expect((await t.db.selectFrom('targetList').select('sourceKind').where('id', '=', listId).executeTakeFirstOrThrow()).sourceKind).toBeNull();
  });
});
