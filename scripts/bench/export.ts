// `npm run bench:export [-- --calls N]`: the call-results export of a campaign of --calls (1,000,000)
// saved calls, over HTTP from a server in a process of its own, as an organizer downloads it. Seeds a
// fresh database (people and calls written straight into the tables with generate_series: calling is
// bench:callers' business), then times the download to its last byte and follows the server's memory
// in /proc. Progress goes to stderr; one JSON line of figures to stdout.
//
// benchExport() is also what server/test/exports.test.ts runs, on a smaller campaign with a reader
// that stops for a while: the server's memory must not grow with the file.
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import pg from 'pg';
import { createDatabase, startCluster, withDatabase, type Database } from '../../db/database';
import { migrateToLatest } from '../../db/migrate';
import { startServer, stopServer } from './server-process';
import { systemClock } from '../../server/src/clock';
import { SessionService } from '../../server/src/modules/accounts/sessions.service';
import { createCampaignAsSystem, saveScript } from '../../server/src/modules/campaigns/campaigns.service';
import { ALWAYS_WINDOW, DEFAULT_OUTCOMES } from '../../server/src/modules/campaigns/outcomes';
import { insertOrganisation } from '../../server/src/modules/organisations/organisations.service';
import { createGroupAsSystem } from '../../server/src/modules/target-groups/target-groups.service';

const log = (line: string) => process.stderr.write(`${line}\n`);
const round = (value: number, digits = 1) => Number(value.toFixed(digits));

const FIRST_NAMES = ['Åsa', 'Örjan', 'Märta', 'Søren', 'Æbbe', 'Anna', 'Erik', 'Maria', 'Lars', 'Karin', 'Bjørn', 'Ingrid'];
const LAST_NAMES = ['Öberg', 'Åström', 'Nørgaard', 'Andersson', 'Johansson', 'Ærø', 'Karlsson', 'Nilsson', 'Sørensen', 'Lindén'];
const NOTES = ['Ring efter 18', 'Vill ha mer info om förskolan', 'Trevlig, positiv till förslaget', 'Ønsker at blive kontaktet igen', 'Upptagen, ring senare'];
const CALLERS = 50;

export interface ExportWorld {
  organisationId: string;
  campaignId: string;
  organizerId: string;
}

/**
 * A campaign with two script versions (the second relabels an outcome and adds a question; one, without calls) and `calls`
 * saved calls by 50 callers to calls/2 people, a third of them with a short note, and every one with
 * `noteBytes` or so more of it (to make a big file of few rows).
 */
export async function seedExportCampaign(db: Database, calls: number, options: { noteBytes?: number } = {}): Promise<ExportWorld> {
  const suffix = randomBytes(4).toString('hex');
  const organisation = await insertOrganisation(db, systemClock, null, { name: `Exportdistrikt ${suffix}`, kind: 'district', country: 'SE' }, null);
  const users = await sql<{ id: string }>`
    insert into app_user (email, name, password_hash, created_at)
    select 'export-' || ${suffix} || '-' || g || '@bench.example', case when g = 0 then 'Organisatör' else 'Ringare ' || g end, 'not a hash', now()
    from generate_series(0, ${CALLERS}::int) g
    returning id`.execute(db);
  const [organizer, ...callers] = users.rows.map((row) => row.id);
  if (!organizer) throw new Error('no organizer was made');
  await sql`
    insert into membership (user_id, organisation_id, role, created_at)
    select id, ${organisation.id}::uuid, case when id = ${organizer}::uuid then 'organizer' else 'caller' end, now()
    from unnest(${[organizer, ...callers]}::uuid[]) as id`.execute(db);

  const now = new Date();
  const people = Math.max(1, Math.ceil(calls / 2));
  const list = await db
    .insertInto('targetList')
    .values({ organisationId: organisation.id, name: 'Målgrupp', country: 'SE', status: 'ready', sourceKind: 'members', legalBasis: 'members', fileName: 'malgrupp.csv', rows: people, imported: people, createdAt: now, finishedAt: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  const group = await createGroupAsSystem(db, systemClock, organisation.id, { name: 'Alla', listIds: [list.id], filters: [] });
  const questions = [
    { id: 'member', kind: 'yes-no' as const, text: 'Vill du bli **medlem**?', tags: ['recruit' as const] },
    {
      id: 'issue',
      kind: 'single' as const,
      text: 'Vilken fråga är viktigast för dig?',
      choices: [
        { value: 'housing', label: 'Bostäder', tags: [] },
        { value: 'schools', label: 'Skolan', tags: [] },
        { value: 'care', label: 'Vården', tags: [] },
      ],
    },
    { id: 'why', kind: 'text' as const, text: 'Varför?' },
  ];
  const campaign = await createCampaignAsSystem(db, systemClock, organisation.id, {
    name: 'Medlemsringning hösten',
    callingWindow: ALWAYS_WINDOW,
    targetGroupIds: [group.id],
    questions,
  });
  // Only a version someone has called is followed by another: the first call (of someone erased since) is made under version 1.
  if (calls > 0) {
    await sql`
      insert into call (campaign_id, organisation_id, caller_id, version_id, idempotency_key, lease_id, outcome, created_at)
      select ${campaign.id}::uuid, ${organisation.id}::uuid, ${callers[0]}::uuid, v.id, 'export-bench-1', gen_random_uuid(), 'no-answer', ${now}::timestamptz - interval '28 days'
      from campaign_version v where v.campaign_id = ${campaign.id}::uuid`.execute(db);
  }
  await saveScript(db, systemClock, organizer, campaign.id, {
    script: 'Hej {first_name}!',
    questions: [
      ...questions,
      {
        id: 'help',
        kind: 'multiple',
        text: 'Hur vill du hjälpa till?',
        choices: [
          { value: 'call', label: 'Ringa', tags: ['volunteer'] },
          { value: 'door', label: 'Knacka dörr', tags: ['volunteer'] },
          { value: 'flyers', label: 'Dela flygblad', tags: ['volunteer'] },
        ],
      },
    ],
    outcomes: DEFAULT_OUTCOMES.map((outcome) => (outcome.code === 'conversation' ? { ...outcome, label: 'Samtal' } : outcome)),
  });
  const versions = await db.selectFrom('campaignVersion').select(['id', 'version']).where('campaignId', '=', campaign.id).orderBy('version').execute();
  const [first, second = first] = versions.map((version) => version.id);
  if (first === undefined || second === undefined) throw new Error('the campaign has no version');

  // Swedish mobiles in E.164, as the importer stores them.
  const persons = await sql<{ low: number; high: number }>`
    with added as (
      insert into person (organisation_id, phone, phone_type, first_name, last_name, created_at, updated_at)
      select ${organisation.id}::uuid, '+4670' || lpad(g::text, 7, '0'), 'mobile',
        (${FIRST_NAMES}::text[])[1 + g % ${FIRST_NAMES.length}], (${LAST_NAMES}::text[])[1 + (g / 7) % ${LAST_NAMES.length}], ${now}, ${now}
      from generate_series(1, ${people}::int) g
      returning id
    )
    select min(id)::bigint as low, max(id)::bigint as high from added`.execute(db);
  const low = persons.rows[0]?.low ?? 0;
  await sql`insert into list_person (list_id, person_id) select ${list.id}::uuid, id from person where organisation_id = ${organisation.id}`.execute(db);

  // Calls spread over the last four weeks, outcomes in a realistic mix; conversations answer the questions.
  const noteBytes = options.noteBytes ?? 0;
  const outcome = sql`(case when g % 10 < 4 then 'no-answer' when g % 10 < 5 then 'busy' when g % 10 < 6 then 'voicemail' when g % 10 < 9 then 'conversation' else 'refused' end)`;
  const insertCalls = sql`
    insert into call (campaign_id, organisation_id, person_id, caller_id, version_id, idempotency_key, lease_id, outcome, answers, notes, tags, created_at)
    select ${campaign.id}::uuid, ${organisation.id}::uuid, ${low}::bigint + (g - 1) % ${people}, (${callers}::uuid[])[1 + g % ${callers.length}],
      case when g % 2 = 0 then ${first}::bigint else ${second}::bigint end,
      'export-bench-' || g, gen_random_uuid(), ${outcome},
      case when ${outcome} <> 'conversation' then '{}'::jsonb
           when g % 2 = 0 then jsonb_build_object('member', g % 3 = 0, 'issue', (array['housing', 'schools', 'care'])[1 + g % 3], 'why', 'För att ' || g)
           else jsonb_build_object('member', g % 3 = 0, 'issue', (array['housing', 'schools', 'care'])[1 + g % 3], 'help', to_jsonb((array['call', 'door', 'flyers'])[1:1 + g % 3])) end,
      case when g % 3 = 0 then (${NOTES}::text[])[1 + g % ${NOTES.length}] else '' end || repeat(' – och så vidare', ${Math.ceil(noteBytes / 19)}::int),
      case when ${outcome} = 'conversation' and g % 3 = 0 then array['recruit'] else '{}'::text[] end,
      ${now}::timestamptz - interval '28 days' + make_interval(secs => g * 2419200.0 / ${Math.max(calls, 1)})
    from generate_series(2, ${calls}::int) g`;
  await db.transaction().execute(async (trx) => {
    // Weeks on, the statistics would long have counted these calls: their trigger (which queues each new
    // call for the statistics to fold) is not fired, or the server would fold a million calls while it
    // exports. Only a superuser may; elsewhere the calls are queued and the server folds them meanwhile.
    const { rows } = await sql<{ superuser: boolean }>`select rolsuper as superuser from pg_roles where rolname = current_user`.execute(trx);
    if (rows[0]?.superuser) await sql`set local session_replication_role = replica`.execute(trx);
    await insertCalls.execute(trx);
  });
  // As autovacuum would have by the time the campaign is over.
  await sql`analyze call`.execute(db);
  await sql`analyze person`.execute(db);
  return { organisationId: organisation.id, campaignId: campaign.id, organizerId: organizer };
}

/** VmRSS and VmHWM (the peak) of a process, in MB. */
function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) / 1024;
  return { rss: field('VmRSS'), peak: field('VmHWM') };
}

interface Download {
  status: number;
  bytes: number;
  /** Line ends: the rows and the header, as long as no cell holds a line break (none does here). */
  lines: number;
  seconds: number;
  /** The highest VmRSS seen while the file came, in MB. */
  sampledPeakMb: number;
}

/** Downloads a URL to nowhere, counting; with `stallMs`, stops reading for that long once the first bytes came. */
function download(url: string, cookie: string, pid: number, stallMs: number): Promise<Download> {
  return new Promise((resolve, reject) => {
    let sampledPeakMb = memoryOf(pid).rss;
    const sampler = setInterval(() => (sampledPeakMb = Math.max(sampledPeakMb, memoryOf(pid).rss)), 20);
    const started = performance.now();
    const request = http.get(url, { headers: { cookie } }, (response) => {
      let bytes = 0;
      let lines = 0;
      let stalled = stallMs <= 0;
      response.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines += 1;
        if (!stalled) {
          stalled = true;
          response.pause();
          setTimeout(() => response.resume(), stallMs);
        }
      });
      response.on('end', () => {
        clearInterval(sampler);
        sampledPeakMb = Math.max(sampledPeakMb, memoryOf(pid).rss);
        resolve({ status: response.statusCode ?? 0, bytes, lines, seconds: (performance.now() - started) / 1000, sampledPeakMb });
      });
      response.on('error', (error) => {
        clearInterval(sampler);
        reject(error);
      });
    });
    request.on('error', (error) => {
      clearInterval(sampler);
      reject(error);
    });
  });
}

export interface ExportFigures {
  export_rows: number;
  export_seconds: number;
  export_peak_rss_mb: number;
  /** The server's VmRSS before the export (after a small one to warm it up). */
  baseline_rss_mb: number;
  /** The highest VmRSS seen during the export less the baseline. */
  rss_growth_mb: number;
  file_mb: number;
  seed_seconds: number;
}

/**
 * Seeds a campaign of `calls` calls into the database at `databaseUrl`, starts a server process on
 * it, warms it with an export of an empty campaign, then downloads the big one as its organizer.
 */
export async function benchExport(options: { databaseUrl: string; calls: number; noteBytes?: number; stallMs?: number }): Promise<ExportFigures> {
  const db = createDatabase(options.databaseUrl, { max: 2 });
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'ringa-bench-export-'));
  let server: { child: ChildProcess; url: string } | undefined;
  try {
    log(`Seeding ${options.calls.toLocaleString('en')} calls…`);
    const seedStarted = performance.now();
    const world = await seedExportCampaign(db, options.calls, options);
    const empty = await seedExportCampaign(db, 0);
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    log(`  seeded in ${round(seedSeconds)} s`);

    const sessionSecret = randomBytes(32).toString('base64url');
    const sessions = new SessionService(db, systemClock, sessionSecret);
    const cookie = `ringa_session=${(await sessions.start(world.organizerId)).token}`;
    const emptyCookie = `ringa_session=${(await sessions.start(empty.organizerId)).token}`;
    log('Starting the server…');
    server = await startServer(options.databaseUrl, sessionSecret, path.join(workDir, 'server'), log);
    const pid = server.child.pid;
    if (pid === undefined) throw new Error('the server has no pid');

    const warm = await download(`${server.url}/api/campaigns/${empty.campaignId}/calls.csv`, emptyCookie, pid, 0);
    if (warm.status !== 200) throw new Error(`The warm-up export answered ${warm.status}`);
    const baseline = memoryOf(pid).rss;
    log(`Exporting (server RSS ${round(baseline)} MB)…`);
    const result = await download(`${server.url}/api/campaigns/${world.campaignId}/calls.csv`, cookie, pid, options.stallMs ?? 0);
    if (result.status !== 200) throw new Error(`The export answered ${result.status}`);
    const peak = memoryOf(pid).peak;
    log(`  ${(result.bytes / 1024 / 1024).toFixed(0)} MB in ${round(result.seconds, 2)} s; server RSS peak ${round(result.sampledPeakMb)} MB sampled, VmHWM ${round(peak)} MB`);
    return {
      export_rows: result.lines - 1,
      export_seconds: round(result.seconds, 2),
      export_peak_rss_mb: Math.round(peak),
      baseline_rss_mb: Math.round(baseline),
      rss_growth_mb: round(result.sampledPeakMb - baseline),
      file_mb: round(result.bytes / 1024 / 1024),
      seed_seconds: round(seedSeconds),
    };
  } finally {
    if (server) await stopServer(server.child);
    await db.destroy();
    await rm(workDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { calls: { type: 'string', default: '1000000' } } });
  const calls = Number(values.calls);
  if (!Number.isInteger(calls) || calls < 0) throw new Error('--calls must be a whole number');
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'ringa-bench-export-pg-'));
  const cluster = await startCluster({ databaseUrl: process.env.DATABASE_URL, dataDir }, log);
  const adminUrl = process.env.DATABASE_URL ? withDatabase(process.env.DATABASE_URL, 'postgres') : cluster.urlFor('postgres');
  const database = `ringa_export_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${database}`);
    const url = process.env.DATABASE_URL ? withDatabase(process.env.DATABASE_URL, database) : cluster.urlFor(database);
    const db = createDatabase(url, { max: 1 });
    await migrateToLatest(db).finally(() => db.destroy());
    const figures = await benchExport({ databaseUrl: url, calls });
    process.stdout.write(
      `${JSON.stringify({ export_rows: figures.export_rows, export_seconds: figures.export_seconds, export_peak_rss_mb: figures.export_peak_rss_mb, baseline_rss_mb: figures.baseline_rss_mb, file_mb: figures.file_mb })}\n`,
    );
  } finally {
    await admin.query(`drop database if exists ${database} with (force)`);
    await admin.end();
    await cluster.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
