// `npm run cli -- person:export`: an operator answers a person's access request (GDPR Art. 15) from the
// command line, in plain words or as JSON; an unknown number is said plainly and exits non-zero.
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { PersonExport } from '../src/contract/api';
import { recordObjection } from '../src/modules/lists/lists.service';
import { TestContext, runCli } from './harness';

let t: TestContext;
beforeAll(async () => {
  t = await TestContext.create();
  const district = await t.newOrg({ name: 'Region Nord', kind: 'district', country: 'SE' });
  const association = await t.newOrg({ parent: district, name: 'Kiruna' });
  const organizer = await t.newUser([{ org: association, role: 'organizer' }]);
  await t.newOpenCampaign(association, organizer, { people: 2, firstNumber: 4_445_566, name: 'Vårens ringkväll' });
  await t.db.updateTable('targetList').set({ sourceKind: 'members', sourceName: 'Medlemsregistret', legalBasis: 'members' }).execute();
});
afterAll(() => t.close());

const cli = (...args: string[]) => runCli(t.databaseUrl, ...args);

test('person:export prints what Ringa holds in plain words, and as JSON; each export is audited by id', async () => {
  // In the organisation's language (Swedish) unless --lang says otherwise.
  const swedish = cli('person:export', '--org', 'Region Nord/Kiruna', '--phone', '+46704445566');
  expect(swedish.status, swedish.stderr).toBe(0);
  expect(swedish.stdout).toContain('Vårens ringkväll (Kiruna), pågår; 0 samtal; svar och anteckningar raderas 12 månader efter att den avslutats');
  expect(swedish.stdout).toContain('källa: partiets medlemsregister (Medlemsregistret); rättslig grund: medlemmar och personer i regelbunden kontakt (art. 9.2 d)');
  expect(swedish.stdout).toContain('Står inte i spärrlistan.');
  expect(swedish.stdout).toContain('Personen sparas så länge en pågående kampanj använder en lista hen finns på; därefter 24 månader.');
  expect(swedish.stdout).not.toMatch(/\b(source|legal basis|call\(s\)|months)\b/);
  const norwegian = cli('person:export', '--org', 'Region Nord/Kiruna', '--phone', '+46704445566', '--lang', 'nb');
  expect(norwegian.stdout).toContain('Står ikke på reservasjonslisten.');
  expect(norwegian.stdout).toContain('behandlingsgrunnlag: medlemmer og personer i regelmessig kontakt');

  const text = cli('person:export', '--org', 'Region Nord/Kiruna', '--phone', '+46704445566', '--lang', 'en');
  expect(text.status, text.stderr).toBe(0);
  expect(text.stdout).toContain('P0, +46704445566');
  expect(text.stdout).toContain('Vårens ringkväll (Kiruna), active; 0 call(s); answers and notes deleted 12 months after it finishes');
  expect(text.stdout).toContain("source: the party's member register (Medlemsregistret); legal basis: members and people in regular contact (Art. 9(2)(d))");
  expect(text.stdout).toContain('Not on the do-not-call register.');
  expect(text.stdout).toContain('The person is kept while a running campaign uses a list they are on; then 24 months.');

  const json = cli('person:export', '--org', 'Region Nord/Kiruna', '--phone', '070-444 55 66', '--json');
  expect(json.status, json.stderr).toBe(0);
  const record = JSON.parse(json.stdout) as PersonExport;
  expect(record).toMatchObject({ firstName: 'P0', phone: '+46704445566', organisationName: 'Kiruna', doNotCall: [], telephonyCalls: [] });
  expect(record.lists).toEqual([expect.objectContaining({ sourceKind: 'members', legalBasis: 'members' })]);
  expect(record.campaigns).toEqual([expect.objectContaining({ name: 'Vårens ringkväll', calls: [] })]);

  const audited = await t.db.selectFrom('auditEvent').select(['details', 'actorUserId']).where('action', '=', 'person.exported').execute();
  expect(audited).toEqual([
    { details: { personId: record.id, withheldCampaigns: 0, via: 'cli' }, actorUserId: null },
    { details: { personId: record.id, withheldCampaigns: 0, via: 'cli' }, actorUserId: null },
    { details: { personId: record.id, withheldCampaigns: 0, via: 'cli' }, actorUserId: null },
    { details: { personId: record.id, withheldCampaigns: 0, via: 'cli' }, actorUserId: null },
  ]);
}, 120_000);

test('an unknown number, a number that is none and an unknown organisation are said plainly, with a non-zero exit', () => {
  const unknown = cli('person:export', '--org', 'Region Nord/Kiruna', '--phone', '+46709999999');
  expect(unknown.status).toBe(1);
  expect(unknown.stderr).toContain('A person with the number +46709999999 in "Region Nord/Kiruna" was not found.');
  const bad = cli('person:export', '--org', 'Region Nord/Kiruna', '--phone', 'hej');
  expect(bad.status).toBe(1);
  expect(bad.stderr).toContain('"hej" is not a phone number we can use');
  const nowhere = cli('person:export', '--org', 'Region Syd', '--phone', '+46704445566');
  expect(nowhere.status).toBe(1);
  const missing = cli('person:export', '--org', 'Region Nord/Kiruna');
  expect(missing.status).toBe(2);
  expect(missing.stderr).toContain('--phone is required');
}, 120_000);

test("person:export --lang: what Ringa names is in that language, by default the organisation's country's; a language it does not speak is refused", async () => {
  // P1 asked during a call not to be called again: Ringa stores no words for it, only the source.
  const organisation = await t.db.selectFrom('organisation').select('id').where('name', '=', 'Kiruna').executeTakeFirstOrThrow();
  const caller = await t.db.selectFrom('appUser').select('id').executeTakeFirstOrThrow();
  await recordObjection(t.db, organisation.id, '+46704445567', caller.id, t.clock.now());
  const reasonIn = (...lang: string[]) => {
    const result = cli('person:export', '--org', 'Region Nord/Kiruna', '--phone', '+46704445567', '--json', ...lang);
    expect(result.status, result.stderr).toBe(0);
    return (JSON.parse(result.stdout) as PersonExport).doNotCall.map((entry) => entry.reason);
  };
  expect(reasonIn()).toEqual(['Bad under ett samtal att inte bli uppringd igen.']);
  expect(reasonIn('--lang', 'nb')).toEqual(['Ba under en samtale om ikke å bli oppringt igjen.']);
  const bad = cli('person:export', '--org', 'Region Nord/Kiruna', '--phone', '+46704445567', '--lang', 'fi');
  expect(bad.status).toBe(2);
  expect(bad.stderr).toContain('--lang must be one of sv, da, nb, en (got "fi")');
}, 120_000);
