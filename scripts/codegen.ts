// Generates db/schema.ts from a freshly migrated database (`npm run db:codegen`), or with --verify
// fails when db/schema.ts has drifted from the migrations (run by `npm test`).
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createDatabase, startCluster, withDatabase } from '../db/database';
import { migrateToLatest } from '../db/migrate';
import pg from 'pg';

const verify = process.argv.includes('--verify');
const dataDir = await mkdtemp(path.join(os.tmpdir(), 'ringa-codegen-'));
const cluster = await startCluster({ databaseUrl: process.env.DATABASE_URL, dataDir });
const scratch = `ringa_codegen_${process.pid}`;
const admin = new pg.Client({ connectionString: cluster.urlFor('postgres') });
await admin.connect();
let status = 1;
try {
  await admin.query(`drop database if exists ${scratch}`);
  await admin.query(`create database ${scratch}`);
  const url = process.env.DATABASE_URL ? withDatabase(process.env.DATABASE_URL, scratch) : cluster.urlFor(scratch);
  const db = createDatabase(url, { max: 1 });
  await migrateToLatest(db);
  await db.destroy();
  const result = spawnSync(
    process.execPath,
    [
      path.join('node_modules', 'kysely-codegen', 'dist', 'cli', 'bin.js'),
      '--dialect=postgres',
      `--url=${url}`,
      '--camel-case',
      '--exclude-pattern=kysely_*',
      '--type-mapping={"int8":"number"}',
      '--out-file=db/schema.ts',
      ...(verify ? ['--verify'] : []),
    ],
    { stdio: 'inherit' },
  );
  status = result.status ?? 1;
  if (verify && status !== 0) console.error('db/schema.ts has drifted from db/migrations: run `npm run db:codegen` and commit it.');
  await admin.query(`drop database if exists ${scratch}`);
} finally {
  await admin.end();
  await cluster.stop();
  await rm(dataDir, { recursive: true, force: true });
}
process.exit(status);
