// Every file Ringa makes, and every text it stores, reads in the reader's language: the calls export, the
// statistics, an import's problem report and a person's export, read back in Swedish (the organisation's
// country's language, with no other choice made) and Norwegian (`?lang=nb`), and `?lang=` overriding the
// language kept on an account. A bad `lang` is a 400 that changes nothing. Texts Ringa stored in English
// before (problem reasons, the do-not-call reason of a call) are read back in the reader's language.
import { randomUUID } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import * as codesMigration from '../../db/migrations/2026-12-05T05-00_stored-texts-as-codes';
import { createCampaignAsSystem } from '../src/modules/campaigns/campaigns.service';
import { ALWAYS_WINDOW, DEFAULT_OUTCOMES } from '../src/modules/campaigns/outcomes';
import { recordObjection } from '../src/modules/lists/lists.service';
import { createGroupAsSystem } from '../src/modules/target-groups/target-groups.service';
import { errorCode, TestContext, type TestUser } from './harness';
import { listImport } from './multipart';

let t: TestContext;
let association: { id: string };
let organizer: TestUser;
let cookie: string;
/** An organizer whose account says English. */
let englishCookie: string;
let listId: string;
let campaignId: string;
const people: Record<string, number> = {};

// Rows 2–4 are used; 5 is too short, 6 is not a number, 7 repeats row 2, 8 has no number, 9 is on the register.
const LIST = ['Förnamn;Efternamn;Mobil', 'Åsa;Ek;070-123 45 67', 'Bo;Berg;070-234 56 78', 'Cilla;Lund;070-345 67 89', 'Dan;Kort;123', 'Eva;Text;saknas', 'Fia;Två;0701234567', 'Gun;Ingen;', 'Hans;Spärrad;070-999 99 99'].join('\r\n');

beforeAll(async () => {
  t = await TestContext.create({ now: new Date('2026-10-04T18:00:00Z') });
  const district = await t.newOrg({ name: 'Region Syd', kind: 'partidistrikt', country: 'SE' });
  association = await t.newOrg({ parent: district, name: 'S-föreningen Möllan', kind: 'S-förening' });
  organizer = await t.newUser([{ org: association, role: 'organizer' }], { name: 'Olga Organisatör' });
  const english = await t.newUser([{ org: association, role: 'organizer' }]);
  cookie = await t.login(organizer);
  englishCookie = await t.login(english);
  expect((await t.request('PUT', '/api/me', { cookie: englishCookie, body: { language: 'en' } })).statusCode).toBe(200);

  const added = await t.request('POST', `/api/orgs/${association.id}/do-not-call`, { cookie, body: { phone: '070-999 99 99' } });
  expect(added.statusCode, added.body).toBe(201);
  const body = listImport({ name: 'Medlemmar: hösten' }, { field: 'file', filename: 'medlemmar.csv', content: LIST });
  const imported = await t.request('POST', `/api/orgs/${association.id}/lists`, { cookie, body: body.payload, headers: { 'content-type': body.contentType } });
  expect(imported.statusCode, imported.body).toBe(202);
  listId = imported.json<{ id: string }>().id;
  await t.app.ctx.importer.wait(listId);
  for (const row of await t.db.selectFrom('person').select(['id', 'firstName']).where('organisationId', '=', association.id).execute()) people[row.firstName] = row.id;

  const group = await createGroupAsSystem(t.db, t.clock, association.id, { name: 'Alla', listIds: [listId], filters: [] });
  const campaign = await createCampaignAsSystem(t.db, t.clock, association.id, {
    name: 'Höstens ringning',
    callingWindow: ALWAYS_WINDOW,
    targetGroupIds: [group.id],
    questions: [
      { id: 'member', kind: 'yes-no', text: 'Vill du bli medlem?', tags: ['recruit'] },
      { id: 'issue', kind: 'single', text: 'Viktigaste frågan?', choices: [{ value: 'housing', label: 'Bostäder', tags: [] }, { value: 'care', label: 'Vården', tags: [] }] },
    ],
    outcomes: [...DEFAULT_OUTCOMES, { code: 'invited', label: 'Inbjuden till mötet', reached: true, final: true, tags: ['event'] }],
  });
  campaignId = campaign.id;
  const version = await t.db.selectFrom('campaignVersion').select('id').where('campaignId', '=', campaignId).executeTakeFirstOrThrow();
  const call = (personId: number | undefined, outcome: string, answers: object, tags: string[], minute: number) =>
    t.db
      .insertInto('call')
      .values({
        campaignId,
        organisationId: association.id,
        personId,
        callerId: organizer.id,
        versionId: version.id,
        outcome,
        answers: JSON.stringify(answers),
        tags,
        idempotencyKey: randomUUID(),
        leaseId: randomUUID(),
        createdAt: new Date(`2026-10-04T17:${String(minute).padStart(2, '0')}:00Z`),
      })
      .execute();
  await call(people.Åsa, 'conversation', { member: true, issue: 'care' }, ['event', 'recruit'], 0);
  await call(people.Bo, 'no-answer', {}, [], 10);
  await call(people.Cilla, 'invited', { member: false, issue: 'housing' }, ['event'], 20);
  // Cilla asked, during a call, not to be called again.
  await recordObjection(t.db, association.id, '+46703456789', organizer.id, t.clock.now());
});
afterAll(async () => {
  await t?.close();
});

function csv(response: LightMyRequestResponse): string[][] {
  expect(response.statusCode, response.body).toBe(200);
  expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
  return parse(response.rawPayload, { bom: true, delimiter: ';', relax_column_count: true });
}

/** The file's name as a browser saves it (the UTF-8 one). */
function fileName(response: LightMyRequestResponse): string {
  const match = /filename\*=UTF-8''(.+)$/.exec(String(response.headers['content-disposition']));
  return decodeURIComponent(match?.[1] ?? '');
}

const get = (url: string, as = cookie) => t.request('GET', url, { cookie: as });

describe('the calls export', () => {
  const url = () => `/api/campaigns/${campaignId}/calls.csv`;

  test("in Swedish, the organisation's country's language, when the reader has chosen none: headers, outcomes, tags, yes/no, choices, file name", async () => {
    const response = await get(url());
    const [header, ...rows] = csv(response);
    expect(header).toEqual(['Tid', 'Ringare', 'Förnamn', 'Efternamn', 'Telefon', 'Utfall', 'Räknas som', 'Anteckningar', 'Anteckning till nästa ringare', 'Flaggat för kampanjledaren', 'Ring tillbaka', 'Vill du bli medlem?', 'Viktigaste frågan?']);
    // Outcome, tags, then the answers: the built-in outcomes in Swedish, the organizer's own as written.
    expect(rows.map((row) => [row[2], row[5], row[6], row[11], row[12]])).toEqual([
      ['Åsa', 'Samtal', 'Aktivitet, Ny medlem', 'Ja', 'Vården'],
      ['Bo', 'Inget svar', '', '', ''],
      ['Cilla', 'Inbjuden till mötet', 'Aktivitet', 'Nej', 'Bostäder'],
    ]);
    expect(fileName(response)).toBe('Höstens ringning samtal 2026-10-04.csv');
  });

  test('in Norwegian with ?lang=nb', async () => {
    const response = await get(`${url()}?lang=nb`);
    const [header, ...rows] = csv(response);
    expect(header?.slice(0, 11)).toEqual(['Tid', 'Ringer', 'Fornavn', 'Etternavn', 'Telefon', 'Utfall', 'Teller som', 'Notater', 'Notat til neste ringer', 'Flagget til kampanjelederen', 'Ring tilbake']);
    expect(rows.map((row) => [row[5], row[6], row[11]])).toEqual([
      ['Samtale', 'Arrangement, Nytt medlem', 'Ja'],
      ['Ikke svar', '', ''],
      ['Inbjuden till mötet', 'Arrangement', 'Nei'],
    ]);
    expect(fileName(response)).toBe('Höstens ringning samtaler 2026-10-04.csv');
  });

  test("the account's language, and ?lang= over it", async () => {
    const [english] = csv(await get(url(), englishCookie));
    expect(english?.slice(0, 6)).toEqual(['Time', 'Caller', 'First name', 'Last name', 'Phone', 'Outcome']);
    const overridden = await get(`${url()}?lang=sv`, englishCookie);
    expect(csv(overridden)[1]?.[5]).toBe('Samtal');
    // The browser's language counts only when the account has none.
    const danish = await t.request('GET', url(), { cookie, headers: { 'accept-language': 'da-DK,da;q=0.9' } });
    expect(csv(danish)[0]?.slice(0, 3)).toEqual(['Tidspunkt', 'Ringer', 'Fornavn']);
  });

  test('a language Ringa does not speak is a 400 that names lang, and exports nothing', async () => {
    const before = await t.db.selectFrom('auditEvent').select('id').where('action', '=', 'campaign.calls-exported').execute();
    const response = await get(`${url()}?lang=fi`);
    expect(response.statusCode).toBe(400);
    expect(errorCode(response)).toBe('validation');
    expect(response.json<{ error: { message: string } }>().error.message).toContain('lang');
    const after = await t.db.selectFrom('auditEvent').select('id').where('action', '=', 'campaign.calls-exported').execute();
    expect(after.length).toBe(before.length);
  });
});

describe('the statistics file', () => {
  const url = () => `/api/orgs/${association.id}/stats.csv?from=2026-10-01&to=2026-10-31`;

  test('in Swedish by default and in Norwegian with lang=nb: headers and file name', async () => {
    const swedish = await get(url());
    expect(csv(swedish)[0]?.slice(0, 7)).toEqual(['Organisation', 'Typ', 'Från', 'Till', 'Uppringningar', 'Svarade', 'Samtal']);
    expect(fileName(swedish)).toBe('S-föreningen Möllan statistik 2026-10-01 2026-10-31.csv');
    const norwegian = await get(`${url()}&lang=nb`);
    expect(csv(norwegian)[0]?.slice(0, 7)).toEqual(['Organisasjon', 'Type', 'Fra', 'Til', 'Oppringninger', 'Besvart', 'Samtaler']);
    expect(fileName(norwegian)).toBe('S-föreningen Möllan statistikk 2026-10-01 2026-10-31.csv');
    const bad = await get(`${url()}&lang=svenska`);
    expect(bad.statusCode).toBe(400);
    expect(errorCode(bad)).toBe('validation');
  });
});

describe("an import's problem report", () => {
  const url = (query = '') => `/api/lists/${listId}/errors.csv${query}`;

  test('in Swedish: header, problems, reasons with their values, file name', async () => {
    const response = await get(url());
    expect(csv(response)).toEqual([
      ['Rad', 'Kolumn', 'Värde', 'Problem', 'Orsak'],
      ['5', 'Mobil', '123', 'Ogiltigt nummer', '123 är för kort för att vara ett svenskt telefonnummer.'],
      ['6', 'Mobil', 'saknas', 'Ogiltigt nummer', '”saknas” är inget telefonnummer.'],
      ['7', 'Mobil', '0701234567', 'Dubblett', 'Numret +46701234567 finns redan på rad 2 i filen.'],
      ['8', '', '', 'Ogiltigt nummer', 'Raden har inget telefonnummer.'],
      ['9', 'Mobil', '070-999 99 99', 'På spärrlistan', 'Numret +46709999999 står på spärrlistan.'],
    ]);
    expect(fileName(response)).toBe('Medlemmar hösten - problem.csv');
  });

  test('in Norwegian with lang=nb, and over an English account', async () => {
    const response = await get(url('?lang=nb'), englishCookie);
    const rows = csv(response);
    expect(rows[0]).toEqual(['Rad', 'Kolonne', 'Verdi', 'Problem', 'Årsak']);
    expect(rows.slice(1).map((row) => [row[3], row[4]])).toEqual([
      ['Ugyldig nummer', '123 er for kort til å være et svensk telefonnummer.'],
      ['Ugyldig nummer', '«saknas» er ikke et telefonnummer.'],
      ['Duplikat', 'Nummeret +46701234567 står allerede på rad 2 i filen.'],
      ['Ugyldig nummer', 'Raden har ikke noe telefonnummer.'],
      ['På sperrelisten', 'Nummeret +46709999999 står på sperrelisten.'],
    ]);
    expect(fileName(response)).toBe('Medlemmar hösten - problemer.csv');
    expect(csv(await get(url(), englishCookie))[0]).toEqual(['Row', 'Column', 'Value', 'Problem', 'Reason']);
  });

  test('a bad lang is a 400', async () => {
    const response = await get(url('?lang=xx'));
    expect(response.statusCode).toBe(400);
    expect(errorCode(response)).toBe('validation');
  });
});

describe('the do-not-call reason of a call', () => {
  test('is stored as no words, and reads in the reader’s language in the person’s export', async () => {
    const entry = await t.db.selectFrom('doNotCall').select(['reason', 'source']).where('phone', '=', '+46703456789').executeTakeFirstOrThrow();
    expect(entry).toEqual({ reason: '', source: 'call' });
    const swedish = await get(`/api/people/${people.Cilla}/export`);
    expect(swedish.statusCode, swedish.body).toBe(200);
    type Export = { doNotCall: { reason: string }[]; campaigns: { calls: { outcome: { code: string; label: string } }[] }[] };
    expect(swedish.json<Export>().doNotCall.map((e) => e.reason)).toEqual(['Bad under ett samtal att inte bli uppringd igen.']);
    const norwegian = await get(`/api/people/${people.Cilla}/export?lang=nb`, englishCookie);
    expect(norwegian.json<Export>().doNotCall.map((e) => e.reason)).toEqual(['Ba under en samtale om ikke å bli oppringt igjen.']);
    expect((await get(`/api/people/${people.Cilla}/export`, englishCookie)).json<Export>().doNotCall[0]?.reason).toBe('Asked during a call not to be called again.');
    // The register's list answers with the code form; the web app words it.
    const register = await t.request('POST', `/api/orgs/${association.id}/do-not-call/search`, { cookie, body: { search: '0703456789' } });
    expect(register.json<{ entries: { reason: string; source: string }[] }>().entries.map((e) => [e.reason, e.source])).toEqual([['', 'call']]);
    expect((await get(`/api/people/${people.Cilla}/export?lang=dk`)).statusCode).toBe(400);
  });

  test("a person's export names the built-in outcomes in the reader's language, an organizer's own as written", async () => {
    type Export = { campaigns: { calls: { outcome: { code: string; label: string } }[] }[] };
    const asa = await get(`/api/people/${people.Åsa}/export?lang=nb`);
    expect(asa.json<Export>().campaigns[0]?.calls[0]?.outcome).toEqual({ code: 'conversation', label: 'Samtale' });
    const cilla = await get(`/api/people/${people.Cilla}/export?lang=nb`);
    expect(cilla.json<Export>().campaigns[0]?.calls[0]?.outcome).toEqual({ code: 'invited', label: 'Inbjuden till mötet' });
  });
});

describe('texts stored in English before: the migration turns them into codes', () => {
  test('old problem reasons and do-not-call reasons read in Swedish and Norwegian after it', async () => {
    // Back to before the migration, with rows as Ringa wrote them then.
    await codesMigration.down(t.db);
    const other = randomUUID();
    await t.db.insertInto('targetList').values({ id: other, organisationId: association.id, name: 'Gammal lista', country: 'SE', status: 'ready', createdAt: t.clock.now(), finishedAt: t.clock.now() }).execute();
    const old = [
      'Excel turned this number into scientific notation (4.67E+10); the digits are lost.',
      'This number has lost its leading zero (701234567); it was probably 0701234567. Format the column as text in Excel, type the number again and export once more.',
      '+46 70 123 is too short to be a phone number.',
      '12345678901234 is too long to be a Danish phone number.',
      '7012345678 is not a valid Swedish phone number.',
      '+999 123 does not start with a known country code.',
      'The number +46701234567 is already on row 2 of this file.',
      'Something Ringa never wrote.',
    ];
    await sql`insert into list_row_problem (list_id, row_number, kind, column_name, raw_value, reason)
      select ${other}::uuid, n + 1, case when r like 'The number%' then 'duplicate' else 'invalid' end, 'Mobil', 'x', r
      from unnest(${old}::text[]) with ordinality as o(r, n)`.execute(t.db);
    await sql`update do_not_call set reason = 'Asked during a call not to be called again.' where source = 'call'`.execute(t.db);
    await codesMigration.up(t.db);

    const swedish = csv(await get(`/api/lists/${other}/errors.csv`)).slice(1).map((row) => row[4]);
    expect(swedish).toEqual([
      'Excel har gjort om numret till grundpotensform (4.67E+10); siffrorna är borta.',
      'Numret har tappat sin inledande nolla (701234567); det var troligen 0701234567. Formatera kolumnen som text i Excel, skriv in numret igen och exportera en gång till.',
      // A cell beginning with + gets the ' that keeps Excel from reading it as a formula.
      "'+46 70 123 är för kort för att vara ett telefonnummer.",
      '12345678901234 är för långt för att vara ett danskt telefonnummer.',
      '7012345678 är inte ett giltigt svenskt telefonnummer.',
      "'+999 123 börjar inte med någon känd landskod.",
      'Numret +46701234567 finns redan på rad 2 i filen.',
      'Something Ringa never wrote.',
    ]);
    const norwegian = csv(await get(`/api/lists/${other}/errors.csv?lang=nb`)).slice(1).map((row) => row[4]);
    expect(norwegian[4]).toBe('7012345678 er ikke et gyldig svensk telefonnummer.');
    const entry = await t.db.selectFrom('doNotCall').select('reason').where('source', '=', 'call').executeTakeFirstOrThrow();
    expect(entry.reason).toBe('');
    const exported = await get(`/api/people/${people.Cilla}/export?lang=nb`);
    expect(exported.json<{ doNotCall: { reason: string }[] }>().doNotCall[0]?.reason).toBe('Ba under en samtale om ikke å bli oppringt igjen.');
  });
});
