// The Members tab: an organisation's own members, or with "include sub-organisations" also those of
// every organisation beneath it, each with the organisation they belong to.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { MemberList } from '../src/contract/api';
import { TestContext, errorCode } from './harness';

let t: TestContext;
beforeAll(async () => {
  t = await TestContext.create();
});
afterAll(() => t.close());

describe('members', () => {
  test('with sub-organisations, the members of every organisation beneath are listed too, each with its organisation', async () => {
    const district = await t.newOrg({ name: 'Distrikt Väst' });
    const town = await t.newOrg({ parent: district, name: 'Borås' });
    const ward = await t.newOrg({ parent: town, name: 'Norrby' });
    const elsewhere = await t.newOrg({ name: 'Distrikt Öst' });
    const organizer = await t.newUser([{ org: district, role: 'organizer' }], { name: 'Anna Organisatör' });
    await t.newUser([{ org: town, role: 'caller' }], { name: 'Bo Ringare' });
    await t.newUser([{ org: ward, role: 'caller' }, { org: district, role: 'caller' }], { name: 'Cilla Både' });
    await t.newUser([{ org: elsewhere, role: 'caller' }], { name: 'Dan Annanstans' });
    const cookie = await t.login(organizer);

    const direct = await t.request('GET', `/api/orgs/${district.id}/members`, { cookie });
    expect(direct.statusCode).toBe(200);
    expect(direct.json<MemberList>().members.map((m) => `${m.name} @ ${m.organisationName}`)).toEqual(['Anna Organisatör @ Distrikt Väst', 'Cilla Både @ Distrikt Väst']);

    const all = await t.request('GET', `/api/orgs/${district.id}/members?subOrganisations=true`, { cookie });
    expect(all.statusCode).toBe(200);
    expect(all.json<MemberList>().members.map((m) => `${m.name} @ ${m.organisationName}`)).toEqual([
      'Anna Organisatör @ Distrikt Väst',
      'Cilla Både @ Distrikt Väst',
      'Bo Ringare @ Borås',
      'Cilla Både @ Norrby',
    ]);
    expect(all.json<MemberList>().members.find((m) => m.name === 'Bo Ringare')?.organisationId).toBe(town.id);

    // From the town down, the district's own members are not shown.
    const fromTown = await t.request('GET', `/api/orgs/${town.id}/members?subOrganisations=true`, { cookie });
    expect(fromTown.json<MemberList>().members.map((m) => m.name)).toEqual(['Bo Ringare', 'Cilla Både']);

    const bad = await t.request('GET', `/api/orgs/${district.id}/members?subOrganisations=maybe`, { cookie });
    expect(bad.statusCode).toBe(400);
    expect(errorCode(bad)).toBe('validation');

    // A caller of the district sees no one, with or without.
    const caller = await t.login((await t.newUser([{ org: district, role: 'caller' }])));
    expect((await t.request('GET', `/api/orgs/${district.id}/members?subOrganisations=true`, { cookie: caller })).statusCode).toBe(403);
  });
});
