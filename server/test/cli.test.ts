// The command line as administrators and scripts use it: real processes on this file's database.
import { writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { TestContext, runCli } from './harness';

let t: TestContext;
let workDir: string;
beforeAll(async () => {
  t = await TestContext.create();
  workDir = await mkdtemp(path.join(os.tmpdir(), 'ringa-cli-'));
});
afterAll(async () => {
  await t.close();
  await rm(workDir, { recursive: true, force: true });
});

/** A list from the party's member register, on the members' basis. */
const MEMBERS = ['--source', 'members', '--basis', 'members'];

const cli = (...args: string[]) => runCli(t.databaseUrl, ...args);

test('user:create makes the organisations on the path and the membership; org:list shows them; the user can sign in', async () => {
  const created = cli(
    'user:create',
    '--email', 'Kim@Example.org',
    '--password', 'Solsken över Luleå',
    '--name', 'Kim Andersson',
    '--org', 'Socialdemokraterna i Norrbotten/Luleå arbetarekommun/S-föreningen Centrum',
    '--role', 'organizer',
    '--json',
  );
  expect(created.status, created.stderr).toBe(0);
  expect(JSON.parse(created.stdout)).toMatchObject({ email: 'kim@example.org', role: 'organizer', created: true });

  const listed = cli('org:list', '--json');
  expect(listed.status).toBe(0);
  const organisations = JSON.parse(listed.stdout) as { id: string; name: string; kind: string; parentId: string | null; path: string }[];
  expect(organisations.map((org) => [org.path, org.kind])).toEqual([
    ['Socialdemokraterna i Norrbotten', 'district'],
    ['Socialdemokraterna i Norrbotten/Luleå arbetarekommun', 'municipality'],
    ['Socialdemokraterna i Norrbotten/Luleå arbetarekommun/S-föreningen Centrum', 'association'],
  ]);
  expect(organisations[1]?.parentId).toBe(organisations[0]?.id);

  const cookie = await t.login({ email: 'kim@example.org' }, 'Solsken över Luleå');
  expect((await t.me(cookie)).memberships.map((m) => [m.organisationName, m.role])).toEqual([['S-föreningen Centrum', 'organizer']]);
}, 120_000); // CLI processes, each starting tsx

test('user:create refuses a weak password and an unknown role with the reason, and writes nothing', async () => {
  const before = await t.tableCounts();
  const weak = cli('user:create', '--email', 'a@example.org', '--password', 'short', '--name', 'A', '--org', 'X', '--role', 'caller');
  expect(weak.status).toBe(1);
  expect(weak.stderr).toContain('at least 10 characters');
  const role = cli('user:create', '--email', 'a@example.org', '--password', 'long enough password', '--name', 'A', '--org', 'X', '--role', 'boss');
  expect(role.status).toBe(2);
  expect(role.stderr).toContain('--role must be admin, organizer or caller');
  expect(await t.tableCounts()).toEqual(before);
}, 120_000); // CLI processes, each starting tsx

test('list:import waits for the import and prints the list; list:list shows it; a refused file exits non-zero with the reason', async () => {
  await t.newOrg({ name: 'Region Syd', kind: 'district', country: 'SE' });
  const file = path.join(workDir, 'ringlista.csv');
  writeFileSync(file, 'Förnamn;Mobil\r\nAnna;070-123 45 67\r\nBo;4,67E+10\r\nCia;0701234567\r\n');
  const imported = cli('list:import', file, '--org', 'Region Syd', '--name', 'Ringlista', ...MEMBERS, '--json');
  expect(imported.status, imported.stderr).toBe(0);
  const list = JSON.parse(imported.stdout) as { id: string; status: string; counts: Record<string, number> };
  expect(list).toMatchObject({ name: 'Ringlista', status: 'ready', counts: { rows: 3, imported: 1, invalid: 1, duplicates: 1, suppressed: 0 } });

  const listed = cli('list:list', '--org', 'Region Syd', '--json');
  expect(listed.status).toBe(0);
  expect(JSON.parse(listed.stdout)).toEqual([expect.objectContaining({ id: list.id, status: 'ready', counts: list.counts, source: { kind: 'members', name: null, date: null, basis: 'members' } })]);

  const noPhone = path.join(workDir, 'nophone.csv');
  writeFileSync(noPhone, 'Förnamn;Ort\r\nAnna;Luleå\r\n');
  const refused = cli('list:import', noPhone, '--org', 'Region Syd', '--name', 'Utan nummer', ...MEMBERS);
  expect(refused.status).not.toBe(0);
  expect(refused.stderr).toMatch(/phone/i);
  const unknownOrg = cli('list:import', file, '--org', 'Nowhere', '--name', 'X', ...MEMBERS);
  expect(unknownOrg.status).toBe(1);
  expect(unknownOrg.stderr).toContain('No organisation has the path "Nowhere"');
}, 120_000); // four CLI processes, each starting tsx

test('list:import asks where the list came from: a broker with its name and date is kept and printed; without a source, basis, broker name or date, or with a date to come, it exits 2 naming the option and imports nothing', async () => {
  await t.newOrg({ name: 'Region Väst', kind: 'district', country: 'SE' });
  const file = path.join(workDir, 'kopt.csv');
  writeFileSync(file, 'Förnamn;Mobil\r\nAnna;0702222221\r\nBo;0702222222\r\n');
  const broker = ['--source', 'broker', '--source-name', 'Adressbolaget AB', '--source-date', '2026-03-01', '--basis', 'legitimate-interest'];

  const before = await t.tableCounts();
  const lists = async () => (await t.db.selectFrom('targetList').select('id').execute()).length;
  const listsBefore = await lists();
  const refusals: [string[], string][] = [
    [['--basis', 'members'], '--source'],
    [['--source', 'members'], '--basis'],
    [broker.filter((_, i) => i !== 2 && i !== 3), '--source-name'],
    [[...broker.slice(0, 5), '2099-01-01', ...broker.slice(6)], '--source-date'],
  ];
  for (const [options, named] of refusals) {
    const refused = cli('list:import', file, '--org', 'Region Väst', '--name', 'Köpt', ...options);
    expect(refused.status, `${options.join(' ')}: ${refused.stderr}`).toBe(2);
    expect(refused.stderr).toContain(`${named}: `);
    expect(refused.stderr).toContain('Usage: npm run cli -- list:import FILE');
  }
  expect(await lists()).toBe(listsBefore);
  expect(await t.tableCounts()).toEqual(before);

  const imported = cli('list:import', file, '--org', 'Region Väst', '--name', 'Köpt', ...broker);
  expect(imported.status, imported.stderr).toBe(0);
  expect(imported.stdout).toContain('Source: broker, Adressbolaget AB, 2026-03-01, basis legitimate-interest.');
  const listed = cli('list:list', '--org', 'Region Väst', '--json');
  expect(JSON.parse(listed.stdout)).toEqual([expect.objectContaining({ name: 'Köpt', source: { kind: 'broker', name: 'Adressbolaget AB', date: '2026-03-01', basis: 'legitimate-interest' } })]);

  const help = cli('list:import', '--help');
  expect(help.status).toBe(0);
  for (const option of ['--source broker|members|signup|other', '--source-name', '--source-date YYYY-MM-DD', '--basis members|consent|legitimate-interest']) expect(help.stdout).toContain(option);
}, 180_000); // seven processes, each starting tsx and attaching to PostgreSQL

test('campaign:create makes a target group of the named lists and a campaign, --activate fills its queue; a bad list writes nothing', async () => {
  await t.newOrg({ name: 'Region Nord', kind: 'district', country: 'SE' });
  const file = path.join(workDir, 'nord.csv');
  writeFileSync(file, 'Förnamn;Mobil\r\nAnna;0701111111\r\nBo;0701111112\r\nCia;0701111113\r\n');
  expect(cli('list:import', file, '--org', 'Region Nord', '--name', 'Nord A', ...MEMBERS).status).toBe(0);
  const second = path.join(workDir, 'nord-b.csv');
  writeFileSync(second, 'Förnamn;Mobil\r\nCia;0701111113\r\nDan;0701111114\r\n');
  expect(cli('list:import', second, '--org', 'Region Nord', '--name', 'Nord B', ...MEMBERS).status).toBe(0);
  // Readable up to its last row, where a quote opens and never closes: the list is there, failed.
  const broken = path.join(workDir, 'nord-trasig.csv');
  writeFileSync(broken, 'Förnamn;Mobil;Ort\r\nOlle;0703000001;Luleå\r\nPer;0703000002;"Luleå\r\n');
  expect(cli('list:import', broken, '--org', 'Region Nord', '--name', 'Trasig', ...MEMBERS).status).toBe(1);

  const campaignRows = async () => ({
    campaigns: (await t.db.selectFrom('campaign').select('id').execute()).length,
    groups: (await t.db.selectFrom('targetGroup').select('id').execute()).length,
  });
  const before = await campaignRows();
  const unknown = cli('campaign:create', '--org', 'Region Nord', '--name', 'X', '--lists', 'Nord A,Nord C');
  expect(unknown.status).toBe(1);
  expect(unknown.stderr).toContain('"Region Nord" has no list called "Nord C"');
  const failed = cli('campaign:create', '--org', 'Region Nord', '--name', 'X', '--lists', 'Trasig');
  expect(failed.status).toBe(1);
  expect(failed.stderr).toContain('The list "Trasig" is not ready');
  const window = cli('campaign:create', '--org', 'Region Nord', '--name', 'X', '--lists', 'Nord A', '--window', 'nights');
  expect(window.status).toBe(2);
  expect(window.stderr).toContain('--window must be always or default');
  const dialing = cli('campaign:create', '--org', 'Region Nord', '--name', 'X', '--lists', 'Nord A', '--dialing', 'fax');
  expect(dialing.status).toBe(2);
  const lines = cli('campaign:create', '--org', 'Region Nord', '--name', 'X', '--lists', 'Nord A', '--dialing', 'simulated', '--dial-mode', 'power', '--lines', '4');
  expect([lines.status, lines.stderr]).toEqual([2, expect.stringContaining('--lines') as string]);
  // The server dials only on a line it places calls on: never on the callers' own phones.
  const ownPhones = cli('campaign:create', '--org', 'Region Nord', '--name', 'X', '--lists', 'Nord A', '--dial-mode', 'power');
  expect(ownPhones.status).toBe(1);
  expect(ownPhones.stderr).toContain('only when calls go through the browser');
  const tooLong = cli('campaign:create', '--org', 'Region Nord', '--name', 'X'.repeat(201), '--lists', 'Nord A');
  expect(tooLong.status).toBe(2);
  expect(tooLong.stderr).toContain('name');
  // None of the refused attempts left a target group or a campaign behind.
  expect(await campaignRows()).toEqual(before);

  const activated = cli('campaign:create', '--org', 'Region Nord', '--name', 'Höstens ringning', '--lists', 'Nord A,Nord B', '--window', 'always', '--dialing', 'simulated', '--dial-mode', 'power', '--lines', '3', '--activate', '--json');
  expect(activated.status, activated.stderr).toBe(0);
  const campaign = JSON.parse(activated.stdout) as { id: string; name: string; status: string; dialing: string; windowWarning: boolean; targetGroupIds: string[]; queue: Record<string, number> };
  expect(campaign).toMatchObject({ name: 'Höstens ringning', status: 'active', dialing: 'simulated', dialMode: 'power', linesPerCaller: 3, windowWarning: true, queue: { total: 4, fresh: 4, done: 0 } });
  const row = await t.db.selectFrom('campaign').select(['createdBy', 'callingWindow']).where('id', '=', campaign.id).executeTakeFirstOrThrow();
  expect(row.createdBy).toBeNull();
  expect(row.callingWindow).toMatchObject({ mon: [['00:00', '24:00']], sun: [['00:00', '24:00']] });
  const group = await t.db.selectFrom('targetGroup').select(['name', 'listIds', 'filters']).where('id', '=', campaign.targetGroupIds[0] ?? '').executeTakeFirstOrThrow();
  expect([group.name, group.listIds.length, group.filters]).toEqual(['Höstens ringning', 2, []]);

  const draft = cli('campaign:create', '--org', 'Region Nord', '--name', 'Utkast', '--lists', 'Nord A');
  expect(draft.status, draft.stderr).toBe(0);
  expect(draft.stdout).toMatch(/^Created campaign "Utkast" \(.+\) in Region Nord: draft, 0 people in the queue\.\n$/);
}, 150_000); // twelve CLI processes, each starting tsx: seconds apiece on a busy 2-core machine
