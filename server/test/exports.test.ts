// The call-results export: GET /api/campaigns/:id/calls.csv. Rows as a spreadsheet should show them
// (local time, labels, answers as text), formulas neutralised, UTF-8 with a BOM that csv-parse reads
// back intact, both separators, only the campaign's own organizers and admins, an audit event per
// export without personal data, connections given back when a reader goes away, and a server whose
// memory does not grow with the file (a 200,000-call export from a server process of its own).
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { parse } from 'csv-parse/sync';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Insertable } from 'kysely';
import { benchExport, seedExportCampaign } from '../../scripts/bench/export';
import { poolOf } from '../../db/database';
import type { Call } from '../../db/schema';
import { createCampaignAsSystem, saveScript } from '../src/modules/campaigns/campaigns.service';
import { ALWAYS_WINDOW, DEFAULT_OUTCOMES } from '../src/modules/campaigns/outcomes';
import { MAX_RUNNING_EXPORTS } from '../src/modules/exports/exports.service';
import { createGroupAsSystem } from '../src/modules/target-groups/target-groups.service';
import { errorCode, TestContext, type TestUser } from './harness';

let t: TestContext;
let association: { id: string };
let organizer: TestUser;
const cookies: Record<string, string> = {};
let campaignId: string;
let emptyCampaignId: string;

const CAMPAIGN_NAME = 'Höstens ringning: del 1/2 "Malmö"';
// In Swedish, the organisation's country's language, as a reader who has chosen none gets it (file-languages.test.ts reads the others).
const COLUMNS = ['Tid', 'Ringare', 'Förnamn', 'Efternamn', 'Telefon', 'Utfall', 'Räknas som', 'Anteckningar', 'Anteckning till nästa ringare', 'Flaggat för kampanjledaren', 'Ring tillbaka'];
const QUESTION_HEADERS = ['Vill du bli medlem?', 'Vilken fråga är viktigast?', 'Hur vill du hjälpa till?', `'=Varför? Säg "något"; gärna, kort`];
const TRICKY_NOTE = 'Sa "hej" och\nen ny rad; semikolon, komma\r\nsista raden "slut"';

async function newCampaign(organisationId: string, name: string) {
  const list = await t.db
    .insertInto('targetList')
    .values({ organisationId, name: `Lista ${randomUUID()}`, country: 'SE', status: 'ready', createdAt: t.clock.now(), finishedAt: t.clock.now() })
    .returning('id')
    .executeTakeFirstOrThrow();
  const group = await createGroupAsSystem(t.db, t.clock, organisationId, { name: `Grupp ${randomUUID()}`, listIds: [list.id], filters: [] });
  return createCampaignAsSystem(t.db, t.clock, organisationId, {
    name,
    callingWindow: ALWAYS_WINDOW,
    targetGroupIds: [group.id],
    questions: [
      { id: 'member', kind: 'yes-no', text: 'Vill du bli **medlem**?', tags: ['recruit'] },
      {
        id: 'issue',
        kind: 'single',
        text: 'Vilken fråga är viktigast?',
        choices: [
          { value: 'housing', label: 'Bostäder', tags: [] },
          { value: 'care', label: 'Vården', tags: [] },
        ],
      },
      { id: 'why', kind: 'text', text: '=Varför? Säg "något"; gärna, kort' },
    ],
  });
}

async function person(firstName: string, lastName: string, phone: string): Promise<number> {
  const row = await t.db
    .insertInto('person')
    .values({ organisationId: association.id, firstName, lastName, phone, phoneType: 'mobile', createdAt: t.clock.now(), updatedAt: t.clock.now() })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

type CallValues = Partial<Insertable<Call>> & Pick<Insertable<Call>, 'versionId' | 'outcome' | 'createdAt'>;
async function call(values: CallValues): Promise<void> {
  await t.db
    .insertInto('call')
    .values({ campaignId, organisationId: association.id, idempotencyKey: randomUUID(), leaseId: randomUUID(), ...values, answers: JSON.stringify(values.answers ?? {}) })
    .execute();
}

beforeAll(async () => {
  t = await TestContext.create();
  const district = await t.newOrg({ name: 'Region Syd', kind: 'district', country: 'SE' });
  association = await t.newOrg({ parent: district, name: 'S-föreningen Möllan' });
  const other = await t.newOrg({ parent: district, name: 'Grannföreningen' });
  organizer = await t.newUser([{ org: association, role: 'organizer' }], { name: 'Olga Organisatör' });
  const users: Record<string, TestUser> = {
    organizer,
    admin: await t.newUser([{ org: association, role: 'admin' }]),
    caller: await t.newUser([{ org: association, role: 'caller' }], { name: 'Åke Ringare' }),
    districtOrganizer: await t.newUser([{ org: district, role: 'organizer' }]),
    districtAdmin: await t.newUser([{ org: district, role: 'admin' }]),
    otherOrganizer: await t.newUser([{ org: other, role: 'organizer' }]),
  };
  const formulaCaller = await t.newUser([{ org: association, role: 'caller' }], { name: '-Bosse Formel' });
  for (const [who, user] of Object.entries(users)) cookies[who] = await t.login(user);

  const campaign = await newCampaign(association.id, CAMPAIGN_NAME);
  campaignId = campaign.id;
  emptyCampaignId = (await newCampaign(association.id, 'Tom kampanj')).id;
  const v1 = (await t.db.selectFrom('campaignVersion').select('id').where('campaignId', '=', campaignId).executeTakeFirstOrThrow()).id;

  const asa = await person('Åsa', 'Öberg-Ängström', '+46701234567');
  const soren = await person('Søren', 'Ærø Ødegård', '+4520123456');
  const hyperlink = await person('=HYPERLINK("http://evil.example")', '+SUM(A1:A9)', '+46702222222');
  const minus = await person('-2+3', '@cmd', '+46703333333');
  const tab = await person('\tTab', '\rCR', '+46704444444');
  const caller = users.caller as TestUser;

  // Stockholm is on summer time (UTC+2) in October and on winter time (UTC+1) in January.
  await call({
    personId: asa,
    callerId: caller.id,
    versionId: v1,
    outcome: 'conversation',
    answers: { member: true, issue: 'housing', why: '=1+1' },
    notes: TRICKY_NOTE,
    noteForNext: '+ring igen efter 18',
    flagged: true,
    flagNote: '@chefen: titta på detta',
    callbackAt: new Date('2026-10-05T08:30:00Z'),
    tags: ['recruit'],
    createdAt: new Date('2026-10-04T17:00:00Z'),
  });
  // Version 1 was called, so saving makes version 2: it relabels a choice and an outcome, adds an outcome and a question, and drops "why".
  await saveScript(t.db, t.clock, organizer.id, campaignId, {
    script: 'Hej {first_name}!',
    questions: [
      { id: 'member', kind: 'yes-no', text: 'Vill du bli **medlem**?', tags: ['recruit'] },
      {
        id: 'issue',
        kind: 'single',
        text: 'Vilken fråga är viktigast?',
        choices: [
          { value: 'housing', label: 'Bostäder åt alla', tags: [] },
          { value: 'care', label: 'Vården', tags: [] },
        ],
      },
      {
        id: 'help',
        kind: 'multiple',
        text: 'Hur vill du *hjälpa* till?',
        choices: [
          { value: 'call', label: 'Ringa', tags: ['volunteer'] },
          { value: 'door', label: 'Knacka dörr', tags: ['volunteer'] },
        ],
      },
    ],
    outcomes: [
      ...DEFAULT_OUTCOMES.map((outcome) => (outcome.code === 'conversation' ? { ...outcome, label: 'Samtal' } : outcome)),
      { code: 'invited', label: '@Inbjuden till mötet', reached: true, final: true, tags: ['event'] },
    ],
  });
  const v2 = (await t.db.selectFrom('campaignVersion').select('id').where('campaignId', '=', campaignId).where('version', '=', 2).executeTakeFirstOrThrow()).id;
  await call({
    personId: soren,
    callerId: caller.id,
    versionId: v2,
    outcome: 'conversation',
    answers: { member: false, issue: 'housing', help: ['door', 'call'] },
    notes: 'smørrebrød æøå ÆØÅ – åäö ÅÄÖ',
    createdAt: new Date('2026-01-15T12:05:00Z'),
  });
  await call({ personId: hyperlink, callerId: formulaCaller.id, versionId: v2, outcome: 'invited', tags: ['event'], createdAt: new Date('2026-10-04T17:10:00Z') });
  await call({
    personId: minus,
    callerId: caller.id,
    versionId: v2,
    outcome: 'no-answer',
    notes: '-minus först',
    noteForNext: '\tindragen',
    flagNote: '\rvagnretur',
    createdAt: new Date('2026-10-04T17:20:00Z'),
  });
  await call({ personId: tab, callerId: caller.id, versionId: v1, outcome: 'conversation', answers: { member: false, why: '@alla' }, createdAt: new Date('2026-10-04T17:30:00Z') });
  // A person erased since (GDPR) and a caller whose account is gone: the call stays for the counts.
  await call({ personId: null, callerId: null, versionId: v2, outcome: 'busy', createdAt: new Date('2026-10-04T17:40:00Z') });
});
afterAll(async () => {
  await t?.close();
});

function exportUrl(id = campaignId, query = ''): string {
  return `/api/campaigns/${id}/calls.csv${query}`;
}

async function download(who: string, query = '', id = campaignId) {
  return t.request('GET', exportUrl(id, query), { cookie: cookies[who] });
}

function records(body: Buffer, delimiter = ';'): string[][] {
  const rows: string[][] = parse(body, { bom: true, delimiter, relax_column_count: false });
  return rows;
}

async function exportEvents() {
  return t.db.selectFrom('auditEvent').selectAll().where('action', '=', 'campaign.calls-exported').orderBy('id').execute();
}

const EXPECTED_ROWS = [
  // Time, Caller, First, Last, Phone, Outcome, Tags, Notes, Next, Flag, Callback, member, issue, help, why
  ['2026-01-15 13:05', 'Åke Ringare', 'Søren', 'Ærø Ødegård', "'+4520123456", 'Samtal', '', 'smørrebrød æøå ÆØÅ – åäö ÅÄÖ', '', '', '', 'Nej', 'Bostäder åt alla', 'Knacka dörr, Ringa', ''],
  [
    '2026-10-04 19:00',
    'Åke Ringare',
    'Åsa',
    'Öberg-Ängström',
    "'+46701234567",
    'Samtal',
    'Ny medlem',
    TRICKY_NOTE,
    "'+ring igen efter 18",
    "'@chefen: titta på detta",
    '2026-10-05 10:30',
    'Ja',
    'Bostäder',
    '',
    "'=1+1",
  ],
  ['2026-10-04 19:10', "'-Bosse Formel", `'=HYPERLINK("http://evil.example")`, "'+SUM(A1:A9)", "'+46702222222", "'@Inbjuden till mötet", 'Aktivitet', '', '', '', '', '', '', '', ''],
  ['2026-10-04 19:20', 'Åke Ringare', "'-2+3", "'@cmd", "'+46703333333", 'Inget svar', '', "'-minus först", "'\tindragen", "'\rvagnretur", '', '', '', '', ''],
  ['2026-10-04 19:30', 'Åke Ringare', "'\tTab", "'\rCR", "'+46704444444", 'Samtal', '', '', '', '', '', 'Nej', '', '', "'@alla"],
  ['2026-10-04 19:40', '', '', '', '', 'Upptaget', '', '', '', '', '', '', '', '', ''],
];

describe('the file', () => {
  test('one row per call, oldest first: local time, caller, person, outcome label, tags, notes, callback, one column per question of any version with its answer as text', async () => {
    const response = await download('organizer');
    expect(response.statusCode, response.body).toBe(200);
    const [header, ...rows] = records(response.rawPayload);
    expect(header).toEqual([...COLUMNS, ...QUESTION_HEADERS]);
    expect(rows).toEqual(EXPECTED_ROWS);
  });

  test('UTF-8 with a BOM first: Swedish and Danish letters come back intact when read with the BOM', async () => {
    const response = await download('organizer');
    expect([...response.rawPayload.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const [header, ...rows] = records(response.rawPayload);
    expect(header?.[0]).toBe('Tid');
    const cells = rows.flat();
    for (const text of ['Åsa', 'Öberg-Ängström', 'Søren', 'Ærø Ødegård', 'smørrebrød æøå ÆØÅ – åäö ÅÄÖ', 'Åke Ringare', 'Bostäder åt alla', 'Knacka dörr, Ringa']) expect(cells).toContain(text);
    expect(header).toContain('Vilken fråga är viktigast?');
  });

  test('no cell, header included, begins with = + - @ tab or CR: each such cell gets a leading apostrophe', async () => {
    const response = await download('organizer');
    const all = records(response.rawPayload);
    expect(all.length).toBe(EXPECTED_ROWS.length + 1);
    for (const cell of all.flat()) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    // Every formula start was there to neutralise: names, notes, the caller's name, an outcome label, answers, a question.
    const neutralised = all.flat().filter((cell) => cell.startsWith("'"));
    for (const start of ['=', '+', '-', '@', '\t', '\r']) expect(neutralised.some((cell) => cell.startsWith(`'${start}`)), `a cell beginning with ${JSON.stringify(start)}`).toBe(true);
  });

  test('quotes, semicolons, commas and line breaks in a note survive the round trip', async () => {
    for (const [separator, delimiter] of [['', ';'], ['?separator=semicolon', ';'], ['?separator=comma', ',']] as const) {
      const response = await download('organizer', separator);
      expect(response.statusCode).toBe(200);
      const rows = records(response.rawPayload, delimiter).slice(1);
      expect(rows[1]?.[7]).toBe(TRICKY_NOTE);
    }
  });

  test('semicolon by default (what Excel expects in Sweden and Denmark); comma on request; the same cells either way', async () => {
    const semicolon = await download('organizer');
    const explicit = await download('organizer', '?separator=semicolon');
    const comma = await download('organizer', '?separator=comma');
    const firstLine = (body: Buffer) => body.toString('utf8').slice(1).split('\n')[0];
    expect(firstLine(semicolon.rawPayload)).toMatch(/^Tid;Ringare;Förnamn;Efternamn;Telefon;Utfall;/);
    expect(firstLine(comma.rawPayload)).toMatch(/^Tid,Ringare,Förnamn,Efternamn,Telefon,Utfall,/);
    expect(explicit.rawPayload.equals(semicolon.rawPayload)).toBe(true);
    expect(records(comma.rawPayload, ',')).toEqual(records(semicolon.rawPayload, ';'));
    // Under commas the ", "-joined choices are quoted; under semicolons they need not be.
    expect(semicolon.rawPayload.toString('utf8')).toContain(';Knacka dörr, Ringa;');
    expect(comma.rawPayload.toString('utf8')).toContain(',"Knacka dörr, Ringa",');
  });

  test('an attachment named after the campaign (what a file name cannot hold taken out) and the day, CSV in UTF-8, never cached', async () => {
    const response = await download('organizer');
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['cache-control']).toBe('no-store');
    const name = 'Höstens ringning del 12 Malmö samtal 2026-10-04.csv';
    expect(response.headers['content-disposition']).toBe(`attachment; filename="H_stens ringning del 12 Malm_ samtal 2026-10-04.csv"; filename*=UTF-8''${encodeURIComponent(name)}`);
  });

  test('a campaign without calls gives the header alone', async () => {
    const response = await download('organizer', '', emptyCampaignId);
    expect(response.statusCode).toBe(200);
    expect(response.rawPayload.toString('utf8')).toBe(`\uFEFF${[...COLUMNS, 'Vill du bli medlem?', 'Vilken fråga är viktigast?', `"'=Varför? Säg ""något""; gärna, kort"`].join(';')}\n`);
  });
});

describe('who may export', () => {
  test('organizers and admins of the campaign’s own organisation; not the district above (aggregates only), callers, other organisations or anyone signed out', async () => {
    const before = (await exportEvents()).length;
    const expected: [string, number, string | undefined][] = [
      ['organizer', 200, undefined],
      ['admin', 200, undefined],
      ['caller', 403, 'forbidden'],
      ['districtOrganizer', 403, 'forbidden'],
      ['districtAdmin', 403, 'forbidden'],
      ['otherOrganizer', 404, 'not_found'],
      ['nobody', 401, 'unauthenticated'],
    ];
    for (const [who, status, code] of expected) {
      const response = await download(who);
      expect(response.statusCode, `${who}: ${response.body.slice(0, 200)}`).toBe(status);
      if (code) {
        expect(errorCode(response)).toBe(code);
        expect(response.body).not.toContain('Åsa');
      }
    }
    expect((await exportEvents()).length).toBe(before + 2);
  });

  test('each export is in the audit log: who, which campaign, how many rows, and nothing about the people', async () => {
    const before = (await exportEvents()).length;
    await download('organizer', '?separator=comma');
    const events = await exportEvents();
    expect(events.length).toBe(before + 1);
    const event = events.at(-1);
    expect(event).toMatchObject({ organisationId: association.id, actorUserId: organizer.id, targetUserId: null });
    expect(event?.details).toEqual({ campaignId, campaign: CAMPAIGN_NAME, rows: EXPECTED_ROWS.length });
    const details = JSON.stringify(event?.details);
    for (const personal of ['Åsa', 'Søren', '4670', 'smørrebrød', 'Bostäder', 'Åke']) expect(details).not.toContain(personal);
    // Organizers read it in the audit log of the organisation.
    const log = await t.request('GET', `/api/orgs/${association.id}/audit`, { cookie: cookies.admin });
    expect(log.statusCode).toBe(200);
    expect(log.json<{ events: { action: string }[] }>().events[0]).toMatchObject({ action: 'campaign.calls-exported', actorName: 'Olga Organisatör' });
  });

  test('bad input is a 4xx that says why, never a 500, and is not audited', async () => {
    const before = (await exportEvents()).length;
    const cases: [string, number, string][] = [
      [exportUrl(campaignId, '?separator=tab'), 400, 'validation'],
      [exportUrl(campaignId, '?separator='), 400, 'validation'],
      [exportUrl(campaignId, '?delimiter=%3B'), 400, 'validation'],
      ['/api/campaigns/not-a-uuid/calls.csv', 400, 'validation'],
      [exportUrl(randomUUID()), 404, 'not_found'],
    ];
    for (const [url, status, code] of cases) {
      const response = await t.request('GET', url, { cookie: cookies.organizer });
      expect(response.statusCode, `${url}: ${response.body}`).toBe(status);
      expect(errorCode(response)).toBe(code);
      expect(response.json<{ error: { message: string } }>().error.message.length).toBeGreaterThan(10);
    }
    // A HEAD would run the whole export only to throw it away; there is none.
    const head = await t.app.inject({ method: 'HEAD', url: exportUrl(), headers: { cookie: cookies.organizer ?? '' } });
    expect(head.statusCode).toBe(404);
    expect((await exportEvents()).length).toBe(before);
  });
});

describe('streaming', () => {
  let url: string;
  let bulk: { campaignId: string; cookie: string };
  const BULK_CALLS = 30_000;

  beforeAll(async () => {
    // The retention purge's first run (10 s after the start) holds a pool connection for as long as it
    // reads the bulk data, which on a busy machine meets the check below that every connection is back.
    await t.app.ctx.purger.close();
    url = await t.app.listen({ port: 0, host: '127.0.0.1' });
    // 30,000 calls with long notes: some 20 MB, far more than the sockets between here and PostgreSQL hold.
    const world = await seedExportCampaign(t.db, BULK_CALLS, { noteBytes: 600 });
    bulk = { campaignId: world.campaignId, cookie: `ringa_session=${(await t.app.ctx.sessions.start(world.organizerId)).token}` };
  }, 120_000);

  /** Starts a download and stops reading once the first bytes came; `abort` goes away, `finish` reads the rest. */
  function stalledDownload(id: string, cookie: string): Promise<{ status: number; abort: () => void; finish: () => Promise<number> }> {
    return new Promise((resolve, reject) => {
      const request = http.get(`${url}/api/campaigns/${id}/calls.csv`, { headers: { cookie } }, (response) => {
        let bytes = 0;
        response.once('data', (chunk: Buffer) => {
          bytes += chunk.length;
          response.pause();
          resolve({
            status: response.statusCode ?? 0,
            abort: () => request.destroy(),
            finish: () =>
              new Promise((done, failed) => {
                response.on('data', (more: Buffer) => (bytes += more.length));
                response.once('end', () => done(bytes));
                response.once('error', failed);
                response.resume();
              }),
          });
        });
        response.once('error', reject);
      });
      request.once('error', reject);
    });
  }

  async function copiesRunning(): Promise<number> {
    const result = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where datname = current_database() and backend_type = 'client backend' and query ilike 'copy (%' and state <> 'idle'`.execute(t.db);
    return result.rows[0]?.n ?? 0;
  }

  async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`Still not so after 10 s: ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  test('a reader that goes away mid-file ends the COPY and gives the connection back; the next export is whole', async () => {
    const pool = poolOf(t.db);
    for (let i = 0; i < MAX_RUNNING_EXPORTS + 1; i++) {
      const download = await stalledDownload(bulk.campaignId, bulk.cookie);
      expect(download.status).toBe(200);
      expect(await copiesRunning()).toBe(1);
      download.abort();
      await eventually(async () => (await copiesRunning()) === 0, 'the COPY ended');
    }
    await eventually(async () => pool.totalCount - pool.idleCount === 0, 'every connection is back in the pool');
    // More aborted exports than may run at once, and still one more may: each gave its place back.
    const whole = await t.request('GET', exportUrl(bulk.campaignId), { cookie: bulk.cookie });
    expect(whole.statusCode).toBe(200);
    expect(records(whole.rawPayload).length).toBe(BULK_CALLS + 1);
  });

  test(`at most ${MAX_RUNNING_EXPORTS} exports at once: another one is asked to come back later (429), and may once one ends`, async () => {
    const running = [];
    for (let i = 0; i < MAX_RUNNING_EXPORTS; i++) running.push(await stalledDownload(bulk.campaignId, bulk.cookie));
    const refused = await t.request('GET', exportUrl(bulk.campaignId), { cookie: bulk.cookie });
    expect(refused.statusCode).toBe(429);
    expect(errorCode(refused)).toBe('exports_busy');
    expect(refused.headers['retry-after']).toBe('60');
    const [first, ...others] = running;
    const bytes = await first?.finish();
    expect(bytes).toBeGreaterThan(15 * 1024 * 1024);
    for (const other of others) other.abort();
    await eventually(async () => (await copiesRunning()) === 0, 'the COPYs ended');
    const again = await t.request('GET', exportUrl(bulk.campaignId), { cookie: bulk.cookie });
    expect(again.statusCode).toBe(200);
  });

  test('200,000 calls stream from a server process whose memory does not grow with the file, even while the reader stops for 2 s', async () => {
    // Long notes make a file of over 200 MB: buffering it would take at least that on top of the baseline.
    const figures = await benchExport({ databaseUrl: t.databaseUrl, calls: 200_000, noteBytes: 1000, stallMs: 2000 });
    expect(figures.export_rows).toBe(200_000);
    expect(figures.file_mb).toBeGreaterThan(200);
    // What streaming costs: buffers in flight, and garbage V8 collects when its external memory grows by some 64 MB.
    expect(figures.rss_growth_mb).toBeLessThan(100);
  }, 300_000);
});
