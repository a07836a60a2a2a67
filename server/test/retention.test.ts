// Retention, enforced, on a manual clock: a finished campaign's calls keep their answers and notes 12
// months (not a day less), people 24 months after the last campaign that called them finished, except
// those on a list a running campaign uses; an organisation's own months override its parent's; the
// figures stay the same; the command line's --dry-run deletes nothing and says what it would.
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { RetentionView } from '../src/contract/api';
import { changeStatus } from '../src/modules/campaigns/campaigns.service';
import { addMonths } from '../src/modules/privacy/retention-rules';
import { ask, type Client } from './ask';
import { TestContext, errorCode, root, type TestUser } from './harness';
import { complete, connect, data, foldedFigures, importList, next, openCampaign } from './privacy-helpers';

const DAY = 86_400_000;

let t: TestContext;
let url: string;
let district: { id: string };
let association: { id: string };
let strict: { id: string };
let lenient: { id: string };
let admin: TestUser;
let organizer: TestUser;
let caller: TestUser;
const opened: Client[] = [];
/** The finished campaign of each organisation, and when they finished. */
const finished: Record<'association' | 'strict' | 'lenient', string> = { association: '', strict: '', lenient: '' };
let running: string;
let finishedAt: Date;

beforeAll(async () => {
  t = await TestContext.create();
  // The test drives the daily purge itself.
  await t.app.ctx.purger.close();
  url = await t.app.listen({ port: 0, host: '127.0.0.1' });
  district = await t.newOrg({ name: 'Region Väst', kind: 'district', country: 'SE' });
  association = await t.newOrg({ parent: district, name: 'S-föreningen Hamnen' });
  // A municipality keeping answers 6 months, one of its associations only 3.
  const municipality = await t.newOrg({ parent: district, name: 'Kommunen', kind: 'municipality' });
  strict = await t.newOrg({ parent: municipality, name: 'Strikta föreningen' });
  lenient = await t.newOrg({ parent: municipality, name: 'Vanliga föreningen' });
  admin = await t.newUser([{ org: district, role: 'admin' }]);
  organizer = await t.newUser([{ org: district, role: 'organizer' }]);
  caller = await t.newUser([{ org: district, role: 'caller' }]);
  const cookie = await t.login(admin);
  expect((await t.request('PUT', `/api/orgs/${municipality.id}/retention`, { cookie, body: { answersMonths: 6, peopleMonths: null } })).statusCode).toBe(200);
  expect((await t.request('PUT', `/api/orgs/${strict.id}/retention`, { cookie, body: { answersMonths: 3, peopleMonths: null } })).statusCode).toBe(200);

  // Each organisation calls its people: answers, notes, a note for the next caller, a flag, a callback.
  const socket = await connect(t, url, await t.login(caller), opened);
  const orgs = { association, strict, lenient };
  let n = 0;
  for (const [key, org] of Object.entries(orgs) as [keyof typeof orgs, { id: string }][]) {
    n += 1;
    const listId = await importList(t, org, organizer, `Lista ${key}`, [`Anna;Ett${n};070510${n}001;Göteborg`, `Bo;Två${n};070510${n}002;Borås`]);
    const campaignId = await openCampaign(t, org, organizer, `Kampanj ${key}`, [listId]);
    data(await ask(socket, 'campaign:join', { campaignId }));
    const first = await next(socket, campaignId);
    if (!first) throw new Error('no one to call');
    const second = data(await complete(socket, { assignmentId: first.id, key: randomUUID(), outcome: 'conversation', answers: { member: true, why: 'Skolan' }, notes: 'Vill veta mer', noteForNext: 'Ring på kvällen', flag: 'Undrade var vi fått numret', next: true })).next;
    if (!second) throw new Error('no one more to call');
    data(await complete(socket, { assignmentId: second.id, key: randomUUID(), outcome: 'callback', answers: {}, notes: 'Upptagen', callbackAt: new Date(t.clock.now().getTime() + 2 * 3_600_000).toISOString() }));
    finished[key] = campaignId;
  }
  // A campaign still running on a list of its own: its people stay however old the list is.
  const runningList = await importList(t, association, organizer, 'Medlemmar', ['Cecilia;Kvar;0705109001;Göteborg']);
  running = await openCampaign(t, association, organizer, 'Pågående', [runningList]);

  t.clock.advance(DAY);
  for (const campaignId of Object.values(finished)) await changeStatus(t.db, t.clock, organizer.id, campaignId, 'finished');
  finishedAt = t.clock.now();
});
afterAll(async () => {
  for (const socket of opened) socket.disconnect();
  await t.close();
});

/** Every call of the campaign as the purge sees it: what was said, and what it counts for. */
async function callsOf(campaignId: string) {
  const rows = await t.db.selectFrom('call').select(['outcome', 'tags', 'answers', 'notes', 'noteForNext', 'flagNote', 'callbackAt', 'personId']).where('campaignId', '=', campaignId).orderBy('createdAt').execute();
  return rows.map((row) => ({ ...row, kept: JSON.stringify(row.answers) !== '{}' || row.notes !== '' || row.noteForNext !== '' || row.flagNote !== '' || row.callbackAt !== null }));
}
const personal = async (campaignId: string) => (await callsOf(campaignId)).some((call) => call.kept);
const peopleOf = async (org: { id: string }) => (await t.db.selectFrom('person').select('lastName').where('organisationId', '=', org.id).orderBy('lastName').execute()).map((row) => row.lastName);

/** Every organisation's and campaign's figures, over a fixed period. */
async function figures() {
  const cookie = await t.login(admin);
  const period = '?from=2026-01-01&to=2026-12-31';
  const reads: Record<string, { url: string; cookie: string }> = {};
  for (const [name, org] of Object.entries({ district, association, strict, lenient })) reads[name] = { url: `/api/orgs/${org.id}/stats${period}`, cookie };
  for (const [name, campaignId] of Object.entries({ ...finished, running })) reads[`campaign ${name}`] = { url: `/api/campaigns/${campaignId}/stats?day=2026-10-04&answers=false`, cookie };
  return foldedFigures(t, reads);
}

/** Moves the clock to `at` and runs the day's purge, as the first server process of that day would. */
async function purgeAt(at: Date) {
  t.clock.advance(at.getTime() - t.clock.now().getTime());
  const summary = await t.app.ctx.purger.runDue();
  expect(summary, `a purge on ${at.toISOString()}`).not.toBeNull();
  const row = await t.db.selectFrom('privacyPurge').selectAll().where('day', '=', new Date(`${at.toISOString().slice(0, 10)}T00:00:00Z`)).executeTakeFirst();
  expect(row?.finishedAt).not.toBeNull();
  // Another process on the same day finds it done.
  expect(await t.app.ctx.purger.runDue()).toBeNull();
  return summary;
}

function cli(...args: string[]) {
  return spawnSync(path.join(root, 'node_modules', '.bin', 'tsx'), ['scripts/cli.ts', ...args], { cwd: root, env: { ...process.env, DATABASE_URL: t.databaseUrl }, encoding: 'utf8' });
}

test('the settings say where each rule comes from, and an organisation\'s own months override its parent\'s', async () => {
  const cookie = await t.login(admin);
  const view = async (org: { id: string }) => (await t.request('GET', `/api/orgs/${org.id}/retention`, { cookie })).json<RetentionView>();
  expect(await view(association)).toMatchObject({ answers: { months: 12, own: null, from: null }, people: { months: 24, own: null, from: null } });
  expect(await view(lenient)).toMatchObject({ answers: { months: 6, own: null, from: { name: 'Kommunen' } }, people: { months: 24, from: null } });
  expect(await view(strict)).toMatchObject({ answers: { months: 3, own: 3, from: { id: strict.id, name: 'Strikta föreningen' } } });
  // Each change is in the audit log, by whom and to what.
  const audit = await t.db.selectFrom('auditEvent').select(['organisationId', 'actorUserId', 'details']).where('action', '=', 'organisation.retention-changed').where('organisationId', '=', strict.id).execute();
  expect(audit).toEqual([{ organisationId: strict.id, actorUserId: admin.id, details: { answersMonths: 3, peopleMonths: null } }]);
  // Finishing a campaign records when.
  const campaign = await t.db.selectFrom('campaign').select(['status', 'finishedAt']).where('id', '=', finished.association).executeTakeFirstOrThrow();
  expect(campaign).toEqual({ status: 'finished', finishedAt: finishedAt });
});

test('bad months are refused with a clear 400 and change nothing; organizers may not set them', async () => {
  const cookie = await t.login(admin);
  const before = await t.db.selectFrom('organisation').select(['answersRetentionMonths', 'peopleRetentionMonths']).where('id', '=', association.id).executeTakeFirstOrThrow();
  for (const [body, code] of [
    [{ answersMonths: 0, peopleMonths: null }, 'answers_retention_out_of_range'],
    [{ answersMonths: 61, peopleMonths: null }, 'answers_retention_out_of_range'],
    [{ answersMonths: null, peopleMonths: 121 }, 'people_retention_out_of_range'],
    [{ answersMonths: 1.5, peopleMonths: null }, 'validation'],
    [{ answersMonths: 12 }, 'validation'],
  ] as const) {
    const response = await t.request('PUT', `/api/orgs/${association.id}/retention`, { cookie, body });
    expect(response.statusCode, JSON.stringify(body)).toBe(400);
    expect(errorCode(response)).toBe(code);
  }
  const refused = await t.request('PUT', `/api/orgs/${association.id}/retention`, { cookie: await t.login(organizer), body: { answersMonths: 1, peopleMonths: 1 } });
  expect(refused.statusCode).toBe(403);
  expect(await t.db.selectFrom('organisation').select(['answersRetentionMonths', 'peopleRetentionMonths']).where('id', '=', association.id).executeTakeFirstOrThrow()).toEqual(before);
});

test('answers and notes go 12 months after the campaign finished (3 and 6 where set), not a day earlier; people 24 months after; figures stay the same', async () => {
  const figuresBefore = await figures();
  const twelve = addMonths(finishedAt, 12);
  const twentyFour = addMonths(finishedAt, 24);

  // Three months less a day: everything is kept; the strict association's answers are among what the next 30 days delete.
  await purgeAt(new Date(addMonths(finishedAt, 3).getTime() - DAY));
  expect([await personal(finished.strict), await personal(finished.lenient), await personal(finished.association)]).toEqual([true, true, true]);
  const cookie = await t.login(admin);
  const upcoming = (await t.request('GET', `/api/orgs/${district.id}/retention`, { cookie })).json<RetentionView>().upcoming;
  expect(upcoming.answers).toEqual({ campaigns: 1, days: [{ day: addMonths(finishedAt, 3).toISOString().slice(0, 10), campaigns: 1 }] });
  expect(upcoming.people).toEqual({ people: 0, days: [] });

  await purgeAt(addMonths(finishedAt, 3));
  expect([await personal(finished.strict), await personal(finished.lenient), await personal(finished.association)]).toEqual([false, true, true]);
  await purgeAt(addMonths(finishedAt, 6));
  expect([await personal(finished.lenient), await personal(finished.association)]).toEqual([false, true]);

  // The day before twelve months: the command line's dry run says what the day would delete, and deletes nothing.
  await purgeAt(new Date(twelve.getTime() - DAY));
  expect(await personal(finished.association)).toBe(true);
  const dry = cli('privacy:purge', '--as-of', twelve.toISOString().slice(0, 10), '--dry-run', '--json');
  expect(dry.status, dry.stderr).toBe(0);
  expect(JSON.parse(dry.stdout)).toMatchObject({ dryRun: true, answers: { campaigns: 1, calls: 2 }, people: { people: 0 } });
  expect(await personal(finished.association)).toBe(true);

  await purgeAt(twelve);
  const calls = await callsOf(finished.association);
  expect(calls.map((call) => [call.outcome, call.tags, call.kept, call.personId !== null])).toEqual([
    ['conversation', ['recruit'], false, true],
    ['callback', [], false, true],
  ]);
  expect(await figures()).toEqual(figuresBefore);

  // People: kept until 24 months after the campaign that called them finished, not a day less.
  await purgeAt(new Date(twentyFour.getTime() - DAY));
  expect(await peopleOf(association)).toEqual(['Ett1', 'Kvar', 'Två1']);
  const dryPeople = cli('privacy:purge', '--as-of', twentyFour.toISOString().slice(0, 10), '--dry-run');
  expect(dryPeople.status, dryPeople.stderr).toBe(0);
  expect(dryPeople.stdout).toContain('Would delete');
  expect(dryPeople.stdout).toContain('6 people');
  expect(await peopleOf(association)).toEqual(['Ett1', 'Kvar', 'Två1']);

  const summary = await purgeAt(twentyFour);
  expect(summary?.people.people).toBe(6);
  // Cecilia is on the list of a campaign still running: she stays.
  expect(await peopleOf(association)).toEqual(['Kvar']);
  expect([await peopleOf(strict), await peopleOf(lenient)]).toEqual([[], []]);
  expect((await callsOf(finished.association)).map((call) => call.personId)).toEqual([null, null]);
  expect(await figures()).toEqual(figuresBefore);
  expect(await t.db.selectFrom('campaignContact').select('personId').where('campaignId', '=', running).execute()).toHaveLength(1);
});

test('--as-of must be a day; a bad one is refused with the reason', () => {
  const bad = cli('privacy:purge', '--as-of', '2027-13-01');
  expect(bad.status).toBe(2);
  expect(bad.stderr).toContain('--as-of must be a day written YYYY-MM-DD');
});
