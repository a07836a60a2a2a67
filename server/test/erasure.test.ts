// Erasure (GDPR Art. 17): a person from a purchased list is called through the real socket protocol
// (answers, notes, a flag, a callback, a call on the practice line), is in a calls export and in an
// import's problem report; after erasure no table of the database and no file under DATA_DIR holds their
// name or number, and every organisation's figures are what they were. With --keep-off-calls (the CLI)
// only the do-not-call entry remains. A save that arrives later is counted and keeps nothing personal.
import { randomUUID } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Assignment, NextAnswer, RevokedEvent } from '../src/contract/realtime';
import { ask, type Client } from './ask';
import { TestContext, errorCode, root, type TestUser } from './harness';
import { claimPerson, complete, connect, data, foldedFigures, importList, openCampaign, until } from './privacy-helpers';

let t: TestContext;
let url: string;
let district: { id: string };
let association: { id: string };
let sibling: { id: string };
let organizer: TestUser;
let siblingOrganizer: TestUser;
let caller: TestUser;
let campaignId: string;
let siblingCampaignId: string;
let listId: string;
const opened: Client[] = [];

/** The two people erased, as they are written in the purchased list (and the forms their numbers take). */
const INGEGERD = { first: 'Ingegerd', last: 'Zetterqvist', written: '070-312 45 67', e164: '+46703124567' };
const SIXTEN = { first: 'Sixten', last: 'Åkerbladh', written: '0703987654', e164: '+46703987654' };
const forms = (person: typeof INGEGERD) => {
  const nsn = person.e164.slice(3);
  return [person.first, person.last, person.e164, nsn, `0${nsn}`, person.written, `${nsn.slice(0, 2)} ${nsn.slice(2, 5)} ${nsn.slice(5, 7)} ${nsn.slice(7)}`];
};

beforeAll(async () => {
  t = await TestContext.create({ telephony: { simulatedConnectMs: 20 } });
  url = await t.app.listen({ port: 0, host: '127.0.0.1' });
  district = await t.newOrg({ name: 'Region Nord', kind: 'district', country: 'SE' });
  association = await t.newOrg({ parent: district, name: 'S-föreningen Centrum' });
  sibling = await t.newOrg({ parent: district, name: 'Grannföreningen' });
  organizer = await t.newUser([{ org: association, role: 'organizer' }]);
  siblingOrganizer = await t.newUser([{ org: sibling, role: 'organizer' }]);
  caller = await t.newUser([{ org: association, role: 'caller' }]);

  // The purchased list: Ingegerd's row twice (the second a duplicate in the problem report), a row with her name and a bad number.
  const rows = [
    `${INGEGERD.first};${INGEGERD.last};${INGEGERD.written};Luleå`,
    `${SIXTEN.first};${SIXTEN.last};${SIXTEN.written};Boden`,
    ...Array.from({ length: 4 }, (_, i) => `Person;${i};070411000${i};Luleå`),
    `${INGEGERD.first};${INGEGERD.last};${INGEGERD.written};Luleå`,
    `${INGEGERD.first} ${INGEGERD.last};;070-31;Luleå`,
  ];
  listId = await importList(t, association, organizer, 'Köpt lista oktober', rows);
  await t.db
    .updateTable('targetList')
    .set({ sourceKind: 'broker', sourceName: 'Adressbolaget AB', sourceDate: '2026-09-01', legalBasis: 'legitimate-interest' })
    .where('id', '=', listId)
    .execute();
  campaignId = await openCampaign(t, association, organizer, 'Höstkampanj', [listId], 'simulated');
  // Another organisation calls people of its own, so that its figures are there to stay the same.
  siblingCampaignId = await t.newOpenCampaign(sibling, siblingOrganizer, { people: 2, firstNumber: 4_120_000 });
});
afterAll(async () => {
  for (const socket of opened) socket.disconnect();
  await t.close();
});

const client = (cookie: string) => connect(t, url, cookie, opened);

/** Every row of every table in the schema (found from pg_catalog), as text, that holds one of the strings. */
async function scanDatabase(needles: string[]): Promise<{ table: string; row: string }[]> {
  const { rows: tables } = await sql<{ name: string }>`select tablename as name from pg_catalog.pg_tables where schemaname = current_schema() order by 1`.execute(t.db);
  expect(tables.length).toBeGreaterThan(30);
  const found: { table: string; row: string }[] = [];
  for (const { name } of tables) {
    const { rows } = await sql<{ row: string }>`select t::text as row from ${sql.table(name)} t`.execute(t.db);
    for (const { row } of rows) if (needles.some((needle) => row.toLowerCase().includes(needle.toLowerCase()))) found.push({ table: name, row });
  }
  return found;
}

/** Every file under DATA_DIR (here the app's upload folder) that holds one of the strings. */
async function scanFiles(needles: string[]): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(t.app.ctx.uploadDir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    const text = await readFile(file, 'utf8');
    if (needles.some((needle) => text.includes(needle))) found.push(file);
  }
  return found;
}

/** The statistics API for every organisation and campaign, once every saved call has been folded in. */
async function figures(): Promise<unknown> {
  const cookie = await t.login(organizer);
  const siblingCookie = await t.login(siblingOrganizer);
  const districtCookie = await t.login(await t.newUser([{ org: district, role: 'admin' }]));
  return foldedFigures(t, {
    district: { url: `/api/orgs/${district.id}/stats`, cookie: districtCookie },
    association: { url: `/api/orgs/${association.id}/stats`, cookie },
    sibling: { url: `/api/orgs/${sibling.id}/stats`, cookie: siblingCookie },
    campaign: { url: `/api/campaigns/${campaignId}/stats`, cookie },
    siblingCampaign: { url: `/api/campaigns/${siblingCampaignId}/stats`, cookie: siblingCookie },
  });
}

const personIdOf = async (e164: string) =>
  (await t.db.selectFrom('person').select('id').where('organisationId', '=', association.id).where('phone', '=', e164).executeTakeFirstOrThrow()).id;

describe('erasure', () => {
  let socket: Client;
  let held: Assignment;
  /** Her first call as the caller's screen sent it, and the call it saved: an outbox may send it again after the erasure. */
  let firstSave: { request: Parameters<typeof complete>[1]; callId: string };
  const revoked: RevokedEvent[] = [];

  test('a person from a purchased list, called with answers, notes, a flag, a callback and the practice line, is in the export and the problem report', async () => {
    socket = await client(await t.login(caller));
    socket.on('assignment:revoked', (event) => revoked.push(event));
    data(await ask(socket, 'campaign:join', { campaignId }));
    const first = await claimPerson(socket, campaignId, INGEGERD.last);

    // The practice line: a simulated call, rung, connected and hung up.
    const callerCookie = await t.login(caller);
    const started = await t.request('POST', '/api/telephony/simulated/call', { cookie: callerCookie, body: { assignmentId: first.id } });
    expect(started.statusCode, started.body).toBe(200);
    const { callSid } = started.json<{ callSid: string }>();
    await until(async () => (await t.db.selectFrom('telephonyCall').select('status').where('callSid', '=', callSid).executeTakeFirstOrThrow()).status === 'in-progress');
    t.clock.advance(65_000);
    expect((await t.request('POST', '/api/telephony/simulated/hangup', { cookie: callerCookie, body: { callSid } })).statusCode).toBe(200);

    const callbackAt = new Date(t.clock.now().getTime() + 3_600_000).toISOString();
    const request = {
      assignmentId: first.id,
      key: randomUUID(),
      outcome: 'callback',
      answers: { member: true, why: `${INGEGERD.first} tycker att Luleå behöver fler bussar` },
      notes: `${INGEGERD.first} ${INGEGERD.last} bad oss ringa ${INGEGERD.written} efter sex`,
      noteForNext: `Fråga efter ${INGEGERD.first}`,
      flag: `${INGEGERD.last} undrade var vi fått numret ${INGEGERD.e164}`,
      callbackAt,
    };
    firstSave = { request, callId: data(await complete(socket, request)).callId };
    // The callback comes back to the same caller: held when the erasure comes.
    t.clock.advance(3_600_000 + 1000);
    held = await claimPerson(socket, campaignId, INGEGERD.last);
    expect(held.contact.history[0]?.noteForNext).toBe(`Fråga efter ${INGEGERD.first}`);

    // The calls export and the import's problem report show her.
    const exported = await t.request('GET', `/api/campaigns/${campaignId}/calls.csv`, { cookie: await t.login(organizer) });
    expect(exported.statusCode).toBe(200);
    expect(exported.body).toContain(INGEGERD.last);
    expect(exported.body).toContain(INGEGERD.e164);
    const report = await t.request('GET', `/api/lists/${listId}/errors.csv`, { cookie: await t.login(organizer) });
    expect(report.statusCode).toBe(200);
    expect(report.body).toContain(INGEGERD.written);

    // Before: the scan finds her name and number, in the person, the queue, the calls and the problem report.
    const before = await scanDatabase(forms(INGEGERD));
    expect(new Set(before.map((hit) => hit.table))).toEqual(new Set(['person', 'campaign_contact', 'call', 'list_row_problem']));
  });

  test('erased: nothing of her remains in any table or file, her caller is told at once, and every figure stays the same', async () => {
    const figuresBefore = await figures();
    const callsBefore = await t.db.selectFrom('call').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    const personId = await personIdOf(INGEGERD.e164);
    const response = await t.request('POST', `/api/people/${personId}/erase`, { cookie: await t.login(organizer), body: { keepOffCalls: false } });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toEqual({ personId: Number(personId), keptOnDoNotCall: false });

    await until(() => revoked.length > 0);
    expect(revoked).toEqual([{ assignmentId: held.id, reason: 'erased' }]);

    expect(await scanDatabase(forms(INGEGERD))).toEqual([]);
    expect(await scanFiles(forms(INGEGERD))).toEqual([]);
    expect(await figures()).toEqual(figuresBefore);
    // Her calls stay, tied to no one: the same number of calls.
    expect(await t.db.selectFrom('call').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).toEqual(callsBefore);
    const anonymous = await t.db.selectFrom('call').selectAll().where('campaignId', '=', campaignId).where('personId', 'is', null).execute();
    expect(anonymous.map((call) => [call.outcome, call.notes, call.noteForNext, call.flagNote, call.answers, call.callbackAt])).toEqual([['callback', '', '', '', {}, null]]);
    expect(await t.db.selectFrom('telephonyCall').select('personId').where('campaignId', '=', campaignId).execute()).toEqual([{ personId: null }]);

    // The audit log names her by id only.
    const audit = await t.db.selectFrom('auditEvent').selectAll().where('action', '=', 'person.erased').execute();
    expect(audit).toEqual([expect.objectContaining({ organisationId: association.id, actorUserId: organizer.id, details: { personId: Number(personId), keptOnDoNotCall: false } })]);

    // Erasing her again finds no one.
    const again = await t.request('POST', `/api/people/${personId}/erase`, { cookie: await t.login(organizer), body: { keepOffCalls: false } });
    expect(again.statusCode).toBe(404);
  });

  test('a save that arrives later on the revoked lease is counted and keeps nothing; its resend under the same key counts once', async () => {
    type Totals = { campaign: { totals: Record<'dials' | 'reached' | 'conversations' | 'recruits', number> } };
    const figuresBefore = (await figures()) as Totals;
    const late = {
      assignmentId: held.id,
      key: randomUUID(),
      outcome: 'conversation',
      answers: { member: true, why: `${INGEGERD.last} vill gå med` },
      notes: `${INGEGERD.first} ${INGEGERD.last}, ${INGEGERD.e164}`,
      noteForNext: INGEGERD.first,
      flag: INGEGERD.last,
    };
    // Her first call, sent again by an outbox under its key: the same call, counted once, and it stays empty.
    expect(data(await complete(socket, firstSave.request)).callId).toBe(firstSave.callId);
    const saved = data(await complete(socket, late));
    const resent = data(await complete(socket, late));
    expect(resent.callId).toBe(saved.callId);
    // A second, different save on the same lease is refused: a lease saves one call.
    const other = await complete(socket, { ...late, key: randomUUID() });
    expect(other).toMatchObject({ ok: false, error: { code: 'lease_lost' } });

    const call = await t.db.selectFrom('call').selectAll().where('id', '=', saved.callId).executeTakeFirstOrThrow();
    expect(call).toMatchObject({ personId: null, outcome: 'conversation', answers: {}, notes: '', noteForNext: '', flagged: false, flagNote: '', callbackAt: null, tags: ['recruit'] });
    const { totals } = ((await figures()) as Totals).campaign;
    const was = figuresBefore.campaign.totals;
    expect([totals.dials, totals.reached, totals.conversations, totals.recruits]).toEqual([was.dials + 1, was.reached + 1, was.conversations + 1, was.recruits + 1]);
    expect(await scanDatabase(forms(INGEGERD))).toEqual([]);
  });

  test('with --keep-off-calls (the command line) only the do-not-call entry remains, saying only that it is an erasure request', async () => {
    // Sixten is called once, with notes.
    const sixten = await claimPerson(socket, campaignId, SIXTEN.last);
    data(await complete(socket, { assignmentId: sixten.id, key: randomUUID(), outcome: 'conversation', answers: { member: false }, notes: `${SIXTEN.first} vill inte bli uppringd igen` }));
    expect((await scanDatabase(forms(SIXTEN))).length).toBeGreaterThan(0);
    const figuresBefore = await figures();

    const cli = (...args: string[]) =>
      spawnSync(path.join(root, 'node_modules', '.bin', 'tsx'), ['scripts/cli.ts', ...args], { cwd: root, env: { ...process.env, DATABASE_URL: t.databaseUrl }, encoding: 'utf8' });
    const unknown = cli('person:erase', '--org', 'Region Nord/S-föreningen Centrum', '--phone', '070-999 99 99', '--json');
    expect(unknown.status).not.toBe(0);
    expect(unknown.stderr).toContain('No one in "Region Nord/S-föreningen Centrum" has that number');
    const personId = await personIdOf(SIXTEN.e164);
    const erased = cli('person:erase', '--org', 'Region Nord/S-föreningen Centrum', '--phone', SIXTEN.e164, '--keep-off-calls', '--json');
    expect(erased.status, erased.stderr).toBe(0);
    expect(JSON.parse(erased.stdout)).toEqual({ personId: Number(personId), keptOnDoNotCall: true });

    const hits = await scanDatabase(forms(SIXTEN));
    expect(hits.map((hit) => hit.table)).toEqual(['do_not_call']);
    const entry = await t.db.selectFrom('doNotCall').selectAll().where('phone', '=', SIXTEN.e164).executeTakeFirstOrThrow();
    expect(entry).toMatchObject({ organisationId: association.id, source: 'erasure', reason: '', createdBy: null });
    expect(await scanFiles(forms(SIXTEN))).toEqual([]);
    expect(await figures()).toEqual(figuresBefore);
    // The organizer's register shows it, as an erasure request.
    const register = await t.request('POST', `/api/orgs/${association.id}/do-not-call/search`, { cookie: await t.login(organizer), body: { search: SIXTEN.e164.slice(1) } });
    expect(register.body).toContain('"source":"erasure"');
  });

  test('a number already on the register (the person objected) stays there as an erasure request, with nothing else', async () => {
    // Those not answering come back after 4 hours.
    t.clock.advance(5 * 3_600_000);
    const objector = data<NextAnswer>(await ask(socket, 'contact:next', { campaignId })).assignment;
    if (!objector) throw new Error('no one to call');
    data(await complete(socket, { assignmentId: objector.id, key: randomUUID(), outcome: 'do-not-call', answers: {}, notes: 'Arg' }));
    const phone = objector.contact.phone;
    const personId = await personIdOf(phone);
    const response = await t.request('POST', `/api/people/${personId}/erase`, { cookie: await t.login(organizer), body: { keepOffCalls: false } });
    expect(response.json()).toEqual({ personId: Number(personId), keptOnDoNotCall: true });
    expect(await t.db.selectFrom('doNotCall').select(['source', 'reason', 'createdBy']).where('phone', '=', phone).execute()).toEqual([{ source: 'erasure', reason: '', createdBy: null }]);
  });

  test('refused: a body without keepOffCalls, a person of another organisation (404, as for no one), and nothing is erased', async () => {
    const cookie = await t.login(organizer);
    const someone = await t.db.selectFrom('person').select('id').where('organisationId', '=', association.id).executeTakeFirstOrThrow();
    const bad = await t.request('POST', `/api/people/${someone.id}/erase`, { cookie, body: {} });
    expect(bad.statusCode).toBe(400);
    const notANumber = await t.request('POST', '/api/people/abc/erase', { cookie, body: { keepOffCalls: false } });
    expect(notANumber.statusCode).toBe(400);
    const theirs = await t.db.selectFrom('person').select('id').where('organisationId', '=', sibling.id).executeTakeFirstOrThrow();
    const foreign = await t.request('POST', `/api/people/${theirs.id}/erase`, { cookie, body: { keepOffCalls: false } });
    expect(foreign.statusCode).toBe(404);
    expect(errorCode(foreign)).toBe('not_found');
    const missing = await t.request('POST', '/api/people/999999999/erase', { cookie, body: { keepOffCalls: false } });
    expect(missing.json()).toEqual(foreign.json());
    expect(await t.db.selectFrom('person').select('id').where('id', 'in', [someone.id, theirs.id]).execute()).toHaveLength(2);
  });
});
