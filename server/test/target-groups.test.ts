// Target groups through the API as an organizer builds one: the size of every kind of filter over
// real imported lists, exactly; filters combine with AND; lists combine as a union of people; how
// many of the group are on the do-not-call register; the attribute pickers; a group's whole life
// (create, read, change, delete); and refusals, which write nothing.
import type { LightMyRequestResponse } from 'fastify';
import type { Static } from 'typebox';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ListView } from '../src/modules/lists/lists.schemas';
import type { AttributeSummary, Filter, TargetGroupView } from '../src/modules/target-groups/target-groups.schemas';
import { TestContext, errorCode, type TestUser } from './harness';
import { listImport } from './multipart';

type List = Static<typeof ListView>;
type Group = Static<typeof TargetGroupView>;
type FilterValue = Static<typeof Filter>;

// Twelve members of association A. Gun has no birth year; Postnr is written with and without the space.
const MEMBERS = `Förnamn;Efternamn;Mobil;Födelseår;Postnr;Ort
Anna;Ahl;0701000001;1984;602 34;Norrköping
Bo;Berg;0701000002;1985;60234;norrköping
Cecilia;Ceder;0701000003;1990;602 21;Norrköping
David;Dahl;0701000004;2000;6120;Motala
Eva;Ek;0701000005;2001;58 330;Linköping
Frida;Fors;0701000006;1999;602 10;Norrköping
Gun;Gran;0701000007;;603 55;Norrköping
Hans;Holm;0701000008;1958;602 40;Finspång
Ida;Ivarsson;0701000009;1970;171 45;Solna
Jan;Jung;0701000010;1995;602 23;NORRKÖPING
Karin;Kask;0701000011;1986;6120;Motala
Lars;Lund;0701000012;2000;616 02;linköping
`.replace(/\n/g, '\r\n');

// A second list of A: Anna again (same number), and two more.
const VOLUNTEERS = `Förnamn;Mobil;Födelseår;Postnr;Ort
Anna;070-100 00 01;1984;602 34;Norrköping
Mona;0701000013;1992;602 50;Norrköping
Nils;0701000014;okänd;111 22;Stockholm
`;

let t: TestContext;
let district: { id: string };
let orgA: { id: string };
let orgB: { id: string };
let members: List;
let volunteers: List;
let listOfB: List;
let listOfDistrict: List;
let failed: List;
const users = {} as Record<'admin' | 'organizerA' | 'callerA' | 'organizerB', TestUser>;
const cookies = {} as Record<keyof typeof users, string>;

async function importList(orgId: string, name: string, content: string): Promise<List> {
  const body = listImport({ name }, { field: 'file', filename: `${name}.csv`, content });
  const response = await t.request('POST', `/api/orgs/${orgId}/lists`, { cookie: cookies.admin, body: body.payload, headers: { 'content-type': body.contentType } });
  expect(response.statusCode, response.body).toBe(202);
  const { id } = response.json<{ id: string }>();
  await t.app.ctx.importer.wait(id);
  return (await t.request('GET', `/api/lists/${id}`, { cookie: cookies.admin })).json<List>();
}

beforeAll(async () => {
  t = await TestContext.create();
  district = await t.newOrg({ name: 'Östergötland', kind: 'district', country: 'SE' });
  orgA = await t.newOrg({ parent: district, name: 'Norrköping' });
  orgB = await t.newOrg({ parent: district, name: 'Linköping' });
  users.admin = await t.newUser([{ org: district, role: 'admin' }]);
  users.organizerA = await t.newUser([{ org: orgA, role: 'organizer' }]);
  users.callerA = await t.newUser([{ org: orgA, role: 'caller' }]);
  users.organizerB = await t.newUser([{ org: orgB, role: 'organizer' }]);
  for (const key of Object.keys(users) as (keyof typeof users)[]) cookies[key] = await t.login(users[key]);

  members = await importList(orgA.id, 'Medlemmar', MEMBERS);
  volunteers = await importList(orgA.id, 'Volontärer', VOLUNTEERS);
  listOfB = await importList(orgB.id, 'B', 'Mobil\r\n0702000001\r\n');
  listOfDistrict = await importList(district.id, 'Distrikt', 'Mobil\r\n0702000002\r\n');
  // Readable up to its last row, where a quote opens and never closes: the import fails.
  failed = await importList(orgA.id, 'Trasig', `Förnamn;Mobil;Ort\r\n${'Olle;0703000001;Norrköping\r\n'.repeat(3)}Per;0703000002;"Norrköping\r\n`);
  expect([members.status, members.counts]).toEqual(['ready', { rows: 12, imported: 12, invalid: 0, duplicates: 0, suppressed: 0 }]);
  expect([volunteers.status, volunteers.counts]).toEqual(['ready', { rows: 3, imported: 3, invalid: 0, duplicates: 0, suppressed: 0 }]);
  expect([listOfB.status, listOfDistrict.status, failed.status]).toEqual(['ready', 'ready', 'failed']);

  // Bo is on the district's register, Frida on A's; Cecilia only on sibling B's, which does not reach A.
  for (const [orgId, phone] of [
    [district.id, '0701000002'],
    [orgA.id, '0701000006'],
    [orgB.id, '0701000003'],
  ] as const) {
    const response = await t.request('POST', `/api/orgs/${orgId}/do-not-call`, { cookie: cookies.admin, body: { phone } });
    expect(response.statusCode).toBe(201);
  }
});
afterAll(() => t.close());

function size(listIds: string[], filters: FilterValue[], cookie: string = cookies.organizerA, orgId = orgA.id) {
  return t.request('POST', `/api/orgs/${orgId}/target-groups/size`, { cookie, body: { listIds, filters } });
}

async function sizeOf(listIds: string[], filters: FilterValue[]): Promise<{ size: number; doNotCall: number }> {
  const response = await size(listIds, filters);
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
}

const born = (min?: number, max?: number): FilterValue => ({
  attribute: 'Födelseår',
  op: 'range',
  ...(min !== undefined ? { min } : {}),
  ...(max !== undefined ? { max } : {}),
});

describe('the size of a group, exactly', () => {
  test.each<[string, FilterValue[], { size: number; doNotCall: number }]>([
    ['no filters: the whole list, Bo and Frida on the register (Cecilia only on a sibling’s)', [], { size: 12, doNotCall: 2 }],
    ['born 1985–2000, both ends included; no birth year is outside', [born(1985, 2000)], { size: 7, doNotCall: 2 }],
    ['born 1990 or later', [born(1990)], { size: 6, doNotCall: 1 }],
    ['born 1985 or earlier', [born(undefined, 1985)], { size: 4, doNotCall: 1 }],
    ['a range that holds nobody', [born(2002, 2010)], { size: 0, doNotCall: 0 }],
    ['Postnr starting 602, with or without the space', [{ attribute: 'Postnr', op: 'prefix', value: '602' }], { size: 6, doNotCall: 2 }],
    ['Postnr starting "602 3" matches 602 34 and 60234', [{ attribute: 'Postnr', op: 'prefix', value: '602 3' }], { size: 2, doNotCall: 1 }],
    ['Postnr starting 61: 6120 twice and 616 02, not 602…', [{ attribute: 'Postnr', op: 'prefix', value: '61' }], { size: 3, doNotCall: 0 }],
    ['a prefix with a LIKE wildcard matches literally', [{ attribute: 'Postnr', op: 'prefix', value: '6_2' }], { size: 0, doNotCall: 0 }],
    ['Ort equals " norrköping ": case and spaces do not count', [{ attribute: 'Ort', op: 'equals', value: ' norrköping ' }], { size: 6, doNotCall: 2 }],
    ['Ort equals "Norr": whole values only', [{ attribute: 'Ort', op: 'equals', value: 'Norr' }], { size: 0, doNotCall: 0 }],
    ['Ort one of Motala and " LINKÖPING"', [{ attribute: 'Ort', op: 'oneOf', values: ['Motala', ' LINKÖPING'] }], { size: 4, doNotCall: 0 }],
    ['an attribute nobody has', [{ attribute: 'Kommun', op: 'equals', value: 'Norrköping' }], { size: 0, doNotCall: 0 }],
  ])('%s', async (_what, filters, expected) => {
    expect(await sizeOf([members.id], filters)).toEqual(expected);
  });

  test('filters combine with AND', async () => {
    const motalaOrLinkoping: FilterValue = { attribute: 'Ort', op: 'oneOf', values: ['Motala', 'Linköping'] };
    expect(await sizeOf([members.id], [born(1985, 2000), motalaOrLinkoping])).toEqual({ size: 3, doNotCall: 0 });
    const norrkoping: FilterValue = { attribute: 'Ort', op: 'equals', value: 'Norrköping' };
    const postnr: FilterValue = { attribute: 'Postnr', op: 'prefix', value: '602' };
    expect(await sizeOf([members.id], [postnr, norrkoping, born(1990)])).toEqual({ size: 3, doNotCall: 1 });
    expect(await sizeOf([members.id], [postnr, { attribute: 'Ort', op: 'equals', value: 'Motala' }])).toEqual({ size: 0, doNotCall: 0 });
  });

  test('several lists are a union: a person on both counts once', async () => {
    expect(await sizeOf([volunteers.id], [])).toEqual({ size: 3, doNotCall: 0 });
    expect(await sizeOf([members.id, volunteers.id], [])).toEqual({ size: 14, doNotCall: 2 });
    expect(await sizeOf([members.id, volunteers.id], [{ attribute: 'Postnr', op: 'prefix', value: '602' }])).toEqual({ size: 7, doNotCall: 2 });
    // Nils's "okänd" is no year: outside every range.
    expect(await sizeOf([members.id, volunteers.id], [born(1985, 2000)])).toEqual({ size: 8, doNotCall: 2 });
    expect(await sizeOf([members.id, volunteers.id, members.id], [])).toEqual({ size: 14, doNotCall: 2 });
  });

  test('the district may size a group of its associations’ lists, and its own', async () => {
    const response = await size([members.id, listOfB.id, listOfDistrict.id], [], cookies.admin, district.id);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toEqual({ size: 14, doNotCall: 2 });
  });

  test('sizing changes nothing', async () => {
    const before = { counts: await t.tableCounts(), groups: await groupCount() };
    await sizeOf([members.id, volunteers.id], [born(1985, 2000)]);
    expect({ counts: await t.tableCounts(), groups: await groupCount() }).toEqual(before);
  });
});

describe('the attributes to filter on', () => {
  async function attributes(listIds: string[], cookie = cookies.organizerA) {
    return t.request('GET', `/api/orgs/${orgA.id}/target-groups/attributes?listIds=${listIds.join(',')}`, { cookie });
  }

  test('every attribute of the list with its most common values; Födelseår is numeric, Postnr and Ort are not', async () => {
    const response = await attributes([members.id]);
    expect(response.statusCode, response.body).toBe(200);
    const { attributes: found } = response.json<Static<typeof AttributeSummary>>();
    expect(found.map((a) => [a.name, a.numeric])).toEqual([
      ['Födelseår', true],
      ['Ort', false],
      ['Postnr', false],
    ]);
    const [birthYear, city, postcode] = found;
    // Most common first; Gun's empty year is no value.
    expect(birthYear?.values[0]).toEqual({ value: '2000', count: 2 });
    expect(birthYear?.values.map((v) => v.value).sort()).toEqual(['1958', '1970', '1984', '1985', '1986', '1990', '1995', '1999', '2000', '2001']);
    expect(city?.values.slice(0, 2)).toEqual([
      { value: 'Norrköping', count: 4 },
      { value: 'Motala', count: 2 },
    ]);
    expect(city?.values.reduce((sum, v) => sum + v.count, 0)).toBe(12);
    expect(postcode?.values[0]).toEqual({ value: '6120', count: 2 });
    expect(postcode?.values).toHaveLength(11);
  });

  test('several lists: each person once, values from both', async () => {
    const response = await attributes([members.id, volunteers.id]);
    const { attributes: found } = response.json<Static<typeof AttributeSummary>>();
    const city = found.find((a) => a.name === 'Ort');
    expect(city?.values.slice(0, 1)).toEqual([{ value: 'Norrköping', count: 5 }]);
    expect(city?.values).toContainEqual({ value: 'Stockholm', count: 1 });
  });

  test('a list of a sibling, an unknown id, or a malformed id is refused', async () => {
    for (const ids of [[members.id, listOfB.id], [crypto.randomUUID()], [failed.id]]) {
      const response = await attributes(ids);
      expect(response.statusCode, ids.join()).toBe(400);
      expect(errorCode(response)).toBe('invalid_lists');
    }
    const malformed = await attributes([members.id, 'not-a-list']);
    expect(malformed.statusCode).toBe(400);
    expect(errorCode(malformed)).toBe('validation');
  });

  test('a caller may not read them; a sibling’s organizer finds no such organisation', async () => {
    expect((await attributes([members.id], cookies.callerA)).statusCode).toBe(403);
    expect((await attributes([members.id], cookies.organizerB)).statusCode).toBe(404);
  });
});

async function groupCount(): Promise<number> {
  const row = await t.db.selectFrom('targetGroup').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

describe('a group’s life', () => {
  test('create (201), read, list, change (PUT), delete (204), each with its live size', async () => {
    const filters: FilterValue[] = [born(1985, 2000), { attribute: 'Ort', op: 'equals', value: 'norrköping' }];
    const created = await t.request('POST', `/api/orgs/${orgA.id}/target-groups`, {
      cookie: cookies.organizerA,
      body: { name: '  Unga i Norrköping ', listIds: [members.id, volunteers.id], filters },
    });
    expect(created.statusCode, created.body).toBe(201);
    const group = created.json<Group>();
    // Bo, Cecilia, Frida, Jan from the members and Mona from the volunteers; Bo and Frida are on the register.
    expect(group).toEqual({
      id: expect.any(String) as string,
      organisationId: orgA.id,
      name: 'Unga i Norrköping',
      listIds: [members.id, volunteers.id],
      filters,
      size: 5,
      doNotCall: 2,
      createdAt: t.clock.now().toISOString(),
      updatedAt: t.clock.now().toISOString(),
    });

    const read = await t.request('GET', `/api/target-groups/${group.id}`, { cookie: cookies.organizerA });
    expect(read.statusCode).toBe(200);
    expect(read.json()).toEqual(group);
    const listed = await t.request('GET', `/api/orgs/${orgA.id}/target-groups`, { cookie: cookies.organizerA });
    expect(listed.json<{ targetGroups: Group[] }>().targetGroups).toEqual([group]);
    // The district's admin sees it through A, not among the district's own groups.
    expect((await t.request('GET', `/api/target-groups/${group.id}`, { cookie: cookies.admin })).statusCode).toBe(200);
    expect((await t.request('GET', `/api/orgs/${district.id}/target-groups`, { cookie: cookies.admin })).json()).toEqual({ targetGroups: [] });

    t.clock.advance(3_600_000);
    const changedFilters: FilterValue[] = [{ attribute: 'Postnr', op: 'prefix', value: '602' }];
    const changed = await t.request('PUT', `/api/target-groups/${group.id}`, {
      cookie: cookies.organizerA,
      body: { name: 'Postnr 602', listIds: [members.id], filters: changedFilters },
    });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json()).toEqual({
      ...group,
      name: 'Postnr 602',
      listIds: [members.id],
      filters: changedFilters,
      size: 6,
      doNotCall: 2,
      updatedAt: t.clock.now().toISOString(),
    });
    expect((await t.request('GET', `/api/target-groups/${group.id}`, { cookie: cookies.organizerA })).json()).toEqual(changed.json());

    // The size is live: a number added to the register counts at once.
    await t.request('POST', `/api/orgs/${orgA.id}/do-not-call`, { cookie: cookies.organizerA, body: { phone: '0701000010' } });
    expect((await t.request('GET', `/api/target-groups/${group.id}`, { cookie: cookies.organizerA })).json()).toMatchObject({ size: 6, doNotCall: 3 });
    await t.db.deleteFrom('doNotCall').where('phone', '=', '+46701000010').execute();

    const deleted = await t.request('DELETE', `/api/target-groups/${group.id}`, { cookie: cookies.organizerA });
    expect(deleted.statusCode).toBe(204);
    expect((await t.request('GET', `/api/target-groups/${group.id}`, { cookie: cookies.organizerA })).statusCode).toBe(404);
    expect((await t.request('DELETE', `/api/target-groups/${group.id}`, { cookie: cookies.organizerA })).statusCode).toBe(404);
    expect(await groupCount()).toBe(0);
  });

  test('a list named twice is kept once', async () => {
    const created = await t.request('POST', `/api/orgs/${orgA.id}/target-groups`, {
      cookie: cookies.organizerA,
      body: { name: 'Twice', listIds: [members.id, members.id], filters: [] },
    });
    expect(created.statusCode).toBe(201);
    expect(created.json<Group>()).toMatchObject({ listIds: [members.id], size: 12, doNotCall: 2 });
    await t.db.deleteFrom('targetGroup').execute();
  });
});

describe('refusals write nothing', () => {
  let existing: Group;

  beforeAll(async () => {
    const created = await t.request('POST', `/api/orgs/${orgA.id}/target-groups`, {
      cookie: cookies.organizerA,
      body: { name: 'Existing', listIds: [members.id], filters: [born(1990)] },
    });
    existing = created.json<Group>();
  });

  /** The answers of size, create and update with the same lists and filters. */
  async function everyWay(listIds: string[], filters: FilterValue[], cookie = cookies.organizerA): Promise<LightMyRequestResponse[]> {
    return [
      await size(listIds, filters, cookie),
      await t.request('POST', `/api/orgs/${orgA.id}/target-groups`, { cookie, body: { name: 'Refused', listIds, filters } }),
      await t.request('PUT', `/api/target-groups/${existing.id}`, { cookie, body: { name: 'Refused', listIds, filters } }),
    ];
  }

  async function snapshot() {
    return {
      counts: await t.tableCounts(),
      groups: await t.db.selectFrom('targetGroup').selectAll().orderBy('id').execute(),
    };
  }

  test.each<[string, () => string[], FilterValue[], string]>([
    ['a list of a sibling association', () => [members.id, listOfB.id], [], 'invalid_lists'],
    ['a list of the district above', () => [listOfDistrict.id], [], 'invalid_lists'],
    ['a list whose import failed', () => [members.id, failed.id], [], 'invalid_lists'],
    ['a list that does not exist', () => [crypto.randomUUID()], [], 'invalid_lists'],
    ['a range from 2000 down to 1985', () => [members.id], [born(2000, 1985)], 'validation'],
    ['a range with neither end', () => [members.id], [born()], 'validation'],
  ])('%s: 400 on size, create and update', async (_what, listIds, filters, code) => {
    const before = await snapshot();
    const responses = await everyWay(listIds(), filters);
    expect(responses.map((r) => r.statusCode)).toEqual([400, 400, 400]);
    expect(responses.map(errorCode)).toEqual([code, code, code]);
    expect(responses.every((r) => r.json<{ error: { message: string } }>().error.message.length > 20)).toBe(true);
    expect(await snapshot()).toEqual(before);
  });

  test('malformed input: no lists, an unknown operator, an empty name', async () => {
    const before = await snapshot();
    const bodies = [
      { name: 'x', listIds: [], filters: [] },
      { name: 'x', listIds: [members.id], filters: [{ attribute: 'Ort', op: 'contains', value: 'köping' }] },
      { name: '', listIds: [members.id], filters: [] },
      { name: 'x', listIds: ['not-a-uuid'], filters: [] },
    ];
    for (const body of bodies) {
      const response = await t.request('POST', `/api/orgs/${orgA.id}/target-groups`, { cookie: cookies.organizerA, body });
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
      expect(errorCode(response)).toBe('validation');
    }
    expect(await snapshot()).toEqual(before);
  });

  test('a caller of A: 403 on everything', async () => {
    const before = await snapshot();
    const responses = [
      ...(await everyWay([members.id], [], cookies.callerA)),
      await t.request('GET', `/api/orgs/${orgA.id}/target-groups`, { cookie: cookies.callerA }),
      await t.request('GET', `/api/target-groups/${existing.id}`, { cookie: cookies.callerA }),
      await t.request('DELETE', `/api/target-groups/${existing.id}`, { cookie: cookies.callerA }),
    ];
    expect(responses.map((r) => r.statusCode)).toEqual([403, 403, 403, 403, 403, 403]);
    expect(responses.map(errorCode)).toEqual(Array(6).fill('forbidden'));
    expect(await snapshot()).toEqual(before);
  });

  test('the organizer of sibling B: 404 on everything of A, and may not put A’s lists in a group of B', async () => {
    const before = await snapshot();
    const responses = [
      ...(await everyWay([members.id], [], cookies.organizerB)),
      await t.request('GET', `/api/orgs/${orgA.id}/target-groups`, { cookie: cookies.organizerB }),
      await t.request('GET', `/api/target-groups/${existing.id}`, { cookie: cookies.organizerB }),
      await t.request('DELETE', `/api/target-groups/${existing.id}`, { cookie: cookies.organizerB }),
    ];
    expect(responses.map((r) => r.statusCode)).toEqual([404, 404, 404, 404, 404, 404]);
    const inB = await t.request('POST', `/api/orgs/${orgB.id}/target-groups`, {
      cookie: cookies.organizerB,
      body: { name: 'Borrowed', listIds: [members.id], filters: [] },
    });
    expect(inB.statusCode).toBe(400);
    expect(errorCode(inB)).toBe('invalid_lists');
    expect(await snapshot()).toEqual(before);
  });

  test('anyone not signed in: 401', async () => {
    const before = await snapshot();
    const response = await t.request('POST', `/api/orgs/${orgA.id}/target-groups/size`, { body: { listIds: [members.id], filters: [] } });
    expect(response.statusCode).toBe(401);
    const created = await t.request('POST', `/api/orgs/${orgA.id}/target-groups`, { body: { name: 'x', listIds: [members.id], filters: [] } });
    expect(created.statusCode).toBe(401);
    expect(await snapshot()).toEqual(before);
  });

  test('the existing group is as it was', async () => {
    const read = await t.request('GET', `/api/target-groups/${existing.id}`, { cookie: cookies.organizerA });
    expect(read.json<Group>()).toMatchObject({ name: 'Existing', listIds: [members.id], filters: [born(1990)], size: 6, doNotCall: 1 });
  });
});
