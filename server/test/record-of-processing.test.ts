// The record of processing (GDPR Art. 30) of an association, generated from what Ringa holds: two
// lists (one bought from a broker on legitimate interest, one imported before sources were asked), a
// campaign through Twilio with a caller team, calls with answers and notes, a do-not-call entry,
// retention rules inherited from the district, and who has access — by count, never naming anyone called.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { RecordOfProcessing } from '../src/contract/api';
import { changeStatus } from '../src/modules/campaigns/campaigns.service';
import { ALWAYS_WINDOW } from '../src/modules/campaigns/outcomes';
import { recordOfProcessing } from '../src/modules/privacy/record-of-processing.service';
import { TelephonyService } from '../src/modules/telephony/telephony.service';
import { TestContext, type TestUser } from './harness';
import { listImport } from './multipart';

let t: TestContext;
let district: { id: string; name: string };
let hageby: { id: string; name: string };
let ektorp: { id: string; name: string };
let adminHageby: TestUser;
let organizerHageby: TestUser;
let campaignId = '';
let brokerList = '';
let oldList = '';

async function importList(cookie: string, name: string, rows: string[]): Promise<string> {
  const body = listImport({ name }, { field: 'file', filename: 'lista.csv', content: `Förnamn;Efternamn;Mobil;Postnr;Födelseår\r\n${rows.join('\r\n')}\r\n` });
  const response = await t.request('POST', `/api/orgs/${hageby.id}/lists`, { cookie, body: body.payload, headers: { 'content-type': body.contentType } });
  expect(response.statusCode, response.body).toBe(202);
  const id = response.json<{ id: string }>().id;
  await t.app.ctx.importer.wait(id);
  // As if imported before Ringa asked where lists came from; a test records a source where it needs one.
  await t.db.updateTable('targetList').set({ sourceKind: null, sourceName: '', sourceDate: null, legalBasis: null }).where('id', '=', id).execute();
  return id;
}

beforeAll(async () => {
  t = await TestContext.create();
  district = await t.newOrg({ name: 'Socialdemokraterna i Östergötland', kind: 'district', country: 'SE' });
  hageby = await t.newOrg({ parent: district, name: 'S-föreningen Hageby' });
  ektorp = await t.newOrg({ parent: district, name: 'S-föreningen Ektorp' });
  await t.newUser([{ org: district, role: 'admin' }]);
  await t.newUser([{ org: district, role: 'organizer' }]);
  await t.newUser([{ org: district, role: 'caller' }]); // a caller above sees nothing of Hageby's
  adminHageby = await t.newUser([{ org: hageby, role: 'admin' }]);
  organizerHageby = await t.newUser([{ org: hageby, role: 'organizer' }]);
  await t.newUser([{ org: hageby, role: 'caller' }]);
  const gone = await t.newUser([{ org: hageby, role: 'caller' }]);
  await t.db.updateTable('appUser').set({ disabledAt: t.clock.now() }).where('id', '=', gone.id).execute();
  await t.newUser([{ org: ektorp, role: 'caller' }]);
  await t.newUser([{ org: ektorp, role: 'caller' }]);

  // Retention: answers set by the district (18 months), people by Hageby itself (36).
  await t.db.updateTable('organisation').set({ answersRetentionMonths: 18 }).where('id', '=', district.id).execute();
  await t.db.updateTable('organisation').set({ peopleRetentionMonths: 36 }).where('id', '=', hageby.id).execute();
  // Twilio set up by the district (the secrets are never read here).
  await t.db
    .insertInto('telephonySettings')
    .values({ organisationId: district.id, accountSid: `AC${'1'.repeat(32)}`, authTokenEncrypted: 'x', apiKey: `SK${'2'.repeat(32)}`, apiSecretEncrypted: 'x', twimlAppSid: `AP${'3'.repeat(32)}`, callerId: '+46101234567', updatedAt: t.clock.now(), updatedBy: null })
    .execute();

  const cookie = await t.login(organizerHageby);
  brokerList = await importList(cookie, 'Köpt lista oktober', ['Anna;Berg;0701110001;58330;1970', 'Bo;Ek;0701110002;58331;1985', 'Cilla;Holm;0701110003;58332;1990']);
  oldList = await importList(cookie, 'Gammal lista', ['Anna;Berg;0701110001;58330;1970', 'Dan;Lund;0701110004;58333;1960']);
  await t.db.updateTable('targetList').set({ sourceKind: 'broker', sourceName: 'Datalagret AB', sourceDate: '2026-09-01', legalBasis: 'legitimate-interest' }).where('id', '=', brokerList).execute();

  const group = await t.request('POST', `/api/orgs/${hageby.id}/target-groups`, { cookie, body: { name: 'Alla', listIds: [brokerList], filters: [] } });
  const created = await t.request('POST', `/api/orgs/${hageby.id}/campaigns`, {
    cookie,
    body: {
      name: 'Höstens samtal',
      targetGroupIds: [group.json<{ id: string }>().id],
      callingWindow: ALWAYS_WINDOW,
      dialing: 'twilio',
      script: 'Hej {first_name}!',
      questions: [
        { id: 'member', kind: 'yes-no', text: 'Vill du bli medlem?', tags: ['recruit'] },
        { id: 'matters', kind: 'text', text: 'Vad är viktigast för dig?' },
      ],
    },
  });
  expect(created.statusCode, created.body).toBe(201);
  campaignId = created.json<{ id: string }>().id;
  // Ektorp calls as a team (invited by someone who organizes both; set here directly).
  await t.db.insertInto('campaignCallerTeam').values({ campaignId, organisationId: ektorp.id }).execute();
  await changeStatus(t.db, t.clock, organizerHageby.id, campaignId, 'active');
  const calls: [string, Record<string, unknown>, string][] = [
    ['conversation', { member: true, matters: 'Skolan' }, 'Ring tillbaka i vår'],
    ['no-answer', {}, ''],
  ];
  for (const [outcome, answers, notes] of calls) {
    const { assignment } = await t.app.ctx.calling.next(organizerHageby.id, campaignId);
    if (!assignment) throw new Error('nobody to call');
    await t.app.ctx.calling.complete(organizerHageby.id, { assignmentId: assignment.id, key: randomUUID(), outcome, answers, notes });
  }
  await changeStatus(t.db, t.clock, organizerHageby.id, campaignId, 'finished');
  await sql`update campaign set finished_at = ${new Date('2026-10-04T18:00:00Z')} where id = ${campaignId}`.execute(t.db);
  const dnc = await t.request('POST', `/api/orgs/${hageby.id}/do-not-call`, { cookie, body: { phone: '0701119999' } });
  expect(dnc.statusCode, dnc.body).toBe(201);
});
afterAll(() => t.close());

describe('a record of processing', () => {
  test('says whom the association holds data on, what, why, from where, for how long, who sees it and through whom', async () => {
    const response = await t.request('GET', `/api/orgs/${hageby.id}/record-of-processing`, { cookie: await t.login(adminHageby) });
    expect(response.statusCode).toBe(200);
    const record = response.json<RecordOfProcessing>();
    expect(record.organisation).toEqual({ id: hageby.id, name: 'S-föreningen Hageby', kind: 'association', country: 'SE', path: 'Socialdemokraterna i Östergötland / S-föreningen Hageby' });
    expect(record.generatedAt).toBe(t.clock.now().toISOString());

    // Four people (Anna is on both lists and counts under each source); one number on the register.
    expect(record.people).toEqual({
      total: 4,
      bySource: [
        { sourceKind: 'broker', lists: 1, people: 3 },
        { sourceKind: null, lists: 1, people: 2 },
      ],
      doNotCall: 1,
    });
    expect(record.data).toEqual({ attributes: ['Födelseår', 'Postnr'], hasEmail: false, questions: 2, freeTextQuestions: 1, callsWithAnswers: 1, callsWithNotes: 1 });
    expect(record.campaigns).toEqual([
      { id: campaignId, name: 'Höstens samtal', status: 'finished', startsAt: null, endsAt: null, finishedAt: '2026-10-04T18:00:00.000Z', questions: 2, calls: 2 },
    ]);
    expect(record.lists.map(({ importedAt: _importedAt, ...list }) => list)).toEqual([
      { id: oldList, name: 'Gammal lista', people: 2, sourceKind: null, sourceName: '', sourceDate: null, legalBasis: null },
      { id: brokerList, name: 'Köpt lista oktober', people: 3, sourceKind: 'broker', sourceName: 'Datalagret AB', sourceDate: '2026-09-01', legalBasis: 'legitimate-interest' },
    ]);
    expect(record.retention).toEqual({
      answers: { months: 18, from: { id: district.id, name: district.name } },
      people: { months: 36, from: { id: hageby.id, name: hageby.name } },
    });
    // Own roles (the disabled caller not counted), admins and organizers above (not the district's caller), the caller team.
    expect(record.access.map((row) => [row.organisation.name, row.relation, row.role, row.users])).toEqual([
      ['S-föreningen Hageby', 'own', 'admin', 1],
      ['S-föreningen Hageby', 'own', 'organizer', 1],
      ['S-föreningen Hageby', 'own', 'caller', 1],
      ['Socialdemokraterna i Östergötland', 'above', 'admin', 1],
      ['Socialdemokraterna i Östergötland', 'above', 'organizer', 1],
      ['S-föreningen Ektorp', 'team', 'caller', 2],
    ]);
    expect(record.processors).toEqual({ twilio: { source: 'organisation', organisation: { id: district.id, name: district.name }, campaigns: 1 }, hostingOperator: null, database: null });
    expect(record.children).toEqual([]);

    // Counts and descriptions only: nobody called is named, no number, answer or note is in it.
    for (const personal of ['Anna', 'Berg', 'Cilla', '701110001', '46701110001', '701119999', 'Skolan', 'Ring tillbaka']) expect(response.body).not.toContain(personal);
  });

  test('the district’s own record: none of Hageby’s lists, its children to open, Twilio its own and from the environment when none is set', async () => {
    const admin = (await t.db.selectFrom('membership').select('userId').where('organisationId', '=', district.id).where('role', '=', 'admin').executeTakeFirstOrThrow()).userId;
    const record = await recordOfProcessing({ ...t.app.ctx, hosting: { operator: 'Folkhemmets Drift AB, Stockholm', database: { kind: 'embedded', host: null } } }, admin, district.id);
    expect(record.lists).toEqual([]);
    expect(record.people).toEqual({ total: 0, bySource: [], doNotCall: 0 });
    expect(record.children).toEqual([
      { id: ektorp.id, name: ektorp.name },
      { id: hageby.id, name: hageby.name },
    ]);
    expect(record.retention.answers).toEqual({ months: 18, from: { id: district.id, name: district.name } });
    expect(record.retention.people).toEqual({ months: 24, from: null });
    expect(record.processors).toEqual({ twilio: { source: 'organisation', organisation: { id: district.id, name: district.name }, campaigns: 0 }, hostingOperator: 'Folkhemmets Drift AB, Stockholm', database: { kind: 'embedded', host: null } });

    // Without settings anywhere on the path: the server's environment, if set there; otherwise none.
    await t.db.deleteFrom('telephonySettings').execute();
    expect((await recordOfProcessing(t.app.ctx, admin, hageby.id)).processors.twilio).toBeNull();
    const environment = { accountSid: `AC${'4'.repeat(32)}`, authToken: 'y'.repeat(32), apiKey: `SK${'5'.repeat(32)}`, apiSecret: 'z'.repeat(32), twimlAppSid: `AP${'6'.repeat(32)}`, callerId: '+46101234568' };
    const telephony = new TelephonyService(t.db, t.clock, t.app.ctx.calling, { secretsKey: Buffer.alloc(32), sessionSecret: 'x'.repeat(40), publicUrl: t.publicUrl, environment });
    expect((await recordOfProcessing({ ...t.app.ctx, telephony }, admin, hageby.id)).processors.twilio).toEqual({ source: 'environment', organisation: null, campaigns: 1 });
  });
});
