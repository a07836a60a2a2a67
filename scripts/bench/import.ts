// `npm run bench:import [-- --rows N]`: generates a realistic Swedish purchased list (Excel's
// semicolon CSV in Windows-1252; numbers written every way people write them; 2 % invalid, 3 %
// duplicates, 1 % on the do-not-call register), imports it through the same ListImporter as the
// API and the CLI into a fresh database, times a bare COPY of the same file into an unindexed
// table, and prints one JSON line of figures.
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { createDatabase, startCluster, withDatabase } from '../../db/database';
import { migrateToLatest } from '../../db/migrate';
import { systemClock } from '../../server/src/clock';
import { ListImporter } from '../../server/src/modules/lists/lists.import';
import { findList } from '../../server/src/modules/lists/lists.repository';
import { insertMany } from '../../server/src/modules/lists/do-not-call.repository';
import { insertOrganisation } from '../../server/src/modules/organisations/organisations.service';

import { generateSwedishList } from './generate-list';

const { values } = parseArgs({ options: { rows: { type: 'string' } } });
const ROWS = Number(values.rows ?? 1_000_000);

const workDir = await mkdtemp(path.join(os.tmpdir(), 'ringa-bench-'));
const file = path.join(workDir, 'malgrupp.csv');
const cluster = await startCluster({ databaseUrl: process.env.DATABASE_URL, dataDir: workDir });
const maintenance = new pg.Client({ connectionString: process.env.DATABASE_URL ? withDatabase(process.env.DATABASE_URL, 'postgres') : cluster.urlFor('postgres') });
await maintenance.connect();
const database = `ringa_bench_${process.pid}`;
await maintenance.query(`create database ${database}`);
const url = process.env.DATABASE_URL ? withDatabase(process.env.DATABASE_URL, database) : cluster.urlFor(database);
const db = createDatabase(url);

try {
  await migrateToLatest(db);
  process.stderr.write(`Generating ${ROWS.toLocaleString('en')} rows…\n`);
  const { dncNumbers } = await generateSwedishList(file, ROWS);
  const size = (await stat(file)).size;

  const organisation = await insertOrganisation(db, systemClock, null, { name: 'Benchmark district', kind: 'district', country: 'SE' }, null);
  await insertMany(db, organisation.id, dncNumbers, 'file', null, new Date());

  process.stderr.write(`Importing ${(size / 1024 / 1024).toFixed(0)} MB…\n`);
  const rssBefore = process.memoryUsage().rss;
  let peakRss = rssBefore;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
  const started = performance.now();
  const importer = new ListImporter(db, systemClock, 2 * 1024 * 1024 * 1024);
  const id = await importer.start({ organisationId: organisation.id, name: 'Målgrupp', country: 'SE', filePath: file, source: { kind: 'broker', name: 'Benchmark', date: '2026-01-01', basis: 'legitimate-interest' }, createdBy: null, removeFile: false });
  await importer.wait(id);
  const seconds = (performance.now() - started) / 1000;
  process.stderr.write(`Steps (ms): ${JSON.stringify(importer.lastTimings)}\n`);
  clearInterval(sampler);
  const list = await findList(db, id);
  if (list?.status !== 'ready') throw new Error(`The import did not finish: ${list?.error ?? 'unknown'}`);

  // The floor: PostgreSQL's own COPY of the same file into a table with no index and no checks.
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('create table bare_copy (a text, b text, c text, d text, e text, f text, g text)');
  const copyStarted = performance.now();
  await pipeline(
    (await import('node:fs')).createReadStream(file),
    client.query(copyFrom("copy bare_copy from stdin with (format csv, delimiter ';', header true, encoding 'WIN1252')")),
  );
  const copySeconds = (performance.now() - copyStarted) / 1000;
  await client.end();

  process.stdout.write(
    `${JSON.stringify({
      rows: list.rows,
      seconds: Number(seconds.toFixed(2)),
      rows_per_s: Math.round(list.rows / seconds),
      peak_rss_mb: Math.round(peakRss / 1024 / 1024),
      copy_seconds: Number(copySeconds.toFixed(2)),
      imported: list.imported,
      invalid: list.invalid,
      duplicates: list.duplicates,
      suppressed: list.suppressed,
      file_mb: Math.round(size / 1024 / 1024),
    })}\n`,
  );
} finally {
  await db.destroy();
  await maintenance.query(`drop database if exists ${database} with (force)`);
  await maintenance.end();
  await cluster.stop();
  await rm(workDir, { recursive: true, force: true });
}
