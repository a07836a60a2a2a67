// Who may do what, where: every organisation route for every kind of user, on their own
// association, its sibling and the municipality above. Rights flow down the tree, never up or
// sideways; a refused request answers 404 (no role there) or 403 (role too low) and writes nothing.
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { AuditEventView, CampaignList, CampaignView, CreatedInvite, InviteView, ListView, MemberView, OrganisationNotice, OrganisationView, Role, TargetGroupView } from '../src/contract/api';
import { DEFAULT_OUTCOMES } from '../src/modules/campaigns/outcomes';
import { TestContext, errorCode, type TestUser } from './harness';
import { startMailServer, type TestMailServer } from './mail-server';
import { listImport } from './multipart';

type Actor = 'adminA' | 'organizerA' | 'callerA' | 'organizerMuni' | 'adminDistrict' | 'outsider' | 'anonymous';
type OrgKey = 'A' | 'B' | 'municipality';
type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
interface Org {
  id: string;
  name: string;
}

const ACTORS: Actor[] = ['adminA', 'organizerA', 'callerA', 'organizerMuni', 'adminDistrict', 'outsider', 'anonymous'];
const ORGS: OrgKey[] = ['A', 'B', 'municipality'];

// Expected answers, one column per actor in ACTORS order; 'ok' is the route's success status.
type Expected = number | 'ok';
type Table = Record<OrgKey, Expected[]>;
//                              adminA organizerA callerA organizerMuni adminDistrict outsider anonymous
const READ: Table = {
  A: /*             */ ['ok', 'ok', 'ok', 'ok', 'ok', 404, 401],
  B: /*             */ [404, 404, 404, 'ok', 'ok', 404, 401],
  municipality: /*  */ [404, 404, 404, 'ok', 'ok', 404, 401],
};
const MANAGE: Table = {
  A: /*             */ ['ok', 'ok', 403, 'ok', 'ok', 404, 401],
  B: /*             */ [404, 404, 404, 'ok', 'ok', 404, 401],
  municipality: /*  */ [404, 404, 404, 'ok', 'ok', 404, 401],
};
const ADMIN: Table = {
  A: /*             */ ['ok', 403, 403, 403, 'ok', 404, 401],
  B: /*             */ [404, 404, 404, 403, 'ok', 404, 401],
  municipality: /*  */ [404, 404, 404, 403, 'ok', 404, 401],
};
/** Only organizers and admins of the organisation itself (individual calls: notes, names, answers); those above get 403. */
const OWN: Table = {
  A: /*             */ ['ok', 'ok', 403, 403, 403, 404, 401],
  B: /*             */ [404, 404, 404, 403, 403, 404, 401],
  municipality: /*  */ [404, 404, 404, 'ok', 403, 404, 401],
};
/** Organizers and admins of the person's organisation or above; everyone else finds no such person (404, callers too). */
const ERASE: Table = {
  A: /*             */ ['ok', 'ok', 404, 'ok', 'ok', 404, 401],
  B: /*             */ [404, 404, 404, 'ok', 'ok', 404, 401],
  municipality: /*  */ [404, 404, 404, 'ok', 'ok', 404, 401],
};
const CODE: Record<number, string> = { 401: 'unauthenticated', 403: 'forbidden', 404: 'not_found' };
/** The role each signed-in actor holds on every organisation they may see. */
const ROLE_OF: Partial<Record<Actor, Role>> = {
  adminA: 'admin',
  organizerA: 'organizer',
  callerA: 'caller',
  organizerMuni: 'organizer',
  adminDistrict: 'admin',
};

let t: TestContext;
let smtp: TestMailServer;
let district: Org;
let municipality: Org;
let orgs: Record<OrgKey, Org>;
/** The admin who owns each organisation's setup (invites to revoke, and so on). */
let adminOf: Record<OrgKey, string>;
const users = {} as Record<Exclude<Actor, 'anonymous'>, TestUser> & { adminB: TestUser; callerMuni: TestUser };
const cookies = {} as Record<Actor, string | undefined>;

beforeAll(async () => {
  smtp = await startMailServer();
  t = await TestContext.create({ mail: smtp.settings });
  district = await t.newOrg({ name: 'Norrbotten', kind: 'district' });
  municipality = await t.newOrg({ parent: district, name: 'Luleå', kind: 'municipality' });
  const a = await t.newOrg({ parent: municipality, name: 'Luleå Centrum' });
  const b = await t.newOrg({ parent: municipality, name: 'Luleå Öst' });
  orgs = { A: a, B: b, municipality };

  users.adminA = await t.newUser([{ org: a, role: 'admin' }], { name: 'Astrid Admin' });
  users.organizerA = await t.newUser([{ org: a, role: 'organizer' }], { name: 'Olle Organizer' });
  users.callerA = await t.newUser([{ org: a, role: 'caller' }], { name: 'Cecilia Caller' });
  users.organizerMuni = await t.newUser([{ org: municipality, role: 'organizer' }], { name: 'Maja Municipality' });
  users.adminDistrict = await t.newUser([{ org: district, role: 'admin' }], { name: 'Dan District' });
  users.outsider = await t.newUser([], { name: 'Otto Outsider' });
  users.adminB = await t.newUser([{ org: b, role: 'admin' }], { name: 'Bertil Admin B' });
  users.callerMuni = await t.newUser([{ org: municipality, role: 'caller' }], { name: 'Klas Caller' });

  for (const actor of ACTORS) cookies[actor] = actor === 'anonymous' ? undefined : await t.login(users[actor]);
  adminOf = { A: await t.login(users.adminA), B: await t.login(users.adminB), municipality: await t.login(users.adminDistrict) };
});
afterAll(async () => {
  await t.close();
  await smtp.close();
});

function expectedStatus(table: Table, org: OrgKey, actor: Actor, ok: number): number {
  const expected = table[org][ACTORS.indexOf(actor)];
  if (expected === undefined) throw new Error(`no expectation for ${actor} on ${org}`);
  return expected === 'ok' ? ok : expected;
}

function rows(table: Table, ok: number) {
  return ORGS.flatMap((org) => ACTORS.map((actor) => ({ org, actor, status: expectedStatus(table, org, actor, ok) })));
}

/** Sends the request and, when it is refused, shows that no table and no watched value changed. */
async function attempt(
  actor: Actor,
  request: { method: Method; url: string; body?: unknown },
  expected: number,
  watched: () => Promise<unknown> = async () => null,
): Promise<{ response: LightMyRequestResponse; before: unknown; after: unknown }> {
  const countsBefore = await t.tableCounts();
  const before = await watched();
  const response = await t.request(request.method, request.url, { cookie: cookies[actor], body: request.body });
  const after = await watched();
  expect(response.statusCode, response.body).toBe(expected);
  if (expected >= 400) {
    expect(errorCode(response)).toBe(CODE[expected]);
    expect(Object.keys(response.json<object>())).toEqual(['error']);
    expect(await t.tableCounts()).toEqual(countsBefore);
    expect(after).toEqual(before);
  }
  return { response, before, after };
}

async function roleOn(userId: string, org: Org): Promise<string | null> {
  const row = await t.db
    .selectFrom('membership')
    .select('role')
    .where('userId', '=', userId)
    .where('organisationId', '=', org.id)
    .executeTakeFirst();
  return row?.role ?? null;
}

async function inviteIn(org: OrgKey): Promise<string> {
  const response = await t.request('POST', `/api/orgs/${orgs[org].id}/invites`, { cookie: adminOf[org], body: { role: 'caller' } });
  expect(response.statusCode).toBe(201);
  return response.json<CreatedInvite>().invite.id;
}

async function revokedAt(inviteId: string): Promise<Date | null> {
  const row = await t.db.selectFrom('invite').select('revokedAt').where('id', '=', inviteId).executeTakeFirstOrThrow();
  return row.revokedAt;
}

describe('GET /api/orgs lists what each user may see', () => {
  const fixture = ['Norrbotten', 'Norrbotten / Luleå', 'Norrbotten / Luleå / Luleå Centrum', 'Norrbotten / Luleå / Luleå Öst'];
  test.each([
    { actor: 'adminA', paths: ['Norrbotten / Luleå / Luleå Centrum'] },
    { actor: 'organizerA', paths: ['Norrbotten / Luleå / Luleå Centrum'] },
    { actor: 'callerA', paths: ['Norrbotten / Luleå / Luleå Centrum'] },
    { actor: 'organizerMuni', paths: ['Norrbotten / Luleå', 'Norrbotten / Luleå / Luleå Centrum', 'Norrbotten / Luleå / Luleå Öst'] },
    { actor: 'adminDistrict', paths: fixture },
    { actor: 'outsider', paths: [] },
    // Callers see their own organisation only, not the ones below it.
    { actor: 'callerMuni', paths: ['Norrbotten / Luleå'] },
  ] as { actor: Exclude<Actor, 'anonymous'> | 'callerMuni'; paths: string[] }[])('$actor sees $paths', async ({ actor, paths }) => {
    const response = await t.request('GET', '/api/orgs', { cookie: await t.login(users[actor]) });
    expect(response.statusCode).toBe(200);
    const seen = response.json<{ organisations: OrganisationView[] }>().organisations;
    // Sub-organisations created by other tests may appear below; the fixture's four are what matter.
    expect(seen.map((o) => o.path).filter((path) => fixture.includes(path))).toEqual(paths);
    for (const organisation of seen) expect(organisation.myRole).toBe(actor === 'callerMuni' ? 'caller' : ROLE_OF[actor]);
  });

  test('anonymous gets 401', async () => {
    const response = await t.request('GET', '/api/orgs');
    expect(response.statusCode).toBe(401);
    expect(errorCode(response)).toBe('unauthenticated');
  });
});

describe('GET /api/orgs/:orgId', () => {
  test.each(rows(READ, 200))('$org by $actor → $status', async ({ org, actor, status }) => {
    const { response } = await attempt(actor, { method: 'GET', url: `/api/orgs/${orgs[org].id}` }, status);
    if (status === 200) {
      const view = response.json<OrganisationView>();
      expect(view).toMatchObject({ id: orgs[org].id, name: orgs[org].name, myRole: ROLE_OF[actor] });
    }
  });
});

describe('POST /api/orgs/:orgId/children (admins only)', () => {
  let n = 0;
  test.each(rows(ADMIN, 201))('$org by $actor → $status', async ({ org, actor, status }) => {
    const name = `Grupp ${++n}`;
    const children = () =>
      t.db.selectFrom('organisation').select('name').where('parentId', '=', orgs[org].id).orderBy('name').execute();
    const { response, after } = await attempt(
      actor,
      { method: 'POST', url: `/api/orgs/${orgs[org].id}/children`, body: { name, kind: 'group' } },
      status,
      children,
    );
    if (status === 201) {
      expect(response.json<OrganisationView>()).toMatchObject({ parentId: orgs[org].id, name, myRole: 'admin' });
      expect(after).toContainEqual({ name });
    }
  });
});

describe('GET /api/orgs/:orgId/members (organizers and admins)', () => {
  test.each(rows(MANAGE, 200))('$org by $actor → $status', async ({ org, actor, status }) => {
    const { response } = await attempt(actor, { method: 'GET', url: `/api/orgs/${orgs[org].id}/members` }, status);
    if (status === 200) {
      const members = await t.db.selectFrom('membership').select('userId').where('organisationId', '=', orgs[org].id).execute();
      const listed = response.json<{ members: MemberView[] }>().members;
      expect(listed.map((m) => m.userId).sort()).toEqual(members.map((m) => m.userId).sort());
      expect(listed.length).toBeGreaterThan(0);
    }
  });
});

describe('PATCH /api/orgs/:orgId/members/:userId (organizers and admins)', () => {
  test.each(rows(MANAGE, 200))('$org by $actor → $status', async ({ org, actor, status }) => {
    const target = await t.newUser([{ org: orgs[org], role: 'caller' }]);
    const { response, after } = await attempt(
      actor,
      { method: 'PATCH', url: `/api/orgs/${orgs[org].id}/members/${target.id}`, body: { role: 'organizer' } },
      status,
      () => roleOn(target.id, orgs[org]),
    );
    if (status === 200) {
      expect(response.json<MemberView>()).toMatchObject({ userId: target.id, role: 'organizer' });
      expect(after).toBe('organizer');
    }
  });
});

describe('DELETE /api/orgs/:orgId/members/:userId (organizers and admins)', () => {
  test.each(rows(MANAGE, 204))('$org by $actor → $status', async ({ org, actor, status }) => {
    const target = await t.newUser([{ org: orgs[org], role: 'caller' }]);
    const { after } = await attempt(
      actor,
      { method: 'DELETE', url: `/api/orgs/${orgs[org].id}/members/${target.id}` },
      status,
      () => roleOn(target.id, orgs[org]),
    );
    if (status === 204) expect(after).toBeNull();
  });
});

describe('GET /api/orgs/:orgId/invites (organizers and admins)', () => {
  test.each(rows(MANAGE, 200))('$org by $actor → $status', async ({ org, actor, status }) => {
    const inviteId = await inviteIn(org);
    const { response } = await attempt(actor, { method: 'GET', url: `/api/orgs/${orgs[org].id}/invites` }, status);
    if (status === 200) {
      const invites = response.json<{ invites: InviteView[] }>().invites;
      expect(invites.map((i) => i.id)).toContain(inviteId);
      expect(invites.every((i) => i.organisationId === orgs[org].id)).toBe(true);
    }
  });
});

describe('POST /api/orgs/:orgId/invites (organizers and admins)', () => {
  test.each(rows(MANAGE, 201))('$org by $actor → $status', async ({ org, actor, status }) => {
    const invitesOf = async () =>
      (await t.db.selectFrom('invite').select('id').where('organisationId', '=', orgs[org].id).execute()).length;
    const { response, before, after } = await attempt(
      actor,
      { method: 'POST', url: `/api/orgs/${orgs[org].id}/invites`, body: { role: 'caller' } },
      status,
      invitesOf,
    );
    if (status === 201) {
      expect(response.json<CreatedInvite>().url).toContain('/invite#');
      expect(after).toBe((before as number) + 1);
    }
  });
});

describe('POST /api/orgs/:orgId/invites with a mail (organizers and admins)', () => {
  let n = 0;
  test.each(rows(MANAGE, 201))('$org by $actor → $status', async ({ org, actor, status }) => {
    const to = `invited-${++n}@example.se`;
    const invitesOf = async () => (await t.db.selectFrom('invite').select('id').where('organisationId', '=', orgs[org].id).execute()).length;
    const before = smtp.received.length;
    const { response } = await attempt(actor, { method: 'POST', url: `/api/orgs/${orgs[org].id}/invites`, body: { role: 'caller', mail: { to } } }, status, invitesOf);
    if (status === 201) {
      expect(response.json<CreatedInvite>().mailed).toBe(true);
      expect((await smtp.next(to)).link).toBe(response.json<CreatedInvite>().url);
    } else {
      expect(smtp.received.length).toBe(before);
    }
  });
});

describe('POST /api/orgs/:orgId/members/:userId/reset-link (organizers and admins who manage the account)', () => {
  test.each(rows(MANAGE, 201))('$org by $actor → $status', async ({ org, actor, status }) => {
    const target = await t.newUser([{ org: orgs[org], role: 'caller' }]);
    const links = async () => (await t.db.selectFrom('passwordReset').select('id').where('userId', '=', target.id).execute()).length;
    const { response, after } = await attempt(actor, { method: 'POST', url: `/api/orgs/${orgs[org].id}/members/${target.id}/reset-link` }, status, links);
    if (status === 201) {
      expect(response.json<{ url: string }>().url).toContain('/reset-password#');
      expect(after).toBe(1);
    }
  });
});

describe('DELETE /api/orgs/:orgId/invites/:inviteId (organizers and admins)', () => {
  test.each(rows(MANAGE, 204))('$org by $actor → $status', async ({ org, actor, status }) => {
    const inviteId = await inviteIn(org);
    const { after } = await attempt(
      actor,
      { method: 'DELETE', url: `/api/orgs/${orgs[org].id}/invites/${inviteId}` },
      status,
      () => revokedAt(inviteId),
    );
    if (status === 204) expect(after).not.toBeNull();
  });
});

describe('GET /api/orgs/:orgId/audit (admins only)', () => {
  test.each(rows(ADMIN, 200))('$org by $actor → $status', async ({ org, actor, status }) => {
    await inviteIn(org);
    const { response } = await attempt(actor, { method: 'GET', url: `/api/orgs/${orgs[org].id}/audit` }, status);
    if (status === 200) {
      const events = response.json<{ events: AuditEventView[] }>().events;
      expect(events[0]).toMatchObject({ action: 'invite.created', organisationId: orgs[org].id, organisationName: orgs[org].name });
      // The log of an organisation holds its own subtree only: never its sibling's or parent's events.
      const outside = org === 'A' ? [orgs.B.id, municipality.id, district.id] : org === 'B' ? [orgs.A.id, municipality.id] : [district.id];
      expect(events.filter((e) => e.organisationId !== null && outside.includes(e.organisationId))).toEqual([]);
    }
  });
});

describe('GET /api/orgs/:orgId/notice (organizers and admins)', () => {
  test.each(rows(MANAGE, 200))('$org by $actor → $status', async ({ org, actor, status }) => {
    const { response } = await attempt(actor, { method: 'GET', url: `/api/orgs/${orgs[org].id}/notice` }, status);
    if (status === 200) expect(response.json<OrganisationNotice>()).toMatchObject({ organisationId: orgs[org].id, language: 'sv' });
  });
});

describe('PUT /api/orgs/:orgId/notice (admins only)', () => {
  let n = 0;
  test.each(rows(ADMIN, 200))('$org by $actor → $status', async ({ org, actor, status }) => {
    const notice = `Hej från {organisation} (${++n}); numret kommer från {source}.`;
    const own = async () => (await t.db.selectFrom('organisation').select('notice').where('id', '=', orgs[org].id).executeTakeFirstOrThrow()).notice;
    const { response, after } = await attempt(actor, { method: 'PUT', url: `/api/orgs/${orgs[org].id}/notice`, body: { notice } }, status, own);
    if (status === 200) {
      expect(response.json<OrganisationNotice>().own).toBe(notice);
      expect(after).toBe(notice);
    }
  });
});

describe('POST /api/orgs/:orgId/users/:userId/disable (admins only)', () => {
  test.each(rows(ADMIN, 204))('$org by $actor → $status', async ({ org, actor, status }) => {
    const target = await t.newUser([{ org: orgs[org], role: 'caller' }]);
    const targetCookie = await t.login(target);
    const state = async () => {
      const user = await t.db.selectFrom('appUser').select('disabledAt').where('id', '=', target.id).executeTakeFirstOrThrow();
      const me = await t.request('GET', '/api/me', { cookie: targetCookie });
      return { disabled: user.disabledAt !== null, signedIn: me.statusCode === 200 };
    };
    const { before, after } = await attempt(
      actor,
      { method: 'POST', url: `/api/orgs/${orgs[org].id}/users/${target.id}/disable` },
      status,
      state,
    );
    expect(before).toEqual({ disabled: false, signedIn: true });
    if (status === 204) expect(after).toEqual({ disabled: true, signedIn: false });
  });
});

describe('campaigns (organizers and admins of the campaign\'s organisation)', () => {
  /** A target group of each organisation, from a one-person list its admin imported. */
  const groupOf = {} as Record<OrgKey, string>;
  let n = 0;

  beforeAll(async () => {
    for (const org of ORGS) {
      n += 1;
      const body = listImport({ name: `Lista ${org}` }, { field: 'file', filename: 'lista.csv', content: `Mobil\r\n07090000${String(n).padStart(2, '0')}\r\n` });
      const imported = await t.request('POST', `/api/orgs/${orgs[org].id}/lists`, { cookie: adminOf[org], body: body.payload, headers: { 'content-type': body.contentType } });
      expect(imported.statusCode, imported.body).toBe(202);
      const listId = imported.json<{ id: string }>().id;
      await t.app.ctx.importer.wait(listId);
      expect((await t.request('GET', `/api/lists/${listId}`, { cookie: adminOf[org] })).json<ListView>().status).toBe('ready');
      const group = await t.request('POST', `/api/orgs/${orgs[org].id}/target-groups`, { cookie: adminOf[org], body: { name: 'Alla', listIds: [listId], filters: [] } });
      expect(group.statusCode, group.body).toBe(201);
      groupOf[org] = group.json<TargetGroupView>().id;
    }
  });

  async function campaignIn(org: OrgKey): Promise<CampaignView> {
    const response = await t.request('POST', `/api/orgs/${orgs[org].id}/campaigns`, { cookie: adminOf[org], body: { name: `Kampanj ${++n}`, targetGroupIds: [groupOf[org]] } });
    expect(response.statusCode, response.body).toBe(201);
    return response.json<CampaignView>();
  }

  /** The campaign as stored: its row, its versions and its queue. */
  async function stored(campaignId: string) {
    const campaign = await t.db.selectFrom('campaign').selectAll().where('id', '=', campaignId).executeTakeFirst();
    const versions = await t.db.selectFrom('campaignVersion').select(['version', 'script']).where('campaignId', '=', campaignId).orderBy('version').execute();
    const queue = await t.db.selectFrom('campaignContact').select('personId').where('campaignId', '=', campaignId).execute();
    return { campaign, versions, queue: queue.length };
  }

  test.each(rows(MANAGE, 200))('GET /api/orgs/:orgId/campaigns: $org by $actor → $status', async ({ org, actor, status }) => {
    const campaign = await campaignIn(org);
    const { response } = await attempt(actor, { method: 'GET', url: `/api/orgs/${orgs[org].id}/campaigns` }, status);
    if (status === 200) expect(response.json<CampaignList>().campaigns.map((c) => c.id)).toContain(campaign.id);
  });

  test.each(rows(MANAGE, 201))('POST /api/orgs/:orgId/campaigns: $org by $actor → $status', async ({ org, actor, status }) => {
    const campaignsOf = async () => (await t.db.selectFrom('campaign').select('id').where('organisationId', '=', orgs[org].id).execute()).length;
    const { response, before, after } = await attempt(
      actor,
      { method: 'POST', url: `/api/orgs/${orgs[org].id}/campaigns`, body: { name: 'Ny kampanj', targetGroupIds: [groupOf[org]] } },
      status,
      campaignsOf,
    );
    if (status === 201) {
      expect(response.json<CampaignView>()).toMatchObject({ organisationId: orgs[org].id, status: 'draft' });
      expect(after).toBe((before as number) + 1);
    }
  });

  test.each(rows(MANAGE, 200))('GET /api/campaigns/:campaignId: $org by $actor → $status', async ({ org, actor, status }) => {
    const campaign = await campaignIn(org);
    const { response } = await attempt(actor, { method: 'GET', url: `/api/campaigns/${campaign.id}` }, status);
    if (status === 200) expect(response.json<CampaignView>()).toEqual(campaign);
  });

  test.each(rows(MANAGE, 200))('PUT /api/campaigns/:campaignId: $org by $actor → $status', async ({ org, actor, status }) => {
    const campaign = await campaignIn(org);
    const { response, after } = await attempt(
      actor,
      { method: 'PUT', url: `/api/campaigns/${campaign.id}`, body: { name: 'Omdöpt', briefing: 'Ny text' } },
      status,
      () => stored(campaign.id),
    );
    if (status === 200) {
      expect(response.json<CampaignView>()).toMatchObject({ name: 'Omdöpt', briefing: 'Ny text' });
      expect((after as Awaited<ReturnType<typeof stored>>).campaign?.name).toBe('Omdöpt');
    }
  });

  test.each(rows(MANAGE, 200))('PUT /api/campaigns/:campaignId/script: $org by $actor → $status', async ({ org, actor, status }) => {
    const campaign = await campaignIn(org);
    const { response, after } = await attempt(
      actor,
      { method: 'PUT', url: `/api/campaigns/${campaign.id}/script`, body: { script: 'Hej {first_name}!', questions: [], outcomes: DEFAULT_OUTCOMES } },
      status,
      () => stored(campaign.id),
    );
    if (status === 200) {
      // Nobody has called with version 1 yet: it is changed where it is.
      expect(response.json<CampaignView>()).toMatchObject({ version: 1, script: 'Hej {first_name}!' });
      expect((after as Awaited<ReturnType<typeof stored>>).versions).toHaveLength(1);
    }
  });

  test.each(rows(MANAGE, 200))('POST /api/campaigns/:campaignId/status: $org by $actor → $status', async ({ org, actor, status }) => {
    const campaign = await campaignIn(org);
    const { response, after } = await attempt(
      actor,
      { method: 'POST', url: `/api/campaigns/${campaign.id}/status`, body: { status: 'active' } },
      status,
      () => stored(campaign.id),
    );
    if (status === 200) {
      expect(response.json<CampaignView>()).toMatchObject({ status: 'active', queue: { total: 1 } });
      expect((after as Awaited<ReturnType<typeof stored>>).queue).toBe(1);
    }
  });

  /** A flagged call in a campaign of the organisation, saved directly. */
  async function flaggedCallIn(org: OrgKey): Promise<{ campaignId: string; callId: string }> {
    const campaign = await campaignIn(org);
    const version = await t.db.selectFrom('campaignVersion').select('id').where('campaignId', '=', campaign.id).executeTakeFirstOrThrow();
    const call = await t.db
      .insertInto('call')
      .values({ campaignId: campaign.id, organisationId: orgs[org].id, versionId: version.id, idempotencyKey: `key-${++n}-flag`, leaseId: crypto.randomUUID(), outcome: 'refused', flagged: true, flagNote: 'Hör av er', notes: 'Ring efter sex', createdAt: t.clock.now() })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { campaignId: campaign.id, callId: call.id };
  }
  const openFlags = (campaignId: string) => t.db.selectFrom('call').select('id').where('campaignId', '=', campaignId).where('flagResolvedAt', 'is', null).execute();

  // Everyone who manages the campaign sees how many flags wait; only its own organisation sees the notes.
  test.each(rows(MANAGE, 200))('GET /api/campaigns/:campaignId/flags: $org by $actor → $status', async ({ org, actor, status }) => {
    const { campaignId, callId } = await flaggedCallIn(org);
    const { response } = await attempt(actor, { method: 'GET', url: `/api/campaigns/${campaignId}/flags` }, status);
    if (status !== 200) return;
    const own = expectedStatus(OWN, org, actor, 200) === 200;
    const body = response.json<{ count: number; flags: { callId: string }[] | null }>();
    expect(body.count).toBe(1);
    if (own) expect(body.flags?.map((flag) => flag.callId)).toEqual([callId]);
    else {
      expect(body.flags).toBeNull();
      expect(response.body).not.toMatch(/Hör av er|Ring efter sex/);
    }
  });

  test.each(rows(OWN, 200))('POST /api/calls/:callId/flag/resolve: $org by $actor → $status', async ({ org, actor, status }) => {
    const { campaignId, callId } = await flaggedCallIn(org);
    const { after } = await attempt(actor, { method: 'POST', url: `/api/calls/${callId}/flag/resolve`, body: {} }, status, () => openFlags(campaignId));
    if (status === 200) expect(after).toEqual([]);
  });

  // Statistics: for organizers and admins of the organisation or above.
  test.each(rows(MANAGE, 200))('GET /api/orgs/:orgId/stats: $org by $actor → $status', async ({ org, actor, status }) => {
    const { response } = await attempt(actor, { method: 'GET', url: `/api/orgs/${orgs[org].id}/stats` }, status);
    if (status === 200) expect(response.json<{ organisation: { id: string } }>().organisation.id).toBe(orgs[org].id);
  });

  test.each(rows(MANAGE, 200))('GET /api/campaigns/:campaignId/stats: $org by $actor → $status', async ({ org, actor, status }) => {
    const campaign = await campaignIn(org);
    const { response } = await attempt(actor, { method: 'GET', url: `/api/campaigns/${campaign.id}/stats` }, status);
    if (status === 200) expect(response.json<{ campaign: { id: string } }>().campaign.id).toBe(campaign.id);
  });

  const goalsOf = (org: OrgKey) => async () => (await t.db.selectFrom('goal').select('id').where('organisationId', '=', orgs[org].id).execute()).length;

  test.each(rows(MANAGE, 201))('POST /api/orgs/:orgId/goals: $org by $actor → $status', async ({ org, actor, status }) => {
    const { before, after } = await attempt(
      actor,
      { method: 'POST', url: `/api/orgs/${orgs[org].id}/goals`, body: { metric: 'recruits', target: 100, startsOn: '2026-01-01', endsOn: '2026-12-31' } },
      status,
      goalsOf(org),
    );
    if (status === 201) expect(after).toBe((before as number) + 1);
  });

  test.each(rows(MANAGE, 200))('DELETE /api/orgs/:orgId/goals/:goalId: $org by $actor → $status', async ({ org, actor, status }) => {
    const goal = await t.db
      .insertInto('goal')
      .values({ organisationId: orgs[org].id, metric: 'recruits', target: 10, startsOn: '2026-01-01', endsOn: '2026-12-31', createdAt: new Date() })
      .returning('id')
      .executeTakeFirstOrThrow();
    const { before, after } = await attempt(actor, { method: 'DELETE', url: `/api/orgs/${orgs[org].id}/goals/${goal.id}` }, status, goalsOf(org));
    if (status === 200) expect(after).toBe((before as number) - 1);
  });
});

describe('an organizer works up to their own role, never above it', () => {
  test.each(['organizerA', 'organizerMuni'] as const)('%s cannot make a caller of A an admin', async (actor) => {
    const target = await t.newUser([{ org: orgs.A, role: 'caller' }]);
    await attempt(
      actor,
      { method: 'PATCH', url: `/api/orgs/${orgs.A.id}/members/${target.id}`, body: { role: 'admin' } },
      403,
      () => roleOn(target.id, orgs.A),
    );
  });

  test.each(['organizerA', 'organizerMuni'] as const)('%s cannot demote or remove an admin of A', async (actor) => {
    const admin = await t.newUser([{ org: orgs.A, role: 'admin' }]);
    const watched = () => roleOn(admin.id, orgs.A);
    const url = `/api/orgs/${orgs.A.id}/members/${admin.id}`;
    await attempt(actor, { method: 'PATCH', url, body: { role: 'caller' } }, 403, watched);
    await attempt(actor, { method: 'PATCH', url, body: { role: 'admin' } }, 403, watched);
    await attempt(actor, { method: 'DELETE', url }, 403, watched);
    expect(await watched()).toBe('admin');
  });

  test.each(['organizerA', 'organizerMuni'] as const)('%s cannot invite an admin to A, but can invite an organizer', async (actor) => {
    const invites = () => t.db.selectFrom('invite').select(['role']).where('organisationId', '=', orgs.A.id).execute();
    await attempt(actor, { method: 'POST', url: `/api/orgs/${orgs.A.id}/invites`, body: { role: 'admin' } }, 403, invites);
    const { response } = await attempt(actor, { method: 'POST', url: `/api/orgs/${orgs.A.id}/invites`, body: { role: 'organizer' } }, 201);
    expect(response.json<CreatedInvite>().invite.role).toBe('organizer');
  });

  test('an admin of A can make a caller an admin, and the district admin can too', async () => {
    for (const actor of ['adminA', 'adminDistrict'] as const) {
      const target = await t.newUser([{ org: orgs.A, role: 'caller' }]);
      const { after } = await attempt(
        actor,
        { method: 'PATCH', url: `/api/orgs/${orgs.A.id}/members/${target.id}`, body: { role: 'admin' } },
        200,
        () => roleOn(target.id, orgs.A),
      );
      expect(after).toBe('admin');
    }
  });

  test('nobody changes or removes their own membership', async () => {
    for (const [actor, method] of [
      ['organizerA', 'PATCH'],
      ['adminA', 'DELETE'],
    ] as const) {
      const countsBefore = await t.tableCounts();
      const response = await t.request(method, `/api/orgs/${orgs.A.id}/members/${users[actor].id}`, {
        cookie: cookies[actor],
        ...(method === 'PATCH' ? { body: { role: 'caller' } } : {}),
      });
      expect(response.statusCode).toBe(409);
      expect(errorCode(response)).toBe('own_membership');
      expect(await t.tableCounts()).toEqual(countsBefore);
      expect(await roleOn(users[actor].id, orgs.A)).toBe(ROLE_OF[actor]);
    }
  });
});

describe("association A cannot reach its sibling B through A's own addresses", () => {
  test("a member of B cannot be changed or removed through A's address", async () => {
    const memberOfB = await t.newUser([{ org: orgs.B, role: 'caller' }]);
    const url = `/api/orgs/${orgs.A.id}/members/${memberOfB.id}`;
    await attempt('adminA', { method: 'PATCH', url, body: { role: 'organizer' } }, 404, () => roleOn(memberOfB.id, orgs.B));
    await attempt('adminA', { method: 'DELETE', url }, 404, () => roleOn(memberOfB.id, orgs.B));
    expect(await roleOn(memberOfB.id, orgs.B)).toBe('caller');
  });

  test("an invite of B cannot be revoked through A's address", async () => {
    const inviteOfB = await inviteIn('B');
    await attempt('adminA', { method: 'DELETE', url: `/api/orgs/${orgs.A.id}/invites/${inviteOfB}` }, 404, () => revokedAt(inviteOfB));
    expect(await revokedAt(inviteOfB)).toBeNull();
  });

  test("a member of B only cannot be disabled through A's address, and the answer does not reveal the account", async () => {
    const memberOfB = await t.newUser([{ org: orgs.B, role: 'caller' }]);
    const disabled = async () =>
      (await t.db.selectFrom('appUser').select('disabledAt').where('id', '=', memberOfB.id).executeTakeFirstOrThrow()).disabledAt;
    const { response } = await attempt('adminA', { method: 'POST', url: `/api/orgs/${orgs.A.id}/users/${memberOfB.id}/disable` }, 404, disabled);
    const unknown = await t.request('POST', `/api/orgs/${orgs.A.id}/users/00000000-0000-4000-8000-000000000000/disable`, {
      cookie: cookies.adminA,
    });
    // An account elsewhere in the tree answers exactly like one that does not exist.
    expect(unknown.json()).toEqual(response.json());
  });

  test('an account that also belongs to B cannot be disabled by the admin of A alone', async () => {
    const both = await t.newUser([
      { org: orgs.A, role: 'caller' },
      { org: orgs.B, role: 'caller' },
    ]);
    const disabled = async () =>
      (await t.db.selectFrom('appUser').select('disabledAt').where('id', '=', both.id).executeTakeFirstOrThrow()).disabledAt;
    await attempt('adminA', { method: 'POST', url: `/api/orgs/${orgs.A.id}/users/${both.id}/disable` }, 403, disabled);
    // The municipality's admin line (here the district admin) may.
    await attempt('adminDistrict', { method: 'POST', url: `/api/orgs/${municipality.id}/users/${both.id}/disable` }, 204);
    expect(await disabled()).not.toBeNull();
  });

  test('an admin cannot disable their own account', async () => {
    const countsBefore = await t.tableCounts();
    const response = await t.request('POST', `/api/orgs/${orgs.A.id}/users/${users.adminA.id}/disable`, { cookie: cookies.adminA });
    expect(response.statusCode).toBe(409);
    expect(errorCode(response)).toBe('own_account');
    expect(await t.tableCounts()).toEqual(countsBefore);
    expect((await t.me(cookies.adminA!)).user.id).toBe(users.adminA.id);
  });
});

describe('POST /api/people/:personId/erase (organizers and admins of the person\'s organisation or above)', () => {
  let n = 0;
  /** A person of the organisation, as an import would have made them. */
  async function personIn(org: OrgKey): Promise<number> {
    n += 1;
    const row = await t.db
      .insertInto('person')
      .values({ organisationId: orgs[org].id, phone: `+4670555${String(n).padStart(4, '0')}`, phoneType: 'mobile', firstName: 'Radera', lastName: `Mig ${n}`, createdAt: t.clock.now(), updatedAt: t.clock.now() })
      .returning('id')
      .executeTakeFirstOrThrow();
    return Number(row.id);
  }

  test.each(rows(ERASE, 200))('$org by $actor → $status', async ({ org, actor, status }) => {
    const personId = await personIn(org);
    const exists = async () => (await t.db.selectFrom('person').select('id').where('id', '=', personId).executeTakeFirst()) !== undefined;
    const { response } = await attempt(actor, { method: 'POST', url: `/api/people/${personId}/erase`, body: { keepOffCalls: false } }, status, exists);
    if (status === 200) {
      expect(response.json()).toEqual({ personId, keptOnDoNotCall: false });
      expect(await exists()).toBe(false);
    } else {
      expect(await exists()).toBe(true);
    }
  });
});

describe('retention rules (admins only)', () => {
  const stored = (org: OrgKey) => async () =>
    t.db.selectFrom('organisation').select(['answersRetentionMonths', 'peopleRetentionMonths']).where('id', '=', orgs[org].id).executeTakeFirstOrThrow();

  test.each(rows(ADMIN, 200))('GET /api/orgs/:orgId/retention: $org by $actor → $status', async ({ org, actor, status }) => {
    const { response } = await attempt(actor, { method: 'GET', url: `/api/orgs/${orgs[org].id}/retention` }, status);
    if (status === 200) expect(response.json()).toMatchObject({ organisationId: orgs[org].id, answers: { months: expect.any(Number) as number } });
  });

  test.each(rows(ADMIN, 200))('PUT /api/orgs/:orgId/retention: $org by $actor → $status', async ({ org, actor, status }) => {
    const { response } = await attempt(actor, { method: 'PUT', url: `/api/orgs/${orgs[org].id}/retention`, body: { answersMonths: 18, peopleMonths: 36 } }, status, stored(org));
    if (status === 200) {
      expect(response.json()).toMatchObject({ answers: { months: 18, own: 18 }, people: { months: 36, own: 36 } });
      expect(await stored(org)()).toEqual({ answersRetentionMonths: 18, peopleRetentionMonths: 36 });
    }
  });
});

describe('telephony settings (admins only; secrets never sent back)', () => {
  const twilioSettings = {
    accountSid: `AC${'a1'.repeat(16)}`,
    authToken: 'b2'.repeat(16),
    apiKey: `SK${'c3'.repeat(16)}`,
    apiSecret: 'd4'.repeat(16),
    twimlAppSid: `AP${'e5'.repeat(16)}`,
    callerId: '+46101234567',
  };
  const stored = (org: OrgKey) => async () =>
    (await t.db.selectFrom('telephonySettings').select(['accountSid', 'updatedAt']).where('organisationId', '=', orgs[org].id).executeTakeFirst()) ?? null;

  test.each(rows(ADMIN, 200))('PUT /api/orgs/:orgId/telephony: $org by $actor → $status', async ({ org, actor, status }) => {
    t.clock.advance(1000);
    const { response } = await attempt(actor, { method: 'PUT', url: `/api/orgs/${orgs[org].id}/telephony`, body: twilioSettings }, status, stored(org));
    if (status === 200) {
      expect(response.json()).toMatchObject({ configured: true, source: 'organisation', accountSid: twilioSettings.accountSid, hasAuthToken: true });
      expect(response.body).not.toContain(twilioSettings.authToken);
      expect(response.body).not.toContain(twilioSettings.apiSecret);
    }
  });

  test.each(rows(ADMIN, 200))('GET /api/orgs/:orgId/telephony: $org by $actor → $status', async ({ org, actor, status }) => {
    const { response } = await attempt(actor, { method: 'GET', url: `/api/orgs/${orgs[org].id}/telephony` }, status);
    if (status === 200) {
      expect(response.json()).toMatchObject({ configured: true, accountSid: twilioSettings.accountSid });
      expect(response.body).not.toContain(twilioSettings.authToken);
      expect(response.body).not.toContain(twilioSettings.apiSecret);
    }
  });

  test.each(rows(ADMIN, 200).filter(({ status }) => status !== 200))('DELETE /api/orgs/:orgId/telephony: $org by $actor → $status', async ({ org, actor, status }) => {
    await attempt(actor, { method: 'DELETE', url: `/api/orgs/${orgs[org].id}/telephony` }, status, stored(org));
  });
});

describe("lists (organizers and admins of the list's organisation or above)", () => {
  /** A list imported before Ringa asked where lists came from: its source is not recorded. */
  async function oldListIn(org: OrgKey): Promise<string> {
    const list = await t.db
      .insertInto('targetList')
      .values({ organisationId: orgs[org].id, name: 'Gammal lista', country: 'SE', status: 'ready', createdAt: t.clock.now(), finishedAt: t.clock.now() })
      .returning('id')
      .executeTakeFirstOrThrow();
    return list.id;
  }
  const sourceOf = (listId: string) => async () =>
    t.db.selectFrom('targetList').select(['sourceKind', 'sourceName', 'legalBasis']).where('id', '=', listId).executeTakeFirstOrThrow();

  test.each(rows(MANAGE, 200))('PUT /api/lists/:listId/source: $org by $actor → $status', async ({ org, actor, status }) => {
    const listId = await oldListIn(org);
    const { response, after } = await attempt(
      actor,
      { method: 'PUT', url: `/api/lists/${listId}/source`, body: { kind: 'members', basis: 'members' } },
      status,
      sourceOf(listId),
    );
    if (status === 200) {
      expect(response.json<ListView>().source).toEqual({ kind: 'members', name: null, date: null, basis: 'members' });
      expect(after).toEqual({ sourceKind: 'members', sourceName: '', legalBasis: 'members' });
    }
  });
});

describe('record of processing (admins of the organisation or above)', () => {
  test.each(rows(ADMIN, 200))('GET /api/orgs/:orgId/record-of-processing: $org by $actor → $status', async ({ org, actor, status }) => {
    const { response } = await attempt(actor, { method: 'GET', url: `/api/orgs/${orgs[org].id}/record-of-processing` }, status);
    if (status === 200) expect(response.json()).toMatchObject({ organisation: { id: orgs[org].id, name: orgs[org].name } });
  });
});

test('a caller sees only the organisations they belong to, also when asking for one beneath by its address', async () => {
  const cookie = await t.login(users.callerMuni);
  expect((await t.request('GET', `/api/orgs/${municipality.id}`, { cookie })).statusCode).toBe(200);
  const below = await t.request('GET', `/api/orgs/${orgs.A.id}`, { cookie });
  expect(below.statusCode).toBe(404);
  expect(errorCode(below)).toBe('not_found');
});

describe("a person's page (organizers and admins of the person's organisation or above; anyone else finds nobody)", () => {
  /** A caller of the person's own organisation finds nobody either: a person's existence is personal data. */
  const PERSON: Table = {
    A: /*             */ ['ok', 'ok', 404, 'ok', 'ok', 404, 401],
    B: /*             */ [404, 404, 404, 'ok', 'ok', 404, 401],
    municipality: /*  */ [404, 404, 404, 'ok', 'ok', 404, 401],
  };
  const personOf = {} as Record<OrgKey, number>;
  beforeAll(async () => {
    for (const [i, org] of ORGS.entries()) {
      const row = await t.db
        .insertInto('person')
        .values({ organisationId: orgs[org].id, phone: `+4670555000${i}`, phoneType: 'mobile', firstName: 'Petra', lastName: `Person ${org}`, createdAt: t.clock.now(), updatedAt: t.clock.now() })
        .returning('id')
        .executeTakeFirstOrThrow();
      personOf[org] = row.id;
    }
  });
  const person = (org: OrgKey) => async () =>
    (await t.db.selectFrom('person').select(['firstName', 'attributes', 'updatedAt']).where('id', '=', personOf[org]).executeTakeFirstOrThrow());
  const register = (org: OrgKey) => async () =>
    (await t.db.selectFrom('doNotCall').select('id').where('organisationId', '=', orgs[org].id).where('phone', 'like', '+4670555000%').execute()).length;

  test.each(rows(MANAGE, 200))('POST /api/orgs/:orgId/people/search: $org by $actor → $status', async ({ org, actor, status }) => {
    const { response } = await attempt(actor, { method: 'POST', url: `/api/orgs/${orgs[org].id}/people/search`, body: { query: 'Petra' } }, status);
    if (status === 200) {
      const found = response.json<{ people: { id: number }[] }>().people.map((one) => one.id);
      // The subtree's people only: the municipality finds all three, an association its own.
      expect(found.sort()).toEqual((org === 'municipality' ? ORGS.map((key) => personOf[key]) : [personOf[org]]).sort());
    }
  });

  test.each(rows(PERSON, 200))('GET /api/people/:personId: $org by $actor → $status', async ({ org, actor, status }) => {
    const { response } = await attempt(actor, { method: 'GET', url: `/api/people/${personOf[org]}` }, status);
    if (status === 200) expect(response.json()).toMatchObject({ id: personOf[org], lastName: `Person ${org}` });
  });

  test.each(rows(PERSON, 200))('PATCH /api/people/:personId: $org by $actor → $status', async ({ org, actor, status }) => {
    t.clock.advance(1000);
    await attempt(actor, { method: 'PATCH', url: `/api/people/${personOf[org]}`, body: { attributes: { Ort: actor } } }, status, person(org));
  });

  test.each(rows(PERSON, 201))('POST /api/people/:personId/do-not-call: $org by $actor → $status', async ({ org, actor, status }) => {
    await attempt(actor, { method: 'POST', url: `/api/people/${personOf[org]}/do-not-call`, body: {} }, status, register(org));
  });

  test.each(rows(PERSON, 200))('GET /api/people/:personId/export: $org by $actor → $status', async ({ org, actor, status }) => {
    const { response } = await attempt(actor, { method: 'GET', url: `/api/people/${personOf[org]}/export` }, status);
    if (status === 200) expect(response.json()).toMatchObject({ id: personOf[org], exportedAt: expect.any(String) as string });
  });

  test("a refusal answers exactly as a person who does not exist: the sibling's organizer cannot tell", async () => {
    const sideways = await t.request('GET', `/api/people/${personOf.B}`, { cookie: cookies.organizerA });
    const nobody = await t.request('GET', '/api/people/2147483647', { cookie: cookies.organizerA });
    expect(sideways.json()).toEqual(nobody.json());
  });
});
